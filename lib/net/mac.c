/* mac: MAC addresses read as ip(8) does, written canonical (see mac.h). */
#include "net/mac.h"
#include "base/msg.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One octet at *s: hex digits up to ':' or the end, value <= 0xff. */
static bool parse_octet(const char **s, unsigned char *out)
{
	unsigned v = 0;
	const char *p = *s;
	int d;

	if (hex_digit(*p) < 0)
		return false;
	while ((d = hex_digit(*p)) >= 0) {
		v = v * 16 + (unsigned)d;
		if (v > 0xff)
			return false;
		p++;
	}
	*out = (unsigned char)v;
	*s = p;
	return true;
}

int bk_mac_parse(const char *s, unsigned char mac[6])
{
	const char *p = s;
	int i;

	for (i = 0; i < 6; i++) {
		if (i > 0 && *p++ != ':')
			break;
		if (!parse_octet(&p, &mac[i]))
			break;
	}
	if (i < 6 || *p)
		return bk_fail("bad MAC '%s': expected six hex octets "
			       "xx:xx:xx:xx:xx:xx (e.g. 02:42:ac:11:00:02)", s);
	if (mac[0] & 1)
		return bk_fail("bad MAC '%s': a multicast address (odd first "
			       "octet) cannot be an interface's", s);
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return bk_fail("bad MAC '%s': all zeros cannot be an interface's", s);
	return 0;
}

void bk_mac_format(const unsigned char mac[6], char buf[BK_MAC_STRLEN])
{
	snprintf(buf, BK_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
