/* supervise: signal forwarding, reaping and waiting for one child (supervise.h). */
#include "base/supervise.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* Synchronous signals (a fault in the loop itself) and terminal stops of a
 * background reader stay unblocked, as tini does. */
static bool forwardable(int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP: case SIGFPE: case SIGILL: case SIGSEGV:
	case SIGBUS: case SIGABRT: case SIGTRAP: case SIGSYS:
	case SIGTTIN: case SIGTTOU:
		return false;
	default:
		return true;
	}
}

static void handled_set(sigset_t *set)
{
	sigemptyset(set);
	for (int sig = 1; sig < SIGRTMIN; sig++)
		if (forwardable(sig))
			sigaddset(set, sig);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		sigaddset(set, sig);
}

int bk_signals_block(sigset_t *old)
{
	sigset_t set;

	handled_set(&set);
	if (sigprocmask(SIG_BLOCK, &set, old) < 0)
		return bk_fail_errno(errno, "sigprocmask");
	return 0;
}

void bk_signals_restore(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

void bk_signals_default(void)
{
	BK_TRACE("signal(1..%d, SIG_DFL)", SIGRTMAX);
	for (int sig = 1; sig <= SIGRTMAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
}

static void write_pidfile(const struct bk_supervisor *s)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", (int)s->child);
	BK_TRACE("write %s \"%d\"", s->pidfile, (int)s->child);
	if (bk_write_atomic(s->pidfile, buf, 0644) < 0)
		bk_warn("pidfile: %s", bk_error());
}

/* Returns true once the child has been reaped. */
static bool reap(pid_t child, int *status)
{
	bool done = false;
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == child) {
			*status = st;
			done = true;
		}
	}
	return done;
}

static void forward(const struct signalfd_siginfo *si, pid_t child)
{
	/* A terminal's ^C, ^\, ^Z and SIGWINCH already reached the whole
	 * foreground process group, the child included: do not double them. */
	if (si->ssi_code == SI_KERNEL)
		return;
	BK_TRACE("kill(%d, SIG%s)", (int)child, sigabbrev_np(si->ssi_signo) ?: "?");
	kill(child, si->ssi_signo);
}

/* Returns true if the pidfile was written. */
static bool check_ready(struct pollfd *p, const struct bk_supervisor *s)
{
	char c;
	bool wrote = false;

	if (!(p->revents & (POLLIN | POLLHUP | POLLERR)))
		return false;
	if (read(p->fd, &c, 1) == 1 && s->pidfile) {
		write_pidfile(s);
		wrote = true;
	}
	p->fd = -1;
	return wrote;
}

static int loop(const struct bk_supervisor *s, int sfd, bool *wrote)
{
	struct pollfd p[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = s->ready_fd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int status = 0;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return bk_fail_errno(errno, "poll");
		}
		if (p[1].fd >= 0 && check_ready(&p[1], s))
			*wrote = true;
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo != SIGCHLD)
			forward(&si, s->child);
		else if (reap(s->child, &status))
			return status;
	}
}

int bk_supervise(const struct bk_supervisor *s)
{
	sigset_t set;
	int status;
	bool wrote = false;

	handled_set(&set);
	_cleanup_close_ int sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return bk_fail_errno(errno, "signalfd");
	/* The child may have exited before the signalfd existed. */
	if (reap(s->child, &status))
		return status;
	status = loop(s, sfd, &wrote);
	if (wrote)
		unlink(s->pidfile);
	return status;
}

int bk_init_run(char *const argv[], const sigset_t *old, const struct bk_init_hooks *h)
{
	static const struct bk_init_hooks none;
	struct bk_supervisor s = { .ready_fd = -1 };
	int status;

	h = h ? h : &none;
	s.child = fork();
	if (s.child < 0) {
		bk_warn("init: fork: %s%s", strerror(errno),
			errno == EAGAIN ? " (the cgroup's pids limit?)" : "");
		return BK_EXIT_FAILED;
	}
	if (s.child == 0) {
		bk_signals_restore(old);
		int code = h->exec ? h->exec(argv, h->arg) : bk_exec_command(argv);
		bk_warn("%s", bk_error());
		_exit(code);
	}
	BK_TRACE("init: fork() = %d, forwarding signals, reaping orphans", (int)s.child);
	if (h->forked && h->forked(h->arg) < 0)
		bk_warn("init: %s", bk_error());
	status = bk_supervise(&s);
	if (status < 0) {
		bk_warn("init: %s", bk_error());
		return BK_EXIT_FAILED;
	}
	return bk_exit_code(status);
}
