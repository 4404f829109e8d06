/* registry: the distribution (v2) API for one repository: ping and auth
 * (via regauth) with the scopes a pull or a push needs, manifests with the
 * right Accept header (GET) or media type (PUT), small blobs in memory,
 * large blobs streamed in parallel into the blob store; and one clear line
 * for each registry error code (MANIFEST_UNKNOWN, ...). The blob uploads
 * of a push (upload.h) build on the request helpers at the end. */
#ifndef BK_REGISTRY_H
#define BK_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_http;
struct bk_http_req;
struct bk_imgref;
struct bk_creds;
struct bk_desc;
struct bk_registry;
struct bk_stage;

/* How to reach a registry: as the options of a pull or a push say. */
struct bk_reach {
	const char *creds;       /* "user:pass", else ~/.docker/config.json's */
	const char *insecure;    /* a registry allowed plain http / unverified TLS */
	const char *ca_file;
	long timeout;
};
/* An http client and the registry of ref, authenticated (ping) for a pull,
 * or with push for a push (and pull from mount_from, a repository of the
 * same registry, or NULL). Loopback registries may speak plain http, as
 * with Docker; others only when named by insecure. */
int bk_registry_open(const struct bk_reach *o, const struct bk_imgref *ref, bool push,
		     const char *mount_from, struct bk_http **http, struct bk_registry **r);

/* insecure: allow plain http and unverified TLS for this registry. */
struct bk_registry *bk_registry_new(struct bk_http *http, const struct bk_imgref *ref,
				    const struct bk_creds *creds, bool insecure);
void bk_registry_free(struct bk_registry *r);

/* Authenticate for pushing to the repository (pull,push), and for pulling
 * from mount_from (another repository of this registry, or NULL) so
 * that blobs can be mounted from it. Call before the ping. */
int bk_registry_want_push(struct bk_registry *r, const char *mount_from);

/* GET /v2/: pick the scheme, answer the auth challenge up front. */
int bk_registry_ping(struct bk_registry *r);
/* GET /v2/REPO/manifests/REF (a tag or a digest). */
int bk_registry_manifest(struct bk_registry *r, const char *ref, char **buf, size_t *len,
			 char **content_type);
/* PUT /v2/REPO/manifests/REF with its media type; the registry's
 * Docker-Content-Digest, when it sends one, must be digest. */
int bk_registry_put_manifest(struct bk_registry *r, const char *ref, const char *buf, size_t len,
			     const char *media_type, const char *digest);
/* GET /v2/REPO/blobs/DIGEST into memory, verified. */
int bk_registry_blob(struct bk_registry *r, const char *digest, size_t max, char **buf,
		     size_t *len);

typedef void (*bk_fetch_progress)(void *arg, size_t i, uint64_t now, uint64_t total);
/* Download the n blobs into temp files of STORE/blobs, verified, staged
 * in stage to be kept under their digests, at most parallel at a time;
 * progress(arg, i, ...) reports blob i. */
int bk_registry_fetch(struct bk_registry *r, const char *store, struct bk_stage *stage,
		      const struct bk_desc *blobs, size_t n, unsigned parallel,
		      bk_fetch_progress progress, void *arg);

/* ---- for the blob uploads of a push (upload.c) ---- */

/* "REGISTRY/REPO", for messages. */
const char *bk_registry_repo_name(const struct bk_registry *r);
const char *bk_registry_repo(const struct bk_registry *r);
struct bk_http *bk_registry_http(const struct bk_registry *r);
/* SCHEME://HOST/v2/REPO/KIND/REF, or /v2/ when kind is NULL. malloc'd. */
char *bk_registry_url(const struct bk_registry *r, const char *kind, const char *ref);
/* An upload Location as an absolute URL (a relative one is on the
 * registry). malloc'd; NULL (recorded) for anything but http(s). */
char *bk_registry_location(const struct bk_registry *r, const char *location);
/* TLS choice and credentials for q: the Authorization header only goes to
 * the registry's own host and port, never to a Location elsewhere. */
void bk_registry_prepare(const struct bk_registry *r, struct bk_http_req *q);
/* Answer the challenge of q, a request that got 401. */
int bk_registry_authenticate(struct bk_registry *r, const struct bk_http_req *q);
/* Record "what: HTTP 400: DIGEST_INVALID: ..." from q's error JSON; -1. */
int bk_registry_error(const struct bk_http_req *q, const char *what);

#endif
