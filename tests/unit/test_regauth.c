/* Unit tests for regauth: WWW-Authenticate challenges (Bearer, Basic,
 * malformed). */
#include "tap.h"
#include "image/regauth.h"

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

	return tap_done();
}
