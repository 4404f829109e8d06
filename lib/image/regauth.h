/* regauth: registry authentication. Parses a WWW-Authenticate challenge,
 * runs the Bearer token flow (realm?service&scope, optionally with Basic
 * credentials), builds Basic headers, and finds credentials for a registry
 * in --creds or ~/.docker/config.json ($DOCKER_CONFIG). */
#ifndef BK_REGAUTH_H
#define BK_REGAUTH_H

#include <stdbool.h>

struct bk_http;

struct bk_creds {
	char *user, *pass;   /* both NULL: anonymous */
};

struct bk_challenge {
	char *scheme;        /* "Bearer" or "Basic" */
	char *realm, *service, *scope;
};

/* "user:pass" */
int bk_creds_parse(const char *s, struct bk_creds *out);
/* Look registry up in the docker config's "auths": 0 found, 1 none, -1
 * error. docker.io is looked up as https://index.docker.io/v1/ too. */
int bk_creds_from_docker_config(const char *registry, struct bk_creds *out);
void bk_creds_free(struct bk_creds *c);

int bk_challenge_parse(const char *header, struct bk_challenge *out);
void bk_challenge_free(struct bk_challenge *c);

/* The "Authorization: ..." header answering the challenge: Basic from
 * creds, or Bearer with a token fetched from the realm. malloc'd. */
char *bk_auth_answer(struct bk_http *http, const struct bk_challenge *ch,
		     const struct bk_creds *creds, bool no_verify);

#endif
