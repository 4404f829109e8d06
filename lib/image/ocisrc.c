/* ocisrc: oci: layouts and docker-archive: tarballs (ocisrc.h). */
#include "image/ocisrc.h"
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "image/imgref.h"
#include "image/manifest.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "image/stage.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define REF_NAME "org.opencontainers.image.ref.name"
#define BUFSZ (256u << 10)
#define INDEX_MAX (8u << 20)

int bk_oci_parse_spec(const char *spec, char **dir, char **tag)
{
	const char *colon = strrchr(spec, ':');

	*tag = NULL;
	if (colon && !strchr(colon, '/')) {
		*dir = strndup(spec, colon - spec);
		*tag = strdup(colon + 1);
		if (!*tag || !**tag) {
			free(*dir);
			free(*tag);
			return bk_fail("oci:%s: empty tag", spec);
		}
	} else {
		*dir = strdup(spec);
	}
	if (!*dir || !**dir) {
		free(*dir);
		free(*tag);
		return bk_fail("oci:%s: no layout directory", spec);
	}
	return 0;
}

int bk_oci_index_read(const char *dir, char **text, size_t *len)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/index.json", dir) < 0)
		return bk_fail("out of memory");
	if (!(*text = bk_read_small_len(path, INDEX_MAX, len)))
		return -1;
	if (*len == INDEX_MAX)
		return bk_fail("%s: larger than %u bytes", path, INDEX_MAX - 1);
	return 0;
}

static int desc_from(json_t *e, struct bk_desc *out)
{
	const char *mt = json_string_value(json_object_get(e, "mediaType"));
	const char *dg = json_string_value(json_object_get(e, "digest"));
	json_int_t size = json_integer_value(json_object_get(e, "size"));

	if (!bk_digest_valid(dg) || size < 0)
		return bk_fail("index.json: bad descriptor");
	out->digest = strdup(dg);
	out->media_type = strdup(mt ? mt : "");
	out->size = size;
	if (!out->digest || !out->media_type) {
		bk_desc_free(out);
		return bk_fail("out of memory");
	}
	return 0;
}

static bool is_position(const char *tag)
{
	return tag && tag[0] == '@' && tag[1] && strspn(tag + 1, "0123456789") == strlen(tag + 1);
}

int bk_oci_index_find(const char *text, size_t len, const char *tag, struct bk_desc *out)
{
	json_t *root, *list, *e, *pick = NULL;
	json_error_t jerr;
	size_t i;
	int r;

	memset(out, 0, sizeof(*out));
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
		return bk_fail("index.json: %s", jerr.text);
	list = json_object_get(root, "manifests");
	json_array_foreach(list, i, e) {
		const char *name = json_string_value(
			json_object_get(json_object_get(e, "annotations"), REF_NAME));
		if (tag ? (name && !strcmp(name, tag)) : json_array_size(list) == 1)
			pick = e;
	}
	if (is_position(tag))
		pick = json_array_get(list, strtoul(tag + 1, NULL, 10));
	if (pick)
		r = desc_from(pick, out);
	else if (tag)
		r = bk_fail("no image tagged '%s' in index.json", tag);
	else
		r = bk_fail("%zu images in index.json, name one with oci:DIR:TAG",
			    json_array_size(list));
	json_decref(root);
	return r;
}

int bk_oci_top(const char *dir, const char *tag, struct bk_desc *out)
{
	_cleanup_free_ char *text = NULL;
	size_t len;

	memset(out, 0, sizeof(*out));
	if (bk_oci_index_read(dir, &text, &len) < 0)
		return -1;
	return bk_oci_index_find(text, len, tag, out);
}

static int open_blob(const char *dir, const char *digest)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (!bk_digest_valid(digest))
		return bk_fail("invalid digest '%s'", digest);
	if (asprintf(&path, "%s/blobs/sha256/%s", dir, digest + 7) < 0)
		return bk_fail("out of memory");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return bk_fail_errno(errno, "oci:%s: blob %s", dir, digest);
	return fd;
}

/* Stream fd into a blob writer (which checks size and digest), staged to
 * be kept. */
static int copy_fd(int fd, struct bk_blob_writer *w, struct bk_stage *s)
{
	_cleanup_free_ char *buf = malloc(BUFSZ);
	ssize_t n;

	if (!buf) {
		bk_blob_abort(w);
		return bk_fail("out of memory");
	}
	while ((n = read(fd, buf, BUFSZ)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || bk_blob_write(w, buf, n) < 0) {
			if (n < 0)
				bk_fail_errno(errno, "read blob");
			bk_blob_abort(w);
			return -1;
		}
	}
	return bk_blob_stage(w, s, NULL);
}

