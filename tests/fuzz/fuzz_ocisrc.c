/* fuzz_ocisrc — what a local image source hands the loader: an OCI
 * layout's index.json (the entry a tag names) and a docker-archive's
 * manifest.json (the members of one image). The first byte picks which,
 * and the tag or the image index asked for. */
#include "fuzz.h"
#include "image/imgref.h"
#include "image/manifest.h"
#include "image/ocisrc.h"

static const char *const tags[] = { NULL, "latest", "@0", "@1", "@18446744073709551617" };

static void index_find(const char *text, size_t len, unsigned pick)
{
	struct bk_desc d;

	if (bk_oci_index_find(text, len, tags[pick % 5], &d) == 0) {
		FUZZ_CHECK(bk_digest_valid(d.digest));
		FUZZ_CHECK(d.media_type);
		bk_desc_free(&d);
	}
}

static void archive_members(const char *text, size_t len, unsigned pick)
{
	struct bk_darchive_members m;

	if (bk_darchive_members(text, len, pick % 3, &m) == 0) {
		FUZZ_CHECK(m.config);
		for (size_t i = 0; i < m.n; i++)
			FUZZ_CHECK(m.layers[i]);
		FUZZ_CHECK(!m.layers[m.n]);
		bk_darchive_members_free(&m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		index_find((const char *)data + 1, size - 1, data[0] >> 1);
	else
		archive_members((const char *)data + 1, size - 1, data[0] >> 1);
	return 0;
}
