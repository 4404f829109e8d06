/* pull: sources -> verified blobs -> layer dirs -> image record (pull.h). */
#include "image/pull.h"
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "image/dirlayer.h"
#include "image/flatten.h"
#include "image/http.h"
#include "image/imgref.h"
#include "image/imgstore.h"
#include "image/inspect.h"
#include "image/layer.h"
#include "image/layout.h"
#include "image/manifest.h"
#include "image/names.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/size.h"
#include "image/ocisrc.h"
#include "image/regauth.h"
#include "image/registry.h"
#include "image/stage.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where manifests and blobs come from: a registry or an OCI layout. */
struct src {
	struct bk_registry *reg;
	const char *lookup;        /* registry: tag or digest */
	char *dir, *tag;           /* oci layout */
};

/* What one pull gathers before writing the record. */
struct pull {
	const struct bk_pull_opts *o;
	const char *store;         /* the store's absolute path */
	struct bk_stage *stage;    /* what this pull adds, until published */
	char *manifest, *ctype;
	size_t manifest_len;
	char *config, *config_digest;
	size_t config_len;
	char **diffids;            /* bottom first */
	size_t n;
	struct bk_desc *blobs;     /* layer blobs, bottom first (may be NULL) */
	char **blob_digests;       /* or just their digests (dir:, archive) */
	char **parent_layers;      /* dir: with --parent: top first */
	size_t nparent;
	char *parent_manifest;     /* and its manifest */
	size_t parent_manifest_len;
	char *name;                /* the name the source gives, or NULL */
};

static void notify(const struct pull *p, enum bk_pull_event ev, size_t i,
		   const char *digest, uint64_t now, uint64_t total)
{
	if (p->o->notify)
		p->o->notify(p->o->notify_arg, ev, i, p->n, digest, now, total);
}

static void pull_free(struct pull *p)
{
	free(p->manifest);
	free(p->ctype);
	free(p->config);
	free(p->config_digest);
	bk_strvfreep(&p->diffids);
	bk_strvfreep(&p->blob_digests);
	bk_strvfreep(&p->parent_layers);
	free(p->parent_manifest);
	free(p->name);
	bk_stage_free(p->stage);   /* removes whatever was not published */
}

/* ---- manifests from a source ---- */

static int src_manifest(struct src *s, const struct bk_desc *d, char **buf, size_t *len,
			char **ctype)
{
	*ctype = NULL;
	if (s->reg)
		return bk_registry_manifest(s->reg, d ? d->digest : s->lookup, buf, len, ctype);
	if (d)
		return bk_oci_blob_read(s->dir, d->digest, BK_MANIFEST_MAX, buf, len);
	struct bk_desc top;
	if (bk_oci_top(s->dir, s->tag, &top) < 0)
		return -1;
	int r = bk_oci_blob_read(s->dir, top.digest, BK_MANIFEST_MAX, buf, len);
	if (r == 0 && top.media_type[0] && !(*ctype = strdup(top.media_type)))
		r = bk_fail("out of memory");
	bk_desc_free(&top);
	return r;
}

/* Follow index -> manifest for the platform (an index may nest once). */
static int resolve(struct pull *p, struct src *s, struct bk_manifest *m)
{
	_cleanup_free_ char *platform = p->o->platform ? strdup(p->o->platform) : bk_host_platform();

	if (!platform)
		return bk_fail("out of memory");
	if (src_manifest(s, NULL, &p->manifest, &p->manifest_len, &p->ctype) < 0)
		return -1;
	for (int depth = 0;; depth++) {
		struct bk_desc d;
		if (bk_manifest_parse(p->manifest, p->manifest_len, p->ctype, m) < 0)
			return -1;
		if (m->kind == BK_MK_IMAGE)
			return 0;
		if (depth == 2)
			return bk_fail("index nested too deep");
		if (bk_index_pick(p->manifest, p->manifest_len, platform, &d) < 0)
			return -1;
		free(p->manifest);
		free(p->ctype);
		p->manifest = p->ctype = NULL;
		int r = src_manifest(s, &d, &p->manifest, &p->manifest_len, &p->ctype);
		if (r == 0 && !p->ctype && d.media_type[0] && !(p->ctype = strdup(d.media_type)))
			r = bk_fail("out of memory");
		bk_desc_free(&d);
		if (r < 0)
			return -1;
	}
}

