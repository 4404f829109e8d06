/* storegc: image removal and store collection (storegc.h). */
#include "image/storegc.h"
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "image/imgref.h"
#include "image/imgstore.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "base/msg.h"
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A sorted set of 64-hex names. */
struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

static int names_add(struct names *s, const char *hex)
{
	if (s->n == s->cap) {
		char **v = realloc(s->v, (s->cap = s->cap ? s->cap * 2 : 64) * sizeof(*v));
		if (!v)
			return bk_fail("out of memory");
		s->v = v;
	}
	if (!(s->v[s->n] = strdup(hex)))
		return bk_fail("out of memory");
	s->n++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool names_has(const struct names *s, const char *hex)
{
	return s->n && bsearch(&hex, s->v, s->n, sizeof(*s->v), cmp_str);
}

static int add_digest(struct names *blobs, const char *digest)
{
	if (!bk_digest_valid(digest))
		return bk_fail("bad digest '%.80s'", digest ? digest : "");
	return names_add(blobs, digest + 7);
}

/* The blobs a record's manifest names: the manifest itself, its config
 * and its layers. A record made before images had one has none. */
static int manifest_refs(const char *store, const char *id, struct names *blobs)
{
	_cleanup_free_ char *buf = NULL, *digest = NULL;
	struct bk_manifest m;
	size_t len;
	int r = bk_image_manifest(store, id, &buf, &len);

	if (r != 0)
		return r < 0 ? -1 : 0;
	if (!(digest = bk_sha256_digest(buf, len)) || add_digest(blobs, digest) < 0 ||
	    bk_manifest_parse(buf, len, NULL, &m) < 0)
		return -1;
	r = m.kind == BK_MK_IMAGE ? add_digest(blobs, m.config.digest) : bk_fail("not an image manifest");
	for (size_t i = 0; r == 0 && i < m.nlayers; i++)
		r = add_digest(blobs, m.layers[i].digest);
	bk_manifest_free(&m);
	return r;
}

/* What one record keeps: its layers, its config blob, the blobs of its
 * manifest. */
static int record_refs(const char *store, const char *id, struct names *layers,
		       struct names *blobs)
{
	_cleanup_strv_ char **ids = NULL;
	_cleanup_free_ char *config = NULL, *digest = NULL;
	size_t n, len;

	if (bk_image_layers(store, id, &ids, &n) < 0 || bk_image_config(store, id, &config, &len) < 0)
		return bk_fail_wrap("collect: image %s", id);
	for (size_t i = 0; i < n; i++)
		if (names_add(layers, ids[i] + 7) < 0)
			return -1;
	if (!(digest = bk_sha256_digest(config, len)) || names_add(blobs, digest + 7) < 0)
		return -1;
	return manifest_refs(store, id, blobs) < 0 ? bk_fail_wrap("collect: image %s", id) : 0;
}

/* The layers and blobs every record in the store refers to. A record that
 * cannot be read stops the collection: nothing is removed on a guess. */
static int referenced(const char *store, struct names *layers, struct names *blobs)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (asprintf(&dir, "%s/images", store) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "open %s", dir);
	while ((errno = 0, de = readdir(d)))
		if (bk_image_id_valid(de->d_name) && record_refs(store, de->d_name, layers, blobs) < 0)
			return -1;
	if (errno)
		return bk_fail_errno(errno, "read %s", dir);
	if (layers->n)
		qsort(layers->v, layers->n, sizeof(*layers->v), cmp_str);
	if (blobs->n)
		qsort(blobs->v, blobs->n, sizeof(*blobs->v), cmp_str);
	return 0;
}

/* Rename STORE/DIR/NAME to STORE/DIR/.tmp-TAG-NAME (whole or gone after
 * a crash); *tmp gets the new path. */
static int move_away(const char *store, const char *dir, const char *name, const char *tag,
		     char **tmp)
{
	_cleanup_free_ char *from = NULL;

	if (asprintf(&from, "%s/%s/%s", store, dir, name) < 0 ||
	    asprintf(tmp, "%s/%s/.tmp-%s-%s", store, dir, tag, name) < 0)
		return bk_fail("out of memory");
	BK_TRACE("rename %s %s", from, *tmp);
	if (rename(from, *tmp) < 0)
		return bk_fail_errno(errno, "rename %s", from);
	return 0;
}

