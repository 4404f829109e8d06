/* fuzz_manifest — image manifests as a registry serves them. The first
 * byte picks the Content-Type the document came with. */
#include "fuzz.h"
#include "image/imgref.h"
#include "image/manifest.h"

static const char *const types[] = { NULL, BK_MT_OCI_MANIFEST, BK_MT_DOCKER_V2, BK_MT_OCI_INDEX,
				     BK_MT_DOCKER_LIST, "application/json" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_manifest m;

	if (size < 1)
		return 0;
	if (bk_manifest_parse((const char *)data + 1, size - 1,
			      types[data[0] % (sizeof(types) / sizeof(*types))], &m) == 0) {
		if (m.kind == BK_MK_IMAGE) {
			FUZZ_CHECK(bk_digest_valid(m.config.digest));
			for (size_t i = 0; i < m.nlayers; i++)
				FUZZ_CHECK(bk_digest_valid(m.layers[i].digest));
		}
		bk_manifest_free(&m);
	}
	return 0;
}
