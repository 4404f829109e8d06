/* cgkill: empty a control group by force (cgkill.h). */
#include "cgroup/cgkill.h"
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

/* SIGKILL every process cgroup.procs lists in DIR; how many were listed. */
static size_t kill_listed(const char *dir)
{
	char path[PATH_MAX];
	_cleanup_free_ char *procs = NULL;
	size_t n = 0;
	char *save = NULL;

	procs = bk_path_in(path, dir, "cgroup.procs") < 0 ? NULL : bk_read_small(path, 1 << 22);
	for (char *p = procs ? strtok_r(procs, "\n", &save) : NULL; p; p = strtok_r(NULL, "\n", &save)) {
		pid_t pid = (pid_t)atoi(p);

		if (pid <= 0)
			continue;
		BK_TRACE("kill -KILL %d", (int)pid);
		if (kill(pid, SIGKILL) == 0 || errno != ESRCH)
			n++;
	}
	return n;
}

/* v1 freezer: stop everything first so nothing forks while we kill.
 * Frozen tasks do not die until thawed, so the caller thaws after. */
static const struct bk_cg_ctrl *freeze_v1(const struct bk_cgroup *g, long long deadline)
{
	const struct bk_cg_ctrl *f = bk_cg_find(g, "freezer");
	char path[PATH_MAX];

	if (!f || f->v2 || !bk_is_dir(f->dir) || write_file(f->dir, "freezer.state", "FROZEN") < 0 ||
	    bk_path_in(path, f->dir, "freezer.state") < 0)
		return NULL;
	while (now_ms() < deadline) {
		_cleanup_free_ char *state = bk_read_small(path, 64);

		if (!state || !strncmp(state, "FROZEN", 6))
			break;
		sleep_ms(1);
	}
	return f;
}

int bk_cg_kill(const struct bk_cgroup *g, unsigned timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	const struct bk_cg_ctrl *frozen;
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
		left = 0;
		for (size_t i = 0; i < g->n; i++)
			if (bk_cg_first_of_dir(g, i) && bk_is_dir(g->ctrl[i].dir))
				left += kill_listed(g->ctrl[i].dir);
		if (frozen) {
			write_file(frozen->dir, "freezer.state", "THAWED");
			frozen = NULL;
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
