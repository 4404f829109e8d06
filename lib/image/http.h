/* http: a small libcurl (multi) client for registry traffic: GET requests
 * run in parallel over pooled connections, each with a body size limit,
 * connect and stall timeouts, and a -v trace of the request and status.
 * Successful bodies go to a sink callback or memory; error bodies (kept
 * for the registry's error JSON) always go to memory. */
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
typedef void (*bk_http_progress)(void *arg, uint64_t now, uint64_t total);

struct bk_http_req {
	/* in */
	const char *url;
	const char *headers[6];   /* "Name: value", NULL-terminated */
	bool no_verify;           /* TLS without certificate checks */
	size_t max;               /* body limit */
	bk_http_sink sink;        /* NULL: body kept in .body */
	void *sink_arg;
	bk_http_progress progress;
	void *progress_arg;
	/* out */
	long status;              /* 0: transport failure, see .error */
	char *body;               /* memory body (also error bodies) */
	size_t len;
	char *content_type, *www_authenticate;
	char error[256];          /* transport or sink error */
	bool connect_failed;      /* TLS/connection level failure */
	bool sink_failed;         /* the sink refused the body (.error is why) */
};

struct bk_http *bk_http_new(const struct bk_http_opts *opts);
void bk_http_free(struct bk_http *c);

/* Run n requests, at most parallel at a time. Returns 0 when every
 * request got an HTTP status (check .status), else -1 with the first
 * transport error recorded. Results are reset on entry, so a request can
 * be run again. */
int bk_http_run(struct bk_http *c, struct bk_http_req **reqs, size_t n,
		unsigned parallel);
void bk_http_req_clear(struct bk_http_req *r);

#endif
