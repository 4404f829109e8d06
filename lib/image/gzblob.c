/* gzblob: tar in, diff_id and gzip blob out (gzblob.h). */
#include "image/gzblob.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "image/blobstore.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define OUTSZ (256u << 10)
#define GZIP_WINDOW (15 + 16)   /* deflate with the gzip wrapper */

struct bk_gzblob {
	z_stream z;
	int zinit;
	struct bk_blob_writer *w;
	struct bk_sha256 *tar;
	uint64_t in;
	unsigned char *out;
};

void bk_gzblob_abort(struct bk_gzblob *g)
{
	if (!g)
		return;
	if (g->zinit)
		deflateEnd(&g->z);
	bk_blob_abort(g->w);
	bk_sha256_free(g->tar);
	free(g->out);
	free(g);
}

struct bk_gzblob *bk_gzblob_new(const char *store)
{
	struct bk_gzblob *g = calloc(1, sizeof(*g));

	if (!g || !(g->out = malloc(OUTSZ))) {
		free(g);
		bk_fail("out of memory");
		return NULL;
	}
	if (deflateInit2(&g->z, Z_BEST_SPEED, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		bk_gzblob_abort(g);
		bk_fail("zlib: cannot start a gzip stream");
		return NULL;
	}
	g->zinit = 1;
	if (!(g->tar = bk_sha256_new()) || !(g->w = bk_blob_writer_new(store, NULL, 0))) {
		bk_gzblob_abort(g);
		return NULL;
	}
	return g;
}

/* Deflate what is in g->z with flush, into the blob. */
static int pump(struct bk_gzblob *g, int flush)
{
	int r;

	do {
		g->z.next_out = g->out;
		g->z.avail_out = OUTSZ;
		r = deflate(&g->z, flush);
		if (r == Z_STREAM_ERROR)
			return bk_fail("zlib: deflate failed");
		if (bk_blob_write(g->w, g->out, OUTSZ - g->z.avail_out) < 0)
			return -1;
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && r != Z_STREAM_END));
	return 0;
}

int bk_gzblob_write(struct bk_gzblob *g, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	if (bk_sha256_update(g->tar, buf, n) < 0)
		return -1;
	g->in += n;
	while (n > 0) {
		uInt chunk = n > (1u << 30) ? 1u << 30 : (uInt)n;
		g->z.next_in = (unsigned char *)p;   /* zlib does not write through it */
		g->z.avail_in = chunk;
		if (pump(g, Z_NO_FLUSH) < 0)
			return -1;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

int bk_gzblob_stage(struct bk_gzblob *g, struct bk_stage *s, char **diffid, uint64_t *size,
		    char **digest, uint64_t *blob_size)
{
	_cleanup_free_ char *tar = NULL;
	int r;

	g->z.next_in = NULL;
	g->z.avail_in = 0;
	if (pump(g, Z_FINISH) < 0) {
		bk_gzblob_abort(g);
		return -1;
	}
	tar = bk_sha256_final(bk_steal_ptr(g->tar));
	if (!tar) {
		bk_gzblob_abort(g);
		return -1;
	}
	*size = g->in;
	*blob_size = bk_blob_written(g->w);
	r = bk_blob_stage(bk_steal_ptr(g->w), s, digest);
	bk_gzblob_abort(g);   /* the rest of it */
	if (r == 0)
		*diffid = bk_steal_ptr(tar);
	return r;
}