int bk_oci_blob_copy(const char *dir, const char *store, struct bk_stage *s,
		     const struct bk_desc *d)
{
	_cleanup_close_ int fd = open_blob(dir, d->digest);
	struct bk_blob_writer *w;

	if (fd < 0)
		return -1;
	if (!(w = bk_blob_writer_new(store, d->digest, d->size)))
		return -1;
	return copy_fd(fd, w, s);
}

int bk_oci_blob_read(const char *dir, const char *digest, size_t max, char **buf,
		     size_t *len)
{
	_cleanup_close_ int fd = open_blob(dir, digest);
	_cleanup_free_ char *data = NULL, *got = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return bk_fail_errno(errno, "blob %s", digest);
	if ((size_t)st.st_size > max)
		return bk_fail("blob %s: larger than %zu bytes", digest, max);
	if (!(data = malloc(st.st_size + 1)))
		return bk_fail("out of memory");
	if ((n = pread(fd, data, st.st_size, 0)) != st.st_size)
		return bk_fail_errno(n < 0 ? errno : EIO, "read blob %s", digest);
	data[n] = '\0';
	if (!(got = bk_sha256_digest(data, n)))
		return -1;
	if (strcmp(got, digest))
		return bk_fail("oci:%s: blob %s: digest mismatch (content is %s)", dir, digest, got);
	*len = n;
	*buf = bk_steal_ptr(data);
	return 0;
}

/* ---- docker-archive ---- */

void bk_darchive_free(struct bk_darchive *a)
{
	free(a->config);
	for (size_t i = 0; a->layers && i < a->nlayers; i++)
		free(a->layers[i]);
	free(a->layers);
	free(a->repotag);
	memset(a, 0, sizeof(*a));
}

struct archive *bk_tar_open(const char *file)
{
	struct archive *a = archive_read_new();

