/* blobstore: the content-addressed blob directory STORE/blobs/sha256/<hex>.
 * Every blob is written to a temp file, its SHA-256 checked (libcrypto EVP)
 * while it streams in, then staged (stage.h): published under its digest's
 * name with the rest of the image. Every blob a record's manifest names
 * is kept (push and save send them as they are). A name in the store
 * always means verified content, on disk. */
#ifndef BK_BLOBSTORE_H
#define BK_BLOBSTORE_H

#include "image/stage.h"

#include <stddef.h>
#include <stdint.h>

struct bk_blob_writer;
struct bk_sha256;

/* Streaming SHA-256; final returns "sha256:<hex>" (malloc'd) and frees. */
struct bk_sha256 *bk_sha256_new(void);
int bk_sha256_update(struct bk_sha256 *h, const void *buf, size_t n);
char *bk_sha256_final(struct bk_sha256 *h);
void bk_sha256_free(struct bk_sha256 *h);
char *bk_sha256_digest(const void *buf, size_t n);

char *bk_blob_path(const char *store, const char *digest);
int bk_blob_exists(const char *store, const char *digest);

/* expect: the digest the content must have, or NULL to name the blob by
 * whatever it hashes to. max: refuse more bytes than this (0: no limit). */
struct bk_blob_writer *bk_blob_writer_new(const char *store, const char *expect,
					  uint64_t max);
int bk_blob_write(struct bk_blob_writer *w, const void *buf, size_t n);
uint64_t bk_blob_written(const struct bk_blob_writer *w);
/* Start over (a retried download): truncate and reset the digest. */
int bk_blob_rewind(struct bk_blob_writer *w);
/* Verify the digest and close; stage the temp file in s, to be published
 * under its digest. *digest (optional) gets the digest. Frees w in every
 * case; on failure the temp file is gone. */
int bk_blob_stage(struct bk_blob_writer *w, struct bk_stage *s, char **digest);
/* Where blob digest is for this pull: its staged temp, else its place in
 * the store. malloc'd. */
char *bk_blob_file(const struct bk_stage *s, const char *store, const char *digest);
void bk_blob_abort(struct bk_blob_writer *w);

/* Read a small blob (config, manifest) whole and re-verify it. */
int bk_blob_read(const char *store, const char *digest, size_t max,
		 char **buf, size_t *len);
/* Stage buf as the blob of its digest unless the store or the stage has
 * it; *digest (optional) gets it. */
int bk_blob_put(struct bk_stage *s, const char *store, const void *buf, size_t len,
		char **digest);

#endif
