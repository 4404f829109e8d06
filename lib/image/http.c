/* http: libcurl multi wrapper with limits, timeouts and traces (http.h). */
#include "image/http.h"
#include "base/array.h"
#include "base/msg.h"
#include "base/version.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	struct bk_saved_error why;   /* why a callback aborted the transfer */
};

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

void bk_http_req_clear(struct bk_http_req *r)
{
	free(r->body);
	free(r->content_type);
	free(r->www_authenticate);
	r->body = r->content_type = r->www_authenticate = NULL;
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

	if (n > 5 && !strncmp(buf, "HTTP/", 5)) {   /* a new response (redirect) */
		free(r->content_type);
		free(r->www_authenticate);
		r->content_type = r->www_authenticate = NULL;
	}
	set_header(&r->content_type, header_value(buf, n, "Content-Type"));
	set_header(&r->www_authenticate, header_value(buf, n, "WWW-Authenticate"));
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct bk_http_req *r = arg;

	(void)ultotal;
	(void)ulnow;
	r->progress(r->progress_arg, (uint64_t)dlnow, (uint64_t)dltotal);
	return 0;
}

static int setup_easy(struct bk_http *c, struct xfer *x)
{
	struct bk_http_req *r = x->req;
	CURL *e = x->easy = curl_easy_init();

	if (!e)
		return bk_fail("libcurl: cannot create a handle");
	for (unsigned i = 0; i < ARRAY_SIZE(r->headers) && r->headers[i]; i++) {
		struct curl_slist *l = curl_slist_append(x->headers, r->headers[i]);
		if (!l)
			return bk_fail("out of memory");
		x->headers = l;
	}
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->error);
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
	x->why.msg[0] = '\0';
	BK_TRACE("GET %s", x->req->url);
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
		BK_TRACE("GET %s -> %ld (%zu bytes)", r->url, r->status,
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
	BK_TRACE("GET %s -> failed: %s", r->url, r->error);
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
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			finish(x, m->data.result);
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
			r = bk_fail("GET %s: %s", reqs[i]->url, reqs[i]->error);
	return r;
}
