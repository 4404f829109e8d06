/* init: the container's first process, from its clone to its exec. In
 * its new namespaces it waits for the parent's go (id maps written),
 * writes the sysctls, sets hostname and domainname, prepares the root
 * (lib/ns/rootfs), asks the parent to run the prestart and createRuntime
 * hooks, runs createContainer itself, switches root
 * and mounts the rest, takes its terminal, applies the process
 * (lib/oci/procsetup) and says ready; then it blocks on the exec fifo
 * (opened for it by create, since a user namespace's root may not) until
 * `start`, runs startContainer and execs. Until the exec it is
 * non-dumpable: nothing in the container can reach the runtime's binary
 * or fds through /proc/1. */
#ifndef BK_OCI_INIT_H
#define BK_OCI_INIT_H

#include "ns/rootfs.h"
#include "ns/seccomp.h"
#include "oci/config.h"
#include "oci/state.h"

struct bk_oci_init {
	const struct bk_oci_config *cfg;
	struct bk_oci_state *state;   /* for the hooks' state JSON (pid from go) */
	struct bk_rootfs fs;
	const struct bk_seccomp *filter;   /* NULL: none */
	int sync;                     /* the child's end of the sync pair */
	int console;                  /* connected console socket, or -1 */
	int fifo;                     /* exec.fifo, held open (read-write) */
	pid_t parent;                 /* to die with it until ready */
	unsigned preserve_fds;
};

void bk_oci_init_run(struct bk_oci_init *in) __attribute__((noreturn));

#endif
