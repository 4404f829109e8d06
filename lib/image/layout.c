/* layout: oci-layout and index.json of the store (layout.h). */
#include "image/layout.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "image/blobstore.h"
#include "image/imgref.h"
#include "image/imgstore.h"
#include "image/manifest.h"
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define INDEX_MAX (64u << 20)

/* One descriptor of index.json that carries a name. */
struct entry {
	char *name, *digest;
};

/* What a record gives index.json: its manifest's descriptor. */
struct rec {
	char *id, *digest, *media_type;
	size_t size;
	int named;
};

struct state {
	struct entry *e;
	size_t ne;
	struct rec *r;
	size_t nr;
};

static void state_free(struct state *s)
{
	for (size_t i = 0; i < s->ne; i++) {
		free(s->e[i].name);
		free(s->e[i].digest);
	}
	for (size_t i = 0; i < s->nr; i++) {
		free(s->r[i].id);
		free(s->r[i].digest);
		free(s->r[i].media_type);
	}
	free(s->e);
	free(s->r);
}

/* STORE/NAME replaced by buf, durably: temp, fsync, rename, fsync STORE. */
static int write_durable(const char *store, const char *name, const char *buf, size_t len)
{
	_cleanup_free_ char *tmp = bk_store_tmpname(store, ""), *final = NULL;
	int fd;

	if (!tmp)
		return -1;
	if (asprintf(&final, "%s/%s", store, name) < 0)
		return bk_fail("out of memory");
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return bk_fail_errno(errno, "create %s", tmp);
	if (fchmod(fd, 0644) < 0 || bk_write_all(fd, buf, len) < 0 || fsync(fd) < 0) {
		int err = errno;
		close(fd);
		unlink(tmp);
		return bk_fail_errno(err, "write %s", tmp);
	}
	if (close(fd) < 0) {
		int err = errno;
		unlink(tmp);
		return bk_fail_errno(err, "write %s", tmp);
	}
	BK_TRACE("rename %s %s", tmp, final);
	if (rename(tmp, final) < 0) {
		int err = errno;
		unlink(tmp);
		return bk_fail_errno(err, "rename %s", final);
	}
	return bk_fsync_dir(store);
}

static json_t *empty_index(void)
{
	return json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", BK_MT_OCI_INDEX,
			 "manifests");
}

static bool missing(const char *store, const char *name)
{
	_cleanup_free_ char *p = NULL;
	struct stat st;

	return asprintf(&p, "%s/%s", store, name) >= 0 && lstat(p, &st) < 0 && errno == ENOENT;
}

/* index.json as parsed, or an empty index when there is none. */
static json_t *load_index(const char *store)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	json_error_t jerr;
	size_t len;
	json_t *root;

	if (asprintf(&path, "%s/index.json", store) < 0) {
		bk_fail("out of memory");
		return NULL;
	}
	if (!(text = bk_read_small_len(path, INDEX_MAX, &len)))
		return errno == ENOENT ? empty_index() : NULL;
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
		bk_fail("%s: %s", path, jerr.text);
	else if (!json_is_array(json_object_get(root, "manifests"))) {
		json_decref(root);
		root = NULL;
		bk_fail("%s: no manifests array", path);
	}
	return root;
}

static const char *ref_name(json_t *desc)
{
	return json_string_value(json_object_get(json_object_get(desc, "annotations"), BK_REF_NAME));
}

/* The named descriptors of index.json. */
static int load_entries(const char *store, struct state *s)
{
	json_t *root = load_index(store), *d;
	size_t i;
	int r = 0;

	if (!root)
		return -1;
	json_t *list = json_object_get(root, "manifests");
	if (!(s->e = calloc(json_array_size(list) + 1, sizeof(*s->e))))
		r = bk_fail("out of memory");
	json_array_foreach(list, i, d) {
		const char *name = ref_name(d), *digest = json_string_value(json_object_get(d, "digest"));
		if (r < 0 || !name || !bk_digest_valid(digest))
			continue;
		if (!(s->e[s->ne].name = strdup(name)) || !(s->e[s->ne].digest = strdup(digest))) {
			free(s->e[s->ne].name);
			r = bk_fail("out of memory");
			break;
		}
		s->ne++;
	}
	json_decref(root);
	return r;
}