/* Move every entry of STORE/DIR that is a digest not in keep out of the
 * way (layers: renamed, then removed; blobs: unlinked), then sync DIR. */
static int collect_dir(const char *store, const char *dir, const struct names *keep,
		       struct names *gone)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (asprintf(&path, "%s/%s", store, dir) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(path)))
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "open %s", path);
	while ((errno = 0, de = readdir(d))) {
		char digest[7 + sizeof(de->d_name)];
		_cleanup_free_ char *tmp = NULL;
		snprintf(digest, sizeof(digest), "sha256:%s", de->d_name);
		if (!bk_digest_valid(digest) || names_has(keep, de->d_name))
			continue;
		if (move_away(store, dir, de->d_name, "gc", &tmp) < 0 || names_add(gone, tmp) < 0)
			return -1;
	}
	if (errno)
		return bk_fail_errno(errno, "read %s", path);
	return gone->n ? bk_fsync_dir(path) : 0;
}

static int remove_all(const struct names *gone)
{
	for (size_t i = 0; i < gone->n; i++) {
		BK_TRACE("remove %s", gone->v[i]);
		if (bk_rm_rf(gone->v[i]) < 0)
			return -1;
	}
	return 0;
}

static int collect(const char *store, struct names *gone)
{
	struct names layers = { 0 }, blobs = { 0 };
	int r = referenced(store, &layers, &blobs);

	if (r == 0)
		r = collect_dir(store, "layers/sha256", &layers, gone);
	if (r == 0)
		r = collect_dir(store, "blobs/sha256", &blobs, gone);
	names_free(&layers);
	names_free(&blobs);
	return r;
}

/* What killed pushes kept to resume from: no push runs beside --gc. */
static int forget_uploads(const char *store)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (asprintf(&dir, "%s/uploads", store) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "open %s", dir);
	while ((errno = 0, de = readdir(d))) {
		_cleanup_free_ char *p = NULL;
		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			return bk_fail("out of memory");
		BK_TRACE("remove %s", p);
		if (unlink(p) < 0 && errno != ENOENT)
			return bk_fail_errno(errno, "remove %s", p);
	}
	return errno ? bk_fail_errno(errno, "read %s", dir) : 0;
}

static int rm_records(const char *store, char *const *ids, size_t n, struct names *gone)
{
	_cleanup_free_ char *images = NULL;

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dir = NULL;
		struct stat st;
		if (!bk_image_id_valid(ids[i]))
			return bk_fail("invalid image id '%.80s'", ids[i]);
		if (asprintf(&dir, "%s/images/%s", store, ids[i]) < 0)
			return bk_fail("out of memory");
		if (stat(dir, &st) < 0)
			return bk_fail("image %s: no such image in %s", ids[i], store);
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *tmp = NULL;
		if (move_away(store, "images", ids[i], "rm", &tmp) < 0 || names_add(gone, tmp) < 0)
			return -1;
	}
	if (asprintf(&images, "%s/images", store) < 0)
		return bk_fail("out of memory");
	return bk_fsync_dir(images);   /* the records are gone before what they used */
}

static int run(const char *path, char *const *ids, size_t n)
{
	struct bk_store s;
	struct names gone = { 0 };
	int r;

	if (bk_store_open(&s, path, false, BK_STORE_EXCLUSIVE) < 0)
		return -1;
	r = n ? rm_records(s.path, ids, n, &gone) : 0;
	/* index.json names no image gone before what it used goes */
	if (r == 0)
		r = bk_layout_update(s.path, NULL, 0);
	if (r == 0)
		r = collect(s.path, &gone);
	if (r == 0)
		r = remove_all(&gone);
	if (r == 0 && !n)
		r = forget_uploads(s.path);
	names_free(&gone);
	bk_store_close(&s);
	return r;
}

int bk_image_rm(const char *store, char *const *ids, size_t n)
{
	return n ? run(store, ids, n) : bk_fail("no image to remove");
}

int bk_store_gc(const char *store)
{
	return run(store, NULL, 0);
}
