/* push: blobs, then the manifest (push.h). */
#include "image/push.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "image/blobstore.h"
#include "image/http.h"
#include "image/imgref.h"
#include "image/imgstore.h"
#include "image/manifest.h"
#include "image/names.h"
#include "image/registry.h"
#include "image/store.h"
#include "image/upload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct push {
	const struct bk_push_opts *o;
	const char *store;
	char *id, *manifest, *type, *digest;
	size_t manifest_len;
	struct bk_manifest m;
	struct bk_desc *blobs;    /* the layers, then the config: distinct */
	size_t nblobs, nlayers;
};

static void push_free(struct push *p)
{
	free(p->id);
	free(p->manifest);
	free(p->type);
	free(p->digest);
	free(p->blobs);
	bk_manifest_free(&p->m);
}

static bool listed(const struct push *p, const char *digest)
{
	for (size_t i = 0; i < p->nblobs; i++)
		if (!strcmp(p->blobs[i].digest, digest))
			return true;
	return false;
}

/* The image's manifest and the blobs it names, all in the store. */
static int load_image(struct push *p, const char *word)
{
	int r;

	if (bk_image_resolve(p->store, word, &p->id, NULL) < 0 ||
	    (r = bk_image_manifest(p->store, p->id, &p->manifest, &p->manifest_len)) < 0)
		return -1;
	if (r > 0)
		return bk_fail("image %s has no manifest (pulled by an older imgpull): pull it again", p->id);
	if (!(p->type = bk_manifest_type(p->manifest, p->manifest_len)) ||
	    !(p->digest = bk_sha256_digest(p->manifest, p->manifest_len)) ||
	    bk_manifest_parse(p->manifest, p->manifest_len, NULL, &p->m) < 0)
		return bk_fail_wrap("image %s", p->id);
	if (!(p->blobs = calloc(p->m.nlayers + 2, sizeof(*p->blobs))))
		return bk_fail("out of memory");
	for (size_t i = 0; i <= p->m.nlayers; i++) {
		const struct bk_desc *d = i < p->m.nlayers ? &p->m.layers[i] : &p->m.config;
		if (!bk_blob_exists(p->store, d->digest))
			return bk_fail("image %s: blob %.19s is not in the store (kept since a newer "
				       "imgpull): pull the image again", p->id, d->digest);
		if (!listed(p, d->digest))
			p->blobs[p->nblobs++] = *d;
	}
	p->nlayers = p->nblobs - 1;
	return 0;
}

/* The repository to mount blobs from: where the image was pulled from,
 * when that is another repository of the registry pushed to. */
static char *mount_source(const struct push *p, const struct bk_imgref *to)
{
	_cleanup_free_ char *src = bk_image_file(p->store, p->id, "source", 65536);
	struct bk_imgref from;
	char *repo = NULL;

	if (!src)
		return NULL;
	src[strcspn(src, "\n")] = '\0';
	if (bk_imgref_parse(src, &from) < 0)
		return NULL;   /* dir:, oci:, an archive: no registry */
	if (!strcmp(from.registry, to->registry) && strcmp(from.repo, to->repo))
		repo = strdup(from.repo);
	bk_imgref_free(&from);
	return repo;
}

static void on_blob(void *arg, size_t i, enum bk_upload_result res, int finished, uint64_t now,
		    uint64_t total)
{
	const struct push *p = arg;
	const struct bk_desc *d = &p->blobs[i];
	enum bk_pull_event ev = !finished ? BK_EV_SENDING : res == BK_UP_PRESENT ? BK_EV_EXISTS :
				res == BK_UP_MOUNTED ? BK_EV_MOUNTED : BK_EV_PUSHED;

	if (p->o->notify && i < p->nlayers)   /* the config is not a layer */
		p->o->notify(p->o->notify_arg, ev, i, p->nlayers, d->digest, now, total);
}

static int send_image(struct push *p, const struct bk_imgref *ref)
{
	const struct bk_reach reach = { .creds = p->o->creds, .insecure = p->o->insecure,
					.ca_file = p->o->ca_file, .timeout = p->o->timeout };
	_cleanup_free_ char *from = mount_source(p, ref), *uploads = NULL;
	struct bk_upload_opts uo = { .store = p->store, .mount_from = from, .chunk = p->o->chunk,
				     .parallel = p->o->parallel, .progress = on_blob, .arg = p };
	struct bk_http *http;
	struct bk_registry *r;
	int rc;

	if (asprintf(&uploads, "%s/uploads", p->store) < 0)
		return bk_fail("out of memory");
	if (mkdir(uploads, 0700) < 0 && errno != EEXIST)   /* a store older than push */
		return bk_fail_errno(errno, "mkdir %s", uploads);
	if (bk_registry_open(&reach, ref, true, from, &http, &r) < 0)
		return -1;
	if (p->o->notify)
		p->o->notify(p->o->notify_arg, BK_EV_START, 0, p->nlayers, NULL, 0, 0);
	rc = bk_upload_blobs(r, p->blobs, p->nblobs, &uo);
	if (rc == 0)
		rc = bk_registry_put_manifest(r, ref->tag, p->manifest, p->manifest_len, p->type,
					      p->digest);
	bk_registry_free(r);
	bk_http_free(http);
	return rc;
}

int bk_push(const char *image, const char *refs, const struct bk_push_opts *o, char **digest)
{
	struct push p = { .o = o };
	struct bk_store store;
	struct bk_imgref ref;
	int rc;

	if (bk_imgref_parse(refs, &ref) < 0)
		return -1;
	if (ref.digest) {
		bk_imgref_free(&ref);
		return bk_fail("push %s: push to a tag, not a digest", refs);
	}
	if (bk_store_open(&store, o->store, false, BK_STORE_SHARED) < 0) {
		bk_imgref_free(&ref);
		return -1;
	}
	p.store = store.path;
	rc = load_image(&p, image);
	if (rc == 0)
		rc = send_image(&p, &ref);
	if (rc == 0)
		*digest = bk_steal_ptr(p.digest);
	push_free(&p);
	bk_store_close(&store);
	bk_imgref_free(&ref);
	return rc;
}
