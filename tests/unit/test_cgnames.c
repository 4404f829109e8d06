/* Unit tests for cgnames: v1 <-> v2 translation and crun's shares formula. */
#include "tap.h"
#include "base/array.h"
#include "cgroup/cgnames.h"
#include "base/msg.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* A host where memory and cpu are v2 (or v1), hugetlb v2, pids v1. */
static int host_v2(const char *ctrl, void *arg)
{
	(void)arg;
	if (!strcmp(ctrl, "pids"))
		return 0;
	if (!strcmp(ctrl, "bogus"))
		return -1;
	return 1;
}

static int host_v1(const char *ctrl, void *arg)
{
	(void)arg;
	return !strcmp(ctrl, "hugetlb") ? 1 : !strcmp(ctrl, "bogus") ? -1 : 0;
}

static void test_shares(void)
{
	/* Expected values from crun's formula evaluated with libm (python3). */
	static const struct { uint64_t shares, weight; } t[] = {
		{ 2, 1 },
		{ 3, 2 },
		{ 5, 2 },
		{ 10, 4 },
		{ 64, 12 },
		{ 100, 17 },
		{ 128, 21 },
		{ 256, 35 },
		{ 500, 58 },
		{ 512, 59 },
		{ 777, 81 },
		{ 1000, 99 },
		{ 1023, 100 },
		{ 1024, 100 },
		{ 1025, 101 },
		{ 2048, 174 },
		{ 4096, 303 },
		{ 5000, 356 },
		{ 10000, 627 },
		{ 65536, 3023 },
		{ 100000, 4340 },
		{ 200000, 7899 },
		{ 262143, 10000 },
		{ 262144, 10000 }
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		ok(bk_cg_shares_to_weight(t[i].shares) == t[i].weight, "shares %llu -> weight %llu (got %llu)",
		   (unsigned long long)t[i].shares, (unsigned long long)t[i].weight,
		   (unsigned long long)bk_cg_shares_to_weight(t[i].shares));
	ok(bk_cg_shares_to_weight(0) == 0, "shares 0 stays unset");
	ok(bk_cg_weight_to_shares(100) == 1024, "weight 100 -> shares 1024 (got %llu)",
	   (unsigned long long)bk_cg_weight_to_shares(100));
	ok(bk_cg_weight_to_shares(1) == 2 && bk_cg_weight_to_shares(10000) == 262144, "weight ends");
	int round = 1;
	for (uint64_t s = 2; s <= 262144; s = s * 3 / 2 + 1)
		if (bk_cg_shares_to_weight(bk_cg_weight_to_shares(bk_cg_shares_to_weight(s))) !=
		    bk_cg_shares_to_weight(s))
			round = 0;
	ok(round, "weight -> shares -> weight is stable");
}

static int plan(bk_cg_version_fn v, struct bk_cg_write *w, size_t n, ...)
{
	struct bk_cg_req r[8];
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++) {
		r[i].name = va_arg(ap, const char *);
		r[i].value = va_arg(ap, const char *);
	}
	va_end(ap);
	return bk_cg_plan(r, n, v, NULL, w, 8);
}

#define WR(i, f, val) (!strcmp(w[i].file, f) && !strcmp(w[i].value, val))

