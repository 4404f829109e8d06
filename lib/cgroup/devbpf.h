/* devbpf: the device allow-list on cgroup v2, where there is no devices
 * controller: a BPF_PROG_TYPE_CGROUP_DEVICE program built by hand from a
 * rule list (lib/devrules), loaded with bpf(2) and attached to a cgroup2
 * directory in place of the device programs attached there before (as
 * runc and crun do). The kernel runs it for every open and mknod of a
 * device node by a process in the group (and its subgroups); 0 = EPERM.
 * On a hybrid host both it and the v1 devices controller must allow. */
#ifndef BK_DEVBPF_H
#define BK_DEVBPF_H

#include "cgroup/devrules.h"

#include <linux/bpf.h>
#include <stddef.h>

/* Prologue (6), at most 8 instructions per rule, final verdict (2). */
#define BK_DEVBPF_MAX_INSNS (8 + 8 * BK_DEV_MAX_RULES)

struct bk_devbpf_prog {
	size_t n;
	struct bpf_insn insn[BK_DEVBPF_MAX_INSNS];
};

/* The program deciding what the v1 controller decides for the list (see
 * devrules.h: the list follows "deny a"; fails where it would not). */
int bk_devbpf_build(const struct bk_dev_rules *rules, struct bk_devbpf_prog *p);

/* bpf(BPF_PROG_LOAD): the program's fd, or -1 (with the verifier's log in
 * the message when it refused the program). */
int bk_devbpf_load(const struct bk_devbpf_prog *p);

/* Build, load, attach to the cgroup2 directory DIRFD (BPF_CGROUP_DEVICE,
 * BPF_F_ALLOW_MULTI), then detach the device programs that were attached
 * to it before, so a re-apply leaves one program. If one of them cannot
 * be detached, the new program is detached again and -1 returned. A
 * directory whose program was attached without BPF_F_ALLOW_MULTI (by
 * another tool) has it replaced in one step with that tool's flags. */
int bk_devbpf_apply(int cgroup2_dirfd, const struct bk_dev_rules *rules);

/* How many device programs are attached to DIRFD itself (not inherited
 * from ancestors), or -1. */
int bk_devbpf_count(int cgroup2_dirfd);

#endif
