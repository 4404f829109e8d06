/* mounts: an OCI mount (config.json's mounts[i]) as a rootfs mount
 * request: its options split into MS_* flags, bind or rbind, mount
 * attributes of a bind, a propagation, and the option string left for
 * the file system ("mode=755,size=65536k"). A relative bind source is
 * taken from the bundle. Options bockit does not implement (idmap,
 * tmpcopyup) fail naming the mount. */
#ifndef BK_OCI_MOUNTS_H
#define BK_OCI_MOUNTS_H

#include "ns/rootfs.h"

#include <jansson.h>

/* m is mounts[i] (i for messages); the request's strings point into m
 * except data and a joined source, which are malloc'd into *owned (free
 * both with free()). */
int bk_oci_mount_parse(const json_t *m, size_t i, const char *bundle, struct bk_mountreq *out,
		       char **owned_data, char **owned_src);

/* The i-th option word this module knows, NULL past the last (features). */
const char *bk_oci_mount_option_name(size_t i);

/* "rprivate" -> MS_PRIVATE|MS_REC; 0 for a name that is no propagation. */
unsigned long bk_oci_propagation(const char *name);

#endif
