/* imgstore: image records and their inspection (imgstore.h). */
#include "image/imgstore.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "image/imgref.h"
#include "image/manifest.h"
#include "base/msg.h"
#include "base/path.h"
#include "image/stage.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

char *bk_image_id(const char *config_digest)
{
	char *id = NULL;

	if (!bk_digest_valid(config_digest) || asprintf(&id, "img_%.12s", config_digest + 7) < 0) {
		bk_fail("bad config digest");
		return NULL;
	}
	return id;
}

int bk_image_id_valid(const char *id)
{
	return id && !strncmp(id, "img_", 4) && bk_valid_name(id, 64);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static int write_file(const char *dir, const char *name, const char *buf, size_t len)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return bk_fail("out of memory");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return bk_fail_errno(errno, "create %s", path);
	if (write_all(fd, buf, len) < 0) {
		int err = errno;
		close(fd);
		return bk_fail_errno(err, "write %s", path);
	}
	if (close(fd) < 0)
		return bk_fail_errno(errno, "write %s", path);
	return 0;
}

static char *layers_text(char *const *ids, size_t n)
{
	char *s = malloc(n * 66 + 1), *p = s;

	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s\n", ids[i] + 7);
	return s;
}

static int fill_record(const char *tmp, const struct bk_image_rec *rec)
{
	_cleanup_free_ char *src = NULL, *layers = layers_text(rec->diffids, rec->ndiffids);

	if (!layers || asprintf(&src, "%s\n", rec->source) < 0)
		return bk_fail("out of memory");
	if (write_file(tmp, "source", src, strlen(src)) < 0 ||
	    write_file(tmp, "layers", layers, strlen(layers)) < 0 ||
	    write_file(tmp, "config.json", rec->config, rec->config_len) < 0)
		return -1;
	if (rec->manifest && write_file(tmp, "manifest.json", rec->manifest, rec->manifest_len) < 0)
		return -1;
	return 0;
}

/* The image is there already (same config): only its name may change, by
 * a new "source" staged to replace the old one (its temp in images/, where
 * the sweep looks). The same name changes nothing. */
static int stage_source(struct bk_stage *s, const char *store, const char *final,
			const char *source)
{
	_cleanup_free_ char *tmp = bk_store_tmpname(store, "images");
	_cleanup_free_ char *dst = NULL, *src = NULL, *old = NULL;
	int fd;

	if (!tmp)
		return -1;
	if (asprintf(&dst, "%s/source", final) < 0 || asprintf(&src, "%s\n", source) < 0)
		return bk_fail("out of memory");
	if ((old = bk_read_small(dst, 65536)) && !strcmp(old, src))
		return 0;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return bk_fail_errno(errno, "create %s", tmp);
	if (fchmod(fd, 0644) < 0 || write_all(fd, src, strlen(src)) < 0) {
		bk_fail_errno(errno, "write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		bk_fail_errno(errno, "write %s", tmp);
		unlink(tmp);
		return -1;
	}
	return bk_stage_add(s, bk_steal_ptr(tmp), dst, BK_STAGE_RECORD);
}

int bk_image_write(struct bk_stage *s, const char *store, const struct bk_image_rec *rec)
{
	_cleanup_free_ char *final = NULL;
	struct stat st;
	char *tmp;

	if (!bk_image_id_valid(rec->id) || strchr(rec->source, '\n'))
		return bk_fail("bad image record");
	if (asprintf(&final, "%s/images/%s", store, rec->id) < 0)
		return bk_fail("out of memory");
	if (stat(final, &st) == 0)
		return stage_source(s, store, final, rec->source);
	if (!(tmp = bk_store_tmpname(store, "images")))
		return -1;
	if (!mkdtemp(tmp)) {
		bk_fail_errno(errno, "create %s", tmp);
		free(tmp);
		return -1;
	}
	if (chmod(tmp, 0755) < 0 || fill_record(tmp, rec) < 0) {
		bk_fail_wrap("image %s", rec->id);
		bk_undo_rm_rf(tmp);
		free(tmp);
		return -1;
	}
	return bk_stage_add(s, tmp, final, BK_STAGE_RECORD);
}

static char *record_file(const char *store, const char *id, const char *name, size_t max)
{
	_cleanup_free_ char *path = NULL;
	char *buf;

	if (!bk_image_id_valid(id)) {
		bk_fail("invalid image id '%s'", id);
		return NULL;
	}
	if (asprintf(&path, "%s/images/%s/%s", store, id, name) < 0) {
		bk_fail("out of memory");
		return NULL;
	}
	if (!(buf = bk_read_small(path, max))) {
		if (errno == ENOENT)
			bk_fail("image %s: no such image in %s", id, store);
		return NULL;
	}
	return buf;
}

int bk_image_layers(const char *store, const char *id, char ***diffids, size_t *n)
{
	_cleanup_free_ char *text = record_file(store, id, "layers", 1u << 20);
	_cleanup_strv_ char **v = NULL;
	size_t count = 0;
	char *save = NULL;

	if (!text)
		return -1;
	for (char *p = text; *p; p++)
		count += *p == '\n';
	if (!(v = calloc(count + 1, sizeof(*v))))
		return bk_fail("out of memory");
	count = 0;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (asprintf(&v[count], "sha256:%s", l) < 0) {
			v[count] = NULL;
			return bk_fail("out of memory");
		}
		if (!bk_digest_valid(v[count++]))
			return bk_fail("image %s: corrupt layers file", id);
	}
	*n = count;
	*diffids = bk_steal_ptr(v);
	return 0;
}

int bk_image_config(const char *store, const char *id, char **buf, size_t *len)
{
	char *c = record_file(store, id, "config.json", BK_CONFIG_MAX);

	if (!c)
		return -1;
	*len = strlen(c);
	*buf = c;
	return 0;
}

int bk_image_manifest(const char *store, const char *id, char **buf, size_t *len)
{
	_cleanup_free_ char *path = NULL;

	*buf = NULL;
	if (!bk_image_id_valid(id))
		return bk_fail("invalid image id '%s'", id);
	if (asprintf(&path, "%s/images/%s/manifest.json", store, id) < 0)
		return bk_fail("out of memory");
	if (!(*buf = bk_read_small_len(path, BK_MANIFEST_MAX, len)))
		return errno == ENOENT ? 1 : bk_fail_errno(errno, "read %s", path);
	return 0;
}

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

char **bk_image_inspect(const char *store, const char *id)
{
	_cleanup_free_ char *source = record_file(store, id, "source", 65536);
	_cleanup_free_ char *config = NULL;
	_cleanup_strv_ char **layers = NULL;
	struct kv kv = { 0 };
	size_t n, clen;
	int r;

	if (!source || bk_image_layers(store, id, &layers, &n) < 0 ||
	    bk_image_config(store, id, &config, &clen) < 0)
		return NULL;
	source[strcspn(source, "\n")] = '\0';
	kv_add(&kv, "id", id);
	kv_add(&kv, "source", source);
	for (size_t i = 0; i < n; i++)
		kv_add(&kv, "layer", layers[i] + 7);
	kv_lowerdir(&kv, store, layers, n);
	if ((r = config_fields(&kv, config, clen)) < 0)
		bk_fail_wrap("image %s", id);
	return kv_done(&kv, r);
}
