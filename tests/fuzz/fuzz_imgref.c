/* fuzz_imgref — image references: parse, normalise, and normalising the
 * normal form again changes nothing. */
#include "fuzz.h"
#include "image/imgref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct bk_imgref r, again;

	if (bk_imgref_parse(s, &r) == 0) {
		char *norm = bk_imgref_string(&r);
		FUZZ_CHECK(norm);
		FUZZ_CHECK(r.repo && r.registry && (r.tag || r.digest));
		FUZZ_CHECK(!strstr(r.repo, "..") && r.repo[0] != '/');
		FUZZ_CHECK(bk_imgref_parse(norm, &again) == 0);
		char *norm2 = bk_imgref_string(&again);
		FUZZ_CHECK(norm2 && !strcmp(norm, norm2));
		free(norm2);
		free(norm);
		bk_imgref_free(&again);
		bk_imgref_free(&r);
	}
	free(s);
	return 0;
}
