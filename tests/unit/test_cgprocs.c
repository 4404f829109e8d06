/* Unit tests for lib/cgroup/cgprocs.c against the kernel, as root: a
 * group in two of this host's hierarchies (pids, freezer) holding two
 * sleeping children, listed, signalled, then removed. */
#include "tap.h"
#include "sleeper.h"
#include "base/msg.h"
#include "cgroup/cgprocs.h"
#include "cgroup/cgroup.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	struct bk_cgroup g;
	char path[64];
	pid_t a, b, *pids = NULL;
	size_t n = 0;
	bool created;

	if (geteuid() != 0 || bk_cg_init() < 0) {
		printf("ok 1 # SKIP needs root and cgroups\n1..1\n");
		return 0;
	}
	snprintf(path, sizeof(path), "/bk-test-cgprocs-%d", (int)getpid());
	if (bk_cg_open(&g, path) < 0 || bk_cg_add(&g, "pids") < 0 || bk_cg_add(&g, "freezer") < 0 ||
	    bk_cg_create(&g, &created) < 0) {
		printf("ok 1 # SKIP %s\n1..1\n", bk_error());
		return 0;
	}
	a = sleeper();
	b = sleeper();
	ok(bk_cg_attach(&g, a) == 0 && bk_cg_attach(&g, b) == 0, "two children in %s", path);
	ok(bk_cg_procs(&g, &pids, &n) == 0 && n == 2 &&
	   ((pids[0] == a && pids[1] == b) || (pids[0] == b && pids[1] == a)), "both listed (%zu)", n);
	free(pids);
	int n1 = bk_cg_signal(&g, SIGKILL), sa = 0, sb = 0;
	/* each directory lists both, unless they died in between */
	waitpid(a, &sa, 0);
	waitpid(b, &sb, 0);
	ok(n1 >= 2 && n1 <= 4 && WIFSIGNALED(sa) && WTERMSIG(sa) == SIGKILL && WIFSIGNALED(sb) &&
	   WTERMSIG(sb) == SIGKILL, "SIGKILL reaches both (%d kills found their process)", n1);
	ok(bk_cg_procs(&g, &pids, &n) == 0 && n == 0 && !pids, "none left");
	ok(bk_cg_signal(&g, SIGTERM) == 0, "signalling an empty group reaches nobody");
	ok(bk_cg_delete(&g, false) == 0, "group removed");
	bk_cg_close(&g);
	return tap_done();
}