/* The config: from the store when there, else from the source. */
static int get_config(struct pull *p, struct src *s, const struct bk_desc *cd)
{
	const char *store = p->store;
	int r;

	if (!(p->config_digest = strdup(cd->digest)))
		return bk_fail("out of memory");
	if (bk_blob_exists(store, cd->digest))
		return bk_blob_read(store, cd->digest, BK_CONFIG_MAX, &p->config, &p->config_len);
	if (s->reg)
		r = bk_registry_blob(s->reg, cd->digest, BK_CONFIG_MAX, &p->config, &p->config_len);
	else
		r = bk_oci_blob_read(s->dir, cd->digest, BK_CONFIG_MAX, &p->config, &p->config_len);
	return r < 0 ? -1 : bk_blob_put(p->stage, store, p->config, p->config_len, NULL);
}

static void on_bytes(void *arg, size_t i, uint64_t now, uint64_t total)
{
	struct pull *p = arg;

	notify(p, BK_EV_BYTES, i, NULL, now, total);
}

/* The layer for diffid is there, or this pull has it staged already. */
static bool have_layer(const struct pull *p, const char *diffid)
{
	_cleanup_free_ char *path = bk_layer_path(p->store, diffid);

	return path && (bk_layer_exists(p->store, diffid) || bk_stage_find(p->stage, path));
}

static bool have_blob(const struct pull *p, const char *digest)
{
	_cleanup_free_ char *path = bk_blob_path(p->store, digest);

	return path && (bk_blob_exists(p->store, digest) || bk_stage_find(p->stage, path));
}

/* Index of an earlier layer with the same blob (an image may list one
 * layer twice), or i. */
static size_t first_of(const struct pull *p, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(p->blobs[k].digest, p->blobs[i].digest))
			return k;
	return i;
}

/* Fetch the blobs not stored yet. Every blob a manifest names is kept
 * (push and save send them as they came, so the manifest's digest
 * holds), also for a layer already extracted: a store made before blobs
 * were kept gets them back on the next pull. */
static int fetch_missing(struct pull *p, struct src *s)
{
	_cleanup_free_ struct bk_desc *want = calloc(p->n + 1, sizeof(*want));
	_cleanup_free_ size_t *idx = calloc(p->n + 1, sizeof(*idx));
	size_t k = 0;
	int r = 0;

	if (!want || !idx)
		return bk_fail("out of memory");
	for (size_t i = 0; i < p->n; i++) {
		bool blob = have_blob(p, p->blobs[i].digest);
		if (blob && have_layer(p, p->diffids[i]))
			notify(p, BK_EV_CACHED, i, p->diffids[i], 0, 0);
		else if (blob)
			notify(p, BK_EV_PRESENT, i, p->blobs[i].digest, 0, p->blobs[i].size);
		else if (first_of(p, i) == i) {
			want[k] = p->blobs[i];
			idx[k++] = i;
		}
	}
	if (s->reg && k)
		r = bk_registry_fetch(s->reg, p->store, p->stage, want, k, p->o->parallel, on_bytes, p);
	for (size_t j = 0; r == 0 && !s->reg && j < k; j++)
		r = bk_oci_blob_copy(s->dir, p->store, p->stage, &want[j]);
	for (size_t j = 0; r == 0 && j < k; j++)
		notify(p, BK_EV_FETCHED, idx[j], want[j].digest, want[j].size, want[j].size);
	return r;
}

