/* dirlayer: directory -> layer tar blob, walked by directory fds
 * (dirlayer.h). */
#include "image/dirlayer.h"
#include "base/cleanup.h"
#include "image/blobstore.h"
#include "image/layer.h"
#include "base/msg.h"
#include "image/stage.h"
#include "image/tarfilter.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define BUFSZ (256u << 10)
#define MAX_DEPTH 400            /* one open directory per level */
#define XATTR_LIST_MAX_ (64u << 10)

struct walk {
	const char *dir;             /* as given, for messages */
	struct archive *out;
	struct archive_entry_linkresolver *links;
	struct bk_blob_writer *w;
	char *buf;
	dev_t dev;                   /* the root's file system: mounts are not entered */
	char path[BK_TAR_PATH_MAX + 1];   /* the entry being written, relative */
};

static la_ssize_t to_blob(struct archive *a, void *arg, const void *buf, size_t n)
{
	if (bk_blob_write(arg, buf, n) < 0) {
		archive_set_error(a, EIO, "%s", bk_error());
		return -1;
	}
	return (la_ssize_t)n;
}

static int out_fail(struct walk *wk)
{
	return bk_fail("dir:%s: %s: %s", wk->dir, wk->path, archive_error_string(wk->out));
}

static int walk_fail(struct walk *wk, int err, const char *what)
{
	return bk_fail_errno(err, "dir:%s: %s: %s", wk->dir, *wk->path ? wk->path : ".", what);
}

/* An empty regular file standing for an overlay marker. */
static int write_marker(struct walk *wk, const char *name, const struct stat *like)
{
	struct archive_entry *m = archive_entry_new();
	int r = 0;

	if (!m)
		return bk_fail("out of memory");
	archive_entry_set_pathname(m, name);
	archive_entry_set_filetype(m, AE_IFREG);
	archive_entry_set_perm(m, 0644);
	archive_entry_set_size(m, 0);
	archive_entry_set_mtime(m, like->st_mtim.tv_sec, like->st_mtim.tv_nsec);
	if (archive_write_header(wk->out, m) != ARCHIVE_OK)
		r = out_fail(wk);
	archive_entry_free(m);
	return r;
}

/* The xattrs of an open file or directory, "system." (ACLs) left out. */
static int read_xattrs(struct walk *wk, int fd, struct archive_entry *e)
{
	char names[XATTR_LIST_MAX_];
	ssize_t len = flistxattr(fd, names, sizeof(names));

	if (len < 0)
		return errno == ENOTSUP ? 0 : walk_fail(wk, errno, "list xattrs");
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vlen;
		if (!strncmp(n, "system.", 7))
			continue;
		if ((vlen = fgetxattr(fd, n, wk->buf, BUFSZ)) < 0) {
			if (errno == ENODATA)
				continue;   /* removed meanwhile */
			return walk_fail(wk, errno, "read xattr");
		}
		archive_entry_xattr_add_entry(e, n, wk->buf, (size_t)vlen);
	}
	return 0;
}

/* Mark the holes of a sparse file (SEEK_DATA/SEEK_HOLE) so the pax
 * writer stores only its data. */
static void sparse_map(int fd, off_t size, struct archive_entry *e)
{
	off_t data = 0, hole;

	if (size == 0 || (hole = lseek(fd, 0, SEEK_HOLE)) < 0 || hole >= size)
		return;   /* no hole: not sparse */
	while (data < size && (data = lseek(fd, data, SEEK_DATA)) >= 0 && data < size) {
		if ((hole = lseek(fd, data, SEEK_HOLE)) < 0)
			hole = size;
		archive_entry_sparse_add_entry(e, data, hole - data);
		data = hole;
	}
	if (archive_entry_sparse_count(e) == 0)
		archive_entry_sparse_add_entry(e, size, 0);   /* all hole */
}

/* Exactly size bytes from fd: a file that shrinks under us fails (its
 * header is written), one that grows is cut at the size it had. The holes
 * of a sparse file are passed as zeros, which the writer drops. */
