/* manifest: manifest, index and config parsing and building (manifest.h). */
#include "image/manifest.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "image/imgref.h"
#include "base/msg.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

void bk_desc_free(struct bk_desc *d)
{
	free(d->media_type);
	free(d->digest);
	memset(d, 0, sizeof(*d));
}

void bk_manifest_free(struct bk_manifest *m)
{
	bk_desc_free(&m->config);
	for (size_t i = 0; i < m->nlayers; i++)
		bk_desc_free(&m->layers[i]);
	free(m->layers);
	memset(m, 0, sizeof(*m));
}

static json_t *load(const char *buf, size_t len, const char *what)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);

	if (!root)
		bk_fail("%s: bad JSON: %s", what, jerr.text);
	else if (!json_is_object(root)) {
		json_decref(root);
		root = NULL;
		bk_fail("%s: not a JSON object", what);
	}
	return root;
}

static int desc_parse(json_t *j, struct bk_desc *d, const char *what)
{
	const char *mt = json_string_value(json_object_get(j, "mediaType"));
	const char *dg = json_string_value(json_object_get(j, "digest"));
	json_t *size = json_object_get(j, "size");

	memset(d, 0, sizeof(*d));
	if (!bk_digest_valid(dg))
		return bk_fail("%s: missing or unsupported digest '%s'", what, dg ? dg : "");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return bk_fail("%s %s: bad size", what, dg);
	d->size = (uint64_t)json_integer_value(size);
	if (!(d->digest = strdup(dg)) || !(d->media_type = strdup(mt ? mt : ""))) {
		bk_desc_free(d);
		return bk_fail("out of memory");
	}
	return 0;
}

static const char *media_type_of(json_t *root, const char *content_type)
{
	const char *mt = json_string_value(json_object_get(root, "mediaType"));

	if (mt)
		return mt;
	if (json_integer_value(json_object_get(root, "schemaVersion")) == 1)
		return "schema1";
	if (json_object_get(root, "manifests"))
		return BK_MT_OCI_INDEX;
	if (json_object_get(root, "config") && json_object_get(root, "layers"))
		return BK_MT_OCI_MANIFEST;
	return content_type ? content_type : "";
}

static int layer_type_ok(const char *mt)
{
	/* docker rootfs.diff.tar(.gzip), foreign layers, OCI tar(+gzip|+zstd);
	 * an empty type (old tools) is sniffed at extraction. */
	if (strstr(mt, "encrypted"))
		return 0;
	return !*mt || strstr(mt, ".tar") != NULL;
}

static int parse_image(json_t *root, struct bk_manifest *m)
{
	json_t *layers = json_object_get(root, "layers"), *l;
	size_t i;

	m->kind = BK_MK_IMAGE;
	if (desc_parse(json_object_get(root, "config"), &m->config, "manifest config") < 0)
		return -1;
	if (!json_is_array(layers))
		return bk_fail("manifest: no layers array");
	if (!(m->layers = calloc(json_array_size(layers) + 1, sizeof(*m->layers))))
		return bk_fail("out of memory");
	json_array_foreach(layers, i, l) {
		if (desc_parse(l, &m->layers[i], "manifest layer") < 0)
			return -1;
		m->nlayers++;
		if (!layer_type_ok(m->layers[i].media_type))
			return bk_fail("layer %s: unsupported media type '%s'",
				       m->layers[i].digest, m->layers[i].media_type);
	}
	return 0;
}

int bk_manifest_parse(const char *buf, size_t len, const char *content_type,
		      struct bk_manifest *m)
{
	json_t *root = load(buf, len, "manifest");
	const char *mt;
	int r;

	memset(m, 0, sizeof(*m));
	if (!root)
		return -1;
	mt = media_type_of(root, content_type);
	if (!strcmp(mt, BK_MT_OCI_INDEX) || !strcmp(mt, BK_MT_DOCKER_LIST)) {
		m->kind = BK_MK_INDEX;
		r = 0;
	} else if (!strcmp(mt, BK_MT_OCI_MANIFEST) || !strcmp(mt, BK_MT_DOCKER_V2)) {
		r = parse_image(root, m);
	} else if (!strcmp(mt, "schema1") || strstr(mt, "manifest.v1+")) {
		r = bk_fail("manifest is docker schema1 (deprecated, unverifiable): not supported");
	} else {
		r = bk_fail("unsupported manifest media type '%s'", mt);
	}
	json_decref(root);
	if (r < 0)
		bk_manifest_free(m);
	return r;
}

static const char *goarch(const char *machine, const char **variant)
{
	static const char *const map[][3] = {
		{ "x86_64", "amd64", NULL }, { "aarch64", "arm64", NULL },
		{ "armv7l", "arm", "v7" }, { "armv6l", "arm", "v6" },
		{ "i686", "386", NULL }, { "i386", "386", NULL },
		{ "ppc64le", "ppc64le", NULL }, { "s390x", "s390x", NULL },
		{ "riscv64", "riscv64", NULL },
	};

	*variant = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(machine, map[i][0])) {
			*variant = map[i][2];
			return map[i][1];
		}
	return machine;
}

