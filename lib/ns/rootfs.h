/* rootfs: the filesystem view of a container. In a new mount namespace:
 * make every mount private, switch root (pivot_root(".", ".") with the old
 * root detached, or chroot), then mount /proc, a minimal /dev, a read-only
 * /sys, the cgroup tree, binds and tmpfs inside the new root, and mask
 * /proc as runc does. With nodev, the root, binds and /dev are mounted so
 * that no device node on them opens, whatever an image ships or mknod
 * makes; --device nodes are binds of their own.
 * An OCI config's view goes through the same steps: its mounts in order
 * (file systems with their flags and options, binds and rbinds with
 * theirs, a propagation each), the standard nodes and links in the /dev
 * it mounts, its device nodes, masked and read-only path lists, a
 * read-only root and the propagation of "/".
 * Mount targets are resolved after the root switch, or before it on
 * targets opened inside the new root (openat2 RESOLVE_IN_ROOT, mounted
 * through the fd), so a symlink in an untrusted rootfs can never point a
 * mount at the host. nsrun's proc and sysfs (a user namespace only gets
 * them while the host's are visible) and an OCI list (in_order: the
 * kernel numbers mounts as they are made, and a config's order must show
 * in /proc/self/mountinfo) go in before the switch; the cgroup view,
 * device nodes and masks after it. */
#ifndef BK_ROOTFS_H
#define BK_ROOTFS_H

#include "ns/cgns.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --bind SRC:DST[:ro] (src set), --tmpfs DST (src NULL) or --device
 * SRC[:DST] (device: a device node, the one mount that is not nodev).
 * An OCI mount sets type for a file system (src is then its source) or
 * leaves it NULL for a bind; nsrun leaves the fields after device 0. */
struct bk_mountreq {
	const char *src;
	const char *dst;
	bool ro;
	int tree_fd;          /* detached clone of src, made by prepare */
	bool device;
	const char *type;     /* "proc", "tmpfs"...: mount(src, dst, type, flags, data) */
	unsigned long flags;  /* type: MS_* flags */
	const char *data;     /* type: its options ("mode=755,size=65536k"), or NULL */
	bool bind_one;        /* bind: the mount at src alone (OCI "bind"), not its tree */
	uint64_t attrs;       /* bind: more MOUNT_ATTR_* for the clone (nosuid, noexec...) */
	unsigned long propagation;  /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE [|MS_REC], once placed */
	bool early;           /* mounted before the switch (set by prepare) */
};

/* A device node of an OCI config (linux.devices): mknod(2) after the
 * switch, then its owner. */
struct bk_devnode {
	const char *path;
	char type;            /* 'c', 'b' or 'p' */
	uint32_t major, minor;
	unsigned mode;        /* permission bits */
	unsigned uid, gid;
};

enum { BK_DEV_NODES = 6 };

struct bk_rootfs {
	const char *root;     /* NULL: keep the current root */
	bool use_chroot;
	bool proc, dev, sys, mask_proc;
	bool nodev;           /* root, binds and /dev: device nodes do not open */
	bool cgroup;          /* read-only /sys/fs/cgroup of the cgroup namespace */
	struct bk_cgns cg;    /* planned before unshare(CLONE_NEWCGROUP) */
	bool sys_needs_bind;  /* sysfs mount not allowed (userns, host netns) */
	struct bk_mountreq *mounts;
	size_t nmounts;
	/* OCI: */
	bool in_order;        /* the list mounted before the switch, in its order */
	bool dev_nodes;       /* the standard nodes and links in the /dev the mounts made */
	bool ro_root;         /* "/" read-only once everything is mounted */
	unsigned long propagation;  /* of "/" before anything (MS_SLAVE|MS_REC...); 0: as made */
	const char *const *masked;  /* with mask_proc: these lists instead of runc's */
	size_t nmasked;
	const char *const *readonly;
	size_t nreadonly;
	const struct bk_devnode *devnodes;
	size_t ndevnodes;
	int dev_fd[BK_DEV_NODES];
	int sys_fd;
};

void bk_rootfs_init(struct bk_rootfs *r);
/* Before the switch, in a new mount namespace already made private
 * (bk_ns_unshare): clones of bind sources and of the host's device
 * nodes, the new root bound onto itself. */
int bk_rootfs_prepare(struct bk_rootfs *r);
/* pivot_root or chroot into r->root (no-op without a root). */
int bk_rootfs_enter(struct bk_rootfs *r);
/* After the switch: proc, dev, sys, binds and tmpfs, masks. */
int bk_rootfs_populate(struct bk_rootfs *r);
void bk_rootfs_release(struct bk_rootfs *r);

/* Detach every mount below dir (not dir's own), the deepest first: what
 * a container that shared the runtime's mount namespace left there. */
int bk_rootfs_unmount_below(const char *dir);

/* chdir to DIR, resolved inside the current root with no magic links
 * (a /proc/self/fd/N cannot lead out), made when missing (as runc makes
 * a container's cwd), and check that the result is reachable from the
 * root. */
int bk_rootfs_chdir(const char *dir);
/* The same, for a DIR that must exist (runc's exec makes none). */
int bk_rootfs_chdir_existing(const char *dir);

/* mount(2), traced as a call one could re-type. */
int bk_mount(const char *src, const char *dst, const char *type,
	     unsigned long flags, const char *data);
/* mount_setattr(2) setting attrs (MOUNT_ATTR_*) on dirfd ("" path, with
 * AT_EMPTY_PATH in flags) or on path; path also names it in traces. */
int bk_mount_setattr(int dirfd, const char *path, unsigned flags, uint64_t attrs);

#endif
