/* imglist: the store's images as `imgpull images` lists them: one row per
 * name, and one for each image that has none, newest first, each with
 * the image's size and creation time (from its inspect pairs). */
#ifndef BK_IMGLIST_H
#define BK_IMGLIST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct bk_image_row {
	char *name;        /* normalised; NULL for an image without one */
	char *id;
	uint64_t size;
	time_t created;
};

/* A store that does not exist has no images. */
int bk_image_list(const char *store, struct bk_image_row **rows, size_t *n);
void bk_image_rows_free(struct bk_image_row *rows, size_t n);

#endif
