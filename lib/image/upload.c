/* upload: blobs to a registry, each a chain of requests (upload.h). */
#include "image/upload.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "image/blobstore.h"
#include "image/http.h"
#include "image/manifest.h"
#include "image/registry.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum step { S_HEAD, S_MOUNT, S_STATUS, S_POST, S_PATCH, S_PUT, S_DONE };

/* One blob's upload: the request first, so a request pointer is one. */
struct up {
	struct bk_http_req q;
	struct bk_registry *r;
	const struct bk_upload_opts *o;
	const struct bk_desc *d;
	size_t index;
	enum step step;
	int fd;
	uint64_t off;                /* bytes the registry holds */
	uint64_t sending;            /* bytes of the request in flight */
	char *url;                   /* the request's */
	char *loc;                   /* the upload's Location */
	char *state;                 /* STORE/uploads/NAME: the Location, while unfinished */
	struct bk_http_body body;
	char crange[64];
	enum bk_upload_result result;
	bool denied, mount_tried;
};

static const char *const step_name[] = { "HEAD", "mount", "status", "POST", "PATCH", "PUT", "done" };

static void up_free(struct up *u)
{
	bk_http_req_clear(&u->q);
	if (u->fd >= 0)
		close(u->fd);
	free(u->url);
	free(u->loc);
	free(u->state);
}

static void on_sent(void *arg, uint64_t now, uint64_t total)
{
	struct up *u = arg;

	(void)total;
	if (u->o->progress && u->sending)
		u->o->progress(u->o->arg, u->index, BK_UP_SENT, 0, u->off + now, u->d->size);
}

/* The next request: method on url (owned), sending len bytes of the blob
 * from off (PATCH and PUT), with the headers its step needs. */
static int arm(struct up *u, enum step step, const char *method, char *url, uint64_t len)
{
	static const char octets[] = "Content-Type: application/octet-stream";
	struct bk_http_req *q = &u->q;

	if (!url)
		return -1;
	free(u->url);
	u->url = url;
	u->step = step;
	u->sending = len;
	memset(q->headers, 0, sizeof(q->headers));
	q->method = method;
	q->url = url;
	q->max = 65536;
	q->send = NULL;
	if (step == S_PATCH || step == S_PUT || step == S_POST || step == S_MOUNT) {
		u->body = (struct bk_http_body){ .fd = u->fd, .off = u->off, .len = len };
		q->send = &u->body;
	}
	if (step == S_PATCH || step == S_PUT)
		q->headers[0] = octets;
	if (step == S_PATCH) {
		snprintf(u->crange, sizeof(u->crange), "Content-Range: %" PRIu64 "-%" PRIu64, u->off,
			 u->off + len - 1);
		q->headers[1] = u->crange;
	}
	bk_registry_prepare(u->r, q);
	return 0;
}

static char *with_query(const char *base, const char *fmt, const char *a, const char *b)
{
	char *u = NULL, *q = NULL;

	if (asprintf(&q, fmt, a, b) < 0 ||
	    asprintf(&u, "%s%c%s", base, strchr(base, '?') ? '&' : '?', q) < 0)
		u = NULL;
	free(q);
	if (!u)
		bk_fail("out of memory");
	return u;
}

/* STORE/uploads/HASH-DIGEST: one file per repository and blob. */
static char *state_path(const struct up *u)
{
	_cleanup_free_ char *h = bk_sha256_digest(bk_registry_repo_name(u->r),
						   strlen(bk_registry_repo_name(u->r)));
	char *p = NULL;

	if (!h || asprintf(&p, "%s/uploads/%.16s-%s", u->o->store, h + 7, u->d->digest + 7) < 0) {
		bk_fail("out of memory");
		return NULL;
	}
	return p;
}

/* Keep the Location to resume from (temp + rename: whole or absent). A
 * failure only costs the resumption. */
