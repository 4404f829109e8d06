/* resources: linux.resources as cgroup settings (resources.h). */
#include "oci/resources.h"
#include "base/msg.h"
#include "oci/jfield.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int add(struct bk_oci_resources *r, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int add(struct bk_oci_resources *r, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (r->n == BK_OCI_MAX_REQS)
		return bk_fail("linux.resources: more than %d settings", BK_OCI_MAX_REQS);
	snprintf(r->name[r->n], sizeof(r->name[0]), "%s", name);
	va_start(ap, fmt);
	vsnprintf(r->value[r->n], sizeof(r->value[0]), fmt, ap);
	va_end(ap);
	r->req[r->n] = (struct bk_cg_req){ r->name[r->n], r->value[r->n] };
	r->n++;
	return 0;
}

static void warn(struct bk_oci_resources *r, const char *what)
{
	size_t n = strlen(r->warnings);

	snprintf(r->warnings + n, sizeof(r->warnings) - n, "%s%s", n ? "; " : "", what);
}

/* An integer field written as NAME when given and not zero (-1 kept). */
static int limit(struct bk_oci_resources *r, const json_t *o, const char *at, const char *key,
		 const char *file, int64_t min, int64_t max)
{
	int64_t v = 0;
	bool given;

	if (bk_j_int(o, at, key, min, max, &v, &given) < 0)
		return -1;
	if (!given || v == 0)
		return 0;
	return add(r, file, "%" PRId64, v);
}

static int memory(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64];
	json_t *m;
	int64_t v = 0;
	bool given, b = false;

	if (bk_j_typed(res, at, "memory", JSON_OBJECT, &m) < 0)
		return -1;
	if (!m)
		return 0;
	bk_j_path(where, sizeof(where), at, "memory");
	if (limit(r, m, where, "limit", "memory.limit_in_bytes", -1, INT64_MAX) < 0 ||
	    limit(r, m, where, "swap", "memory.memsw.limit_in_bytes", -1, INT64_MAX) < 0 ||
	    limit(r, m, where, "reservation", "memory.soft_limit_in_bytes", -1, INT64_MAX) < 0 ||
	    limit(r, m, where, "kernelTCP", "memory.kmem.tcp.limit_in_bytes", -1, INT64_MAX) < 0)
		return -1;
	if (bk_j_int(m, where, "kernel", -1, INT64_MAX, &v, &given) < 0)
		return -1;
	if (given && v)
		warn(r, "memory.kernel is ignored (kernel memory limits are gone from Linux 6.x)");
	if (bk_j_int(m, where, "swappiness", 0, 100, &v, &given) < 0)
		return -1;
	if (given && add(r, "memory.swappiness", "%" PRId64, v) < 0)
		return -1;
	if (bk_j_bool(m, where, "disableOOMKiller", &b) < 0)
		return -1;
	if (b && add(r, "memory.oom_control", "1") < 0)
		return -1;
	b = false;
	if (bk_j_bool(m, where, "useHierarchy", &b) < 0)
		return -1;
	return b ? add(r, "memory.use_hierarchy", "1") : 0;
}

static int cpu(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64];
	const char *cpus = NULL, *mems = NULL;
	json_t *c;

	if (bk_j_typed(res, at, "cpu", JSON_OBJECT, &c) < 0)
		return -1;
	if (!c)
		return 0;
	bk_j_path(where, sizeof(where), at, "cpu");
	if (limit(r, c, where, "shares", "cpu.shares", 0, 262144) < 0 ||
	    limit(r, c, where, "period", "cpu.cfs_period_us", 0, 1000000) < 0 ||
	    limit(r, c, where, "quota", "cpu.cfs_quota_us", -1, INT64_MAX) < 0 ||
	    limit(r, c, where, "burst", "cpu.cfs_burst_us", 0, INT64_MAX) < 0 ||
	    limit(r, c, where, "realtimePeriod", "cpu.rt_period_us", 0, INT64_MAX) < 0 ||
	    limit(r, c, where, "realtimeRuntime", "cpu.rt_runtime_us", -1, INT64_MAX) < 0 ||
	    limit(r, c, where, "idle", "cpu.idle", 0, 1) < 0)
		return -1;
	if (bk_j_string(c, where, "cpus", &cpus) < 0 || bk_j_string(c, where, "mems", &mems) < 0)
		return -1;
	if (cpus && *cpus && add(r, "cpuset.cpus", "%s", cpus) < 0)
		return -1;
	return mems && *mems ? add(r, "cpuset.mems", "%s", mems) : 0;
}

