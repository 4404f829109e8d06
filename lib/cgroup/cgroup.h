/* cgroup: one control group across the hierarchies of this host, through
 * libcgroup: discovery (which controller is mounted where, v1 or v2),
 * create with an undo list (a failed create leaves no directory), value
 * writes, attach (cgroup.procs), delete. Every step is traced with -v. */
#ifndef BK_CGROUP_H
#define BK_CGROUP_H

#include "cgroup/cgnames.h"

#include <stdbool.h>
#include <sys/types.h>

#define BK_CG_MAX_CTRL 16
#define BK_CG_MAX_UNDO 64

struct bk_cg_ctrl {
	char name[32];   /* controller name on this host ("cpu", "hugetlb") */
	bool v2;         /* lives in a cgroup2 hierarchy */
	char *mount;     /* the hierarchy's mount point */
	char *dir;       /* mount + group path */
};

/* One step of a create to take back: rmdir PATH, or (ctrl set) write
 * "-CTRL" to PATH/cgroup.subtree_control. */
struct bk_cg_undo {
	char *path;
	char ctrl[32];
};

struct bk_cgroup {
	char *path;                           /* "/bocker/ps_1" */
	size_t n;
	struct bk_cg_ctrl ctrl[BK_CG_MAX_CTRL];
	size_t nundo;
	struct bk_cg_undo undo[BK_CG_MAX_UNDO];
};

/* cgroup_init() (once per process) with libcgroup's logging routed to
 * the -vv trace instead of stdout. */
int bk_cg_init(void);

/* Start an empty group at PATH, in libcgroup's forms: "a/b", "/a/b" and
 * "a/b/" are the group /a/b (below each hierarchy's root, plain names, no
 * "." or "..", not the root itself). */
int bk_cg_open(struct bk_cgroup *g, const char *path);
/* Add controller NAME (translated: cpuacct -> cpu on v2). Fails when the
 * host does not have it. Adding one twice is a no-op. */
int bk_cg_add(struct bk_cgroup *g, const char *name);
/* Does this host have controller NAME (or its alias)? */
bool bk_cg_available(const char *name);
/* "cpu,memory:/path" (libcgroup's -g syntax): open + add each. */
int bk_cg_open_spec(struct bk_cgroup *g, const char *spec);
/* One more -g of the same group: its controllers are added; another
 * group's path is an error (one group per command). */
int bk_cg_add_spec(struct bk_cgroup *g, const char *spec);
/* Add every controller the writes name, if the host has it. */
int bk_cg_add_for(struct bk_cgroup *g, const struct bk_cg_write *w, size_t n);
void bk_cg_close(struct bk_cgroup *g);

/* bk_cg_version_fn for bk_cg_plan(): the host's version of a controller. */
int bk_cg_host_version(const char *ctrl, void *unused);

const struct bk_cg_ctrl *bk_cg_find(const struct bk_cgroup *g, const char *ctrl);
/* Does the group's directory exist in any (all) of its hierarchies? */
bool bk_cg_exists_any(const struct bk_cgroup *g);
/* Several controllers can share one directory (v2, or v1 co-mounts):
 * true for the first controller of each directory. */
bool bk_cg_first_of_dir(const struct bk_cgroup *g, size_t i);
bool bk_cg_exists_all(const struct bk_cgroup *g);

/* Make the group's directories that are missing (parents too), noting
 * each step in the undo list. *created tells whether anything was made. */
int bk_cg_create(struct bk_cgroup *g, bool *created);
/* Write the values; every controller must be in the group. */
int bk_cg_apply(struct bk_cgroup *g, const struct bk_cg_write *w, size_t n);
/* Undo what bk_cg_create made (newest first); forget the list. */
void bk_cg_rollback(struct bk_cgroup *g);
/* Keep what was made: forget the undo list. */
void bk_cg_commit(struct bk_cgroup *g);

/* Move the whole process PID (all its threads) into every hierarchy. */
int bk_cg_attach(const struct bk_cgroup *g, pid_t pid);
/* Move the calling process, which must be single-threaded, the cheap way
 * (see self_move in cgroup.c). */
int bk_cg_attach_self(const struct bk_cgroup *g);

/* Move this process back to each hierarchy's root, so a group made for
 * it can be rolled back (used when the command failed to start). */
void bk_cg_leave(const struct bk_cgroup *g);

/* Remove the group's directory from every hierarchy. Fails if processes
 * or child groups remain, or (unless force) when it does not exist. */
int bk_cg_delete(struct bk_cgroup *g, bool force);

/* Contents of FILE of controller CTRL's directory (malloc'd), or NULL. */
char *bk_cg_read(const struct bk_cgroup *g, const char *ctrl, const char *file);

#endif
