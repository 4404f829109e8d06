/* exec: a process joining a container (exec.h). */
#include "oci/exec.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/supervise.h"
#include "cgroup/cgroup.h"
#include "ns/ns.h"
#include "ns/procself.h"
#include "ns/pty.h"
#include "ns/seccomp.h"
#include "oci/group.h"
#include "oci/procsetup.h"
#include "oci/sync.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

struct job {
	const struct bk_oci_process *p;
	const struct bk_oci_exec_opts *o;
	const struct bk_seccomp *filter;
	struct bk_cgroup g;
	struct bk_ns_target t;
	int sync[2];
	int console;
	sigset_t old;
};

static void __attribute__((noreturn)) report(int sock, int code)
{
	bk_oci_sync_send(sock, BK_SYNC_ERROR, bk_error());
	_exit(code);
}

/* The process itself, in the container's namespaces. */
static void __attribute__((noreturn)) process(struct job *j)
{
	int code;

	bk_signals_restore(&j->old);
	if (j->p->terminal && bk_oci_proc_terminal(j->p, j->console, false) < 0)
		report(j->sync[1], BK_EXIT_FAILED);
	bk_closep(&j->console);
	if (bk_oci_proc_prepare(j->p, false, j->o->preserve_fds) < 0 || bk_oci_proc_identity(j->p, j->filter) < 0)
		report(j->sync[1], BK_EXIT_FAILED);
	code = bk_oci_proc_exec(j->p, j->filter);
	report(j->sync[1], code);
}

/* The helper: cgroup, namespaces, then the process as the runtime's child. */
static void __attribute__((noreturn)) helper(struct job *j)
{
	char pid[24];
	pid_t child;

	close(j->sync[0]);
	/* until the exec, the runtime's binary among the container's
	 * processes: nothing of it reachable through /proc */
	if (bk_set_undumpable() < 0 || bk_cg_attach_self(&j->g) < 0 || bk_ns_target_enter(&j->t) < 0)
		report(j->sync[1], BK_EXIT_FAILED);
	child = bk_ns_clone(CLONE_PARENT);
	if (child == 0)
		process(j);
	if (child < 0)
		report(j->sync[1], BK_EXIT_FAILED);
	snprintf(pid, sizeof(pid), "%d", (int)child);
	bk_oci_sync_send(j->sync[1], BK_SYNC_PID, pid);
	_exit(0);
}

/* The helper's message with the process's PID and, from either, an
 * error, in whatever order they come, until both ends are closed (the
 * helper exited, the process exec'd or died). */
static int collect(struct job *j, pid_t *child)
{
	char type, text[2048], error[2048] = "";
	int status = 0;

	*child = -1;
	for (;;) {
		if (bk_oci_sync_recv(j->sync[0], &type, text, sizeof(text)) < 0)
			return BK_EXIT_FAILED;
		if (!type)
			break;
		if (type == BK_SYNC_PID)
			*child = (pid_t)atoi(text);
		else
			snprintf(error, sizeof(error), "%s", text);
	}
	if (!error[0] && *child > 0)
		return 0;
	bk_fail("%s", error[0] ? error : "exec: the helper died");
	if (*child <= 0)
		return BK_EXIT_FAILED;
	while (waitpid(*child, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : BK_EXIT_FAILED;
}

static int run(struct job *j)
{
	pid_t h, child;
	int code;

	if (bk_signals_block(&j->old) < 0 || bk_oci_sync_pair(j->sync) < 0)
		return BK_EXIT_FAILED;
	h = fork();
	if (h < 0) {
		bk_fail_errno(errno, "fork");
		return BK_EXIT_FAILED;
	}
	if (h == 0)
		helper(j);
	close(j->sync[1]);
	j->sync[1] = -1;
	while (waitpid(h, NULL, 0) < 0 && errno == EINTR)
		;
	code = collect(j, &child);
	if (code)
		return code;
	if (j->o->pid_file) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%d", (int)child);
		if (bk_write_atomic(j->o->pid_file, buf, 0644) < 0) {
			bk_fail_wrap("--pid-file");
			return BK_EXIT_FAILED;
		}
	}
	if (j->o->detach)
		return 0;
	code = bk_supervise_child(child);
	return code < 0 ? BK_EXIT_FAILED : code;
}

int bk_oci_exec(const struct bk_oci_state *s, const struct bk_oci_config *cfg,
		const struct bk_oci_process *p, const struct bk_oci_exec_opts *o)
{
	struct bk_seccomp filter = { 0 };
	struct job j = { .p = p, .o = o, .sync = { -1, -1 }, .console = -1 };
	int code = BK_EXIT_FAILED;

	bk_ns_target_init(&j.t);
	if (p->terminal && !o->console_socket) {
		bk_fail("--tty needs --console-socket (ocirun never copies a terminal itself)");
		return BK_EXIT_FAILED;
	}
	if (cfg->seccomp &&
	    bk_seccomp_compile_json(cfg->seccomp, "linux.seccomp", p->caps.bounding, &filter) < 0)
		return BK_EXIT_FAILED;
	j.filter = cfg->seccomp ? &filter : NULL;
	/* the container's root too: one without a mount namespace of its
	 * own is chroot()ed in the runtime's */
	if (bk_oci_group_open(s, &j.g) == 0 && bk_ns_target_open(&j.t, s->pid, 0) == 0 &&
	    bk_ns_target_take_root(&j.t, NULL) == 0 &&
	    (!p->terminal || (j.console = bk_console_socket_connect(o->console_socket)) >= 0))
		code = run(&j);
	bk_closep(&j.sync[0]);
	bk_closep(&j.sync[1]);
	bk_closep(&j.console);
	bk_ns_target_close(&j.t);
	bk_cg_close(&j.g);
	bk_seccomp_release(&filter);
	return code;
}
