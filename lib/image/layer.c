/* layer: verified, confined layer extraction with overlay whiteouts
 * (layer.h). */
#include "image/layer.h"
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "image/imgref.h"
#include "base/msg.h"
#include "base/path.h"
#include "base/fsutil.h"
#include "image/stage.h"
#include "image/store.h"
#include "image/tarfilter.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#define BUFSZ (256u << 10)
#define OPAQUE_XATTR "trusted.overlay.opaque"
#define WRITE_FLAGS (ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | \
		     ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_SECURE_SYMLINKS |             \
		     ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

/* One extraction: the decompressing reader feeds the tar reader through
 * hash(); opaque dirs are marked after the last entry. */
struct job {
	const char *diffid;
	struct archive *raw, *tar, *disk;
	struct bk_sha256 *hash;
	char *buf;
	char **opaque;
	size_t nopaque;
	int rootfd;
	struct bk_tar_entry entry;   /* the filter's answer for the current entry */
};

char *bk_layer_path(const char *store, const char *diffid)
{
	char *p = NULL;

	if (!bk_digest_valid(diffid)) {
		bk_fail("invalid diff_id '%s'", diffid);
		return NULL;
	}
	if (asprintf(&p, "%s/layers/sha256/%s", store, diffid + 7) < 0) {
		bk_fail("out of memory");
		return NULL;
	}
	return p;
}

int bk_layer_exists(const char *store, const char *diffid)
{
	_cleanup_free_ char *p = bk_layer_path(store, diffid);
	struct stat st;

	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static la_ssize_t feed(struct archive *a, void *arg, const void **out)
{
	struct job *j = arg;
	la_ssize_t n = archive_read_data(j->raw, j->buf, BUFSZ);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", archive_error_string(j->raw));
		return -1;
	}
	if (n > 0 && bk_sha256_update(j->hash, j->buf, n) < 0)
		return -1;
	*out = j->buf;
	return n;
}

/* Every warning of the disk writer fails the layer: libarchive reports a
 * failed or short write(2) (ENOSPC, EDQUOT, EIO) as ARCHIVE_WARN, and an
 * owner, mode or xattr it could not restore would make a layer that is
 * not the image's either. */
static int disk_fail(struct job *j, const char *path)
{
	int err = archive_errno(j->disk);
	const char *why = archive_error_string(j->disk);

	if (err > 0)
		return bk_fail("layer %.19s: write %.200s: %s", j->diffid, path, strerror(err));
	return bk_fail("layer %.19s: '%.200s': %s", j->diffid, path, why ? why : "write failed");
}

static int write_entry(struct job *j, struct archive_entry *e, const char *path)
{
	const void *block;
	size_t size;
	la_int64_t off;

	if (archive_write_header(j->disk, e) != ARCHIVE_OK)
		return disk_fail(j, path);
	if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
	    !archive_entry_hardlink(e)) {
		int r;
		while ((r = archive_read_data_block(j->tar, &block, &size, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(j->disk, block, size, off) != ARCHIVE_OK)
				return disk_fail(j, path);
		if (r != ARCHIVE_EOF)
			return bk_fail("layer %.19s: '%s': %s", j->diffid, path,
				       archive_error_string(j->tar));
	}
	if (archive_write_finish_entry(j->disk) != ARCHIVE_OK)
		return disk_fail(j, path);
	return 0;
}

/* ".wh.NAME" becomes the overlay whiteout NAME: a 0/0 character device. */
static int whiteout(struct job *j, struct archive_entry *e, const char *path)
{
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFCHR);
	archive_entry_set_perm(e, 0);
	archive_entry_set_rdev(e, 0);
	archive_entry_set_size(e, 0);
	archive_entry_set_hardlink(e, NULL);
	archive_entry_xattr_clear(e);
	return write_entry(j, e, path);
}

/* ".wh..wh..opq": remember dir; mark it after the last entry. Make sure
 * it exists (the marker may come without its directory's entry). */
