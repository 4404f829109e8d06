/* Unit tests for the common modules: size, path, chain, msg. */
#include "tap.h"
#include "base/array.h"
#include "base/chain.h"
#include "base/msg.h"
#include "base/path.h"
#include "base/size.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void test_size(void)
{
	static const struct { const char *in; uint64_t want; } good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "1K", 1024 }, { "512M", 512ULL << 20 },
		{ "1G", 1ULL << 30 }, { "1g", 1ULL << 30 }, { "2GiB", 2ULL << 30 },
		{ "1.5G", 3ULL << 29 }, { "10MB", 10ULL << 20 }, { "1T", 1ULL << 40 },
		{ "16B", 16 },
	};
	static const char *bad[] = { "", "-1", "M", "1X", "1.5", "1.G", " 1", "1KK",
				     "99999999999999999999", "20000000P", "1 M" };
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		uint64_t v = 1;
		int r = bk_parse_size(good[i].in, &v);
		ok(r == 0 && v == good[i].want, "size '%s' = %llu", good[i].in,
		   (unsigned long long)good[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v;
		ok(bk_parse_size(bad[i], &v) < 0, "size '%s' refused (%s)", bad[i], bk_error());
	}
}

static void check_join(const char *base, const char *rel, const char *want)
{
	char *got = bk_path_join(base, rel);
	is_str(got, want, "join('%s', '%s')", base, rel);
	free(got);
}

static void test_path(void)
{
	check_join("/a", "b", "/a/b");
	check_join("/a/", "/b/c/", "/a/b/c");
	check_join("/a", "b/../c", "/a/c");
	check_join("/a", "./b/./c", "/a/b/c");
	check_join("/a", "", "/a");
	check_join("/a", "b/..", "/a");
	check_join("/a", "..", NULL);
	check_join("/a", "b/../../etc", NULL);
	check_join("/a", "/../etc/passwd", NULL);
	check_join("/", "x", "/x");
	ok(bk_valid_name("ps_12ab", 64), "valid name");
	ok(!bk_valid_name("../x", 64), "'../x' is not a name");
	ok(!bk_valid_name("a/b", 64), "'a/b' is not a name");
	ok(!bk_valid_name("-rf", 64), "'-rf' is not a name");
	ok(!bk_valid_name("", 64), "empty is not a name");
	ok(!bk_valid_name("abcdef", 5), "too long is not a name");
	ok(!bk_valid_name("a;b", 64), "'a;b' is not a name");
}

static void test_path_in(void)
{
	char buf[PATH_MAX], *dir = malloc(PATH_MAX);

	ok(bk_path_in(buf, "/sys/fs/cgroup/x", "cgroup.procs") == 0 &&
	   !strcmp(buf, "/sys/fs/cgroup/x/cgroup.procs"), "path_in: DIR/NAME");
	memset(dir, 'a', PATH_MAX - 6);
	dir[0] = '/';
	dir[PATH_MAX - 6] = '\0';
	ok(bk_path_in(buf, dir, "tasks") == -1 && strstr(bk_error(), "/tasks: path too long"),
	   "path_in: one byte over PATH_MAX is refused, not cut");
	ok(bk_path_in(buf, dir, "task") == 0 && strlen(buf) == PATH_MAX - 1, "path_in: PATH_MAX - 1 fits");
	free(dir);
}

static void test_chain(void)
{
	char *nope[] = { "/nonexistent/bockit-none", NULL };
	char *noexec[] = { "/etc/passwd", NULL };

	ok(bk_exit_code(0) == 0, "exit 0");
	ok(bk_exit_code(3 << 8) == 3, "exit 3");
	ok(bk_exit_code(9) == 137, "SIGKILL -> 137");
	ok(bk_exec_command(nope) == 127, "missing command -> 127 (%s)", bk_error());
	ok(bk_exec_command(noexec) == 126, "not executable -> 126 (%s)", bk_error());
}

static void test_flags_str(void)
{
	static const struct bk_flag_name t[] = { { 1, "ONE" }, { 4, "FOUR" }, { 8, "EIGHT" } };
	char buf[32], tiny[6];

	is_str(BK_FLAGS_STR(1 | 8, t, buf), "ONE|EIGHT", "named bits joined by |");
	is_str(BK_FLAGS_STR(2, t, buf), "0", "no named bit: 0");
	is_str(BK_FLAGS_STR(1 | 4, t, tiny), "ONE", "stops before a name that does not fit");
}

static void test_msg(void)
{
	bk_fail("inner");
	bk_fail_wrap("outer %d", 1);
	is_str(bk_error(), "outer 1: inner", "wrap prefixes context");
	bk_fail_errno(2, "open %s", "x");
	is_str(bk_error(), "open x: No such file or directory", "errno message");
}

int main(void)
{
	test_size();
	test_path();
	test_path_in();
	test_chain();
	test_msg();
	test_flags_str();
	return tap_done();
}
