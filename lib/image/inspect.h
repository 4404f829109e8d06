/* inspect: what `imgpull --inspect` says of an image, as key/value pairs
 * (key, value, key, value..., NULL): id, source, layer (one per layer, top
 * first), lowerdir (the layer dirs as ovlmount -l takes them), size (the
 * layers' content in bytes), created (RFC 3339), env (one per entry),
 * entrypoint and cmd (one per word), argv (entrypoint then cmd), workdir,
 * user.
 *
 * The pairs are written once with the record, as its "inspect" file (one
 * "key value" a line), so that a shell reads them without running
 * imgpull; a record whose values hold a newline gets no such file, and
 * one made before the file existed neither: both are worked out from the
 * record when asked. */
#ifndef BK_INSPECT_H
#define BK_INSPECT_H

#include <stddef.h>
#include <stdint.h>

/* What describes a record being made. */
struct bk_image_info {
	const char *id, *source;
	char *const *layers;       /* diff_ids, top first */
	size_t nlayers;
	const char *config;
	size_t config_len;
	uint64_t size;
};

char **bk_inspect_pairs(const char *store, const struct bk_image_info *info);
/* The pairs as the inspect file: "key value\n"... malloc'd; NULL with
 * nothing recorded when a value holds a newline. */
char *bk_inspect_text(char *const *kv);
/* The value of the first key, or NULL. */
const char *bk_inspect_get(char *const *kv, const char *key);

/* The pairs of a stored image (its inspect file, else worked out). */
char **bk_image_inspect(const char *store, const char *id);
/* The pairs of an image config alone (env ... user), from its JSON. */
char **bk_config_fields(const char *buf, size_t len);

#endif
