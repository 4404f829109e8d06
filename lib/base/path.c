/* path: lexical safe join and in-root opening (path.h). */
#include "base/path.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Append component c (length n) to out, which has a "/"-free tail. */
static void push(char *out, size_t *len, const char *c, size_t n)
{
	if (*len == 0 || out[*len - 1] != '/')
		out[(*len)++] = '/';
	memcpy(out + *len, c, n);
	*len += n;
	out[*len] = '\0';
}

static void pop(char *out, size_t *len, size_t floor)
{
	while (*len > floor && out[*len - 1] != '/')
		(*len)--;
	if (*len > floor)
		(*len)--;
	out[*len] = '\0';
}

char *bk_path_join(const char *base, const char *rel)
{
	size_t blen = strlen(base), len;
	char *out = malloc(blen + strlen(rel) + 3);
	const char *p = rel;

	if (!out) {
		bk_fail_errno(ENOMEM, "path join");
		return NULL;
	}
	memcpy(out, base, blen + 1);
	while (blen > 1 && out[blen - 1] == '/')
		out[--blen] = '\0';
	len = blen;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2)) {
			if (len == blen) {
				free(out);
				bk_fail("%s: escapes %s", rel, base);
				return NULL;
			}
			pop(out, &len, blen);
		} else if (n && !(n == 1 && *p == '.')) {
			push(out, &len, p, n);
		}
		p += n;
		p += strspn(p, "/");
	}
	return out;
}

int bk_path_in(char buf[static PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= PATH_MAX)   /* a message that still says why */
		return bk_fail("%.200s%s/%s: path too long", dir, strlen(dir) > 200 ? "..." : "", name);
	return 0;
}

bool bk_valid_name(const char *name, unsigned max)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > max || name[0] == '.' || name[0] == '-')
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_.-") == n;
}

int bk_open_beneath(int dirfd, const char *rel, int flags, unsigned mode)
{
	struct open_how how = {
		.flags = (unsigned)flags | O_CLOEXEC,
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	/* EAGAIN: a rename or mount elsewhere raced a ".." of the lookup;
	 * the kernel asks for another try */
	for (int tries = 0; tries < 64; tries++) {
		fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0)
		return bk_fail_errno(errno, "%s", rel);
	return fd;
}

/* The directory rel[0..len) beneath dirfd, made if missing. */
static int open_or_make(int dirfd, char *rel, size_t len, unsigned mode)
{
	char saved = rel[len];
	int fd;

	rel[len] = '\0';
	fd = bk_open_beneath(dirfd, rel, O_PATH | O_DIRECTORY, 0);
	if (fd < 0 && errno == ENOENT) {
		char *slash = strrchr(rel, '/');
		const char *name = slash ? slash + 1 : rel;
		int parent = dirfd;

		if (slash) {
			*slash = '\0';
			parent = *rel ? bk_open_beneath(dirfd, rel, O_PATH | O_DIRECTORY, 0) : dirfd;
			*slash = '/';
		}
		if (parent >= 0 && (mkdirat(parent, name, mode) == 0 || errno == EEXIST))
			fd = bk_open_beneath(dirfd, rel, O_PATH | O_DIRECTORY, 0);
		else if (parent >= 0)
			bk_fail_errno(errno, "mkdir %s", rel);
		if (slash && parent >= 0 && parent != dirfd)
			close(parent);
	}
	rel[len] = saved;
	return fd;
}

int bk_mkdir_beneath(int dirfd, const char *rel, unsigned mode)
{
	_cleanup_free_ char *copy = strdup(rel);
	int fd = -1;

	if (!copy)
		return bk_fail_errno(ENOMEM, "%s", rel);
	for (size_t i = 1, n = strlen(copy); i <= n; i++) {
		if (copy[i] != '/' && copy[i] != '\0')
			continue;
		if (fd >= 0)
			close(fd);
		if ((fd = open_or_make(dirfd, copy, i, mode)) < 0)
			return -1;
	}
	return fd;
}
