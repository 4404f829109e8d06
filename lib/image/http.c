/* http: libcurl multi wrapper with limits, timeouts, bodies, chained
 * requests and traces (http.h). */
#include "image/http.h"
#include "base/array.h"
#include "base/msg.h"
#include "base/version.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct bk_http {
	CURLM *multi;
	char *ca_file;
	long timeout;
};

/* Per-transfer state, owned by the running loop. */
struct xfer {
	struct bk_http_req *req;
	CURL *easy;
	struct curl_slist *headers;
	size_t got;
	uint64_t sent;               /* of the request body */
	struct bk_saved_error why;   /* why a callback aborted the transfer */
};

static const char *method_of(const struct bk_http_req *r)
{
	return r->method ? r->method : "GET";
}

struct bk_http *bk_http_new(const struct bk_http_opts *opts)
{
	static int inited;
	struct bk_http *c;

	if (!inited++ && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		bk_fail("libcurl: initialisation failed");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->multi = curl_multi_init())) {
		free(c);
		bk_fail("libcurl: cannot create a multi handle");
		return NULL;
	}
	c->timeout = opts->timeout > 0 ? opts->timeout : 30;
	if (opts->ca_file && !(c->ca_file = strdup(opts->ca_file))) {
		bk_http_free(c);
		bk_fail("out of memory");
		return NULL;
	}
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 8L);
	return c;
}

void bk_http_free(struct bk_http *c)
{
	if (!c)
		return;
	if (c->multi)
		curl_multi_cleanup(c->multi);
	free(c->ca_file);
	free(c);
}

static void clear_headers(struct bk_http_req *r)
{
	free(r->content_type);
	free(r->www_authenticate);
	free(r->location);
	free(r->range);
	free(r->content_digest);
	r->content_type = r->www_authenticate = r->location = r->range = r->content_digest = NULL;
}

void bk_http_req_clear(struct bk_http_req *r)
{
	free(r->body);
	r->body = NULL;
	clear_headers(r);
	r->len = 0;
	r->status = 0;
	r->error[0] = '\0';
	r->connect_failed = false;
	r->sink_failed = false;
}

/* A callback's failure: keep its error for finish(); 0 aborts the transfer. */
static size_t abort_xfer(struct xfer *x)
{
	bk_error_save(&x->why);
	return 0;
}

static int append_mem(struct xfer *x, const char *buf, size_t n, size_t max)
{
	struct bk_http_req *r = x->req;
	char *p;

	if (r->len + n > max)
		return bk_fail("response larger than %zu bytes", max);
	if (!(p = realloc(r->body, r->len + n + 1)))
		return bk_fail("out of memory");
	memcpy(p + r->len, buf, n);
	r->body = p;
	r->len += n;
	p[r->len] = '\0';
	return 0;
}

static size_t on_body(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	struct bk_http_req *r = x->req;
	size_t n = size * nmemb;
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code < 200 || code > 299 || !r->sink)
		return append_mem(x, buf, n, r->sink && code >= 300 ? 65536 : r->max) < 0 ?
		       abort_xfer(x) : n;
	if (x->got + n > r->max) {
		bk_fail("response larger than %zu bytes", r->max);
		return abort_xfer(x);
	}
	x->got += n;
	if (r->sink(r->sink_arg, buf, n) < 0) {
		r->sink_failed = true;
		return abort_xfer(x);
	}
	return n;
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v;

	if (n <= k || strncasecmp(line, name, k) || line[k] != ':')
		return NULL;
	v = line + k + 1;
	n -= k + 1;
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	return strndup(v, n);
}

static void set_header(char **slot, char *v)
{
	if (v) {
		free(*slot);
		*slot = v;
	}
}

static size_t on_header(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct bk_http_req *r = ((struct xfer *)arg)->req;
	size_t n = size * nmemb;

	if (n > 5 && !strncmp(buf, "HTTP/", 5))   /* a new response (redirect) */
		clear_headers(r);
	set_header(&r->content_type, header_value(buf, n, "Content-Type"));
	set_header(&r->www_authenticate, header_value(buf, n, "WWW-Authenticate"));
	set_header(&r->location, header_value(buf, n, "Location"));
	set_header(&r->range, header_value(buf, n, "Range"));
	set_header(&r->content_digest, header_value(buf, n, "Docker-Content-Digest"));
	return n;
}

