/* regauth: registry authentication. Parses a WWW-Authenticate challenge,
 * runs the Bearer token flow (realm?service&scope..., optionally with Basic
 * credentials), builds Basic headers, and finds credentials for a registry
 * in --creds or ~/.docker/config.json ($DOCKER_CONFIG). */
#ifndef BK_REGAUTH_H
#define BK_REGAUTH_H

#include <stdbool.h>
#include <stddef.h>

struct bk_http;

struct bk_creds {
	char *user, *pass;   /* both NULL: anonymous */
};

struct bk_challenge {
	char *scheme;        /* "Bearer" or "Basic" */
	char *realm, *service;
	char *scope;         /* space-separated: "repository:a:pull repository:b:pull,push" */
};

/* "user:pass" */
int bk_creds_parse(const char *s, struct bk_creds *out);
/* Look registry up in the docker config's "auths": 0 found, 1 none, -1
 * error. docker.io is looked up as https://index.docker.io/v1/ too. */
int bk_creds_from_docker_config(const char *registry, struct bk_creds *out);
void bk_creds_free(struct bk_creds *c);

int bk_challenge_parse(const char *header, struct bk_challenge *out);
void bk_challenge_free(struct bk_challenge *c);

/* The registry a challenge came from. */
struct bk_auth_ctx {
	const char *host;    /* "host[:port]" */
	bool plain;          /* it is spoken to over plain http */
	bool no_verify;      /* TLS without certificate checks (--insecure): for
				a realm on the registry's own host only */
};

/* May the token request to realm carry the credentials? Where
 * containers/image sends them (the realm the registry names, any host)
 * when the realm is https; over plain http only to the registry's own
 * host, when the registry itself is plain http (loopback, --insecure):
 * a registry cannot make them leave in clear text for another host, nor
 * downgrade a TLS session's credentials to clear text. */
int bk_realm_gets_creds(const char *realm, const struct bk_auth_ctx *ctx);

/* The "Authorization: ..." header answering the challenge: Basic from
 * creds, or Bearer with a token fetched from the realm. malloc'd. */
char *bk_auth_answer(struct bk_http *http, const struct bk_challenge *ch,
		     const struct bk_creds *creds, const struct bk_auth_ctx *ctx);

/* "Authorization: Bearer TOKEN" from a token response body
 * ({"token": ...} or {"access_token": ...}). malloc'd. */
char *bk_token_header(const char *body, size_t len);

#endif
