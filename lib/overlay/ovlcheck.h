/* ovlcheck: what overlayfs sees in a stack of layer directories: whiteouts
 * (char device 0/0), opaque dirs (trusted|user.overlay.opaque=y), redirects,
 * and OCI/AUFS ".wh." files nobody converted; with, for each, the first
 * lower layer entry it hides. For `ovlmount --check`, in workshops. */
#ifndef BK_OVLCHECK_H
#define BK_OVLCHECK_H

#include <stddef.h>

enum bk_ovlcheck_kind {
	BK_OVLCHECK_WHITEOUT,   /* char 0/0: deletes the name below */
	BK_OVLCHECK_OPAQUE,     /* dir hides everything below it */
	BK_OVLCHECK_REDIRECT,   /* renamed dir: detail is the old path */
	BK_OVLCHECK_AUFS,       /* ".wh.NAME" / ".wh..wh..opq": not overlay format */
};

struct bk_ovlcheck_entry {
	enum bk_ovlcheck_kind kind;
	const char *layer;      /* as given */
	const char *rel;        /* path inside the layer, no leading '/' */
	const char *detail;     /* xattr name or redirect target, or NULL */
	const char *hides;      /* first lower layer holding rel, or NULL */
};

typedef void (*bk_ovlcheck_fn)(const struct bk_ovlcheck_entry *e, void *ctx);

/* Walk layers[0..n) (top first) without following symlinks and call fn
 * for every special entry. Returns the number of entries, or -1. */
long bk_ovlcheck(char *const layers[], size_t n, bk_ovlcheck_fn fn, void *ctx);

const char *bk_ovlcheck_kind_name(enum bk_ovlcheck_kind kind);

#endif
