/* registry: the distribution (v2) API for one repository: ping and auth
 * (via regauth), manifests with the right Accept header, small blobs in
 * memory, large blobs streamed in parallel into the blob store; and one
 * clear line for each registry error code (MANIFEST_UNKNOWN, ...). */
#ifndef BK_REGISTRY_H
#define BK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_http;
struct bk_imgref;
struct bk_creds;
struct bk_desc;
struct bk_registry;
struct bk_stage;

/* insecure: allow plain http and unverified TLS for this registry. */
struct bk_registry *bk_registry_new(struct bk_http *http, const struct bk_imgref *ref,
				    const struct bk_creds *creds, bool insecure);
void bk_registry_free(struct bk_registry *r);

/* GET /v2/: pick the scheme, answer the auth challenge up front. */
int bk_registry_ping(struct bk_registry *r);
/* GET /v2/REPO/manifests/REF (a tag or a digest). */
int bk_registry_manifest(struct bk_registry *r, const char *ref, char **buf, size_t *len,
			 char **content_type);
/* GET /v2/REPO/blobs/DIGEST into memory, verified. */
int bk_registry_blob(struct bk_registry *r, const char *digest, size_t max, char **buf,
		     size_t *len);

typedef void (*bk_fetch_progress)(void *arg, size_t i, uint64_t now, uint64_t total);
/* Download the n blobs into temp files of STORE/blobs, verified, staged
 * in stage to be kept under their digests, at most parallel at a time; progress(arg, i, ...)
 * reports blob i. */
int bk_registry_fetch(struct bk_registry *r, const char *store, struct bk_stage *stage,
		      const struct bk_desc *blobs, size_t n, unsigned parallel,
		      bk_fetch_progress progress, void *arg);

#endif
