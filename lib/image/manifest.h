/* manifest: jansson parsing of what a registry or layout serves: docker v2
 * schema2 and OCI image manifests, docker manifest lists and OCI indexes
 * (with the platform choice), the image config's diff_ids. Schema1 is
 * recognised only to be refused. And the manifests of images made here
 * (dir:, archives), in either format. */
#ifndef BK_MANIFEST_H
#define BK_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BK_MT_DOCKER_V2   "application/vnd.docker.distribution.manifest.v2+json"
#define BK_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define BK_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BK_MT_OCI_INDEX   "application/vnd.oci.image.index.v1+json"
#define BK_MT_OCI_CONFIG  "application/vnd.oci.image.config.v1+json"
#define BK_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define BK_MT_OCI_LAYER   "application/vnd.oci.image.layer.v1.tar"
#define BK_MT_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define BK_MT_OCI_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define BK_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define BK_MANIFEST_ACCEPT "Accept: " BK_MT_OCI_INDEX ", " BK_MT_DOCKER_LIST ", " \
	BK_MT_OCI_MANIFEST ", " BK_MT_DOCKER_V2
#define BK_MANIFEST_MAX (4u << 20)
#define BK_CONFIG_MAX (16u << 20)

enum bk_mkind { BK_MK_IMAGE, BK_MK_INDEX };

struct bk_desc {
	char *media_type, *digest;
	uint64_t size;
};

struct bk_manifest {
	enum bk_mkind kind;
	struct bk_desc config;
	struct bk_desc *layers;    /* bottom layer first, as in the manifest */
	size_t nlayers;
};

/* Parse a manifest or an index; content_type (may be NULL) is the HTTP
 * Content-Type, used when the document has no mediaType. */
int bk_manifest_parse(const char *buf, size_t len, const char *content_type,
		      struct bk_manifest *m);
void bk_manifest_free(struct bk_manifest *m);
void bk_desc_free(struct bk_desc *d);

/* From an index, the manifest for platform "os/arch[/variant]". */
int bk_index_pick(const char *buf, size_t len, const char *platform, struct bk_desc *out);
/* "linux/amd64", "linux/arm64/v8"... for this machine. malloc'd. */
char *bk_host_platform(void);

/* The config's rootfs.diff_ids, bottom first (NULL-terminated). */
int bk_config_diffids(const char *buf, size_t len, char ***ids, size_t *n);

/* The media type of an image manifest (OCI or docker v2 schema 2, told
 * from its content when it has no mediaType), malloc'd; NULL (recorded)
 * for anything else. */
char *bk_manifest_type(const char *buf, size_t len);

/* A schema 2 image manifest (OCI, or docker's when docker) for config and
 * layers (bottom first), compact JSON, malloc'd into *out. */
int bk_manifest_build(bool docker, const struct bk_desc *config, const struct bk_desc *layers,
		      size_t n, char **out, size_t *len);

#endif
