/* blobstore: verified content-addressed blobs (blobstore.h). */
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "image/imgref.h"
#include "base/msg.h"
#include "image/stage.h"
#include "image/store.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct bk_sha256 {
	EVP_MD_CTX *ctx;
};

struct bk_blob_writer {
	int fd;
	char *tmp;
	char *store;
	char *expect;
	struct bk_sha256 *hash;
	uint64_t len, max;
};

struct bk_sha256 *bk_sha256_new(void)
{
	struct bk_sha256 *h = calloc(1, sizeof(*h));

	if (!h || !(h->ctx = EVP_MD_CTX_new()) ||
	    !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
		bk_sha256_free(h);
		bk_fail("sha256: cannot initialise digest");
		return NULL;
	}
	return h;
}

int bk_sha256_update(struct bk_sha256 *h, const void *buf, size_t n)
{
	if (!EVP_DigestUpdate(h->ctx, buf, n))
		return bk_fail("sha256: digest update failed");
	return 0;
}

char *bk_sha256_final(struct bk_sha256 *h)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char *out = malloc(7 + 64 + 1);

	if (!out || !EVP_DigestFinal_ex(h->ctx, md, &n) || n != 32) {
		free(out);
		bk_sha256_free(h);
		bk_fail("sha256: digest failed");
		return NULL;
	}
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < n; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
	bk_sha256_free(h);
	return out;
}

void bk_sha256_free(struct bk_sha256 *h)
{
	if (h) {
		EVP_MD_CTX_free(h->ctx);
		free(h);
	}
}

char *bk_sha256_digest(const void *buf, size_t n)
{
	struct bk_sha256 *h = bk_sha256_new();

	if (!h)
		return NULL;
	if (bk_sha256_update(h, buf, n) < 0) {
		bk_sha256_free(h);
		return NULL;
	}
	return bk_sha256_final(h);
}

char *bk_blob_path(const char *store, const char *digest)
{
	char *p = NULL;

	if (!bk_digest_valid(digest)) {
		bk_fail("invalid digest '%s'", digest);
		return NULL;
	}
	if (asprintf(&p, "%s/blobs/sha256/%s", store, digest + 7) < 0) {
		bk_fail("out of memory");
		return NULL;
	}
	return p;
}

