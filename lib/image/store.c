/* store: layout, lock and sweep of the image store (store.h). */
#include "image/store.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX ".tmp-"

static const char *const layout[] = { "blobs", "blobs/sha256", "layers", "layers/sha256",
				      "images", "uploads" };

char *bk_store_tmpname(const char *store, const char *dir)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s" TMP_PREFIX "%d-XXXXXX", store, dir, *dir ? "/" : "",
		     (int)getpid()) < 0) {
		bk_fail("out of memory");
		return NULL;
	}
	return p;
}

/* mkdir STORE (not its parents: a mistyped --store is an error, not a
 * new tree) and the layout inside it. */
static int make_layout(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return bk_fail_errno(errno, "store %s", path);
	for (size_t i = 0; i < ARRAY_SIZE(layout); i++) {
		_cleanup_free_ char *d = NULL;
		if (asprintf(&d, "%s/%s", path, layout[i]) < 0)
			return bk_fail("out of memory");
		if (mkdir(d, 0700) < 0 && errno != EEXIST)
			return bk_fail_errno(errno, "store %s: mkdir %s", path, layout[i]);
	}
	return 0;
}

static int lock(struct bk_store *s, int op, const char *name)
{
	BK_TRACE("flock %s/store.lock %s", s->path, name);
	while (flock(s->lockfd, op) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK && (op & LOCK_NB))
			return 1;
		return bk_fail_errno(errno, "store %s: lock", s->path);
	}
	return 0;
}

/* Shared: sweep first if nobody else is in (upgrading later could not be
 * atomic with flock, so it is done before the shared lock is taken). */
static int lock_shared(struct bk_store *s)
{
	int r = lock(s, LOCK_EX | LOCK_NB, "LOCK_EX|LOCK_NB");

	if (r < 0)
		return -1;
	if (r == 0 && bk_store_sweep(s) < 0)
		return -1;
	return lock(s, LOCK_SH, "LOCK_SH");
}

/* Exclusive: every ".tmp-" object is stale, sweep them. */
static int take(struct bk_store *s, enum bk_store_lock mode)
{
	if (mode == BK_STORE_SHARED)
		return lock_shared(s);
	return lock(s, LOCK_EX, "LOCK_EX") < 0 ? -1 : bk_store_sweep(s);
}

int bk_store_open(struct bk_store *s, const char *path, bool create, enum bk_store_lock mode)
{
	_cleanup_free_ char *lockpath = NULL;

	s->path = NULL;
	s->lockfd = -1;
	if (create && make_layout(path) < 0)
		return -1;
	if (!(s->path = realpath(path, NULL)))
		return bk_fail_errno(errno, "store %s", path);
	if (asprintf(&lockpath, "%s/store.lock", s->path) < 0) {
		bk_store_close(s);
		return bk_fail("out of memory");
	}
	if ((s->lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		bk_fail_errno(errno, "store %s: open store.lock", s->path);
		bk_store_close(s);
		return -1;
	}
	if (take(s, mode) < 0) {
		bk_store_close(s);
		return -1;
	}
	return 0;
}

void bk_store_close(struct bk_store *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);   /* drops the flock */
	s->lockfd = -1;
	free(s->path);
	s->path = NULL;
}

static int remove_tmp(const char *store, const char *dir, const char *name)
{
	_cleanup_free_ char *p = NULL;

	if (asprintf(&p, "%s/%s%s%s", store, dir, *dir ? "/" : "", name) < 0)
		return bk_fail("out of memory");
	BK_TRACE("remove %s (stale temp)", p);
	return bk_rm_rf(p);
}

/* Remove the ".tmp-" entries of STORE/DIR. */
static int sweep_dir(const char *store, const char *dir)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;

	if (asprintf(&path, "%s/%s", store, dir) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(path)))
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "open %s", path);
	while ((errno = 0, de = readdir(d)))
		if (!strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) &&
		    remove_tmp(store, dir, de->d_name) < 0)
			return -1;
	return errno ? bk_fail_errno(errno, "read %s", path) : 0;
}

int bk_store_sweep(const struct bk_store *s)
{
	static const char *const dirs[] = { "", "blobs/sha256", "layers/sha256", "images", "uploads" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (sweep_dir(s->path, dirs[i]) < 0)
			return bk_fail_wrap("store %s: sweep", s->path);
	return 0;
}

int bk_store_lock_index(const char *store)
{
	_cleanup_free_ char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/index.lock", store) < 0)
		return bk_fail("out of memory");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return bk_fail_errno(errno, "store %s: open index.lock", store);
	BK_TRACE("flock %s LOCK_EX", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		bk_fail_errno(errno, "store %s: lock index.lock", store);
		close(fd);
		return -1;
	}
	return fd;
}
