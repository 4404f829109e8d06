/* sysctl: namespaced kernel parameters (sysctl.h). */
#include "ns/sysctl.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const ipc_names[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/* The kind of namespace that owns name, or -1 for a host-wide one. */
static int owner_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ipc_names); i++)
		if (!strcmp(name, ipc_names[i]))
			return BK_NS_IPC;
	if (!strncmp(name, "fs.mqueue.", 10) || !strncmp(name, "fs/mqueue/", 10))
		return BK_NS_IPC;
	if (!strncmp(name, "net.", 4) || !strncmp(name, "net/", 4))
		return BK_NS_NET;
	if (!strcmp(name, "kernel.domainname"))
		return BK_NS_UTS;
	return -1;
}

/* "a.b.c" or "a/b/c" as the path below /proc/sys; every component plain. */
static int to_path(const char *name, char *out, size_t len)
{
	bool slashes = strchr(name, '/') != NULL;
	size_t n = strlen(name);

	if (n == 0 || n >= len)
		return bk_fail("sysctl '%s': invalid name", name);
	for (size_t i = 0; i <= n; i++)
		out[i] = !slashes && name[i] == '.' ? '/' : name[i];
	for (const char *c = out;; c++) {
		size_t k = strcspn(c, "/");
		if (k == 0 || (k == 1 && c[0] == '.') || (k == 2 && !strncmp(c, "..", 2)))
			return bk_fail("sysctl '%s': invalid name", name);
		c += k;
		if (!*c)
			return 0;
	}
}

int bk_sysctl_check(const char *name, unsigned own)
{
	char path[PATH_MAX];
	int k = owner_of(name);

	if (to_path(name, path, sizeof(path)) < 0)
		return -1;
	if (k < 0)
		return bk_fail("sysctl '%s': not a parameter of the container's own namespaces "
			       "(it would change the host)", name);
	if (!(own & (1u << k)))
		return bk_fail("sysctl '%s': the container shares the host's %s namespace",
			       name, bk_ns_name(k));
	return 0;
}

int bk_sysctl_write(const char *name, const char *value)
{
	char path[PATH_MAX];
	_cleanup_close_ int dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC);
	size_t n = strlen(value);

	if (to_path(name, path, sizeof(path)) < 0)
		return -1;
	if (dir < 0)
		return bk_fail_errno(errno, "sysctl %s: open /proc/sys", name);
	BK_TRACE("write /proc/sys/%s %s", path, value);
	_cleanup_close_ int fd = bk_open_beneath(dir, path, O_WRONLY, 0);
	if (fd < 0)
		return bk_fail_wrap("sysctl %s", name);
	if (write(fd, value, n) != (ssize_t)n)
		return bk_fail_errno(errno, "sysctl %s=%s", name, value);
	return 0;
}
