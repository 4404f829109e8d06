/* cgnames: v1 <-> v2 translation of cgroup settings (cgnames.h). */
#include "cgroup/cgnames.h"
#include "base/array.h"
#include "base/msg.h"
#include "base/size.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- cpu.shares <-> cpu.weight, crun's formula ---- */

uint64_t bk_cg_shares_to_weight(uint64_t shares)
{
	double l;

	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	/* A quadratic in log2(shares) through (2, 1), (1024, 100) and
	 * (262144, 10000), as crun computes it. */
	l = log2((double)shares);
	return (uint64_t)ceil(pow(10, (l * l + 125 * l) / 612.0 - 7.0 / 34.0));
}

uint64_t bk_cg_weight_to_shares(uint64_t weight)
{
	double l;

	if (weight == 0)
		return 0;
	if (weight <= 1)
		return 2;
	if (weight >= 10000)
		return 262144;
	/* Solve (l^2 + 125 l)/612 - 7/34 = log10(weight) for l = log2(shares),
	 * and take the largest shares that still map to this weight, so a
	 * weight read back converts to the same weight. */
	l = (-125 + sqrt(15625 + 2448 * (log10((double)weight) + 7.0 / 34.0))) / 2;
	return (uint64_t)(exp2(l) + 1e-6);
}

/* ---- names ---- */

const char *bk_cg_controller_alias(const char *name, bool to_v2)
{
	if (to_v2 && !strcmp(name, "cpuacct"))
		return "cpu";
	if (to_v2 && !strcmp(name, "blkio"))
		return "io";
	if (!to_v2 && !strcmp(name, "io"))
		return "blkio";
	return NULL;
}

int bk_cg_controller_of(const char *file, char *buf, size_t len)
{
	const char *dot = strchr(file, '.');
	size_t n = dot ? (size_t)(dot - file) : 0;

	if (n == 0 || n >= len || !dot[1])
		return bk_fail("'%s': not a controller file (CONTROLLER.NAME)", file);
	memcpy(buf, file, n);
	buf[n] = '\0';
	return 0;
}

#define CPUS_RANGE "'%s' is not in 0.01..1000000"

int bk_cg_cpus_to_quota(const char *cpus, uint64_t *quota, uint64_t *period)
{
	uint64_t whole = 0, frac = 0, scale = 100000;
	const char *p = cpus;

	if (*p < '0' || *p > '9')
		return bk_fail("'%s' is not a number", cpus);
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > 1000000)
			return bk_fail(CPUS_RANGE, cpus);
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (*p)
		return bk_fail("'%s' is not a number", cpus);
	*period = 100000;
	*quota = whole * 100000 + frac;
	if (*quota < 1000)
		return bk_fail(CPUS_RANGE, cpus);
	return 0;
}

/* ---- planning ---- */

/* A limit: a number, or unlimited ("max" on v2, -1 on v1). */
struct lim {
	bool set;
	bool unlimited;
	uint64_t v;
};

struct plan {
	struct lim mem, low, memsw, swap, quota, period;
	uint64_t shares, weight;   /* 0: not given */
	struct bk_cg_write *out;
	size_t n, max;
	bk_cg_version_fn version;
	void *arg;
};

static int parse_lim(const char *name, const char *value, bool size, struct lim *l)
{
	l->set = true;
	l->unlimited = !strcmp(value, "max") || !strcmp(value, "-1");
	if (l->unlimited)
		return 0;
	if ((size ? bk_parse_size(value, &l->v) : bk_parse_u64(value, &l->v)) < 0)
		return bk_fail_wrap("%s", name);
	return 0;
}

