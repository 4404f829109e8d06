/* layer: turn a layer blob (tar, tar+gzip, tar+zstd) into the directory
 * STORE/layers/sha256/<diffid>/ that overlayfs mounts as a lowerdir. The
 * uncompressed stream is hashed against the diff_id while libarchive
 * extracts it into a temp dir, refusing "..", absolute paths and link
 * escapes, turning OCI whiteouts into overlay ones; then renamed. */
#ifndef BK_LAYER_H
#define BK_LAYER_H

char *bk_layer_path(const char *store, const char *diffid);
int bk_layer_exists(const char *store, const char *diffid);

/* Extract the blob file at blob into the layer dir for diffid (a no-op
 * success when a concurrent pull put it there first). */
int bk_layer_extract(const char *store, const char *blob, const char *diffid);

struct archive_entry;
/* Drop trusted.overlay.* xattrs from e, keep the others; returns 1 if they
 * marked an opaque dir (trusted.overlay.opaque=y), else 0. */
int bk_entry_take_overlay_xattrs(struct archive_entry *e);

/* Remove a tree without following symlinks (nftw FTW_PHYS). */
int bk_rm_rf(const char *path);

#endif
