/* cgprocs: listing and signalling a group's processes (cgprocs.h). */
#include "cgroup/cgprocs.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_procs(const char *dir)
{
	char path[PATH_MAX];

	return bk_path_in(path, dir, "cgroup.procs") < 0 ? NULL : bk_read_small(path, 1 << 22);
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
