/* cgdevices: the device allow-list of a group (cgdevices.h). */
#include "cgroup/cgdevices.h"
#include "base/cleanup.h"
#include "cgroup/devbpf.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* One open file of the group's devices directory per verdict: a line per
 * write(2), as the controller reads them (libcgroup would open and close
 * the file for every line: 15 us a line). */
struct v1_files {
	const char *dir;
	int fd[2];            /* devices.deny, devices.allow */
};

static int write_line(struct v1_files *f, const struct bk_dev_rule *r)
{
	static const char *const name[2] = { "devices.deny", "devices.allow" };
	char path[PATH_MAX], line[BK_DEV_RULE_STRLEN];
	int i = r->allow;

	bk_dev_rule_str(r, line, sizeof(line));
	snprintf(path, sizeof(path), "%s/%s", f->dir, name[i]);
	BK_TRACE("write %s %s", path, line);
	if (f->fd[i] < 0 && (f->fd[i] = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		return bk_fail_errno(errno, "open %s", path);
	if (write(f->fd[i], line, strlen(line)) < 0)
		return bk_fail_errno(errno, "write %s %s", path, line);
	return 0;
}

/* v1: the state the list leaves, written from scratch ("a" first). */
static int apply_v1(const struct bk_cg_ctrl *c, const struct bk_dev_rules *rules)
{
	struct bk_dev_rules eff;
	struct v1_files f = { c->dir, { -1, -1 } };
	int r = 0;

	if (bk_dev_rules_effective(rules, &eff) < 0)
		return -1;
	for (size_t i = 0; i < eff.n && r == 0; i++)
		r = write_line(&f, &eff.rule[i]);
	bk_closep(&f.fd[0]);
	bk_closep(&f.fd[1]);
	return r;
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
		return apply_v1(v1, rules);
	return apply_bpf(g, rules);
}
