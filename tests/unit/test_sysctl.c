/* Unit tests for lib/ns/sysctl.c: which names a container may set (a
 * hostile config must not reach a host-wide parameter, nor climb out of
 * /proc/sys), and a real write in a child's own network namespace. */
#include "tap.h"
#include "base/msg.h"
#include "ns/ns.h"
#include "ns/sysctl.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define OWN(k) (1u << (k))

static void test_check(void)
{
	static const struct { const char *name; unsigned own; int ok; const char *why; } t[] = {
		{ "kernel.shmmax", OWN(BK_NS_IPC), 0, NULL },
		{ "fs.mqueue.msg_max", OWN(BK_NS_IPC), 0, NULL },
		{ "net.ipv4.ip_forward", OWN(BK_NS_NET), 0, NULL },
		{ "net/ipv4/conf/eth0.1/rp_filter", OWN(BK_NS_NET), 0, NULL },
		{ "kernel.domainname", OWN(BK_NS_UTS), 0, NULL },
		{ "net.ipv4.ip_forward", OWN(BK_NS_IPC), -1, "shares the host's net namespace" },
		{ "kernel.shmmax", 0, -1, "shares the host's ipc namespace" },
		{ "kernel.panic", ~0u, -1, "would change the host" },
		{ "vm.swappiness", ~0u, -1, "would change the host" },
		{ "kernel.hostname", ~0u, -1, "would change the host" },
		{ "net..ipv4", ~0u, -1, "invalid name" },
		{ "net/../kernel/panic", ~0u, -1, "invalid name" },
		{ "net/ipv4/", ~0u, -1, "invalid name" },
		{ "", ~0u, -1, "invalid name" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
		int r = bk_sysctl_check(t[i].name, t[i].own);
		ok(r == t[i].ok && (!t[i].why || strstr(bk_error(), t[i].why)), "'%s': %s%s", t[i].name,
		   t[i].ok ? "refused: " : "accepted", t[i].ok ? bk_error() : "");
	}
}

/* In a child in a new network namespace: write and read back. */
static void test_write(void)
{
	int status;
	pid_t pid = bk_ns_clone(CLONE_NEWNET);

	if (pid == 0) {
		char buf[8] = "";
		FILE *f;
		if (bk_sysctl_write("net.ipv4.ip_forward", "1") < 0)
			_exit(1);
		f = fopen("/proc/sys/net/ipv4/ip_forward", "re");
		if (!f || !fgets(buf, sizeof(buf), f))
			_exit(2);
		_exit(buf[0] == '1' ? 0 : 3);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "net.ipv4.ip_forward=1 written in a new network namespace");
	ok(bk_sysctl_write("net.ipv4.no_such_parameter", "1") < 0 && strstr(bk_error(), "No such file"),
	   "a missing parameter fails (%s)", bk_error());
}

int main(void)
{
	test_check();
	if (geteuid() == 0)
		test_write();
	return tap_done();
}
