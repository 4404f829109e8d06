/* load: the images of a tar archive into the store: an OCI image layout
 * in a tar (oci-archive, and what docker save writes since Docker 25, and
 * imgpull save) or a docker save archive (manifest.json: docker-archive,
 * as skopeo and older dockers write it). A layout is preferred when the
 * archive holds both: its manifests come byte for byte. Each image is
 * pulled as from oci:DIR:@N or docker-archive:FILE:@N (pull.h) and named
 * by the archive (its ref.name annotations, its RepoTags). The archive
 * may come on a pipe: it is spooled into the store under a temp name
 * first, as the layout it holds is unpacked (blobs and the two files
 * only); both are gone at the end, and swept if imgpull is killed. */
#ifndef BK_LOAD_H
#define BK_LOAD_H

#include "image/pull.h"

#include <stddef.h>

/* file NULL: standard input. *ids gets the images' ids, in the archive's
 * order (NULL-terminated). */
int bk_load(const char *file, const struct bk_pull_opts *o, char ***ids, size_t *n);

#endif
