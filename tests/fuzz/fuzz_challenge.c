/* fuzz_challenge — WWW-Authenticate headers from a registry's 401. */
#include "fuzz.h"
#include "image/regauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct bk_challenge ch;

	if (bk_challenge_parse(s, &ch) == 0) {
		FUZZ_CHECK(ch.scheme && *ch.scheme);
		bk_challenge_free(&ch);
	}
	free(s);
	return 0;
}
