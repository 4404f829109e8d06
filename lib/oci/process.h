/* process: an OCI process object (config.json's process, or the file of
 * `exec --process`): what runs, as whom, with what environment, limits,
 * capabilities and terminal. Parsed with every field checked; a field
 * bockit cannot honour fails naming it. Strings point into the JSON
 * document, which must outlive the struct. */
#ifndef BK_OCI_PROCESS_H
#define BK_OCI_PROCESS_H

#include "ns/caps.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BK_OCI_MAX_RLIMITS 16

struct bk_oci_rlimit {
	int resource;
	uint64_t soft, hard;
};

struct bk_oci_process {
	const char **args;        /* NULL-terminated */
	const char **env;         /* NULL-terminated, may be NULL */
	const char *cwd;
	uint32_t uid, gid;
	gid_t *groups;            /* additionalGids */
	size_t ngroups;
	bool has_umask;
	mode_t umask;
	bool terminal;
	unsigned rows, cols;      /* consoleSize; 0 0 when not given */
	bool has_caps;            /* capabilities given (else: none kept, as runc) */
	struct bk_capsets caps;
	char unknown_caps[256];   /* names this kernel lacks, ignored (runc warns) */
	uint64_t ambient_dropped; /* ambient ones not permitted and inheritable: the
				   * kernel cannot raise them, left out (runc warns) */
	bool nnp;                 /* noNewPrivileges */
	struct bk_oci_rlimit rlimits[BK_OCI_MAX_RLIMITS];
	size_t nrlimits;
	bool has_oom;
	int oom_score_adj;
};

/* p is the process object; at its path for messages ("process"). */
int bk_oci_process_parse(const json_t *p, const char *at, struct bk_oci_process *out);
void bk_oci_process_free(struct bk_oci_process *p);

/* A copy of src that owns its own arrays (args, env, groups), so they can
 * be replaced or grown: exec's inline form starts from the config's. */
int bk_oci_process_copy(const struct bk_oci_process *src, struct bk_oci_process *dst);
/* Replace args with the NULL-terminated argv (not copied). */
int bk_oci_process_set_args(struct bk_oci_process *p, char *const *argv);
/* Add or replace NAME=VALUE (kept as given). */
int bk_oci_process_set_env(struct bk_oci_process *p, const char *kv);

/* "UID[:GID]" (exec --user) into p. */
int bk_oci_process_set_user(struct bk_oci_process *p, const char *spec);

#endif
