/* Unit tests for msg: the error record (wrap, errno, save and restore),
 * messages kept to one line, the sink of printed lines, and the flag
 * names of traces. */
#include "tap.h"
#include "base/msg.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What bk_warn(fmt, arg) prints on stderr. */
static void warned(const char *arg, char *out, size_t len)
{
	int fds[2], saved = dup(2);
	ssize_t n;

	if (pipe(fds) < 0 || saved < 0) {
		snprintf(out, len, "(pipe failed)");
		return;
	}
	dup2(fds[1], 2);
	bk_warn("bad name '%s'", arg);
	dup2(saved, 2);
	close(saved);
	close(fds[1]);
	n = read(fds[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(fds[0]);
}

static void test_msg(void)
{
	bk_fail("inner");
	bk_fail_wrap("outer %d", 1);
	is_str(bk_error(), "outer 1: inner", "wrap prefixes context");
	bk_fail_errno(2, "open %s", "x");
	is_str(bk_error(), "open x: No such file or directory", "errno message");
}

/* A hostile name cannot forge a second line or drive the terminal. */
static void test_one_line(void)
{
	char out[256];

	bk_msg_init("prog");
	warned("a\nprog: fake line\x1b[2J\r\x7f", out, sizeof(out));
	is_str(out, "prog: bad name 'a?prog: fake line?[2J?" "?'\n",
	       "a message stays one line: control characters become '?'");
}

static char sunk[64];
static enum bk_msg_level sunk_level;

static bool swallow(enum bk_msg_level level, const char *msg)
{
	snprintf(sunk, sizeof(sunk), "%s", msg);
	sunk_level = level;
	return true;
}

/* The sink (ocirun's --log) sees each printed line without "prog: ",
 * already one line; a swallowed line reaches no stderr. */
static void test_sink(void)
{
	char out[64];

	bk_msg_set_sink(swallow);
	warned("x\ny", out, sizeof(out));
	is_str(sunk, "bad name 'x?y'", "sink gets the warning, one line, without the program name");
	ok(sunk_level == BK_MSG_WARN, "sink: bk_warn is a warning");
	is_str(out, "", "a swallowed line stays off stderr");
	bk_verbose = 1;
	bk_trace("step");
	bk_verbose = 0;
	ok(sunk_level == BK_MSG_DEBUG && !strcmp(sunk, "step"), "sink: a trace is debug");
	bk_msg_set_sink(NULL);
	warned("plain", out, sizeof(out));
	is_str(out, "prog: bad name 'plain'\n", "without a sink the line reaches stderr");
}

static void test_flags_str(void)
{
	static const struct bk_flag_name t[] = { { 1, "ONE" }, { 4, "FOUR" }, { 8, "EIGHT" } };
	char buf[32], tiny[6];

	is_str(BK_FLAGS_STR(1 | 8, t, buf), "ONE|EIGHT", "named bits joined by |");
	is_str(BK_FLAGS_STR(2, t, buf), "0", "no named bit: 0");
	is_str(BK_FLAGS_STR(1 | 4, t, tiny), "ONE", "stops before a name that does not fit");
}

/* The first error survives the undo steps between save and restore. */
static void test_saved_error(void)
{
	struct bk_saved_error e;
	int r;

	bk_fail("first: %s", "why");
	bk_error_save(&e);
	bk_fail_errno(5, "undo step");
	r = bk_error_restore(&e);
	ok(r == -1, "restore returns -1");
	is_str(bk_error(), "first: why", "the first error is back");
}

int main(void)
{
	test_msg();
	test_one_line();
	test_sink();
	test_flags_str();
	test_saved_error();
	return tap_done();
}
