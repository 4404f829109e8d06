/* Unit tests for tarfilter: what a layer's tar header may name (paths
 * made relative and clean, whiteouts, opaque dirs, hardlink targets) and
 * what is refused ('..', absolute, bad whiteouts, too long). */
#include "tap.h"
#include "base/msg.h"
#include "image/tarfilter.h"

#include <string.h>

static struct bk_tar_entry tar;

static void tar_is(const char *name, const char *link, enum bk_tar_action want,
		   const char *path, const char *tlink)
{
	int rc = bk_tar_filter(name, link, &tar);

	ok(rc == 0 && tar.action == want && !strcmp(tar.path, path) && !strcmp(tar.link, tlink),
	   "tar '%s'%s%s -> %d '%s' '%s'", name, link ? " link " : "", link ? link : "", want, path,
	   tlink);
}

static void tar_bad(const char *name, const char *link, const char *why)
{
	int rc = bk_tar_filter(name, link, &tar);

	ok(rc < 0 && strstr(bk_error(), why), "tar '%.40s' refused: %s", name, bk_error());
}

int main(void)
{
	char longname[BK_TAR_PATH_MAX + 8];

	tar_is("etc/passwd", NULL, BK_TAR_ENTRY, "etc/passwd", "");
	tar_is("./usr//bin/./sh", NULL, BK_TAR_ENTRY, "usr/bin/sh", "");
	tar_is("/", NULL, BK_TAR_SKIP, "", "");
	tar_is("./", NULL, BK_TAR_SKIP, "", "");
	tar_is("d/.wh.f", NULL, BK_TAR_WHITEOUT, "d/f", "");
	tar_is(".wh.top", NULL, BK_TAR_WHITEOUT, "top", "");
	tar_is("d/e/.wh..wh..opq", NULL, BK_TAR_OPAQUE, "d/e", "");
	tar_is(".wh..wh..opq", NULL, BK_TAR_OPAQUE, "", "");
	tar_is(".wh..wh.plnk/1", NULL, BK_TAR_ENTRY, ".wh..wh.plnk/1", "");
	tar_is("a/.wh..wh.plnk", NULL, BK_TAR_SKIP, "a/.wh..wh.plnk", "");
	tar_is("hl", "./x//y/", BK_TAR_ENTRY, "hl", "x/y");
	tar_bad("a/../../etc", NULL, "'..' path refused");
	tar_bad("/etc/passwd", NULL, "absolute path refused");
	tar_bad("d/.wh..", NULL, "bad whiteout");
	tar_bad("d/.wh.", NULL, "bad whiteout");
	tar_bad("hl", "../../etc/passwd", "'..' path refused");
	tar_bad("hl", "/", "to the layer root");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	tar_bad(longname, NULL, "path too long");
	return tap_done();
}