static int pids(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64];
	json_t *p;
	int64_t v = 0;
	bool given;

	if (bk_j_typed(res, at, "pids", JSON_OBJECT, &p) < 0)
		return -1;
	if (!p)
		return 0;
	bk_j_path(where, sizeof(where), at, "pids");
	if (bk_j_int(p, where, "limit", -1, INT64_MAX, &v, &given) < 0)
		return -1;
	if (!given)
		return 0;
	return v > 0 ? add(r, "pids.max", "%" PRId64, v) : add(r, "pids.max", "max");
}

/* blkio's per-device lists: "MAJOR:MINOR VALUE" lines. */
static int blkio_devices(struct bk_oci_resources *r, const json_t *b, const char *at,
			 const char *key, const char *value_key, const char *file)
{
	char where[96];
	json_t *list, *d;
	size_t i;

	if (bk_j_typed(b, at, key, JSON_ARRAY, &list) < 0)
		return -1;
	json_array_foreach(list, i, d) {
		int64_t major = 0, minor = 0, v = 0;
		bool given;

		snprintf(where, sizeof(where), "%s.%s[%zu]", at, key, i);
		if (bk_j_int(d, where, "major", 0, BK_DEV_MAJOR_MAX, &major, NULL) < 0 ||
		    bk_j_int(d, where, "minor", 0, BK_DEV_MINOR_MAX, &minor, NULL) < 0 ||
		    bk_j_int(d, where, value_key, 0, INT64_MAX, &v, &given) < 0)
			return -1;
		if (given && add(r, file, "%" PRId64 ":%" PRId64 " %" PRId64, major, minor, v) < 0)
			return -1;
	}
	return 0;
}

static int blkio(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64];
	json_t *b;

	if (bk_j_typed(res, at, "blockIO", JSON_OBJECT, &b) < 0)
		return -1;
	if (!b)
		return 0;
	bk_j_path(where, sizeof(where), at, "blockIO");
	return limit(r, b, where, "weight", "blkio.weight", 0, 1000) < 0 ||
	       limit(r, b, where, "leafWeight", "blkio.leaf_weight", 0, 1000) < 0 ||
	       blkio_devices(r, b, where, "weightDevice", "weight", "blkio.weight_device") < 0 ||
	       blkio_devices(r, b, where, "weightDevice", "leafWeight", "blkio.leaf_weight_device") < 0 ||
	       blkio_devices(r, b, where, "throttleReadBpsDevice", "rate", "blkio.throttle.read_bps_device") < 0 ||
	       blkio_devices(r, b, where, "throttleWriteBpsDevice", "rate", "blkio.throttle.write_bps_device") < 0 ||
	       blkio_devices(r, b, where, "throttleReadIOPSDevice", "rate", "blkio.throttle.read_iops_device") < 0 ||
	       blkio_devices(r, b, where, "throttleWriteIOPSDevice", "rate", "blkio.throttle.write_iops_device") < 0
	       ? -1 : 0;
}

static int hugetlb(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64], file[96];
	json_t *list, *h;
	size_t i;

	if (bk_j_typed(res, at, "hugepageLimits", JSON_ARRAY, &list) < 0)
		return -1;
	json_array_foreach(list, i, h) {
		const char *size = NULL;
		int64_t v = 0;

		snprintf(where, sizeof(where), "%s.hugepageLimits[%zu]", at, i);
		if (bk_j_string(h, where, "pageSize", &size) < 0 ||
		    bk_j_int(h, where, "limit", 0, INT64_MAX, &v, NULL) < 0)
			return -1;
		if (!size || !*size || strspn(size, "0123456789KMGB") != strlen(size))
			return bk_j_fail(where, "pageSize", "'%s' is not a page size like 2MB", size ? size : "");
		snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", size);
		if (add(r, file, "%" PRId64, v) < 0)
			return -1;
	}
	return 0;
}

