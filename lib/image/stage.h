/* stage: what one pull adds to the store, kept under temp names until the
 * whole image is there, then made durable and visible in an order that a
 * crash or power cut can only cut short between whole objects:
 *
 *   syncfs    every staged object's data and inodes are on disk
 *   rename    blobs and layers into place; fsync their directories
 *   rename    the image record last; fsync images/
 *
 * A pull that fails before publishing leaves the store as it found it:
 * freeing the stage removes every temp. */
#ifndef BK_STAGE_H
#define BK_STAGE_H

enum bk_stage_kind {
	BK_STAGE_OBJECT,    /* a blob file or a layer dir */
	BK_STAGE_RECORD,    /* an image record dir, or a file replacing one in it */
};

struct bk_stage;

struct bk_stage *bk_stage_new(void);
/* Remove every temp not published, then free. */
void bk_stage_free(struct bk_stage *s);

/* Stage tmp (ownership taken, also on failure) to become final. */
int bk_stage_add(struct bk_stage *s, char *tmp, const char *final, enum bk_stage_kind kind);
/* The temp staged for final, or NULL. */
const char *bk_stage_find(const struct bk_stage *s, const char *final);

/* Publish in the order above. A layer dir or record already in place (a
 * concurrent pull was first) is kept and the staged copy removed. */
int bk_stage_publish(struct bk_stage *s);

#endif
