/* procenv: ids and environment of the command (procenv.h). */
#include "ns/procenv.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A user namespace with setgroups denied (ns/idmap) keeps the groups it
 * was born with: nothing to drop or set there. */
static bool setgroups_denied(void)
{
	_cleanup_free_ char *s = bk_read_small("/proc/self/setgroups", 64);

	return s && !strncmp(s, "deny", 4);
}

int bk_set_ids(long uid, long gid)
{
	return bk_set_ids_groups(uid, gid, NULL, 0);
}

int bk_set_ids_groups(long uid, long gid, const gid_t *groups, size_t n)
{
	if (gid >= 0) {
		BK_TRACE("setgroups(%zu, ...); setresgid(%ld, %ld, %ld)", n, gid, gid, gid);
		if (setgroups(n, groups) < 0 && !(errno == EPERM && setgroups_denied()))
			return bk_fail_errno(errno, "setgroups");
		if (setresgid(gid, gid, gid) < 0)
			return bk_fail_errno(errno, "setresgid %ld", gid);
	}
	if (uid >= 0) {
		BK_TRACE("setresuid(%ld, %ld, %ld)", uid, uid, uid);
		if (setresuid(uid, uid, uid) < 0)
			return bk_fail_errno(errno, "setresuid %ld", uid);
	}
	return 0;
}

int bk_apply_env(bool clear, const char *const *env, size_t n)
{
	if (clear) {
		BK_TRACE("clearenv()");
		clearenv();
	}
	for (size_t i = 0; i < n; i++)
		if (putenv((char *)env[i]) < 0)
			return bk_fail_errno(errno, "putenv %s", env[i]);
	return 0;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static pid_t env_source(pid_t pid)
{
	char path[64], exe[64];
	_cleanup_free_ char *children = NULL;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	if (!same_file("/proc/self/exe", exe))
		return pid;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)pid);
	children = bk_read_small(path, 64);
	long child = children ? strtol(children, NULL, 10) : 0;
	return child > 0 ? (pid_t)child : pid;
}

int bk_take_env_of(pid_t pid)
{
	char path[64];
	size_t len;
	char *buf;

	pid = env_source(pid);
	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	buf = bk_read_small_len(path, 1 << 20, &len);   /* kept: putenv() uses it */
	if (!buf)
		return -1;
	BK_TRACE("environment of %d from %s", (int)pid, path);
	clearenv();
	for (char *p = buf; p < buf + len; p += strlen(p) + 1)
		if (strchr(p, '=') && putenv(p) < 0)
			return bk_fail_errno(errno, "putenv");
	return 0;
}
