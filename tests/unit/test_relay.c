/* Unit tests for relay (lib/base/relay.c): the log's records, and a
 * command's stdout and stderr through bk_spawn_supervise to our own fds
 * and to the log, each on its stream, and what a gone reader does. */
#include "tap.h"
#include "base/relay.h"
#include "base/supervise.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char out[BK_RELAY_RECORDS_MAX(64)];

static const char *fmt(int stream, const char *s)
{
	size_t n = bk_relay_format(stream, s, strlen(s), out);

	out[n] = '\0';
	return out;
}

static void test_format(void)
{
	is_str(fmt(1, "a\nb\n"), "1 a\n1 b\n", "format: a record a line");
	is_str(fmt(2, "prompt$ "), "2+prompt$ \n", "format: no newline: a + record");
	is_str(fmt(1, "x\n\ny"), "1 x\n1 \n1+y\n", "format: empty line, then a partial");
	is_str(fmt(1, ""), "", "format: nothing for nothing");
	ok(bk_relay_format(1, "\n\n\n\n", 4, out) <= BK_RELAY_RECORDS_MAX(4), "format: within its bound");
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* Run argv with --log-style relaying, our fd 1 and 2 on files. */
static int relayed(char *const argv[], const char *log, const char *o1, const char *o2)
{
	struct bk_relay r;
	sigset_t mask;
	int saved1 = dup(1), saved2 = dup(2), code = -1;
	int f1 = open(o1, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int f2 = open(o2, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	sigprocmask(SIG_SETMASK, NULL, &mask);
	fflush(stdout);
	dup2(f1, 1);
	dup2(f2, 2);
	close(f1);
	close(f2);
	if (bk_relay_open(&r, log) == 0) {
		struct bk_spawn s = { .argv = argv, .relay = &r };
		code = bk_spawn_supervise(&s);
	}
	sigprocmask(SIG_SETMASK, &mask, NULL);
	dup2(saved1, 1);
	dup2(saved2, 2);
	close(saved1);
	close(saved2);
	return code;
}

static void test_streams(const char *dir)
{
	char log[256], o1[256], o2[256];
	char *both[] = { "sh", "-c", "echo out; echo err >&2; printf 'p$ '; exit 3", NULL };

	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(o1, sizeof(o1), "%s/1", dir);
	snprintf(o2, sizeof(o2), "%s/2", dir);
	ok(relayed(both, log, o1, o2) == 3, "relay: the command's status");
	is_str(slurp(o1), "out\np$ ", "relay: stdout reaches our stdout");
	is_str(slurp(o2), "err\n", "relay: stderr reaches our stderr, apart");
	/* across the two streams the order is the relay's reads; within one, exact */
	const char *l = slurp(log), *o = strstr(l, "1 out\n"), *p = strstr(l, "1+p$ \n");
	ok(strlen(l) == 18 && strstr(l, "2 err\n") && o && p && o < p,
	   "relay: the log records each stream");

	/* our stderr is the log itself: recorded once, not copied twice */
	char *err[] = { "sh", "-c", "echo e2 >&2", NULL };
	unlink(log);
	ok(relayed(err, log, o1, log) == 0 && !strcmp(slurp(log), "2 e2\n"),
	   "relay: output to the log itself is recorded once");
}

/* A reader that is gone: the command gets SIGPIPE on its next write, as
 * on a plain pipe, and the relay does not hang. */
static void test_gone_reader(const char *dir)
{
	char log[256];
	char *yes[] = { "sh", "-c", "while :; do echo y; done", NULL };
	int p[2], saved1 = dup(1), code = -1;
	struct bk_relay r;
	sigset_t mask;

	snprintf(log, sizeof(log), "%s/log2", dir);
	sigprocmask(SIG_SETMASK, NULL, &mask);
	fflush(stdout);
	if (pipe(p) == 0) {
		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		if (bk_relay_open(&r, log) == 0) {
			struct bk_spawn s = { .argv = yes, .relay = &r };
			code = bk_spawn_supervise(&s);
		}
	}
	/* our own write's SIGPIPE, still pending: dropped before unblocking */
	signal(SIGPIPE, SIG_IGN);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	signal(SIGPIPE, SIG_DFL);
	dup2(saved1, 1);
	close(saved1);
	ok(code == 128 + SIGPIPE, "relay: a gone reader: the command ends by SIGPIPE (%d)", code);
}

int main(void)
{
	char dir[] = "/tmp/test_relay.XXXXXX";

	test_format();
	if (!mkdtemp(dir))
		return 1;
	test_streams(dir);
	test_gone_reader(dir);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		ok(0, "cleanup");
	return tap_done();
}
