/* dirlayer: directory -> layer tar blob (dirlayer.h). */
#include "image/dirlayer.h"
#include "image/blobstore.h"
#include "base/cleanup.h"
#include "image/layer.h"
#include "base/msg.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#define BUFSZ (256u << 10)

struct walk {
	const char *dir;
	struct archive *disk, *out;
	struct archive_entry_linkresolver *links;
	struct bk_blob_writer *w;
	char *buf;
};

static la_ssize_t to_blob(struct archive *a, void *arg, const void *buf, size_t n)
{
	if (bk_blob_write(arg, buf, n) < 0) {
		archive_set_error(a, EIO, "%s", bk_error());
		return -1;
	}
	return (la_ssize_t)n;
}

static int out_fail(struct walk *wk, const char *path)
{
	return bk_fail("dir:%s: %s: %s", wk->dir, path, archive_error_string(wk->out));
}

static int write_marker(struct walk *wk, const char *path, struct archive_entry *like)
{
	struct archive_entry *m = archive_entry_new();
	int r = 0;

	if (!m)
		return bk_fail("out of memory");
	archive_entry_set_pathname(m, path);
	archive_entry_set_filetype(m, AE_IFREG);
	archive_entry_set_perm(m, 0644);
	archive_entry_set_size(m, 0);
	archive_entry_set_mtime(m, archive_entry_mtime(like), 0);
	if (archive_write_header(wk->out, m) < ARCHIVE_WARN)
		r = out_fail(wk, path);
	archive_entry_free(m);
	return r;
}

static int copy_data(struct walk *wk, const char *path)
{
	la_ssize_t n;

	while ((n = archive_read_data(wk->disk, wk->buf, BUFSZ)) > 0)
		if (archive_write_data(wk->out, wk->buf, n) != n)
			return out_fail(wk, path);
	if (n < 0)
		return bk_fail("dir:%s: %s: %s", wk->dir, path, archive_error_string(wk->disk));
	return 0;
}

/* An overlay whiteout (0/0 char device) becomes ".wh.NAME". */
static int is_whiteout(struct archive_entry *e)
{
	return archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == 0;
}

static int whiteout_name(const char *path, char *out, size_t max)
{
	const char *slash = strrchr(path, '/');
	int n = slash ? snprintf(out, max, "%.*s/.wh.%s", (int)(slash - path), path, slash + 1)
		      : snprintf(out, max, ".wh.%s", path);

	return n < 0 || (size_t)n >= max ? bk_fail("%s: path too long", path) : 0;
}

static int one(struct walk *wk, struct archive_entry *e, const char *path)
{
	char name[4096];
	struct archive_entry *spare = NULL;
	int opaque;

	if (archive_entry_filetype(e) == AE_IFSOCK)
		return 0;   /* tar cannot carry sockets */
	opaque = bk_entry_take_overlay_xattrs(e);
	if (is_whiteout(e)) {
		if (whiteout_name(path, name, sizeof(name)) < 0)
			return -1;
		return write_marker(wk, name, e);
	}
	archive_entry_set_pathname(e, path);
	archive_entry_linkify(wk->links, &e, &spare);
	if (e && archive_write_header(wk->out, e) < ARCHIVE_WARN)
		return out_fail(wk, path);
	if (e && archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
	    copy_data(wk, path) < 0)
		return -1;
	if (opaque) {
		if (snprintf(name, sizeof(name), "%s/.wh..wh..opq", path) >= (int)sizeof(name))
			return bk_fail("%s: path too long", path);
		return write_marker(wk, name, e);
	}
	return 0;
}

static int walk_all(struct walk *wk)
{
	struct archive_entry *e = archive_entry_new();
	int r, rc = 0;

	if (!e)
		return bk_fail("out of memory");
	if (archive_read_disk_open(wk->disk, ".") != ARCHIVE_OK) {
		archive_entry_free(e);
		return bk_fail("dir:%s: %s", wk->dir, archive_error_string(wk->disk));
	}
	while (rc == 0 && (r = archive_read_next_header2(wk->disk, e)) != ARCHIVE_EOF) {
		const char *path = archive_entry_pathname(e);
		if (r < ARCHIVE_WARN) {
			rc = bk_fail("dir:%s: %s", wk->dir, archive_error_string(wk->disk));
			break;
		}
		archive_read_disk_descend(wk->disk);
		while (path[0] == '.' && path[1] == '/')
			path += 2;
		if (strcmp(path, ".")) {
			_cleanup_free_ char *p = strdup(path);
			rc = p ? one(wk, e, p) : bk_fail("out of memory");
		}
		archive_entry_clear(e);
	}
	archive_entry_free(e);
	return rc;
}

static int make_tar(struct walk *wk)
{
	if (!(wk->disk = archive_read_disk_new()) || !(wk->out = archive_write_new()) ||
	    !(wk->links = archive_entry_linkresolver_new()) || !(wk->buf = malloc(BUFSZ)))
		return bk_fail("out of memory");
	archive_read_disk_set_symlink_physical(wk->disk);
	archive_read_disk_set_behavior(wk->disk, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS |
				       ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS);
	archive_write_set_format_pax_restricted(wk->out);
	archive_write_set_bytes_in_last_block(wk->out, 1);
	archive_entry_linkresolver_set_strategy(wk->links, archive_format(wk->out));
	if (archive_write_open(wk->out, wk->w, NULL, to_blob, NULL) != ARCHIVE_OK)
		return out_fail(wk, ".");
	if (walk_all(wk) < 0)
		return -1;
	if (archive_write_close(wk->out) != ARCHIVE_OK)
		return out_fail(wk, ".");
	return 0;
}

int bk_dir_layer(const char *dir, const char *store, char **diffid)
{
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct walk wk = { .dir = dir };
	int rc;

	if (cwd < 0)
		return bk_fail_errno(errno, "open .");
	if (chdir(dir) < 0)
		return bk_fail_errno(errno, "dir:%s", dir);
	if (!(wk.w = bk_blob_writer_new(store, NULL, 0)))
		rc = -1;
	else
		rc = make_tar(&wk);
	if (wk.out)
		archive_write_free(wk.out);
	if (wk.disk)
		archive_read_free(wk.disk);
	if (wk.links)
		archive_entry_linkresolver_free(wk.links);
	free(wk.buf);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = bk_fail_errno(errno, "return to the working directory");
	if (rc < 0) {
		bk_blob_abort(wk.w);
		return -1;
	}
	return bk_blob_commit(wk.w, diffid);
}
