/* ovlpreflight: explain a bad overlay request before mount(2) does. */
#include "overlay/ovlpreflight.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <dirent.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef OVERLAYFS_SUPER_MAGIC
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#endif

/* overlay listed in /proc/filesystems, or loadable: fsopen() asks the
 * kernel to load the module (ENODEV when it cannot). */
static int check_kernel_support(void)
{
	_cleanup_free_ char *list = bk_read_small("/proc/filesystems", 1 << 16);
	int fd;

	if (list && strstr(list, "\toverlay\n"))
		return 0;
	fd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == ENODEV)
		return bk_fail("kernel has no overlay support (modprobe overlay)");
	return 0;       /* no new API to ask: let mount(2) tell */
}

/* role: "lowerdir", "upperdir"... hint: what to suggest when missing. */
static int check_dir(const char *role, const char *path, const char *hint, struct stat *st)
{
	if (stat(path, st) < 0) {
		if (errno == ENOENT)
			return bk_fail("%s %s does not exist%s", role, path, hint);
		return bk_fail_errno(errno, "%s %s", role, path);
	}
	if (!S_ISDIR(st->st_mode))
		return bk_fail("%s %s is not a directory", role, path);
	return 0;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Is dir (canonical) equal to or below top (canonical)? */
static bool is_inside(const char *dir, const char *top)
{
	size_t n = strlen(top);

	if (strncmp(dir, top, n) != 0)
		return false;
	return dir[n] == '/' || dir[n] == '\0' || (n == 1 && top[0] == '/');
}

static int check_separate(const char *upper, const char *work)
{
	_cleanup_free_ char *u = realpath(upper, NULL);
	_cleanup_free_ char *w = realpath(work, NULL);

	if (!u || !w)
		return bk_fail_errno(errno, "realpath %s", u ? work : upper);
	if (is_inside(w, u))
		return bk_fail("workdir %s must not be inside upperdir %s", work, upper);
	if (is_inside(u, w))
		return bk_fail("upperdir %s must not be inside workdir %s", upper, work);
	return 0;
}

/* overlay's own leftovers ("work", "index") from an earlier mount of the
 * same upper are fine; anything else means a wrong or shared workdir. */
static int check_work_empty(const char *work)
{
	_cleanup_closedir_ DIR *d = opendir(work);
	struct dirent *e;

	if (!d)
		return bk_fail_errno(errno, "workdir %s", work);
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (!strcmp(n, ".") || !strcmp(n, "..") || !strcmp(n, "work") ||
		    !strcmp(n, "index"))
			continue;
		return bk_fail("workdir %s must be empty (it holds '%s')", work, n);
	}
	return 0;
}

static int check_upper(const struct bk_ovl *o, const struct stat *merged)
{
	struct stat su, sw;
	struct statfs fs;

	if (check_dir("upperdir", o->upper, " (--mkdir creates it)", &su) < 0 ||
	    check_dir("workdir", o->work, " (--mkdir creates it)", &sw) < 0)
		return -1;
	if (same_inode(&su, merged))
		return bk_fail("upperdir and mount point must be different "
			       "directories (both are %s)", o->upper);
	if (same_inode(&su, &sw))
		return bk_fail("upperdir and workdir must be different directories "
			       "(both are %s)", o->upper);
	if (su.st_dev != sw.st_dev)
		return bk_fail("upper and work must be on the same filesystem: "
			       "%s is on device %u:%u, %s on %u:%u", o->upper,
			       major(su.st_dev), minor(su.st_dev), o->work,
			       major(sw.st_dev), minor(sw.st_dev));
	if (statfs(o->upper, &fs) == 0 && fs.f_type == OVERLAYFS_SUPER_MAGIC)
		return bk_fail("upperdir %s is on an overlay filesystem, which "
			       "cannot hold an upper layer", o->upper);
	if (check_separate(o->upper, o->work) < 0)
		return -1;
	return check_work_empty(o->work);
}

/* The same directory twice makes overlay fail with a bare ELOOP. */
static int check_lowers(const struct bk_ovl *o)
{
	_cleanup_free_ struct stat *st = calloc(o->nlowers, sizeof(*st));

	if (!st)
		return bk_fail_errno(ENOMEM, "lowerdirs");
	for (size_t i = 0; i < o->nlowers; i++) {
		if (check_dir("lowerdir", o->lowers[i], "", &st[i]) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (same_inode(&st[i], &st[j]))
				return bk_fail("lowerdir %s is given twice (as %s too)",
					       o->lowers[i], o->lowers[j]);
	}
	return 0;
}

int bk_ovl_preflight(const struct bk_ovl *o)
{
	struct stat merged;

	if (o->nlowers == 0)
		return bk_fail("no lower layer given (-l)");
	if (o->nlowers > BK_OVL_MAX_LOWERS)
		return bk_fail("%zu lower layers: overlay stacks at most %d",
			       o->nlowers, BK_OVL_MAX_LOWERS);
	if (check_kernel_support() < 0)
		return -1;
	if (check_lowers(o) < 0)
		return -1;
	if (!o->upper && o->nlowers < 2)
		return bk_fail("a read-only overlay (no -u) needs at least 2 lower "
			       "layers (for one, bind-mount it read-only)");
	if (check_dir("mount point", o->merged, " (--mkdir creates it)", &merged) < 0)
		return -1;
	if (o->upper && check_upper(o, &merged) < 0)
		return -1;
	return 0;
}

/* The shallowest missing ancestor of path (path itself if only it is
 * missing): what mkdir -p will create first. */
static char *first_missing(const char *path)
{
	char *p = strdup(path);
	char *slash;

	while (p && (slash = strrchr(p, '/')) && slash != p) {
		*slash = '\0';
		if (access(p, F_OK) == 0) {
			*slash = '/';
			break;
		}
	}
	return p;
}

static int make_one(const char *path, char **top)
{
	*top = NULL;
	if (!path || access(path, F_OK) == 0)
		return 0;
	*top = first_missing(path);
	if (!*top)
		return bk_fail_errno(ENOMEM, "mkdir %s", path);
	BK_TRACE("mkdir -p %s", path);
	return bk_mkdir_p(path, 0755);
}

int bk_ovl_mkdirs(const struct bk_ovl *o, struct bk_ovl_made *made)
{
	const char *paths[3] = { o->upper, o->work, o->merged };

	*made = (struct bk_ovl_made){ { NULL } };
	for (int i = 0; i < 3; i++)
		if (make_one(paths[i], &made->top[i]) < 0)
			return -1;
	return 0;
}

/* rmdir path, then its parents up to top (all made by us, so empty). */
static void remove_up_to(const char *path, const char *top)
{
	_cleanup_free_ char *p = strdup(path);
	size_t toplen = strlen(top);
	char *slash;

	if (!p)
		return;
	while (rmdir(p) == 0 && strlen(p) > toplen && (slash = strrchr(p, '/')))
		*slash = '\0';
}

void bk_ovl_rmdirs(const struct bk_ovl *o, struct bk_ovl_made *made, bool remove)
{
	const char *paths[3] = { o->upper, o->work, o->merged };
	int saved = errno;

	for (int i = 2; i >= 0; i--) {     /* reverse: work may sit in upper's parent */
		if (made->top[i] && remove) {
			_cleanup_free_ char *inner = NULL;
			/* overlay may have created work/work before failing */
			if (i == 1 && asprintf(&inner, "%s/work", paths[i]) >= 0)
				rmdir(inner);
			remove_up_to(paths[i], made->top[i]);
		}
		free(made->top[i]);
		made->top[i] = NULL;
	}
	errno = saved;
}
