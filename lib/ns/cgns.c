/* cgns: the read-only cgroup tree of a container (cgns.h). */
#include "ns/cgns.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"
#include "ns/rootfs.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CG_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* One line "ID:CONTROLLERS:PATH" of /proc/self/cgroup. */
static int plan_line(struct bk_cgns *c, char *line, bool *v1)
{
	char *ctrls = strchr(line, ':');
	char *path = ctrls ? strchr(ctrls + 1, ':') : NULL;

	if (!path)
		return bk_fail("/proc/self/cgroup: unexpected line '%s'", line);
	*ctrls++ = '\0';
	*path++ = '\0';
	if (strcmp(line, "0") || *ctrls)
		*v1 = true;
	if (!strcmp(path, "/"))
		return 0;
	if (c->n == BK_CGNS_MAX)
		return bk_fail("/proc/self/cgroup: more than %d hierarchies", BK_CGNS_MAX);
	snprintf(c->h[c->n].ctrls, sizeof(c->h[0].ctrls), "%s", ctrls);
	snprintf(c->h[c->n].path, sizeof(c->h[0].path), "%s", path);
	c->h[c->n++].fd = -1;
	return 0;
}

int bk_cgns_plan(struct bk_cgns *c)
{
	_cleanup_free_ char *text = bk_read_small("/proc/self/cgroup", 8192);
	bool v1 = false;

	*c = (struct bk_cgns){ 0 };
	if (!text)
		return -1;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (plan_line(c, l, &v1) < 0)
			return -1;
	c->v2_only = !v1;
	BK_TRACE("cgroup view: %zu hierarch%s with a group of its own (/proc/self/cgroup)",
		 c->n, c->n == 1 ? "y" : "ies");
	return 0;
}

/* The directory of a v1 hierarchy: its controllers ("cpu,cpuacct"), a
 * named one by its name ("systemd"); cgroup2 beside v1 is "unified". */
static const char *dir_name(const struct bk_cgns_hier *h)
{
	if (!h->ctrls[0])
		return "unified";
	return strncmp(h->ctrls, "name=", 5) ? h->ctrls : h->ctrls + 5;
}

/* cpu,cpuacct is also reachable as cpu and as cpuacct, as on hosts. */
static int alias_links(const char *top, const char *ctrls)
{
	char copy[64], link[128];

	if (!strchr(ctrls, ',') || !strncmp(ctrls, "name=", 5))
		return 0;
	snprintf(copy, sizeof(copy), "%s", ctrls);
	for (char *save = NULL, *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
		snprintf(link, sizeof(link), "%s/%s", top, c);
		BK_TRACE("symlink(\"%s\", \"%s\")", ctrls, link);
		if (symlink(ctrls, link) < 0)
			return bk_fail_errno(errno, "symlink %s", link);
	}
	return 0;
}

int bk_cgns_clone(struct bk_cgns *c)
{
	char dir[1024];

	for (size_t i = 0; c->bind && i < c->n; i++) {
		struct bk_cgns_hier *h = &c->h[i];
		if (c->v2_only)
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", h->path);
		else
			snprintf(dir, sizeof(dir), "/sys/fs/cgroup/%s%s", dir_name(h), h->path);
		BK_TRACE("open_tree(\"%s\", OPEN_TREE_CLONE)", dir);
		h->fd = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (h->fd < 0)
			return bk_fail_errno(errno, "cgroup view: %s", dir);
	}
	return 0;
}

void bk_cgns_release(struct bk_cgns *c)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->h[i].fd >= 0)
			close(c->h[i].fd);
		c->h[i].fd = -1;
	}
}

static int place(int fd, const char *dir)
{
	BK_TRACE("move_mount(group directory, \"%s\")", dir);
	if (move_mount(fd, "", AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return bk_fail_errno(errno, "cgroup view on %s", dir);
	return 0;
}

static int mount_hier(const char *top, const struct bk_cgns_hier *h)
{
	char dir[PATH_MAX], opts[80];

	if (bk_path_in(dir, top, dir_name(h)) < 0)
		return -1;
	if (mkdir(dir, 0755) < 0)
		return bk_fail_errno(errno, "mkdir %s", dir);
	if (h->fd >= 0)
		return place(h->fd, dir) < 0 ? -1 : alias_links(top, h->ctrls);
	if (!h->ctrls[0])
		return bk_mount("cgroup2", dir, "cgroup2", CG_FLAGS, NULL);
	snprintf(opts, sizeof(opts), "%s%s", strncmp(h->ctrls, "name=", 5) ? "" : "none,", h->ctrls);
	if (bk_mount("cgroup", dir, "cgroup", CG_FLAGS, opts) < 0)
		return -1;
	return alias_links(top, h->ctrls);
}

int bk_cgns_mount(const struct bk_cgns *c, const char *dir)
{
	if (c->n == 0)
		return 0;
	if (bk_mkdir_p(dir, 0755) < 0)
		return bk_fail_wrap("cgroup mount point");
	if (c->v2_only && c->h[0].fd >= 0)
		return place(c->h[0].fd, dir) < 0 ? -1 : bk_mount_setattr(AT_FDCWD, dir, 0, MOUNT_ATTR_RDONLY);
	if (c->v2_only)
		return bk_mount("cgroup2", dir, "cgroup2", CG_FLAGS, NULL);
	if (bk_mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k") < 0)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		if (mount_hier(dir, &c->h[i]) < 0)
			return -1;
	/* binds keep their source's flags: make the whole view read-only */
	return bk_mount_setattr(AT_FDCWD, dir, c->bind ? AT_RECURSIVE : 0, MOUNT_ATTR_RDONLY);
}