static int opaque(struct job *j, const char *dir)
{
	char **v = realloc(j->opaque, (j->nopaque + 1) * sizeof(*v));
	struct stat st;

	if (!v || !(v[j->nopaque] = strdup(*dir ? dir : ".")))
		return bk_fail("out of memory");
	j->opaque = v;
	j->nopaque++;
	if (!*dir || fstatat(j->rootfd, dir, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	struct archive_entry *d = archive_entry_new();
	if (!d)
		return bk_fail("out of memory");
	archive_entry_set_pathname(d, dir);
	archive_entry_set_filetype(d, AE_IFDIR);
	archive_entry_set_perm(d, 0755);
	int r = write_entry(j, d, dir);
	archive_entry_free(d);
	return r;
}

static int mark_opaque(struct job *j)
{
	for (size_t i = 0; i < j->nopaque; i++) {
		_cleanup_close_ int fd = bk_open_beneath(j->rootfd, j->opaque[i],
							 O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
		if (fd < 0)
			return bk_fail_wrap("layer %.19s: opaque dir", j->diffid);
		if (fsetxattr(fd, OPAQUE_XATTR, "y", 1, 0) < 0)
			return bk_fail_errno(errno, "layer %.19s: %s: set %s", j->diffid,
					     j->opaque[i], OPAQUE_XATTR);
	}
	return 0;
}

static int one_entry(struct job *j, struct archive_entry *e)
{
	struct bk_tar_entry *t = &j->entry;

	if (bk_tar_filter(archive_entry_pathname(e), archive_entry_hardlink(e), t) < 0)
		return bk_fail_wrap("layer %.19s", j->diffid);
	switch (t->action) {
	case BK_TAR_SKIP:
		return 0;
	case BK_TAR_OPAQUE:
		return opaque(j, t->path);
	case BK_TAR_WHITEOUT:
		return whiteout(j, e, t->path);
	case BK_TAR_ENTRY:
		break;
	}
	archive_entry_set_pathname(e, t->path);
	if (t->link[0])
		archive_entry_set_hardlink(e, t->link);
	(void)bk_entry_take_overlay_xattrs(e);   /* only whiteouts may steer overlayfs */
	return write_entry(j, e, t->path);
}

static int open_readers(struct job *j, int fd)
{
	if (!(j->raw = archive_read_new()) || !(j->tar = archive_read_new()) ||
	    !(j->disk = archive_write_disk_new()))
		return bk_fail("libarchive: out of memory");
	archive_read_support_filter_gzip(j->raw);
	archive_read_support_filter_zstd(j->raw);
	archive_read_support_filter_xz(j->raw);
	archive_read_support_filter_bzip2(j->raw);
	archive_read_support_format_raw(j->raw);
	archive_read_support_format_tar(j->tar);
	archive_write_disk_set_options(j->disk, WRITE_FLAGS);
	struct archive_entry *e;
	if (archive_read_open_fd(j->raw, fd, BUFSZ) != ARCHIVE_OK ||
	    archive_read_next_header(j->raw, &e) != ARCHIVE_OK)
		return bk_fail("layer %.19s: %s", j->diffid, archive_error_string(j->raw));
	if (archive_read_open(j->tar, j, NULL, feed, NULL) != ARCHIVE_OK)
		return bk_fail("layer %.19s: not a tar archive: %s", j->diffid,
			       archive_error_string(j->tar));
	return 0;
}

/* Hash whatever follows the tar's end marker too: the diff_id covers the
 * whole uncompressed stream. */
static int drain(struct job *j)
{
	la_ssize_t n;

	while ((n = archive_read_data(j->raw, j->buf, BUFSZ)) > 0)
		if (bk_sha256_update(j->hash, j->buf, n) < 0)
			return -1;
	if (n < 0)
		return bk_fail("layer %.19s: %s", j->diffid, archive_error_string(j->raw));
	return 0;
}

static int extract_all(struct job *j)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(j->tar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN)
		if (one_entry(j, e) < 0)
			return -1;
	if (r != ARCHIVE_EOF)
		return bk_fail("layer %.19s: %s", j->diffid, archive_error_string(j->tar));
	if (archive_write_close(j->disk) != ARCHIVE_OK)
		return disk_fail(j, ".");
	if (mark_opaque(j) < 0 || drain(j) < 0)
		return -1;
	_cleanup_free_ char *got = bk_sha256_final(j->hash);
	j->hash = NULL;
	if (!got)
		return -1;
	if (strcmp(got, j->diffid))
		return bk_fail("layer %s: diff_id mismatch (content is %s)", j->diffid, got);
	return 0;
}

static void job_free(struct job *j)
{
	if (j->disk)
		archive_write_free(j->disk);
	if (j->tar)
		archive_read_free(j->tar);
	if (j->raw)
		archive_read_free(j->raw);
	bk_sha256_free(j->hash);
	for (size_t i = 0; i < j->nopaque; i++)
		free(j->opaque[i]);
	free(j->opaque);
	free(j->buf);
	if (j->rootfd >= 0)
		close(j->rootfd);
}

/* Extract into tmp with the working directory inside it, as
 * archive_write_disk resolves entry paths from the cwd. */
static int extract_into(const char *tmp, const char *blob, const char *diffid)
{
	_cleanup_close_ int fd = open(blob, O_RDONLY | O_CLOEXEC);
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct job *j = calloc(1, sizeof(*j));
	int r = -1;

	if (!j)
		return bk_fail("out of memory");
	j->diffid = diffid;
	j->rootfd = -1;
	if (fd < 0) {
		bk_fail_errno(errno, "open %s", blob);
	} else if (cwd < 0) {
		bk_fail_errno(errno, "open .");
	} else if ((j->rootfd = open(tmp, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0 ||
		   fchdir(j->rootfd) < 0) {
		bk_fail_errno(errno, "enter %s", tmp);
	} else if (!(j->buf = malloc(BUFSZ)) || !(j->hash = bk_sha256_new())) {
		bk_fail("out of memory");
	} else if (open_readers(j, fd) == 0) {
		r = extract_all(j);
	}
	job_free(j);
	free(j);
	if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
		r = bk_fail_errno(errno, "return to the working directory");
	return r;
}

int bk_layer_extract(struct bk_stage *s, const char *store, const char *blob,
		     const char *diffid)
{
	_cleanup_free_ char *final = bk_layer_path(store, diffid);
	char *tmp;

	if (!final || !(tmp = bk_store_tmpname(store, "layers/sha256")))
		return -1;
	if (!mkdtemp(tmp)) {
		bk_fail_errno(errno, "layer %.19s: create %s", diffid, tmp);
		free(tmp);
		return -1;
	}
	BK_TRACE("extract %s into %s", blob, tmp);
	if (chmod(tmp, 0755) < 0)
		bk_fail_errno(errno, "chmod %s", tmp);
	else if (extract_into(tmp, blob, diffid) == 0)
		return bk_stage_add(s, tmp, final, BK_STAGE_OBJECT);
	bk_undo_rm_rf(tmp);   /* the space it took is given back at once */
	free(tmp);
	return -1;
}

/* Drop trusted.overlay.* from e, keep every other xattr; 1 if it was an
 * opaque dir (trusted.overlay.opaque=y). (layer.h) */
int bk_entry_take_overlay_xattrs(struct archive_entry *e)
{
	struct archive_entry *copy = archive_entry_clone(e);
	const char *name;
	const void *val;
	size_t size;
	int is_opaque = 0;

	if (!copy)
		return 0;
	archive_entry_xattr_clear(e);
	archive_entry_xattr_reset(copy);
	while (archive_entry_xattr_next(copy, &name, &val, &size) == ARCHIVE_OK) {
		if (strncmp(name, "trusted.overlay.", 16))
			archive_entry_xattr_add_entry(e, name, val, size);
		else if (!strcmp(name, "trusted.overlay.opaque") && size == 1 &&
			 *(const char *)val == 'y')
			is_opaque = 1;
	}
	archive_entry_free(copy);
	return is_opaque;
}
