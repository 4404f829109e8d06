/* supervise: supervising one child. The same loop serves the outer nsrun (it
 * waits for the first process of the new namespaces) and the mini-init
 * that is PID 1 of a new PID namespace: signals are blocked and read from
 * a signalfd, forwarded to the child, every zombie is reaped, and the
 * child's wait status comes back. No allocation in the loop. */
#ifndef BK_SUPERVISE_H
#define BK_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

/* Block every signal the loop forwards or handles (and SIGCHLD); *old gets
 * the previous mask for the child to restore before exec. */
int bk_signals_block(sigset_t *old);
void bk_signals_restore(const sigset_t *old);
/* Every signal back to its default action: a container must not inherit
 * what the caller's shell ignores (a background job of a non-interactive
 * shell starts with SIGINT and SIGQUIT ignored, and an ignored signal is
 * dropped before the init's signalfd could read and forward it). */
void bk_signals_default(void);

struct bk_supervisor {
	pid_t child;
	int ready_fd;          /* read end; a byte arrives when the child is set up, or -1 */
	const char *pidfile;   /* written (atomically) once ready, removed at exit; or NULL */
};

/* Run until the child exits; returns its wait status, or -1 on error. */
int bk_supervise(const struct bk_supervisor *s);

/* What the init does around its one fork; every member may be NULL. */
struct bk_init_hooks {
	/* In the child, after the signal mask is restored: exec argv, and
	 * return (only on failure) the code to exit with. Default:
	 * bk_exec_command. */
	int (*exec)(char *const argv[], void *arg);
	/* In the init, once the child exists (to drop what the init must not
	 * hold); a failure is printed, not fatal. */
	int (*forked)(void *arg);
	void *arg;
};

/* PID 1 of a new PID namespace: fork argv, supervise it, and return the
 * exit code to leave with (its status, 128+N, or 125/126/127). */
int bk_init_run(char *const argv[], const sigset_t *old, const struct bk_init_hooks *h);

#endif
