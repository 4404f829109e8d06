/* group: a container's control group. Made from its config: the path
 * (linux.cgroupsPath), in each hierarchy of this host a container joins
 * (cpu, cpuacct, memory, pids, devices, freezer) and in those its
 * resources name; the settings written (lib/cgroup/cgnames translates for
 * v2), then the device list: the config's rules, an allow for each of
 * its device nodes, runc's standard list (v1 devices controller, or the
 * eBPF program on v2). Rolled back whole when a step fails. Reopened
 * later from the state for kill --all, ps, pause, update and delete. */
#ifndef BK_OCI_GROUP_H
#define BK_OCI_GROUP_H

#include "cgroup/cgroup.h"
#include "oci/config.h"
#include "oci/resources.h"
#include "oci/state.h"

int bk_oci_group_create(const struct bk_oci_config *c, const char *path, struct bk_cgroup *g);
/* The controllers and path into the state record. */
int bk_oci_group_record(const struct bk_cgroup *g, struct bk_oci_state *s);
/* After delete removed the group: the parents create made, where empty. */
void bk_oci_group_unmake(const struct bk_oci_state *s);
/* The group again, from the record (no libcgroup start-up: call
 * bk_cg_init before bk_cg_delete or bk_cg_apply). */
int bk_oci_group_open(const struct bk_oci_state *s, struct bk_cgroup *g);
/* update --resources: the settings (devices are not changed). */
int bk_oci_group_update(struct bk_cgroup *g, const struct bk_oci_resources *r);

#endif
