/* cgfreeze: stop every process of a control group in place, and let them
 * go again: the v1 freezer controller (freezer.state FROZEN, polled until
 * the kernel leaves FREEZING) where the host has it and the group is in
 * it, else cgroup v2's cgroup.freeze (until cgroup.events says
 * "frozen 1"). A group that does not settle in time is thawed again and
 * the freeze fails: nothing is left half frozen. */
#ifndef BK_CGFREEZE_H
#define BK_CGFREEZE_H

#include "cgroup/cgroup.h"

#include <stdbool.h>

/* The group at PATH, its freezer found on this host (bk_cg_init first).
 * freeze: true to freeze (waiting up to timeout_ms), false to thaw. */
int bk_cg_freeze(const char *path, bool freeze, unsigned timeout_ms);
/* The same for a group already opened: its v1 freezer controller, else
 * its first cgroup v2 directory. */
int bk_cg_freeze_group(const struct bk_cgroup *g, bool freeze, unsigned timeout_ms);
/* 1 frozen (or freezing), 0 thawed, -1 the group has no freezer. */
int bk_cg_frozen(const struct bk_cgroup *g);

#endif
