/* cgkill: stop every process in a control group and wait until it is
 * empty: cgroup.kill on v2; on v1 freeze (when the group has a freezer
 * hierarchy) and SIGKILL what cgroup.procs lists, until nothing is left. */
#ifndef BK_CGKILL_H
#define BK_CGKILL_H

#include "cgroup/cgroup.h"

/* Kill and wait up to timeout_ms. Fails naming how many remain. */
int bk_cg_kill(const struct bk_cgroup *g, unsigned timeout_ms);

#endif
