/* registry: distribution v2 API client for one repository (registry.h). */
#include "image/registry.h"
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "image/http.h"
#include "image/imgref.h"
#include "image/manifest.h"
#include "base/msg.h"
#include "image/regauth.h"
#include "image/stage.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct bk_registry {
	struct bk_http *http;
	char *host, *repo, *registry;
	char *name;             /* "REGISTRY/REPO" */
	const char *scheme;     /* "https" or "http" */
	bool insecure;
	struct bk_creds creds;
	char *auth;             /* "Authorization: ..." or NULL */
	char *scope;            /* what to ask a token for (regauth's list) */
};

struct bk_registry *bk_registry_new(struct bk_http *http, const struct bk_imgref *ref,
				    const struct bk_creds *creds, bool insecure)
{
	struct bk_registry *r = calloc(1, sizeof(*r));

	if (!r) {
		bk_fail("out of memory");
		return NULL;
	}
	r->http = http;
	r->scheme = "https";
	r->insecure = insecure;
	r->host = strdup(bk_imgref_api_host(ref));
	r->repo = strdup(ref->repo);
	r->registry = strdup(ref->registry);
	if (r->repo && asprintf(&r->scope, "repository:%s:pull", r->repo) < 0)
		r->scope = NULL;
	if (r->repo && r->registry && asprintf(&r->name, "%s/%s", r->registry, r->repo) < 0)
		r->name = NULL;
	if (creds && creds->user) {
		r->creds.user = strdup(creds->user);
		r->creds.pass = strdup(creds->pass);
	}
	if (!r->host || !r->repo || !r->registry || !r->scope || !r->name ||
	    (creds && creds->user && (!r->creds.user || !r->creds.pass))) {
		bk_registry_free(r);
		bk_fail("out of memory");
		return NULL;
	}
	return r;
}

void bk_registry_free(struct bk_registry *r)
{
	if (!r)
		return;
	free(r->host);
	free(r->repo);
	free(r->registry);
	free(r->scope);
	free(r->name);
	bk_creds_free(&r->creds);
	if (r->auth)
		explicit_bzero(r->auth, strlen(r->auth));
	free(r->auth);
	free(r);
}

char *bk_registry_url(const struct bk_registry *r, const char *kind, const char *ref)
{
	char *u = NULL;

	if (!kind) {
		if (asprintf(&u, "%s://%s/v2/", r->scheme, r->host) < 0)
			u = NULL;
	} else if (asprintf(&u, "%s://%s/v2/%s/%s/%s", r->scheme, r->host, r->repo, kind, ref) < 0) {
		u = NULL;
	}
	if (!u)
		bk_fail("out of memory");
	return u;
}

int bk_registry_want_push(struct bk_registry *r, const char *mount_from)
{
	char *s = NULL;

	if (asprintf(&s, "repository:%s:pull,push%s%s%s", r->repo, mount_from ? " repository:" : "",
		     mount_from ? mount_from : "", mount_from ? ":pull" : "") < 0)
		return bk_fail("out of memory");
	free(r->scope);
	r->scope = s;
	return 0;
}

const char *bk_registry_repo(const struct bk_registry *r)
{
	return r->repo;
}

const char *bk_registry_repo_name(const struct bk_registry *r)
{
	return r->name;
}

struct bk_http *bk_registry_http(const struct bk_registry *r)
{
	return r->http;
}

char *bk_registry_location(const struct bk_registry *r, const char *loc)
{
	char *u = NULL;

	if (!loc || !*loc || strpbrk(loc, " \r\n")) {
		bk_fail("%s/%s: an upload without a Location", r->registry, r->repo);
		return NULL;
	}
	if (loc[0] == '/' && loc[1] != '/') {
		if (asprintf(&u, "%s://%s%s", r->scheme, r->host, loc) < 0)
			u = NULL;
	} else if (!strncasecmp(loc, "https://", 8) || !strncasecmp(loc, "http://", 7)) {
		u = strdup(loc);
	} else {
		bk_fail("%s/%s: upload Location '%.100s' is not an http(s) URL", r->registry, r->repo, loc);
		return NULL;
	}
	if (!u)
		bk_fail("out of memory");
	return u;
}

/* Is url on the registry's own host and port? */
static bool on_registry(const struct bk_registry *r, const char *url)
{
	_cleanup_free_ char *a = bk_url_authority(url), *base = NULL, *b = NULL;

	if (!a || asprintf(&base, "%s://%s/", r->scheme, r->host) < 0)
		return false;
	b = bk_url_authority(base);
	return b && !strcmp(a, b);
}

