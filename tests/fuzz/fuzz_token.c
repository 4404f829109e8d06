/* fuzz_token — token server responses: the Authorization header made from
 * one is a single line. */
#include "fuzz.h"
#include "image/regauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = bk_token_header((const char *)data, size);

	if (h) {
		FUZZ_CHECK(!strncmp(h, "Authorization: Bearer ", 22) && h[22]);
		FUZZ_CHECK(!strpbrk(h, "\r\n"));
		free(h);
	}
	return 0;
}
