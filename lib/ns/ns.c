/* ns: unshare/setns with traces, and joining a running process (ns.h). */
#include "ns/ns.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	int flag;
	const char *name;
	const char *flag_name;
} kinds[BK_NS_COUNT] = {
	[BK_NS_USER] = { CLONE_NEWUSER, "user", "CLONE_NEWUSER" },
	[BK_NS_CGROUP] = { CLONE_NEWCGROUP, "cgroup", "CLONE_NEWCGROUP" },
	[BK_NS_IPC] = { CLONE_NEWIPC, "ipc", "CLONE_NEWIPC" },
	[BK_NS_UTS] = { CLONE_NEWUTS, "uts", "CLONE_NEWUTS" },
	[BK_NS_NET] = { CLONE_NEWNET, "net", "CLONE_NEWNET" },
	[BK_NS_PID] = { CLONE_NEWPID, "pid", "CLONE_NEWPID" },
	[BK_NS_TIME] = { CLONE_NEWTIME, "time", "CLONE_NEWTIME" },
	[BK_NS_MNT] = { CLONE_NEWNS, "mnt", "CLONE_NEWNS" },
};

int bk_ns_flag(enum bk_ns_kind k)
{
	return kinds[k].flag;
}

const char *bk_ns_name(enum bk_ns_kind k)
{
	return kinds[k].name;
}

const char *bk_ns_flags_str(int flags, char *buf, unsigned len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < BK_NS_COUNT; k++) {
		if (!(flags & kinds[k].flag))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "|" : "",
				 kinds[k].flag_name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	return buf;
}

/* A new mount namespace shares nothing back, as with unshare(1): on a
 * host whose / is shared (systemd's default), a mount made inside would
 * otherwise propagate to the host and outlive the namespace. */
static int mounts_private(void)
{
	BK_TRACE("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return bk_fail_errno(errno, "make the new mount namespace private");
	return 0;
}

int bk_ns_unshare(int flags)
{
	char names[200];

	bk_ns_flags_str(flags, names, sizeof(names));
	BK_TRACE("unshare(%s)", names);
	if (unshare(flags) < 0)
		return bk_fail_errno(errno, "unshare(%s)", names);
	return (flags & CLONE_NEWNS) ? mounts_private() : 0;
}

int bk_ns_loopback_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	_cleanup_close_ int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	BK_TRACE("ioctl(socket, SIOCSIFFLAGS, lo, IFF_UP)");
	if (sk < 0)
		return bk_fail_errno(errno, "socket");
	if (ioctl(sk, SIOCGIFFLAGS, &ifr) < 0)
		return bk_fail_errno(errno, "lo: SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sk, SIOCSIFFLAGS, &ifr) < 0)
		return bk_fail_errno(errno, "lo up");
	return 0;
}

static int join_fd(int fd, const char *what, enum bk_ns_kind k)
{
	BK_TRACE("setns(open(\"%s\"), %s)", what, kinds[k].flag_name);
	if (setns(fd, kinds[k].flag) < 0)
		return bk_fail_errno(errno, "setns %s (%s namespace)", what, kinds[k].name);
	return 0;
}

int bk_ns_join_path(const char *path, enum bk_ns_kind k)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bk_fail_errno(errno, "%s namespace %s", kinds[k].name, path);
	return join_fd(fd, path, k);
}

static bool same_ns(pid_t pid, enum bk_ns_kind k)
{
	char path[64];
	struct stat mine, theirs;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kinds[k].name);
	if (stat(path, &theirs) < 0)
		return true; /* kernel without this kind: nothing to join */
	snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[k].name);
	if (stat(path, &mine) < 0)
		return false;
	return mine.st_dev == theirs.st_dev && mine.st_ino == theirs.st_ino;
}

static int open_proc(pid_t pid, const char *rel, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, rel);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return bk_fail_errno(errno, "%s", path);
	return fd;
}

