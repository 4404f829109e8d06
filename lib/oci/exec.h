/* exec: a new process in an existing container. A helper moves into the
 * container's cgroup and joins its first process's namespaces, root and
 * working directory (lib/ns/ns's target join, nsenter's job), then clones
 * the process as the runtime's own child, inside the container's PID
 * namespace; that process takes its terminal, applies the OCI process
 * (lib/oci/procsetup) with the container's seccomp profile, and execs.
 * Detached, the runtime returns once it runs (an engine reaps it); else
 * it forwards signals and returns its exit status. */
#ifndef BK_OCI_EXEC_H
#define BK_OCI_EXEC_H

#include "oci/config.h"
#include "oci/process.h"
#include "oci/state.h"

#include <stdbool.h>

struct bk_oci_exec_opts {
	const char *pid_file;
	const char *console_socket;
	bool detach;
	unsigned preserve_fds;
};

/* The exit code for the runtime: the process's (128+N for a signal),
 * 0 once a detached one runs, or 125/126/127 with the error recorded. */
int bk_oci_exec(const struct bk_oci_state *s, const struct bk_oci_config *cfg,
		const struct bk_oci_process *p, const struct bk_oci_exec_opts *o);

#endif
