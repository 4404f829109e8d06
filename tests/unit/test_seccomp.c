/* Unit tests for lib/seccomp.c: profile errors (one message each),
 * includes/excludes, argument rules, the precompiled built-in against a
 * run-time compile of its JSON, and real installs in forked children (each
 * sets no_new_privs first) of what the default profile lets through. Every
 * call tried under a filter is harmless if the filter were missing. Ends
 * with timings, as TAP comments. */
#include "tap.h"
#include "base/array.h"
#include "ns/caps.h"
#include "base/msg.h"
#include "ns/seccomp.h"

#include <errno.h>
#include <jansson.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PODMAN_PROFILE "/usr/share/containers/seccomp.json"
#define SYS_ADMIN (1ULL << CAP_SYS_ADMIN)

static uint64_t default_caps;

/* Compile json from a temporary file. */
static int compile_text(const char *json, uint64_t caps, struct bk_seccomp *f)
{
	char path[] = "/tmp/bk-seccomp-XXXXXX.json";
	int fd = mkstemps(path, 5), r;
	size_t len = strlen(json);

	if (fd < 0 || write(fd, json, len) != (ssize_t)len) {
		perror("bk-seccomp temp file");
		exit(1);
	}
	close(fd);
	r = bk_seccomp_compile(path, caps, f);
	unlink(path);
	return r;
}

/* The message after "seccomp profile /tmp/....json: ". */
static const char *message_tail(void)
{
	const char *m = strstr(bk_error(), ".json: ");

	return m ? m + 7 : bk_error();
}

/* fn(arg) in a child under f: 0 when it succeeded, else its errno; 250 if
 * the filter could not be installed, 300 + N when killed by signal N. */
static int under(const struct bk_seccomp *f, long (*fn)(long), long arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		long r;

		if (bk_set_no_new_privs() < 0 || bk_seccomp_install(f) < 0)
			_exit(250);
		errno = 0;
		r = fn(arg);
		_exit(r < 0 ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 251;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 300 + WTERMSIG(status);
}

/* Each one is harmless even unfiltered: invalid arguments, or a child that
 * exits at once. */
static long do_getpid(long a) { (void)a; return getpid() > 0 ? 0 : -1; }
static long do_getppid(long a) { (void)a; return getppid() > 0 ? 0 : -1; }
static long do_unshare(long flags) { return unshare((int)flags); }
static long do_mount(long a) { (void)a; return mount("none", "/nonexistent/bockit", "tmpfs", 0, NULL); }
static long do_keyctl(long a) { (void)a; return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0); }
static long do_add_key(long a) { (void)a; return syscall(SYS_add_key, "bk-no-such-type", "bk", "x", 1, KEY_SPEC_PROCESS_KEYRING); }
static long do_perf(long a) { (void)a; return syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); }
static long do_userfaultfd(long a) { (void)a; return syscall(SYS_userfaultfd, ~0); }
static long do_io_uring(long a) { (void)a; return syscall(SYS_io_uring_setup, 0, NULL); }
static long do_bpf(long a) { (void)a; return syscall(SYS_bpf, -1, NULL, 0); }
/* Not LINUX_REBOOT_MAGIC1: EINVAL even with CAP_SYS_BOOT and no filter. */
static long do_reboot(long a) { (void)a; return syscall(SYS_reboot, 0x12345678, 0x12345678, 0, NULL); }
/* 0x8000 is no KEXEC_* flag: EINVAL before anything is loaded or unloaded. */
static long do_kexec(long a) { (void)a; return syscall(SYS_kexec_load, 0, 0, NULL, 0x8000UL); }
static long do_swapon(long a) { (void)a; return swapon("/nonexistent/bockit", 0); }
static long do_setns(long a) { (void)a; return setns(-1, 0); }
/* A NULL clone_args: EINVAL from the kernel, ENOSYS from the filter. */
static long do_clone3(long a) { (void)a; return syscall(SYS_clone3, NULL, 0); }
static long do_socket(long family) { long fd = socket((int)family, SOCK_STREAM, 0); if (fd >= 0) close((int)fd); return fd; }
static long do_personality(long p) { return personality((unsigned long)p); }
static long do_dup(long fd) { return syscall(SYS_dup, fd); }
static long do_dup3(long newfd) { return syscall(SYS_dup3, 1000, newfd, 0); }

