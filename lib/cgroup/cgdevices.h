/* cgdevices: a group's device allow-list, where this host keeps it: the
 * v1 devices controller ("deny a", then the lines of the list), or, on
 * cgroup v2 (which has no devices controller) and on request on a hybrid
 * host, an eBPF program on the group's cgroup2 directory (lib/devbpf). */
#ifndef BK_CGDEVICES_H
#define BK_CGDEVICES_H

#include "cgroup/cgroup.h"
#include "cgroup/devrules.h"

#include <stdbool.h>

/* Apply rules to the group (made already). The v1 devices controller
 * when the group has it and !bpf; else the program goes on the directory
 * of the group's cgroup2 controllers, which must exist. */
int bk_cg_devices_apply(struct bk_cgroup *g, const struct bk_dev_rules *rules, bool bpf);

#endif
