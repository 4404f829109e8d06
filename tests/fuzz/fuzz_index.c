/* fuzz_index — OCI indexes and docker manifest lists: the platform pick.
 * The first byte picks the platform asked for. */
#include "fuzz.h"
#include "image/imgref.h"
#include "image/manifest.h"

static const char *const platforms[] = { "linux/amd64", "linux/arm64/v8", "linux/arm/v7", "x/y/z/w" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_desc d;

	if (size < 1)
		return 0;
	if (bk_index_pick((const char *)data + 1, size - 1,
			  platforms[data[0] % (sizeof(platforms) / sizeof(*platforms))], &d) == 0) {
		FUZZ_CHECK(bk_digest_valid(d.digest));
		bk_desc_free(&d);
	}
	return 0;
}
