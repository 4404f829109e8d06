/* fsutil: mkdir -p, small reads and writes, atomic file creation, rm -rf,
 * directory sync. */
#include "base/fsutil.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int bk_mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return bk_fail("%s: invalid path", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return bk_fail_errno(errno, "mkdir %s", buf);
		*p = saved;
		if (!saved)
			break;
	}
	return 0;
}

bool bk_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int bk_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int bk_write_string(const char *path, const char *s)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(s);

	if (fd < 0)
		return bk_fail_errno(errno, "open %s", path);
	if (write(fd, s, n) != (ssize_t)n)
		return bk_fail_errno(errno ? errno : EIO, "write %s", path);
	return 0;
}

char *bk_read_small(const char *path, size_t max)
{
	return bk_read_small_len(path, max, NULL);
}

char *bk_read_small_len(const char *path, size_t max, size_t *lenp)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	ssize_t r;

	if (fd < 0) {
		bk_fail_errno(errno, "open %s", path);
		return NULL;
	}
	buf = malloc(max + 1);
	if (!buf) {
		bk_fail_errno(ENOMEM, "read %s", path);
		return NULL;
	}
	while (len < max && (r = read(fd, buf + len, max - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			bk_fail_errno(errno, "read %s", path);
			return NULL;
		}
		len += r;
	}
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return bk_steal_ptr(buf);
}

int bk_write_atomic(const char *path, const char *s, mode_t mode)
{
	char tmp[PATH_MAX];
	size_t n = strlen(s);

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return bk_fail("%s: path too long", path);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return bk_fail_errno(errno, "create %s", tmp);
	if (write(fd, s, n) != (ssize_t)n) {
		int err = errno ? errno : EIO;
		unlink(tmp);
		return bk_fail_errno(err, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int err = errno;
		unlink(tmp);
		return bk_fail_errno(err, "rename %s", path);
	}
	return 0;
}

static __thread bool rm_failed;   /* rm_one recorded why */

/* One entry of the tree, deepest first; the first failure stops the walk
 * and is what bk_rm_rf reports, naming that entry. */
static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	int r;

	(void)st;
	(void)ftw;
	r = flag == FTW_DP ? rmdir(path) : unlink(path);
	if (r < 0 && errno != ENOENT) {
		bk_fail_errno(errno, "remove %s", path);
		rm_failed = true;
		return -1;
	}
	return 0;
}

int bk_rm_rf(const char *path)
{
	rm_failed = false;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0 && errno != ENOENT)
		return rm_failed ? -1 : bk_fail_errno(errno, "remove %s", path);
	return 0;
}

void bk_undo_rm_rf(const char *path)
{
	struct bk_saved_error first;

	bk_error_save(&first);
	if (bk_rm_rf(path) < 0)
		BK_TRACE("%s (left for the next sweep)", bk_error());
	bk_error_restore(&first);
}

static __thread uint64_t tree_bytes;

static int add_size(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag != FTW_D && flag != FTW_DP && flag != FTW_DNR)
		tree_bytes += (uint64_t)st->st_size;
	return 0;
}

int bk_tree_size(const char *path, uint64_t *bytes)
{
	tree_bytes = 0;
	if (nftw(path, add_size, 32, FTW_PHYS | FTW_MOUNT) != 0)
		return bk_fail_errno(errno, "walk %s", path);
	*bytes = tree_bytes;
	return 0;
}

int bk_fsync_dir(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	BK_TRACE("fsync %s", path);
	if (fd < 0)
		return bk_fail_errno(errno, "open %s", path);
	if (fsync(fd) < 0)
		return bk_fail_errno(errno, "fsync %s", path);
	return 0;
}