static int copy_data(struct walk *wk, int fd, off_t size, bool sparse)
{
	static const char zeros[BUFSZ];
	off_t off = 0;

	while (off < size) {
		size_t n = size - off < (off_t)BUFSZ ? (size_t)(size - off) : BUFSZ;
		off_t data = sparse ? lseek(fd, off, SEEK_DATA) : off;
		const char *p = wk->buf;
		ssize_t got;

		if (data < 0 || data > off) {   /* in a hole (ENXIO: up to the end) */
			if (data > off && data - off < (off_t)n)
				n = data - off;
			p = zeros;
			got = n;
		} else if ((got = pread(fd, wk->buf, n, off)) < 0) {
			if (errno == EINTR)
				continue;
			return walk_fail(wk, errno, "read");
		} else if (got == 0) {
			return bk_fail("dir:%s: %s: shrank while read", wk->dir, wk->path);
		}
		if (archive_write_data(wk->out, p, got) != got)
			return out_fail(wk);
		off += got;
	}
	return 0;
}

/* The entry's header (and data), through the hard link resolver. */
static int write_entry(struct walk *wk, struct archive_entry *e, int fd)
{
	struct archive_entry *spare = NULL;
	int opaque = bk_entry_take_overlay_xattrs(e);
	struct stat st = *archive_entry_stat(e);
	char name[sizeof(wk->path) + sizeof("/.wh..wh..opq")];

	archive_entry_set_pathname(e, wk->path);
	archive_entry_linkify(wk->links, &e, &spare);
	if (archive_write_header(wk->out, e) != ARCHIVE_OK)
		return out_fail(wk);
	if (fd >= 0 && !archive_entry_hardlink(e) && archive_entry_size(e) > 0 &&
	    copy_data(wk, fd, archive_entry_size(e), archive_entry_sparse_count(e) > 0) < 0)
		return -1;
	if (!opaque)
		return 0;
	snprintf(name, sizeof(name), "%s/.wh..wh..opq", wk->path);
	return write_marker(wk, name, &st);
}

static int walk_dir(struct walk *wk, int dfd, size_t plen, unsigned depth);

/* Open name in dfd without following it and check it is still what
 * fstatat saw (a swap between the two fails the walk). */
static int open_same(struct walk *wk, int dfd, const char *name, const struct stat *seen,
		     int flags, struct stat *st)
{
	int fd = openat(dfd, name, flags | O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return walk_fail(wk, errno, "open");
	if (fstat(fd, st) < 0 || st->st_ino != seen->st_ino || st->st_dev != seen->st_dev ||
	    (st->st_mode & S_IFMT) != (seen->st_mode & S_IFMT)) {
		close(fd);
		return bk_fail("dir:%s: %s: changed while read", wk->dir, wk->path);
	}
	return fd;
}

/* One entry of the directory dfd; wk->path holds its relative path. */
static int one(struct walk *wk, int dfd, const char *name, size_t plen, unsigned depth)
{
	_cleanup_close_ int fd = -1;
	struct archive_entry *e;
	struct stat seen, st;
	int r = 0;

	if (fstatat(dfd, name, &seen, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : walk_fail(wk, errno, "stat");
	st = seen;
	if (S_ISSOCK(seen.st_mode))
		return 0;   /* tar cannot carry sockets */
	if (S_ISCHR(seen.st_mode) && seen.st_rdev == 0) {   /* an overlay whiteout */
		char marker[sizeof(wk->path) + sizeof(".wh.")];   /* DIR/.wh.NAME for DIR/NAME */
		const char *slash = strrchr(wk->path, '/');
		snprintf(marker, sizeof(marker), "%.*s%s.wh.%s", slash ? (int)(slash - wk->path) : 0,
			 wk->path, slash ? "/" : "", name);
		return write_marker(wk, marker, &seen);
	}
	if ((S_ISDIR(seen.st_mode) || S_ISREG(seen.st_mode)) &&
	    (fd = open_same(wk, dfd, name, &seen, S_ISDIR(seen.st_mode) ? O_DIRECTORY : 0,
			    &st)) < 0)
		return -1;
	if (!(e = archive_entry_new()))
		return bk_fail("out of memory");
	archive_entry_copy_stat(e, &st);
	archive_entry_unset_atime(e);   /* reading the tree must not change its digest */
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dfd, name, wk->buf, BUFSZ - 1);
		if (n < 0 && errno == EINVAL)   /* no longer a symlink */
			r = bk_fail("dir:%s: %s: changed while read", wk->dir, wk->path);
		else if (n < 0)
			r = walk_fail(wk, errno, "readlink");
		else {
			wk->buf[n] = '\0';
			archive_entry_set_symlink(e, wk->buf);
		}
	} else if (fd >= 0) {
		r = read_xattrs(wk, fd, e);
		if (r == 0 && S_ISREG(st.st_mode))
			sparse_map(fd, st.st_size, e);
	}
	if (r == 0)
		r = write_entry(wk, e, S_ISREG(st.st_mode) ? fd : -1);
	archive_entry_free(e);
	if (r == 0 && S_ISDIR(st.st_mode) && st.st_dev == wk->dev)
		/* cppcheck-suppress unreadVariable ; disarms the cleanup */
		r = walk_dir(wk, bk_steal_fd(fd), plen, depth + 1);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in d, sorted (the same tree always gives the same tar). */
static char **read_names(struct walk *wk, DIR *d, size_t *n)
{
	_cleanup_strv_ char **v = NULL;
	size_t cap = 0;
	struct dirent *de;

	*n = 0;
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n + 2 > cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));
			if (!nv) {
				bk_fail("out of memory");
				return NULL;
			}
			v = nv;
		}
		v[*n] = NULL;
		if (!(v[(*n)++] = strdup(de->d_name))) {
			bk_fail("out of memory");
			return NULL;
		}
		v[*n] = NULL;
	}
	if (errno) {
		walk_fail(wk, errno, "read directory");
		return NULL;
	}
	if (!v && !(v = calloc(1, sizeof(*v)))) {
		bk_fail("out of memory");
		return NULL;
	}
	qsort(v, *n, sizeof(*v), cmp_names);
	return bk_steal_ptr(v);
}

