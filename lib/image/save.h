/* save: images of the store as one tar archive on a file descriptor, in
 * the form docker save writes since Docker 25 and OCI tools read: an OCI
 * image layout (oci-layout, index.json naming each image,
 * blobs/sha256/<hex> holding every manifest, config and layer blob as
 * the store keeps them) and, for docker load and podman load,
 * manifest.json (Config, RepoTags, Layers naming those blobs). The OCI
 * format leaves manifest.json out. Written with libarchive (pax). */
#ifndef BK_SAVE_H
#define BK_SAVE_H

#include <stddef.h>

enum bk_save_format { BK_SAVE_DOCKER, BK_SAVE_OCI };

/* images: IMAGE words (id, prefix, name); an image given by a name is
 * saved under that name, one given by id under all of its names. */
int bk_save(const char *store, char *const *images, size_t n, enum bk_save_format f, int fd);

#endif
