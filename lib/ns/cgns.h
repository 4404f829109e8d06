/* cgns: a container's view of its cgroups, as podman's cgroupns=private.
 * Before unshare(CLONE_NEWCGROUP), /proc/self/cgroup tells in which
 * hierarchies the process sits in a group of its own (not at the root);
 * after the root switch those hierarchies are mounted read-only under a
 * read-only tmpfs at /sys/fs/cgroup, each showing the namespace's root,
 * the container's own group, and nothing above it. A hierarchy where the
 * process sits at the host's root is left out: it would show every group
 * on the host. */
#ifndef BK_CGNS_H
#define BK_CGNS_H

#include <stdbool.h>
#include <stddef.h>

#define BK_CGNS_MAX 16

struct bk_cgns_hier {
	char ctrls[64];      /* "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
	char path[512];      /* the group, as /proc/self/cgroup names it */
	int fd;              /* with bind: a clone of its directory, or -1 */
};

struct bk_cgns {
	struct bk_cgns_hier h[BK_CGNS_MAX];
	size_t n;
	bool v2_only;        /* no v1 hierarchy at all: cgroup2 is /sys/fs/cgroup */
	/* No cgroup namespace of its own (an OCI container sharing the
	 * host's, podman's default on v1): each hierarchy shows the
	 * container's own group, a bind of the host's directory (runc's
	 * way), since a new mount would show the host's whole tree. */
	bool bind;
};

/* Read /proc/self/cgroup (before the new cgroup namespace is made). */
int bk_cgns_plan(struct bk_cgns *c);

/* With bind, before the root switch: the clones of the group directories
 * under /sys/fs/cgroup. */
int bk_cgns_clone(struct bk_cgns *c);
void bk_cgns_release(struct bk_cgns *c);

/* After the root switch, with /sys mounted: the read-only cgroup tree at
 * dir (/sys/fs/cgroup, or an OCI config's cgroup mount). */
int bk_cgns_mount(const struct bk_cgns *c, const char *dir);

#endif
