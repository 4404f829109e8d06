/* http: a small libcurl (multi) client for registry traffic: requests
 * (GET, HEAD, POST, PUT, PATCH) run in parallel over pooled connections,
 * each with a response size limit, connect and stall timeouts, and a -v
 * trace of the request and its status. A request may send a body from
 * memory or from a range of a file, and may be chained: once it has a
 * status, its next() callback can turn it into the following request of
 * a sequence (an upload's POST, PATCHes, PUT) that runs at once, beside
 * the others. Successful bodies go to a sink callback or memory; error
 * bodies (kept for the registry's error JSON) always go to memory. */
#ifndef BK_HTTP_H
#define BK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_http;

struct bk_http_opts {
	const char *ca_file;   /* extra CA bundle, or NULL for the system's */
	long timeout;          /* seconds: connect, and stall on a transfer */
};

/* sink returns 0, or -1 (error recorded) to abort the transfer. */
typedef int (*bk_http_sink)(void *arg, const void *buf, size_t n);
/* Bytes received (or, for a request with a body, sent) so far. */
typedef void (*bk_http_progress)(void *arg, uint64_t now, uint64_t total);

/* What a PUT, PATCH or POST sends: len bytes of mem, or, when mem is
 * NULL, len bytes of the file fd from offset off (read with pread). */
struct bk_http_body {
	const char *mem;
	int fd;
	uint64_t off, len;
};

struct bk_http_req {
	/* in */
	const char *method;       /* NULL: GET */
	const char *url;
	const char *headers[6];   /* "Name: value", NULL-terminated */
	const char *auth;         /* one more header (Authorization), or NULL */
	const struct bk_http_body *send;   /* NULL: no body */
	bool no_verify;           /* TLS without certificate checks */
	size_t max;               /* body limit */
	bk_http_sink sink;        /* NULL: body kept in .body */
	void *sink_arg;
	bk_http_progress progress;
	void *progress_arg;
	/* Called once the request has an HTTP status: 1 when it re-armed the
	 * request (new method, url, body...) to run again now, 0 when it is
	 * done, -1 (error recorded) to stop every request. */
	int (*next)(struct bk_http_req *q);
	/* out */
	long status;              /* 0: transport failure, see .error */
	char *body;               /* memory body (also error bodies) */
	size_t len;
	char *content_type, *www_authenticate;
	char *location, *range, *content_digest;   /* Location, Range, Docker-Content-Digest */
	char error[256];          /* transport or sink error */
	bool connect_failed;      /* TLS/connection level failure */
	bool sink_failed;         /* the sink refused the body (.error is why) */
};

struct bk_http *bk_http_new(const struct bk_http_opts *opts);
void bk_http_free(struct bk_http *c);

/* Run n requests, at most parallel at a time. Returns 0 when every
 * request got an HTTP status (check .status), else -1 with the first
 * transport error, or the error a next() callback recorded. Results are
 * reset on entry, so a request can be run again. */
int bk_http_run(struct bk_http *c, struct bk_http_req **reqs, size_t n,
		unsigned parallel);
void bk_http_req_clear(struct bk_http_req *r);

/* "host[:port]" of an http(s) URL, lowercased, the port given only when
 * the URL names one. malloc'd, or NULL (not an http(s) URL). */
char *bk_url_authority(const char *url);

#endif
