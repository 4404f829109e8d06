/* ctl: signals, status and teardown of an existing container (ctl.h). */
#include "oci/ctl.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "base/size.h"
#include "cgroup/cgkill.h"
#include "cgroup/cgfreeze.h"
#include "cgroup/cgprocs.h"
#include "oci/config.h"
#include "oci/group.h"
#include "oci/sync.h"
#include "ns/rootfs.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KILL_TIMEOUT_MS 10000

/* paused needs the freezer; only a live container is asked */
enum bk_oci_status bk_oci_status_now(const struct bk_oci_state *s)
{
	enum bk_oci_status st = bk_oci_state_status(s, false);
	struct bk_cgroup g;
	bool frozen = false;

	if (st != BK_OCI_RUNNING || bk_oci_group_open(s, &g) < 0)
		return st;
	frozen = bk_cg_frozen(&g) == 1;
	bk_cg_close(&g);
	return frozen ? BK_OCI_PAUSED : st;
}

int bk_oci_signal_parse(const char *s, int *sig)
{
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	uint64_t n;

	if (bk_parse_u64(s, &n) == 0) {
		if (n < 1 || n > (uint64_t)SIGRTMAX)
			return bk_fail("signal %s: out of range (1..%d)", s, SIGRTMAX);
		*sig = (int)n;
		return 0;
	}
	for (int i = 1; i < SIGRTMIN; i++) {
		const char *abbrev = sigabbrev_np(i);
		if (abbrev && !strcasecmp(name, abbrev)) {
			*sig = i;
			return 0;
		}
	}
	if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
		int base = toupper((unsigned char)name[3]) == 'I' ? SIGRTMIN : SIGRTMAX;
		int off = name[5] ? atoi(name + 5) : 0;
		if ((!name[5] || ((name[5] == '+' || name[5] == '-') && name[6])) &&
		    base + off >= SIGRTMIN && base + off <= SIGRTMAX) {
			*sig = base + off;
			return 0;
		}
	}
	return bk_fail("unknown signal '%s'", s);
}

static int open_init(const struct bk_oci_state *s)
{
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);

	if (fd < 0)
		return errno == ESRCH ? bk_fail("container %s is not running", s->id)
				      : bk_fail_errno(errno, "pidfd_open %d", (int)s->pid);
	/* the pidfd pins the process: checked after it, the start time
	 * proves it is the container's, not a new one with its PID */
	if (!bk_oci_state_alive(s)) {
		close(fd);
		return bk_fail("container %s is not running", s->id);
	}
	return fd;
}

/* Is sig caught by pid, and is pid PID 1 of a namespace of its own? */
static void handler_state(pid_t pid, int sig, bool *caught, bool *ns_init)
{
	char path[64], line[256];
	_cleanup_fclose_ FILE *f = NULL;

	*caught = false;
	*ns_init = false;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "SigCgt:", 7))
			*caught = (strtoull(line + 7, NULL, 16) >> (sig - 1)) & 1;
		else if (!strncmp(line, "NSpid:", 6))
			*ns_init = strrchr(line, '\t') && atoi(strrchr(line, '\t') + 1) == 1 &&
				   strchr(line, '\t') != strrchr(line, '\t');
	}
}

