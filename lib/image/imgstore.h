/* imgstore: the image record STORE/images/img_<id>/ (source: where it
 * came from; layers, top first; config.json; manifest.json; inspect: what
 * --inspect prints, inspect.h), written to a temp dir and staged to be
 * renamed last, after its layers (stage.h), so a killed pull leaves no
 * half image; and reading it back. A record never changes once made:
 * its names live in index.json (layout.h). */
#ifndef BK_IMGSTORE_H
#define BK_IMGSTORE_H

#include <stddef.h>

/* "img_" + the first 12 hex digits of the config digest. malloc'd. */
char *bk_image_id(const char *config_digest);
int bk_image_id_valid(const char *id);

struct bk_image_rec {
	const char *id, *source;
	char *const *diffids;        /* top layer first */
	size_t ndiffids;
	const char *config;
	size_t config_len;
	const char *manifest;        /* may be NULL */
	size_t manifest_len;
	const char *inspect;         /* the inspect file, or NULL for none */
};

struct bk_stage;
/* Stage the record (a temp dir), unless the image exists already. */
int bk_image_write(struct bk_stage *s, const char *store, const struct bk_image_rec *rec);

/* The record's file name (NUL-terminated, at most max bytes), malloc'd;
 * NULL with "no such image" recorded when the record or file is missing
 * (errno ENOENT). */
char *bk_image_file(const char *store, const char *id, const char *name, size_t max);
/* The record's layer diff_ids ("sha256:..."), top first, NULL-terminated. */
int bk_image_layers(const char *store, const char *id, char ***diffids, size_t *n);
int bk_image_config(const char *store, const char *id, char **buf, size_t *len);
/* The record's manifest.json: 0, or 1 (*buf NULL) for a record made
 * before images had one; -1 on error. */
int bk_image_manifest(const char *store, const char *id, char **buf, size_t *len);


#endif