static const char *blob_of(const struct pull *p, size_t i)
{
	return p->blobs ? p->blobs[i].digest : p->blob_digests[i];
}

/* Extract each layer not there yet, from its blob (staged or stored). */
static int extract_missing(struct pull *p)
{
	for (size_t i = 0; i < p->n; i++) {
		_cleanup_free_ char *blob = NULL;
		if (have_layer(p, p->diffids[i]))
			continue;
		if (!(blob = bk_blob_file(p->stage, p->store, blob_of(p, i))) ||
		    bk_layer_extract(p->stage, p->store, blob, p->diffids[i]) < 0)
			return -1;
		notify(p, BK_EV_EXTRACTED, i, p->diffids[i], 0, 0);
	}
	return 0;
}

static int load_diffids(struct pull *p, size_t expect)
{
	if (bk_config_diffids(p->config, p->config_len, &p->diffids, &p->n) < 0)
		return -1;
	if (p->n != expect)
		return bk_fail("image config lists %zu layers, the manifest %zu", p->n, expect);
	notify(p, BK_EV_START, 0, NULL, 0, 0);
	return 0;
}

/* The content of the image's layers (top first): walked where this
 * pull extracted them or the store has them; the parent's as its record
 * says (a commit costs what changed). */
static int layers_size(const struct pull *p, char *const *top, uint64_t *size)
{
	_cleanup_strv_ char **parent = NULL;
	const char *v;

	*size = 0;
	for (size_t i = 0; i < p->n; i++) {
		_cleanup_free_ char *final = bk_layer_path(p->store, top[i]);
		const char *tmp = final ? bk_stage_find(p->stage, final) : NULL;
		uint64_t b;
		if (!final || bk_tree_size(tmp ? tmp : final, &b) < 0)
			return -1;
		*size += b;
	}
	if (!p->o->parent)
		return 0;
	uint64_t b = 0;
	if (!(parent = bk_image_inspect(p->store, p->o->parent)) ||
	    !(v = bk_inspect_get(parent, "size")) || bk_parse_u64(v, &b) < 0)
		return bk_fail_wrap("image %s: size", p->o->parent);
	*size += b;
	return 0;
}

/* The inspect file of the record (NULL: none, a value holds a newline). */
static int inspect_text(const struct pull *p, const struct bk_image_rec *rec, char **text)
{
	struct bk_image_info info = { .id = rec->id, .source = rec->source, .layers = rec->diffids,
				      .nlayers = rec->ndiffids, .config = p->config,
				      .config_len = p->config_len };
	_cleanup_strv_ char **kv = NULL;

	*text = NULL;
	if (layers_size(p, rec->diffids, &info.size) < 0 || !(kv = bk_inspect_pairs(p->store, &info)))
		return -1;
	*text = bk_inspect_text(kv);
	return 0;
}

/* The image's name in index.json: --tag's, else the source's own. */
static int name_image(const struct pull *p, const char *id)
{
	struct bk_name_change c = { .name = p->o->tag ? p->o->tag : p->name, .id = id };

	return bk_layout_update(p->store, &c, c.name ? 1 : 0);
}