static long long ms_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (now.tv_sec - t->tv_sec) * 1000LL + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* The kernel drops a signal that PID 1 of a namespace has no handler for.
 * Right after start that races with the program installing its handlers
 * (a shell's trap): give a process started under START_GRACE_MS ago that
 * long to catch it. Start time: when start removed the fifo. */
#define START_GRACE_MS 100
static void wait_for_handler(const struct bk_oci_state *s, int sig)
{
	struct stat st;
	bool caught, ns_init;

	if (sig == SIGKILL || sig == SIGSTOP || stat(s->dir, &st) < 0)
		return;
	for (;;) {
		handler_state(s->pid, sig, &caught, &ns_init);
		if (caught || !ns_init || ms_since(&st.st_mtim) >= START_GRACE_MS)
			return;
		usleep(1000);
	}
}

int bk_oci_signal_init(const struct bk_oci_state *s, int sig)
{
	_cleanup_close_ int fd = open_init(s);

	if (fd < 0)
		return -1;
	wait_for_handler(s, sig);
	BK_TRACE("pidfd_send_signal(pidfd of %d, SIG%s)", (int)s->pid, sigabbrev_np(sig) ?: "?");
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
		return bk_fail_errno(errno, "signal %d", (int)s->pid);
	return 0;
}

int bk_oci_signal_all(const struct bk_oci_state *s, int sig)
{
	struct bk_cgroup g;
	int n;

	if (bk_oci_group_open(s, &g) < 0)
		return -1;
	n = bk_cg_signal(&g, sig);
	bk_cg_close(&g);
	return n < 0 ? -1 : 0;
}

/* SIGKILL through the pidfd and wait until it is a zombie or gone. */
static int kill_and_wait(const struct bk_oci_state *s)
{
	_cleanup_close_ int fd = open_init(s);
	struct pollfd p;

	if (fd < 0)
		return 0;   /* gone already */
	BK_TRACE("pidfd_send_signal(pidfd of %d, SIGKILL); poll until it ends", (int)s->pid);
	if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return bk_fail_errno(errno, "kill %d", (int)s->pid);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (poll(&p, 1, KILL_TIMEOUT_MS) < 0 && errno == EINTR)
		;
	if (!(p.revents & POLLIN))
		return bk_fail("container %s: its first process did not end within %d ms", s->id,
			       KILL_TIMEOUT_MS);
	return 0;
}

void bk_oci_saved_hooks(const struct bk_oci_state *s, int k, enum bk_oci_status st, char **warning)
{
	char path[PATH_MAX];
	struct bk_oci_config c;
	_cleanup_free_ char *state = NULL;

	*warning = NULL;
	bk_oci_state_file(s, "config.json", path);
	if (bk_oci_config_load(s->bundle, path, &c) < 0) {
		if (asprintf(warning, "%s hooks: %s", bk_oci_hook_name(k), bk_error()) < 0)
			*warning = NULL;
		return;
	}
	if (c.hooks.n[k] && (state = bk_oci_state_json(s, st, false)) &&
	    bk_oci_hooks_run(&c.hooks, k, state) < 0)
		*warning = strdup(bk_error());
	bk_oci_config_free(&c);
}

int bk_oci_start(const struct bk_oci_state *s, char **warning)
{
	enum bk_oci_status st = bk_oci_status_now(s);
	char fifo[PATH_MAX];

	*warning = NULL;
	if (st != BK_OCI_CREATED)
		return bk_fail("container %s is %s: only a created container starts", s->id,
			       bk_oci_status_name(st));
	if (bk_oci_fifo_start(bk_oci_state_file(s, "exec.fifo", fifo)) < 0)
		return bk_fail_wrap("start %s", s->id);
	bk_oci_saved_hooks(s, BK_HOOK_POSTSTART, BK_OCI_RUNNING, warning);
	return 0;
}

int bk_oci_delete(struct bk_oci_state *s, bool force, char **warning)
{
	enum bk_oci_status st = bk_oci_status_now(s);
	struct bk_cgroup g;
	int r;

	*warning = NULL;
	if (st != BK_OCI_STOPPED && !force)
		return bk_fail("container %s is %s: stop it first, or delete --force", s->id,
			       bk_oci_status_name(st));
	if (st != BK_OCI_STOPPED && kill_and_wait(s) < 0)
		return -1;
	if (bk_cg_init() < 0 || bk_oci_group_open(s, &g) < 0)
		return -1;
	r = bk_cg_exists_any(&g) ? bk_cg_kill(&g, KILL_TIMEOUT_MS) : 0;
	if (r == 0)
		r = bk_cg_delete(&g, true);
	bk_cg_close(&g);
	if (r < 0 || (s->host_mounts && bk_rootfs_unmount_below(s->rootfs) < 0))
		return -1;
	bk_oci_group_unmake(s);
	bk_oci_saved_hooks(s, BK_HOOK_POSTSTOP, BK_OCI_STOPPED, warning);
	return bk_oci_state_remove(s);
}
