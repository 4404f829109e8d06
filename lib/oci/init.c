/* init: the container's first process (init.h). */
#include "oci/init.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "base/supervise.h"
#include "ns/ns.h"
#include "ns/procself.h"
#include "ns/procenv.h"
#include "ns/sysctl.h"
#include "oci/procsetup.h"
#include "oci/sync.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* In a new user namespace, be its root (0 is mapped, or this fails). */
static int become_root(const struct bk_oci_config *c)
{
	if (!(c->ns_new & CLONE_NEWUSER))
		return 0;
	return bk_set_ids(0, 0);
}

/* Namespaced parameters, through the runtime's /proc before the switch:
 * /proc/sys shows the namespaces of the process that writes. */
static int set_sysctls(const struct bk_oci_config *c)
{
	for (size_t i = 0; i < c->nsysctl; i++)
		if (bk_sysctl_check(c->sysctl_names[i], c->ns_own) < 0 ||
		    bk_sysctl_write(c->sysctl_names[i], c->sysctl_values[i]) < 0)
			return bk_fail_wrap("linux.sysctl");
	return 0;
}

static int run_hooks(struct bk_oci_init *in, enum bk_oci_hook_kind k, enum bk_oci_status st)
{
	_cleanup_free_ char *state = NULL;

	if (!in->cfg->hooks.n[k])
		return 0;
	state = bk_oci_state_json(in->state, st, false);
	return state ? bk_oci_hooks_run(&in->cfg->hooks, k, state) : -1;
}

/* The parent runs prestart and createRuntime (in the runtime's
 * namespaces) while this process waits, before the root switch. */
static int parent_hooks(struct bk_oci_init *in)
{
	const struct bk_oci_hooks *h = &in->cfg->hooks;

	if (!h->n[BK_HOOK_PRESTART] && !h->n[BK_HOOK_CREATE_RUNTIME])
		return 0;
	if (bk_oci_sync_send(in->sync, BK_SYNC_HOOKS, NULL) < 0)
		return -1;
	return bk_oci_sync_expect(in->sync, BK_SYNC_GO);
}

static int wait_go(struct bk_oci_init *in)
{
	char type, text[64];

	if (bk_oci_sync_recv(in->sync, &type, text, sizeof(text)) < 0)
		return -1;
	if (type != BK_SYNC_GO)
		return bk_fail("the runtime went away during create");
	in->state->pid = (pid_t)atoi(text);
	return 0;
}

static int setup(struct bk_oci_init *in)
{
	const struct bk_oci_config *c = in->cfg;

	if (wait_go(in) < 0 || become_root(c) < 0 || set_sysctls(c) < 0 ||
	    bk_ns_set_uts(c->hostname, c->domainname) < 0)
		return -1;
	/* a network namespace of its own has lo down: runc brings it up */
	if ((c->ns_new & CLONE_NEWNET) && bk_ns_loopback_up() < 0)
		return bk_fail_wrap("linux.namespaces: network");
	if (bk_rootfs_prepare(&in->fs) < 0 || parent_hooks(in) < 0 ||
	    run_hooks(in, BK_HOOK_CREATE_CONTAINER, BK_OCI_CREATING) < 0)
		return -1;
	if (bk_rootfs_enter(&in->fs) < 0 || bk_rootfs_populate(&in->fs) < 0)
		return -1;
	bk_rootfs_release(&in->fs);
	if (c->proc.terminal && bk_oci_proc_terminal(&c->proc, in->console, true) < 0)
		return bk_fail_wrap("process.terminal");
	bk_closep(&in->console);
	/* /proc/1 until the exec: nothing of the runtime's command line
	 * (host paths) or environment */
	if (bk_oci_proc_prepare(&c->proc, true, in->preserve_fds) < 0 ||
	    bk_proc_retitle_init((char *const *)c->proc.args) < 0)
		return -1;
	return bk_oci_proc_identity(&c->proc, in->filter);
}

/* Before ready the error is create's to print; if create is gone, so is
 * the one who would read it. */
static void __attribute__((noreturn)) fail(struct bk_oci_init *in, int code)
{
	bk_oci_sync_send(in->sync, BK_SYNC_ERROR, bk_error());
	_exit(code);
}

void bk_oci_init_run(struct bk_oci_init *in)
{
	/* until ready, the container dies with create */
	if (bk_die_with_parent(in->parent) < 0)
		_exit(BK_EXIT_FAILED);
	if (bk_set_undumpable() < 0 || setup(in) < 0)
		fail(in, BK_EXIT_FAILED);
	if (prctl(PR_SET_PDEATHSIG, 0) < 0 || bk_oci_sync_send(in->sync, BK_SYNC_READY, NULL) < 0)
		_exit(BK_EXIT_FAILED);
	bk_closep(&in->sync);
	/* from here on, create is gone: errors go to the container's stderr */
	if (bk_oci_fifo_wait(in->fifo) < 0) {
		bk_warn("%s", bk_error());
		_exit(BK_EXIT_FAILED);
	}
	if (run_hooks(in, BK_HOOK_START_CONTAINER, BK_OCI_CREATED) < 0) {
		bk_warn("%s", bk_error());
		_exit(BK_EXIT_FAILED);
	}
	int code = bk_oci_proc_exec(&in->cfg->proc, in->filter);
	bk_warn("%s", bk_error());
	_exit(code);
}