/* A record's manifest descriptor (records without a manifest.json, made
 * before images had one, are left out). */
static int load_rec(const char *store, const char *id, struct state *s)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	struct rec *r = &s->r[s->nr];
	size_t len;

	if (asprintf(&path, "%s/images/%s/manifest.json", store, id) < 0)
		return bk_fail("out of memory");
	if (!(buf = bk_read_small_len(path, BK_MANIFEST_MAX, &len)))
		return errno == ENOENT ? 0 : -1;
	memset(r, 0, sizeof(*r));
	r->size = len;
	if (!(r->id = strdup(id)) || !(r->digest = bk_sha256_digest(buf, len)) ||
	    !(r->media_type = bk_manifest_type(buf, len))) {
		free(r->id);
		free(r->digest);
		return bk_fail_wrap("image %s", id);
	}
	s->nr++;
	return 0;
}

static int load_recs(const char *store, struct state *s)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;

	if (asprintf(&dir, "%s/images", store) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "open %s", dir);
	while ((errno = 0, de = readdir(d))) {
		if (!bk_image_id_valid(de->d_name))
			continue;
		if (s->nr == cap) {
			struct rec *v = realloc(s->r, (cap = cap ? cap * 2 : 16) * sizeof(*v));
			if (!v)
				return bk_fail("out of memory");
			s->r = v;
		}
		if (load_rec(store, de->d_name, s) < 0)
			return -1;
	}
	return errno ? bk_fail_errno(errno, "read %s", dir) : 0;
}

static struct rec *rec_by(struct state *s, const char *id, const char *digest)
{
	for (size_t i = 0; i < s->nr; i++)
		if ((id && !strcmp(s->r[i].id, id)) || (digest && !strcmp(s->r[i].digest, digest)))
			return &s->r[i];
	return NULL;
}

static struct entry *entry_named(struct state *s, const char *name)
{
	for (size_t i = 0; i < s->ne; i++)
		if (s->e[i].name && !strcmp(s->e[i].name, name))
			return &s->e[i];
	return NULL;
}

static int apply(struct state *s, const struct bk_name_change *c)
{
	struct entry *e = entry_named(s, c->name);
	struct rec *r = c->id ? rec_by(s, c->id, NULL) : NULL;
	char *digest;

	if (!c->id) {
		if (!e)
			return bk_fail("no image is named %s", c->name);
		free(e->name);
		e->name = NULL;
		return 0;
	}
	if (!r)
		return bk_fail("image %s: no such image, or it has no manifest (made by an older "
			       "imgpull: init, commit or pull it again to name it)", c->id);
	if (!(digest = strdup(r->digest)))
		return bk_fail("out of memory");
	if (!e) {
		struct entry *v = realloc(s->e, (s->ne + 1) * sizeof(*v));
		if (!v || !(v[s->ne].name = strdup(c->name))) {
			if (v)
				s->e = v;
			free(digest);
			return bk_fail("out of memory");
		}
		s->e = v;
		e = &s->e[s->ne++];
		e->digest = NULL;
	}
	free(e->digest);
	e->digest = digest;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (!x->name || !y->name)
		return !x->name - !y->name;
	return strcmp(x->name, y->name);
}

static int cmp_rec(const void *a, const void *b)
{
	return strcmp(((const struct rec *)a)->id, ((const struct rec *)b)->id);
}

static json_t *descriptor(const struct rec *r, const char *name)
{
	json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", r->media_type, "digest", r->digest,
			      "size", (json_int_t)r->size);

	if (d && name && json_object_set_new(d, "annotations", json_pack("{s:s}", BK_REF_NAME, name)) < 0) {
		json_decref(d);
		d = NULL;
	}
	return d;
}

/* index.json from the names that still point at a record, sorted, then
 * the records without a name. */
