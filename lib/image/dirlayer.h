/* dirlayer: make a layer from a directory (bocker init / commit): walk it
 * by directory fds, each entry opened or read relative to its parent's fd
 * without following it (openat O_NOFOLLOW, fstatat, readlinkat, fgetxattr)
 * and checked to be what was seen, so a tree whose owner swaps a file for a
 * symlink (a running container's upper dir) can never make it read outside
 * the tree; write a pax tar, entries sorted, into a scratch blob whose
 * digest is the layer's diff_id. Owners, modes, xattrs, hard links,
 * dotfiles and holes are kept; overlay whiteouts in the tree (0/0 char
 * devices, trusted.overlay.opaque dirs) become OCI .wh. entries; sockets
 * and other file systems' contents are left out. */
#ifndef BK_DIRLAYER_H
#define BK_DIRLAYER_H

struct bk_stage;

/* *diffid gets "sha256:..." of the tar, staged as scratch in s. */
int bk_dir_layer(const char *dir, const char *store, struct bk_stage *s, char **diffid);

#endif
