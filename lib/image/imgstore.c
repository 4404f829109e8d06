/* imgstore: image records (imgstore.h). */
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

static int write_file(const char *dir, const char *name, const char *buf, size_t len)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return bk_fail("out of memory");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		return bk_fail_errno(errno, "create %s", path);
	if (bk_write_all(fd, buf, len) < 0) {
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
	if (rec->inspect && write_file(tmp, "inspect", rec->inspect, strlen(rec->inspect)) < 0)
		return -1;
	return 0;
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
		return 0;   /* the same content: the record says it already */
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

char *bk_image_file(const char *store, const char *id, const char *name, size_t max)
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
		if (errno == ENOENT) {
			bk_fail("image %s: no such image in %s", id, store);
			errno = ENOENT;
		}
		return NULL;
	}
	return buf;
}

int bk_image_layers(const char *store, const char *id, char ***diffids, size_t *n)
{
	_cleanup_free_ char *text = bk_image_file(store, id, "layers", 1u << 20);
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
	char *c = bk_image_file(store, id, "config.json", BK_CONFIG_MAX);

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
