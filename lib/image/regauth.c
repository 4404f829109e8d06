/* regauth: challenge parsing, Basic and Bearer token auth (regauth.h). */
#include "image/regauth.h"
#include "base/cleanup.h"
#include "image/http.h"
#include "base/msg.h"

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define TOKEN_MAX (1u << 20)

int bk_creds_parse(const char *s, struct bk_creds *out)
{
	const char *colon = strchr(s, ':');

	memset(out, 0, sizeof(*out));
	if (!colon || colon == s)
		return bk_fail("credentials must be USER:PASSWORD");
	if (!(out->user = strndup(s, colon - s)) || !(out->pass = strdup(colon + 1))) {
		bk_creds_free(out);
		return bk_fail("out of memory");
	}
	return 0;
}

void bk_creds_free(struct bk_creds *c)
{
	free(c->user);
	if (c->pass)
		explicit_bzero(c->pass, strlen(c->pass));
	free(c->pass);
	c->user = c->pass = NULL;
}

static char *b64_decode(const char *in)
{
	size_t n = strlen(in);
	unsigned char *out = malloc(n / 4 * 3 + 4);
	int len;

	if (!out)
		return NULL;
	len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
	if (len < 0) {
		free(out);
		return NULL;
	}
	while (len > 0 && n > 0 && in[--n] == '=')   /* DecodeBlock keeps padding */
		len--;
	out[len] = '\0';
	return (char *)out;
}

static char *b64_encode(const char *in)
{
	size_t n = strlen(in);
	unsigned char *out = malloc((n + 2) / 3 * 4 + 1);

	if (out)
		EVP_EncodeBlock(out, (const unsigned char *)in, (int)n);
	return (char *)out;
}

static char *docker_config_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *p = NULL;

	if (dir && *dir) {
		if (asprintf(&p, "%s/config.json", dir) < 0)
			p = NULL;
	} else if (home && *home) {
		if (asprintf(&p, "%s/.docker/config.json", home) < 0)
			p = NULL;
	}
	return p;
}

static json_t *config_auth_entry(json_t *auths, const char *registry)
{
	json_t *e = json_object_get(auths, registry);

	if (!e && !strcmp(registry, "docker.io"))
		e = json_object_get(auths, "https://index.docker.io/v1/");
	return e;
}

int bk_creds_from_docker_config(const char *registry, struct bk_creds *out)
{
	_cleanup_free_ char *path = docker_config_path(), *plain = NULL;
	json_error_t jerr;
	json_t *root, *e;
	const char *auth;
	int r = 1;

	memset(out, 0, sizeof(*out));
	if (!path || access(path, F_OK) < 0)
		return 1;
	if (!(root = json_load_file(path, 0, &jerr)))
		return bk_fail("%s: %s", path, jerr.text);
	e = config_auth_entry(json_object_get(root, "auths"), registry);
	auth = json_string_value(json_object_get(e, "auth"));
	if (auth && *auth) {
		if (!(plain = b64_decode(auth)))
			r = bk_fail("%s: bad auth entry for %s", path, registry);
		else
			r = bk_creds_parse(plain, out) < 0 ? bk_fail_wrap("%s: %s", path, registry) : 0;
	}
	if (plain)
		explicit_bzero(plain, strlen(plain));
	json_decref(root);
	return r;
}

void bk_challenge_free(struct bk_challenge *c)
{
	free(c->scheme);
	free(c->realm);
	free(c->service);
	free(c->scope);
	memset(c, 0, sizeof(*c));
}

/* key="value" or key=token; returns the position after it, or NULL. */
static const char *param(const char *p, char *key, size_t kmax, char **val)
{
	size_t k = strcspn(p, "= \t,");
	const char *v;

	if (k == 0 || k >= kmax || p[k] != '=')
		return NULL;
	memcpy(key, p, k);
	key[k] = '\0';
	v = p + k + 1;
	if (*v == '"') {
		const char *end = strchr(++v, '"');
		if (!end)
			return NULL;
		*val = strndup(v, end - v);
		return end + 1;
	}
	*val = strndup(v, strcspn(v, ", \t"));
	return v + strcspn(v, ", \t");
}

int bk_challenge_parse(const char *h, struct bk_challenge *out)
{
	const char *p = h;
	size_t n = strcspn(p, " \t");

	memset(out, 0, sizeof(*out));
	if (!n || !(out->scheme = strndup(p, n)))
		return bk_fail("bad WWW-Authenticate header '%s'", h);
	p += n;
	while (*p) {
		char key[32], *val = NULL;
		p += strspn(p, " \t,");
		if (!*p)
			break;
		if (!(p = param(p, key, sizeof(key), &val)) || !val) {
			free(val);
			bk_challenge_free(out);
			return bk_fail("bad WWW-Authenticate header '%s'", h);
		}
		char **slot = !strcasecmp(key, "realm") ? &out->realm :
			      !strcasecmp(key, "service") ? &out->service :
			      !strcasecmp(key, "scope") ? &out->scope : NULL;
		if (slot) {
			free(*slot);
			*slot = val;
		} else {
			free(val);
		}
	}
	return 0;
}

static char *basic_header(const struct bk_creds *creds)
{
	_cleanup_free_ char *pair = NULL, *enc = NULL;
	char *h = NULL;

	if (asprintf(&pair, "%s:%s", creds->user, creds->pass) < 0 || !(enc = b64_encode(pair)) ||
	    asprintf(&h, "Authorization: Basic %s", enc) < 0) {
		bk_fail("out of memory");
		h = NULL;
	}
	if (pair)
		explicit_bzero(pair, strlen(pair));
	return h;
}

