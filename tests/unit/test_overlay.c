/* Unit tests for overlay: the option string ovlmount mounts with: escaping, -o
 * splitting into mount flags and overlay options, refusals. */
#include "tap.h"
#include "base/msg.h"
#include "overlay/overlay.h"

#include <stdlib.h>

static void check_opts(char **lowers, size_t n, const char *upper, const char *work,
		       const char *extra, const char *want)
{
	struct bk_ovl o = { .lowers = lowers, .nlowers = n, .upper = upper,
			    .work = work, .merged = "m", .options = extra };
	char *got = bk_ovl_classic_options(&o);

	is_str(got, want, "options for %s", want ? want : bk_error());
	free(got);
}

int main(void)
{
	char *two[] = { "/l/top", "/l/bottom", NULL };
	char *colon[] = { "/l/a:b", "/l/back\\slash", NULL };
	char *comma[] = { "/l/a,b", NULL };
	struct bk_ovl o = { .lowers = two, .nlowers = 2, .merged = "m" };
	char *s;

	check_opts(two, 2, NULL, NULL, NULL, "lowerdir=/l/top:/l/bottom");
	check_opts(two, 1, "/u", "/w", NULL, "lowerdir=/l/top,upperdir=/u,workdir=/w");
	check_opts(colon, 2, "/u:x", "/w", NULL,
		   "lowerdir=/l/a\\:b:/l/back\\\\slash,upperdir=/u\\:x,workdir=/w");
	/* mount flags leave the string (they become MS_* flags) */
	check_opts(two, 2, NULL, NULL, "ro,nodev,metacopy=on,redirect_dir=on",
		   "lowerdir=/l/top:/l/bottom,metacopy=on,redirect_dir=on");
	check_opts(comma, 1, NULL, NULL, NULL, NULL);
	ok(strstr(bk_error(), "a path with ','") != NULL, "comma refused: %s", bk_error());
	check_opts(two, 2, NULL, NULL, "bind", NULL);
	ok(strstr(bk_error(), "-o bind: not an overlay option") != NULL, "bind refused");
	check_opts(two, 2, NULL, NULL, "remount,ro", NULL);

	o.volatile_ = o.index_off = o.userxattr = true;
	o.upper = "u";
	o.work = "w";
	s = bk_ovl_classic_options(&o);
	is_str(s, "lowerdir=/l/top:/l/bottom,upperdir=u,workdir=w,volatile,index=off,userxattr",
	       "volatile, index=off, userxattr");
	free(s);
	return tap_done();
}
