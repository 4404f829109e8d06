/* cgprocs: listing, signalling and freezing a group's processes (cgprocs.h). */
#include "cgroup/cgprocs.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *read_procs(const char *dir)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	return bk_read_small(path, 1 << 22);
}

int bk_cg_procs(const struct bk_cgroup *g, pid_t **pids, size_t *n)
{
	*pids = NULL;
	*n = 0;
	for (size_t i = 0; i < g->n; i++) {
		_cleanup_free_ char *text = bk_is_dir(g->ctrl[i].dir) ? read_procs(g->ctrl[i].dir) : NULL;
		size_t max = 0;

		if (!text)
			continue;
		for (const char *p = text; *p; p++)
			max += *p == '\n';
		if (!max)
			return 0;
		*pids = calloc(max, sizeof(**pids));
		if (!*pids)
			return bk_fail_errno(ENOMEM, "%s", g->path);
		for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
			if (atoi(l) > 0)
				(*pids)[(*n)++] = (pid_t)atoi(l);
		return 0;
	}
	return bk_fail("%s: no directory of the group lists its processes", g->path);
}

static size_t signal_listed(const char *dir, int sig)
{
	_cleanup_free_ char *procs = read_procs(dir);
	char *save = NULL;
	size_t n = 0;

	for (char *p = procs ? strtok_r(procs, "\n", &save) : NULL; p; p = strtok_r(NULL, "\n", &save)) {
		pid_t pid = (pid_t)atoi(p);

		if (pid <= 0)
			continue;
		BK_TRACE("kill -%s %d", sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", (int)pid);
		if (kill(pid, sig) == 0 || errno != ESRCH)
			n++;
	}
	return n;
}

int bk_cg_signal(const struct bk_cgroup *g, int sig)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		if (bk_cg_first_of_dir(g, i) && bk_is_dir(g->ctrl[i].dir))
			n += signal_listed(g->ctrl[i].dir, sig);
	return (int)n;
}

/* Where the group freezes: the v1 freezer's directory, else a cgroup v2
 * directory of the group. file gets the name of the file to write. */
static const struct bk_cg_ctrl *freezer_of(const struct bk_cgroup *g, const char **file)
{
	const struct bk_cg_ctrl *f = bk_cg_find(g, "freezer");

	if (f && !f->v2) {
		*file = "freezer.state";
		return f;
	}
	for (size_t i = 0; i < g->n; i++) {
		if (g->ctrl[i].v2) {
			*file = "cgroup.freeze";
			return &g->ctrl[i];
		}
	}
	return NULL;
}

static int frozen_in(const struct bk_cg_ctrl *c, const char *file)
{
	char path[4200];
	_cleanup_free_ char *s = NULL;
	bool v1 = !strcmp(file, "freezer.state");

	/* v2: cgroup.events says "frozen 1" once every task is stopped */
	snprintf(path, sizeof(path), "%s/%s", c->dir, v1 ? "freezer.state" : "cgroup.events");
	s = bk_read_small(path, 4096);
	if (!s)
		return -1;
	if (v1)
		return strncmp(s, "THAWED", 6) != 0;
	return strstr(s, "frozen 1") != NULL;
}

int bk_cg_frozen(const struct bk_cgroup *g)
{
	const char *file;
	const struct bk_cg_ctrl *c = freezer_of(g, &file);

	return c ? frozen_in(c, file) : -1;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* v1 reports FREEZING until every task stopped: wait for FROZEN. */
static bool settled(const struct bk_cg_ctrl *c, const char *file, bool frozen)
{
	char path[4200];
	_cleanup_free_ char *s = NULL;

	if (strcmp(file, "freezer.state"))
		return frozen_in(c, file) == frozen;
	snprintf(path, sizeof(path), "%s/freezer.state", c->dir);
	s = bk_read_small(path, 64);
	return !s || !strncmp(s, frozen ? "FROZEN" : "THAWED", 6);
}

int bk_cg_freeze(const struct bk_cgroup *g, bool frozen, unsigned timeout_ms)
{
	const char *file;
	const struct bk_cg_ctrl *c = freezer_of(g, &file);
	bool v1 = c && !strcmp(file, "freezer.state");
	const char *value = v1 ? (frozen ? "FROZEN" : "THAWED") : (frozen ? "1" : "0");
	char path[4200];

	if (!c)
		return bk_fail("%s: no freezer (no v1 freezer hierarchy, no cgroup v2 directory)", g->path);
	snprintf(path, sizeof(path), "%s/%s", c->dir, file);
	BK_TRACE("write %s %s", path, value);
	if (bk_write_string(path, value) < 0)
		return -1;
	for (unsigned waited = 0; !settled(c, file, frozen); waited++) {
		if (waited >= timeout_ms)
			return bk_fail("%s: still not %s after %u ms", path, frozen ? "frozen" : "thawed",
				       timeout_ms);
		sleep_ms(1);
	}
	return 0;
}
