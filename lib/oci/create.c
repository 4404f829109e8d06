/* create: make a container up to its waiting first process (create.h). */
#include "oci/create.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "cgroup/cgroup.h"
#include "ns/cgns.h"
#include "ns/ns.h"
#include "ns/pty.h"
#include "oci/group.h"
#include "oci/init.h"
#include "oci/state.h"
#include "oci/sync.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything made so far, for the undo. */
struct job {
	const struct bk_oci_create_opts *o;
	struct bk_oci_config *c;
	struct bk_oci_state state;
	bool claimed, grouped, in_group;
	struct bk_cgroup g;
	struct bk_seccomp filter;
	bool filtered;
	struct bk_cgns cg;            /* the cgroup view, planned inside the group */
	int sync[2];
	int console;
	int fifo;                     /* exec.fifo held open for the child */
	pid_t child;
};

/* Takes back what was made; the error being reported stays the one. */
static void undo(struct job *j)
{
	struct bk_saved_error e;

	bk_error_save(&e);
	if (j->child > 0) {
		kill(j->child, SIGKILL);
		while (waitpid(j->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (j->in_group)
		bk_cg_leave(&j->g);
	if (j->grouped) {
		if (bk_cg_delete(&j->g, true) < 0)
			BK_TRACE("undo: %s", bk_error());
		bk_cg_close(&j->g);
	}
	if (j->state.host_mounts && bk_rootfs_unmount_below(j->state.rootfs) < 0)
		BK_TRACE("undo: %s", bk_error());
	if (j->claimed && bk_oci_state_remove(&j->state) < 0)
		BK_TRACE("undo: %s", bk_error());
	bk_error_restore(&e);
}

static int keep_config(struct job *j)
{
	char path[PATH_MAX];

	bk_oci_state_file(&j->state, "config.json", path);
	if (json_dump_file(j->c->json, path, JSON_COMPACT) < 0)
		return bk_fail("write %s", path);
	return 0;
}

static int make_group(struct job *j)
{
	char path[1024];

	if (bk_oci_config_cgroup_path(j->c, j->o->id, path, sizeof(path)) < 0 ||
	    bk_oci_group_create(j->c, path, &j->g) < 0)
		return -1;
	j->grouped = true;
	if (bk_oci_group_record(&j->g, &j->state) < 0 || bk_cg_attach_self(&j->g) < 0)
		return -1;
	j->in_group = true;
	/* which groups are the container's own, read now that it is in them
	 * and before a cgroup namespace hides where they are */
	if (j->c->cgroup_mount && bk_cgns_plan(&j->cg) < 0)
		return bk_fail_wrap("cgroup mount");
	j->cg.bind = !(j->c->ns_own & (1u << BK_NS_CGROUP));
	return 0;
}

static int compile_seccomp(struct job *j)
{
	if (!j->c->seccomp)
		return 0;
	if (bk_seccomp_compile_json(j->c->seccomp, "linux.seccomp", j->c->proc.caps.bounding, &j->filter) < 0)
		return -1;
	j->filtered = true;
	return 0;
}

static void fill_rootfs(struct job *j, struct bk_rootfs *fs)
{
	const struct bk_oci_config *c = j->c;

	bk_rootfs_init(fs);
	fs->root = c->rootfs;
	fs->mounts = c->mounts;
	fs->nmounts = c->nmounts;
	fs->in_order = true;
	fs->dev_nodes = true;
	fs->ro_root = c->root_ro;
	fs->propagation = c->propagation;
	fs->mask_proc = c->nmasked || c->nreadonly;
	fs->masked = c->masked;
	fs->nmasked = c->nmasked;
	fs->readonly = c->readonly;
	fs->nreadonly = c->nreadonly;
	fs->devnodes = c->devices;
	fs->ndevnodes = c->ndevices;
	fs->cg = j->cg;
	/* no mount namespace of its own (runc's rule: chroot, the mounts in
	 * the runtime's namespace, taken back by delete), and then nothing
	 * done to the propagation of the runtime's mounts */
	if (j->state.host_mounts) {
		fs->use_chroot = true;
		fs->propagation = 0;
	}
	/* the kernel gives a user namespace no sysfs of the host's network */
	fs->sys_needs_bind = (c->ns_new & CLONE_NEWUSER) && !(c->ns_own & (1u << BK_NS_NET));
}

static void __attribute__((noreturn)) child(struct job *j, pid_t parent)
{
	struct bk_oci_init in = {
		.cfg = j->c, .state = &j->state, .filter = j->filtered ? &j->filter : NULL,
		.sync = j->sync[1], .console = j->console, .parent = parent,
		.preserve_fds = j->o->preserve_fds, .fifo = j->fifo,
	};

	close(j->sync[0]);
	fill_rootfs(j, &in.fs);
	bk_oci_init_run(&in);
}

/* Join the configured namespaces in a helper (the runtime itself must
 * stay where it is), which clones the first process as the runtime's own
 * child and reports its PID. */
static pid_t clone_joined(struct job *j, pid_t parent)
{
	char type, text[2048];
	pid_t helper = fork();

	if (helper < 0)
		return bk_fail_errno(errno, "fork");
	if (helper == 0) {
		for (int k = 0; k < BK_NS_COUNT; k++)
			if (j->c->ns_path[k] && bk_ns_join_path(j->c->ns_path[k], k) < 0) {
				bk_fail_wrap("linux.namespaces");
				bk_oci_sync_send(j->sync[1], BK_SYNC_ERROR, bk_error());
				_exit(BK_EXIT_FAILED);
			}
		pid_t pid = bk_ns_clone(j->c->ns_new | CLONE_PARENT);
		if (pid == 0)
			child(j, parent);
		snprintf(text, sizeof(text), "%d", (int)pid);
		bk_oci_sync_send(j->sync[1], pid < 0 ? BK_SYNC_ERROR : BK_SYNC_PID, pid < 0 ? bk_error() : text);
		_exit(0);
	}
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (bk_oci_sync_recv(j->sync[0], &type, text, sizeof(text)) < 0)
		return -1;
	if (type != BK_SYNC_PID)
		return bk_fail("%s", type ? text : "namespace helper failed");
	return (pid_t)atoi(text);
}

static int start_child(struct job *j)
{
	pid_t parent = getpid();
	bool joins = false;

	for (int k = 0; k < BK_NS_COUNT; k++)
		joins |= j->c->ns_path[k] != NULL;
	if (bk_oci_sync_pair(j->sync) < 0)
		return -1;
	if (joins) {
		j->child = clone_joined(j, parent);
	} else {
		j->child = bk_ns_clone(j->c->ns_new);
		if (j->child == 0)
			child(j, parent);
	}
	close(j->sync[1]);
	j->sync[1] = -1;
	/* only the child holds it now: its exec closes the last reader */
	bk_closep(&j->fifo);
	if (j->child < 0)
		return -1;
	/* the child was born in the group; the runtime must not stay there
	 * (a delete from this process, as run does, would freeze itself) */
	bk_cg_leave(&j->g);
	j->in_group = false;
	return 0;
}

static int run_parent_hooks(struct job *j)
{
	_cleanup_free_ char *state = bk_oci_state_json(&j->state, BK_OCI_CREATING, false);

	if (!state || bk_oci_hooks_run(&j->c->hooks, BK_HOOK_PRESTART, state) < 0 ||
	    bk_oci_hooks_run(&j->c->hooks, BK_HOOK_CREATE_RUNTIME, state) < 0)
		return -1;
	return bk_oci_sync_send(j->sync[0], BK_SYNC_GO, NULL);
}

/* Maps, go, then the child's requests until it is ready. */
static int handshake(struct job *j)
{
	char pid[24], type, text[2048];

	if ((j->c->ns_new & CLONE_NEWUSER) &&
	    bk_idmap_write_pid(j->child, j->c->uidmap, j->c->nuidmap, j->c->gidmap, j->c->ngidmap) < 0)
		return bk_fail_wrap("linux.uidMappings");
	snprintf(pid, sizeof(pid), "%d", (int)j->child);
	j->state.pid = j->child;
	if (bk_oci_sync_send(j->sync[0], BK_SYNC_GO, pid) < 0)
		return -1;
	for (;;) {
		if (bk_oci_sync_recv(j->sync[0], &type, text, sizeof(text)) < 0)
			return -1;
		if (type == BK_SYNC_READY)
			return 0;
		if (type == BK_SYNC_ERROR)
			return bk_fail("%s", text);
		if (type != BK_SYNC_HOOKS)
			return bk_fail("the container's first process exited during setup");
		if (run_parent_hooks(j) < 0)
			return -1;
	}
}

static int record(struct job *j)
{
	if (bk_oci_state_fingerprint(&j->state) < 0 || bk_oci_state_save(&j->state) < 0)
		return -1;
	if (j->o->pid_file) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%d", (int)j->child);
		BK_TRACE("write %s %s", j->o->pid_file, buf);
		if (bk_write_atomic(j->o->pid_file, buf, 0644) < 0)
			return bk_fail_wrap("--pid-file");
	}
	return 0;
}

static int prepare(struct job *j)
{
	char fifo[PATH_MAX];
	const struct bk_oci_config *c = j->c;

	if (c->proc.terminal && !j->o->console_socket)
		return bk_fail("process.terminal: a terminal needs --console-socket (ocirun never "
			       "copies a terminal itself)");
	if (bk_oci_state_claim(j->o->root, j->o->id, &j->state) < 0)
		return -1;
	j->claimed = true;
	snprintf(j->state.bundle, sizeof(j->state.bundle), "%s", c->bundle);
	snprintf(j->state.rootfs, sizeof(j->state.rootfs), "%s", c->rootfs);
	bk_oci_now_rfc3339(j->state.created, sizeof(j->state.created));
	j->state.annotations = json_incref((json_t *)c->annotations);
	j->state.host_mounts = !(c->ns_new & CLONE_NEWNS) && !c->ns_path[BK_NS_MNT];
	bk_oci_state_file(&j->state, "exec.fifo", fifo);
	if (keep_config(j) < 0 || make_group(j) < 0 || compile_seccomp(j) < 0 ||
	    bk_oci_fifo_make(fifo) < 0 || (j->fifo = bk_oci_fifo_hold(fifo)) < 0)
		return -1;
	if (j->o->console_socket && c->proc.terminal &&
	    (j->console = bk_console_socket_connect(j->o->console_socket)) < 0)
		return -1;
	return 0;
}

int bk_oci_create(const struct bk_oci_create_opts *o, struct bk_oci_config *c)
{
	struct job j = { .o = o, .c = c, .sync = { -1, -1 }, .console = -1, .fifo = -1 };
	int r = prepare(&j) < 0 || start_child(&j) < 0 || handshake(&j) < 0 || record(&j) < 0 ? -1 : 0;

	/* the child dies before its end of the pair closes: it has nothing
	 * more to say then */
	if (r < 0)
		undo(&j);
	bk_closep(&j.sync[0]);
	bk_closep(&j.sync[1]);
	bk_closep(&j.console);
	bk_closep(&j.fifo);
	if (j.filtered)
		bk_seccomp_release(&j.filter);
	if (r < 0) {
		bk_oci_state_free(&j.state);
		return -1;
	}
	bk_cg_close(&j.g);
	bk_oci_state_free(&j.state);
	return j.child;
}
