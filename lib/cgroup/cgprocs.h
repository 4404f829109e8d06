/* cgprocs: the processes of a control group: list them, signal them all,
 * freeze and thaw them (the v1 freezer's freezer.state, or cgroup.freeze
 * of cgroup v2), and read whether they are frozen. */
#ifndef BK_CGPROCS_H
#define BK_CGPROCS_H

#include "cgroup/cgroup.h"

#include <stdbool.h>
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

/* Freeze (frozen) or thaw the group and wait up to timeout_ms until the
 * kernel says so. Fails when the group has no freezer (v1) or no cgroup
 * v2 directory. */
int bk_cg_freeze(const struct bk_cgroup *g, bool frozen, unsigned timeout_ms);
/* 1 frozen (or freezing), 0 thawed, -1 no freezer here. */
int bk_cg_frozen(const struct bk_cgroup *g);

#endif
