/* size: human size parsing (size.h). */
#include "base/size.h"
#include "base/array.h"
#include "base/msg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int bk_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return bk_fail("'%s' is not a number", s ? s : "");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return bk_fail("'%s' is not a number", s);
	if (errno)
		return bk_fail("'%s' is too large", s);
	*out = v;
	return 0;
}

int bk_parse_range(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (bk_parse_u64(s, &v) < 0)
		return -1;
	if (v < min && max == UINT64_MAX)
		return bk_fail("'%s' is less than %llu", s, (unsigned long long)min);
	if (v < min || v > max)
		return bk_fail("'%s' is not in %llu..%llu", s, (unsigned long long)min,
			       (unsigned long long)max);
	*out = v;
	return 0;
}

static int suffix_shift(const char *suf, unsigned *shift)
{
	static const char units[] = "KMGTP";
	const char *u;

	if (!*suf) {
		*shift = 0;
		return 0;
	}
	if (!strcasecmp(suf, "B")) {
		*shift = 0;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)suf[0]));
	if (!u || !suf[0])
		return -1;
	if (suf[1] && strcasecmp(suf + 1, "B") && strcasecmp(suf + 1, "iB"))
		return -1;
	*shift = 10 * (unsigned)(u - units + 1);
	return 0;
}

#define NOT_A_SIZE "'%s' is not a size (bytes, or a number with K, M, G, T or P)"

int bk_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	double frac = 0;
	unsigned long long whole;
	unsigned shift;

	if (!s || !isdigit((unsigned char)s[0]))
		return bk_fail(NOT_A_SIZE, s ? s : "");
	errno = 0;
	whole = strtoull(s, &end, 10);
	if (errno)
		return bk_fail("'%s' is too large", s);
	if (*end == '.') {
		char *fend;
		if (!isdigit((unsigned char)end[1]))
			return bk_fail(NOT_A_SIZE, s);
		frac = strtod(end, &fend);
		end = fend;
	}
	if (suffix_shift(end, &shift) < 0)
		return bk_fail(NOT_A_SIZE, s);
	if (shift == 0 && frac != 0)
		return bk_fail("'%s' is not a size: a fraction of a byte", s);
	if (shift && whole > (UINT64_MAX >> shift))
		return bk_fail("'%s' is too large", s);
	*bytes = ((uint64_t)whole << shift) + (uint64_t)(frac * (double)(1ULL << shift));
	return 0;
}

const char *bk_size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 999.5 && u + 1 < ARRAY_SIZE(unit)) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.3g%s", v, unit[u]);
	return buf;
}
