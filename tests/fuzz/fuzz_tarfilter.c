/* fuzz_tarfilter — the tar header filter of layer extraction: what a
 * layer's entry names may become. Input: a tar archive (read with
 * libarchive, every entry through the filter), or else "NAME\0LINK". An
 * accepted path is relative, clean (no "", "." or ".." component) and
 * short enough; so is its hard link target. */
#include "fuzz.h"
#include "image/tarfilter.h"

#include <archive.h>
#include <archive_entry.h>

static void check_clean(const char *p)
{
	FUZZ_CHECK(strlen(p) <= BK_TAR_PATH_MAX);
	FUZZ_CHECK(p[0] != '/');
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, "/");
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(!(n == 1 && c[0] == '.') && !(n == 2 && c[0] == '.' && c[1] == '.'));
		c += n;
		if (*c == '/') {
			c++;
			FUZZ_CHECK(*c);
		}
	}
}

static void filter(const char *name, const char *link)
{
	static struct bk_tar_entry t;

	if (bk_tar_filter(name, link, &t) < 0)
		return;
	switch (t.action) {
	case BK_TAR_ENTRY:
		FUZZ_CHECK(t.path[0]);
		check_clean(t.path);
		if (link)
			FUZZ_CHECK(t.link[0]);
		check_clean(t.link);
		break;
	case BK_TAR_WHITEOUT:
		FUZZ_CHECK(t.path[0]);
		check_clean(t.path);
		break;
	case BK_TAR_OPAQUE:
		check_clean(t.path);
		break;
	case BK_TAR_SKIP:
		break;
	}
}

static void from_tar(const uint8_t *data, size_t size)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	if (!a)
		abort();
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, size) == ARCHIVE_OK)
		for (int i = 0; i < 4096 && archive_read_next_header(a, &e) >= ARCHIVE_WARN; i++)
			filter(archive_entry_pathname(e), archive_entry_hardlink(e));
	archive_read_free(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 512 && !memcmp(data + 257, "ustar", 5)) {
		from_tar(data, size);
		return 0;
	}
	char *s = fuzz_str(data, size);
	size_t n = strlen(s);
	filter(s, n < size ? s + n + 1 : NULL);
	free(s);
	return 0;
}
