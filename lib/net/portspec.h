/* portspec: a published port as Docker's -p writes it,
 * [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], read strictly (decimal ports
 * 1-65535, a dotted IPv4 address, tcp or udp) and written back in one
 * canonical form, IP:HOSTPORT:CONTAINERPORT/PROTO, which is also how the
 * lease store keeps it. No text of the spec ever reaches an nft command:
 * rules are printed from the parsed numbers. */
#ifndef BK_PORTSPEC_H
#define BK_PORTSPEC_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_port {
	uint8_t proto;            /* IPPROTO_TCP or IPPROTO_UDP */
	struct in_addr host_ip;   /* INADDR_ANY: every address of the host */
	uint16_t host_port;
	uint16_t ctr_port;
};

/* "255.255.255.255:65535:65535/tcp" and its NUL. */
#define BK_PORT_STRLEN 32

/* Parse s into p; -1 with "-p 'S': why" recorded. */
int bk_port_parse(const char *s, struct bk_port *p);
/* The canonical form, e.g. "0.0.0.0:8080:80/tcp". */
void bk_port_format(const struct bk_port *p, char buf[static BK_PORT_STRLEN]);
/* "tcp" or "udp". */
const char *bk_port_proto(const struct bk_port *p);
/* One host port: the same protocol and host port, whatever the address
 * (a host port is published once, to one container). */
bool bk_port_same_host(const struct bk_port *a, const struct bk_port *b);
bool bk_port_equal(const struct bk_port *a, const struct bk_port *b);
/* The first of p[0..n) whose host port an earlier one has, or NULL. */
const struct bk_port *bk_port_repeated(const struct bk_port *p, size_t n);

#endif