static int write_record(struct pull *p, const char *source, char **id)
{
	_cleanup_free_ char **top = calloc(p->n + p->nparent + 1, sizeof(*top));
	_cleanup_free_ char *img = bk_image_id(p->config_digest), *inspect = NULL;
	struct bk_image_rec rec = {
		.source = p->o->origin ? p->o->origin : source,
		.config = p->config, .config_len = p->config_len,
		.manifest = p->manifest, .manifest_len = p->manifest_len,
	};

	if (!img || !top)
		return img ? bk_fail("out of memory") : -1;
	for (size_t i = 0; i < p->n; i++)
		top[i] = p->diffids[p->n - 1 - i];
	for (size_t i = 0; i < p->nparent; i++)
		top[p->n + i] = p->parent_layers[i];
	rec.id = img;
	rec.diffids = top;
	rec.ndiffids = p->n + p->nparent;
	if (inspect_text(p, &rec, &inspect) < 0)
		return -1;
	rec.inspect = inspect;
	/* the manifest, byte-exact, is a blob as well: the layout's */
	if (p->manifest && bk_blob_put(p->stage, p->store, p->manifest, p->manifest_len, NULL) < 0)
		return -1;
	if (bk_image_write(p->stage, p->store, &rec) < 0 || bk_stage_publish(p->stage) < 0)
		return -1;
	if (p->o->flatten && bk_flatten(p->store, top, rec.ndiffids, p->o->flatten) < 0)
		return -1;
	if (name_image(p, img) < 0)
		return -1;
	*id = bk_steal_ptr(img);
	return 0;
}

/* Registry and OCI layout: manifest -> config -> layers. */
static int pull_manifested(struct pull *p, struct src *s, const char *source, char **id)
{
	struct bk_manifest m;
	int r;

	if (resolve(p, s, &m) < 0)
		return -1;
	p->blobs = m.layers;
	r = get_config(p, s, &m.config);
	if (r == 0)
		r = load_diffids(p, m.nlayers);
	if (r == 0)
		r = fetch_missing(p, s);
	if (r == 0)
		r = extract_missing(p);
	if (r == 0)
		r = write_record(p, source, id);
	p->blobs = NULL;
	bk_manifest_free(&m);
	return r;
}

static int pull_registry(struct pull *p, const char *name, char **id)
{
	const struct bk_reach reach = { .creds = p->o->creds, .insecure = p->o->insecure,
					.ca_file = p->o->ca_file, .timeout = p->o->timeout };
	struct bk_imgref ref;
	struct bk_http *http = NULL;
	struct src s = { 0 };
	_cleanup_free_ char *norm = NULL;
	int r = -1;

	if (bk_imgref_parse(name, &ref) < 0)
		return -1;
	if ((norm = bk_imgref_string(&ref)) &&
	    bk_registry_open(&reach, &ref, false, NULL, &http, &s.reg) == 0) {
		s.lookup = bk_imgref_lookup(&ref);
		/* named as Docker does: by the tag it was pulled by, not a digest */
		if (ref.tag && !ref.digest && !(p->name = strdup(norm)))
			r = bk_fail("out of memory");
		else
			r = pull_manifested(p, &s, norm, id);
	}
	bk_registry_free(s.reg);
	bk_http_free(http);
	bk_imgref_free(&ref);
	return r;
}

static int pull_oci(struct pull *p, const char *spec, const char *source, char **id)
{
	struct src s = { 0 };
	int r;

	if (bk_oci_parse_spec(spec, &s.dir, &s.tag) < 0)
		return -1;
	r = pull_manifested(p, &s, source, id);
	free(s.dir);
	free(s.tag);
	return r < 0 ? bk_fail_wrap("%s", source) : 0;
}

/* ---- manifests of images made here (archives, dir:) ---- */

/* What a layer blob is, from its first bytes: an archive's and a dir:
 * tar's blobs come with no media type. */
static int sniff_layer(const char *file, const char **type, uint64_t *size)
{
	_cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC);
	unsigned char m[4] = { 0 };
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || pread(fd, m, sizeof(m), 0) < 0)
		return bk_fail_errno(errno, "read %s", file);
	*size = (uint64_t)st.st_size;
	if (m[0] == 0x1f && m[1] == 0x8b)
		*type = BK_MT_OCI_LAYER_GZIP;
	else if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		*type = BK_MT_OCI_LAYER_ZSTD;
	else
		*type = BK_MT_OCI_LAYER;
	return 0;
}

