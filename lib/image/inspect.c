/* inspect: an image described for --inspect (inspect.h). */
#include "image/inspect.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "image/imgstore.h"
#include "image/layer.h"
#include "image/manifest.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A growing NULL-terminated vector of key, value pairs. */
struct kv {
	char **v;
	size_t n;
	int oom;
};

static void kv_add(struct kv *kv, const char *key, const char *val)
{
	char **v, *k, *x;

	if (kv->oom)
		return;
	if (!(v = realloc(kv->v, (kv->n + 3) * sizeof(*v)))) {
		kv->oom = 1;
		return;
	}
	kv->v = v;
	k = strdup(key);
	x = strdup(val ? val : "");
	if (!k || !x) {
		free(k);
		free(x);
		kv->oom = 1;
		return;
	}
	v[kv->n++] = k;
	v[kv->n++] = x;
	v[kv->n] = NULL;
}

/* The layer directories, top first and ':'-joined: ovlmount -l's list. */
static void kv_lowerdir(struct kv *kv, const char *store, char **layers, size_t n)
{
	_cleanup_free_ char *list = NULL;
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int add = snprintf(NULL, 0, "%s%s/layers/sha256/%s", i ? ":" : "", store, layers[i] + 7);
		char *grown = realloc(list, len + (size_t)add + 1);

		if (!grown) {
			kv->oom = 1;
			return;
		}
		list = grown;
		snprintf(list + len, (size_t)add + 1, "%s%s/layers/sha256/%s", i ? ":" : "", store,
			 layers[i] + 7);
		len += (size_t)add;
	}
	kv_add(kv, "lowerdir", list);
}

static void kv_words(struct kv *kv, const char *key, json_t *arr)
{
	size_t i;
	json_t *w;

	json_array_foreach(arr, i, w)
		if (json_is_string(w))
			kv_add(kv, key, json_string_value(w));
}

static void kv_config(struct kv *kv, json_t *cfg)
{
	const char *wd = json_string_value(json_object_get(cfg, "WorkingDir"));
	const char *user = json_string_value(json_object_get(cfg, "User"));

	kv_words(kv, "env", json_object_get(cfg, "Env"));
	kv_words(kv, "entrypoint", json_object_get(cfg, "Entrypoint"));
	kv_words(kv, "cmd", json_object_get(cfg, "Cmd"));
	kv_words(kv, "argv", json_object_get(cfg, "Entrypoint"));
	kv_words(kv, "argv", json_object_get(cfg, "Cmd"));
	if (wd && *wd)
		kv_add(kv, "workdir", wd);
	if (user && *user)
		kv_add(kv, "user", user);
}

/* The config's fields into kv; -1 (recorded) if it is not JSON. */
static int config_fields(struct kv *kv, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);

	if (!root)
		return bk_fail("config.json: %s", jerr.text);
	kv_config(kv, json_object_get(root, "config"));
	json_decref(root);
	return 0;
}

static char **kv_done(struct kv *kv, int r)
{
	char **v = kv->v;

	if (r == 0 && !kv->oom)
		return v;
	bk_strvfreep(&v);
	if (r == 0)
		bk_fail("out of memory");
	return NULL;
}

char **bk_config_fields(const char *buf, size_t len)
{
	struct kv kv = { 0 };
	int r = config_fields(&kv, buf, len);

	if (r == 0 && !kv.v && !(kv.v = calloc(1, sizeof(*kv.v))))
		kv.oom = 1;   /* no field: an empty list */
	return kv_done(&kv, r);
}

const char *bk_inspect_get(char *const *kv, const char *key)
{
	for (size_t i = 0; kv && kv[i]; i += 2)
		if (!strcmp(kv[i], key))
			return kv[i + 1];
	return NULL;
}