static int open_target_fds(struct bk_ns_target *t, unsigned mask)
{
	char rel[32];

	for (int k = 0; k < BK_NS_COUNT; k++) {
		bool wanted = mask ? (mask & (1u << k)) : !same_ns(t->pid, k);
		if (!wanted)
			continue;
		snprintf(rel, sizeof(rel), "ns/%s", kinds[k].name);
		t->fd[k] = open_proc(t->pid, rel, O_RDONLY);
		if (t->fd[k] < 0)
			return -1;
	}
	return 0;
}

void bk_ns_target_init(struct bk_ns_target *t)
{
	t->pid = 0;
	t->root_fd = t->cwd_fd = -1;
	t->root_dir = t->cwd_dir = NULL;
	for (int k = 0; k < BK_NS_COUNT; k++)
		t->fd[k] = -1;
}

int bk_ns_target_open(struct bk_ns_target *t, pid_t pid, unsigned mask)
{
	bk_ns_target_init(t);
	t->pid = pid;
	if (pid <= 0 || (kill(pid, 0) < 0 && errno == ESRCH))
		return bk_fail("target %d: no such process", (int)pid);
	if (open_target_fds(t, mask) < 0) {
		bk_ns_target_close(t);
		return -1;
	}
	return 0;
}

/* PID's /proc/PID/<rel> directory, or dir as given. */
static int open_dir(const struct bk_ns_target *t, const char *rel, const char *dir)
{
	int fd;

	if (!dir)
		return open_proc(t->pid, rel, O_PATH | O_DIRECTORY);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bk_fail_errno(errno, "%s %s", rel, dir);
	return fd;
}

int bk_ns_target_take_root(struct bk_ns_target *t, const char *dir)
{
	bk_closep(&t->root_fd);
	t->root_fd = open_dir(t, "root", dir);
	t->root_dir = dir;
	return t->root_fd < 0 ? -1 : 0;
}

int bk_ns_target_take_cwd(struct bk_ns_target *t, const char *dir)
{
	bk_closep(&t->cwd_fd);
	t->cwd_fd = open_dir(t, "cwd", dir);
	t->cwd_dir = dir;
	return t->cwd_fd < 0 ? -1 : 0;
}

bool bk_ns_target_has(const struct bk_ns_target *t, enum bk_ns_kind k)
{
	return t->fd[k] >= 0;
}

/* "/proc/PID/root" or the DIR given, for traces and messages. */
static const char *dir_name(const struct bk_ns_target *t, const char *rel, const char *dir,
			    char *buf, size_t len)
{
	if (dir)
		return dir;
	snprintf(buf, len, "/proc/%d/%s", (int)t->pid, rel);
	return buf;
}

static int enter_root_cwd(const struct bk_ns_target *t)
{
	char name[64];
	const char *what;

	if (t->root_fd >= 0) {
		what = dir_name(t, "root", t->root_dir, name, sizeof(name));
		BK_TRACE("chroot(\"%s\")", what);
		if (fchdir(t->root_fd) < 0 || chroot(".") < 0)
			return bk_fail_errno(errno, "chroot to %s", what);
		if (t->cwd_fd < 0) {
			BK_TRACE("chdir(\"/\")");
			if (chdir("/") < 0)
				return bk_fail_errno(errno, "chdir to / of %s", what);
		}
	}
	if (t->cwd_fd >= 0) {
		what = dir_name(t, "cwd", t->cwd_dir, name, sizeof(name));
		BK_TRACE("chdir(\"%s\")", what);
		if (fchdir(t->cwd_fd) < 0)
			return bk_fail_errno(errno, "chdir to %s", what);
	}
	return 0;
}

int bk_ns_target_enter(struct bk_ns_target *t)
{
	char what[64];

	for (int k = 0; k < BK_NS_COUNT; k++) {
		if (t->fd[k] < 0)
			continue;
		snprintf(what, sizeof(what), "/proc/%d/ns/%s", (int)t->pid, kinds[k].name);
		if (join_fd(t->fd[k], what, k) < 0)
			return -1;
	}
	return enter_root_cwd(t);
}

void bk_ns_target_close(struct bk_ns_target *t)
{
	for (int k = 0; k < BK_NS_COUNT; k++)
		bk_closep(&t->fd[k]);
	bk_closep(&t->root_fd);
	bk_closep(&t->cwd_fd);
	bk_ns_target_init(t);
}
