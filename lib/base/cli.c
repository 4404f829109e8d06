/* cli: option parsing shared by every tool (cli.h). */
#include "base/cli.h"
#include "base/chain.h"
#include "base/msg.h"
#include "base/size.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *help_text = "";
static int usage_status = BK_EXIT_USAGE;
static int excl_seen[BK_CLI_EXCL_ROWS];   /* per row: the option given, or 0 */

void bk_cli_init(const char *prog, const char *help)
{
	bk_prog = prog;
	help_text = help;
	opterr = 0;   /* getopt's own messages take two lines and argv[0] */
}

void bk_cli_chained(void)
{
	usage_status = BK_EXIT_FAILED;
}

void bk_usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bk_die(usage_status, "%s", msg);
}

static void __attribute__((noreturn)) print_and_exit(const char *text)
{
	fputs(text, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
		bk_die(1, "stdout: write error");
	exit(0);
}

static void __attribute__((noreturn)) print_version(void)
{
	char line[256];

	snprintf(line, sizeof(line), "%s (bockit) %s\n", bk_prog, bk_version);
	print_and_exit(line);
}

/* "--name" for an option value, or "-c" when it has no long name. */
static const char *option_name(const struct bk_cli *c, int val, char *buf, size_t len)
{
	for (const struct option *o = c->longopts; o && o->name; o++)
		if (!o->flag && o->val == val) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	snprintf(buf, len, "-%c", val);
	return buf;
}

static bool is_option_value(const struct bk_cli *c, int val)
{
	for (const struct option *o = c->longopts; o && o->name; o++)
		if (!o->flag && o->val == val)
			return true;
	return val > 0 && val < 256 && val != ':' && val != '+' && strchr(c->shortopts, val);
}

/* More than one long option starts with the first n characters of word. */
static bool ambiguous(const struct bk_cli *c, const char *word, size_t n)
{
	int matches = 0;

	for (const struct option *o = c->longopts; o && o->name; o++) {
		if (strncmp(o->name, word, n))
			continue;
		if (strlen(o->name) == n)
			return false;
		matches++;
	}
	return matches > 1;
}

/* getopt returned ':' (a value is missing) or '?'. optopt is the option
 * (0 for an unknown long one); argv[optind - 1] is the word of a long
 * option, or of a short one that ended its word. */
static void __attribute__((noreturn)) bad_option(const struct bk_cli *c, int ret, char **argv)
{
	const char *word = optind > 0 ? argv[optind - 1] : "";
	bool is_long = !strncmp(word, "--", 2);
	int n = (int)strcspn(word, "=");

	if (ret == ':' && is_long)
		bk_usage_error("option '%.*s' needs a value", n, word);
	if (ret == ':')
		bk_usage_error("option '-%c' needs a value", optopt);
	if (optopt && !is_option_value(c, optopt) && isprint(optopt))
		bk_usage_error("unknown option '-%c' (see %s --help)", optopt, bk_prog);
	if (optopt && !is_option_value(c, optopt))
		bk_usage_error("unknown option character 0x%x (see %s --help)",
			       (unsigned)optopt, bk_prog);
	if (optopt)
		bk_usage_error("option '%.*s' takes no value", n, word);
	if (is_long && ambiguous(c, word + 2, (size_t)n - 2))
		bk_usage_error("option '%.*s' is ambiguous (see %s --help)", n, word, bk_prog);
	bk_usage_error("unknown option '%.*s' (see %s --help)", n, word, bk_prog);
}

static void check_exclusive(const struct bk_cli *c, int val)
{
	char a[64], b[64];

	for (size_t r = 0; r < c->nexcl; r++) {
		for (size_t k = 0; k < BK_CLI_EXCL_MAX && c->excl[r][k]; k++) {
			if (c->excl[r][k] != val)
				continue;
			if (excl_seen[r] && excl_seen[r] != val)
				bk_usage_error("%s and %s cannot be used together",
					       option_name(c, excl_seen[r], a, sizeof(a)),
					       option_name(c, val, b, sizeof(b)));
			excl_seen[r] = val;
		}
	}
}

/* shortopts with ':' after any '+', so that a missing value comes back
 * as ':' rather than '?'. */
static const char *with_colon(const char *s)
{
	static char buf[256];
	int plus = s[0] == '+' || s[0] == '-';

	if (s[plus] == ':')
		return s;
	snprintf(buf, sizeof(buf), "%.*s:%s", plus, s, s + plus);
	return buf;
}

int bk_cli_next(const struct bk_cli *c, int argc, char **argv)
{
	int ret;

	while ((ret = getopt_long(argc, argv, with_colon(c->shortopts), c->longopts, NULL)) != -1) {
		switch (ret) {
		case 'h': print_and_exit(help_text);
		case 'V': print_version();
		case 'v': bk_verbose++; break;
		case ':':
		case '?': bad_option(c, ret, argv);
		default:
			check_exclusive(c, ret);
			return ret;
		}
	}
	return -1;
}

bool bk_cli_given(const struct bk_cli *c, int argc, char **argv, int val)
{
	bool seen = false;
	int ret;

	optind = 0;   /* glibc: start over, '+' included */
	while ((ret = getopt_long(argc, argv, with_colon(c->shortopts), c->longopts, NULL)) != -1)
		seen |= ret == val;
	optind = 0;
	return seen;
}

uint64_t bk_cli_number(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (bk_parse_range(arg, min, max, &v) < 0)
		bk_usage_error("%s: %s", opt, bk_error());
	return v;
}

uint64_t bk_cli_size(const char *opt, const char *arg)
{
	uint64_t v;

	if (bk_parse_size(arg, &v) < 0)
		bk_usage_error("%s: %s", opt, bk_error());
	return v;
}