int bk_blob_exists(const char *store, const char *digest)
{
	_cleanup_free_ char *p = bk_blob_path(store, digest);
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static void writer_free(struct bk_blob_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	bk_sha256_free(w->hash);
	free(w->tmp);
	free(w->store);
	free(w->expect);
	free(w);
}

struct bk_blob_writer *bk_blob_writer_new(const char *store, const char *expect,
					  uint64_t max)
{
	struct bk_blob_writer *w = calloc(1, sizeof(*w));

	if (!w) {
		bk_fail("out of memory");
		return NULL;
	}
	w->fd = -1;
	w->max = max;
	if (expect && !bk_digest_valid(expect)) {
		bk_fail("invalid digest '%s'", expect);
		writer_free(w);
		return NULL;
	}
	if (!(w->store = strdup(store)) || (expect && !(w->expect = strdup(expect)))) {
		bk_fail("out of memory");
		writer_free(w);
		return NULL;
	}
	if (!(w->tmp = bk_store_tmpname(store, "blobs/sha256"))) {
		writer_free(w);
		return NULL;
	}
	if ((w->fd = mkostemp(w->tmp, O_CLOEXEC)) < 0) {
		bk_fail_errno(errno, "create %s", w->tmp);
		writer_free(w);
		return NULL;
	}
	if (!(w->hash = bk_sha256_new())) {
		bk_blob_abort(w);
		return NULL;
	}
	return w;
}

int bk_blob_write(struct bk_blob_writer *w, const void *buf, size_t n)
{
	const char *p = buf;

	if (w->max && w->len + n > w->max)
		return bk_fail("%s: blob larger than the %llu bytes announced",
			       w->expect ? w->expect : "blob", (unsigned long long)w->max);
	if (bk_sha256_update(w->hash, buf, n) < 0)
		return -1;
	w->len += n;
	while (n > 0) {
		ssize_t r = write(w->fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && w->expect)
			return bk_fail_errno(errno, "blob %.19s: write", w->expect);
		if (r < 0)
			return bk_fail_errno(errno, "write %s", w->tmp);
		p += r;
		n -= r;
	}
	return 0;
}

uint64_t bk_blob_written(const struct bk_blob_writer *w)
{
	return w->len;
}

int bk_blob_rewind(struct bk_blob_writer *w)
{
	bk_sha256_free(w->hash);
	w->len = 0;
	if (!(w->hash = bk_sha256_new()))
		return -1;
	if (ftruncate(w->fd, 0) < 0 || lseek(w->fd, 0, SEEK_SET) < 0)
		return bk_fail_errno(errno, "truncate %s", w->tmp);
	return 0;
}

int bk_blob_stage(struct bk_blob_writer *w, struct bk_stage *s, char **digest)
{
	_cleanup_free_ char *got = bk_sha256_final(w->hash);
	_cleanup_free_ char *path = NULL;
	int fd = bk_steal_fd(w->fd);

	w->hash = NULL;
	if (!got) {
		close(fd);
		bk_blob_abort(w);
		return -1;
	}
	if (w->expect && strcmp(got, w->expect)) {
		close(fd);
		bk_blob_abort(w);
		return bk_fail("%s: digest mismatch (content is %s)", w->expect, got);
	}
	if (fchmod(fd, 0644) < 0 || close(fd) < 0) {   /* close: NFS reports late write errors */
		bk_fail_errno(errno, "blob %.19s: write", got);
		bk_blob_abort(w);
		return -1;
	}
	if (!(path = bk_blob_path(w->store, got))) {
		bk_blob_abort(w);
		return -1;
	}
	int r = bk_stage_add(s, bk_steal_ptr(w->tmp), path, BK_STAGE_OBJECT);
	writer_free(w);
	if (r == 0 && digest)
		*digest = bk_steal_ptr(got);
	return r;
}

static bool staged(const struct bk_stage *s, const char *store, const char *digest)
{
	_cleanup_free_ char *path = bk_blob_path(store, digest);

	return path && bk_stage_find(s, path);
}

char *bk_blob_file(const struct bk_stage *s, const char *store, const char *digest)
{
	_cleanup_free_ char *path = bk_blob_path(store, digest);
	const char *tmp = path && s ? bk_stage_find(s, path) : NULL;
	char *p;

	if (!path || !tmp)
		return bk_steal_ptr(path);
	if (!(p = strdup(tmp)))
		bk_fail("out of memory");
	return p;
}

void bk_blob_abort(struct bk_blob_writer *w)
{
	if (w && w->tmp)
		unlink(w->tmp);
	writer_free(w);
}

int bk_blob_read(const char *store, const char *digest, size_t max,
		 char **buf, size_t *len)
{
	_cleanup_free_ char *path = bk_blob_path(store, digest);
	_cleanup_free_ char *data = NULL, *got = NULL;
	struct stat st;

	if (!path)
		return -1;
	if (stat(path, &st) < 0)
		return bk_fail_errno(errno, "blob %s", digest);
	if ((size_t)st.st_size > max)
		return bk_fail("blob %s: larger than %zu bytes", digest, max);
	if (!(data = bk_read_small(path, max)))
		return -1;
	if (!(got = bk_sha256_digest(data, st.st_size)))
		return -1;
	if (strcmp(got, digest))
		return bk_fail("blob %s: digest mismatch (content is %s)", digest, got);
	*len = st.st_size;
	*buf = bk_steal_ptr(data);
	return 0;
}

int bk_blob_put(struct bk_stage *s, const char *store, const void *buf, size_t len,
		char **digest)
{
	_cleanup_free_ char *d = bk_sha256_digest(buf, len);
	struct bk_blob_writer *w;

	if (!d)
		return -1;
	if (bk_blob_exists(store, d) || staged(s, store, d)) {
		if (digest)
			*digest = bk_steal_ptr(d);
		return 0;
	}
	if (!(w = bk_blob_writer_new(store, d, len)))
		return -1;
	if (bk_blob_write(w, buf, len) < 0) {
		bk_blob_abort(w);
		return -1;
	}
	return bk_blob_stage(w, s, digest);
}
