/* procenv: who the command runs as and with what environment: numeric
 * uid/gid (groups dropped), the environment given on the command line, or
 * the one of a running process (for joining a container). */
#ifndef BK_PROCENV_H
#define BK_PROCENV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* setgroups(0) + setresgid/setresuid; a negative id leaves it as is. */
int bk_set_ids(long uid, long gid);
/* The same with the supplementary groups groups[0..n) (an OCI process's
 * additionalGids) instead of none. */
int bk_set_ids_groups(long uid, long gid, const gid_t *groups, size_t n);

/* Optionally clearenv(), then putenv() each "K=V" (the strings are kept). */
int bk_apply_env(bool clear, const char *const *env, size_t n);

/* Replace the environment with the one of process pid. When pid is
 * nsrun's own init (a PID 1 running this very binary), the environment of
 * its command (its one child) is taken: the init's own /proc environ is
 * the one nsrun was started with, not the container's. */
int bk_take_env_of(pid_t pid);

#endif
