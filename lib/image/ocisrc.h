/* ocisrc: the two local image sources. oci:DIR[:TAG|:@N] is an OCI image
 * layout (index.json + blobs/sha256/), read and digest-checked blob by
 * blob; docker-archive:FILE.tar[:@N] is the `docker save` format
 * (manifest.json, its Config and Layers members), streamed with
 * libarchive into the store. @N picks the image at position N. */
#ifndef BK_OCISRC_H
#define BK_OCISRC_H

#include <stddef.h>

struct archive;
struct archive_entry;
struct bk_desc;
struct bk_stage;

/* A tar file (gzip'd or not) opened for reading with libarchive; NULL
 * with the error recorded. */
struct archive *bk_tar_open(const char *file);
/* The member's path without its leading "./" parts. */
const char *bk_tar_entry_name(struct archive_entry *e);

/* "DIR[:TAG]" -> dir, tag (NULL when absent). */
int bk_oci_parse_spec(const char *spec, char **dir, char **tag);
/* The index.json entry named tag (org.opencontainers.image.ref.name), the
 * one at position N for "@N", or the only entry when tag is NULL. */
int bk_oci_top(const char *dir, const char *tag, struct bk_desc *out);
/* DIR/index.json's text; a layout's index is small, so one of 8 MiB or
 * more is refused rather than read on. */
int bk_oci_index_read(const char *dir, char **text, size_t *len);
/* The same pick from index.json's text (untrusted: fuzzed). */
int bk_oci_index_find(const char *text, size_t len, const char *tag, struct bk_desc *out);
int bk_oci_blob_read(const char *dir, const char *digest, size_t max, char **buf,
		     size_t *len);
/* Copy the blob into a temp file of STORE/blobs, checking digest and size,
 * staged in s to be kept. */
int bk_oci_blob_copy(const char *dir, const char *store, struct bk_stage *s,
		     const struct bk_desc *d);

struct bk_darchive {
	char *config;          /* the image config as stored */
	size_t config_len;
	char **layers;         /* blob digests (staged in s), bottom first */
	size_t nlayers;
	char *repotag;         /* first RepoTags entry, or NULL */
};
/* The text of the archive's manifest.json member (at most 1 MiB). */
int bk_darchive_manifest(const char *file, char **text, size_t *len);
/* One image of a docker-archive manifest.json (untrusted: fuzzed): the
 * member names of its config and layers, bottom first, and its first
 * RepoTags entry (or NULL). */
struct bk_darchive_members {
	char *config;
	char **layers;
	size_t n;
	char *repotag;
};
int bk_darchive_members(const char *text, size_t len, size_t index,
			struct bk_darchive_members *m);
void bk_darchive_members_free(struct bk_darchive_members *m);

/* Image index (0 for the first) of the archive's manifest.json. */
int bk_darchive_load(const char *file, size_t index, const char *store, struct bk_stage *s,
		     struct bk_darchive *out);
void bk_darchive_free(struct bk_darchive *a);

#endif
