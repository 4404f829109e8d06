/* fuzz.h — shared by the libFuzzer targets: the input as a NUL-terminated
 * string, and a check that aborts (a finding) when an invariant breaks. */
#ifndef BK_FUZZ_H
#define BK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a C string (it may hold NULs: the string ends at the first). */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#define FUZZ_CHECK(cond) do {                                                  \
	if (!(cond)) {                                                         \
		fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #cond); \
		abort();                                                       \
	}                                                                      \
} while (0)

#endif
