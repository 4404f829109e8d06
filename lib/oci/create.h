/* create: the runtime's side of `create`. In order: claim ROOT/ID, keep a
 * copy of the config, make the control group and move into it (so the
 * container starts inside it and its cgroup namespace is rooted there),
 * compile the seccomp profile, make the exec fifo, connect the console
 * socket, then clone the first process into its new namespaces (after
 * joining the configured ones in a short-lived helper when there are
 * any) and leave the group to it, write its id maps, run the prestart and createRuntime hooks when
 * it asks, and once it is ready record the state and the pid file. Any
 * failure kills the process and takes back the group, the state and the
 * pid file: nothing is left half made. */
#ifndef BK_OCI_CREATE_H
#define BK_OCI_CREATE_H

#include "oci/config.h"

struct bk_oci_create_opts {
	const char *root, *id;
	const char *pid_file;        /* or NULL */
	const char *console_socket;  /* or NULL */
	unsigned preserve_fds;
};

/* Returns the container's PID, or -1. */
int bk_oci_create(const struct bk_oci_create_opts *o, struct bk_oci_config *c);

#endif
