/* Unit tests for cli: each command line is parsed in a child (a usage
 * error exits), whose output and exit status are checked. */
#include "tap.h"
#include "base/cli.h"
#include "base/chain.h"
#include "base/msg.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { OPT_FORK = 'f', OPT_GROUP = 'g', OPT_ROOT = 256, OPT_MOUNT, OPT_MOUNT_PROC,
       OPT_JOBS, OPT_SIZE, OPT_A, OPT_B };

static const struct option longopts[] = {
	{ "fork", no_argument, NULL, OPT_FORK },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "mount", no_argument, NULL, OPT_MOUNT },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "size", required_argument, NULL, OPT_SIZE },
	{ "a", no_argument, NULL, OPT_A },
	{ "b", no_argument, NULL, OPT_B },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static const bk_cli_excl_t excl[] = { { OPT_A, OPT_B }, { OPT_ROOT, OPT_FORK } };
static const struct bk_cli cli = { .shortopts = "+fg:vhV", .longopts = longopts, BK_CLI_EXCL(excl) };

/* Parse argv in a child ("tool" with -- chaining when chained); returns
 * its exit status and its output (stdout and stderr) in out. */
static int parse(bool chained, char *out, size_t len, char **argv)
{
	int fds[2], status, argc = 0;
	ssize_t n, got = 0;

	while (argv[argc])
		argc++;
	if (pipe(fds) < 0)
		return -1;
	fflush(stdout);   /* the child must not print the parent's TAP again */
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		bk_cli_init("tool", "Usage: tool [options]\n");
		if (chained)
			bk_cli_chained();
		int c;
		while ((c = bk_cli_next(&cli, argc, argv)) != -1) {
			if (c == OPT_JOBS)
				printf("jobs=%llu\n", (unsigned long long)bk_cli_number("--jobs", optarg, 1, 32));
			if (c == OPT_SIZE)
				printf("size=%llu\n", (unsigned long long)bk_cli_size("--size", optarg));
		}
		printf("verbose=%d operands=%d\n", bk_verbose, argc - optind);
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	while (got < (ssize_t)len - 1 && (n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got > 0 && out[got - 1] == '\n' ? got - 1 : got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define ARGV(...) ((char *[]){ "./bin/tool", __VA_ARGS__, NULL })

static void expect(char **argv, bool chained, int status, const char *want)
{
	char out[512];
	int got = parse(chained, out, sizeof(out), argv);

	ok(got == status, "%s%s ... %s: exit %d (got %d)", argv[1], chained ? " (chained)" : "",
	   argv[2] ? argv[2] : "", status, got);
	is_str(out, want, "%s: output", argv[1]);
}

static void test_mistakes(void)
{
	expect(ARGV("--bogus"), false, 2, "tool: unknown option '--bogus' (see tool --help)");
	expect(ARGV("--bogus=1"), false, 2, "tool: unknown option '--bogus' (see tool --help)");
	expect(ARGV("--bogus"), true, 125, "tool: unknown option '--bogus' (see tool --help)");
	expect(ARGV("-Q"), false, 2, "tool: unknown option '-Q' (see tool --help)");
	expect(ARGV("--fork", "-fQ"), false, 2, "tool: unknown option '-Q' (see tool --help)");
	expect(ARGV("--group"), false, 2, "tool: option '--group' needs a value");
	expect(ARGV("--gro"), false, 2, "tool: option '--gro' needs a value");
	expect(ARGV("-vg"), true, 125, "tool: option '-g' needs a value");
	expect(ARGV("--fork=yes"), false, 2, "tool: option '--fork' takes no value");
	expect(ARGV("--mou"), false, 2, "tool: option '--mou' is ambiguous (see tool --help)");
	expect(ARGV("--mount"), false, 0, "verbose=0 operands=0");
	expect(ARGV("--a", "--b"), false, 2, "tool: --a and --b cannot be used together");
	expect(ARGV("--a", "--a", "--fork"), false, 0, "verbose=0 operands=0");
	expect(ARGV("-f", "--root", "/"), true, 125, "tool: --fork and --root cannot be used together");
}

static void test_values(void)
{
	expect(ARGV("--jobs", "abc"), false, 2, "tool: --jobs: 'abc' is not a number");
	expect(ARGV("--jobs", "0"), true, 125, "tool: --jobs: '0' is not in 1..32");
	expect(ARGV("--jobs", "-1"), false, 2, "tool: --jobs: '-1' is not a number");
	expect(ARGV("--jobs", "99999999999999999999"), false, 2,
	       "tool: --jobs: '99999999999999999999' is too large");
	expect(ARGV("--jobs=32"), false, 0, "jobs=32\nverbose=0 operands=0");
	expect(ARGV("--size", "1.5K"), false, 0, "size=1536\nverbose=0 operands=0");
	expect(ARGV("--size", "12Q"), false, 2,
	       "tool: --size: '12Q' is not a size (bytes, or a number with K, M, G, T or P)");
}

static void test_answers(void)
{
	char want[128];

	expect(ARGV("-h", "--bogus"), false, 0, "Usage: tool [options]");
	expect(ARGV("--help"), true, 0, "Usage: tool [options]");
	snprintf(want, sizeof(want), "tool (bockit) %s", bk_version);
	expect(ARGV("-V"), false, 0, want);
	expect(ARGV("--version"), false, 0, want);
	expect(ARGV("-vv", "--verbose", "x", "-f"), false, 0, "verbose=3 operands=2");
	ok(bk_version[0] && !strchr(bk_version, ' '), "version '%s' is one word", bk_version);
}

/* The look-ahead sees options up to the first operand, says nothing and
 * exits for nothing, and leaves getopt to start over. */
static void test_given(void)
{
	char **a = ARGV("--bogus", "-f", "--group", "--a", "op", "--b");
	int argc = 7, c, groups = 0;

	bk_cli_init("tool", "Usage: tool [options]\n");
	ok(bk_cli_given(&cli, argc, a, OPT_FORK), "given: -f after an unknown option");
	ok(bk_cli_given(&cli, argc, a, OPT_GROUP), "given: --group");
	ok(!bk_cli_given(&cli, argc, a, OPT_A), "given: --a is --group's value, not an option");
	ok(!bk_cli_given(&cli, argc, a, OPT_B), "given: --b comes after the first operand");
	ok(!bk_cli_given(&cli, argc, a, 'h'), "given: no -h");
	a = ARGV("-g", "x", "-vf");
	while ((c = bk_cli_next(&cli, 4, a)) != -1)
		groups += c == OPT_GROUP;
	ok(groups == 1 && optind == 4, "next after given: starts over (%d groups, optind %d)",
	   groups, optind);
}

int main(void)
{
	test_mistakes();
	test_values();
	test_answers();
	test_given();   /* last: it parses in this process */
	return tap_done();
}
