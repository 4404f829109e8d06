/* Unit tests for portspec: -p [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]
 * read strictly, written back canonically; one host port per protocol. */
#include "tap.h"
#include "base/array.h"
#include "base/msg.h"
#include "net/portspec.h"

#include <arpa/inet.h>

static void test_good(void)
{
	static const struct { const char *in, *canon; } good[] = {
		{ "8080:80", "0.0.0.0:8080:80/tcp" },
		{ "8080:80/tcp", "0.0.0.0:8080:80/tcp" },
		{ "53:5353/udp", "0.0.0.0:53:5353/udp" },
		{ "127.0.0.1:8080:80", "127.0.0.1:8080:80/tcp" },
		{ "10.1.2.3:1:65535/udp", "10.1.2.3:1:65535/udp" },
		{ "0.0.0.0:65535:1", "0.0.0.0:65535:1/tcp" },
		{ "08080:00080", "0.0.0.0:8080:80/tcp" },
	};
	struct bk_port p, q;
	char buf[BK_PORT_STRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int r = bk_port_parse(good[i].in, &p);
		ok(r == 0, "'%s' parses", good[i].in);
		bk_port_format(&p, buf);
		is_str(buf, good[i].canon, "'%s' written as %s", good[i].in, good[i].canon);
		r = bk_port_parse(buf, &q);
		ok(r == 0 && bk_port_equal(&p, &q), "%s reads back the same", buf);
	}
	bk_port_parse("255.255.255.254:65535:65535/tcp", &p);
	bk_port_format(&p, buf);
	is_str(buf, "255.255.255.254:65535:65535/tcp", "the longest form fits");
}

static void test_bad(void)
{
	static const char *bad[] = {
		"", "8080", ":8080:80", "8080:", ":80", "8080:80/", "8080:80/TCP",
		"8080:80/sctp", "8080:80/tcp/udp", "0:80", "8080:0", "65536:80",
		"123456:80", "+80:80", "8080:-80", " 8080:80", "8080:80 ", "0x50:80",
		"8o8o:80", "1.2.3:8080:80", "1.2.3.4.5:8080:80", "010.0.0.1:8080:80",
		"::1:8080:80", "[::1]:8080:80", "fe80::1:80:80", "1.2.3.4:8080:80:1",
		"224.0.0.1:8080:80", "239.255.255.255:80:80", "255.255.255.255:80:80",
		"1.2.3.4:8080:80/tcp;flush ruleset", "8080:80/tcp }", "a:b:c",
		"1.2.3.4::80", "1.2.3.4:8080:",
	};
	struct bk_port p;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = bk_port_parse(bad[i], &p);
		ok(r < 0 && !strncmp(bk_error(), "-p '", 4), "'%s' refused (%s)", bad[i],
		   bk_error());
	}
	bk_port_parse("8080:80/sctp", &p);
	is_str(bk_error(), "-p '8080:80/sctp': protocol 'sctp' is not tcp or udp",
	       "the protocol named");
	bk_port_parse("1.2.3.4:99999:80", &p);
	is_str(bk_error(), "-p '1.2.3.4:99999:80': port '99999' is not a number in 1..65535",
	       "the port named");
	bk_port_parse("255.255.255.255:80:80", &p);
	is_str(bk_error(), "-p '255.255.255.255:80:80': 255.255.255.255 is a broadcast "
	       "address, not one of the host's", "the broadcast address named");
}

static void test_same_host(void)
{
	struct bk_port v[4];
	int r = bk_port_parse("8080:80", &v[0]) | bk_port_parse("8080:80/udp", &v[1]) |
		bk_port_parse("127.0.0.1:8081:80", &v[2]) |
		bk_port_parse("10.0.0.1:8080:81", &v[3]);

	ok(r == 0, "four ports");
	ok(!bk_port_same_host(&v[0], &v[1]), "tcp and udp of one number are two ports");
	ok(bk_port_same_host(&v[0], &v[3]), "one host port whatever the address");
	ok(!bk_port_equal(&v[0], &v[3]), "not equal: address and container port differ");
	ok(bk_port_repeated(v, 3) == NULL, "no host port twice in the first three");
	ok(bk_port_repeated(v, 4) == &v[3], "the fourth repeats the first");
	is_str(bk_port_proto(&v[1]), "udp", "udp named");
	ok(v[2].host_ip.s_addr == inet_addr("127.0.0.1") && v[2].host_port == 8081 &&
	   v[2].ctr_port == 80 && v[2].proto == IPPROTO_TCP, "fields of 127.0.0.1:8081:80");
}

int main(void)
{
	test_good();
	test_bad();
	test_same_host();
	return tap_done();
}
