/* dirlayer: make a layer from a directory (bocker init / commit): walk it
 * by directory fds, each entry opened or read relative to its parent's fd
 * without following it (openat O_NOFOLLOW, fstatat, readlinkat, fgetxattr)
 * and checked to be what was seen, so a tree whose owner swaps a file for a
 * symlink (a running container's upper dir) can never make it read outside
 * the tree; write a pax tar, entries sorted, into a blob: the layer blob
 * a manifest names, uncompressed (its digest is the layer's diff_id).
 * Owners, modes, xattrs, hard links,
 * dotfiles and holes are kept; overlay whiteouts in the tree (0/0 char
 * devices, trusted.overlay.opaque dirs) become OCI .wh. entries; sockets
 * and other file systems' contents are left out. */
#ifndef BK_DIRLAYER_H
#define BK_DIRLAYER_H

#include <stdint.h>

struct bk_stage;

/* The layer made: its diff_id and its blob's digest (the same: the blob
 * is the tar), its length. */
struct bk_dir_blob {
	char *diffid, *digest;   /* malloc'd */
	uint64_t size;
};

/* Walk dir into a tar blob staged as an object in s. */
int bk_dir_layer(const char *dir, const char *store, struct bk_stage *s, struct bk_dir_blob *out);

#endif
