/* Unit tests for supervise (lib/base/supervise.c): the loop of nsrun's init,
 * run as a subreaper so orphans come back to it as they would to PID 1
 * (under ASan/LSan the leak check of the long-lived init path); and the
 * fork-exec-supervise helper with each of its options. */
#include "tap.h"
#include "base/chain.h"
#include "base/supervise.h"
#include "base/msg.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run argv under an init (as a subreaper, like PID 1); after a moment
 * send the init sig (0: none). Returns the init's exit code. */
static int init_exit_code(char *const argv[], int sig)
{
	sigset_t old;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		bk_signals_block(&old);
		_exit(bk_init_run(argv, &old, NULL));
	}
	if (sig) {
		usleep(300 * 1000);
		kill(pid, sig);
	}
	waitpid(pid, &status, 0);
	return bk_exit_code(status);
}

#define run_init(argv) init_exit_code(argv, 0)
#define signal_init(argv, sig) init_exit_code(argv, sig)

static sigset_t start_mask;

/* bk_spawn_supervise(s), then the mask it leaves blocked undone. */
static int spawn(const struct bk_spawn *s)
{
	int code = bk_spawn_supervise(s);

	sigprocmask(SIG_SETMASK, &start_mask, NULL);
	return code;
}

static int fail_prepare(void *arg)
{
	(void)arg;
	return bk_fail("prepare refused");
}

static int no_exec(char *const argv[], void *arg)
{
	(void)argv;
	(void)arg;
	bk_fail("exec hook ran");
	return 42;
}

/* forked hook: the pid of the process it ran in, into the pipe arg. */
static int note_pid(void *arg)
{
	int fd = *(int *)arg;
	pid_t me = getpid();

	return write(fd, &me, sizeof(me)) == sizeof(me) ? 0 : -1;
}

static void test_spawn(void)
{
	char *exit5[] = { "sh", "-c", "exit 5", NULL };
	char blocked[64] = "?", script[160];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(script, sizeof(script), f))
		sscanf(script, "SigBlk: %63s", blocked);
	if (f)
		fclose(f);
	snprintf(script, sizeof(script), "grep -q '^SigBlk:[[:space:]]*%s$' /proc/self/status", blocked);
	char *same_mask[] = { "sh", "-c", script, NULL };
	struct bk_spawn s = { .argv = exit5 };

	ok(spawn(&s) == 5, "spawn: the command's status");
	s.argv = same_mask;
	ok(spawn(&s) == 0, "spawn: the command gets the caller's signal mask (%s) back", blocked);
	s.argv = exit5;
	s.hooks.prepare = fail_prepare;
	ok(spawn(&s) == BK_EXIT_FAILED, "spawn: a failed prepare exits 125 before the exec");
	s.hooks.prepare = NULL;
	s.hooks.exec = no_exec;
	ok(spawn(&s) == 42, "spawn: the exec hook's code when it returns");
}

static void test_pidfile(void)
{
	char pidfile[] = "/tmp/bk-test-supervise-XXXXXX";
	int fd = mkstemp(pidfile);
	char script[512];

	close(fd);
	unlink(pidfile);
	snprintf(script, sizeof(script), "for i in $(seq 200); do [ -s %s ] && break; sleep 0.01; done; "
		 "[ \"$(cat %s)\" = $$ ]", pidfile, pidfile);
	char *check[] = { "sh", "-c", script, NULL };
	struct bk_spawn s = { .argv = check, .pidfile = pidfile };
	ok(spawn(&s) == 0, "pidfile: holds the command's PID while it runs");
	ok(access(pidfile, F_OK) < 0 && errno == ENOENT, "pidfile: removed when it ended");
}

/* With die_with_parent the child goes when the process supervising it is
 * SIGKILLed: kill one that runs sleep 30, and reap the sleep (this
 * process is a subreaper for the while). */