/* The request body, from memory or pread from its file. */
static size_t on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	const struct bk_http_body *b = x->req->send;
	uint64_t left = b ? b->len - x->sent : 0;
	size_t n = size * nmemb < left ? size * nmemb : (size_t)left;
	ssize_t got;

	if (n == 0)
		return 0;
	if (b->mem) {
		memcpy(buf, b->mem + x->sent, n);
		got = (ssize_t)n;
	} else {
		while ((got = pread(b->fd, buf, n, (off_t)(b->off + x->sent))) < 0 && errno == EINTR)
			;
		if (got <= 0) {
			bk_fail_errno(got < 0 ? errno : EIO, "read the body of %s %s", method_of(x->req),
				      x->req->url);
			bk_error_save(&x->why);
			return CURL_READFUNC_ABORT;
		}
	}
	x->sent += (uint64_t)got;
	return (size_t)got;
}

/* curl rewinds the body to send it again (an auth retry, a redirect). */
static int on_seek(void *arg, curl_off_t offset, int origin)
{
	struct xfer *x = arg;

	uint64_t len = x->req->send ? x->req->send->len : 0;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct bk_http_req *r = arg;

	if (r->send)
		r->progress(r->progress_arg, (uint64_t)ulnow, (uint64_t)ultotal);
	else
		r->progress(r->progress_arg, (uint64_t)dlnow, (uint64_t)dltotal);
	return 0;
}

static int add_header(struct xfer *x, const char *h)
{
	struct curl_slist *l = curl_slist_append(x->headers, h);

	if (!l)
		return bk_fail("out of memory");
	x->headers = l;
	return 0;
}

/* The method and what it sends. Only GET and HEAD follow redirects: a
 * registry answers uploads with a Location that is not one. */
static int setup_method(CURL *e, struct xfer *x)
{
	struct bk_http_req *r = x->req;
	const char *m = method_of(r);

	if (!strcmp(m, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (strcmp(m, "GET") && strcmp(m, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);   /* a body, maybe empty */
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(r->send ? r->send->len : 0));
		curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(e, CURLOPT_READDATA, x);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, x);
		/* no "Expect: 100-continue" round trip before each body */
		if (add_header(x, "Expect:") < 0)
			return -1;
	}
	return 0;
}

