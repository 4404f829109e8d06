/* layer: turn a layer blob (tar, tar+gzip, tar+zstd) into the directory
 * STORE/layers/sha256/<diffid>/ that overlayfs mounts as a lowerdir. The
 * uncompressed stream is hashed against the diff_id while libarchive
 * extracts it into a temp dir, each entry through the tar filter
 * (tarfilter.h) and SECURE_* checks against link escapes, OCI whiteouts
 * turned into overlay ones; any write error (a full disk, a quota, EIO)
 * fails it. The temp dir is staged, to be renamed with the image. */
#ifndef BK_LAYER_H
#define BK_LAYER_H

char *bk_layer_path(const char *store, const char *diffid);
int bk_layer_exists(const char *store, const char *diffid);

struct bk_stage;
/* Extract the blob file at blob into a temp dir staged in s to become the
 * layer dir for diffid. On failure the temp dir is gone. */
int bk_layer_extract(struct bk_stage *s, const char *store, const char *blob,
		     const char *diffid);

struct archive_entry;
/* Drop trusted.overlay.* xattrs from e, keep the others; returns 1 if they
 * marked an opaque dir (trusted.overlay.opaque=y), else 0. */
int bk_entry_take_overlay_xattrs(struct archive_entry *e);

#endif
