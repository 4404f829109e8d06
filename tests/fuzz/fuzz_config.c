/* fuzz_config — image configs: the diff_ids a pull trusts, and the fields
 * --inspect hands to the driver (never a newline where one is refused). */
#include "fuzz.h"
#include "base/cleanup.h"
#include "image/imgref.h"
#include "image/inspect.h"
#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **ids = NULL;
	size_t n = 0;

	if (bk_config_diffids((const char *)data, size, &ids, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(bk_digest_valid(ids[i]));
		FUZZ_CHECK(ids[n] == NULL);
		bk_strvfreep(&ids);
	}
	char **kv = bk_config_fields((const char *)data, size);
	for (size_t i = 0; kv && kv[i]; i += 2)
		FUZZ_CHECK(kv[i + 1] != NULL);
	bk_strvfreep(&kv);
	return 0;
}
