/* overlay: mount and unmount an overlayfs stack. The classic path goes
 * through libmount (one mount(2), options capped at one page, ~45 layers
 * with long paths); bigger stacks go through the new mount API, one
 * fsconfig("lowerdir+") per layer. Each mount call is traced with -v. */
#ifndef BK_OVERLAY_H
#define BK_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>

/* Overlay stacks at most this many lower layers (kernel OVL_MAX_STACK). */
#define BK_OVL_MAX_LOWERS 500

enum bk_ovl_api {
	BK_OVL_API_AUTO,        /* classic when the options fit a page */
	BK_OVL_API_CLASSIC,     /* libmount + mount(2) */
	BK_OVL_API_NEW,         /* fsopen/fsconfig/fsmount/move_mount */
};

struct bk_ovl {
	char **lowers;          /* top layer first, as the kernel orders them */
	size_t nlowers;
	const char *upper;      /* upper and work NULL: read-only overlay */
	const char *work;
	const char *merged;     /* the mount point */
	const char *options;    /* more options, "a,b=c,ro" (may be NULL) */
	bool volatile_, index_off, userxattr;
	enum bk_ovl_api api;
};

/* The option string mount(2) would get: "lowerdir=A:B,upperdir=...". ':'
 * and '\' in paths are escaped. NULL (error recorded) when a path holds a
 * ',' (only the new API can take it). Malloc'd. */
char *bk_ovl_classic_options(const struct bk_ovl *o);

/* Mount o->merged. Picks the API (see bk_ovl), explains a failure with the
 * kernel's own message when it can, and leaves nothing mounted on error.
 * Run bk_ovl_preflight() first for friendlier errors. */
int bk_ovl_mount(const struct bk_ovl *o);

/* Unmount the overlay on merged (refuses other filesystem types). */
int bk_ovl_umount(const char *merged, bool lazy);

#endif
