/* config: an OCI bundle's config.json (config.h). */
#include "oci/config.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "oci/jfield.h"
#include "oci/mounts.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int parse_root(struct bk_oci_config *c)
{
	char path[PATH_MAX], real[PATH_MAX];
	const char *p = NULL;
	json_t *root;
	struct stat st;

	if (bk_j_typed(c->json, "", "root", JSON_OBJECT, &root) < 0 ||
	    bk_j_string(root, "root", "path", &p) < 0 || bk_j_bool(root, "root", "readonly", &c->root_ro) < 0)
		return -1;
	if (!p || !*p)
		return bk_fail("root.path: missing");
	snprintf(path, sizeof(path), "%s%s%s", p[0] == '/' ? "" : c->bundle, p[0] == '/' ? "" : "/", p);
	if (!realpath(path, real) || stat(real, &st) < 0)
		return bk_fail_errno(errno, "root.path %s", path);
	if (!S_ISDIR(st.st_mode))
		return bk_fail("root.path %s: not a directory", path);
	c->rootfs = strdup(real);
	return c->rootfs ? 0 : bk_fail_errno(ENOMEM, "root.path");
}

static int keep(struct bk_oci_config *c, char *s)
{
	char **n;

	if (!s)
		return 0;
	n = realloc(c->owned, (c->nowned + 1) * sizeof(*n));
	if (!n) {
		free(s);
		return bk_fail_errno(ENOMEM, "mounts");
	}
	c->owned = n;
	c->owned[c->nowned++] = s;
	return 0;
}

static int parse_mounts(struct bk_oci_config *c)
{
	json_t *list, *m;
	size_t i;

	if (bk_j_typed(c->json, "", "mounts", JSON_ARRAY, &list) < 0)
		return -1;
	if (!json_array_size(list))
		return 0;
	c->mounts = calloc(json_array_size(list), sizeof(*c->mounts));
	if (!c->mounts)
		return bk_fail_errno(ENOMEM, "mounts");
	json_array_foreach(list, i, m) {
		char *data, *src;
		int r = bk_oci_mount_parse(m, i, c->bundle, &c->mounts[i], &data, &src);
		if (r < 0 || keep(c, data) < 0 || keep(c, src) < 0)
			return -1;
		c->cgroup_mount |= c->mounts[i].type && !strcmp(c->mounts[i].type, "cgroup");
		c->nmounts++;
	}
	return 0;
}

static const struct {
	const char *name;
	enum bk_ns_kind kind;
} ns_types[] = {
	{ "pid", BK_NS_PID }, { "network", BK_NS_NET }, { "mount", BK_NS_MNT },
	{ "ipc", BK_NS_IPC }, { "uts", BK_NS_UTS }, { "user", BK_NS_USER },
	{ "cgroup", BK_NS_CGROUP }, { "time", BK_NS_TIME },
};

