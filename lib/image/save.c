/* save: images to a tar archive (save.h). */
#include "image/save.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "image/blobstore.h"
#include "image/imgstore.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "image/names.h"
#include "image/store.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUFSZ (256u << 10)

struct save {
	const char *store;
	struct archive *a;
	json_t *index, *docker;   /* index.json's manifests, manifest.json */
	char **written;           /* blob digests already in the archive */
	size_t nwritten;
};

static int ar_fail(struct save *s, const char *what)
{
	return bk_fail("save: %s: %s", what, archive_error_string(s->a));
}

static int member(struct save *s, const char *name, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	if (!e)
		return bk_fail("out of memory");
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	r = archive_write_header(s->a, e) == ARCHIVE_OK ? 0 : ar_fail(s, name);
	archive_entry_free(e);
	return r;
}

static int put_mem(struct save *s, const char *name, const char *buf, size_t len)
{
	if (member(s, name, (int64_t)len) < 0)
		return -1;
	if (len && archive_write_data(s->a, buf, len) != (la_ssize_t)len)
		return ar_fail(s, name);
	return 0;
}

static bool written(const struct save *s, const char *digest)
{
	for (size_t i = 0; i < s->nwritten; i++)
		if (!strcmp(s->written[i], digest))
			return true;
	return false;
}

/* blobs/sha256/HEX, copied from the store once. */
static int put_blob(struct save *s, const char *digest)
{
	_cleanup_free_ char *path = bk_blob_path(s->store, digest), *name = NULL, *buf = NULL;
	_cleanup_close_ int fd = -1;
	char **v;
	struct stat st;
	ssize_t n;

	if (written(s, digest))
		return 0;
	if (!path || asprintf(&name, "blobs/sha256/%s", digest + 7) < 0)
		return path ? bk_fail("out of memory") : -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
		return bk_fail_errno(errno, "blob %.19s (pull the image again)", digest);
	if (member(s, name, st.st_size) < 0)
		return -1;
	if (!(buf = malloc(BUFSZ)))
		return bk_fail("out of memory");
	while ((n = read(fd, buf, BUFSZ)) > 0)
		if (archive_write_data(s->a, buf, (size_t)n) != n)
			return ar_fail(s, name);
	if (n < 0)
		return bk_fail_errno(errno, "read %s", path);
	if (!(v = realloc(s->written, (s->nwritten + 1) * sizeof(*v))) || !(v[s->nwritten] = strdup(digest))) {
		if (v)
			s->written = v;
		return bk_fail("out of memory");
	}
	s->written = v;
	s->nwritten++;
	return 0;
}

/* The names an image is saved under: the one given, or all it has. */
static json_t *names_of(const char *store, const char *id, const char *given)
{
	json_t *v = json_array();
	struct bk_named *all = NULL;
	size_t n = 0;

	if (!v || bk_layout_names(store, &all, &n) < 0) {
		json_decref(v);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].id, id) && (!given || !strcmp(all[i].name, given)))
			json_array_append_new(v, json_string(all[i].name));
	bk_named_free(all, n);
	return v;
}

/* Docker's short form: busybox:latest, user/app:1, localhost:5000/x:v1. */
static json_t *repo_tags(json_t *names)
{
	json_t *tags = json_array(), *nm;
	size_t i;

	json_array_foreach(names, i, nm) {
		_cleanup_free_ char *repo = NULL, *tag = NULL, *both = NULL;
		if (bk_name_columns(json_string_value(nm), &repo, &tag) == 0 &&
		    asprintf(&both, "%s:%s", repo, tag) >= 0)
			json_array_append_new(tags, json_string(both));
	}
	return tags;
}

static json_t *layer_paths(const struct bk_manifest *m)
{
	json_t *v = json_array();

	for (size_t i = 0; v && i < m->nlayers; i++) {
		_cleanup_free_ char *p = NULL;
		if (asprintf(&p, "blobs/sha256/%s", m->layers[i].digest + 7) < 0)
			break;
		json_array_append_new(v, json_string(p));
	}
	return v;
}

