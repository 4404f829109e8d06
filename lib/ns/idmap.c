/* idmap: uid_map/gid_map of a new user namespace (idmap.h). */
#include "ns/idmap.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <stdio.h>
#include <string.h>

static int write_proc(const char *path, const char *value)
{
	BK_TRACE("write %s \"%s\"", path, value);
	return bk_write_string(path, value);
}

int bk_idmap_write_self(uid_t inside_uid, uid_t outer_uid,
			gid_t inside_gid, gid_t outer_gid)
{
	char line[64];

	if (inside_gid != (gid_t)-1) {
		/* Writing our own gid_map, we hold no capability in the parent
		 * namespace (even as root there): the kernel then requires
		 * setgroups(2) to be given up first, or we could drop groups
		 * that deny us access. */
		if (write_proc("/proc/self/setgroups", "deny") < 0)
			return -1;
		snprintf(line, sizeof(line), "%u %u 1", (unsigned)inside_gid,
			 (unsigned)outer_gid);
		if (write_proc("/proc/self/gid_map", line) < 0)
			return -1;
	}
	if (inside_uid != (uid_t)-1) {
		snprintf(line, sizeof(line), "%u %u 1", (unsigned)inside_uid,
			 (unsigned)outer_uid);
		if (write_proc("/proc/self/uid_map", line) < 0)
			return -1;
	}
	return 0;
}

/* The whole map in one write(2): the kernel takes a map once, whole. */
static int write_map(pid_t pid, const char *file, const struct bk_idmap_range *r, size_t n)
{
	char path[64], text[BK_IDMAP_MAX * 34 + 1];
	size_t used = 0;

	if (n > BK_IDMAP_MAX)
		return bk_fail("%s: %zu ranges, the kernel takes at most %d", file, n, BK_IDMAP_MAX);
	for (size_t i = 0; i < n; i++) {
		if (!r[i].count)
			return bk_fail("%s: range %zu maps no id (size 0)", file, i);
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%u %u %u\n",
					 r[i].inside, r[i].outside, r[i].count);
	}
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	BK_TRACE("write %s \"%.*s\"", path, (int)strcspn(text, "\n"), text);
	if (bk_write_string(path, text) < 0)
		return bk_fail_wrap("%s", file);
	return 0;
}

int bk_idmap_write_pid(pid_t pid, const struct bk_idmap_range *uid, size_t nuid,
		       const struct bk_idmap_range *gid, size_t ngid)
{
	if (ngid && write_map(pid, "gid_map", gid, ngid) < 0)
		return -1;
	if (nuid && write_map(pid, "uid_map", uid, nuid) < 0)
		return -1;
	return 0;
}
