/* mounts: OCI mount options (mounts.h). */
#include "oci/mounts.h"
#include "base/array.h"
#include "base/msg.h"
#include "base/path.h"
#include "oci/jfield.h"

#include <errno.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

/* Options that set or clear a flag: for a file system MS_*, for a bind
 * the MOUNT_ATTR_* of its clone. */
static const struct {
	const char *name;
	bool clear;
	unsigned long ms;
	uint64_t attr;
} flag_opts[] = {
	{ "ro", false, MS_RDONLY, MOUNT_ATTR_RDONLY }, { "rw", true, MS_RDONLY, 0 },
	{ "nosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID }, { "suid", true, MS_NOSUID, 0 },
	{ "nodev", false, MS_NODEV, MOUNT_ATTR_NODEV }, { "dev", true, MS_NODEV, 0 },
	{ "noexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC }, { "exec", true, MS_NOEXEC, 0 },
	{ "sync", false, MS_SYNCHRONOUS, 0 }, { "async", true, MS_SYNCHRONOUS, 0 },
	{ "dirsync", false, MS_DIRSYNC, 0 },
	{ "noatime", false, MS_NOATIME, MOUNT_ATTR_NOATIME }, { "atime", true, MS_NOATIME, 0 },
	{ "nodiratime", false, MS_NODIRATIME, MOUNT_ATTR_NODIRATIME }, { "diratime", true, MS_NODIRATIME, 0 },
	{ "relatime", false, MS_RELATIME, 0 }, { "norelatime", true, MS_RELATIME, 0 },
	{ "strictatime", false, MS_STRICTATIME, MOUNT_ATTR_STRICTATIME }, { "nostrictatime", true, MS_STRICTATIME, 0 },
	{ "lazytime", false, MS_LAZYTIME, 0 }, { "nolazytime", true, MS_LAZYTIME, 0 },
	{ "silent", false, MS_SILENT, 0 }, { "loud", true, MS_SILENT, 0 },
	{ "mand", false, MS_MANDLOCK, 0 }, { "nomand", true, MS_MANDLOCK, 0 },
	/* the recursive forms of the OCI spec 1.1 (a bind's attributes here
	 * always apply to its whole tree) */
	{ "rro", false, MS_RDONLY, MOUNT_ATTR_RDONLY }, { "rrw", true, MS_RDONLY, 0 },
	{ "rnosuid", false, MS_NOSUID, MOUNT_ATTR_NOSUID }, { "rsuid", true, MS_NOSUID, 0 },
	{ "rnodev", false, MS_NODEV, MOUNT_ATTR_NODEV }, { "rdev", true, MS_NODEV, 0 },
	{ "rnoexec", false, MS_NOEXEC, MOUNT_ATTR_NOEXEC }, { "rexec", true, MS_NOEXEC, 0 },
};

static const struct {
	const char *name;
	unsigned long flags;
} propagations[] = {
	{ "private", MS_PRIVATE }, { "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED }, { "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE }, { "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

unsigned long bk_oci_propagation(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(propagations); i++)
		if (!strcmp(name, propagations[i].name))
			return propagations[i].flags;
	return 0;
}

const char *bk_oci_mount_option_name(size_t i)
{
	size_t nflags = ARRAY_SIZE(flag_opts);
	size_t nprops = ARRAY_SIZE(propagations);

	if (i < nflags)
		return flag_opts[i].name;
	if (i == nflags || i == nflags + 1)
		return i == nflags ? "bind" : "rbind";
	return i - nflags - 2 < nprops ? propagations[i - nflags - 2].name : NULL;
}

static const char *const refused[] = { "idmap", "ridmap", "tmpcopyup", "remount", "copy-symlink" };

/* One option word into the request; other words join *data. */
static int take_option(const char *at, const char *opt, struct bk_mountreq *out, char **data,
		       bool *bind, bool *recursive)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_opts); i++) {
		if (strcmp(opt, flag_opts[i].name))
			continue;
		if (flag_opts[i].clear) {
			out->flags &= ~flag_opts[i].ms;
			out->attrs &= ~flag_opts[i].attr;
		} else {
			out->flags |= flag_opts[i].ms;
			out->attrs |= flag_opts[i].attr;
		}
		return 0;
	}
	if (!strcmp(opt, "bind") || !strcmp(opt, "rbind")) {
		*bind = true;
		*recursive = opt[0] == 'r';
		return 0;
	}
	if (bk_oci_propagation(opt)) {
		out->propagation = bk_oci_propagation(opt);
		return 0;
	}
	if (!strcmp(opt, "defaults") || !*opt)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		if (!strcmp(opt, refused[i]))
			return bk_fail("%s.options: '%s' is not supported by ocirun", at, opt);
	if (strchr(opt, ','))
		return bk_fail("%s.options: '%s' holds a comma", at, opt);
	size_t old = *data ? strlen(*data) : 0;
	char *n = realloc(*data, old + strlen(opt) + 2);
	if (!n)
		return bk_fail_errno(ENOMEM, "%s", at);
	snprintf(n + old, strlen(opt) + 2, "%s%s", old ? "," : "", opt);
	*data = n;
	return 0;
}

