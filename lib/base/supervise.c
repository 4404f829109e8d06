/* supervise: signal forwarding, reaping and waiting for one child (supervise.h). */
#include "base/supervise.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/* The parent's side of one child. */
struct supervisor {
	pid_t child;
	int ready_fd;          /* read end; a byte arrives when the child is set up, or -1 */
	const char *pidfile;   /* written once ready, removed at exit; or NULL */
	struct bk_relay *relay; /* the command's output through us; or NULL */
};

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

static void write_pidfile(const struct supervisor *s)
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
	/* a relay's write to a reader that is gone: not the command's signal */
	if (si->ssi_signo == SIGPIPE && si->ssi_pid == (uint32_t)getpid())
		return;
	BK_TRACE("kill(%d, SIG%s)", (int)child, sigabbrev_np(si->ssi_signo) ?: "?");
	kill(child, si->ssi_signo);
}

/* The close-on-exec pipe is closed by the command's execve: end of file
 * means it runs; a byte means its exec (or the setup before) failed.
 * Returns true if the pidfile was written. */
static bool check_ready(struct pollfd *p, const struct supervisor *s)
{
	char c;
	bool wrote = false;
	ssize_t n;

	if (!(p->revents & (POLLIN | POLLHUP | POLLERR)))
		return false;
	while ((n = read(p->fd, &c, 1)) < 0 && errno == EINTR)
		;
	if (n == 0 && s->pidfile) {
		write_pidfile(s);
		wrote = true;
	}
	p->fd = -1;
	return wrote;
}

