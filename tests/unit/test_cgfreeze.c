/* Unit tests for lib/cgroup/cgfreeze.c against the kernel, as root: a
 * group of this host's freezer (v1) holding a sleeping child, frozen and
 * thawed as an opened group and by path (the child's state in /proc
 * follows), and a group without a freezer refused by name. */
#include "tap.h"
#include "sleeper.h"
#include "base/msg.h"
#include "cgroup/cgfreeze.h"
#include "cgroup/cgroup.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The state letter of /proc/PID/stat: S sleeping, D or T when frozen. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return '?';
	}
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

static bool stopped(pid_t pid)
{
	char c = proc_state(pid);

	return c == 'D' || c == 'T';
}

static void test_no_freezer(void)
{
	struct bk_cgroup g;

	if (bk_cg_open(&g, "/bk-test-cgfreeze-none") < 0) {
		ok(0, "open: %s", bk_error());
		return;
	}
	ok(bk_cg_freeze_group(&g, true, 100) < 0 && strstr(bk_error(), "no freezer"),
	   "a group without a freezer: %s", bk_error());
	ok(bk_cg_frozen(&g) == -1, "  and no frozen state");
	bk_cg_close(&g);
}

int main(void)
{
	struct bk_cgroup g;
	char path[64];
	bool created;
	pid_t a;
	int st = 0;

	if (geteuid() != 0 || bk_cg_init() < 0) {
		printf("ok 1 # SKIP needs root and cgroups\n1..1\n");
		return 0;
	}
	test_no_freezer();
	snprintf(path, sizeof(path), "/bk-test-cgfreeze-%d", (int)getpid());
	if (bk_cg_open(&g, path) < 0 || bk_cg_add(&g, "freezer") < 0 || g.ctrl[0].v2 ||
	    bk_cg_create(&g, &created) < 0) {
		printf("ok 3 # SKIP no v1 freezer here: %s\n1..3\n", bk_error());
		return 0;
	}
	a = sleeper();
	ok(bk_cg_attach(&g, a) == 0, "a child in %s", path);
	ok(bk_cg_frozen(&g) == 0, "not frozen at first");
	ok(bk_cg_freeze_group(&g, true, 2000) == 0 && bk_cg_frozen(&g) == 1, "frozen");
	ok(stopped(a), "  the child is stopped (state %c)", proc_state(a));
	ok(bk_cg_freeze_group(&g, false, 0) == 0 && bk_cg_frozen(&g) == 0, "thawed");
	ok(bk_cg_freeze(path + 1, true, 2000) == 0 && stopped(a), "frozen by path, in libcgroup's form");
	ok(bk_cg_freeze(path, false, 0) == 0 && bk_cg_frozen(&g) == 0, "thawed by path");
	kill(a, SIGKILL);
	waitpid(a, &st, 0);
	ok(WIFSIGNALED(st), "the child is killed");
	ok(bk_cg_delete(&g, false) == 0, "group removed");
	bk_cg_close(&g);
	return tap_done();
}