void bk_registry_prepare(const struct bk_registry *r, struct bk_http_req *q)
{
	q->auth = on_registry(r, q->url) ? r->auth : NULL;
	q->no_verify = r->insecure;
}

/* "HTTP 404: MANIFEST_UNKNOWN: manifest unknown" from the error JSON. */
int bk_registry_error(const struct bk_http_req *q, const char *what)
{
	json_t *root = q->body ? json_loadb(q->body, q->len, 0, NULL) : NULL;
	json_t *e = json_array_get(json_object_get(root, "errors"), 0);
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	const char *hint = q->status == 401 ? " (credentials: --creds or ~/.docker/config.json)" :
			   q->status == 429 ? " (rate limited, try later)" : "";

	if (code)
		bk_fail("%s: HTTP %ld: %s%s%s%s", what, q->status, code, msg ? ": " : "",
			msg ? msg : "", hint);
	else
		bk_fail("%s: HTTP %ld%s", what, q->status, hint);
	json_decref(root);
	return -1;
}

/* Does the space-separated list hold scope? */
static bool has_scope(const char *list, const char *scope)
{
	size_t n = strlen(scope);

	for (const char *p = list; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
		if (!strncmp(p, scope, n) && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* The scopes of a, then those of b it lacks. malloc'd. */
static char *scope_union(const char *a, const char *b)
{
	_cleanup_free_ char *copy = strdup(b);
	char *out = strdup(a ? a : ""), *save = NULL;

	if (!copy || !out) {
		free(out);
		return NULL;
	}
	for (char *sc = strtok_r(copy, " ", &save); sc; sc = strtok_r(NULL, " ", &save)) {
		char *grown = NULL;
		if (has_scope(out, sc))
			continue;
		if (asprintf(&grown, "%s%s%s", out, *out ? " " : "", sc) < 0) {
			free(out);
			return NULL;
		}
		free(out);
		out = grown;
	}
	return out;
}

/* Answer a 401's challenge, asking for what the challenge names and what
 * we want (pull; or pull,push and a mount source's pull). */
static int authenticate(struct bk_registry *r, const char *header)
{
	struct bk_challenge ch;
	char *answer, *scope;

	if (!header)
		return bk_fail("%s: HTTP 401 without a WWW-Authenticate challenge", r->registry);
	if (bk_challenge_parse(header, &ch) < 0)
		return -1;
	if (!(scope = scope_union(ch.scope, r->scope))) {
		bk_challenge_free(&ch);
		return bk_fail("out of memory");
	}
	free(ch.scope);
	ch.scope = scope;
	struct bk_auth_ctx ctx = { .host = r->host, .plain = !strcmp(r->scheme, "http"),
				   .no_verify = r->insecure };
	answer = bk_auth_answer(r->http, &ch, &r->creds, &ctx);
	bk_challenge_free(&ch);
	if (!answer)
		return bk_fail_wrap("%s: auth", r->registry);
	if (r->auth)
		explicit_bzero(r->auth, strlen(r->auth));
	free(r->auth);
	r->auth = answer;
	return 0;
}

int bk_registry_authenticate(struct bk_registry *r, const struct bk_http_req *q)
{
	return authenticate(r, q->www_authenticate);
}

static void prepare(struct bk_registry *r, struct bk_http_req *q, const char *header)
{
	q->headers[0] = header;
	bk_registry_prepare(r, q);
}

/* Run the requests, each with one header (Accept, Content-Type) or none;
 * on a 401 answer its challenge once and run them all again (rewind
 * resets a request's sink first). */
static int run(struct bk_registry *r, struct bk_http_req **qs, size_t n, unsigned parallel,
	       const char *header, int (*rewind)(struct bk_http_req *q))
{
	for (int attempt = 0; attempt < 2; attempt++) {
		const struct bk_http_req *denied = NULL;
		for (size_t i = 0; i < n; i++)
			prepare(r, qs[i], header);
		if (bk_http_run(r->http, qs, n, parallel) < 0)
			return -1;
		for (size_t i = 0; i < n && !denied; i++)
			if (qs[i]->status == 401)
				denied = qs[i];
		if (!denied || attempt == 1)
			return 0;
		if (authenticate(r, denied->www_authenticate) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (rewind && rewind(qs[i]) < 0)
				return -1;
	}
	return 0;
}

int bk_registry_ping(struct bk_registry *r)
{
	for (;;) {
		_cleanup_free_ char *url = bk_registry_url(r, NULL, NULL);
		struct bk_http_req q = { .url = url, .max = 65536 };
		struct bk_http_req *qs[] = { &q };
		int rc;

		if (!url)
			return -1;
		prepare(r, &q, NULL);
		rc = bk_http_run(r->http, qs, 1, 1);
		if (rc < 0 && q.connect_failed && r->insecure && !strcmp(r->scheme, "https")) {
			BK_TRACE("%s: no TLS, falling back to plain http (loopback or --insecure)", r->registry);
			r->scheme = "http";
			bk_http_req_clear(&q);
			continue;
		}
		if (rc == 0 && q.status == 401)
			rc = authenticate(r, q.www_authenticate);
		else if (rc == 0 && q.status / 100 != 2)
			rc = bk_registry_error(&q, r->registry);
		bk_http_req_clear(&q);
		return rc;
	}
}

static int check_digest(const char *buf, size_t len, const char *want, const char *what)
{
	_cleanup_free_ char *got = bk_sha256_digest(buf, len);

	if (!got)
		return -1;
	if (strcmp(got, want))
		return bk_fail("%s %s: digest mismatch (content is %s)", what, want, got);
	return 0;
}

static int get_small(struct bk_registry *r, const char *kind, const char *ref, size_t max,
		     struct bk_http_req *q)
{
	_cleanup_free_ char *url = bk_registry_url(r, kind, ref);
	struct bk_http_req *qs[] = { q };
	int rc;

	if (!url)
		return -1;
	q->url = url;
	q->max = max;
	rc = run(r, qs, 1, 1, strcmp(kind, "manifests") ? NULL : BK_MANIFEST_ACCEPT, NULL);
	q->url = NULL;
	if (rc == 0 && q->status != 200) {
		char what[512];
		snprintf(what, sizeof(what), "%s/%s%s%s", r->registry, r->repo,
			 bk_digest_valid(ref) ? "@" : ":", ref);
		rc = bk_registry_error(q, what);
	}
	if (rc == 0 && bk_digest_valid(ref))
		rc = check_digest(q->body ? q->body : "", q->len, ref, kind);
	return rc;
}

int bk_registry_manifest(struct bk_registry *r, const char *ref, char **buf, size_t *len,
			 char **content_type)
{
	struct bk_http_req q = { 0 };

	if (get_small(r, "manifests", ref, BK_MANIFEST_MAX, &q) < 0) {
		bk_http_req_clear(&q);
		return -1;
	}
	*len = q.len;
	*buf = q.body ? bk_steal_ptr(q.body) : strdup("");
	*content_type = bk_steal_ptr(q.content_type);
	bk_http_req_clear(&q);
	return *buf ? 0 : bk_fail("out of memory");
}

int bk_registry_blob(struct bk_registry *r, const char *digest, size_t max, char **buf,
		     size_t *len)
{
	struct bk_http_req q = { 0 };

	if (get_small(r, "blobs", digest, max, &q) < 0) {
		bk_http_req_clear(&q);
		return -1;
	}
	*len = q.len;
	*buf = q.body ? bk_steal_ptr(q.body) : strdup("");
	bk_http_req_clear(&q);
	return *buf ? 0 : bk_fail("out of memory");
}

int bk_registry_put_manifest(struct bk_registry *r, const char *ref, const char *buf, size_t len,
			     const char *media_type, const char *digest)
{
	_cleanup_free_ char *url = bk_registry_url(r, "manifests", ref), *ctype = NULL;
	struct bk_http_body body = { .mem = buf, .len = len };
	struct bk_http_req q = { .method = "PUT", .send = &body, .max = 65536 };
	struct bk_http_req *qs[] = { &q };
	int rc;

	if (!url || asprintf(&ctype, "Content-Type: %s", media_type) < 0)
		return url ? bk_fail("out of memory") : -1;
	q.url = url;
	rc = run(r, qs, 1, 1, ctype, NULL);
	if (rc == 0 && q.status != 201 && q.status != 200) {
		char what[512];
		snprintf(what, sizeof(what), "%s:%s: manifest", r->name, ref);
		rc = bk_registry_error(&q, what);
	}
	if (rc == 0 && q.content_digest && digest && strcmp(q.content_digest, digest))
		rc = bk_fail("%s:%s: the registry stored manifest %.80s, not %s", r->name, ref,
			     q.content_digest, digest);
	bk_http_req_clear(&q);
	return rc;
}

/* One blob download: the request first, so a request pointer is one. */
struct fetch {
	struct bk_http_req q;
	struct bk_blob_writer *w;
	struct bk_stage *stage;
	char *url;
	size_t index;
	bk_fetch_progress progress;
	void *arg;
};

static int fetch_sink(void *arg, const void *buf, size_t n)
{
	return bk_blob_write(arg, buf, n);
}

static void fetch_progress(void *arg, uint64_t now, uint64_t total)
{
	struct fetch *f = arg;

	f->progress(f->arg, f->index, now, total);
}

static int fetch_rewind(struct bk_http_req *q)
{
	return bk_blob_rewind(((struct fetch *)q)->w);
}

static int fetch_setup(struct bk_registry *r, const char *store, const struct bk_desc *d,
		       struct fetch *f)
{
	if (!(f->url = bk_registry_url(r, "blobs", d->digest)) ||
	    !(f->w = bk_blob_writer_new(store, d->digest, d->size)))
		return -1;
	f->q.url = f->url;
	f->q.max = d->size;
	f->q.sink = fetch_sink;
	f->q.sink_arg = f->w;
	if (f->progress) {
		f->q.progress = fetch_progress;
		f->q.progress_arg = f;
	}
	return 0;
}

static int fetch_finish(struct bk_registry *r, struct fetch *f, const struct bk_desc *d)
{
	struct bk_blob_writer *w = bk_steal_ptr(f->w);

	if (f->q.status != 200) {
		char what[512];
		bk_blob_abort(w);
		snprintf(what, sizeof(what), "%s/%s blob %s", r->registry, r->repo, d->digest);
		return bk_registry_error(&f->q, what);
	}
	uint64_t got = bk_blob_written(w);
	if (got != d->size) {
		bk_blob_abort(w);
		return bk_fail("blob %s: got %llu bytes, the manifest says %llu", d->digest,
			       (unsigned long long)got, (unsigned long long)d->size);
	}
	return bk_blob_stage(w, f->stage, NULL);
}

int bk_registry_fetch(struct bk_registry *r, const char *store, struct bk_stage *stage,
		      const struct bk_desc *blobs, size_t n, unsigned parallel,
		      bk_fetch_progress progress, void *arg)
{
	struct fetch *fs = calloc(n ? n : 1, sizeof(*fs));
	struct bk_http_req **qs = calloc(n ? n : 1, sizeof(*qs));
	int rc = 0;

	if (!fs || !qs)
		rc = bk_fail("out of memory");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		fs[i].index = i;
		fs[i].stage = stage;
		fs[i].progress = progress;
		fs[i].arg = arg;
		qs[i] = &fs[i].q;
		rc = fetch_setup(r, store, &blobs[i], &fs[i]);
	}
	if (rc == 0)
		rc = run(r, qs, n, parallel, NULL, fetch_rewind);
	for (size_t i = 0; fs && i < n; i++) {
		if (rc == 0 && fs[i].w)
			rc = fetch_finish(r, &fs[i], &blobs[i]);
		bk_blob_abort(fs[i].w);
		bk_http_req_clear(&fs[i].q);
		free(fs[i].url);
	}
	free(fs);
	free(qs);
	return rc;
}

/* Like Docker: loopback registries may speak plain http, others only
 * when named with --insecure. */
static bool insecure_ok(const char *insecure, const char *registry)
{
	size_t n = strcspn(registry, ":");

	if (insecure && !strcmp(insecure, registry))
		return true;
	return (n == 9 && !strncmp(registry, "localhost", 9)) || !strncmp(registry, "127.", 4) ||
	       !strncmp(registry, "[::1]", 5);
}

static int get_creds(const char *opt, const char *registry, struct bk_creds *c)
{
	if (opt)
		return bk_creds_parse(opt, c);
	return bk_creds_from_docker_config(registry, c) < 0 ? -1 : 0;
}

int bk_registry_open(const struct bk_reach *o, const struct bk_imgref *ref, bool push,
		     const char *mount_from, struct bk_http **http, struct bk_registry **r)
{
	struct bk_http_opts ho = { .ca_file = o->ca_file, .timeout = o->timeout };
	struct bk_creds creds = { 0 };
	int rc = -1;

	*http = NULL;
	*r = NULL;
	if (get_creds(o->creds, ref->registry, &creds) == 0 && (*http = bk_http_new(&ho)) &&
	    (*r = bk_registry_new(*http, ref, &creds, insecure_ok(o->insecure, ref->registry))) &&
	    (!push || bk_registry_want_push(*r, mount_from) == 0))
		rc = bk_registry_ping(*r);
	bk_creds_free(&creds);
	if (rc < 0) {
		bk_registry_free(*r);
		bk_http_free(*http);
		*r = NULL;
		*http = NULL;
	}
	return rc;
}