	if (!a) {
		bk_fail("libarchive: out of memory");
		return NULL;
	}
	archive_read_support_format_tar(a);
	archive_read_support_filter_gzip(a);
	if (archive_read_open_filename(a, file, BUFSZ) != ARCHIVE_OK) {
		bk_fail("%s: %s", file, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

const char *bk_tar_entry_name(struct archive_entry *e)
{
	const char *n = archive_entry_pathname(e);

	while (n && n[0] == '.' && n[1] == '/')
		n += 2;
	return n ? n : "";
}

static int read_entry(struct archive *a, size_t max, char **buf, size_t *len)
{
	_cleanup_free_ char *data = NULL;
	size_t n = 0;
	la_ssize_t r;

	if (!(data = malloc(max + 1)))
		return bk_fail("out of memory");
	while ((r = archive_read_data(a, data + n, max - n)) > 0)
		if ((n += r) == max)
			return bk_fail("archive member larger than %zu bytes", max);
	if (r < 0)
		return bk_fail("%s", archive_error_string(a));
	data[n] = '\0';
	*len = n;
	*buf = bk_steal_ptr(data);
	return 0;
}

int bk_darchive_manifest(const char *file, char **text, size_t *len)
{
	struct archive *a = bk_tar_open(file);
	struct archive_entry *e;
	int r, rc = -1;

	*text = NULL;
	if (!a)
		return -1;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK)
		if (!strcmp(bk_tar_entry_name(e), "manifest.json")) {
			rc = read_entry(a, 1u << 20, text, len);
			break;
		}
	if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
		bk_fail("%s: %s", file, archive_error_string(a));
	else if (r == ARCHIVE_EOF)
		bk_fail("%s: no manifest.json (not a docker save archive)", file);
	archive_read_free(a);
	return rc;
}

void bk_darchive_members_free(struct bk_darchive_members *m)
{
	free(m->config);
	bk_strvfreep(&m->layers);   /* filled in order: NULL-terminated */
	free(m->repotag);
	memset(m, 0, sizeof(*m));
}

static int members_of(json_t *img, struct bk_darchive_members *m)
{
	const char *config = json_string_value(json_object_get(img, "Config"));
	const char *tag = json_string_value(json_array_get(json_object_get(img, "RepoTags"), 0));
	json_t *layers = json_object_get(img, "Layers"), *l;
	size_t i;

	if (!config || !json_is_array(layers))
		return bk_fail("manifest.json: no Config or Layers");
	if (!(m->config = strdup(config)) ||
	    !(m->layers = calloc(json_array_size(layers) + 1, sizeof(*m->layers))) ||
	    (tag && !(m->repotag = strdup(tag))))
		return bk_fail("out of memory");
	json_array_foreach(layers, i, l) {
		if (!json_is_string(l))
			return bk_fail("manifest.json: bad Layers entry");
		if (!(m->layers[m->n] = strdup(json_string_value(l))))
			return bk_fail("out of memory");
		m->n++;
	}
	return 0;
}

int bk_darchive_members(const char *text, size_t len, size_t index,
			struct bk_darchive_members *m)
{
	json_error_t jerr;
	json_t *root, *img;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!(root = json_loadb(text, len, 0, &jerr)))
		return bk_fail("manifest.json: %s", jerr.text);
	if (!(img = json_array_get(root, index)))
		rc = bk_fail("manifest.json: no image %zu", index);
	else
		rc = members_of(img, m);
	json_decref(root);
	if (rc < 0)
		bk_darchive_members_free(m);
	return rc;
}

/* Store a layer member; every Layers slot naming it gets the digest. */
static int store_layer(struct archive *a, const char *store, struct bk_stage *s,
		       const char *name, const struct bk_darchive_members *m, struct bk_darchive *out)
{
	struct bk_blob_writer *w = bk_blob_writer_new(store, NULL, 0);
	_cleanup_free_ char *buf = malloc(BUFSZ), *digest = NULL;
	la_ssize_t n;

	if (!w || !buf) {
		bk_blob_abort(w);
		return bk_fail("out of memory");
	}
	while ((n = archive_read_data(a, buf, BUFSZ)) > 0)
		if (bk_blob_write(w, buf, n) < 0) {
			bk_blob_abort(w);
			return -1;
		}
	if (n < 0) {
		bk_blob_abort(w);
		return bk_fail("%s: %s", name, archive_error_string(a));
	}
	if (bk_blob_stage(w, s, &digest) < 0)
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->layers[i], name) && !out->layers[i] &&
		    !(out->layers[i] = strdup(digest)))
			return bk_fail("out of memory");
	return 0;
}

static int wanted_layer(const struct bk_darchive_members *m, const char *name, const struct bk_darchive *out)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->layers[i], name) && !out->layers[i])
			return 1;
	return 0;
}

static int store_members(const char *file, const char *store, struct bk_stage *s,
			 const struct bk_darchive_members *m, struct bk_darchive *out)
{
	struct archive *a = bk_tar_open(file);
	struct archive_entry *e;
	int r, rc = 0;

	if (!a)
		return -1;
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = bk_tar_entry_name(e);
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (!strcmp(name, m->config) && !out->config)
			rc = read_entry(a, BK_CONFIG_MAX, &out->config, &out->config_len);
		else if (wanted_layer(m, name, out))
			rc = store_layer(a, store, s, name, m, out);
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = bk_fail("%s: %s", file, archive_error_string(a));
	archive_read_free(a);
	if (rc == 0 && !out->config)
		rc = bk_fail("%s: config %s missing", file, m->config);
	for (size_t i = 0; rc == 0 && i < m->n; i++)
		if (!out->layers[i])
			rc = bk_fail("%s: layer %s missing", file, m->layers[i]);
	return rc;
}

int bk_darchive_load(const char *file, size_t index, const char *store, struct bk_stage *s,
		     struct bk_darchive *out)
{
	struct bk_darchive_members m = { 0 };
	_cleanup_free_ char *text = NULL;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = bk_darchive_manifest(file, &text, &len) < 0 ||
	     bk_darchive_members(text, len, index, &m) < 0 ? -1 : 0;
	if (rc == 0 && !(out->layers = calloc(m.n + 1, sizeof(*out->layers))))
		rc = bk_fail("out of memory");
	if (rc == 0) {
		out->nlayers = m.n;
		out->repotag = bk_steal_ptr(m.repotag);
		rc = store_members(file, store, s, &m, out);
	}
	bk_darchive_members_free(&m);
	if (rc < 0)
		bk_darchive_free(out);
	return rc < 0 ? bk_fail_wrap("docker-archive:%s", file) : 0;
}
