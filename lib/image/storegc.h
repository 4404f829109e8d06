/* storegc: take images out of the store and collect what no image needs.
 * Under the exclusive store lock (store.h): each record is renamed to a
 * temp name and images/ synced before anything it used goes, so a crash
 * leaves an image whole or gone, never listed without its layers; its
 * names leave index.json (layout.h), which is brought up to date; then
 * every layer dir no remaining record lists and every blob that is
 * neither a record's config nor named by its manifest (the manifest
 * itself, its layers) is renamed away the same way, and the temps are
 * removed. */
#ifndef BK_STOREGC_H
#define BK_STOREGC_H

#include <stddef.h>

/* Remove images ids[0..n) (all must exist), then collect. */
int bk_image_rm(const char *store, char *const *ids, size_t n);
/* Collect: stale temps, unused layers and blobs, the uploads killed
 * pushes left (STORE/uploads). */
int bk_store_gc(const char *store);

#endif
