/* fuzz_names — image names as users type them (bocker tag, commit, run):
 * a normalised name normalises to itself, is never an id, and its
 * REPOSITORY:TAG columns, as images shows them, normalise back to it. */
#include "fuzz.h"
#include "image/names.h"

#include <stdbool.h>

/* docker.io/library/img_ + 12 hex digits, which would read as an id */
static bool id_like(const char *name)
{
	const char *repo = name + 22;
	size_t n;

	if (strncmp(name, "docker.io/library/img_", 22))
		return false;
	n = strspn(repo, "0123456789abcdef");
	return n == 12 && (repo[n] == ':' || repo[n] == '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	char *name = bk_name_normalise(text);

	if (name) {
		char *again = bk_name_normalise(name), *repo = NULL, *tag = NULL;

		FUZZ_CHECK(again && !strcmp(again, name));
		FUZZ_CHECK(!id_like(name));
		FUZZ_CHECK(bk_name_columns(name, &repo, &tag) == 0 && *repo && *tag);
		size_t len = strlen(repo) + strlen(tag) + 2;
		char *shown = malloc(len);
		if (!shown)
			abort();
		snprintf(shown, len, "%s:%s", repo, tag);
		char *back = bk_name_normalise(shown);
		FUZZ_CHECK(back && !strcmp(back, name));
		free(back);
		free(shown);
		free(repo);
		free(tag);
		free(again);
	}
	free(name);
	free(text);
	return 0;
}