char *bk_host_platform(void)
{
	struct utsname u;
	const char *variant, *arch;
	char *out = NULL;

	if (uname(&u) < 0)
		return strdup("linux/amd64");
	arch = goarch(u.machine, &variant);
	if (asprintf(&out, "linux/%s%s%s", arch, variant ? "/" : "", variant ? variant : "") < 0)
		return NULL;
	return out;
}

/* Does the index entry's platform match "os/arch[/variant]"? */
static int platform_match(json_t *plat, const char *want)
{
	const char *os = json_string_value(json_object_get(plat, "os"));
	const char *arch = json_string_value(json_object_get(plat, "architecture"));
	const char *var = json_string_value(json_object_get(plat, "variant"));
	_cleanup_free_ char *buf = strdup(want);
	char *wos, *warch, *wvar, *save = NULL;

	if (!os || !arch || !buf)
		return 0;
	wos = strtok_r(buf, "/", &save);
	warch = strtok_r(NULL, "/", &save);
	wvar = strtok_r(NULL, "/", &save);
	if (!wos || !warch || strcmp(os, wos) || strcmp(arch, warch))
		return 0;
	return !wvar || (var && !strcmp(var, wvar));
}

int bk_index_pick(const char *buf, size_t len, const char *platform, struct bk_desc *out)
{
	json_t *root = load(buf, len, "index"), *list, *e;
	size_t i;
	int r = 1;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -1;
	list = json_object_get(root, "manifests");
	if (!json_is_array(list))
		r = bk_fail("index: no manifests array");
	json_array_foreach(list, i, e) {
		if (!platform_match(json_object_get(e, "platform"), platform))
			continue;
		r = desc_parse(e, out, "index entry");
		break;
	}
	if (r == 1)
		r = bk_fail("no image for platform %s in the index (--platform)", platform);
	json_decref(root);
	return r;
}

int bk_config_diffids(const char *buf, size_t len, char ***ids, size_t *n)
{
	json_t *root = load(buf, len, "image config"), *list, *e;
	_cleanup_strv_ char **v = NULL;
	size_t i;

	if (!root)
		return -1;
	list = json_object_get(json_object_get(root, "rootfs"), "diff_ids");
	if (!json_is_array(list)) {
		json_decref(root);
		return bk_fail("image config: no rootfs.diff_ids");
	}
	if (!(v = calloc(json_array_size(list) + 1, sizeof(*v)))) {
		json_decref(root);
		return bk_fail("out of memory");
	}
	json_array_foreach(list, i, e) {
		const char *d = json_string_value(e);
		int r = !bk_digest_valid(d) ? bk_fail("image config: bad diff_id '%.80s'", d ? d : "")
		      : !(v[i] = strdup(d)) ? bk_fail("out of memory") : 0;
		if (r < 0) {
			json_decref(root);   /* after the message: d points into root */
			return -1;
		}
	}
	*n = json_array_size(list);
	json_decref(root);
	*ids = bk_steal_ptr(v);
	return 0;
}

char *bk_manifest_type(const char *buf, size_t len)
{
	json_t *root = load(buf, len, "manifest");
	const char *mt = root ? media_type_of(root, NULL) : NULL;
	char *out = NULL;

	if (mt && (!strcmp(mt, BK_MT_OCI_MANIFEST) || !strcmp(mt, BK_MT_DOCKER_V2)) &&
	    !(out = strdup(mt)))
		bk_fail("out of memory");
	else if (mt && !out)
		bk_fail("not an image manifest (media type '%.100s')", mt);
	json_decref(root);
	return out;
}

static json_t *desc_json(const struct bk_desc *d)
{
	return json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type, "digest", d->digest,
			 "size", (json_int_t)d->size);
}

int bk_manifest_build(bool docker, const struct bk_desc *config, const struct bk_desc *layers,
		      size_t n, char **out, size_t *len)
{
	json_t *ls = json_array(), *root;
	int oom = !ls;

	for (size_t i = 0; !oom && i < n; i++)
		oom = json_array_append_new(ls, desc_json(&layers[i])) < 0;
	root = oom ? NULL : json_pack("{s:i, s:s, s:o, s:o}", "schemaVersion", 2, "mediaType",
				      docker ? BK_MT_DOCKER_V2 : BK_MT_OCI_MANIFEST, "config",
				      desc_json(config), "layers", ls);
	if (!root) {
		if (oom)
			json_decref(ls);
		return bk_fail("out of memory");
	}
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!*out)
		return bk_fail("out of memory");
	*len = strlen(*out);
	return 0;
}
