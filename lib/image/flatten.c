/* flatten: layer dirs -> one rootfs with whiteouts applied (flatten.h). */
#include "image/flatten.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "image/layer.h"
#include "base/msg.h"
#include "base/path.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define BUFSZ (256u << 10)
#define FLAGS (ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | \
	       ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK | ARCHIVE_EXTRACT_SECURE_SYMLINKS | \
	       ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS)

struct merge {
	int rootfd;                 /* the tree being built; also the cwd */
	const char *layer;
	struct archive *disk, *out;
	struct archive_entry_linkresolver *links;
	char *buf;
};

/* Remove name under dirfd, recursively, never following symlinks. */
static int remove_at(int at, const char *name)
{
	struct stat st;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "stat %s", name);
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *de;
		if (!d) {
			if (fd >= 0)
				close(fd);
			return bk_fail_errno(errno, "open %s", name);
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
			    remove_at(dirfd(d), de->d_name) < 0)
				return -1;
	}
	if (unlinkat(at, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		return bk_fail_errno(errno, "remove %s", name);
	return 0;
}

/* path's parent, resolved inside the tree (symlinks cannot leave it). */
static int open_parent(struct merge *m, const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	*base = slash ? slash + 1 : path;
	if (!slash)
		return fcntl(m->rootfd, F_DUPFD_CLOEXEC, 0);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	return bk_open_beneath(m->rootfd, dir, O_RDONLY | O_DIRECTORY, 0);
}

static int whiteout(struct merge *m, const char *path)
{
	const char *base;
	_cleanup_close_ int fd = open_parent(m, path, &base);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	return remove_at(fd, base);
}

static int clear_dir(struct merge *m, const char *path)
{
	int fd = bk_open_beneath(m->rootfd, path, O_RDONLY | O_DIRECTORY, 0);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return bk_fail_errno(errno, "open %s", path);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    remove_at(dirfd(d), de->d_name) < 0)
			return -1;
	return 0;
}

static int put(struct merge *m, struct archive_entry *e, const char *path)
{
	struct archive_entry *spare = NULL;
	struct stat st;
	la_ssize_t n;

	/* A non-dir replacing a dir (or the reverse) from a lower layer. */
	if (fstatat(m->rootfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISDIR(st.st_mode) != (archive_entry_filetype(e) == AE_IFDIR) && whiteout(m, path) < 0)
		return -1;
	archive_entry_set_pathname(e, path);
	archive_entry_linkify(m->links, &e, &spare);
	if (!e)
		return 0;
	if (archive_write_header(m->out, e) < ARCHIVE_WARN)
		return bk_fail("flatten: %s: %s", path, archive_error_string(m->out));
	if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
	    !archive_entry_hardlink(e)) {
		while ((n = archive_read_data(m->disk, m->buf, BUFSZ)) > 0)
			if (archive_write_data(m->out, m->buf, n) != n)
				return bk_fail("flatten: %s: %s", path, archive_error_string(m->out));
		if (n < 0)
			return bk_fail("flatten: %s: %s", path, archive_error_string(m->disk));
	}
	return archive_write_finish_entry(m->out) < ARCHIVE_WARN ?
	       bk_fail("flatten: %s: %s", path, archive_error_string(m->out)) : 0;
}

static int one(struct merge *m, struct archive_entry *e, const char *path)
{
	int opaque = bk_entry_take_overlay_xattrs(e);

	if (archive_entry_filetype(e) == AE_IFCHR && archive_entry_rdev(e) == 0)
		return whiteout(m, path);
	if (opaque && clear_dir(m, path) < 0)
		return -1;
	return put(m, e, path);
}

static int merge_layer(struct merge *m)
{
	struct archive_entry *e = archive_entry_new();
	size_t plen = strlen(m->layer);
	int r, rc = 0;

	if (!e || !(m->disk = archive_read_disk_new()) ||
	    !(m->links = archive_entry_linkresolver_new())) {
		archive_entry_free(e);
		return bk_fail("out of memory");
	}
	archive_read_disk_set_symlink_physical(m->disk);
	archive_read_disk_set_behavior(m->disk, ARCHIVE_READDISK_NO_ACL | ARCHIVE_READDISK_NO_FFLAGS);
	archive_entry_linkresolver_set_strategy(m->links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	if (archive_read_disk_open(m->disk, m->layer) != ARCHIVE_OK)
		rc = bk_fail("flatten: %s: %s", m->layer, archive_error_string(m->disk));
	while (rc == 0 && (r = archive_read_next_header2(m->disk, e)) != ARCHIVE_EOF) {
		_cleanup_free_ char *rel = NULL;
		const char *path = archive_entry_pathname(e);
		if (r < ARCHIVE_WARN) {
			rc = bk_fail("flatten: %s", archive_error_string(m->disk));
			break;
		}
		archive_read_disk_descend(m->disk);
		if (strncmp(path, m->layer, plen) || (path[plen] && path[plen] != '/'))
			continue;
		if (path[plen] && path[plen + 1]) {
			rel = strdup(path + plen + 1);
			rc = rel ? one(m, e, rel) : bk_fail("out of memory");
		}
		archive_entry_clear(e);
	}
	archive_entry_free(e);
	archive_read_free(m->disk);
	archive_entry_linkresolver_free(m->links);
	m->disk = NULL;
	m->links = NULL;
	return rc;
}

static int merge_all(struct merge *m, const char *store, char *const *top, size_t n)
{
	for (size_t i = n; i-- > 0;) {
		_cleanup_free_ char *dir = bk_layer_path(store, top[i]);
		if (!dir)
			return -1;
		m->layer = dir;
		if (merge_layer(m) < 0)
			return -1;
		m->layer = NULL;
	}
	return archive_write_close(m->out) == ARCHIVE_OK ? 0 :
	       bk_fail("flatten: %s", archive_error_string(m->out));
}

int bk_flatten(const char *store, char *const *top, size_t n, const char *dest)
{
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *tmp = NULL;
	struct merge m = { .rootfd = -1 };
	int rc = -1;

	if (cwd < 0)
		return bk_fail_errno(errno, "open .");
	if (access(dest, F_OK) == 0)
		return bk_fail("flatten: %s exists already", dest);
	if (asprintf(&tmp, "%s.tmp-%d", dest, (int)getpid()) < 0)
		return bk_fail("out of memory");
	if (mkdir(tmp, 0755) < 0)
		return bk_fail_errno(errno, "flatten: mkdir %s", tmp);
	if ((m.rootfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fchdir(m.rootfd) < 0)
		bk_fail_errno(errno, "flatten: enter %s", tmp);
	else if (!(m.out = archive_write_disk_new()) || !(m.buf = malloc(BUFSZ)))
		bk_fail("out of memory");
	else if (archive_write_disk_set_options(m.out, FLAGS) == ARCHIVE_OK)
		rc = merge_all(&m, store, top, n);
	if (m.out)
		archive_write_free(m.out);
	free(m.buf);
	if (m.rootfd >= 0)
		close(m.rootfd);
	if (fchdir(cwd) < 0 && rc == 0)
		rc = bk_fail_errno(errno, "return to the working directory");
	if (rc == 0 && rename(tmp, dest) < 0)
		rc = bk_fail_errno(errno, "flatten: rename %s", dest);
	if (rc < 0)
		bk_undo_rm_rf(tmp);
	return rc;
}
