/* Unit tests for supervise (lib/base/supervise.c): the loop of nsrun's init,
 * run as a subreaper so orphans come back to it as they would to PID 1.
 * Under ASan/LSan this is the leak check of the long-lived init path. */
#include "tap.h"
#include "base/chain.h"
#include "base/supervise.h"
#include "base/msg.h"

#include <signal.h>
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

int main(void)
{
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
	return tap_done();
}
