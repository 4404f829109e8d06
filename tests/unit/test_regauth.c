/* Unit tests for regauth: WWW-Authenticate challenges (Bearer, Basic,
 * malformed), which token realms get credentials, token responses. */
#include "tap.h"
#include "image/regauth.h"

#include <stdlib.h>

static void test_realms_and_tokens(void)
{
	struct bk_auth_ctx plain = { .host = "127.0.0.1:5000", .plain = true };
	struct bk_auth_ctx tls = { .host = "registry.example:443", .plain = false };
	char *h;

	ok(bk_realm_gets_creds("https://auth.other.example/token", &tls), "https realm, other host: yes");
	ok(bk_realm_gets_creds("HTTPS://auth.other.example/token", &plain), "https realm from a plain registry: yes");
	ok(bk_realm_gets_creds("http://127.0.0.1:5001/token", &plain), "plain realm, same host: yes");
	ok(!bk_realm_gets_creds("http://127.0.0.2:5001/token", &plain), "plain realm, other host: no");
	ok(!bk_realm_gets_creds("http://registry.example/token", &tls), "plain realm from a TLS registry: no");
	ok(!bk_realm_gets_creds("http://127.0.0.1@evil.example/token", &plain), "user@host realm: no");
	h = bk_token_header("{\"token\":\"abc\"}", 15);
	is_str(h, "Authorization: Bearer abc", "token response");
	free(h);
	h = bk_token_header("{\"access_token\":\"x\\ny\"}", 23);
	ok(!h, "a token with a newline refused");
}

int main(void)
{
	struct bk_challenge ch;

	int rc = bk_challenge_parse("Bearer realm=\"https://auth.example/token\",service=\"reg\","
				    "scope=\"repository:a/b:pull\"", &ch);
	ok(rc == 0, "Bearer challenge parses");
	is_str(ch.scheme, "Bearer", "scheme");
	is_str(ch.realm, "https://auth.example/token", "realm");
	is_str(ch.service, "reg", "service");
	is_str(ch.scope, "repository:a/b:pull", "scope");
	bk_challenge_free(&ch);
	rc = bk_challenge_parse("Basic realm=\"x\"", &ch);
	ok(rc == 0 && !ch.service, "Basic challenge");
	bk_challenge_free(&ch);
	rc = bk_challenge_parse("Bearer realm=\"unterminated", &ch);
	ok(rc < 0, "bad challenge refused");
	test_realms_and_tokens();
	return tap_done();
}
