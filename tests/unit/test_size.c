/* Unit tests for size: human sizes ("512M", "1.5G") and strict numbers,
 * with the messages every tool's options share. */
#include "tap.h"
#include "base/array.h"
#include "base/msg.h"
#include "base/size.h"

#include <stdint.h>

static void test_size(void)
{
	static const struct { const char *in; uint64_t want; } good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "1K", 1024 }, { "512M", 512ULL << 20 },
		{ "1G", 1ULL << 30 }, { "1g", 1ULL << 30 }, { "2GiB", 2ULL << 30 },
		{ "1.5G", 3ULL << 29 }, { "10MB", 10ULL << 20 }, { "1T", 1ULL << 40 },
		{ "16B", 16 },
	};
	static const char *bad[] = { "", "-1", "M", "1X", "1.5", "1.G", " 1", "1KK",
				     "99999999999999999999", "20000000P", "1 M" };
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		uint64_t v = 1;
		int r = bk_parse_size(good[i].in, &v);
		ok(r == 0 && v == good[i].want, "size '%s' = %llu", good[i].in,
		   (unsigned long long)good[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v;
		ok(bk_parse_size(bad[i], &v) < 0, "size '%s' refused (%s)", bad[i], bk_error());
	}
}

/* The words every tool's options share (cli.h prefixes the option). */
static void test_numbers(void)
{
	uint64_t v = 0;
	int r;

	r = bk_parse_range("32", 1, 32, &v);
	ok(r == 0 && v == 32, "32 in 1..32");
	r = bk_parse_range("0", 1, 32, &v);
	is_str(r < 0 ? bk_error() : NULL, "'0' is not in 1..32", "below the range");
	r = bk_parse_range("0", 1, UINT64_MAX, &v);
	is_str(r < 0 ? bk_error() : NULL, "'0' is less than 1", "no upper bound");
	r = bk_parse_u64("abc", &v);
	is_str(r < 0 ? bk_error() : NULL, "'abc' is not a number", "not a number");
	r = bk_parse_u64("-1", &v);
	is_str(r < 0 ? bk_error() : NULL, "'-1' is not a number", "no sign");
	r = bk_parse_u64("99999999999999999999", &v);
	is_str(r < 0 ? bk_error() : NULL, "'99999999999999999999' is too large", "overflow");
	r = bk_parse_size("12Q", &v);
	is_str(r < 0 ? bk_error() : NULL,
	       "'12Q' is not a size (bytes, or a number with K, M, G, T or P)", "not a size");
	r = bk_parse_size("1.5", &v);
	is_str(r < 0 ? bk_error() : NULL, "'1.5' is not a size: a fraction of a byte", "a fraction of a byte");
}

/* Image sizes as docker images shows them. */
static void test_human(void)
{
	char buf[16];

	is_str(bk_size_human(0, buf, sizeof(buf)), "0B", "zero");
	is_str(bk_size_human(512, buf, sizeof(buf)), "512B", "bytes");
	is_str(bk_size_human(1099378, buf, sizeof(buf)), "1.1MB", "decimal megabytes");
	is_str(bk_size_human(4261421, buf, sizeof(buf)), "4.26MB", "three digits");
	is_str(bk_size_human(999999, buf, sizeof(buf)), "1MB", "rounds up into the next unit");
	is_str(bk_size_human(UINT64_MAX, buf, sizeof(buf)), "18.4EB", "the largest");
}

int main(void)
{
	test_size();
	test_numbers();
	test_human();
	return tap_done();
}