static int setup_easy(struct bk_http *c, struct xfer *x)
{
	struct bk_http_req *r = x->req;
	CURL *e = x->easy = curl_easy_init();

	if (!e)
		return bk_fail("libcurl: cannot create a handle");
	for (unsigned i = 0; i < ARRAY_SIZE(r->headers) && r->headers[i]; i++)
		if (add_header(x, r->headers[i]) < 0)
			return -1;
	if ((r->auth && add_header(x, r->auth) < 0) || setup_method(e, x) < 0)
		return -1;
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
	if (!r->method || !strcmp(r->method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* A redirect may not take an https request down to plain http. (The
	 * Authorization header is never sent to another host or port: curl
	 * drops custom ones there.) */
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR,
			 strncmp(r->url, "https:", 6) ? "http,https" : "https");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, c->timeout);
	/* A stalled transfer (< 1 KiB/s for the timeout) fails; a slow big
	 * layer that keeps moving does not. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->timeout);
	char agent[96];
	snprintf(agent, sizeof(agent), "imgpull (bockit) %s", bk_version);
	curl_easy_setopt(e, CURLOPT_USERAGENT, agent);   /* curl keeps a copy */
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (c->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
	if (r->no_verify) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (r->progress) {
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, r);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	return 0;
}

static void xfer_release(struct bk_http *c, struct xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(c->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	x->easy = NULL;
	x->headers = NULL;
}

static int start(struct bk_http *c, struct xfer *x)
{
	bk_http_req_clear(x->req);
	x->got = 0;
	x->sent = 0;
	x->why.msg[0] = '\0';
	if (x->req->send)
		BK_TRACE("%s %s (%llu bytes)", method_of(x->req), x->req->url,
			 (unsigned long long)x->req->send->len);
	else
		BK_TRACE("%s %s", method_of(x->req), x->req->url);
	if (setup_easy(c, x) < 0)
		return -1;
	if (curl_multi_add_handle(c->multi, x->easy) != CURLM_OK)
		return bk_fail("libcurl: cannot add a transfer");
	return 0;
}

static void finish(struct xfer *x, CURLcode code)
{
	struct bk_http_req *r = x->req;

	if (code == CURLE_OK) {
		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &r->status);
		BK_TRACE("%s %s -> %ld (%zu bytes)", method_of(r), r->url, r->status,
			 r->sink && r->status / 100 == 2 ? x->got : r->len);
		return;
	}
	r->status = 0;
	r->connect_failed = code == CURLE_SSL_CONNECT_ERROR || code == CURLE_COULDNT_CONNECT ||
			    code == CURLE_PEER_FAILED_VERIFICATION;
	if (x->why.msg[0])
		snprintf(r->error, sizeof(r->error), "%.*s", (int)sizeof(r->error) - 1, x->why.msg);
	else if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(code));
	BK_TRACE("%s %s -> failed: %s", method_of(r), r->url, r->error);
}

/* A finished transfer: its next request, if it chains one (1: run
 * again, 0: done, -1: stop everything). */
static int chain(struct bk_http *c, struct xfer *x)
{
	int r;

	if (x->req->status == 0 || !x->req->next)
		return 0;
	if ((r = x->req->next(x->req)) <= 0)
		return r;
	xfer_release(c, x);
	return start(c, x) < 0 ? -1 : 1;
}

/* Drive the multi handle until every transfer finished. */
static int run_loop(struct bk_http *c, struct xfer *xs, size_t n, unsigned parallel)
{
	size_t next = 0, active = 0, done = 0;

	while (done < n) {
		while (next < n && active < parallel) {
			if (start(c, &xs[next]) < 0)
				return -1;
			next++;
			active++;
		}
		int running = 0, left = 0;
		CURLMsg *m;
		if (curl_multi_perform(c->multi, &running) != CURLM_OK)
			return bk_fail("libcurl: transfer loop failed");
		while ((m = curl_multi_info_read(c->multi, &left))) {
			struct xfer *x = NULL;
			int r;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			finish(x, m->data.result);
			if ((r = chain(c, x)) < 0)
				return -1;
			if (r > 0)
				continue;
			xfer_release(c, x);
			active--;
			done++;
		}
		if (done < n && curl_multi_poll(c->multi, NULL, 0, 1000, NULL) != CURLM_OK)
			return bk_fail("libcurl: poll failed");
	}
	return 0;
}

int bk_http_run(struct bk_http *c, struct bk_http_req **reqs, size_t n,
		unsigned parallel)
{
	struct xfer *xs = calloc(n ? n : 1, sizeof(*xs));
	int r;

	if (!xs)
		return bk_fail("out of memory");
	for (size_t i = 0; i < n; i++)
		xs[i].req = reqs[i];
	r = run_loop(c, xs, n, parallel ? parallel : 1);
	for (size_t i = 0; i < n; i++)
		xfer_release(c, &xs[i]);
	free(xs);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (reqs[i]->status == 0 && reqs[i]->sink_failed)
			r = bk_fail("%s", reqs[i]->error);   /* the store's own error */
		else if (reqs[i]->status == 0)
			r = bk_fail("%s %s: %s", method_of(reqs[i]), reqs[i]->url, reqs[i]->error);
	return r;
}

char *bk_url_authority(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *out = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);   /* absent: no port */
		if (asprintf(&out, "%s%s%s", host, port ? ":" : "", port ? port : "") < 0)
			out = NULL;
		for (char *p = out; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}