/* A layer's OCI media type: docker's schema 2 types name the same bytes. */
static char *oci_type(const char *mt)
{
	if (strncmp(mt, "application/vnd.docker.image.rootfs.", 36))
		return (char *)mt;
	if (strstr(mt, "foreign"))
		return "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
	return strstr(mt, "gzip") ? BK_MT_OCI_LAYER_GZIP : BK_MT_OCI_LAYER;
}

/* The manifest of an image made here, always OCI (skopeo and podman read
 * only OCI manifests from a layout): the layers below (from the parent's
 * manifest, bottom first, docker's types named as OCI's), then this
 * pull's blobs. */
static int make_manifest(struct pull *p, const struct bk_manifest *below)
{
	size_t nb = below ? below->nlayers : 0;
	_cleanup_free_ struct bk_desc *l = NULL;
	struct bk_desc cfg = { .media_type = BK_MT_OCI_CONFIG, .digest = p->config_digest,
			       .size = p->config_len };

	if (!(l = calloc(nb + p->n + 1, sizeof(*l))))
		return bk_fail("out of memory");
	for (size_t i = 0; i < nb; i++) {
		l[i] = below->layers[i];
		l[i].media_type = oci_type(l[i].media_type);
	}
	for (size_t i = 0; i < p->n; i++) {
		_cleanup_free_ char *file = bk_blob_file(p->stage, p->store, p->blob_digests[i]);
		const char *type = NULL;
		if (!file || sniff_layer(file, &type, &l[nb + i].size) < 0)
			return -1;
		l[nb + i].media_type = (char *)type;
		l[nb + i].digest = p->blob_digests[i];
	}
	return bk_manifest_build(false, &cfg, l, nb + p->n, &p->manifest, &p->manifest_len);
}

static int pull_archive(struct pull *p, const char *file, const char *source, char **id)
{
	struct bk_darchive a;
	int r;

	const char *at = strrchr(file, '@');
	_cleanup_free_ char *path = NULL;
	size_t index = 0;

	/* FILE:@N, the archive's image N (as in containers/image) */
	if (at && at > file && at[-1] == ':' && at[1] && strspn(at + 1, "0123456789") == strlen(at + 1)) {
		index = strtoul(at + 1, NULL, 10);
		if (!(path = strndup(file, (size_t)(at - 1 - file))))
			return bk_fail("out of memory");
		file = path;
	}
	if (bk_darchive_load(file, index, p->store, p->stage, &a) < 0)
		return -1;
	p->config = bk_steal_ptr(a.config);
	p->config_len = a.config_len;
	p->blob_digests = bk_steal_ptr(a.layers);
	/* its RepoTags name it, when that is a name */
	if (a.repotag && !(p->name = bk_name_normalise(a.repotag)))
		BK_TRACE("%s: not naming the image: %s", file, bk_error());
	r = bk_blob_put(p->stage, p->store, p->config, p->config_len, &p->config_digest);
	if (r == 0)
		r = load_diffids(p, a.nlayers);
	if (r == 0)
		r = extract_missing(p);
	if (r == 0)
		r = make_manifest(p, NULL);
	if (r == 0)
		r = write_record(p, source, id);
	bk_darchive_free(&a);
	return r;
}

/* The config of a dir: image: the parent's plus one diff_id, or new. Its
 * creation time is not the parent's, and none is set: one tree on one
 * parent gives one image id. */