static void save_state(struct up *u)
{
	_cleanup_free_ char *tmp = bk_store_tmpname(u->o->store, "uploads");
	int fd;

	if (!tmp || (fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return;
	if (write(fd, u->loc, strlen(u->loc)) != (ssize_t)strlen(u->loc) || close(fd) < 0 ||
	    rename(tmp, u->state) < 0) {
		BK_TRACE("cannot keep %s: %s", u->state, strerror(errno));
		unlink(tmp);
	}
}

static void drop_state(struct up *u)
{
	if (unlink(u->state) == 0)
		BK_TRACE("remove %s", u->state);
}

static int failed(struct up *u)
{
	char what[256];

	snprintf(what, sizeof(what), "%s: %s of blob %.19s", bk_registry_repo_name(u->r),
		 step_name[u->step], u->d->digest);
	return bk_registry_error(&u->q, what);
}

/* "0-N" (or "bytes=0-N"): the registry holds N + 1 bytes. */
static int held(const struct up *u, uint64_t *n)
{
	const char *r = u->q.range;
	char *end;
	unsigned long long last;

	if (r && !strncmp(r, "bytes=", 6))
		r += 6;
	if (!r || strncmp(r, "0-", 2))
		return bk_fail("%s: upload of %.19s: no Range in the answer", bk_registry_repo_name(u->r),
			       u->d->digest);
	errno = 0;
	last = strtoull(r + 2, &end, 10);
	if (errno || *end || end == r + 2 || last >= u->d->size)
		return bk_fail("%s: upload of %.19s: bad Range '%.40s'", bk_registry_repo_name(u->r),
			       u->d->digest, r);
	*n = (uint64_t)last + 1;
	return 0;
}

static int take_location(struct up *u)
{
	char *loc = bk_registry_location(u->r, u->q.location);

	if (!loc)
		return -1;
	free(u->loc);
	u->loc = loc;
	return 0;
}

/* From the offset the registry holds: a PATCH of a chunk, or the PUT of
 * the rest that ends the upload. */
static int send_next(struct up *u)
{
	uint64_t left = u->d->size - u->off;

	if (left > u->o->chunk)
		return arm(u, S_PATCH, "PATCH", strdup(u->loc), u->o->chunk) < 0 ? -1 : 1;
	return arm(u, S_PUT, "PUT", with_query(u->loc, "digest=%s%s", u->d->digest, ""), left) < 0 ? -1 : 1;
}

/* No blob there: mount it, resume what a killed push began, or begin. */
static int begin(struct up *u)
{
	_cleanup_free_ char *loc = NULL;

	if (u->o->mount_from && !u->mount_tried) {
		u->mount_tried = true;
		return arm(u, S_MOUNT, "POST",
			   with_query(bk_registry_url(u->r, "blobs", "uploads/"), "mount=%s&from=%s",
				      u->d->digest, u->o->mount_from), 0) < 0 ? -1 : 1;
	}
	if ((loc = bk_read_small(u->state, 8192)) && !u->loc) {
		BK_TRACE("resume the upload of %.19s at %s", u->d->digest, loc);
		if (!(u->loc = bk_registry_location(u->r, loc)))
			return -1;
		return arm(u, S_STATUS, "GET", strdup(u->loc), 0) < 0 ? -1 : 1;
	}
	return arm(u, S_POST, "POST", bk_registry_url(u->r, "blobs", "uploads/"), 0) < 0 ? -1 : 1;
}

static int finish(struct up *u, enum bk_upload_result res)
{
	u->result = res;
	u->step = S_DONE;
	if (res == BK_UP_SENT)
		drop_state(u);
	if (u->o->progress)
		u->o->progress(u->o->arg, u->index, res, 1, u->d->size, u->d->size);
	return 0;
}

/* What a step's answer leads to (http.h's next()). */
static int on_answer(struct bk_http_req *q)
{
	struct up *u = (struct up *)q;
	long s = q->status;
	uint64_t n;

	if (s == 401) {
		u->denied = true;
		return 0;
	}
	switch (u->step) {
	case S_HEAD:
		if (s == 200)
			return finish(u, BK_UP_PRESENT);
		return s == 404 ? begin(u) : failed(u);
	case S_MOUNT:
		if (s == 201)
			return finish(u, BK_UP_MOUNTED);
		if (s != 202)
			return begin(u);   /* refused: upload it */
		if (take_location(u) < 0)
			return -1;
		u->off = 0;   /* the registry began an upload instead */
		return send_next(u);
	case S_STATUS:
		if (s == 204 && held(u, &n) == 0 && (!q->location || take_location(u) == 0)) {
			BK_TRACE("the registry holds %" PRIu64 " bytes of %.19s", n, u->d->digest);
			u->off = n;
			return send_next(u);
		}
		BK_TRACE("the upload of %.19s cannot resume (HTTP %ld): start over", u->d->digest, s);
		drop_state(u);
		free(u->loc);
		u->loc = NULL;
		return arm(u, S_POST, "POST", bk_registry_url(u->r, "blobs", "uploads/"), 0) < 0 ? -1 : 1;
	case S_POST:
		if (s != 202 || take_location(u) < 0)
			return s != 202 ? failed(u) : -1;
		u->off = 0;
		return send_next(u);
	case S_PATCH:
		if (s != 202 || held(u, &n) < 0 || take_location(u) < 0)
			return s != 202 ? failed(u) : -1;
		if (n != u->off + u->sending)
			return bk_fail("%s: upload of %.19s: the registry holds %" PRIu64 " bytes, not %" PRIu64,
				       bk_registry_repo_name(u->r), u->d->digest, n, u->off + u->sending);
		u->off = n;
		save_state(u);
		return send_next(u);
	case S_PUT:
		return s == 201 ? finish(u, BK_UP_SENT) : failed(u);
	default:
		return 0;
	}
}

static int setup(struct up *u, struct bk_registry *r, const struct bk_desc *d, size_t i,
		 const struct bk_upload_opts *o)
{
	_cleanup_free_ char *path = bk_blob_path(o->store, d->digest);

	*u = (struct up){ .r = r, .o = o, .d = d, .index = i, .fd = -1 };
	u->q.next = on_answer;
	u->q.progress = on_sent;
	u->q.progress_arg = u;
	if (!path || !(u->state = state_path(u)))
		return -1;
	if ((u->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return bk_fail_errno(errno, "blob %.19s", d->digest);
	return arm(u, S_HEAD, "HEAD", bk_registry_url(r, "blobs", d->digest), 0);
}

/* Run the uploads; those a 401 stopped are answered and run on once. */
static int run_all(struct bk_registry *r, struct up *ups, size_t n, unsigned parallel)
{
	_cleanup_free_ struct bk_http_req **qs = calloc(n + 1, sizeof(*qs));
	size_t k = n;

	if (!qs)
		return bk_fail("out of memory");
	for (size_t i = 0; i < n; i++)
		qs[i] = &ups[i].q;
	for (int attempt = 0; k && attempt < 2; attempt++) {
		const struct bk_http_req *denied = NULL;
		if (bk_http_run(bk_registry_http(r), qs, k, parallel) < 0)
			return -1;
		k = 0;
		for (size_t i = 0; i < n; i++) {
			if (!ups[i].denied)
				continue;
			ups[i].denied = false;
			denied = denied ? denied : &ups[i].q;
			qs[k++] = &ups[i].q;
		}
		if (denied && bk_registry_authenticate(r, denied) < 0)
			return -1;
		for (size_t i = 0; i < k; i++)
			bk_registry_prepare(r, qs[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (ups[i].step != S_DONE)
			return failed(&ups[i]);
	return 0;
}

int bk_upload_blobs(struct bk_registry *r, const struct bk_desc *blobs, size_t n,
		    const struct bk_upload_opts *o)
{
	struct up *ups = calloc(n + 1, sizeof(*ups));
	int rc = ups ? 0 : bk_fail("out of memory");
	size_t made = 0;

	for (; rc == 0 && made < n; made++)
		rc = setup(&ups[made], r, &blobs[made], made, o);
	if (rc == 0)
		rc = run_all(r, ups, n, o->parallel);
	for (size_t i = 0; i < made; i++)
		up_free(&ups[i]);
	free(ups);
	return rc;
}
