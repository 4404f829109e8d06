/* rootfs: the filesystem view of a container. In a new mount namespace:
 * make every mount private, switch root (pivot_root(".", ".") with the old
 * root detached, or chroot), then mount /proc, a minimal /dev, a read-only
 * /sys, binds and tmpfs inside the new root, and mask /proc as runc does.
 * Mount targets are resolved after the root switch, so a symlink in an
 * untrusted rootfs can never point a mount at the host. */
#ifndef BK_ROOTFS_H
#define BK_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

/* --bind SRC:DST[:ro] (src set) or --tmpfs DST (src NULL). */
struct bk_mountreq {
	const char *src;
	const char *dst;
	bool ro;
	int tree_fd;          /* detached clone of src, made by prepare */
};

enum { BK_DEV_NODES = 6 };

struct bk_rootfs {
	const char *root;     /* NULL: keep the current root */
	bool use_chroot;
	bool proc, dev, sys, mask_proc;
	bool sys_needs_bind;  /* sysfs mount not allowed (userns, host netns) */
	struct bk_mountreq *mounts;
	size_t nmounts;
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

#endif