static int emit(struct plan *p, const char *ctrl, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int emit(struct plan *p, const char *ctrl, const char *file, const char *fmt, ...)
{
	struct bk_cg_write *w;
	va_list ap;
	int n;

	if (p->n >= p->max)
		return bk_fail("too many settings");
	w = &p->out[p->n];
	if (snprintf(w->ctrl, sizeof(w->ctrl), "%s", ctrl) >= (int)sizeof(w->ctrl) ||
	    snprintf(w->file, sizeof(w->file), "%s", file) >= (int)sizeof(w->file))
		return bk_fail("%s: name too long", file);
	va_start(ap, fmt);
	n = vsnprintf(w->value, sizeof(w->value), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(w->value))
		return bk_fail("%s: value too long", file);
	p->n++;
	return 0;
}

/* 1 when CTRL is v2 here, 0 v1; -1 (recorded) when the host lacks it. */
static int version_of(struct plan *p, const char *ctrl, const char *name)
{
	int v = p->version(ctrl, p->arg);

	if (v < 0)
		return bk_fail("%s: controller '%s' is not available on this host", name, ctrl);
	return v;
}

/* The value of a limit in the v1 or v2 spelling. */
static const char *lim_str(const struct lim *l, bool v2, char *buf, size_t len)
{
	if (l->unlimited)
		return v2 ? "max" : "-1";
	snprintf(buf, len, "%llu", (unsigned long long)l->v);
	return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* hugetlb.<size>[.rsvd].limit_in_bytes <-> hugetlb.<size>[.rsvd].max */
static int emit_hugetlb(struct plan *p, const struct bk_cg_req *r)
{
	const char *from = ends_with(r->name, ".limit_in_bytes") ? ".limit_in_bytes" : ".max";
	char file[96], buf[32];
	struct lim l = { 0 };
	size_t stem = strlen(r->name) - strlen(from);
	int v2 = version_of(p, "hugetlb", r->name);

	if (v2 < 0 || parse_lim(r->name, r->value, true, &l) < 0)
		return -1;
	if (snprintf(file, sizeof(file), "%.*s%s", (int)stem, r->name,
		     v2 ? ".max" : ".limit_in_bytes") >= (int)sizeof(file))
		return bk_fail("%s: name too long", r->name);
	return emit(p, "hugetlb", file, "%s", lim_str(&l, v2, buf, sizeof(buf)));
}

static int emit_passthrough(struct plan *p, const struct bk_cg_req *r)
{
	char ctrl[32];

	if (bk_cg_controller_of(r->name, ctrl, sizeof(ctrl)) < 0)
		return -1;
	if (strchr(r->name, '/') || strchr(r->value, '\n'))
		return bk_fail("%s=%s: invalid setting", r->name, r->value);
	return emit(p, ctrl, r->name, "%s", r->value);
}

/* Record one request; the cpu and memory ones are emitted later, together. */
static int take(struct plan *p, const struct bk_cg_req *r)
{
	const char *n = r->name;
	struct lim l = { 0 };

	if (!strcmp(n, "memory.limit_in_bytes") || !strcmp(n, "memory.max"))
		return parse_lim(n, r->value, true, &p->mem);
	if (!strcmp(n, "memory.soft_limit_in_bytes") || !strcmp(n, "memory.low"))
		return parse_lim(n, r->value, true, &p->low);
	if (!strcmp(n, "memory.memsw.limit_in_bytes"))
		return parse_lim(n, r->value, true, &p->memsw);
	if (!strcmp(n, "memory.swap.max"))
		return parse_lim(n, r->value, true, &p->swap);
	if (!strcmp(n, "cpu.cfs_quota_us"))
		return parse_lim(n, r->value, false, &p->quota);
	if (!strcmp(n, "cpu.cfs_period_us")) {
		if (parse_lim(n, r->value, false, &p->period) < 0)
			return -1;
		return p->period.unlimited ? bk_fail("%s: invalid value '%s'", n, r->value) : 0;
	}
	if (!strcmp(n, "cpu.max")) {
		char q[32], per[32];
		int k = sscanf(r->value, "%31s %31s", q, per);

		if (k < 1 || parse_lim(n, q, false, &p->quota) < 0)
			return bk_fail("%s: invalid value '%s'", n, r->value);
		if (k == 2 && (parse_lim(n, per, false, &p->period) < 0 || p->period.unlimited))
			return bk_fail("%s: invalid value '%s'", n, r->value);
		return 0;
	}
	if (!strcmp(n, "cpu.shares") || !strcmp(n, "cpu.weight")) {
		bool shares = !strcmp(n, "cpu.shares");

		if (parse_lim(n, r->value, false, &l) < 0 || l.unlimited || l.v == 0 ||
		    (!shares && l.v > 10000))
			return bk_fail("%s: invalid value '%s'", n, r->value);
		p->shares = shares ? l.v : 0;
		p->weight = shares ? 0 : l.v;
		return 0;
	}
	if (!strncmp(n, "hugetlb.", 8) &&
	    (ends_with(n, ".limit_in_bytes") || ends_with(n, ".max")))
		return emit_hugetlb(p, r);
	return emit_passthrough(p, r);
}

static int emit_cpu(struct plan *p)
{
	char qb[32];
	int v2;

	if (!p->quota.set && !p->period.set && !p->shares && !p->weight)
		return 0;
	v2 = version_of(p, "cpu", p->shares ? "cpu.shares" : p->weight ? "cpu.weight" : "cpu.max");
	if (v2 < 0)
		return -1;
	if (v2 && p->period.set && !p->quota.set)
		return bk_fail("cpu.cfs_period_us: on cgroup v2 give the quota too (cpu.max is 'QUOTA PERIOD')");
	if (v2 && p->quota.set) {
		const char *q = lim_str(&p->quota, true, qb, sizeof(qb));

		if (p->period.set && emit(p, "cpu", "cpu.max", "%s %llu", q,
					  (unsigned long long)p->period.v) < 0)
			return -1;
		if (!p->period.set && emit(p, "cpu", "cpu.max", "%s", q) < 0)
			return -1;
	}
	if (!v2 && p->period.set &&
	    emit(p, "cpu", "cpu.cfs_period_us", "%llu", (unsigned long long)p->period.v) < 0)
		return -1;
	if (!v2 && p->quota.set &&
	    emit(p, "cpu", "cpu.cfs_quota_us", "%s", lim_str(&p->quota, false, qb, sizeof(qb))) < 0)
		return -1;
	if (v2 && (p->shares || p->weight))
		return emit(p, "cpu", "cpu.weight", "%llu", (unsigned long long)
			    (p->weight ? p->weight : bk_cg_shares_to_weight(p->shares)));
	if (!v2 && (p->shares || p->weight))
		return emit(p, "cpu", "cpu.shares", "%llu", (unsigned long long)
			    (p->shares ? p->shares : bk_cg_weight_to_shares(p->weight)));
	return 0;
}

/* v1 memsw counts memory + swap, v2 swap.max counts swap alone: converting
 * one into the other needs the memory limit of the same command. */
static int emit_swap(struct plan *p, bool v2)
{
	char buf[32];
	struct lim out;

	if (!p->memsw.set && !p->swap.set)
		return 0;
	if (v2 && p->swap.set)
		return emit(p, "memory", "memory.swap.max", "%s", lim_str(&p->swap, true, buf, sizeof(buf)));
	if (!v2 && p->memsw.set)
		return emit(p, "memory", "memory.memsw.limit_in_bytes", "%s",
			    lim_str(&p->memsw, false, buf, sizeof(buf)));
	if (!p->mem.set || p->mem.unlimited)
		return bk_fail("%s: converting it for cgroup %s needs a memory limit in the same command",
			       v2 ? "memory.memsw.limit_in_bytes" : "memory.swap.max", v2 ? "v2" : "v1");
	out = v2 ? p->memsw : p->swap;
	if (!out.unlimited && v2) {
		if (out.v < p->mem.v)
			return bk_fail("memory.memsw.limit_in_bytes: %llu is below the memory limit %llu",
				       (unsigned long long)out.v, (unsigned long long)p->mem.v);
		out.v -= p->mem.v;
	} else if (!out.unlimited) {
		out.v += p->mem.v;
	}
	return emit(p, "memory", v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes", "%s",
		    lim_str(&out, v2, buf, sizeof(buf)));
}

static int emit_memory(struct plan *p)
{
	char buf[32];
	int v2;

	if (!p->mem.set && !p->low.set && !p->memsw.set && !p->swap.set)
		return 0;
	v2 = version_of(p, "memory", "memory.limit_in_bytes");
	if (v2 < 0)
		return -1;
	if (p->mem.set && emit(p, "memory", v2 ? "memory.max" : "memory.limit_in_bytes", "%s",
			       lim_str(&p->mem, v2, buf, sizeof(buf))) < 0)
		return -1;
	if (emit_swap(p, v2) < 0)
		return -1;
	if (p->low.set && emit(p, "memory", v2 ? "memory.low" : "memory.soft_limit_in_bytes", "%s",
			       lim_str(&p->low, v2, buf, sizeof(buf))) < 0)
		return -1;
	return 0;
}

int bk_cg_plan(const struct bk_cg_req *reqs, size_t n, bk_cg_version_fn version,
	       void *arg, struct bk_cg_write *out, size_t max)
{
	struct plan p = { .out = out, .max = max, .version = version, .arg = arg };
	struct bk_cg_write *later;
	size_t npass;

	/* Pass-through and hugetlb writes are emitted while reading; move them
	 * after the cpu and memory ones, which must come first in their order. */
	for (size_t i = 0; i < n; i++)
		if (take(&p, &reqs[i]) < 0)
			return -1;
	npass = p.n;
	later = npass ? malloc(npass * sizeof(*later)) : NULL;
	if (npass && !later)
		return bk_fail("out of memory");
	if (npass)
		memcpy(later, out, npass * sizeof(*later));
	p.n = 0;
	if (emit_cpu(&p) < 0 || emit_memory(&p) < 0 || p.n + npass > max) {
		free(later);
		return p.n + npass > max ? bk_fail("too many settings") : -1;
	}
	if (npass)
		memcpy(out + p.n, later, npass * sizeof(*later));
	free(later);
	return (int)(p.n + npass);
}

/* ---- reading one setting back (get) ---- */

enum conv {
	CONV_RAW,        /* same spelling */
	CONV_TO_V1,      /* "max" -> "-1" */
	CONV_TO_V2,      /* v1's huge "no limit" -> "max" */
	CONV_V1_LIMIT,   /* v1's huge "no limit" -> "-1", as on a v2 host */
	CONV_W2S,        /* cpu.weight -> shares */
	CONV_S2W,        /* cpu.shares -> weight */
	CONV_FIELD1,     /* cpu.max "QUOTA PERIOD": quota, max -> -1 */
	CONV_FIELD2,     /* cpu.max: period */
};

static const struct {
	const char *v1, *v2;
	enum conv to_v1, to_v2;  /* conversion when reading the v2 / v1 file */
} read_names[] = {
	{ "memory.limit_in_bytes", "memory.max", CONV_TO_V1, CONV_TO_V2 },
	{ "memory.soft_limit_in_bytes", "memory.low", CONV_TO_V1, CONV_TO_V2 },
	{ "memory.usage_in_bytes", "memory.current", CONV_RAW, CONV_RAW },
	{ "memory.max_usage_in_bytes", "memory.peak", CONV_RAW, CONV_RAW },
	{ "cpu.shares", "cpu.weight", CONV_W2S, CONV_S2W },
	{ "cpu.cfs_quota_us", NULL, CONV_FIELD1, CONV_RAW },
	{ "cpu.cfs_period_us", NULL, CONV_FIELD2, CONV_RAW },
};

static int set_read(struct bk_cg_read *r, const char *file, enum conv conv)
{
	if (bk_cg_controller_of(file, r->ctrl, sizeof(r->ctrl)) < 0)
		return -1;
	if (snprintf(r->file, sizeof(r->file), "%s", file) >= (int)sizeof(r->file))
		return bk_fail("%s: name too long", file);
	r->conv = conv;
	return 0;
}

static int read_hugetlb(const char *name, bool v2, struct bk_cg_read *r)
{
	bool is_v1 = ends_with(name, ".limit_in_bytes");
	size_t stem = strlen(name) - strlen(is_v1 ? ".limit_in_bytes" : ".max");
	char file[96];

	if (is_v1 == !v2)
		return set_read(r, name, is_v1 ? CONV_V1_LIMIT : CONV_RAW);
	snprintf(file, sizeof(file), "%.*s%s", (int)stem, name, v2 ? ".max" : ".limit_in_bytes");
	return set_read(r, file, v2 ? CONV_TO_V1 : CONV_TO_V2);
}

int bk_cg_read_plan(const char *name, bk_cg_version_fn version, void *arg,
		    struct bk_cg_read *r)
{
	char ctrl[32];
	int v2;

	if (bk_cg_controller_of(name, ctrl, sizeof(ctrl)) < 0 || strchr(name, '/'))
		return bk_fail("'%s': not a controller file (CONTROLLER.NAME)", name);
	v2 = version(ctrl, arg);
	if (v2 < 0)
		return bk_fail("%s: controller '%s' is not available on this host", name, ctrl);
	if (!strncmp(name, "hugetlb.", 8) && (ends_with(name, ".limit_in_bytes") || ends_with(name, ".max")))
		return read_hugetlb(name, v2, r);
	for (size_t i = 0; i < ARRAY_SIZE(read_names); i++) {
		if (v2 && !strcmp(name, read_names[i].v1))
			return set_read(r, read_names[i].v2 ? read_names[i].v2 : "cpu.max",
					read_names[i].to_v1);
		if (!v2 && read_names[i].v2 && !strcmp(name, read_names[i].v2))
			return set_read(r, read_names[i].v1, read_names[i].to_v2);
	}
	if (!v2 && ends_with(name, "limit_in_bytes"))
		return set_read(r, name, CONV_V1_LIMIT);
	if (!v2 && !strcmp(name, "cpu.max"))
		return bk_fail("cpu.max: on cgroup v1 read cpu.cfs_quota_us and cpu.cfs_period_us");
	return set_read(r, name, CONV_RAW);
}

int bk_cg_read_convert(const struct bk_cg_read *r, const char *raw, char *out, size_t len)
{
	char a[64] = "", b[64] = "";
	unsigned long long v = 0;
	int k = sscanf(raw, "%63s %63s", a, b);
	const char *word = r->conv == CONV_FIELD2 ? b : a;
	bool num = sscanf(word, "%llu", &v) == 1 && word[0] != '-';

	switch (r->conv) {
	case CONV_TO_V1:
	case CONV_FIELD1:
		if (!strcmp(word, "max"))
			word = "-1";
		break;
	case CONV_TO_V2:
	case CONV_V1_LIMIT:
		if (num && v >= (1ULL << 62))
			word = r->conv == CONV_TO_V2 ? "max" : "-1";
		break;
	case CONV_FIELD2:
		if (k < 2)
			return bk_fail("%s: unexpected content '%s'", r->file, raw);
		break;
	case CONV_W2S:
	case CONV_S2W:
		if (!num)
			return bk_fail("%s: unexpected content '%s'", r->file, raw);
		snprintf(out, len, "%llu", (unsigned long long)(r->conv == CONV_W2S ?
			 bk_cg_weight_to_shares(v) : bk_cg_shares_to_weight(v)));
		return 0;
	default:
		snprintf(out, len, "%.*s", (int)strcspn(raw, "\n"), raw);
		return 0;
	}
	snprintf(out, len, "%s", word);
	return 0;
}
