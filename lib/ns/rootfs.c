/* rootfs: root switch and the mounts inside a container root (rootfs.h). */
#include "ns/rootfs.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *const dev_nodes[BK_DEV_NODES] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

/* runc's defaults: hidden (masked) and read-only paths. */
static const char *const masked_paths[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
	"/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const struct bk_flag_name ms_names[] = {
	{ MS_RDONLY, "MS_RDONLY" }, { MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" }, { MS_NOEXEC, "MS_NOEXEC" },
	{ MS_REMOUNT, "MS_REMOUNT" }, { MS_BIND, "MS_BIND" },
	{ MS_REC, "MS_REC" }, { MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" }, { MS_SHARED, "MS_SHARED" },
	{ MS_UNBINDABLE, "MS_UNBINDABLE" }, { MS_STRICTATIME, "MS_STRICTATIME" },
	{ MS_NOATIME, "MS_NOATIME" }, { MS_NODIRATIME, "MS_NODIRATIME" },
	{ MS_RELATIME, "MS_RELATIME" }, { MS_SYNCHRONOUS, "MS_SYNCHRONOUS" },
	{ MS_DIRSYNC, "MS_DIRSYNC" }, { MS_LAZYTIME, "MS_LAZYTIME" },
};

int bk_mount(const char *src, const char *dst, const char *type,
	     unsigned long flags, const char *data)
{
	char fl[160];

	BK_FLAGS_STR(flags, ms_names, fl);
	BK_TRACE("mount(%s%s%s, \"%s\", %s%s%s, %s, %s%s%s)",
		 src ? "\"" : "", src ? src : "NULL", src ? "\"" : "", dst,
		 type ? "\"" : "", type ? type : "NULL", type ? "\"" : "", fl,
		 data ? "\"" : "", data ? data : "NULL", data ? "\"" : "");
	if (mount(src, dst, type, flags, data) < 0)
		return bk_fail_errno(errno, "mount %s on %s", type ? type : src ? src : "(none)", dst);
	return 0;
}

static const struct bk_flag_name attr_names[] = {
	{ MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY" }, { MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID" },
	{ MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV" }, { MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC" },
	{ MOUNT_ATTR_NOATIME, "MOUNT_ATTR_NOATIME" }, { MOUNT_ATTR_STRICTATIME, "MOUNT_ATTR_STRICTATIME" },
	{ MOUNT_ATTR_NODIRATIME, "MOUNT_ATTR_NODIRATIME" },
};

int bk_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t attrs)
{
	/* an atime mode replaces the mount's: the kernel wants the field cleared */
	struct mount_attr attr = { .attr_set = attrs,
				   .attr_clr = (attrs & MOUNT_ATTR__ATIME) ? MOUNT_ATTR__ATIME : 0 };
	char names[120];

	BK_FLAGS_STR(attrs, attr_names, names);
	BK_TRACE("mount_setattr(%s, %s%s)", path, flags & AT_RECURSIVE ? "AT_RECURSIVE, " : "", names);
	if (mount_setattr(dirfd, dirfd >= 0 ? "" : path, flags, &attr, sizeof(attr)) < 0)
		return bk_fail_errno(errno, "mount_setattr %s on %s", names, path);
	return 0;
}

static int set_readonly(int dirfd, const char *path, unsigned flags)
{
	return bk_mount_setattr(dirfd, path, flags | AT_RECURSIVE, MOUNT_ATTR_RDONLY);
}

/* A detached copy of the mount tree at path (a bind mount not yet placed),
 * with attrs (MOUNT_ATTR_RDONLY, _NODEV) set on the whole copy; with one,
 * the mount at path alone. */
static int clone_path(const char *path, uint64_t attrs, bool one)
{
	int fd;

	BK_TRACE("open_tree(\"%s\", OPEN_TREE_CLONE%s)", path, one ? "" : "|AT_RECURSIVE");
	fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (one ? 0 : AT_RECURSIVE));
	if (fd < 0)
		return bk_fail_errno(errno, "bind source %s", path);
	if (attrs && bk_mount_setattr(fd, path, AT_EMPTY_PATH | AT_RECURSIVE, attrs) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int clone_tree(const char *path, uint64_t attrs)
{
	return clone_path(path, attrs, false);
}

static int place_tree(int fd, const char *dst)
{
	BK_TRACE("move_mount(tree, \"%s\")", dst);
	if (move_mount(fd, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return bk_fail_errno(errno, "bind mount on %s", dst);
	return 0;
}

void bk_rootfs_init(struct bk_rootfs *r)
{
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < BK_DEV_NODES; i++)
		r->dev_fd[i] = -1;
	r->sys_fd = -1;
}

void bk_rootfs_release(struct bk_rootfs *r)
{
	for (int i = 0; i < BK_DEV_NODES; i++)
		bk_closep(&r->dev_fd[i]);
	bk_closep(&r->sys_fd);
	for (size_t i = 0; i < r->nmounts; i++)
		bk_closep(&r->mounts[i].tree_fd);
	bk_cgns_release(&r->cg);
	bk_rootfs_init(r);
}

static bool is_type(const struct bk_mountreq *m, const char *type)
{
	return m->type && !strcmp(m->type, type);
}

static int clone_sources(struct bk_rootfs *r)
{
	char path[64];

	for (size_t i = 0; i < r->nmounts; i++) {
		struct bk_mountreq *m = &r->mounts[i];
		m->tree_fd = -1;
		m->early = false;
		uint64_t attrs = (m->ro ? MOUNT_ATTR_RDONLY : 0) | m->attrs |
				 (r->nodev && !m->device ? MOUNT_ATTR_NODEV : 0);
		if (r->in_order)
			continue;
		/* a sysfs the kernel will not give (user namespace, host's
		 * network namespace) is the host's, read-only */
		if (is_type(m, "sysfs") && r->sys_needs_bind)
			m->tree_fd = clone_tree("/sys", attrs | MOUNT_ATTR_RDONLY);
		else if (m->src && !m->type)
			m->tree_fd = clone_path(m->src, attrs, m->bind_one);
		if (m->tree_fd < 0 && (is_type(m, "sysfs") ? r->sys_needs_bind : m->src && !m->type))
			return -1;
	}
	for (int i = 0; (r->dev || r->dev_nodes) && i < BK_DEV_NODES; i++) {
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		if ((r->dev_fd[i] = clone_tree(path, 0)) < 0)
			return -1;
	}
	if (r->sys && r->sys_needs_bind && (r->sys_fd = clone_tree("/sys", MOUNT_ATTR_RDONLY)) < 0)
		return -1;
	return r->cg.bind ? bk_cgns_clone(&r->cg) : 0;
}

/* "a/b/../c" -> "a/c", with ".." at the top staying there (as the
 * kernel resolves it inside a root); into out, no leading '/'. */
static void fold_in_root(const char *path, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (const char *p = path; *p;) {
		size_t k = strcspn(p, "/");
		if (k == 2 && !strncmp(p, "..", 2)) {
			while (used > 0 && out[used - 1] != '/')
				used--;
			used = used ? used - 1 : 0;
			out[used] = '\0';
		} else if (k && !(k == 1 && *p == '.') && used + k + 2 < len) {
			used += (size_t)snprintf(out + used, len - used, "%s%.*s", used ? "/" : "", (int)k, p);
		}
		p += k;
		p += strspn(p, "/");
	}
}

/* mkdir -p of rel inside the root, each component resolved as if root
 * were "/": a symbolic link met on the way (an image's /var/run -> /run,
 * dangling or not) is followed inside the root, and what it names is
 * made there. */
static int mkdir_in_root(int rootfd, const char *rel, int depth)
{
	char prefix[PATH_MAX], link[PATH_MAX], next[3 * PATH_MAX + 4], folded[PATH_MAX];
	size_t n = strlen(rel);

	if (depth > 16)
		return bk_fail_errno(ELOOP, "mount point %s", rel);
	if (n >= sizeof(prefix))
		return bk_fail("mount point %s: path too long", rel);
	for (size_t i = 1; i <= n; i++) {
		if (rel[i] != '/' && rel[i] != '\0')
			continue;
		snprintf(prefix, sizeof(prefix), "%.*s", (int)i, rel);
		_cleanup_close_ int have = bk_open_beneath(rootfd, prefix, O_PATH | O_DIRECTORY, 0);
		if (have >= 0)
			continue;
		if (errno != ENOENT)
			return bk_fail_wrap("mount point");
		char *slash = strrchr(prefix, '/');
		const char *name = slash ? slash + 1 : prefix;
		if (slash)
			*slash = '\0';
		_cleanup_close_ int parent = slash ? bk_open_beneath(rootfd, prefix, O_PATH | O_DIRECTORY, 0)
						   : dup(rootfd);
		if (parent < 0)
			return bk_fail_wrap("mount point");
		if (mkdirat(parent, name, 0755) == 0)
			continue;
		ssize_t k = errno == EEXIST ? readlinkat(parent, name, link, sizeof(link) - 1) : -1;
		if (k < 0)
			return bk_fail_errno(errno == EINVAL ? EEXIST : errno, "mount point %s", rel);
		link[k] = '\0';
		snprintf(next, sizeof(next), "%s/%s/%s", link[0] == '/' || !slash ? "" : prefix, link, rel + i);
		if (strlen(next) >= sizeof(folded))
			return bk_fail("mount point %s: path too long", rel);
		fold_in_root(next, folded, sizeof(folded));
		return mkdir_in_root(rootfd, folded, depth + 1);
	}
	return 0;
}

/* The directory rel inside the new root, made (parents too) if missing,
 * opened with symlinks resolved as if root were "/". */
static int open_root_dir(const char *root, const char *rel)
{
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return bk_fail_errno(errno, "open %s", root);
	if (mkdir_in_root(rootfd, rel, 0) < 0)
		return bk_fail_wrap("%s", root);
	return bk_open_beneath(rootfd, rel, O_PATH | O_DIRECTORY, 0);
}

/* proc and sysfs go in before the root switch: inside a user namespace
 * the kernel only allows them while a full proc/sysfs is still visible
 * (mount_too_revealing), i.e. while the old root is attached. rel is the
 * target inside the root (no leading '/'). */
static int mount_early(struct bk_rootfs *r, const char *rel, const char *src, const char *type,
		       unsigned long flags, const char *data)
{
	char target[PATH_MAX], fdpath[64], fl[160];
	_cleanup_close_ int fd = open_root_dir(r->root, rel);

	if (fd < 0)
		return -1;
	snprintf(target, sizeof(target), "%s/%s", r->root, rel);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	if (!strcmp(type, "sysfs") && r->sys_fd >= 0) {
		BK_TRACE("move_mount(tree of /sys, \"%s\")", target);
		if (move_mount(r->sys_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return bk_fail_errno(errno, "bind /sys on %s", target);
		return 0;
	}
	BK_FLAGS_STR(flags, ms_names, fl);
	BK_TRACE("mount(\"%s\", \"%s\", \"%s\", %s%s%s%s)", src, target, type, fl,
		 data ? ", \"" : "", data ? data : "", data ? "\"" : "");
	if (mount(src, fdpath, type, flags, data) < 0)
		return bk_fail_errno(errno, "mount %s on %s", type, target);
	return 0;
}

/* The file rel inside the new root (an empty one made if missing, its
 * directory too) as an O_PATH fd; a symbolic link there is the link
 * itself: a bind on it hides it, nothing is made where it points. */
static int open_root_file(const char *root, const char *rel)
{
	const char *base = strrchr(rel, '/');
	_cleanup_free_ char *dir = base ? strndup(rel, (size_t)(base - rel)) : NULL;
	_cleanup_close_ int parent = base ? open_root_dir(root, dir) : open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd;

	base = base ? base + 1 : rel;
	if (parent < 0)
		return base == rel ? bk_fail_errno(errno, "open %s", root) : -1;
	fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mknodat(parent, base, S_IFREG | 0644, 0) == 0)
		fd = openat(parent, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bk_fail_errno(errno, "mount point %s/%s", root, rel);
	return fd;
}

/* A bind of an in-order list: cloned now, placed on the target opened
 * inside the root (a directory or a file, as the source is). */
static int bind_in_root(struct bk_rootfs *r, const struct bk_mountreq *m, const char *rel)
{
	uint64_t attrs = (m->ro ? MOUNT_ATTR_RDONLY : 0) | m->attrs;
	_cleanup_close_ int tree = m->type ? clone_tree("/sys", attrs | MOUNT_ATTR_RDONLY)
					   : clone_path(m->src, attrs, m->bind_one);
	struct stat st;

	if (tree < 0)
		return -1;
	if (fstat(tree, &st) < 0)
		return bk_fail_errno(errno, "bind source %s", m->src);
	_cleanup_close_ int target = S_ISDIR(st.st_mode) ? open_root_dir(r->root, rel)
							  : open_root_file(r->root, rel);
	if (target < 0)
		return -1;
	BK_TRACE("move_mount(tree, \"%s/%s\")", r->root, rel);
	if (move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return bk_fail_errno(errno, "bind mount on %s", m->dst);
	return 0;
}

/* A file system of an in-order list, mounted through the target's fd. */
static int fs_in_root(struct bk_rootfs *r, const struct bk_mountreq *m, const char *rel)
{
	_cleanup_close_ int target = open_root_dir(r->root, rel);
	char fdpath[64], fl[160];

	if (target < 0)
		return -1;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", target);
	BK_FLAGS_STR(m->flags, ms_names, fl);
	BK_TRACE("mount(\"%s\", \"%s/%s\", \"%s\", %s%s%s%s)", m->src ? m->src : m->type, r->root,
		 rel, m->type, fl, m->data ? ", \"" : "", m->data ? m->data : "", m->data ? "\"" : "");
	if (mount(m->src ? m->src : m->type, fdpath, m->type, m->flags, m->data) < 0)
		return bk_fail_errno(errno, "mount %s on %s", m->type, m->dst);
	return 0;
}

/* The propagation goes on the mount now found at the target. */
static int propagation_in_root(struct bk_rootfs *r, const struct bk_mountreq *m, const char *rel)
{
	_cleanup_close_ int rootfd = open(r->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int top = rootfd < 0 ? -1 : bk_open_beneath(rootfd, rel, O_PATH | O_NOFOLLOW, 0);
	char fdpath[64], fl[160];

	if (top < 0)
		return bk_fail_wrap("propagation of %s", m->dst);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", top);
	BK_FLAGS_STR(m->propagation, ms_names, fl);
	BK_TRACE("mount(NULL, \"%s/%s\", NULL, %s, NULL)", r->root, rel, fl);
	if (mount(NULL, fdpath, NULL, m->propagation, NULL) < 0)
		return bk_fail_errno(errno, "propagation of %s", m->dst);
	return 0;
}

/* One request of an in-order list, before the switch. */
static int mount_in_root(struct bk_rootfs *r, struct bk_mountreq *m, const char *rel)
{
	int rc = !m->type || (is_type(m, "sysfs") && r->sys_needs_bind) ? bind_in_root(r, m, rel)
									 : fs_in_root(r, m, rel);

	if (rc < 0)
		return -1;
	m->early = true;
	return m->propagation ? propagation_in_root(r, m, rel) : 0;
}

/* Before the switch: nsrun's proc and sysfs, or an OCI list in order
 * (its cgroup mounts wait for the switch: the view is built in place). */
static int mount_early_list(struct bk_rootfs *r)
{
	for (size_t i = 0; i < r->nmounts; i++) {
		struct bk_mountreq *m = &r->mounts[i];
		_cleanup_free_ char *clean = bk_path_join("/", m->dst);
		const char *rel = clean ? clean + 1 : NULL;

		if (!rel)
			return bk_fail_wrap("mount %s", m->dst);
		if (r->in_order) {
			if (is_type(m, "cgroup"))
				continue;
			if (!*rel)
				return bk_fail("mount on /: not allowed (the root is root.path)");
			if (mount_in_root(r, m, rel) < 0)
				return -1;
			continue;
		}
		if (m->tree_fd >= 0 || !(is_type(m, "proc") || is_type(m, "sysfs")))
			continue;
		if (!*rel)
			return bk_fail("mount %s on /: not allowed", m->type);
		if (mount_early(r, rel, m->src ? m->src : m->type, m->type, m->flags, m->data) < 0)
			return -1;
		m->early = true;
	}
	return 0;
}

/* The propagation "/" starts with. pivot_root refuses a shared new root
 * and a bind of an unbindable one fails: those two begin as rslave and
 * rprivate and become what was asked after the switch (enter). */
static unsigned long start_propagation(unsigned long want)
{
	if (want & MS_SHARED)
		return MS_SLAVE | MS_REC;
	if (want & MS_UNBINDABLE)
		return MS_PRIVATE | MS_REC;
	return want;
}

int bk_rootfs_prepare(struct bk_rootfs *r)
{
	/* The caller made the new namespace's mounts private (nsrun did,
	 * right after unshare), or asks for a propagation here: nothing done
	 * below propagates to the host. */
	if (r->propagation && bk_mount(NULL, "/", NULL, start_propagation(r->propagation), NULL) < 0)
		return -1;
	if (clone_sources(r) < 0)
		return -1;
	if (!r->root)
		return 0;
	/* pivot_root needs the root to be a mount; so does nodev (an
	 * attribute of a mount) */
	if ((!r->use_chroot || r->nodev) && bk_mount(r->root, r->root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	if (r->nodev && bk_mount_setattr(AT_FDCWD, r->root, AT_RECURSIVE, MOUNT_ATTR_NODEV) < 0)
		return -1;
	if (r->proc && mount_early(r, "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return -1;
	if (r->sys && mount_early(r, "sys", "sysfs", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				  NULL) < 0)
		return -1;
	return mount_early_list(r);
}

static int enter_pivot(const char *root)
{
	BK_TRACE("chdir(\"%s\")", root);
	if (chdir(root) < 0)
		return bk_fail_errno(errno, "chdir %s", root);
	BK_TRACE("pivot_root(\".\", \".\")");
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		if (errno == EINVAL)
			return bk_fail_errno(errno, "pivot_root %s (is / an initramfs? use --chroot)", root);
		return bk_fail_errno(errno, "pivot_root %s", root);
	}
	/* The old root now sits on top of the new one: detach it, so nothing
	 * of the host stays reachable from inside. */
	BK_TRACE("umount2(\".\", MNT_DETACH)");
	if (umount2(".", MNT_DETACH) < 0)
		return bk_fail_errno(errno, "detach the old root");
	BK_TRACE("chdir(\"/\")");
	if (chdir("/") < 0)
		return bk_fail_errno(errno, "chdir /");
	return 0;
}

static int enter_chroot(const char *root)
{
	BK_TRACE("chroot(\"%s\")", root);
	if (chroot(root) < 0)
		return bk_fail_errno(errno, "chroot %s", root);
	BK_TRACE("chdir(\"/\")");
	if (chdir("/") < 0)
		return bk_fail_errno(errno, "chdir /");
	return 0;
}

int bk_rootfs_enter(struct bk_rootfs *r)
{
	if (!r->root)
		return 0;
	if (r->use_chroot)
		return enter_chroot(r->root);
	if (enter_pivot(r->root) < 0)
		return -1;
	if (r->propagation && r->propagation != start_propagation(r->propagation))
		return bk_mount(NULL, "/", NULL, r->propagation, NULL);
	return 0;
}

static int make_dir(const char *path)
{
	if (bk_mkdir_p(path, 0755) < 0)
		return bk_fail_wrap("mount point");
	return 0;
}

/* An empty file to bind a non-directory onto. A symbolic link already
 * there (an image's /etc/hosts -> elsewhere, dangling or not) is mounted
 * over itself: the bind hides it and nothing is made where it points. */
static int make_file(const char *path)
{
	char parent[PATH_MAX];
	char *slash;
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return 0;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (make_dir(parent) < 0)
			return -1;
	}
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0 && errno != EISDIR)
		return bk_fail_errno(errno, "mount point %s", path);
	return 0;
}

static int mount_proc(void)
{
	if (make_dir("/proc") < 0)
		return -1;
	return bk_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

/* With skip_existing, a link already there (a /dev from the host) stays. */
static int dev_links(bool skip_existing)
{
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
		{ "pts/ptmx", "/dev/ptmx" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		BK_TRACE("symlink(\"%s\", \"%s\")", links[i][0], links[i][1]);
		if (symlink(links[i][0], links[i][1]) < 0 && !(skip_existing && errno == EEXIST))
			return bk_fail_errno(errno, "symlink %s", links[i][1]);
	}
	return 0;
}

/* The standard nodes, binds of the host's, where a node is not there yet
 * (a /dev bound from the host has them all). */
static int dev_place_nodes(struct bk_rootfs *r)
{
	char path[64];
	struct stat st;

	for (int i = 0; i < BK_DEV_NODES; i++) {
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		if (r->dev_nodes && lstat(path, &st) == 0)
			continue;
		if (make_file(path) < 0 || place_tree(r->dev_fd[i], path) < 0)
			return -1;
	}
	return 0;
}

static int mount_dev(struct bk_rootfs *r)
{
	if (make_dir("/dev") < 0 ||
	    bk_mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME | (r->nodev ? MS_NODEV : 0),
		     "mode=755,size=65536k") < 0)
		return -1;
	if (dev_place_nodes(r) < 0)
		return -1;
	if (make_dir("/dev/pts") < 0 ||
	    bk_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		     "newinstance,ptmxmode=0666,mode=620") < 0)
		return -1;
	if (make_dir("/dev/shm") < 0 ||
	    bk_mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") < 0)
		return -1;
	return dev_links(false);
}

static int mount_sys(struct bk_rootfs *r)
{
	if (make_dir("/sys") < 0)
		return -1;
	if (r->sys_fd >= 0)
		return place_tree(r->sys_fd, "/sys");
	if (bk_mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
		return 0;
	if (errno != EBUSY)
		return -1;
	/* Same network namespace as the /sys already there: the kernel
	 * refuses a second sysfs on top; a read-only bind of it is the same. */
	if (bk_mount("/sys", "/sys", NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return set_readonly(AT_FDCWD, "/sys", 0);
}

static int mount_typed(const struct bk_rootfs *r, const struct bk_mountreq *m)
{
	if (is_type(m, "cgroup"))
		return bk_cgns_mount(&r->cg, m->dst);
	if (make_dir(m->dst) < 0)
		return -1;
	return bk_mount(m->src ? m->src : m->type, m->dst, m->type, m->flags, m->data);
}

static int mount_request(const struct bk_rootfs *r, const struct bk_mountreq *m)
{
	struct stat st;
	int rc;

	if (m->early)
		return 0;
	if (m->type && m->tree_fd < 0)
		rc = mount_typed(r, m);
	else if (!m->src)
		rc = make_dir(m->dst) < 0 ? -1 :
		     bk_mount("tmpfs", m->dst, "tmpfs", MS_NOSUID | MS_NODEV | (m->ro ? MS_RDONLY : 0), "mode=755");
	else if (fstat(m->tree_fd, &st) < 0)
		rc = bk_fail_errno(errno, "bind source %s", m->src);
	else
		rc = (S_ISDIR(st.st_mode) ? make_dir(m->dst) : make_file(m->dst)) < 0 ? -1 :
		     place_tree(m->tree_fd, m->dst);
	if (rc == 0 && m->propagation)
		rc = bk_mount(NULL, m->dst, NULL, m->propagation, NULL);
	return rc;
}

static int mask_path(const char *path, bool have_sys)
{
	struct stat st;

	if (!strncmp(path, "/sys/", 5) && !have_sys)
		return 0;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "mask %s", path);
	if (S_ISDIR(st.st_mode))
		return bk_mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0");
	return bk_mount("/dev/null", path, NULL, MS_BIND, NULL);
}

static int readonly_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "read-only %s", path);
	if (bk_mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	return set_readonly(AT_FDCWD, path, 0);
}

/* runc's lists, or the caller's (an OCI config's maskedPaths and
 * readonlyPaths, which name /sys paths even without a /sys of its own:
 * those are masked then too). */
static int mask_proc(const struct bk_rootfs *r)
{
	const char *const *masked = r->masked ? r->masked : masked_paths;
	const char *const *ro = r->readonly ? r->readonly : readonly_paths;
	size_t nmasked = r->masked ? r->nmasked : ARRAY_SIZE(masked_paths);
	size_t nro = r->readonly ? r->nreadonly : ARRAY_SIZE(readonly_paths);
	struct stat st;

	if (nmasked && (stat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode) ||
			major(st.st_rdev) != 1 || minor(st.st_rdev) != 3))
		return bk_fail("--mask-proc: /dev/null is not the null device (add --mount-dev)");
	for (size_t i = 0; i < nmasked; i++)
		if (mask_path(masked[i], r->sys || r->masked) < 0)
			return -1;
	for (size_t i = 0; i < nro; i++)
		if (readonly_path(ro[i]) < 0)
			return -1;
	return 0;
}

static const char *devnode_type(char t, mode_t *mode)
{
	*mode = t == 'b' ? S_IFBLK : t == 'p' ? S_IFIFO : S_IFCHR;
	return t == 'b' ? "S_IFBLK" : t == 'p' ? "S_IFIFO" : "S_IFCHR";
}

/* mknod, replacing what is there (a standard node the config redefines). */
static int make_node(const struct bk_devnode *d)
{
	char parent[PATH_MAX];
	mode_t type;
	const char *tname = devnode_type(d->type, &type);
	char *slash;

	snprintf(parent, sizeof(parent), "%s", d->path);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (make_dir(parent) < 0)
			return -1;
	}
	if (unlink(d->path) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "device %s", d->path);
	BK_TRACE("mknod(\"%s\", %s|0%o, makedev(%u, %u)); chown(%u, %u)", d->path, tname,
		 d->mode & 07777, d->major, d->minor, d->uid, d->gid);
	if (mknod(d->path, type | (d->mode & 07777), makedev(d->major, d->minor)) < 0)
		return bk_fail_errno(errno, "mknod %s", d->path);
	/* mknod obeys the umask; the config's mode is the mode */
	if (chmod(d->path, d->mode & 07777) < 0 || lchown(d->path, d->uid, d->gid) < 0)
		return bk_fail_errno(errno, "device %s", d->path);
	return 0;
}

static int make_devnodes(const struct bk_rootfs *r)
{
	if (r->dev_nodes && (dev_place_nodes((struct bk_rootfs *)r) < 0 || dev_links(true) < 0))
		return -1;
	for (size_t i = 0; i < r->ndevnodes; i++)
		if (make_node(&r->devnodes[i]) < 0)
			return -1;
	return 0;
}

int bk_rootfs_populate(struct bk_rootfs *r)
{
	if (r->proc && !r->root && mount_proc() < 0)
		return -1;
	if (r->dev && mount_dev(r) < 0)
		return -1;
	if (r->sys && !r->root && mount_sys(r) < 0)
		return -1;
	if (r->cgroup && bk_cgns_mount(&r->cg, "/sys/fs/cgroup") < 0)
		return -1;
	for (size_t i = 0; i < r->nmounts; i++)
		if (mount_request(r, &r->mounts[i]) < 0)
			return -1;
	if (make_devnodes(r) < 0)
		return -1;
	if (r->mask_proc && mask_proc(r) < 0)
		return -1;
	if (r->ro_root)
		return bk_mount_setattr(AT_FDCWD, "/", 0, MOUNT_ATTR_RDONLY);
	return 0;
}

static int chdir_in_root(const char *dir, bool make)
{
	char path[PATH_MAX], cwd[PATH_MAX] = "";
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int n;

	if (root < 0)
		return bk_fail_errno(errno, "open /");
	if (dir[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return bk_fail_errno(errno, "workdir %s: getcwd", dir);
	n = snprintf(path, sizeof(path), "%s%s%s", cwd, cwd[0] ? "/" : "", dir);
	if (n < 0 || (size_t)n >= sizeof(path))
		return bk_fail("workdir %s: path too long", dir);
	/* made when missing, as runc does, each level resolved in the root */
	BK_TRACE("openat2(\"/\", \"%s\", RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS)%s; fchdir",
		 path, make ? " (mkdirat if missing)" : "");
	_cleanup_close_ int fd = make ? bk_mkdir_beneath(root, path, 0755)
				      : bk_open_beneath(root, path, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return bk_fail_errno(errno, "workdir %s", dir);
	if (fchdir(fd) < 0)
		return bk_fail_errno(errno, "workdir %s", dir);
	/* getcwd fails (ENOENT) for a cwd the root cannot reach. */
	if (!getcwd(cwd, sizeof(cwd)))
		return bk_fail_errno(errno, "workdir %s: not reachable from the root", dir);
	return 0;
}

int bk_rootfs_chdir(const char *dir)
{
	return chdir_in_root(dir, true);
}

int bk_rootfs_chdir_existing(const char *dir)
{
	return chdir_in_root(dir, false);
}

/* mountinfo's octal escapes (\040 for a space) undone in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int bk_rootfs_unmount_below(const char *dir)
{
	_cleanup_free_ char *info = bk_read_small("/proc/self/mountinfo", 1 << 22);
	size_t n = strlen(dir), count = 0;
	char *lines[4096];

	if (!info)
		return -1;
	for (char *save = NULL, *l = strtok_r(info, "\n", &save); l && count < 4096; l = strtok_r(NULL, "\n", &save)) {
		char *f = l;
		for (int i = 0; i < 4 && f; i++)
			f = strchr(f, ' ') ? strchr(f, ' ') + 1 : NULL;
		if (!f)
			continue;
		f[strcspn(f, " ")] = '\0';
		unescape(f);
		if (!strncmp(f, dir, n) && f[n] == '/')
			lines[count++] = f;
	}
	while (count--) {
		BK_TRACE("umount2(\"%s\", MNT_DETACH)", lines[count]);
		if (umount2(lines[count], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
			return bk_fail_errno(errno, "umount %s", lines[count]);
	}
	return 0;
}