static void test_die_with_parent(void)
{
	char pidfile[] = "/tmp/bk-test-supervise-XXXXXX";
	int fd = mkstemp(pidfile), st = 0;
	char buf[32] = "";
	pid_t sleeper = 0;

	close(fd);
	unlink(pidfile);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid_t parent = fork();
	if (parent == 0) {
		char *sleep30[] = { "sleep", "30", NULL };
		struct bk_spawn s = { .argv = sleep30, .die_with_parent = true, .pidfile = pidfile };
		_exit(bk_spawn_supervise(&s));
	}
	for (int i = 0; i < 300 && sleeper <= 0; i++) {
		FILE *f = fopen(pidfile, "r");
		if (f && fgets(buf, sizeof(buf), f))
			sleeper = atoi(buf);
		if (f)
			fclose(f);
		usleep(10 * 1000);
	}
	kill(parent, SIGKILL);
	waitpid(parent, NULL, 0);
	alarm(5);
	ok(sleeper > 0 && waitpid(sleeper, &st, 0) == sleeper && WIFSIGNALED(st) &&
	   WTERMSIG(st) == SIGKILL, "die_with_parent: the child is SIGKILLed with its parent");
	alarm(0);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	unlink(pidfile);
}

/* With init the child forks the command and supervises it: the forked
 * hook runs there, not in this process. */
static void test_init_mode(void)
{
	char *exit7[] = { "sh", "-c", "exit 7", NULL };
	int fds[2];
	pid_t where = 0;

	if (pipe(fds) < 0)
		return;
	struct bk_spawn s = { .argv = exit7, .init = true,
			      .hooks = { .forked = note_pid, .arg = &fds[1] } };
	ok(spawn(&s) == 7, "init: the command's status through the init");
	ok(read(fds[0], &where, sizeof(where)) == sizeof(where) && where != getpid(),
	   "init: the forked hook ran in the init (%d), not here (%d)", (int)where, (int)getpid());
	close(fds[0]);
	close(fds[1]);
}

/* A slow forked hook, then a mark the command must already see. */
static int slow_mark(void *arg)
{
	usleep(100 * 1000);
	return write(*(int *)arg, "M", 1) == 1 ? 0 : -1;
}

/* The command is executed only once the forked hook returned: nsrun's
 * init hides its host cmdline there, before the command can read it. */
static void test_forked_before_exec(void)
{
	char path[] = "/tmp/bk-test-supervise-XXXXXX";
	int fd = mkstemp(path);
	char script[128];

	if (fd < 0)
		return;
	snprintf(script, sizeof(script), "[ \"$(cat %s)\" = M ]", path);
	char *check[] = { "sh", "-c", script, NULL };
	struct bk_spawn s = { .argv = check, .hooks = { .forked = slow_mark, .arg = &fd } };
	ok(spawn(&s) == 0, "forked: the hook returned before the command ran");
	close(fd);
	unlink(path);
}

int main(void)
{
	sigprocmask(SIG_SETMASK, NULL, &start_mask);
	char *ok0[] = { "true", NULL };
	char *exit3[] = { "sh", "-c", "exit 3", NULL };
	char *missing[] = { "/nonexistent/bockit", NULL };
	char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
	char *orphans[] = { "sh", "-c",
		"for i in 1 2 3 4 5 6 7 8; do sh -c 'sleep 0.05 &'; done; sleep 0.5; "
		"n=0; for p in /proc/[0-9]*; do "
		"  [ \"$(awk '/^PPid/ {print $2}' $p/status 2>/dev/null)\" = $PPID ] && "
		"  grep -q '^State:.*Z' $p/status 2>/dev/null && n=$((n+1)); done; exit $n", NULL };
	char *trap[] = { "sh", "-c", "trap 'exit 42' TERM; while :; do sleep 0.02; done", NULL };
	char *plain[] = { "sleep", "30", NULL };

	ok(run_init(ok0) == 0, "true -> 0");
	ok(run_init(exit3) == 3, "exit 3 -> 3");
	ok(run_init(missing) == 127, "missing command -> 127");
	ok(run_init(killed) == 137, "SIGKILL -> 137");
	ok(run_init(orphans) == 0, "orphans are reaped: no zombie children left");
	ok(signal_init(trap, SIGTERM) == 42, "SIGTERM forwarded to a trapping command");
	ok(signal_init(plain, SIGTERM) == 143, "SIGTERM forwarded: 128+15");
	ok(signal_init(plain, SIGUSR1) == 138, "SIGUSR1 forwarded: 128+10");
	test_spawn();
	test_pidfile();
	test_die_with_parent();
	test_init_mode();
	test_forked_before_exec();
	return tap_done();
}
