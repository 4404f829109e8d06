/* Unit tests for mac: MAC addresses read as ip(8) reads them, written
 * canonical. */
#include "tap.h"
#include "base/array.h"
#include "base/msg.h"
#include "net/mac.h"

/* Read as ip(8) reads them (hex octets up to ff), written canonical. */
static void test_mac(void)
{
	static const struct { const char *in, *out; } good[] = {
		{ "02:42:ac:11:00:02", "02:42:ac:11:00:02" },
		{ "02:42:ac:11:001:74", "02:42:ac:11:01:74" },   /* bocker's */
		{ "2:42:AC:11:1:74", "02:42:ac:11:01:74" },
		{ "0002:42:ac:11:0ff:74", "02:42:ac:11:ff:74" },
	};
	static const char *bad[] = {
		"", "02:42:ac:11:00", "02:42:ac:11:00:02:03", "02:42:ac:11:100:02",
		"0x2:42:ac:11:00:02", " 02:42:ac:11:00:02", "02:42:ac:11:00:02 ",
		"02:42:ac:11:1g:02", "02:42:ac:11::02", "02:42:ac:11:00:",
		"02-42-ac-11-00-02", "02:42:ac:11:-1:02", "01:00:5e:00:00:01",
		"ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00",
	};
	unsigned char mac[6];
	char buf[BK_MAC_STRLEN];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		r = bk_mac_parse(good[i].in, mac);
		buf[0] = '\0';
		if (r == 0)
			bk_mac_format(mac, buf);
		is_str(buf, good[i].out, "MAC '%s'", good[i].in);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		r = bk_mac_parse(bad[i], mac);
		ok(r < 0, "MAC '%s' refused (%s)", bad[i], bk_error());
	}
}

int main(void)
{
	test_mac();
	return tap_done();
}
