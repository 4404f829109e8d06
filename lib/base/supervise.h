/* supervise: fork a command, set the child up, exec it and supervise it:
 * signals forwarded, every zombie reaped, its wait status turned into an
 * exit code. The one way nsrun (its first process, and the mini-init that
 * is PID 1 of a new PID namespace) and cgset-lite exec --rm run a command
 * and wait for it. Signals are blocked and read from a signalfd; no
 * allocation in the loop. */
#ifndef BK_SUPERVISE_H
#define BK_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct bk_relay;

/* Block every signal the loop forwards or handles (and SIGCHLD); *old gets
 * the previous mask for the child to restore before exec. */
int bk_signals_block(sigset_t *old);
void bk_signals_restore(const sigset_t *old);
/* Every signal back to its default action: a container must not inherit
 * what the caller's shell ignores (a background job of a non-interactive
 * shell starts with SIGINT and SIGQUIT ignored, and an ignored signal is
 * dropped before the init's signalfd could read and forward it). */
void bk_signals_default(void);

/* What happens around the fork; every member may be NULL. */
struct bk_exec_hooks {
	/* In the child, signals still blocked; a failure exits 125 with its
	 * message. */
	int (*prepare)(void *arg);
	/* In the child, last, after the mask is restored: exec argv and
	 * return (only on failure) the code to exit with. Default:
	 * bk_exec_command. */
	int (*exec)(char *const argv[], void *arg);
	/* In the process that waits for the command, once it exists and
	 * before it is executed (the child waits for this hook to return);
	 * a failure is printed, not fatal. */
	int (*forked)(void *arg);
	void *arg;
};

struct bk_spawn {
	char *const *argv;           /* the command */
	const sigset_t *mask;        /* its signal mask; NULL: the caller's */
	bool die_with_parent;        /* SIGKILL when this process dies, and exit
	                              * at once if it died before the child saw it */
	const char *pidfile;         /* the child's PID, written (atomically) once
	                              * the command was executed (a close-on-exec
	                              * pipe says so: a failed exec, or a failed
	                              * setup, writes a byte instead, and then no
	                              * pidfile is written), removed when it ends */
	bool init;                   /* after prepare the child is an init: it forks
	                              * the command and supervises it (bk_init_run) */
	struct bk_exec_hooks hooks;  /* with init, exec and forked are the init's */
	struct bk_relay *relay;      /* opened (base/relay.h): the child's stdout and
	                              * stderr become pipes this process copies to
	                              * its own and to the log; NULL: inherited */
};

/* Fork, set the child up, supervise it until it exits. Returns the exit
 * code its wait status means (its status, 128+N for signal N), or -1 with
 * the error recorded when there is no child. Signals stay blocked. */
int bk_spawn_supervise(const struct bk_spawn *s);

/* The init, PID 1 of a new PID namespace, signals blocked: fork argv
 * (whose mask will be old), supervise it, and return the exit code to
 * leave with (its status, 128+N, or 125/126/127), errors printed. */
int bk_init_run(char *const argv[], const sigset_t *old, const struct bk_exec_hooks *h);

#endif