/* Joined namespaces that are the runtime's own are not the container's. */
static bool is_hosts(const char *path, enum bk_ns_kind k)
{
	char mine[64];
	struct stat a, b;

	snprintf(mine, sizeof(mine), "/proc/self/ns/%s", bk_ns_name(k));
	return stat(path, &a) == 0 && stat(mine, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int parse_one_ns(struct bk_oci_config *c, const json_t *n, size_t i, unsigned *seen)
{
	char at[48];
	const char *type = NULL, *path = NULL;
	size_t t;

	snprintf(at, sizeof(at), "linux.namespaces[%zu]", i);
	if (bk_j_string(n, at, "type", &type) < 0 || bk_j_string(n, at, "path", &path) < 0)
		return -1;
	for (t = 0; type && t < ARRAY_SIZE(ns_types); t++)
		if (!strcmp(type, ns_types[t].name))
			break;
	if (!type || t == ARRAY_SIZE(ns_types))
		return bk_j_fail(at, "type", "'%s' is not a namespace type", type ? type : "");
	enum bk_ns_kind k = ns_types[t].kind;
	if (*seen & (1u << k))
		return bk_j_fail(at, "type", "%s given twice", type);
	*seen |= 1u << k;
	if (path && *path) {
		if (path[0] != '/')
			return bk_j_fail(at, "path", "'%s' is not absolute", path);
		c->ns_path[k] = path;
		if (!is_hosts(path, k))
			c->ns_own |= 1u << k;
	} else {
		c->ns_new |= bk_ns_flag(k);
		c->ns_own |= 1u << k;
	}
	return 0;
}

static int parse_idmap(const json_t *lx, const char *key, struct bk_idmap_range **out, size_t *n)
{
	char at[48];
	json_t *list, *m;
	size_t i;

	if (bk_j_typed(lx, "linux", key, JSON_ARRAY, &list) < 0)
		return -1;
	if (!json_array_size(list))
		return 0;
	if (json_array_size(list) > BK_IDMAP_MAX)
		return bk_fail("linux.%s: more than %d ranges", key, BK_IDMAP_MAX);
	*out = calloc(json_array_size(list), sizeof(**out));
	if (!*out)
		return bk_fail_errno(ENOMEM, "linux.%s", key);
	json_array_foreach(list, i, m) {
		int64_t cid = 0, hid = 0, size = 0;

		snprintf(at, sizeof(at), "linux.%s[%zu]", key, i);
		if (bk_j_int(m, at, "containerID", 0, UINT32_MAX - 1, &cid, NULL) < 0 ||
		    bk_j_int(m, at, "hostID", 0, UINT32_MAX - 1, &hid, NULL) < 0 ||
		    bk_j_int(m, at, "size", 1, UINT32_MAX, &size, NULL) < 0)
			return -1;
		if (!size)
			return bk_j_fail(at, "size", "missing");
		(*out)[i] = (struct bk_idmap_range){ (uint32_t)cid, (uint32_t)hid, (uint32_t)size };
		(*n)++;
	}
	return 0;
}

static int parse_namespaces(struct bk_oci_config *c, const json_t *lx)
{
	json_t *list, *n;
	unsigned seen = 0;
	size_t i;

	if (bk_j_typed(lx, "linux", "namespaces", JSON_ARRAY, &list) < 0)
		return -1;
	json_array_foreach(list, i, n)
		if (parse_one_ns(c, n, i, &seen) < 0)
			return -1;
	if (parse_idmap(lx, "uidMappings", &c->uidmap, &c->nuidmap) < 0 ||
	    parse_idmap(lx, "gidMappings", &c->gidmap, &c->ngidmap) < 0)
		return -1;
	if ((c->nuidmap || c->ngidmap) && !(c->ns_new & CLONE_NEWUSER))
		return bk_fail("linux.uidMappings: id maps need a new user namespace");
	if ((c->ns_new & CLONE_NEWUSER) && (!c->nuidmap || !c->ngidmap))
		return bk_fail("linux.uidMappings, gidMappings: a new user namespace needs both");
	/* without one, the root is a chroot and a remount would be the host's */
	if (c->root_ro && !(c->ns_new & CLONE_NEWNS) && !c->ns_path[BK_NS_MNT])
		return bk_fail("root.readonly: needs a mount namespace of the container's own");
	if (c->hostname && *c->hostname && !(c->ns_own & (1u << BK_NS_UTS)))
		return bk_fail("hostname: setting it needs a uts namespace of the container's own");
	if (c->domainname && *c->domainname && !(c->ns_own & (1u << BK_NS_UTS)))
		return bk_fail("domainname: setting it needs a uts namespace of the container's own");
	return 0;
}

static int parse_devices(struct bk_oci_config *c, const json_t *lx)
{
	char at[48];
	json_t *list, *d;
	size_t i;

	if (bk_j_typed(lx, "linux", "devices", JSON_ARRAY, &list) < 0)
		return -1;
	if (!json_array_size(list))
		return 0;
	c->devices = calloc(json_array_size(list), sizeof(*c->devices));
	if (!c->devices)
		return bk_fail_errno(ENOMEM, "linux.devices");
	json_array_foreach(list, i, d) {
		struct bk_devnode *n = &c->devices[i];
		const char *type = NULL;
		int64_t major = 0, minor = 0, mode = 0666, uid = 0, gid = 0;
		bool has_major, has_minor;

		snprintf(at, sizeof(at), "linux.devices[%zu]", i);
		if (bk_j_string(d, at, "path", &n->path) < 0 || bk_j_string(d, at, "type", &type) < 0 ||
		    bk_j_int(d, at, "major", 0, BK_DEV_MAJOR_MAX, &major, &has_major) < 0 ||
		    bk_j_int(d, at, "minor", 0, BK_DEV_MINOR_MAX, &minor, &has_minor) < 0 ||
		    bk_j_int(d, at, "fileMode", 0, 07777, &mode, NULL) < 0 ||
		    bk_j_int(d, at, "uid", 0, UINT32_MAX - 1, &uid, NULL) < 0 ||
		    bk_j_int(d, at, "gid", 0, UINT32_MAX - 1, &gid, NULL) < 0)
			return -1;
		if (!n->path || n->path[0] != '/')
			return bk_j_fail(at, "path", "missing or not absolute");
		if (!type || (strcmp(type, "c") && strcmp(type, "b") && strcmp(type, "u") && strcmp(type, "p")))
			return bk_j_fail(at, "type", "'%s' is not c, b, u or p", type ? type : "");
		if (strcmp(type, "p") && (!has_major || !has_minor))
			return bk_fail("%s: major and minor are required", at);
		n->type = type[0] == 'u' ? 'c' : type[0];
		n->major = (uint32_t)major;
		n->minor = (uint32_t)minor;
		n->mode = (unsigned)mode;
		n->uid = (unsigned)uid;
		n->gid = (unsigned)gid;
		c->ndevices++;
		/* runc's rule: a device the config makes is one it may use */
		if (n->type != 'p') {
			struct bk_dev_rule r = { n->type, major, minor, BK_DEV_RWM, true };
			if (bk_dev_rules_add(&c->res.dev, &r) < 0)
				return bk_fail_wrap("%s", at);
		}
	}
	return 0;
}

static int parse_sysctl(struct bk_oci_config *c, const json_t *lx)
{
	const char *key;
	json_t *o, *v;
	size_t i = 0;

	if (bk_j_typed(lx, "linux", "sysctl", JSON_OBJECT, &o) < 0)
		return -1;
	if (!json_object_size(o))
		return 0;
	c->sysctl_names = calloc(json_object_size(o), sizeof(char *));
	c->sysctl_values = calloc(json_object_size(o), sizeof(char *));
	if (!c->sysctl_names || !c->sysctl_values)
		return bk_fail_errno(ENOMEM, "linux.sysctl");
	json_object_foreach(o, key, v) {
		if (!json_is_string(v))
			return bk_fail("linux.sysctl.%s: not a string", key);
		c->sysctl_names[i] = key;
		c->sysctl_values[i++] = json_string_value(v);
	}
	c->nsysctl = i;
	return 0;
}

static int parse_paths(const json_t *lx, const char *key, const char ***out, size_t *n)
{
	if (bk_j_strv(lx, "linux", key, out) < 0)
		return -1;
	for (*n = 0; *out && (*out)[*n]; (*n)++)
		if ((*out)[*n][0] != '/')
			return bk_fail("linux.%s[%zu]: '%s' is not absolute", key, *n, (*out)[*n]);
	return 0;
}

/* Fields of linux that name something bockit does not do. */
static int refuse_linux(const json_t *lx)
{
	static const char *const fields[] = {
		"intelRdt", "personality", "timeOffsets", "memoryPolicy", "netDevices",
	};
	const char *label = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (bk_j_get(lx, fields[i]))
			return bk_j_fail("linux", fields[i], "not supported by ocirun");
	if (bk_j_string(lx, "linux", "mountLabel", &label) < 0)
		return -1;
	if (label && *label)
		return bk_fail("linux.mountLabel: SELinux labels are not supported by ocirun");
	return 0;
}

static int parse_linux(struct bk_oci_config *c)
{
	const char *prop = NULL;
	json_t *lx, *res;

	if (bk_j_typed(c->json, "", "linux", JSON_OBJECT, &lx) < 0)
		return -1;
	c->propagation = MS_SLAVE | MS_REC;
	if (!lx)
		return bk_fail("linux: missing (it holds the namespaces)");
	if (refuse_linux(lx) < 0 || parse_namespaces(c, lx) < 0 ||
	    bk_j_string(lx, "linux", "cgroupsPath", &c->cgroups_path) < 0 ||
	    bk_j_typed(lx, "linux", "resources", JSON_OBJECT, &res) < 0 ||
	    bk_oci_resources_parse(res, "linux.resources", &c->res) < 0 ||
	    parse_devices(c, lx) < 0 || parse_sysctl(c, lx) < 0 ||
	    parse_paths(lx, "maskedPaths", &c->masked, &c->nmasked) < 0 ||
	    parse_paths(lx, "readonlyPaths", &c->readonly, &c->nreadonly) < 0 ||
	    bk_j_string(lx, "linux", "rootfsPropagation", &prop) < 0)
		return -1;
	if (prop && *prop && !(c->propagation = bk_oci_propagation(prop)))
		return bk_fail("linux.rootfsPropagation: '%s' is not a propagation", prop);
	c->seccomp = bk_j_get(lx, "seccomp");
	if (c->seccomp && !json_is_object(c->seccomp))
		return bk_fail("linux.seccomp: not an object");
	if (c->cgroups_path && strchr(c->cgroups_path, ':'))
		return bk_fail("linux.cgroupsPath '%s': a systemd slice:prefix:name path needs the systemd "
			       "cgroup manager, which ocirun does not have", c->cgroups_path);
	return 0;
}

static int parse_all(struct bk_oci_config *c)
{
	json_t *p;
	const char *version = NULL;

	if (!json_is_object(c->json))
		return bk_fail("config.json: not a JSON object");
	if (bk_j_string(c->json, "", "ociVersion", &version) < 0)
		return -1;
	if (!version || strncmp(version, "1.", 2))
		return bk_fail("ociVersion: '%s' is not a 1.x version", version ? version : "");
	if (bk_j_string(c->json, "", "hostname", &c->hostname) < 0 ||
	    bk_j_string(c->json, "", "domainname", &c->domainname) < 0 ||
	    bk_j_typed(c->json, "", "annotations", JSON_OBJECT, (json_t **)&c->annotations) < 0)
		return -1;
	if (bk_j_get(c->json, "windows") || bk_j_get(c->json, "solaris") || bk_j_get(c->json, "vm"))
		return bk_fail("config.json: only linux containers are supported by ocirun");
	if (parse_root(c) < 0)
		return -1;
	if (bk_j_typed(c->json, "", "process", JSON_OBJECT, &p) < 0)
		return -1;
	if (!p)
		return bk_fail("process: missing");
	if (bk_oci_process_parse(p, "process", &c->proc) < 0 || parse_mounts(c) < 0 ||
	    bk_oci_hooks_parse(bk_j_get(c->json, "hooks"), &c->hooks) < 0 || parse_linux(c) < 0)
		return -1;
	return 0;
}

int bk_oci_config_parse_text(const char *text, const char *bundle, struct bk_oci_config *c)
{
	json_error_t err;
	char real[PATH_MAX];

	memset(c, 0, sizeof(*c));
	if (!realpath(bundle, real))
		return bk_fail_errno(errno, "bundle %s", bundle);
	c->bundle = strdup(real);
	c->json = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!c->json) {
		free(c->bundle);
		c->bundle = NULL;
		return bk_fail("config.json: line %d: %s", err.line, err.text);
	}
	if (!c->bundle || parse_all(c) < 0) {
		bk_oci_config_free(c);
		return -1;
	}
	return 0;
}

int bk_oci_config_load(const char *bundle, const char *file, struct bk_oci_config *c)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	text = bk_read_small(file ? file : path, 16 << 20);
	if (!text)
		return bk_fail_wrap("bundle %s", bundle);
	return bk_oci_config_parse_text(text, bundle, c);
}

void bk_oci_config_free(struct bk_oci_config *c)
{
	for (size_t i = 0; i < c->nowned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->mounts);
	bk_oci_process_free(&c->proc);
	bk_oci_hooks_free(&c->hooks);
	free(c->uidmap);
	free(c->gidmap);
	free(c->masked);
	free(c->readonly);
	free(c->sysctl_names);
	free(c->sysctl_values);
	free(c->devices);
	free(c->rootfs);
	free(c->bundle);
	json_decref(c->json);
	memset(c, 0, sizeof(*c));
}

int bk_oci_config_cgroup_path(const struct bk_oci_config *c, const char *id, char *buf, size_t len)
{
	const char *p = c->cgroups_path;
	int n;

	if (!p || !*p)
		n = snprintf(buf, len, "/ocirun-%s", id);
	else
		n = snprintf(buf, len, "%s%s", p[0] == '/' ? "" : "/", p);
	if (n < 0 || (size_t)n >= len)
		return bk_fail("linux.cgroupsPath: too long");
	return 0;
}
