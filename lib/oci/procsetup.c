/* procsetup: apply an OCI process (procsetup.h). */
#include "oci/procsetup.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "ns/caps.h"
#include "ns/procenv.h"
#include "ns/procself.h"
#include "ns/proclimits.h"
#include "ns/pty.h"
#include "ns/rootfs.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int bk_oci_proc_prepare(const struct bk_oci_process *p, bool make_cwd, unsigned preserve_fds)
{
	size_t nenv = 0;

	/* now: a seccomp profile may not allow close_range later */
	if (bk_fds_cloexec_from(3 + preserve_fds) < 0)
		return -1;
	/* in the root already: a missing cwd is made inside it, as runc does */
	if ((make_cwd ? bk_rootfs_chdir(p->cwd) : bk_rootfs_chdir_existing(p->cwd)) < 0)
		return -1;
	while (p->env && p->env[nenv])
		nenv++;
	if (bk_apply_env(true, p->env, nenv) < 0)
		return -1;
	for (size_t i = 0; i < p->nrlimits; i++)
		if (bk_rlimit_set(p->rlimits[i].resource, p->rlimits[i].soft, p->rlimits[i].hard) < 0)
			return bk_fail_wrap("process.rlimits[%zu]", i);
	if (p->has_oom && bk_oom_score_adj_set(p->oom_score_adj) < 0)
		return bk_fail_wrap("process.oomScoreAdj");
	if (p->has_umask)
		bk_umask_set(p->umask);
	return 0;
}

int bk_oci_proc_identity(const struct bk_oci_process *p, const struct bk_seccomp *filter)
{
	struct bk_capsets none = { 0, 0, 0, 0, 0 };
	const struct bk_capsets *caps = p->has_caps ? &p->caps : &none;

	/* without no_new_privs only CAP_SYS_ADMIN may install a filter: do it
	 * while it is held (the profile must allow what follows, as runc's) */
	if (!p->nnp && filter && bk_seccomp_install(filter) < 0)
		return bk_fail_wrap("linux.seccomp");
	if (bk_capsets_drop_bounding(caps) < 0 || bk_caps_keep_on_setuid(true) < 0 ||
	    bk_set_ids_groups(p->uid, p->gid, p->groups, p->ngroups) < 0 ||
	    bk_capsets_apply(caps) < 0 || bk_caps_keep_on_setuid(false) < 0)
		return bk_fail_wrap("process.user/capabilities");
	if (p->nnp && bk_set_no_new_privs() < 0)
		return -1;
	return 0;
}

int bk_oci_proc_exec(const struct bk_oci_process *p, const struct bk_seccomp *filter)
{
	/* an ignored signal stays ignored across execve: the runtime's own
	 * SIGPIPE setting must not reach the program */
	signal(SIGPIPE, SIG_DFL);
	if (p->nnp && filter && bk_seccomp_install(filter) < 0) {
		bk_fail_wrap("linux.seccomp");
		return BK_EXIT_FAILED;
	}
	return bk_exec_command((char *const *)p->args);
}

int bk_oci_proc_terminal(const struct bk_oci_process *p, int sock, bool console)
{
	char name[64];
	_cleanup_close_ int master = bk_pty_open(name, sizeof(name));

	if (master < 0)
		return -1;
	if (bk_pty_set_size(master, p->rows, p->cols) < 0 || bk_pty_send(sock, master, name) < 0)
		return -1;
	if (console && bk_pty_bind_console(name) < 0)
		return -1;
	return bk_pty_become_ctty(name);
}
