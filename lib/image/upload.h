/* upload: send blobs of the store to one repository of a registry, as the
 * distribution spec has registries take them, every blob a chain of
 * requests run beside the others (http.h):
 *
 *   HEAD    the blob: present, nothing to send
 *   POST    ?mount=DIGEST&from=REPO when the image came from another
 *           repository of this registry: 201 is a mount, no byte sent
 *   GET     the Location a killed push left (STORE/uploads/): 204 with
 *           Range 0-N resumes the upload at N+1
 *   POST    a new upload, then a PATCH per chunk (Content-Range), its
 *           Location kept after each so that a kill resumes there
 *   PUT     ?digest=DIGEST: the rest of the blob (all of a small one),
 *           the registry checks the digest
 *
 * A 401 on the way is answered and the step run again. The registry is
 * never trusted with a Location that is not http(s); credentials go only
 * to the registry's own host (registry.h). */
#ifndef BK_UPLOAD_H
#define BK_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

struct bk_desc;
struct bk_registry;

enum bk_upload_result { BK_UP_SENT, BK_UP_PRESENT, BK_UP_MOUNTED };

typedef void (*bk_upload_progress)(void *arg, size_t i, enum bk_upload_result done, int finished,
				   uint64_t now, uint64_t total);

struct bk_upload_opts {
	const char *store;         /* the blobs, and STORE/uploads/ for resuming */
	const char *mount_from;    /* a repository of the same registry, or NULL */
	uint64_t chunk;            /* PATCH at most this much at once */
	unsigned parallel;
	bk_upload_progress progress;   /* (arg, i, result, finished, now, total) */
	void *arg;
};

/* Upload blobs[0..n) (distinct digests, all in the store). */
int bk_upload_blobs(struct bk_registry *r, const struct bk_desc *blobs, size_t n,
		    const struct bk_upload_opts *o);

#endif
