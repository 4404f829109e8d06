/* ovlpreflight: check an overlay request before mounting, so the user
 * reads "workdir ... must be empty" instead of mount(2)'s bare EINVAL;
 * and --mkdir's creation (and removal on failure) of upper/work/merged. */
#ifndef BK_OVLPREFLIGHT_H
#define BK_OVLPREFLIGHT_H

#include "overlay/overlay.h"

/* Every check, first failure recorded: kernel support, lowers exist and
 * are directories, upper/work/merged exist, upper and work on one
 * filesystem and neither inside the other, upper is not merged, work is
 * empty, upper not on overlay. */
int bk_ovl_preflight(const struct bk_ovl *o);

/* For upper, work, merged: the topmost directory --mkdir created, or
 * NULL (to remove them all again on failure). */
struct bk_ovl_made {
	char *top[3];
};

/* Create the missing upper/work/merged directories (mode 0755). */
int bk_ovl_mkdirs(const struct bk_ovl *o, struct bk_ovl_made *made);
/* rmdir what bk_ovl_mkdirs created, leaf up to the top it created; frees
 * made (call it on success too, with remove false). */
void bk_ovl_rmdirs(const struct bk_ovl *o, struct bk_ovl_made *made, bool remove);

#endif
