/* portspec: -p [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (see portspec.h). */
#include "net/portspec.h"
#include "base/msg.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define SPEC_FORM "[IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp]"

/* 1-5 decimal digits worth 1..65535: no sign, blank or 0x. */
static int parse_number(const char *spec, const char *s, size_t len, uint16_t *out)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		goto bad;
	*out = (uint16_t)v;
	return 0;
bad:
	return bk_fail("-p '%s': port '%.*s' is not a number in 1..65535", spec,
		       (int)(len > 16 ? 16 : len), s);
}

static int parse_proto(const char *spec, const char *s, struct bk_port *p)
{
	if (!strcmp(s, "tcp"))
		p->proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		p->proto = IPPROTO_UDP;
	else
		return bk_fail("-p '%s': protocol '%.8s' is not tcp or udp", spec, s);
	return 0;
}

/* A dotted quad the host could own: not multicast, not the broadcast. */
static int parse_host_ip(const char *spec, const char *s, size_t len, struct in_addr *a)
{
	char ip[INET_ADDRSTRLEN];
	uint32_t h;

	if (len == 0 || len >= sizeof(ip))
		goto bad;
	memcpy(ip, s, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, a) != 1)
		goto bad;
	h = ntohl(a->s_addr);
	if ((h >> 28) == 0xe || h == 0xffffffffu)
		return bk_fail("-p '%s': %s is a %s address, not one of the host's",
			       spec, ip, h == 0xffffffffu ? "broadcast" : "multicast");
	return 0;
bad:
	return bk_fail("-p '%s': '%.*s' is not an IPv4 address (expected %s)",
		       spec, (int)(len > 40 ? 40 : len), s, SPEC_FORM);
}

int bk_port_parse(const char *s, struct bk_port *p)
{
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	const char *c2 = memrchr(s, ':', len), *c1, *hp;

	memset(p, 0, sizeof(*p));
	p->proto = IPPROTO_TCP;
	if (!c2)
		return bk_fail("-p '%s': expected %s", s, SPEC_FORM);
	c1 = memrchr(s, ':', (size_t)(c2 - s));
	if (c1 && memchr(s, ':', (size_t)(c1 - s)))
		return bk_fail("-p '%s': expected %s (IPv6 is not handled)", s, SPEC_FORM);
	if (slash && parse_proto(s, slash + 1, p) < 0)
		return -1;
	if (c1 && parse_host_ip(s, s, (size_t)(c1 - s), &p->host_ip) < 0)
		return -1;
	hp = c1 ? c1 + 1 : s;
	if (parse_number(s, hp, (size_t)(c2 - hp), &p->host_port) < 0)
		return -1;
	return parse_number(s, c2 + 1, (size_t)(s + len - c2 - 1), &p->ctr_port);
}

const char *bk_port_proto(const struct bk_port *p)
{
	return p->proto == IPPROTO_UDP ? "udp" : "tcp";
}

void bk_port_format(const struct bk_port *p, char buf[static BK_PORT_STRLEN])
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
	snprintf(buf, BK_PORT_STRLEN, "%s:%u:%u/%s", ip, p->host_port, p->ctr_port,
		 bk_port_proto(p));
}

bool bk_port_same_host(const struct bk_port *a, const struct bk_port *b)
{
	return a->proto == b->proto && a->host_port == b->host_port;
}

bool bk_port_equal(const struct bk_port *a, const struct bk_port *b)
{
	return bk_port_same_host(a, b) && a->host_ip.s_addr == b->host_ip.s_addr &&
	       a->ctr_port == b->ctr_port;
}

const struct bk_port *bk_port_repeated(const struct bk_port *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (bk_port_same_host(&p[i], &p[j]))
				return &p[i];
	return NULL;
}
