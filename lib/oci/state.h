/* state: what ocirun keeps of a container between its commands, under
 * --root (default /run/ocirun): ROOT/ID/state.json (the init's PID and
 * start time, bundle, root, creation time, annotations, cgroup),
 * ROOT/ID/config.json (the config as created, so a changed bundle changes
 * nothing) and ROOT/ID/exec.fifo (present until start). The status is
 * worked out each time, runc's way: stopped when the PID is gone, a
 * zombie, or another process (its start time differs); created while the
 * fifo exists; paused while its cgroup is frozen; else running. A
 * process counts as the container's only with the same start time and
 * the same PID and mount namespaces. */
#ifndef BK_OCI_STATE_H
#define BK_OCI_STATE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define BK_OCI_VERSION "1.1.0"
#define BK_OCI_MAX_CTRLS 16
/* The longest name of a file in ROOT/ID ("config.json"), with its "/". */
#define BK_OCI_STATE_NAME_MAX 16

struct bk_oci_state {
	char dir[PATH_MAX - BK_OCI_STATE_NAME_MAX];   /* ROOT/ID */
	char id[256];
	pid_t pid;
	uint64_t start_time;     /* /proc/PID/stat field 22 (clock ticks) */
	uint64_t pidns, mntns;   /* its namespaces' inodes: a PID reused within the
				  * same tick by another process still differs */
	char bundle[PATH_MAX], rootfs[PATH_MAX];
	char created[40];        /* RFC 3339, UTC, nanoseconds */
	char cgroup[1024];       /* the group's path */
	struct bk_oci_ctrl {     /* its controllers, as found at create */
		char name[32];
		bool v2;
		char mount[256];
	} ctrls[BK_OCI_MAX_CTRLS];
	size_t nctrls;
	json_t *annotations;     /* owned; NULL for none */
	json_t *made;            /* owned: the cgroup directories create made, in order */
	bool host_mounts;        /* no mount namespace: its mounts are below rootfs here */
};

enum bk_oci_status { BK_OCI_CREATING, BK_OCI_CREATED, BK_OCI_RUNNING, BK_OCI_PAUSED, BK_OCI_STOPPED };
const char *bk_oci_status_name(enum bk_oci_status s);

/* A container id: 1..255 of [A-Za-z0-9_.+-], not starting with '.' or '-'. */
bool bk_oci_valid_id(const char *id);

/* mkdir ROOT (0700) if missing, then ROOT/ID: fails when the id is taken. */
int bk_oci_state_claim(const char *root, const char *id, struct bk_oci_state *s);
/* Read ROOT/ID/state.json ("container ID does not exist" if none). */
int bk_oci_state_load(const char *root, const char *id, struct bk_oci_state *s);
/* Write state.json atomically. */
int bk_oci_state_save(const struct bk_oci_state *s);
/* Remove the directory and what is in it. */
int bk_oci_state_remove(const struct bk_oci_state *s);
void bk_oci_state_free(struct bk_oci_state *s);

/* "DIR/NAME" into buf; NAME one of the state's files, which always fit. */
const char *bk_oci_state_file(const struct bk_oci_state *s, const char *name, char buf[static PATH_MAX]);

/* Start time of pid (field 22 of /proc/PID/stat); 0 when gone or a zombie. */
uint64_t bk_oci_proc_start_time(pid_t pid);
/* The inodes of PID's PID and mount namespaces into s (at create). */
int bk_oci_state_fingerprint(struct bk_oci_state *s);
/* Is s->pid still the container's init (alive, same start time and
 * namespaces)? */
bool bk_oci_state_alive(const struct bk_oci_state *s);
/* The status now; frozen tells it is paused (the caller knows the cgroup). */
enum bk_oci_status bk_oci_state_status(const struct bk_oci_state *s, bool frozen);

/* runc's `state` JSON (indented) or the hooks' state (compact), malloc'd. */
char *bk_oci_state_json(const struct bk_oci_state *s, enum bk_oci_status st, bool pretty);

/* The time now, RFC 3339 with nanoseconds, UTC: "2024-05-01T10:00:00.123456789Z". */
void bk_oci_now_rfc3339(char *buf, size_t len);

#endif