/* Every entry of the directory fd (taken over), recursively. plen: the
 * length of its path in wk->path. */
static int walk_dir(struct walk *wk, int fd, size_t plen, unsigned depth)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	_cleanup_strv_ char **names = NULL;
	size_t n;

	if (!d) {
		close(fd);
		return walk_fail(wk, errno, "open directory");
	}
	if (depth > MAX_DEPTH)
		return bk_fail("dir:%s: %s: more than %d levels deep", wk->dir, wk->path, MAX_DEPTH);
	if (!(names = read_names(wk, d, &n)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		int len = snprintf(wk->path + plen, sizeof(wk->path) - plen, "%s%s",
				   plen ? "/" : "", names[i]);
		if (len < 0 || (size_t)len >= sizeof(wk->path) - plen)
			return bk_fail("dir:%s: %.64s...: path too long", wk->dir, wk->path);
		if (one(wk, dirfd(d), names[i], plen + len, depth) < 0)
			return -1;
		wk->path[plen] = '\0';
	}
	return 0;
}

static int make_tar(struct walk *wk, int rootfd)
{
	struct stat st;

	if (!(wk->out = archive_write_new()) || !(wk->links = archive_entry_linkresolver_new()) ||
	    !(wk->buf = malloc(BUFSZ)))
		return bk_fail("out of memory");
	if (fstat(rootfd, &st) < 0)
		return walk_fail(wk, errno, "stat");
	wk->dev = st.st_dev;
	archive_write_set_format_pax_restricted(wk->out);
	archive_write_set_bytes_in_last_block(wk->out, 1);
	archive_entry_linkresolver_set_strategy(wk->links, archive_format(wk->out));
	if (archive_write_open(wk->out, wk->w, NULL, to_blob, NULL) != ARCHIVE_OK)
		return out_fail(wk);
	if (walk_dir(wk, fcntl(rootfd, F_DUPFD_CLOEXEC, 0), 0, 0) < 0)
		return -1;
	if (archive_write_close(wk->out) != ARCHIVE_OK)
		return out_fail(wk);
	return 0;
}

int bk_dir_layer(const char *dir, const char *store, struct bk_stage *s, struct bk_dir_blob *out)
{
	_cleanup_close_ int rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct walk wk = { .dir = dir };
	int rc;

	if (rootfd < 0)
		return bk_fail_errno(errno, "dir:%s", dir);
	BK_TRACE("walk dir:%s by directory fds (openat O_NOFOLLOW)", dir);
	memset(out, 0, sizeof(*out));
	if (!(wk.w = bk_blob_writer_new(store, NULL, 0)))
		return -1;
	rc = make_tar(&wk, rootfd);
	if (wk.out)
		archive_write_free(wk.out);
	if (wk.links)
		archive_entry_linkresolver_free(wk.links);
	free(wk.buf);
	if (rc < 0) {
		bk_blob_abort(wk.w);
		return -1;
	}
	out->size = bk_blob_written(wk.w);
	if (bk_blob_stage(wk.w, s, &out->digest) < 0)
		return -1;
	if (!(out->diffid = strdup(out->digest)))
		return bk_fail("out of memory");
	return 0;
}
