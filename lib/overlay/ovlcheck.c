/* ovlcheck: list whiteouts, opaque and redirect dirs of layers (ovlcheck.h). */
#include "overlay/ovlcheck.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define MAX_DEPTH 256

struct walk {
	char *const *layers;
	size_t n, cur;          /* cur: index of the layer being walked */
	bk_ovlcheck_fn fn;
	void *ctx;
	long found;
	char rel[PATH_MAX];
};

const char *bk_ovlcheck_kind_name(enum bk_ovlcheck_kind kind)
{
	switch (kind) {
	case BK_OVLCHECK_WHITEOUT: return "whiteout";
	case BK_OVLCHECK_OPAQUE: return "opaque";
	case BK_OVLCHECK_REDIRECT: return "redirect";
	case BK_OVLCHECK_AUFS: return "aufs-wh";
	}
	return "?";
}

/* First layer below the current one that has rel (for a whiteout or
 * opaque dir: what it hides). */
static const char *hidden_below(const struct walk *w, const char *rel)
{
	struct stat st;

	for (size_t j = w->cur + 1; j < w->n; j++) {
		_cleanup_close_ int dfd = open(w->layers[j], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0 && fstatat(dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return w->layers[j];
	}
	return NULL;
}

static void report(struct walk *w, enum bk_ovlcheck_kind kind, const char *detail)
{
	struct bk_ovlcheck_entry e = {
		.kind = kind, .layer = w->layers[w->cur], .rel = w->rel,
		.detail = detail, .hides = NULL,
	};

	if (kind == BK_OVLCHECK_WHITEOUT || kind == BK_OVLCHECK_OPAQUE)
		e.hides = hidden_below(w, w->rel);
	w->fn(&e, w->ctx);
	w->found++;
}

/* The overlay xattr "NAME" in the trusted. or (userxattr) user. namespace:
 * value into buf, xattr name used into *which. */
static bool get_ovl_xattr(int fd, const char *name, char *buf, size_t len, const char **which)
{
	static char full[64];
	static const char *const ns[] = { "trusted.overlay.", "user.overlay." };

	for (size_t i = 0; i < 2; i++) {
		snprintf(full, sizeof(full), "%s%s", ns[i], name);
		ssize_t r = fgetxattr(fd, full, buf, len - 1);
		if (r >= 0) {
			buf[r] = '\0';
			*which = full;
			return true;
		}
	}
	return false;
}

static void check_dir_xattrs(struct walk *w, int fd)
{
	char val[PATH_MAX];
	const char *which;

	if (get_ovl_xattr(fd, "opaque", val, sizeof(val), &which) && !strcmp(val, "y"))
		report(w, BK_OVLCHECK_OPAQUE, which);
	if (get_ovl_xattr(fd, "redirect", val, sizeof(val), &which))
		report(w, BK_OVLCHECK_REDIRECT, val);
}

static int walk_dir(struct walk *w, int fd, int depth);

static int visit(struct walk *w, int dirfd, const char *name, int depth)
{
	struct stat st;
	size_t len = strlen(w->rel);
	int n = snprintf(w->rel + len, sizeof(w->rel) - len, "%s%s", len ? "/" : "", name);
	int r = 0;

	if (n < 0 || (size_t)n >= sizeof(w->rel) - len)
		return bk_fail("%s/%s: path too long", w->layers[w->cur], w->rel);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		r = bk_fail_errno(errno, "%s/%s", w->layers[w->cur], w->rel);
	} else if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		report(w, BK_OVLCHECK_WHITEOUT, NULL);
	} else if (!strncmp(name, ".wh.", 4)) {
		report(w, BK_OVLCHECK_AUFS, NULL);
	} else if (S_ISDIR(st.st_mode)) {
		int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			r = bk_fail_errno(errno, "%s/%s", w->layers[w->cur], w->rel);
		else
			r = walk_dir(w, sub, depth + 1);
	}
	w->rel[len] = '\0';
	return r;
}

/* Takes ownership of fd. */
static int walk_dir(struct walk *w, int fd, int depth)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (depth > 0)
		check_dir_xattrs(w, fd);
	if (depth > MAX_DEPTH) {
		close(fd);
		return bk_fail("%s/%s: deeper than %d levels", w->layers[w->cur],
			       w->rel, MAX_DEPTH);
	}
	d = fdopendir(fd);
	if (!d) {
		int err = errno;
		close(fd);
		return bk_fail_errno(err, "%s/%s", w->layers[w->cur], w->rel);
	}
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    visit(w, dirfd(d), e->d_name, depth) < 0)
			return -1;
	return 0;
}

long bk_ovlcheck(char *const layers[], size_t n, bk_ovlcheck_fn fn, void *ctx)
{
	struct walk w = { .layers = layers, .n = n, .fn = fn, .ctx = ctx };

	for (w.cur = 0; w.cur < n; w.cur++) {
		int fd = open(layers[w.cur], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				return bk_fail("%s does not exist", layers[w.cur]);
			return bk_fail_errno(errno, "%s", layers[w.cur]);
		}
		w.rel[0] = '\0';
		if (walk_dir(&w, fd, 0) < 0)
			return -1;
	}
	return w.found;
}
