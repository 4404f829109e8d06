/* idmap: single-id uid_map/gid_map for the calling process (idmap.h). */
#include "ns/idmap.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <stdio.h>

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