static void test_plan(void)
{
	struct bk_cg_write w[8];
	int n;

	n = plan(host_v1, w, 3, "memory.limit_in_bytes", "512M", "cpu.shares", "512", "pids.max", "100");
	ok(n == 3 && WR(0, "cpu.shares", "512") && WR(1, "memory.limit_in_bytes", "536870912") &&
	   WR(2, "pids.max", "100") && !strcmp(w[1].ctrl, "memory"), "v1 names on v1");
	n = plan(host_v2, w, 2, "memory.limit_in_bytes", "512M", "cpu.shares", "512");
	ok(n == 2 && WR(0, "cpu.weight", "59") && WR(1, "memory.max", "536870912"), "v1 names on v2");
	n = plan(host_v1, w, 2, "memory.max", "max", "cpu.weight", "100");
	ok(n == 2 && WR(0, "cpu.shares", "1024") && WR(1, "memory.limit_in_bytes", "-1"), "v2 names on v1");
	n = plan(host_v2, w, 2, "cpu.cfs_quota_us", "150000", "cpu.cfs_period_us", "100000");
	ok(n == 1 && WR(0, "cpu.max", "150000 100000"), "quota+period -> cpu.max");
	n = plan(host_v2, w, 1, "cpu.cfs_quota_us", "-1");
	ok(n == 1 && WR(0, "cpu.max", "max"), "quota -1 -> cpu.max max");
	ok(plan(host_v2, w, 1, "cpu.cfs_period_us", "100000") < 0, "period alone refused on v2: %s", bk_error());
	n = plan(host_v1, w, 1, "cpu.max", "50000 100000");
	ok(n == 2 && WR(0, "cpu.cfs_period_us", "100000") && WR(1, "cpu.cfs_quota_us", "50000"),
	   "cpu.max -> period then quota on v1");
	n = plan(host_v2, w, 2, "memory.memsw.limit_in_bytes", "96M", "memory.limit_in_bytes", "64M");
	ok(n == 2 && WR(0, "memory.max", "67108864") && WR(1, "memory.swap.max", "33554432"),
	   "memsw (mem+swap) -> swap.max (swap only)");
	n = plan(host_v1, w, 2, "memory.swap.max", "32M", "memory.max", "64M");
	ok(n == 2 && WR(0, "memory.limit_in_bytes", "67108864") &&
	   WR(1, "memory.memsw.limit_in_bytes", "100663296"), "swap.max -> memsw after the limit");
	ok(plan(host_v2, w, 1, "memory.memsw.limit_in_bytes", "1G") < 0, "memsw without limit refused on v2");
	n = plan(host_v1, w, 1, "hugetlb.2MB.limit_in_bytes", "4M");
	ok(n == 1 && WR(0, "hugetlb.2MB.max", "4194304") && !strcmp(w[0].ctrl, "hugetlb"), "hugetlb v1 -> v2");
	n = plan(host_v1, w, 1, "memory.swappiness", "10");
	ok(n == 1 && WR(0, "memory.swappiness", "10"), "unknown names pass through");
	ok(plan(host_v1, w, 1, "memory.limit_in_bytes", "12Q") < 0, "bad size refused: %s", bk_error());
	ok(plan(host_v1, w, 1, "bogus.x", "1") == 1, "pass-through leaves the controller check to the group");
	ok(plan(host_v1, w, 1, "cpu.shares", "0") < 0, "shares 0 refused");
	ok(plan(host_v1, w, 1, "nodot", "1") < 0, "name without controller refused");
	ok(plan(host_v1, w, 1, "memory.x", "a\nb") < 0, "newline in value refused");
}

static void test_misc(void)
{
	uint64_t q, p;
	struct bk_cg_read r;
	char out[64];

	ok(bk_cg_cpus_to_quota("1.5", &q, &p) == 0 && q == 150000 && p == 100000, "--cpus 1.5");
	ok(bk_cg_cpus_to_quota("0.25", &q, &p) == 0 && q == 25000, "--cpus 0.25");
	ok(bk_cg_cpus_to_quota("0.001", &q, &p) < 0 && bk_cg_cpus_to_quota("x", &q, &p) < 0 &&
	   bk_cg_cpus_to_quota("1.5x", &q, &p) < 0, "bad --cpus refused");
	is_str(bk_cg_controller_alias("cpuacct", true), "cpu", "cpuacct is cpu on v2");
	ok(bk_cg_controller_alias("memory", true) == NULL, "memory has no alias");
	ok(bk_cg_read_plan("memory.limit_in_bytes", host_v2, NULL, &r) == 0 &&
	   !strcmp(r.file, "memory.max") && bk_cg_read_convert(&r, "max\n", out, sizeof(out)) == 0 &&
	   !strcmp(out, "-1"), "get memory.limit_in_bytes on v2");
	ok(bk_cg_read_plan("memory.max", host_v1, NULL, &r) == 0 &&
	   bk_cg_read_convert(&r, "9223372036854771712\n", out, sizeof(out)) == 0 &&
	   !strcmp(out, "max"), "get memory.max on v1");
	ok(bk_cg_read_plan("cpu.shares", host_v2, NULL, &r) == 0 &&
	   bk_cg_read_convert(&r, "100\n", out, sizeof(out)) == 0 && !strcmp(out, "1024"),
	   "get cpu.shares on v2");
	ok(bk_cg_read_plan("cpu.cfs_period_us", host_v2, NULL, &r) == 0 &&
	   bk_cg_read_convert(&r, "max 100000\n", out, sizeof(out)) == 0 && !strcmp(out, "100000"),
	   "get cpu.cfs_period_us on v2");
}

int main(void)
{
	test_shares();
	test_plan();
	test_misc();
	return tap_done();
}
