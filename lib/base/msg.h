/* msg: the one error record a failing lib/ call leaves, and the -v trace.
 *
 * lib/ functions never print and never exit: they return -1 (or NULL) after
 * bk_fail*() recorded "what: why". main() prints it with bk_die()/bk_warn().
 * A caller may add context in front with bk_fail_wrap(). */
#ifndef BK_MSG_H
#define BK_MSG_H

#include "base/array.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

extern const char *bk_prog;   /* set by bk_cli_init(), or bk_msg_init() from argv[0] */
extern int bk_verbose;        /* -v count; bk_trace() prints when > 0 */

void bk_msg_init(const char *argv0);

/* Record "fmt..." as the error; return -1. */
int bk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Record "fmt...: strerror(err)"; return -1. errno is preserved. */
int bk_fail_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix the recorded error with "fmt...: "; return -1. */
int bk_fail_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *bk_error(void);

#define BK_ERROR_MAX 2048

/* The first error, kept while undo steps (which may fail and record their
 * own) run: save it before them, restore it after. */
struct bk_saved_error {
	char msg[BK_ERROR_MAX];
};
void bk_error_save(struct bk_saved_error *s);
/* Record the saved error again; returns -1. */
int bk_error_restore(const struct bk_saved_error *s);

/* "prog: message" on stderr, as one line: control characters in it are
 * printed as '?'. bk_die() exits with status. */
void bk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bk_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Print the recorded error ("prog: what: why") and exit with status. */
void bk_die_error(int status) __attribute__((noreturn));

/* One -v trace line "prog: fmt..." on stderr, written with one write(2) so
 * lines from parallel processes do not interleave. */
void bk_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define BK_TRACE(...) do { if (bk_verbose) bk_trace(__VA_ARGS__); } while (0)

/* Where the lines above go besides (or instead of) stderr: ocirun's
 * --log file. The sink gets the message without "prog: " and newline;
 * when it returns true the line is not written to stderr. */
enum bk_msg_level { BK_MSG_ERROR, BK_MSG_WARN, BK_MSG_DEBUG };
typedef bool (*bk_msg_sink_fn)(enum bk_msg_level level, const char *msg);
void bk_msg_set_sink(bk_msg_sink_fn fn);

/* One named bit of a flag word, for traces. */
struct bk_flag_name {
	unsigned long bit;
	const char *name;
};

/* "NAME|NAME" for the bits of flags that t[0..n) names, "0" for none. */
const char *bk_flags_str(unsigned long flags, const struct bk_flag_name *t,
			 size_t n, char *buf, size_t len);
#define BK_FLAGS_STR(flags, table, buf) \
	bk_flags_str(flags, table, ARRAY_SIZE(table), buf, sizeof(buf))

#endif