static json_t *dir_config(struct pull *p, const char *diffid)
{
	json_t *root, *rootfs, *ids, *hist;
	char *buf = NULL;
	size_t len;

	if (p->o->parent) {
		if (bk_image_config(p->store, p->o->parent, &buf, &len) < 0)
			return NULL;
		root = json_loadb(buf, len, 0, NULL);
		free(buf);
		if (!root) {
			bk_fail("image %s: bad config.json", p->o->parent);
			return NULL;
		}
		json_object_del(root, "created");
	} else {
		_cleanup_free_ char *plat = bk_host_platform();
		const char *arch = plat ? strchr(plat, '/') + 1 : "amd64";
		root = json_pack("{s:s, s:s, s:{}}", "architecture", arch, "os", "linux", "config");
	}
	rootfs = json_object_get(root, "rootfs");
	if (!json_is_object(rootfs))
		json_object_set_new(root, "rootfs", rootfs = json_pack("{s:s, s:[]}", "type", "layers", "diff_ids"));
	ids = json_object_get(rootfs, "diff_ids");
	if (!json_is_array(ids))
		json_object_set_new(rootfs, "diff_ids", ids = json_array());
	json_array_append_new(ids, json_string(diffid));
	if (json_is_array(hist = json_object_get(root, "history")))
		json_array_append_new(hist, json_pack("{s:s}", "created_by", "imgpull dir:"));
	return root;
}

/* The parent's layers and manifest (its layers go below ours in the
 * new manifest). */
static int load_parent(struct pull *p, struct bk_manifest *m)
{
	const char *id = p->o->parent;
	int r;

	if (bk_image_layers(p->store, id, &p->parent_layers, &p->nparent) < 0 ||
	    (r = bk_image_manifest(p->store, id, &p->parent_manifest, &p->parent_manifest_len)) < 0)
		return -1;
	if (r > 0)
		return bk_fail("image %s has no manifest (pulled by an older imgpull): pull it again", id);
	return bk_manifest_parse(p->parent_manifest, p->parent_manifest_len, NULL, m);
}

static int dir_record(struct pull *p, const struct bk_dir_blob *b)
{
	json_t *cfg = dir_config(p, b->diffid);

	if (!cfg)
		return -1;
	p->config = json_dumps(cfg, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(cfg);
	if (!p->config)
		return bk_fail("out of memory");
	p->config_len = strlen(p->config);
	p->n = 1;
	if (!(p->diffids = calloc(2, sizeof(char *))) || !(p->blob_digests = calloc(2, sizeof(char *))) ||
	    !(p->diffids[0] = strdup(b->diffid)) || !(p->blob_digests[0] = strdup(b->digest)))
		return bk_fail("out of memory");
	notify(p, BK_EV_START, 0, NULL, 0, 0);
	return bk_blob_put(p->stage, p->store, p->config, p->config_len, &p->config_digest);
}

static int pull_dir(struct pull *p, const char *dir, const char *source, char **id)
{
	struct bk_manifest below = { 0 };
	struct bk_dir_blob b = { 0 };
	int r = 0;

	if (p->o->parent)
		r = load_parent(p, &below);
	if (r == 0)
		r = bk_dir_layer(dir, p->store, p->stage, &b);
	if (r == 0)
		r = dir_record(p, &b);
	if (r == 0)
		r = extract_missing(p);
	if (r == 0)
		r = make_manifest(p, p->o->parent ? &below : NULL);
	if (r == 0)
		r = write_record(p, source, id);
	bk_manifest_free(&below);
	free(b.diffid);
	free(b.digest);
	return r;
}

int bk_pull(const char *source, const struct bk_pull_opts *o, char **id)
{
	struct pull p = { .o = o };
	struct bk_store store;
	int r;

	if (o->parent && strncmp(source, "dir:", 4))
		return bk_fail("--parent only goes with a dir: source");
	if (bk_store_open(&store, o->store, true, BK_STORE_SHARED) < 0)
		return -1;
	p.store = store.path;
	if (!(p.stage = bk_stage_new()))
		r = -1;
	else if (!strncmp(source, "oci:", 4))
		r = pull_oci(&p, source + 4, source, id);
	else if (!strncmp(source, "docker-archive:", 15))
		r = pull_archive(&p, source + 15, source, id);
	else if (!strncmp(source, "dir:", 4))
		r = pull_dir(&p, source + 4, source, id);
	else
		r = pull_registry(&p, source, id);
	pull_free(&p);
	bk_store_close(&store);
	return r;
}