static long wait_ok(long pid)
{
	int status;

	if (pid < 0 || waitpid((pid_t)pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : (errno = ECHILD, -1);
}

static long do_clone(long flags)
{
	long pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);

	if (pid == 0)
		_exit(0);
	return wait_ok(pid);
}

static long do_fork(long a)
{
	pid_t pid = fork();

	(void)a;
	if (pid == 0)
		_exit(0);
	return wait_ok(pid);
}

static long do_exec_true(long a)
{
	pid_t pid = fork();

	(void)a;
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	return wait_ok(pid);
}

static void *thread_fn(void *a)
{
	return a;
}

/* getpid through the x32 ABI (bit 30 of the number): ENOSYS from the
 * filter's bad-arch action, as from a kernel without x32. */
static long do_x32_getpid(long a)
{
	(void)a;
	return syscall(0x40000000L | SYS_getpid) < 0 ? -1 : 0;
}

/* glibc tries clone3 first and falls back to clone on ENOSYS. */
static long do_thread(long a)
{
	pthread_t t;

	(void)a;
	if ((errno = pthread_create(&t, NULL, thread_fn, NULL)))
		return -1;
	return pthread_join(t, NULL) ? -1 : 0;
}

#define DENY "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
#define ALLOW "{\"defaultAction\": \"SCMP_ACT_ALLOW\""
#define GETPID "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\""
#define EQ1 "{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}"
#define AGENT "needs a seccomp agent (listenerPath), which bockit does not support"

static void test_errors(void)
{
	static const struct { const char *json, *want; } bad[] = {
		{ "[]", "not a JSON object" },
		{ "{}", "defaultAction: missing" },
		{ "{\"defaultAction\": 1}", "defaultAction: not a string" },
		{ "{\"defaultAction\": \"SCMP_ACT_FOO\"}", "defaultAction: unknown action 'SCMP_ACT_FOO'" },
		{ "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
		  "defaultErrnoRet: -1 is out of range (0..65535)" },
		{ "{\"defaultAction\": \"SCMP_ACT_NOTIFY\"}", "defaultAction: SCMP_ACT_NOTIFY " AGENT },
		{ ALLOW ", \"listenerPath\": \"/run/agent.sock\"}", "listenerPath: a profile that " AGENT },
		{ ALLOW ", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", \"FLAG_FOO\"]}", "flags[1]: unknown flag 'FLAG_FOO'" },
		{ ALLOW ", \"flags\": [\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
		  "flags[0]: SECCOMP_FILTER_FLAG_NEW_LISTENER " AGENT },
		{ ALLOW ", \"architectures\": [\"SCMP_ARCH_X86\", \"vax\"]}", "architectures[1]: unknown architecture 'vax'" },
		{ ALLOW ", \"architectures\": [\"x86\"], \"archMap\": [{\"architecture\": \"amd64\"}]}",
		  "architectures and archMap: use one or the other" },
		{ ALLOW ", \"archMap\": [{\"architecture\": \"amd64\", \"subArchitectures\": [\"x86\", 3]}]}",
		  "archMap[0].subArchitectures[1]: not a string" },
		{ ALLOW ", \"syscalls\": {}}", "syscalls: not an array" },
		{ DENY GETPID "}, 3]}", "syscalls[1]: not an object" },
		{ DENY "{\"names\": \"getpid\", \"action\": \"SCMP_ACT_ALLOW\"}]}", "syscalls[0].names: not an array" },
		{ DENY "{\"names\": [\"getpid\", 7], \"action\": \"SCMP_ACT_ALLOW\"}]}", "syscalls[0].names[1]: not a string" },
		{ DENY GETPID ", \"name\": \"getppid\"}]}", "syscalls[0]: both name and names" },
		{ DENY "{\"action\": \"SCMP_ACT_ALLOW\"}]}", "syscalls[0]: no names" },
		{ DENY "{\"names\": [\"getpid\"]}]}", "syscalls[0].action: missing" },
		{ DENY GETPID "}, {\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_FOO\"}]}",
		  "syscalls[1].action: unknown action 'SCMP_ACT_FOO'" },
		{ DENY "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}",
		  "syscalls[0].action: SCMP_ACT_NOTIFY " AGENT },
		{ DENY "{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": \"1\"}]}",
		  "syscalls[0].errnoRet: not an integer" },
		{ DENY GETPID ", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		  "syscalls[0].args[0].index: 6 is out of range (0..5)" },
		{ DENY GETPID ", \"args\": [" EQ1 ", {\"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		  "syscalls[0].args[1].index: missing" },
		{ DENY GETPID ", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_FOO\"}]}]}",
		  "syscalls[0].args[0].op: unknown operator 'SCMP_CMP_FOO'" },
		{ DENY GETPID ", \"args\": [{\"index\": 0, \"value\": 1}]}]}", "syscalls[0].args[0].op: missing" },
		{ DENY GETPID ", \"args\": [{\"index\": 0, \"value\": -1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		  "syscalls[0].args[0].value: -1 is out of range (0..18446744073709551615)" },
		{ DENY GETPID ", \"args\": [\"x\"]}]}", "syscalls[0].args[0]: not an object" },
		{ DENY GETPID ", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_FOO\"]}}]}",
		  "syscalls[0].includes.caps[1]: unknown capability 'CAP_FOO'" },
		{ DENY GETPID ", \"excludes\": {\"arches\": [\"vax\"]}}]}",
		  "syscalls[0].excludes.arches[0]: unknown architecture 'vax'" },
		{ DENY GETPID ", \"includes\": {\"minKernel\": \"4\"}}]}",
		  "syscalls[0].includes.minKernel: '4' is not a kernel version like '4.8'" },
		{ DENY GETPID ", \"includes\": \"x\"}]}", "syscalls[0].includes: not an object" },
		/* the same condition with two actions: libseccomp's EEXIST */
		{ DENY "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [" EQ1 "]},"
		  " {\"names\": [\"dup\"], \"action\": \"SCMP_ACT_TRAP\", \"args\": [" EQ1 "]}]}",
		  "syscalls[1]: syscall 'dup': libseccomp refused the rule: File exists" },
	};
	struct bk_seccomp f;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = compile_text(bad[i].json, default_caps, &f);
		ok(r < 0 && f.insns == NULL, "refused: %s", bad[i].want);
		is_str(message_tail(), bad[i].want, "  one message: %s", bk_error());
	}
	ok(compile_text("{", default_caps, &f) < 0 && !strncmp(message_tail(), "line 1: ", 8),
	   "not JSON: %s", bk_error());
	ok(bk_seccomp_compile("/nonexistent/p.json", default_caps, &f) < 0, "missing file refused");
	is_str(bk_error(), "seccomp profile /nonexistent/p.json: No such file or directory",
	       "  one message: %s", bk_error());
}

/* How many rules make it in from one rule with cond, under caps; info
 * gets the compiled filter's counters, without its insns. */
static int rules_with(const char *cond, uint64_t caps, struct bk_seccomp *info)
{
	struct bk_seccomp f;
	char json[512];

	snprintf(json, sizeof(json), ALLOW ", \"syscalls\": [{\"names\": [\"getppid\"], "
		 "\"action\": \"SCMP_ACT_ERRNO\"%s}]}", cond);
	if (compile_text(json, caps, &f) < 0) {
		printf("# %s\n", bk_error());
		return -1;
	}
	*info = f;
	info->insns = NULL;
	info->owned = false;
	bk_seccomp_release(&f);
	return (int)info->nrules;
}

static void test_conditions(void)
{
	const uint64_t net_admin = 1ULL << CAP_NET_ADMIN;
	const char *inc2 = ", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_NET_ADMIN\"]}";
	const char *exc2 = ", \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\", \"CAP_NET_ADMIN\"]}";
	struct bk_seccomp f;

	ok(rules_with(", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", 0, &f) == 0,
	   "includes.caps: skipped without the capability");
	ok(rules_with(", \"includes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}", SYS_ADMIN, &f) == 1,
	   "includes.caps: in with it");
	ok(f.caps_used == SYS_ADMIN, "caps_used names what the profile looked at");
	ok(rules_with(inc2, SYS_ADMIN, &f) == 0, "includes.caps: all must be kept");
	ok(rules_with(inc2, SYS_ADMIN | net_admin, &f) == 1, "includes.caps: all kept, in");
	ok(rules_with(exc2, net_admin, &f) == 0, "excludes.caps: any kept excludes");
	ok(rules_with(exc2, default_caps, &f) == 1, "excludes.caps: none kept, in");
	ok(rules_with(", \"includes\": {}, \"excludes\": {\"caps\": []}", 0, &f) == 1,
	   "empty includes/excludes change nothing");
#if defined(__x86_64__)
	ok(rules_with(", \"includes\": {\"arches\": [\"arm64\", \"amd64\"]}", 0, &f) == 1,
	   "includes.arches: Go's amd64 is the native x86_64");
	ok(rules_with(", \"includes\": {\"arches\": [\"SCMP_ARCH_X86_64\"]}", 0, &f) == 1,
	   "includes.arches: SCMP_ARCH_X86_64 too");
	ok(rules_with(", \"includes\": {\"arches\": [\"x86\", \"x32\"]}", 0, &f) == 0,
	   "includes.arches: sub-architectures are not the native one");
	ok(rules_with(", \"excludes\": {\"arches\": [\"amd64\"]}", 0, &f) == 0, "excludes.arches: native excluded");
	ok(rules_with(", \"excludes\": {\"arches\": [\"s390x\", \"loong64\"]}", 0, &f) == 1,
	   "excludes.arches: others (even one libseccomp does not know) do not exclude");
#else
	ok(1, "arches # SKIP the arch tests are written for x86_64");
#endif
	ok(rules_with(", \"includes\": {\"minKernel\": \"4.8\"}", 0, &f) == 1 && f.kernel_used,
	   "includes.minKernel 4.8: in (and kernel_used)");
	ok(rules_with(", \"includes\": {\"minKernel\": \"99.0\"}", 0, &f) == 0, "includes.minKernel 99.0: skipped");
	ok(rules_with(", \"excludes\": {\"minKernel\": \"4.8\"}", 0, &f) == 0, "excludes.minKernel 4.8: skipped");
	ok(rules_with(", \"excludes\": {\"minKernel\": \"99.0\"}", 0, &f) == 1, "excludes.minKernel 99.0: in");
	ok(rules_with("", 0, &f) == 1 && !f.kernel_used && !f.caps_used, "no conditions: in, depends on nothing");
}

static void test_rules(void)
{
	struct bk_seccomp f;
	const char *same_index = ALLOW ", \"syscalls\": [{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", "
		"\"errnoRet\": 18, \"args\": [{\"index\": 0, \"value\": 1000, \"op\": \"SCMP_CMP_EQ\"}, "
		"{\"index\": 0, \"value\": 1001, \"op\": \"SCMP_CMP_EQ\"}]}]}";
	const char *two_index = ALLOW ", \"syscalls\": [{\"names\": [\"dup3\"], \"action\": \"SCMP_ACT_ERRNO\", "
		"\"errnoRet\": 18, \"args\": [{\"index\": 0, \"value\": 1000, \"op\": \"SCMP_CMP_EQ\"}, "
		"{\"index\": 1, \"value\": 1001, \"op\": \"SCMP_CMP_EQ\"}]}]}";
	const char *unknown = ALLOW ", \"flags\": [\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"], \"syscalls\": ["
		"{\"name\": \"bockit_no_such_syscall\", \"action\": \"SCMP_ACT_ERRNO\"},"
		"{\"names\": [\"getppid\", \"bockit_nor_this\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"},"
		"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\"}]}";

	ok(compile_text(same_index, 0, &f) == 0 && f.nrules == 2, "two args on one index: one rule each (%u)", f.nrules);
	ok(under(&f, do_dup, 1000) == 18 && under(&f, do_dup, 1001) == 18, "  either value matches (OR)");
	ok(under(&f, do_dup, 1002) == EBADF, "  another value does not");
	bk_seccomp_release(&f);
	ok(compile_text(two_index, 0, &f) == 0 && f.nrules == 1, "args on two indexes: one rule");
	ok(under(&f, do_dup3, 1001) == 18 && under(&f, do_dup3, 1002) == EBADF, "  both must match (AND)");
	bk_seccomp_release(&f);
	ok(compile_text(unknown, 0, &f) == 0 && f.nrules == 1,
	   "unknown syscall names skipped; a rule equal to the default left out (%s)", bk_error());
	is_str(f.default_action, "SCMP_ACT_ALLOW", "  default action named");
	ok(f.flags == SECCOMP_FILTER_FLAG_SPEC_ALLOW && under(&f, do_getpid, 0) == 0, "  flags kept and installed");
	ok(under(&f, do_getppid, 0) == 300 + SIGSYS, "  KILL_PROCESS kills with SIGSYS");
	bk_seccomp_release(&f);
	ok(bk_seccomp_compile("unconfined", default_caps, &f) == 0 && !f.insns && !f.len,
	   "unconfined: no filter");
	ok(under(&f, do_getpid, 0) == 0, "  and installing it is a no-op");
	bk_seccomp_release(&f);
}

static bool same_filter(const struct bk_seccomp *a, const struct bk_seccomp *b)
{
	return a->len == b->len && !memcmp(a->insns, b->insns, a->len * sizeof(*a->insns)) &&
	       a->nrules == b->nrules && a->narches == b->narches && a->flags == b->flags &&
	       !strcmp(a->default_action, b->default_action);
}

static void test_builtin(void)
{
	struct bk_seccomp pre, run, other;

	ok(bk_seccomp_builtin_default.json && bk_seccomp_builtin_default.caps == default_caps,
	   "built in: the JSON and BPF for Docker's default capabilities");
	ok(bk_seccomp_compile("default", default_caps, &pre) == 0 && !pre.owned,
	   "default, default caps: the precompiled BPF (%zu insns, %u rules, %u arches)",
	   pre.len, pre.nrules, pre.narches);
	ok(compile_text(bk_seccomp_builtin_default.json, default_caps, &run) == 0 && run.owned,
	   "the embedded JSON compiles at run time");
	ok(same_filter(&pre, &run), "  to the same filter, insn for insn");
	is_str(pre.default_action, "SCMP_ACT_ERRNO(EPERM)", "  default action ERRNO(EPERM)");
	ok(pre.narches == 2, "  x86_64 and x86 (no x32: its calls fail ENOSYS, as on kernels without it)");
	bk_seccomp_release(&run);
	ok(bk_seccomp_compile("default", default_caps & ~(1ULL << CAP_NET_RAW), &other) == 0 &&
	   !other.owned, "default without NET_RAW (not named by the profile): still precompiled");
	bk_seccomp_release(&other);
	ok(bk_seccomp_compile("default", default_caps | SYS_ADMIN, &other) == 0 && other.owned &&
	   !same_filter(&pre, &other), "default with SYS_ADMIN: compiled at run time, a different filter");
	bk_seccomp_release(&other);
	bk_seccomp_release(&pre);
}

/* A profile handed over parsed (config.json's linux.seccomp) compiles as
 * its text does; a bad one names the name given. */
static void test_json_object(void)
{
	json_auto_t *root = json_loads(bk_seccomp_builtin_default.json, 0, NULL);
	json_auto_t *bad = json_pack("{s:s}", "defaultAction", "SCMP_ACT_NOPE");
	struct bk_seccomp a, b;

	ok(root && bk_seccomp_compile_json(root, "linux.seccomp", default_caps, &a) == 0 &&
	   compile_text(bk_seccomp_builtin_default.json, default_caps, &b) == 0 && same_filter(&a, &b),
	   "json_t: the same filter as its text");
	bk_seccomp_release(&a);
	bk_seccomp_release(&b);
	ok(bk_seccomp_compile_json(bad, "linux.seccomp", 0, &a) < 0 &&
	   !strcmp(bk_error(), "seccomp profile linux.seccomp: defaultAction: unknown action 'SCMP_ACT_NOPE'"),
	   "json_t: an error names the profile as told (%s)", bk_error());
}

static void test_default_denies(void)
{
	static const struct { const char *what; long (*fn)(long); long arg; int want; } t[] = {
		{ "unshare(CLONE_NEWUSER)", do_unshare, CLONE_NEWUSER, EPERM },
		{ "unshare(CLONE_NEWNS)", do_unshare, CLONE_NEWNS, EPERM },
		{ "mount", do_mount, 0, EPERM },
		{ "keyctl", do_keyctl, 0, EPERM },
		{ "add_key", do_add_key, 0, EPERM },
		{ "perf_event_open", do_perf, 0, EPERM },
		{ "userfaultfd", do_userfaultfd, 0, EPERM },
		{ "io_uring_setup", do_io_uring, 0, EPERM },
		{ "bpf", do_bpf, 0, EPERM },
		{ "reboot (invalid magic)", do_reboot, 0, EPERM },
		{ "kexec_load (invalid flags)", do_kexec, 0, EPERM },
		{ "swapon(/nonexistent)", do_swapon, 0, EPERM },
		{ "clone(CLONE_NEWNS)", do_clone, CLONE_NEWNS, EPERM },
		{ "clone(CLONE_NEWUSER)", do_clone, CLONE_NEWUSER, EPERM },
		{ "setns", do_setns, 0, EPERM },
		{ "clone3", do_clone3, 0, ENOSYS },
		{ "getpid through the x32 ABI", do_x32_getpid, 0, ENOSYS },
		{ "socket(AF_ALG)", do_socket, AF_ALG, EPERM },
		{ "socket(AF_VSOCK)", do_socket, AF_VSOCK, EPERM },
		{ "personality(READ_IMPLIES_EXEC)", do_personality, READ_IMPLIES_EXEC, EPERM },
		{ "getpid", do_getpid, 0, 0 },
		{ "fork", do_fork, 0, 0 },
		{ "execve /bin/true", do_exec_true, 0, 0 },
		{ "pthread_create (clone3 falls back to clone)", do_thread, 0, 0 },
		{ "socket(AF_INET)", do_socket, AF_INET, 0 },
		{ "socket(AF_UNIX)", do_socket, AF_UNIX, 0 },
		{ "personality(PER_LINUX)", do_personality, PER_LINUX, 0 },
		{ "personality(0xffffffff), the query", do_personality, 0xffffffffL, 0 },
	};
	struct bk_seccomp f, admin;

	if (bk_seccomp_compile("default", default_caps, &f) < 0) {
		ok(0, "default: %s", bk_error());
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int got = under(&f, t[i].fn, t[i].arg);
		ok(got == t[i].want, "default profile: %s -> %s", t[i].what,
		   t[i].want ? strerrorname_np(t[i].want) : "allowed");
		if (got != t[i].want)
			printf("#   got %d\n", got);
	}
	bk_seccomp_release(&f);
	if (bk_seccomp_compile("default", default_caps | SYS_ADMIN, &admin) < 0) {
		ok(0, "default with SYS_ADMIN: %s", bk_error());
		return;
	}
	ok(under(&admin, do_unshare, CLONE_NEWUSER) == 0, "default with CAP_SYS_ADMIN: unshare(CLONE_NEWUSER) allowed");
	ok(under(&admin, do_clone3, 0) == EINVAL, "default with CAP_SYS_ADMIN: clone3 reaches the kernel");
	bk_seccomp_release(&admin);
}

static void test_podman(void)
{
	struct bk_seccomp f;

	if (access(PODMAN_PROFILE, R_OK) < 0) {
		ok(1, "podman profile # SKIP %s absent", PODMAN_PROFILE);
		return;
	}
	ok(bk_seccomp_compile(PODMAN_PROFILE, default_caps, &f) == 0, "podman's profile compiles (%s)",
	   bk_error());
	printf("# podman profile: %u rules, default %s, %u arches, %zu BPF insns\n",
	       f.nrules, f.default_action, f.narches, f.len);
	ok(under(&f, do_unshare, CLONE_NEWUSER) == 0, "  installed, it allows unshare(CLONE_NEWUSER)");
	ok(under(&f, do_exec_true, 0) == 0, "  and execve");
	bk_seccomp_release(&f);
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Mean microseconds of one compile (+ release) of spec. */
static double compile_cost(const char *spec, uint64_t caps, int rounds)
{
	struct bk_seccomp f;
	double t0 = now_us();

	for (int i = 0; i < rounds; i++) {
		if (bk_seccomp_compile(spec, caps, &f) < 0)
			return -1;
		bk_seccomp_release(&f);
	}
	return (now_us() - t0) / rounds;
}

/* Microseconds of one install, measured in a child. */
static double install_cost(const struct bk_seccomp *f)
{
	int fds[2], status;
	double us = -1;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		double t0;

		bk_set_no_new_privs();
		t0 = now_us();
		if (bk_seccomp_install(f) == 0)
			us = now_us() - t0;
		_exit(write(fds[1], &us, sizeof(us)) == sizeof(us) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &us, sizeof(us)) != sizeof(us))
		us = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return us;
}

static void report_costs(void)
{
	struct bk_seccomp f;
	double inst = 0;
	const int n = 20;

	if (bk_seccomp_compile("default", default_caps, &f) < 0)
		return;
	for (int i = 0; i < n; i++)
		inst += install_cost(&f) / n;
	bk_seccomp_release(&f);
	printf("# cost: compile default, default caps (precompiled): %.2f us; install: %.1f us\n",
	       compile_cost("default", default_caps, 10000), inst);
	printf("# cost: compile default at run time (caps + SYS_ADMIN): %.0f us\n",
	       compile_cost("default", default_caps | SYS_ADMIN, n));
	if (access(PODMAN_PROFILE, R_OK) == 0)
		printf("# cost: compile %s at run time: %.0f us\n", PODMAN_PROFILE,
		       compile_cost(PODMAN_PROFILE, default_caps, n));
}

int main(void)
{
	struct bk_caps c;

	if (bk_caps_parse("default", &c) < 0)
		return 1;
	default_caps = c.keep;
	test_errors();
	test_conditions();
	test_rules();
	test_builtin();
	test_json_object();
	test_default_denies();
	test_podman();
	report_costs();
	return tap_done();
}
