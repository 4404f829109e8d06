/* Unit tests for the common modules: size, path, chain, msg. */
#include "tap.h"
#include "base/chain.h"
#include "base/msg.h"
#include "base/path.h"
#include "base/size.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		uint64_t v = 1;
		int r = bk_parse_size(good[i].in, &v);
		ok(r == 0 && v == good[i].want, "size '%s' = %llu", good[i].in,
		   (unsigned long long)good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
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

static char sunk[64];
static enum bk_msg_level sunk_level;

static bool swallow(enum bk_msg_level level, const char *msg)
{
	snprintf(sunk, sizeof(sunk), "%s", msg);
	sunk_level = level;
	return true;
}

/* The sink sees each printed line without "prog: "; a swallowed line
 * reaches no stderr (fd 2 is a pipe here, read back). */
static void test_sink(void)
{
	int fds[2], saved = dup(2);
	char buf[64] = "";
	ssize_t n;

	if (pipe(fds) < 0 || saved < 0 || dup2(fds[1], 2) < 0) {
		ok(0, "sink: pipe");
		return;
	}
	bk_msg_set_sink(swallow);
	bk_warn("careful %d", 7);
	is_str(sunk, "careful 7", "sink gets the warning without the program name");
	ok(sunk_level == BK_MSG_WARN, "sink: bk_warn is a warning");
	bk_verbose = 1;
	bk_trace("step");
	bk_verbose = 0;
	ok(sunk_level == BK_MSG_DEBUG && !strcmp(sunk, "step"), "sink: a trace is debug");
	bk_msg_set_sink(NULL);
	bk_warn("plain");
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = '\0';
	ok(strstr(buf, ": plain\n") && !strstr(buf, "careful"),
	   "swallowed lines stay off stderr, the rest reach it (got '%s')", buf);
}

int main(void)
{
	test_size();
	test_path();
	test_chain();
	test_msg();
	test_sink();
	test_flags_str();
	return tap_done();
}
