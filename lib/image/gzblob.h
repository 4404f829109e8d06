/* gzblob: a layer blob written gzip-compressed as it is made (bocker init
 * and commit): the tar that comes in is hashed on its way (its diff_id),
 * deflated by zlib (level 1, gzip wrapper, no name or time in the
 * header, so one tree gives one blob with one zlib) into a blob writer,
 * which hashes what it stores (the blob's digest). */
#ifndef BK_GZBLOB_H
#define BK_GZBLOB_H

#include "image/stage.h"

#include <stddef.h>
#include <stdint.h>

struct bk_gzblob;
struct bk_desc;

struct bk_gzblob *bk_gzblob_new(const char *store);
int bk_gzblob_write(struct bk_gzblob *g, const void *buf, size_t n);
/* End the stream and stage the blob as an object in s: *diffid gets the
 * tar's digest, *size its length, *digest and *blob_size the blob's.
 * Frees g in every case. */
int bk_gzblob_stage(struct bk_gzblob *g, struct bk_stage *s, char **diffid, uint64_t *size,
		    char **digest, uint64_t *blob_size);
void bk_gzblob_abort(struct bk_gzblob *g);

#endif
