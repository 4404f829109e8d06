/* cgfreeze: freeze and thaw a control group, v1 or v2 (cgfreeze.h). */
#include "cgroup/cgfreeze.h"
#include "cgroup/cgroup.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

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

static int find_target(const char *path, struct target *t)
{
	struct bk_cgroup g;
	char mount[PATH_MAX];
	int r;

	if (bk_cg_open(&g, path) < 0)
		return -1;
	r = bk_cg_add(&g, "freezer");
	if (r == 0 && g.n && !g.ctrl[0].v2 && bk_is_dir(g.ctrl[0].dir)) {
		snprintf(t->dir, sizeof(t->dir), "%s", g.ctrl[0].dir);
		t->v2 = false;
		bk_cg_close(&g);
		return 0;
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

static int write_at(const struct target *t, const char *file, const char *value)
{
	char p[PATH_MAX + 32];

	snprintf(p, sizeof(p), "%s/%s", t->dir, file);
	BK_TRACE("write %s %s", p, value);
	return bk_write_string(p, value);
}

/* Has the group settled? v1: freezer.state reads FROZEN; v2:
 * cgroup.events has "frozen 1". */
static bool settled(const struct target *t)
{
	char p[PATH_MAX + 32];
	_cleanup_free_ char *s = NULL;

	snprintf(p, sizeof(p), "%s/%s", t->dir, t->v2 ? "cgroup.events" : "freezer.state");
	if (!(s = bk_read_small(p, 4096)))
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

int bk_cg_freeze(const char *path, bool freeze, unsigned timeout_ms)
{
	struct timespec nap = { 0, 1000000 };
	struct target t;
	long long deadline;

	if (find_target(path, &t) < 0)
		return -1;
	if (!freeze)
		return thaw(&t);
	if (write_at(&t, t.v2 ? "cgroup.freeze" : "freezer.state", t.v2 ? "1" : "FROZEN") < 0)
		return -1;
	deadline = now_ms() + timeout_ms;
	while (!settled(&t)) {
		if (now_ms() >= deadline) {
			thaw(&t);
			return bk_fail("%s: not frozen after %u ms (thawed again)", path, timeout_ms);
		}
		nanosleep(&nap, NULL);
		if (nap.tv_nsec < 32000000)
			nap.tv_nsec *= 2;
	}
	BK_TRACE("%s: frozen", path);
	return 0;
}
