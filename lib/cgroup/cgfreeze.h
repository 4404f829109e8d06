/* cgfreeze: stop every process of a control group in place, and let them
 * go again: the v1 freezer controller (freezer.state FROZEN, polled until
 * the kernel leaves FREEZING) where the host has it and the group is in
 * it, else cgroup v2's cgroup.freeze (until cgroup.events says
 * "frozen 1"). A group that does not settle in time is thawed again and
 * the freeze fails: nothing is left half frozen. */
#ifndef BK_CGFREEZE_H
#define BK_CGFREEZE_H

#include <stdbool.h>

/* freeze: true to freeze (waiting up to timeout_ms), false to thaw. */
int bk_cg_freeze(const char *path, bool freeze, unsigned timeout_ms);

#endif