static int index_entries(struct save *s, json_t *names, const char *mt, const char *digest, size_t len)
{
	json_t *nm;
	size_t i;

	if (!json_array_size(names))
		return json_array_append_new(s->index, json_pack("{s:s, s:s, s:I}", "mediaType", mt,
								 "digest", digest, "size", (json_int_t)len));
	json_array_foreach(names, i, nm)
		if (json_array_append_new(s->index, json_pack("{s:s, s:s, s:I, s:{s:O}}", "mediaType", mt,
							       "digest", digest, "size", (json_int_t)len,
							       "annotations", BK_REF_NAME, nm)) < 0)
			return -1;
	return 0;
}

/* One image: its blobs, its index.json entries, its manifest.json entry. */
static int save_image(struct save *s, const char *word)
{
	_cleanup_free_ char *id = NULL, *name = NULL, *buf = NULL, *digest = NULL, *mt = NULL;
	_cleanup_free_ char *cfg = NULL;
	struct bk_manifest m = { 0 };
	json_t *names = NULL;
	size_t len;
	int r;

	if (bk_image_resolve(s->store, word, &id, &name) < 0 ||
	    (r = bk_image_manifest(s->store, id, &buf, &len)) < 0)
		return -1;
	if (r > 0)
		return bk_fail("image %s has no manifest (pulled by an older imgpull): pull it again", id);
	if (!(digest = bk_sha256_digest(buf, len)) || !(mt = bk_manifest_type(buf, len)) ||
	    bk_manifest_parse(buf, len, NULL, &m) < 0)
		return bk_fail_wrap("image %s", id);
	r = put_blob(s, digest);
	for (size_t i = 0; r == 0 && i < m.nlayers; i++)
		r = put_blob(s, m.layers[i].digest);
	if (r == 0)
		r = put_blob(s, m.config.digest);
	if (r == 0 && !(names = names_of(s->store, id, name)))
		r = -1;
	if (r == 0 && index_entries(s, names, mt, digest, len) < 0)
		r = bk_fail("out of memory");
	if (r == 0 && s->docker && asprintf(&cfg, "blobs/sha256/%s", m.config.digest + 7) >= 0 &&
	    json_array_append_new(s->docker, json_pack("{s:s, s:o, s:o}", "Config", cfg, "RepoTags",
						       repo_tags(names), "Layers", layer_paths(&m))) < 0)
		r = bk_fail("out of memory");
	json_decref(names);
	bk_manifest_free(&m);
	return r;
}

static int put_json(struct save *s, const char *name, json_t *doc)
{
	_cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);

	return text ? put_mem(s, name, text, strlen(text)) : bk_fail("out of memory");
}

static int write_all(struct save *s, char *const *images, size_t n)
{
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	json_t *index = json_pack("{s:i, s:s, s:O}", "schemaVersion", 2, "mediaType",
				  BK_MT_OCI_INDEX, "manifests", s->index);
	int r = index ? 0 : bk_fail("out of memory");

	for (size_t i = 0; r == 0 && i < n; i++)
		r = save_image(s, images[i]);
	if (r == 0)
		r = put_mem(s, "oci-layout", layout, strlen(layout));
	if (r == 0)
		r = put_json(s, "index.json", index);
	if (r == 0 && s->docker)
		r = put_json(s, "manifest.json", s->docker);
	if (r == 0 && archive_write_close(s->a) != ARCHIVE_OK)
		r = ar_fail(s, "close");
	json_decref(index);
	return r;
}

int bk_save(const char *path, char *const *images, size_t n, enum bk_save_format f, int fd)
{
	struct save s = { 0 };
	struct bk_store store;
	int r;

	if (bk_store_open(&store, path, false, BK_STORE_SHARED) < 0)
		return -1;
	s.store = store.path;
	s.index = json_array();
	s.docker = f == BK_SAVE_DOCKER ? json_array() : NULL;
	if (!(s.a = archive_write_new()) || !s.index || (f == BK_SAVE_DOCKER && !s.docker))
		r = bk_fail("out of memory");
	else if (archive_write_set_format_pax_restricted(s.a) != ARCHIVE_OK ||
		 archive_write_set_bytes_in_last_block(s.a, 1) != ARCHIVE_OK ||
		 archive_write_open_fd(s.a, fd) != ARCHIVE_OK)
		r = ar_fail(&s, "open");
	else
		r = write_all(&s, images, n);
	if (s.a)
		archive_write_free(s.a);
	json_decref(s.index);
	json_decref(s.docker);
	for (size_t i = 0; i < s.nwritten; i++)
		free(s.written[i]);
	free(s.written);
	bk_store_close(&store);
	return r;
}
