/* cli: the command line, parsed the same way by every tool. getopt_long
 * with one answer to each mistake: an unknown option, a missing or an
 * unwanted value, a bad number or size, two options that exclude each
 * other are one line "prog: ..." on stderr and exit 2, or 125 once a
 * COMMAND is to be chained. -h/--help prints the usage on stdout,
 * -V/--version "prog (bockit) VERSION", both exit 0; -v/--verbose counts
 * into bk_verbose.
 *
 * Like bk_die(), these functions print and exit: they serve main() and
 * its option parsing, never the rest of lib/. */
#ifndef BK_CLI_H
#define BK_CLI_H

#include "base/array.h"
#include "base/version.h"

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BK_EXIT_USAGE = 2 };

/* Options of which at most one may be given, as util-linux's ul_excl_t:
 * a row lists getopt_long values and ends at its first 0. */
#define BK_CLI_EXCL_MAX 4
#define BK_CLI_EXCL_ROWS 16
typedef int bk_cli_excl_t[BK_CLI_EXCL_MAX];

/* One getopt_long pass: shortopts as getopt takes them ('+' first: stop
 * at the first operand), longopts, and the rows of exclusive options:
 * { ..., BK_CLI_EXCL(table) }. */
struct bk_cli {
	const char *shortopts;
	const struct option *longopts;
	const bk_cli_excl_t *excl;
	size_t nexcl;
};
#define BK_CLI_EXCL(table) \
	.excl = (table), \
	.nexcl = ARRAY_SIZE(table) + 0 * sizeof(char[ARRAY_SIZE(table) <= BK_CLI_EXCL_ROWS ? 1 : -1])

/* First call of main(): the program's name (in every message, whatever
 * argv[0] says) and its --help text. */
void bk_cli_init(const char *prog, const char *help);

/* A COMMAND follows: from now on a usage error exits 125, not 2. */
void bk_cli_chained(void);

/* The next option of c for the tool to handle (its getopt_long value,
 * optarg set), or -1 after the last. Handles -h, -V, -v and every error
 * itself. */
int bk_cli_next(const struct bk_cli *c, int argc, char **argv);

/* Is option val among the options of argv, as c reads them (up to the
 * first operand)? A silent look-ahead: no message, no exit, -h and -V
 * not acted on; getopt is left to start over with bk_cli_next(). For a
 * tool whose options read differently once another one is given. */
bool bk_cli_given(const struct bk_cli *c, int argc, char **argv, int val);

/* "prog: fmt..." on stderr; exit 2 (125 once chained). */
void bk_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/* arg as a decimal in min..max, or a usage error "OPT: 'arg' is not a
 * number" / "OPT: 'arg' is not in MIN..MAX". */
uint64_t bk_cli_number(const char *opt, const char *arg, uint64_t min, uint64_t max);
/* arg as a size (bk_parse_size), or a usage error "OPT: 'arg' is not a size ...". */
uint64_t bk_cli_size(const char *opt, const char *arg);

#endif