static int append_query(char **url, char sep, const char *key, const char *val)
{
	_cleanup_free_ char *old = *url;
	char *esc = curl_easy_escape(NULL, val, 0);
	int r;

	if (!esc)
		return bk_fail("out of memory");
	r = asprintf(url, "%s%c%s=%s", old, sep, key, esc);
	curl_free(esc);
	if (r < 0) {
		*url = NULL;
		return bk_fail("out of memory");
	}
	return 0;
}

/* realm?service=S&scope=A&scope=B: one scope parameter per scope of
 * the challenge's space-separated list, as Docker asks. */
static char *token_url(const struct bk_challenge *ch)
{
	char *url = strdup(ch->realm);
	char sep = strchr(ch->realm, '?') ? '&' : '?';
	_cleanup_free_ char *scopes = ch->scope ? strdup(ch->scope) : NULL;
	char *save = NULL;

	if (!url || (ch->scope && !scopes)) {
		free(url);
		return NULL;
	}
	if (ch->service) {
		if (append_query(&url, sep, "service", ch->service) < 0)
			return NULL;
		sep = '&';
	}
	for (char *sc = scopes ? strtok_r(scopes, " ", &save) : NULL; sc; sc = strtok_r(NULL, " ", &save)) {
		if (append_query(&url, sep, "scope", sc) < 0)
			return NULL;
		sep = '&';
	}
	return url;
}

char *bk_token_header(const char *body, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(body ? body : "", len, 0, &jerr);
	const char *tok;
	char *h = NULL;

	if (!root) {
		bk_fail("token response: %s", jerr.text);
		return NULL;
	}
	tok = json_string_value(json_object_get(root, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(root, "access_token"));
	if (!tok || !*tok || strpbrk(tok, "\r\n"))
		bk_fail("token response: no token");
	else if (asprintf(&h, "Authorization: Bearer %s", tok) < 0)
		h = NULL;
	json_decref(root);
	return h;
}

/* The host part of an http(s) URL (no port), malloc'd, or NULL. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *host = NULL, *out = NULL;

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		out = strdup(host);
	curl_free(host);
	curl_url_cleanup(u);
	return out;
}

/* Is realm on the registry's host (any port)? */
static bool same_host(const char *realm, const char *registry)
{
	_cleanup_free_ char *reg_url = NULL, *realm_host = NULL, *reg_host = NULL;

	if (!registry || asprintf(&reg_url, "http://%s/", registry) < 0)
		return false;
	realm_host = url_host(realm);
	reg_host = url_host(reg_url);
	return realm_host && reg_host && !strcasecmp(realm_host, reg_host);
}

int bk_realm_gets_creds(const char *realm, const struct bk_auth_ctx *ctx)
{
	if (!strncasecmp(realm, "https://", 8))
		return 1;
	return ctx->plain && same_host(realm, ctx->host);
}

static char *bearer(struct bk_http *http, const struct bk_challenge *ch,
		    const struct bk_creds *creds, const struct bk_auth_ctx *ctx)
{
	_cleanup_free_ char *url = NULL, *basic = NULL;
	/* --insecure is for the registry's host: a realm elsewhere is verified */
	struct bk_http_req req = { .max = TOKEN_MAX,
				   .no_verify = ctx->no_verify && ch->realm && same_host(ch->realm, ctx->host) };
	struct bk_http_req *reqs[] = { &req };
	char *h = NULL;

	if (!ch->realm || (strncasecmp(ch->realm, "https://", 8) &&
			   strncasecmp(ch->realm, "http://", 7))) {
		bk_fail("Bearer challenge without an http(s) realm");
		return NULL;
	}
	if (creds && creds->user && !bk_realm_gets_creds(ch->realm, ctx)) {
		bk_fail("token realm %.200s: credentials go over plain http only to the registry's "
			"own host, itself reached over plain http (see imgpull(1))", ch->realm);
		return NULL;
	}
	if (!(url = token_url(ch)))
		return NULL;
	req.url = url;
	if (creds && creds->user) {
		if (!(basic = basic_header(creds)))
			return NULL;
		req.headers[0] = basic;
	}
	if (bk_http_run(http, reqs, 1, 1) < 0) {
		bk_fail_wrap("token");
	} else if (req.status != 200) {
		bk_fail("token %.200s: HTTP %ld%s", ch->realm, req.status,
			req.status == 401 ? " (bad credentials?)" : "");
	} else {
		h = bk_token_header(req.body, req.len);
	}
	bk_http_req_clear(&req);
	if (basic)
		explicit_bzero(basic, strlen(basic));
	return h;
}

char *bk_auth_answer(struct bk_http *http, const struct bk_challenge *ch,
		     const struct bk_creds *creds, const struct bk_auth_ctx *ctx)
{
	if (!strcasecmp(ch->scheme, "Bearer"))
		return bearer(http, ch, creds, ctx);
	if (!strcasecmp(ch->scheme, "Basic")) {
		if (!creds || !creds->user) {
			bk_fail("registry wants Basic credentials (--creds or ~/.docker/config.json)");
			return NULL;
		}
		return basic_header(creds);
	}
	bk_fail("unsupported auth scheme '%s'", ch->scheme);
	return NULL;
}