/* The config's "created", else the time t (a record's), as RFC 3339. */
static char *created(const char *config, size_t len, time_t t)
{
	json_t *root = json_loadb(config, len, 0, NULL);
	const char *c = json_string_value(json_object_get(root, "created"));
	char buf[64], *out;
	struct tm tm;

	if (c && strlen(c) < sizeof(buf))
		snprintf(buf, sizeof(buf), "%s", c);
	else if (gmtime_r(&t, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(buf, sizeof(buf), "1970-01-01T00:00:00Z");
	json_decref(root);
	if (!(out = strdup(buf)))
		bk_fail("out of memory");
	return out;
}

static char **pairs(const char *store, const struct bk_image_info *r, time_t t)
{
	_cleanup_free_ char *when = created(r->config, r->config_len, t);
	struct kv kv = { 0 };
	char size[24];
	int rc;

	if (!when)
		return NULL;
	kv_add(&kv, "id", r->id);
	kv_add(&kv, "source", r->source);
	for (size_t i = 0; i < r->nlayers; i++)
		kv_add(&kv, "layer", r->layers[i] + 7);
	kv_lowerdir(&kv, store, (char **)r->layers, r->nlayers);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)r->size);
	kv_add(&kv, "size", size);
	kv_add(&kv, "created", when);
	if ((rc = config_fields(&kv, r->config, r->config_len)) < 0)
		bk_fail_wrap("image %s", r->id);
	return kv_done(&kv, rc);
}

char **bk_inspect_pairs(const char *store, const struct bk_image_info *info)
{
	return pairs(store, info, time(NULL));
}

char *bk_inspect_text(char *const *kv)
{
	size_t len = 1;
	char *text, *p;

	for (size_t i = 0; kv[i]; i += 2) {
		if (strchr(kv[i + 1], '\n'))
			return NULL;
		len += strlen(kv[i]) + strlen(kv[i + 1]) + 2;
	}
	if (!(p = text = malloc(len))) {
		bk_fail("out of memory");
		return NULL;
	}
	for (size_t i = 0; kv[i]; i += 2)
		p += sprintf(p, "%s %s\n", kv[i], kv[i + 1]);
	*p = '\0';
	return text;
}

/* The inspect file back into pairs. */
static char **parse_file(char *text)
{
	struct kv kv = { 0 };
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		kv_add(&kv, l, sp + 1);
	}
	if (!kv.v && !(kv.v = calloc(1, sizeof(*kv.v))))
		kv.oom = 1;
	return kv_done(&kv, 0);
}

/* A record without an inspect file: its pairs from its files; the size by
 * walking its layer dirs, the time of the record's making when the config
 * has none. */
static char **work_out(const char *store, const char *id)
{
	_cleanup_free_ char *source = bk_image_file(store, id, "source", 65536);
	_cleanup_free_ char *config = NULL, *dir = NULL;
	_cleanup_strv_ char **layers = NULL;
	struct bk_image_info info = { .id = id };
	struct stat st;

	if (!source || bk_image_layers(store, id, &layers, &info.nlayers) < 0 ||
	    bk_image_config(store, id, &config, &info.config_len) < 0)
		return NULL;
	source[strcspn(source, "\n")] = '\0';
	info.source = source;
	info.layers = layers;
	info.config = config;
	for (size_t i = 0; i < info.nlayers; i++) {
		_cleanup_free_ char *path = bk_layer_path(store, layers[i]);
		uint64_t b;
		if (!path || bk_tree_size(path, &b) < 0)
			return NULL;
		info.size += b;
	}
	if (asprintf(&dir, "%s/images/%s", store, id) < 0 || stat(dir, &st) < 0) {
		bk_fail_errno(errno, "image %s", id);
		return NULL;
	}
	return pairs(store, &info, st.st_mtime);
}

char **bk_image_inspect(const char *store, const char *id)
{
	_cleanup_free_ char *text = bk_image_file(store, id, "inspect", 1u << 20);

	if (text)
		return parse_file(text);
	if (errno != ENOENT)
		return NULL;
	return work_out(store, id);
}
