/* flatten: merge an image's layer dirs, bottom first, into one plain
 * rootfs dir (--flatten, bocker-style images): overlay whiteouts delete
 * what lower layers put there, opaque dirs hide the lower contents. Built
 * in DEST.tmp-PID and renamed, so DEST is whole or absent. */
#ifndef BK_FLATTEN_H
#define BK_FLATTEN_H

#include <stddef.h>

int bk_flatten(const char *store, char *const *layers_top_first, size_t n, const char *dest);

#endif
