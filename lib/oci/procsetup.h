/* procsetup: an OCI process's settings applied to the calling process,
 * in runc's order, each through its lib/ns module: working directory,
 * environment, rlimits, OOM score, umask, and every fd above the
 * preserved ones close-on-exec (prepare); then seccomp when
 * no_new_privs is off (it needs CAP_SYS_ADMIN), the bounding set, uid,
 * gid and groups, the other capability sets, no_new_privs (identity);
 * then seccomp when no_new_privs is on, SIGPIPE back to its default, and
 * execvp of args with the process's PATH (exec). Used by the
 * container's first process and by `exec`. */
#ifndef BK_OCI_PROCSETUP_H
#define BK_OCI_PROCSETUP_H

#include "ns/seccomp.h"
#include "oci/process.h"

#include <stdbool.h>

/* make_cwd: create a missing working directory (the first process does,
 * as runc; exec does not). */
int bk_oci_proc_prepare(const struct bk_oci_process *p, bool make_cwd, unsigned preserve_fds);
int bk_oci_proc_identity(const struct bk_oci_process *p, const struct bk_seccomp *filter);
/* Returns only on failure: the exit code (125, 126, 127) with the error
 * recorded. */
int bk_oci_proc_exec(const struct bk_oci_process *p, const struct bk_seccomp *filter);

/* The terminal of a process: a pty from /dev/ptmx, its size, the master
 * sent over sock, the slave its controlling terminal and stdio; with
 * console, bound on /dev/console too. */
int bk_oci_proc_terminal(const struct bk_oci_process *p, int sock, bool console);

#endif
