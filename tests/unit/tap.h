/* tap.h — a few macros for C unit tests that print TAP. */
#ifndef BK_TAP_H
#define BK_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {                                             \
	int _pass = (cond) ? 1 : 0;   /* evaluated once */             \
	tap_n++;                                                        \
	if (!_pass) tap_failed++;                                       \
	printf("%sok %d - ", _pass ? "" : "not ", tap_n);               \
	printf(__VA_ARGS__);                                            \
	printf("\n");                                                   \
} while (0)

#define is_str(got, want, ...) do {                                    \
	const char *_g = (got), *_w = (want);                           \
	int _ok = (_g && _w) ? !strcmp(_g, _w) : _g == _w;              \
	ok(_ok, __VA_ARGS__);                                           \
	if (!_ok) printf("#   got '%s', want '%s'\n",                   \
			 _g ? _g : "(null)", _w ? _w : "(null)");      \
} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
#endif
