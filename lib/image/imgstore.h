/* imgstore: the image record STORE/images/img_<id>/ (source, layers top
 * first, config.json, manifest.json), written to a temp dir and staged to
 * be renamed last, after its layers (stage.h), so a killed pull leaves no
 * half image; and reading it back, including the config fields the driver
 * needs (--inspect). */
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
};

struct bk_stage;
/* Stage the record (a temp dir); when the image exists already, only a new
 * "source" file for it. */
int bk_image_write(struct bk_stage *s, const char *store, const struct bk_image_rec *rec);

/* The record's layer diff_ids ("sha256:..."), top first, NULL-terminated. */
int bk_image_layers(const char *store, const char *id, char ***diffids, size_t *n);
int bk_image_config(const char *store, const char *id, char **buf, size_t *len);
/* The record's manifest.json: 0, or 1 (*buf NULL) for a record made
 * before images had one; -1 on error. */
int bk_image_manifest(const char *store, const char *id, char **buf, size_t *len);

/* Key/value pairs (key, value, key, value..., NULL) describing the image:
 * id, source, layer (one per layer, top first), env (one per entry),
 * entrypoint and cmd (one per word), argv (entrypoint then cmd), workdir,
 * user. */
char **bk_image_inspect(const char *store, const char *id);
/* The same pairs for an image config alone (env ... user), from its JSON. */
char **bk_config_fields(const char *buf, size_t len);

#endif
