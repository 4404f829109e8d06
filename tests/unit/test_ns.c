/* Unit tests for lib/ns/ns.c's bk_ns_clone and bk_ns_set_uts, and
 * lib/ns/idmap.c's ranges written by the parent: real namespaces, as
 * root. */
#include "tap.h"
#include "base/msg.h"
#include "ns/idmap.h"
#include "ns/ns.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_code(pid_t pid)
{
	int status;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

static void test_clone(void)
{
	pid_t pid = bk_ns_clone(CLONE_NEWPID | CLONE_NEWUTS);

	if (pid == 0)
		_exit(getpid() == 1 && sethostname("bk-clone", 8) == 0 ? 0 : 1);
	ok(wait_code(pid) == 0, "clone(CLONE_NEWPID|CLONE_NEWUTS): the child is PID 1 of its own namespaces");
	/* the kernel refuses a new mount namespace sharing the fs context */
	pid = bk_ns_clone(CLONE_NEWNS | CLONE_FS);
	if (pid == 0)
		_exit(0);
	ok(pid < 0 && strstr(bk_error(), "clone(CLONE_NEWNS): Invalid argument"),
	   "a refused clone is recorded (%s)", bk_error());
}

/* The names land in the child's UTS namespace, not in ours. */
static void test_uts(void)
{
	struct utsname before, after;
	pid_t pid;

	uname(&before);
	pid = bk_ns_clone(CLONE_NEWUTS);
	if (pid == 0) {
		struct utsname u;
		_exit(bk_ns_set_uts("bk-uts", "bk-dom") == 0 && uname(&u) == 0 && !strcmp(u.nodename, "bk-uts") &&
		      !strcmp(u.domainname, "bk-dom") && bk_ns_set_uts(NULL, "") == 0 ? 0 : 1);
	}
	ok(wait_code(pid) == 0, "hostname and domainname set in a new UTS namespace (NULL, \"\" leave them)");
	uname(&after);
	ok(!strcmp(before.nodename, after.nodename) && !strcmp(before.domainname, after.domainname),
	   "  ours unchanged");
	pid = bk_ns_clone(CLONE_NEWUTS);
	if (pid == 0)
		_exit(bk_ns_set_uts("x123456789012345678901234567890123456789012345678901234567890123456789", NULL) < 0 &&
		      strstr(bk_error(), "sethostname x123") ? 0 : 1);
	ok(wait_code(pid) == 0, "a name over 64 bytes is refused, named");
}

/* The child waits for its maps, then compares /proc/self/uid_map and
 * gid_map with want. */
static void test_maps(void)
{
	static const struct bk_idmap_range uid[] = { { 0, 100000, 1000 }, { 1000, 1000, 1 } };
	static const struct bk_idmap_range gid[] = { { 0, 200000, 65536 } };
	int go[2];
	pid_t pid;

	if (pipe(go) < 0) {
		ok(0, "pipe");
		return;
	}
	pid = bk_ns_clone(CLONE_NEWUSER);
	if (pid == 0) {
		char buf[256], *u, *g;
		close(go[1]);
		if (read(go[0], buf, 1) != 1)
			_exit(2);
		FILE *fu = fopen("/proc/self/uid_map", "re"), *fg = fopen("/proc/self/gid_map", "re");
		size_t nu = fu ? fread(buf, 1, sizeof(buf) / 2 - 1, fu) : 0;
		u = buf;
		u[nu] = '\0';
		g = buf + sizeof(buf) / 2;
		size_t ng = fg ? fread(g, 1, sizeof(buf) / 2 - 1, fg) : 0;
		g[ng] = '\0';
		/* the kernel pads the columns: compare the numbers */
		unsigned a, b, c, d, e, f;
		int ok1 = sscanf(u, "%u %u %u %u %u %u", &a, &b, &c, &d, &e, &f) == 6 &&
			  a == 0 && b == 100000 && c == 1000 && d == 1000 && e == 1000 && f == 1;
		int ok2 = sscanf(g, "%u %u %u", &a, &b, &c) == 3 && a == 0 && b == 200000 && c == 65536;
		_exit(ok1 && ok2 ? 0 : 1);
	}
	close(go[0]);
	int w = bk_idmap_write_pid(pid, uid, 2, gid, 1);
	if (w < 0)
		printf("# %s\n", bk_error());
	if (write(go[1], "g", 1) != 1)
		w = -1;
	close(go[1]);
	ok(w == 0 && wait_code(pid) == 0, "two uid ranges and one gid range written by the parent, read back inside");
	ok(bk_idmap_write_pid(getpid(), uid, 1, NULL, 0) < 0, "writing the map of a namespace that has one fails (%s)",
	   bk_error());
	ok(bk_idmap_write_pid(getpid(), (const struct bk_idmap_range[]){ { 0, 0, 0 } }, 1, NULL, 0) < 0 &&
	   strstr(bk_error(), "size 0"), "a range of no ids is refused (%s)", bk_error());
}

int main(void)
{
	if (geteuid() != 0) {
		printf("ok 1 # SKIP needs root\n1..1\n");
		return 0;
	}
	test_clone();
	test_uts();
	test_maps();
	return tap_done();
}
