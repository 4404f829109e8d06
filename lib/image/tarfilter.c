/* tarfilter: the tar entry filter of layer extraction (tarfilter.h). */
#include "image/tarfilter.h"
#include "base/msg.h"

#include <string.h>

/* Clean a tar path: drop "./" and "/" runs. Refuse ".." components and
 * absolute paths ("/" alone, the layer root as umoci writes it, is fine:
 * it comes out empty). */
static int clean_path(const char *name, char *out, size_t max)
{
	const char *p = name;
	size_t len = 0;

	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2))
			return bk_fail("'%.200s': '..' path refused", name);
		if (n && !(n == 1 && *p == '.')) {
			if (len + n + 2 > max)
				return bk_fail("'%.64s...': path too long", name);
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
		p += strspn(p, "/");
	}
	out[len] = '\0';
	if (name[0] == '/' && len)
		return bk_fail("'%.200s': absolute path refused", name);
	return 0;
}

/* Split the cleaned path into its directory (in out->path) and what a
 * ".wh." base names. */
static int marker(struct bk_tar_entry *out, const char *base)
{
	size_t dirlen = base > out->path ? (size_t)(base - out->path - 1) : 0;

	if (!strcmp(base, ".wh..wh..opq")) {
		out->path[dirlen] = '\0';
		out->action = BK_TAR_OPAQUE;
		return 0;
	}
	if (!strncmp(base, ".wh..wh.", 8)) {
		out->action = BK_TAR_SKIP;   /* aufs bookkeeping (.wh..wh.plnk...) */
		return 0;
	}
	const char *hidden = base + 4;
	if (!*hidden || !strcmp(hidden, ".") || !strcmp(hidden, ".."))
		return bk_fail("'%.200s': bad whiteout", out->path);
	memmove(out->path + (dirlen ? dirlen + 1 : 0), hidden, strlen(hidden) + 1);
	out->action = BK_TAR_WHITEOUT;
	return 0;
}

int bk_tar_filter(const char *name, const char *hardlink, struct bk_tar_entry *out)
{
	const char *base;

	out->action = BK_TAR_SKIP;
	out->link[0] = '\0';
	if (clean_path(name ? name : "", out->path, sizeof(out->path)) < 0)
		return -1;
	if (!out->path[0])
		return 0;   /* the layer root itself keeps 0755 root:root */
	base = strrchr(out->path, '/');
	base = base ? base + 1 : out->path;
	if (!strncmp(base, ".wh.", 4))
		return marker(out, base);
	if (hardlink) {
		if (clean_path(hardlink, out->link, sizeof(out->link)) < 0)
			return bk_fail_wrap("hard link '%.200s'", out->path);
		if (!out->link[0])
			return bk_fail("hard link '%.200s': to the layer root", out->path);
	}
	out->action = BK_TAR_ENTRY;
	return 0;
}
