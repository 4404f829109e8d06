/* cgstats: read a group's usage numbers (cgstats.h). Each number comes
 * from one small file: cgroup_get_cgroup() would read every file of every
 * controller, a few hundred reads for five numbers. */
#include "cgroup/cgstats.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* v1 reports "no limit" as PAGE_COUNTER_MAX pages (0x7FFFFFFFFFFFF000). */
#define V1_UNLIMITED (1ULL << 62)

static bool parse_num(const char *s, struct bk_cg_num *n)
{
	char *end;
	unsigned long long v;

	if (!s)
		return false;
	if (!strncmp(s, "max", 3)) {
		n->have = n->unlimited = true;
		return true;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	n->have = true;
	n->unlimited = v >= V1_UNLIMITED;
	n->v = v;
	return true;
}

static void read_num(const struct bk_cgroup *g, const char *ctrl, const char *file,
		     struct bk_cg_num *n)
{
	_cleanup_free_ char *s = bk_cg_read(g, ctrl, file);

	parse_num(s, n);
}

/* "KEY N" in a flat keyed file (memory.events, cpu.stat, oom_control). */
static void read_key(const struct bk_cgroup *g, const char *ctrl, const char *file,
		     const char *key, struct bk_cg_num *n)
{
	_cleanup_free_ char *s = bk_cg_read(g, ctrl, file);
	size_t klen = strlen(key);

	for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		if (!strncmp(line, key, klen) && line[klen] == ' ') {
			parse_num(line + klen + 1, n);
			return;
		}
}

static bool has_dir(const struct bk_cg_ctrl *c)
{
	struct stat st;

	return c && stat(c->dir, &st) == 0 && S_ISDIR(st.st_mode);
}

int bk_cg_stats_read(const struct bk_cgroup *g, struct bk_cg_stats *s)
{
	const struct bk_cg_ctrl *mem = bk_cg_find(g, "memory"), *pids = bk_cg_find(g, "pids");
	const struct bk_cg_ctrl *cpu = bk_cg_find(g, "cpuacct");

	memset(s, 0, sizeof(*s));
	if (!has_dir(mem) && !has_dir(pids) && !has_dir(cpu))
		return bk_fail("%s: no such group", g->path);
	if (has_dir(mem) && mem->v2) {
		read_num(g, "memory", "memory.current", &s->mem_current);
		read_num(g, "memory", "memory.peak", &s->mem_peak);
		read_num(g, "memory", "memory.max", &s->mem_max);
		read_key(g, "memory", "memory.events", "oom_kill", &s->oom_kills);
	} else if (has_dir(mem)) {
		read_num(g, "memory", "memory.usage_in_bytes", &s->mem_current);
		read_num(g, "memory", "memory.max_usage_in_bytes", &s->mem_peak);
		read_num(g, "memory", "memory.limit_in_bytes", &s->mem_max);
		read_key(g, "memory", "memory.oom_control", "oom_kill", &s->oom_kills);
	}
	if (has_dir(cpu) && cpu->v2) {
		read_key(g, "cpu", "cpu.stat", "usage_usec", &s->cpu_usec);
	} else if (has_dir(cpu)) {
		read_num(g, "cpuacct", "cpuacct.usage", &s->cpu_usec);
		s->cpu_usec.v /= 1000;
	}
	if (has_dir(pids)) {
		read_num(g, "pids", "pids.current", &s->pids_current);
		read_num(g, "pids", "pids.max", &s->pids_max);
	}
	return 0;
}

static const struct {
	const char *text, *group, *key;
	size_t off;
} fields[] = {
	{ "memory.current", "memory", "current", offsetof(struct bk_cg_stats, mem_current) },
	{ "memory.peak", "memory", "peak", offsetof(struct bk_cg_stats, mem_peak) },
	{ "memory.max", "memory", "max", offsetof(struct bk_cg_stats, mem_max) },
	{ "memory.oom_kills", "memory", "oom_kills", offsetof(struct bk_cg_stats, oom_kills) },
	{ "cpu.usage_usec", "cpu", "usage_usec", offsetof(struct bk_cg_stats, cpu_usec) },
	{ "pids.current", "pids", "current", offsetof(struct bk_cg_stats, pids_current) },
	{ "pids.max", "pids", "max", offsetof(struct bk_cg_stats, pids_max) },
};

static const struct bk_cg_num *field(const struct bk_cg_stats *s, size_t i)
{
	return (const struct bk_cg_num *)((const char *)s + fields[i].off);
}

char *bk_cg_stats_text(const struct bk_cg_stats *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		bk_fail_errno(errno, "stats");
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct bk_cg_num *n = field(s, i);

		if (n->have && n->unlimited)
			fprintf(f, "%s max\n", fields[i].text);
		else if (n->have)
			fprintf(f, "%s %llu\n", fields[i].text, (unsigned long long)n->v);
	}
	fclose(f);
	return buf;
}

/* Add N as GROUP.KEY (null when unlimited); 0 or -1. */
static int json_add(json_t *root, const char *group, const char *key, const struct bk_cg_num *n)
{
	json_t *grp = json_object_get(root, group);

	if (!grp && json_object_set_new(root, group, grp = json_object()) < 0)
		return -1;
	return json_object_set_new(grp, key, n->unlimited ? json_null() :
				   json_integer((json_int_t)n->v));
}

/* {"path": P, "memory": {"current": N, "max": null (unlimited), ...}, ...}
 * Numbers the host does not have are left out. */
char *bk_cg_stats_json(const struct bk_cg_stats *s, const char *path)
{
	json_auto_t *root = json_object();   /* jansson's cleanup-attribute type */
	char *out;

	if (!root || json_object_set_new(root, "path", json_string(path)) < 0)
		return bk_fail("stats: cannot build JSON"), NULL;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (field(s, i)->have && json_add(root, fields[i].group, fields[i].key, field(s, i)) < 0)
			return bk_fail("stats: cannot build JSON"), NULL;
	out = json_dumps(root, JSON_COMPACT);
	if (!out)
		bk_fail("stats: cannot build JSON");
	return out;
}
