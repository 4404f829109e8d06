/* dirlayer: make a layer from a directory (bocker init / commit): walk it
 * with libarchive's disk reader and write a pax tar straight into the blob
 * store, so the blob's digest is the layer's diff_id. Owners, modes,
 * xattrs, hard links and dotfiles are kept; overlay whiteouts found in the
 * tree (0/0 char devices, trusted.overlay.opaque dirs) become OCI .wh.
 * entries. */
#ifndef BK_DIRLAYER_H
#define BK_DIRLAYER_H

/* *diffid gets "sha256:..." of the tar now in STORE/blobs. */
int bk_dir_layer(const char *dir, const char *store, char **diffid);

#endif
