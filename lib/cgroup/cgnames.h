/* cgnames: cgroup v1 <-> v2 names and values, with no I/O. Turns the
 * settings a user gives (v1 names, v2 names, portable options) into the
 * exact files and values to write for the version each controller has on
 * this host; includes crun's cpu.shares -> cpu.weight formula. */
#ifndef BK_CGNAMES_H
#define BK_CGNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One setting as given: "-r NAME=VALUE" or a portable option. */
struct bk_cg_req {
	const char *name;
	const char *value;
};

/* One file to write: CTRL is the controller's name on this host, FILE the
 * file name inside the group directory. */
struct bk_cg_write {
	char ctrl[32];
	char file[96];
	char value[256];
};

/* Where a controller lives on this host: 1 cgroup v2, 0 v1, -1 absent. */
typedef int (*bk_cg_version_fn)(const char *ctrl, void *arg);

/* Translate reqs into writes (at most 2 per req), in an order the kernel
 * accepts (memory limit before swap, period before quota). Returns the
 * number of writes, or -1 with the error recorded. */
int bk_cg_plan(const struct bk_cg_req *reqs, size_t n, bk_cg_version_fn version,
	       void *arg, struct bk_cg_write *out, size_t max);

/* How `get` reads NAME here: the file that holds it, and how to turn its
 * content back into NAME's spelling (v1 names read on v2 and back). */
struct bk_cg_read {
	char ctrl[32];
	char file[96];
	int conv;
};
int bk_cg_read_plan(const char *name, bk_cg_version_fn version, void *arg,
		    struct bk_cg_read *r);
/* raw file content -> value in NAME's spelling (no newline) into out. */
int bk_cg_read_convert(const struct bk_cg_read *r, const char *raw, char *out, size_t len);

/* A controller's name under the other cgroup version (cpuacct -> cpu on
 * v2, blkio <-> io), or NULL when it has the same name or none. */
const char *bk_cg_controller_alias(const char *name, bool to_v2);

/* The controller a file belongs to: "memory" for "memory.max" (into buf). */
int bk_cg_controller_of(const char *file, char *buf, size_t len);

/* Portable options as v1-named requests: "1.5" cpus -> quota and period
 * (period 100000 us). quota/period are written as decimal strings. */
int bk_cg_cpus_to_quota(const char *cpus, uint64_t *quota, uint64_t *period);

/* crun's mapping: shares 2..262144 onto weight 1..10000 (1024 -> 100),
 * a quadratic fit in log space; and its inverse. 0 stays 0 ("unset"). */
uint64_t bk_cg_shares_to_weight(uint64_t shares);
uint64_t bk_cg_weight_to_shares(uint64_t weight);

#endif
