/* cgfreeze: freeze and thaw a control group, v1 or v2 (cgfreeze.h). */
#include "cgroup/cgfreeze.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Where the group's freeze switch is: the v1 freezer dir, or the group's
 * dir in the cgroup2 hierarchy. */
struct target {
	char dir[PATH_MAX];
	bool v2;
};

static int v2_mount(char *out, size_t len)
{
	FILE *f = setmntent("/proc/self/mounts", "re");
	struct mntent *m;
	int r = -1;

	if (!f)
		return -1;
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			snprintf(out, len, "%s", m->mnt_dir);
			r = 0;
			break;
		}
	endmntent(f);
	return r;
}

static int set_target(struct target *t, const char *dir, bool v2)
{
	if ((size_t)snprintf(t->dir, sizeof(t->dir), "%s", dir) >= sizeof(t->dir))
		return bk_fail("%s: path too long", dir);
	t->v2 = v2;
	return 0;
}

static int target_of_path(const char *path, struct target *t)
{
	struct bk_cgroup g;
	char mount[PATH_MAX];
	int r;

	if (bk_cg_open(&g, path) < 0)
		return -1;
	r = bk_cg_add(&g, "freezer");
	if (r == 0 && g.n && !g.ctrl[0].v2 && bk_is_dir(g.ctrl[0].dir)) {
		r = set_target(t, g.ctrl[0].dir, false);
		bk_cg_close(&g);
		return r;
	}
	/* g.path is the group in its one form: "ps_1" and "/ps_1/" are /ps_1 */
	r = v2_mount(mount, sizeof(mount)) == 0 &&
	    (size_t)snprintf(t->dir, sizeof(t->dir), "%s%s", mount, g.path) < sizeof(t->dir) &&
	    bk_is_dir(t->dir);
	t->v2 = true;
	bk_cg_close(&g);
	if (r)
		return 0;
	return bk_fail("%s: no such group in the freezer hierarchy or cgroup v2", path);
}

static int target_of_group(const struct bk_cgroup *g, struct target *t)
{
	const struct bk_cg_ctrl *f = bk_cg_find(g, "freezer");

	if (f && !f->v2)
		return set_target(t, f->dir, false);
	for (size_t i = 0; i < g->n; i++)
		if (g->ctrl[i].v2)
			return set_target(t, g->ctrl[i].dir, true);
	return bk_fail("%s: no freezer (no v1 freezer hierarchy, no cgroup v2 directory)", g->path);
}

static int write_at(const struct target *t, const char *file, const char *value)
{
	char p[PATH_MAX];

	if (bk_path_in(p, t->dir, file) < 0)
		return -1;
	BK_TRACE("write %s %s", p, value);
	return bk_write_string(p, value);
}

/* The state file: v1 freezer.state ("THAWED", "FREEZING", "FROZEN"),
 * v2 cgroup.events (a "frozen 1" line once every task stopped). */
static char *read_state(const struct target *t)
{
	char p[PATH_MAX];

	if (bk_path_in(p, t->dir, t->v2 ? "cgroup.events" : "freezer.state") < 0)
		return NULL;
	return bk_read_small(p, 4096);
}

static bool settled(const struct target *t)
{
	_cleanup_free_ char *s = read_state(t);

	if (!s)
		return false;
	return t->v2 ? strstr(s, "frozen 1") != NULL : !strncmp(s, "FROZEN", 6);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int thaw(const struct target *t)
{
	return write_at(t, t->v2 ? "cgroup.freeze" : "freezer.state", t->v2 ? "0" : "THAWED");
}

static int freeze_target(const struct target *t, const char *name, bool freeze, unsigned timeout_ms)
{
	struct timespec nap = { 0, 1000000 };
	long long deadline;

	if (!freeze)
		return thaw(t);
	if (write_at(t, t->v2 ? "cgroup.freeze" : "freezer.state", t->v2 ? "1" : "FROZEN") < 0)
		return -1;
	deadline = now_ms() + timeout_ms;
	while (!settled(t)) {
		if (now_ms() >= deadline) {
			thaw(t);
			return bk_fail("%s: not frozen after %u ms (thawed again)", name, timeout_ms);
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 32000000)
			nap.tv_nsec *= 2;
	}
	BK_TRACE("%s: frozen", name);
	return 0;
}

int bk_cg_freeze(const char *path, bool freeze, unsigned timeout_ms)
{
	struct target t = { .v2 = false };

	if (target_of_path(path, &t) < 0)
		return -1;
	return freeze_target(&t, path, freeze, timeout_ms);
}

int bk_cg_freeze_group(const struct bk_cgroup *g, bool freeze, unsigned timeout_ms)
{
	struct target t = { .v2 = false };

	if (target_of_group(g, &t) < 0)
		return -1;
	return freeze_target(&t, g->path, freeze, timeout_ms);
}

int bk_cg_frozen(const struct bk_cgroup *g)
{
	struct target t = { .v2 = false };
	_cleanup_free_ char *s = NULL;

	if (target_of_group(g, &t) < 0 || !(s = read_state(&t)))
		return -1;
	if (t.v2)
		return strstr(s, "frozen 1") != NULL;
	return strncmp(s, "THAWED", 6) != 0;
}
