/* size: parse human sizes ("512M", "1G", "4096", "1.5G") into bytes.
 * Suffixes K M G T P (optionally followed by "B" or "iB") are powers of
 * 1024, as in docker, cgroup files and util-linux. */
#ifndef BK_SIZE_H
#define BK_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 and sets *bytes, or -1 with "'S' is not a size (...)" or
 * "'S' is too large" recorded. */
int bk_parse_size(const char *s, uint64_t *bytes);

/* Strict unsigned decimal (no sign, no spaces, no overflow); else -1 with
 * "'S' is not a number" recorded. */
int bk_parse_u64(const char *s, uint64_t *out);
/* The same, in min..max; else "'S' is not in MIN..MAX" (or, with no
 * upper bound, "'S' is less than MIN"). */
int bk_parse_range(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* bytes as Docker shows an image size: three significant digits in
 * decimal units ("512B", "1.1MB", "4.26GB"), into buf. */
const char *bk_size_human(uint64_t bytes, char *buf, size_t len);

#endif