/* A bind source: absolute, or relative to the bundle. */
static int bind_source(const char *at, const char *src, const char *bundle, struct bk_mountreq *out,
		       char **owned_src)
{
	if (!src || !*src)
		return bk_fail("%s.source: a bind mount needs one", at);
	if (src[0] == '/') {
		out->src = src;
		return 0;
	}
	if (asprintf(owned_src, "%s/%s", bundle, src) < 0)
		return bk_fail_errno(ENOMEM, "%s", at);
	out->src = *owned_src;
	return 0;
}

int bk_oci_mount_parse(const json_t *m, size_t i, const char *bundle, struct bk_mountreq *out,
		       char **owned_data, char **owned_src)
{
	char at[32];
	const char *dst = NULL, *src = NULL, *type = NULL;
	const char **opts = NULL;
	bool bind = false, recursive = false;
	int r = 0;

	snprintf(at, sizeof(at), "mounts[%zu]", i);
	*out = (struct bk_mountreq){ .tree_fd = -1 };
	*owned_data = *owned_src = NULL;
	if (!json_is_object(m))
		return bk_fail("%s: not an object", at);
	if (bk_j_string(m, at, "destination", &dst) < 0 || bk_j_string(m, at, "source", &src) < 0 ||
	    bk_j_string(m, at, "type", &type) < 0 || bk_j_strv(m, at, "options", &opts) < 0)
		return -1;
	if (bk_j_get(m, "uidMappings") || bk_j_get(m, "gidMappings")) {
		free(opts);
		return bk_fail("%s: idmapped mounts (uidMappings, gidMappings) are not supported by ocirun", at);
	}
	if (!dst || !*dst) {
		free(opts);
		return bk_j_fail(at, "destination", "missing");
	}
	for (size_t k = 0; opts && opts[k] && r == 0; k++)
		r = take_option(at, opts[k], out, owned_data, &bind, &recursive);
	free(opts);
	if (r < 0)
		goto fail;
	/* "relative to /" (spec 1.1): the path is resolved inside the root */
	out->dst = dst;
	out->data = *owned_data;
	if (bind || (type && !strcmp(type, "bind"))) {
		out->bind_one = bind && !recursive;
		out->ro = (out->flags & MS_RDONLY) != 0;
		out->flags = 0;
		/* file system options mean nothing to a bind (mount(2) ignores them) */
		out->data = NULL;
		free(*owned_data);
		*owned_data = NULL;
		return bind_source(at, src, bundle, out, owned_src) < 0 ? -1 : 0;
	}
	if (!type || !*type) {
		bk_j_fail(at, "type", "missing (and the options name no bind)");
		goto fail;
	}
	out->type = type;
	out->src = src && *src ? src : type;
	out->attrs = 0;
	return 0;
fail:
	free(*owned_data);
	free(*owned_src);
	*owned_data = *owned_src = NULL;
	return -1;
}
