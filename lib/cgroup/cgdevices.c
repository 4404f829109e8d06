/* cgdevices: the device allow-list of a group (cgdevices.h). */
#include "cgroup/cgdevices.h"
#include "base/cleanup.h"
#include "cgroup/devbpf.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>

/* v1: the state the list leaves, written from scratch ("a" first). */
static int apply_v1(struct bk_cgroup *g, const struct bk_dev_rules *rules)
{
	struct bk_dev_rules eff;
	struct bk_cg_write w = { .ctrl = "devices" };

	if (bk_dev_rules_effective(rules, &eff) < 0)
		return -1;
	for (size_t i = 0; i < eff.n; i++) {
		snprintf(w.file, sizeof(w.file), "devices.%s", eff.rule[i].allow ? "allow" : "deny");
		bk_dev_rule_str(&eff.rule[i], w.value, sizeof(w.value));
		if (bk_cg_apply(g, &w, 1) < 0)
			return -1;
	}
	return 0;
}

/* The group's cgroup2 directory: that of its v2 controllers, or (for set,
 * which names none) the group's path under the cgroup2 mount, if made. */
static char *v2_dir(const struct bk_cgroup *g)
{
	struct mntent ent;
	char buf[4096], *dir = NULL;
	_cleanup_fclose_ FILE *f = NULL;

	for (size_t i = 0; i < g->n; i++)
		if (g->ctrl[i].v2)
			return strdup(g->ctrl[i].dir);
	f = setmntent("/proc/self/mounts", "re");
	while (f && getmntent_r(f, &ent, buf, sizeof(buf)))
		if (!strcmp(ent.mnt_type, "cgroup2") && asprintf(&dir, "%s%s", ent.mnt_dir, g->path) >= 0)
			break;
	return dir;
}

static int apply_bpf(const struct bk_cgroup *g, const struct bk_dev_rules *rules)
{
	_cleanup_free_ char *dir = v2_dir(g);
	_cleanup_close_ int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd < 0)
		return bk_fail("%s: an eBPF device filter needs the group's cgroup2 directory "
			       "(name a cgroup2 controller in -g)", g->path);
	if (bk_devbpf_apply(fd, rules) < 0)
		return bk_fail_wrap("%s", dir);
	return 0;
}

int bk_cg_devices_apply(struct bk_cgroup *g, const struct bk_dev_rules *rules, bool bpf)
{
	const struct bk_cg_ctrl *v1 = bk_cg_find(g, "devices");

	if (v1 && !v1->v2 && !bpf)
		return apply_v1(g, rules);
	return apply_bpf(g, rules);
}
