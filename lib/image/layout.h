/* layout: the store as an OCI image layout (image-spec "Image Layout"):
 * STORE/oci-layout, STORE/index.json, and the manifests, configs and layer
 * blobs in STORE/blobs/sha256/, so skopeo, umoci and podman read it as
 * oci:STORE[:NAME].
 *
 * index.json lists every image that has a manifest: one descriptor per
 * name, its org.opencontainers.image.ref.name the normalised name (as
 * skopeo and umoci look images up, one name per descriptor), and one
 * descriptor without a name for an image that has none. The names are
 * the only thing index.json holds that nothing else does: every change
 * reads it, applies the name changes, and writes it again from the image
 * records (an entry whose image is gone is dropped, an image missing from
 * it is added), under the index lock (store.h) and atomically: a temp
 * file, fsync, rename, fsync of STORE. */
#ifndef BK_LAYOUT_H
#define BK_LAYOUT_H

#include <stddef.h>

#define BK_REF_NAME "org.opencontainers.image.ref.name"

/* A name and the id of the image it points at. */
struct bk_named {
	char *name, *id;
};
/* Every name of index.json with its image, sorted by name. */
int bk_layout_names(const char *store, struct bk_named **v, size_t *n);
void bk_named_free(struct bk_named *v, size_t n);
/* The image name points at (malloc'd), or NULL (nothing recorded) when no
 * image has that name. -1 (recorded) is returned through *err. */
char *bk_layout_lookup(const char *store, const char *name, int *err);

/* name -> id moves the name onto that image (id NULL: the name goes).
 * Names must be normalised (names.h). Under the store lock; writes
 * STORE/oci-layout too when it is missing. With n 0 it only brings
 * index.json up to date with the records (after a pull, rm or gc). */
struct bk_name_change {
	const char *name, *id;
};
int bk_layout_update(const char *store, const struct bk_name_change *c, size_t n);

#endif
