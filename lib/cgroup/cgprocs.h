/* cgprocs: the processes of a control group: list them, signal them all
 * (cgfreeze stops them in place, cgkill empties the group by force). */
#ifndef BK_CGPROCS_H
#define BK_CGPROCS_H

#include "cgroup/cgroup.h"

#include <stddef.h>
#include <sys/types.h>

/* The PIDs in the group's first directory that lists any (every
 * hierarchy of a container holds the same processes): malloc'd array
 * in *pids (NULL when empty), its length in *n. */
int bk_cg_procs(const struct bk_cgroup *g, pid_t **pids, size_t *n);

/* kill(pid, sig) for every process each of the group's directories
 * lists; returns how many kill(2)s found their process (one in several
 * directories counts in each). */
int bk_cg_signal(const struct bk_cgroup *g, int sig);

#endif
