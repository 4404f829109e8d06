/* netns: iproute2-compatible named network namespaces (see netns.h). */
#include "net/netns.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define SELF_NET "/proc/thread-self/ns/net"

char *bk_netns_path(const char *name_or_path)
{
	char *p;

	if (strchr(name_or_path, '/'))
		p = strdup(name_or_path);
	else if (!bk_valid_name(name_or_path, 200)) {
		bk_fail("netns '%s': invalid name (1-200 of A-Z a-z 0-9 _ . -)",
			name_or_path);
		return NULL;
	} else if (asprintf(&p, "%s/%s", BK_NETNS_DIR, name_or_path) < 0)
		p = NULL;
	if (!p)
		bk_fail_errno(ENOMEM, "netns path");
	return p;
}

bool bk_netns_is_named(const char *path)
{
	size_t n = strlen(BK_NETNS_DIR);

	return !strncmp(path, BK_NETNS_DIR "/", n + 1) &&
	       !strchr(path + n + 1, '/') && path[n + 1];
}

int bk_netns_self(void)
{
	int fd = open(SELF_NET, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bk_fail_errno(errno, "open %s", SELF_NET);
	return fd;
}

int bk_netns_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct statfs sfs;

	if (fd < 0)
		return bk_fail_errno(errno, "netns %s", path);
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return bk_fail("netns %s: not a namespace file", path);
	}
	return fd;
}

int bk_netns_enter(int fd, const char *label)
{
	BK_TRACE("setns(%s, CLONE_NEWNET)", label);
	if (setns(fd, CLONE_NEWNET) < 0)
		return bk_fail_errno(errno, "setns %s", label);
	return 0;
}

/* /run/netns must be a shared mount point so that the bind mounts made
 * under it propagate to every mount namespace (what `ip netns add` does).
 * The dir is flocked so concurrent callers bind it over itself only once. */
static int share_netns_dir(void)
{
	_cleanup_close_ int dfd = -1;

	if (mount("", BK_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return bk_fail_errno(errno, "make %s shared", BK_NETNS_DIR);
	dfd = open(BK_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || flock(dfd, LOCK_EX) < 0)
		return bk_fail_errno(errno, "lock %s", BK_NETNS_DIR);
	if (mount("", BK_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;   /* another caller made it a mount point meanwhile */
	BK_TRACE("mount(\"%s\", \"%s\", NULL, MS_BIND|MS_REC)", BK_NETNS_DIR,
		 BK_NETNS_DIR);
	if (mount(BK_NETNS_DIR, BK_NETNS_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return bk_fail_errno(errno, "bind %s", BK_NETNS_DIR);
	BK_TRACE("mount(NULL, \"%s\", NULL, MS_SHARED|MS_REC)", BK_NETNS_DIR);
	if (mount("", BK_NETNS_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return bk_fail_errno(errno, "make %s shared", BK_NETNS_DIR);
	return 0;
}

/* Called inside the new netns: bind it at path. */
static int bind_self(const char *path)
{
	BK_TRACE("mount(\"%s\", \"%s\", NULL, MS_BIND)", SELF_NET, path);
	if (mount(SELF_NET, path, "none", MS_BIND, NULL) < 0)
		return bk_fail_errno(errno, "bind netns at %s", path);
	return 0;
}

int bk_netns_create(const char *path)
{
	_cleanup_close_ int home = -1, fd = -1;

	if (mkdir(BK_NETNS_DIR, 0755) < 0 && errno != EEXIST)
		return bk_fail_errno(errno, "mkdir %s", BK_NETNS_DIR);
	if (share_netns_dir() < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return bk_fail_errno(errno, "create %s", path);
	home = bk_netns_self();
	BK_TRACE("unshare(CLONE_NEWNET)");
	if (home < 0 || unshare(CLONE_NEWNET) < 0) {
		int err = errno;
		unlink(path);
		return home < 0 ? -1 : bk_fail_errno(err, "unshare(CLONE_NEWNET)");
	}
	if (bind_self(path) < 0) {
		setns(home, CLONE_NEWNET);
		unlink(path);
		return -1;
	}
	return 0;
}

int bk_netns_delete(const char *path)
{
	BK_TRACE("umount2(\"%s\", MNT_DETACH)", path);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL) {
		if (errno == ENOENT)
			return 0;
		return bk_fail_errno(errno, "umount %s", path);
	}
	BK_TRACE("unlink(\"%s\")", path);
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			return 0;
		return bk_fail_errno(errno, "unlink %s", path);
	}
	return 1;
}
