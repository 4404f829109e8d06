/* cgkill: empty a control group by force (cgkill.h). */
#include "cgroup/cgkill.h"
#include "cgroup/cgfreeze.h"
#include "cgroup/cgprocs.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];

	if (bk_path_in(path, dir, file) < 0)
		return -1;
	BK_TRACE("write %s %s", path, value);
	return bk_write_string(path, value);
}

/* v1 freezer: stop everything first so nothing forks while we kill.
 * Frozen tasks do not die until thawed, so the caller thaws after. On
 * v2, cgroup.kill does the same in the kernel. */
static bool freeze_v1(const struct bk_cgroup *g, long long deadline)
{
	const struct bk_cg_ctrl *f = bk_cg_find(g, "freezer");
	long long left = deadline - now_ms();

	if (!f || f->v2 || !bk_is_dir(f->dir))
		return false;
	/* one that does not settle in time is thawed again: killed unfrozen */
	return bk_cg_freeze_group(g, true, left > 0 ? (unsigned)left : 0) == 0;
}

int bk_cg_kill(const struct bk_cgroup *g, unsigned timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	bool frozen;
	unsigned nap = 1;
	size_t left = 0;

	for (size_t i = 0; i < g->n; i++) {
		char path[PATH_MAX];
		struct stat st;

		if (bk_path_in(path, g->ctrl[i].dir, "cgroup.kill") < 0)
			return -1;
		if (g->ctrl[i].v2 && bk_cg_first_of_dir(g, i) && stat(path, &st) == 0 &&
		    write_file(g->ctrl[i].dir, "cgroup.kill", "1") < 0)
			return -1;
	}
	frozen = freeze_v1(g, deadline);
	for (;;) {
		left = (size_t)bk_cg_signal(g, SIGKILL);
		if (frozen) {
			(void)bk_cg_freeze_group(g, false, 0);
			frozen = false;
		}
		if (!left || now_ms() >= deadline)
			break;
		sleep_ms(nap);
		nap = nap < 32 ? nap * 2 : nap;
	}
	if (left)
		return bk_fail("kill %s: %zu process%s still there after %u ms", g->path, left,
			       left == 1 ? "" : "es", timeout_ms);
	return 0;
}