static json_t *build(struct state *s)
{
	json_t *root = empty_index(), *list = json_object_get(root, "manifests");
	int oom = !root;

	if (s->ne)
		qsort(s->e, s->ne, sizeof(*s->e), cmp_entry);
	if (s->nr)
		qsort(s->r, s->nr, sizeof(*s->r), cmp_rec);
	for (size_t i = 0; !oom && i < s->ne; i++) {
		struct rec *r = s->e[i].name ? rec_by(s, NULL, s->e[i].digest) : NULL;
		if (!r)
			continue;
		r->named = 1;
		oom = json_array_append_new(list, descriptor(r, s->e[i].name)) < 0;
	}
	for (size_t i = 0; !oom && i < s->nr; i++)
		if (!s->r[i].named)
			oom = json_array_append_new(list, descriptor(&s->r[i], NULL)) < 0;
	if (oom) {
		json_decref(root);
		bk_fail("out of memory");
		return NULL;
	}
	return root;
}

/* Write doc unless index.json says exactly that already. */
static int store_index(const char *store, json_t *doc)
{
	_cleanup_free_ char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	_cleanup_free_ char *path = NULL, *old = NULL;

	if (!text || asprintf(&path, "%s/index.json", store) < 0)
		return bk_fail("out of memory");
	if ((old = bk_read_small(path, INDEX_MAX)) && !strcmp(old, text))
		return 0;
	return write_durable(store, "index.json", text, strlen(text));
}

int bk_layout_update(const char *store, const struct bk_name_change *c, size_t n)
{
	struct state s = { 0 };
	json_t *doc = NULL;
	int lockfd = bk_store_lock_index(store), r;

	if (lockfd < 0)
		return -1;
	r = load_entries(store, &s);
	if (r == 0)
		r = load_recs(store, &s);
	if (r < 0)
		bk_fail_wrap("store %s: index.json", store);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = apply(&s, &c[i]);   /* its message says what was asked */
	if (r == 0 && !(doc = build(&s)))
		r = -1;
	if (r == 0 && missing(store, "oci-layout"))
		r = write_durable(store, "oci-layout", OCI_LAYOUT, strlen(OCI_LAYOUT));
	if (r == 0 && (r = store_index(store, doc)) < 0)
		bk_fail_wrap("store %s: index.json", store);
	json_decref(doc);
	state_free(&s);
	close(lockfd);   /* drops the index lock */
	return r;
}

/* The image of a manifest blob: the id of its config. */
static char *image_of(const char *store, const char *digest)
{
	_cleanup_free_ char *buf = NULL;
	struct bk_manifest m;
	size_t len;
	char *id;

	if (bk_blob_read(store, digest, BK_MANIFEST_MAX, &buf, &len) < 0 ||
	    bk_manifest_parse(buf, len, NULL, &m) < 0)
		return NULL;
	if (m.kind != BK_MK_IMAGE) {
		bk_manifest_free(&m);
		bk_fail("manifest %s: not an image manifest", digest);
		return NULL;
	}
	id = bk_image_id(m.config.digest);
	bk_manifest_free(&m);
	return id;
}

void bk_named_free(struct bk_named *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].id);
	}
	free(v);
}

static int cmp_named(const void *a, const void *b)
{
	return strcmp(((const struct bk_named *)a)->name, ((const struct bk_named *)b)->name);
}

int bk_layout_names(const char *store, struct bk_named **out, size_t *n)
{
	struct state s = { 0 };
	struct bk_named *v;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (load_entries(store, &s) < 0)
		return -1;
	if (!(v = calloc(s.ne + 1, sizeof(*v)))) {
		state_free(&s);
		return bk_fail("out of memory");
	}
	for (size_t i = 0; i < s.ne; i++) {
		char *id = image_of(store, s.e[i].digest);
		if (!id)
			continue;   /* not whole: the next change drops it */
		v[k].name = bk_steal_ptr(s.e[i].name);
		v[k++].id = id;
	}
	state_free(&s);
	if (k)
		qsort(v, k, sizeof(*v), cmp_named);
	*out = v;
	*n = k;
	return 0;
}

char *bk_layout_lookup(const char *store, const char *name, int *err)
{
	struct state s = { 0 };
	struct entry *e;
	char *id = NULL;

	*err = 0;
	if (load_entries(store, &s) < 0) {
		*err = -1;
		return NULL;
	}
	if ((e = entry_named(&s, name)) && !(id = image_of(store, e->digest)))
		*err = bk_fail_wrap("name %s", name);
	state_free(&s);
	return id;
}