static int network(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64], w2[128];
	json_t *n, *list, *p;
	size_t i;

	if (bk_j_typed(res, at, "network", JSON_OBJECT, &n) < 0)
		return -1;
	if (!n)
		return 0;
	bk_j_path(where, sizeof(where), at, "network");
	if (limit(r, n, where, "classID", "net_cls.classid", 0, UINT32_MAX) < 0 ||
	    bk_j_typed(n, where, "priorities", JSON_ARRAY, &list) < 0)
		return -1;
	json_array_foreach(list, i, p) {
		const char *name = NULL;
		int64_t prio = 0;

		snprintf(w2, sizeof(w2), "%s.priorities[%zu]", where, i);
		if (bk_j_string(p, w2, "name", &name) < 0 ||
		    bk_j_int(p, w2, "priority", 0, UINT32_MAX, &prio, NULL) < 0)
			return -1;
		if (!name || !*name || strpbrk(name, " \n/"))
			return bk_j_fail(w2, "name", "not an interface name");
		if (add(r, "net_prio.ifpriomap", "%s %" PRId64, name, prio) < 0)
			return -1;
	}
	return 0;
}

static int device_rule(const json_t *d, const char *at, struct bk_dev_rule *rule)
{
	const char *type = "a", *access = "rwm";
	int64_t major = BK_DEV_ANY, minor = BK_DEV_ANY;
	bool allow = false;

	if (!json_is_object(d))
		return bk_fail("%s: not an object", at);
	if (bk_j_bool(d, at, "allow", &allow) < 0 || bk_j_string(d, at, "type", &type) < 0 ||
	    bk_j_string(d, at, "access", &access) < 0 ||
	    bk_j_int(d, at, "major", -1, BK_DEV_MAJOR_MAX, &major, NULL) < 0 ||
	    bk_j_int(d, at, "minor", -1, BK_DEV_MINOR_MAX, &minor, NULL) < 0)
		return -1;
	if (strcmp(type, "a") && strcmp(type, "c") && strcmp(type, "b"))
		return bk_j_fail(at, "type", "'%s' is not a, c or b", type);
	if (!*access || strspn(access, "rwm") != strlen(access))
		return bk_j_fail(at, "access", "'%s' is not made of r, w and m", access);
	*rule = (struct bk_dev_rule){ .type = type[0], .major = major, .minor = minor, .allow = allow };
	for (const char *a = access; *a; a++)
		rule->access |= *a == 'r' ? BK_DEV_R : *a == 'w' ? BK_DEV_W : BK_DEV_M;
	if (rule->type == 'a')
		*rule = (struct bk_dev_rule){ .type = 'a', .major = BK_DEV_ANY, .minor = BK_DEV_ANY,
					      .access = BK_DEV_RWM, .allow = allow };
	return 0;
}

static int devices(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	char where[64];
	json_t *list, *d;
	size_t i;

	if (bk_j_typed(res, at, "devices", JSON_ARRAY, &list) < 0)
		return -1;
	r->has_devices = list != NULL;
	json_array_foreach(list, i, d) {
		struct bk_dev_rule rule;

		snprintf(where, sizeof(where), "%s.devices[%zu]", at, i);
		if (device_rule(d, where, &rule) < 0 || bk_dev_rules_add(&r->dev, &rule) < 0)
			return bk_fail_wrap("%s", where);
	}
	return 0;
}

/* linux.resources.unified: cgroup v2 files by name, written as given. */
static int unified(struct bk_oci_resources *r, const json_t *res, const char *at)
{
	const char *key;
	json_t *u, *v;

	if (bk_j_typed(res, at, "unified", JSON_OBJECT, &u) < 0)
		return -1;
	json_object_foreach(u, key, v) {
		if (!json_is_string(v))
			return bk_fail("%s.unified.%s: not a string", at, key);
		if (strchr(key, '/') || !strchr(key, '.'))
			return bk_fail("%s.unified.%s: not a cgroup file name", at, key);
		if (add(r, key, "%s", json_string_value(v)) < 0)
			return -1;
	}
	return 0;
}

int bk_oci_resources_parse(const json_t *res, const char *at, struct bk_oci_resources *out)
{
	memset(out, 0, sizeof(*out));
	bk_dev_rules_init(&out->dev);
	if (!res)
		return 0;
	if (!json_is_object(res))
		return bk_fail("%s: not an object", at);
	if (bk_j_get(res, "rdma"))
		return bk_j_fail(at, "rdma", "not supported by ocirun");
	return memory(out, res, at) < 0 || cpu(out, res, at) < 0 || pids(out, res, at) < 0 ||
	       blkio(out, res, at) < 0 || hugetlb(out, res, at) < 0 || network(out, res, at) < 0 ||
	       devices(out, res, at) < 0 || unified(out, res, at) < 0 ? -1 : 0;
}