static int loop(const struct supervisor *s, int sfd, bool *wrote)
{
	struct pollfd p[4] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = s->ready_fd, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	int status = 0;

	for (;;) {
		int nrelay = s->relay ? bk_relay_pollfds(s->relay, p + 2) : 0;
		if (poll(p, 2 + (nfds_t)nrelay, -1) < 0) {
			if (errno == EINTR)
				continue;
			return bk_fail_errno(errno, "poll");
		}
		if (p[1].fd >= 0 && check_ready(&p[1], s))
			*wrote = true;
		if (nrelay)
			bk_relay_ready(s->relay, p + 2, nrelay);
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

/* Run until the child exits; returns its wait status, or -1 on error. */
static int supervise(const struct supervisor *s)
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

/* PR_SET_PDEATHSIG, then the check that the parent did not die before it
 * took effect. In a new PID namespace the parent is invisible: getppid()
 * is 0. */
static int die_with(pid_t parent)
{
	pid_t pp;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return bk_fail_errno(errno, "prctl(PR_SET_PDEATHSIG)");
	pp = getppid();
	if (pp != parent && pp != 0)
		return bk_fail("parent %d exited before its child started", (int)parent);
	return 0;
}

/* The write end of the ready pipe: closed by the command's execve (it is
 * close-on-exec), written to when the command cannot run. An init passes
 * it on to the command it forks. */
static int exec_fd = -1;

static void report_failure(void)
{
	if (exec_fd >= 0 && write(exec_fd, "F", 1) < 0)
		bk_warn("ready pipe: %s", strerror(errno));
}

/* Block until the parent closes the gate's write end: its forked hook
 * has run (an init hides itself before its command can look at it). */
static void wait_gate(int fd)
{
	char c;

	if (fd < 0)
		return;
	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

/* Set up, then exec the command or become its init. */
static void __attribute__((noreturn))
child(const struct bk_spawn *s, const sigset_t *mask, pid_t parent, int ready_fd, int gate_fd)
{
	const struct bk_exec_hooks *h = &s->hooks;
	int code;

	if (ready_fd >= 0)
		exec_fd = ready_fd;
	if ((s->relay && bk_relay_child(s->relay) < 0) ||
	    (s->die_with_parent && die_with(parent) < 0) ||
	    (h->prepare && h->prepare(h->arg) < 0)) {
		bk_warn("%s", bk_error());
		report_failure();
		_exit(BK_EXIT_FAILED);
	}
	if (s->init) {
		struct bk_exec_hooks init = { NULL, h->exec, h->forked, h->arg };
		_exit(bk_init_run(s->argv, mask, &init));
	}
	wait_gate(gate_fd);
	bk_signals_restore(mask);
	code = h->exec ? h->exec(s->argv, h->arg) : bk_exec_command(s->argv);
	bk_warn("%s", bk_error());
	report_failure();
	_exit(code);
}

/* Fork the child and wait for it; signals are blocked already. The ready
 * pipe exists only for a pidfile, written once the command runs; the gate
 * only for a forked hook, which the command's exec waits for. */
static int spawn(const struct bk_spawn *s, const sigset_t *mask, bool as_init)
{
	struct supervisor sv = { .ready_fd = -1, .pidfile = s->pidfile, .relay = as_init ? NULL : s->relay };
	int ready[2] = { -1, -1 }, gate[2] = { -1, -1 }, status;
	bool gated = !s->init && s->hooks.forked;
	pid_t parent = getpid();

	if ((s->pidfile && pipe2(ready, O_CLOEXEC) < 0) || (gated && pipe2(gate, O_CLOEXEC) < 0)) {
		int err = errno;
		bk_closep(&ready[0]);
		bk_closep(&ready[1]);
		return bk_fail_errno(err, "pipe");
	}
	if (sv.relay && bk_relay_pipes(sv.relay) < 0) {
		bk_closep(&ready[0]);
		bk_closep(&ready[1]);
		bk_closep(&gate[0]);
		bk_closep(&gate[1]);
		return -1;
	}
	if (!as_init)
		BK_TRACE("fork()");
	sv.child = fork();
	if (sv.child < 0) {
		int err = errno;
		bk_closep(&ready[0]);
		bk_closep(&ready[1]);
		bk_closep(&gate[0]);
		bk_closep(&gate[1]);
		if (sv.relay)
			bk_relay_close(sv.relay);
		return bk_fail_errno(err, "fork%s", err == EAGAIN ? " (the cgroup's pids limit?)" : "");
	}
	if (sv.child == 0) {
		bk_closep(&ready[0]);
		bk_closep(&gate[1]);
		child(s, mask, parent, ready[1], gate[0]);
	}
	if (as_init) {
		BK_TRACE("init: fork() = %d, forwarding signals, reaping orphans", (int)sv.child);
		/* the command alone holds the ready pipe now: its exec closes it */
		bk_closep(&exec_fd);
	}
	bk_closep(&ready[1]);
	sv.ready_fd = ready[0];
	if (sv.relay)
		bk_relay_forked(sv.relay);
	bk_closep(&gate[0]);
	if (gated && s->hooks.forked(s->hooks.arg) < 0)
		bk_warn("%s%s", as_init ? "init: " : "", bk_error());
	/* (a hook that closes every fd, as nsrun's init does, opens it early:
	 * then this close is a harmless EBADF) */
	bk_closep(&gate[1]);
	status = supervise(&sv);
	bk_closep(&ready[0]);
	if (sv.relay)
		bk_relay_finish(sv.relay);
	return status < 0 ? -1 : bk_exit_code(status);
}

int bk_spawn_supervise(const struct bk_spawn *s)
{
	sigset_t old;

	if (bk_signals_block(&old) < 0)
		return -1;
	return spawn(s, s->mask ? s->mask : &old, false);
}

int bk_init_run(char *const argv[], const sigset_t *old, const struct bk_exec_hooks *h)
{
	struct bk_spawn s = { .argv = argv, .mask = old };
	int code;

	if (h)
		s.hooks = *h;
	code = spawn(&s, old, true);
	if (code < 0) {
		bk_warn("init: %s", bk_error());
		return BK_EXIT_FAILED;
	}
	return code;
}
