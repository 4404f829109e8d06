/* publish: DNAT of published ports in the bridge's table (publish.h). */
#include "net/publish.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"
#include "net/ipam.h"
#include "net/netns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TABLE_PREFIX "bockit_"

/* The table's publishing part. One map element per host port (the key:
 * the kernel refuses a second), one set element saying where it listens
 * (0.0.0.0/0: every local address). The chains are written when the
 * table has no loopback_guard chain (the last one made, in the same
 * transaction): a transaction that deletes, or even re-adds, an object
 * makes the kernel wait for an RCU grace period (10-20 ms here) when the
 * nft socket closes, so a publish only adds elements. nft 1.0.6 takes
 * "dstnat" only on prerouting: output says -100. */
static void schema(FILE *f, const char *br)
{
	fprintf(f, "add table ip " TABLE_PREFIX "%s\n", br);
	fprintf(f, "add map ip " TABLE_PREFIX "%s ports { type inet_proto . "
		"inet_service : ipv4_addr . inet_service; }\n", br);
	fprintf(f, "add set ip " TABLE_PREFIX "%s listen { type ipv4_addr . "
		"inet_proto . inet_service; flags interval; }\n", br);
}

static const char *const chains[][2] = {
	{ "publish", "type nat hook prerouting priority dstnat; policy accept;" },
	{ "publish_local", "type nat hook output priority -100; policy accept;" },
	{ "publish_snat", "type nat hook postrouting priority srcnat; policy accept;" },
	{ "loopback_guard", "type filter hook prerouting priority raw; policy accept;" },
};

/* From outside, a destination in 127.0.0.0/8 is never DNATed (the
 * kernel drops it as a martian; DNAT first would carry it to the
 * container: Docker's "DROP REMOTE LOOPBACK"). The host's own traffic to
 * 127.0.0.1 is DNATed in output; it leaves with source 127.0.0.1, which
 * the bridge takes only with route_localnet, and is masqueraded so that
 * the container answers the bridge. A container reaching a published
 * port of its own bridge (hairpin) is masqueraded too, or its peer would
 * answer it directly (matched by its subnet: with br_netfilter the
 * packet is bridged back, and its input interface is the port).
 * route_localnet would also let a container send to the host's
 * 127.0.0.0/8 (a service bound to 127.0.0.1): the guard drops that
 * before conntrack, where a reply still shows the bridge address. */
static void chain_rules(FILE *f, const char *br, const struct bk_publish *p)
{
	struct bk_cidr c = { p->addr, p->prefix };
	char subnet[32];
	const char *dnat = "fib daddr type local ip daddr . meta l4proto . th dport "
			   "@listen dnat ip to meta l4proto . th dport map @ports";

	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++)
		fprintf(f, "add chain ip " TABLE_PREFIX "%s %s { %s }\n"
			"flush chain ip " TABLE_PREFIX "%s %s\n",
			br, chains[i][0], chains[i][1], br, chains[i][0]);
	fprintf(f, "add rule ip " TABLE_PREFIX "%s publish ip daddr 127.0.0.0/8 return\n", br);
	fprintf(f, "add rule ip " TABLE_PREFIX "%s publish %s\n", br, dnat);
	fprintf(f, "add rule ip " TABLE_PREFIX "%s publish_local %s\n", br, dnat);
	fprintf(f, "add rule ip " TABLE_PREFIX "%s publish_snat oifname \"%s\" ip saddr "
		"127.0.0.0/8 ct status dnat masquerade\n", br, br);
	bk_cidr_subnet_str(&c, subnet, sizeof(subnet));
	fprintf(f, "add rule ip " TABLE_PREFIX "%s publish_snat oifname \"%s\" ip saddr "
		"%s ct status dnat masquerade\n", br, br, subnet);
	fprintf(f, "add rule ip " TABLE_PREFIX "%s loopback_guard iifname \"%s\" ip daddr "
		"127.0.0.0/8 drop\n", br, br);
}

/* "tcp . 8080" */
static void key(const struct bk_port *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s . %u", bk_port_proto(p), p->host_port);
}

/* "tcp . 8080 : 10.1.2.3 . 80" */
static void map_element(const struct bk_publish *pub, const struct bk_port *p,
			char *buf, size_t len)
{
	char k[16], a[INET_ADDRSTRLEN];

	key(p, k, sizeof(k));
	inet_ntop(AF_INET, &pub->addr, a, sizeof(a));
	snprintf(buf, len, "%s : %s . %u", k, a, p->ctr_port);
}

/* "0.0.0.0/0 . tcp . 8080" or "127.0.0.1 . tcp . 8080" */
static void listen_element(const struct bk_port *p, char *buf, size_t len)
{
	char k[16], a[INET_ADDRSTRLEN];

	key(p, k, sizeof(k));
	inet_ntop(AF_INET, &p->host_ip, a, sizeof(a));
	snprintf(buf, len, "%s%s . %s", a, p->host_ip.s_addr == INADDR_ANY ? "/0" : "", k);
}

/* ---- the text of a transaction ---- */

struct text {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *text_open(struct text *t)
{
	t->f = open_memstream(&t->buf, &t->len);
	if (!t->f)
		bk_fail_errno(errno, "nft commands");
	return t->f;
}

/* The text, NUL-terminated, or NULL. */
static const char *text_end(struct text *t)
{
	bool bad = ferror(t->f) != 0;

	fclose(t->f);
	t->f = NULL;
	if (bad) {
		bk_fail_errno(ENOMEM, "nft commands");
		return NULL;
	}
	return t->buf;
}

static void text_free(struct text *t)
{
	if (t->f)
		fclose(t->f);
	free(t->buf);
}
#define _cleanup_text_ __attribute__((cleanup(text_free)))

/* ---- before anything changes ---- */

/* A socket of the host on the port (a listener on it would lose its
 * connections to the DNAT), or an address the host has not. Bound and
 * closed at once: vethup keeps no process. For TCP, SO_REUSEADDR keeps
 * connections in TIME_WAIT from counting. */
static int probe_socket(const struct bk_port *p)
{
	bool tcp = p->proto == IPPROTO_TCP;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->host_port),
				  .sin_addr = p->host_ip };
	_cleanup_close_ int fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
					SOCK_CLOEXEC, 0);
	char spec[BK_PORT_STRLEN], ip[INET_ADDRSTRLEN];
	int one = 1;

	bk_port_format(p, spec);
	inet_ntop(AF_INET, &p->host_ip, ip, sizeof(ip));
	if (fd < 0 || (tcp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0))
		return bk_fail_errno(errno, "port %s: socket", spec);
	BK_TRACE("bind(%s, %s:%u) and close: is the port free on the host?",
		 tcp ? "SOCK_STREAM" : "SOCK_DGRAM", ip, p->host_port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return 0;
	if (errno == EADDRINUSE)
		return bk_fail("port %s: host port %u/%s is in use on the host (a "
			       "socket is bound to it)", spec, p->host_port, bk_port_proto(p));
	if (errno == EADDRNOTAVAIL)
		return bk_fail("port %s: %s is not an address of this host", spec, ip);
	return bk_fail_errno(errno, "port %s: bind %s:%u", spec, ip, p->host_port);
}

/* The bridge of a bockit table: "br1" of "table ip bockit_br1". */
static bool table_bridge(const char *line, size_t n, char br[16])
{
	static const char want[] = "table ip " TABLE_PREFIX;
	size_t w = sizeof(want) - 1;

	if (n <= w || n - w > 15 || strncmp(line, want, w))
		return false;
	memcpy(br, line + w, n - w);
	br[n - w] = '\0';
	return bk_valid_name(br, 15);
}

struct holder {
	const struct bk_port *p;
	const char *bridge;
	struct bk_lease found;
	unsigned port;            /* the index of found's port */
};

static int find_holder(const struct bk_lease *l, void *data)
{
	struct holder *h = data;

	if (strcmp(l->bridge, h->bridge))
		return 0;
	for (unsigned i = 0; i < l->nports; i++)
		if (bk_port_same_host(&l->ports[i], h->p)) {
			h->found = *l;
			h->port = i;
			return 1;
		}
	return 0;
}

/* "already published, by netns c1 on bridge br1 (to 10.1.2.3:80)", or the
 * table's name when no lease of this store accounts for it. */
static int fail_published(const struct bk_port *p, const char *bridge,
			  const char *leases)
{
	struct holder h = { .p = p, .bridge = bridge };
	char spec[BK_PORT_STRLEN];

	bk_port_format(p, spec);
	if (bk_lease_each(leases, find_holder, &h) == 1) {
		const char *ns = h.found.netns;
		if (bk_netns_is_named(ns))
			ns = strrchr(ns, '/') + 1;
		return bk_fail("port %s: host port %u/%s is already published, by netns "
			       "%s on bridge %s (to %s:%u)", spec, p->host_port,
			       bk_port_proto(p), ns, bridge, h.found.addr,
			       h.found.ports[h.port].ctr_port);
	}
	return bk_fail("port %s: host port %u/%s is already published, in nft table "
		       "ip " TABLE_PREFIX "%s (by no lease of %s)", spec, p->host_port,
		       bk_port_proto(p), bridge, leases);
}

/* 1 when table bockit_BR holds the host port of p, 0 when not. */
static int table_holds(struct bk_nft *nft, const char *br, const struct bk_port *p)
{
	char cmd[128], k[16];

	key(p, k, sizeof(k));
	snprintf(cmd, sizeof(cmd), "get element ip " TABLE_PREFIX "%s ports { %s }", br, k);
	if (bk_nft_ask(nft, cmd))
		return 1;
	return errno == ENOENT ? 0 : -1;   /* no such table, map or element */
}

static int check_tables(struct bk_nft *nft, const struct bk_publish *pub,
			const char *leases)
{
	const char *out = bk_nft_ask(nft, "list tables ip");
	_cleanup_free_ char *tables = out ? strdup(out) : NULL;

	if (!tables)
		return out ? bk_fail_errno(ENOMEM, "nft tables") : -1;
	for (const char *line = tables; *line; ) {
		size_t n = strcspn(line, "\n");
		char br[16];
		if (table_bridge(line, n, br))
			for (size_t i = 0; i < pub->n; i++) {
				int held = table_holds(nft, br, &pub->ports[i]);
				if (held)
					return held < 0 ? -1 : fail_published(&pub->ports[i], br, leases);
			}
		line += n + (line[n] == '\n');
	}
	return 0;
}

int bk_publish_check(struct bk_nft *nft, const struct bk_publish *p,
		     const char *leases)
{
	for (size_t i = 0; i < p->n; i++)
		if (probe_socket(&p->ports[i]) < 0)
			return -1;
	return check_tables(nft, p, leases);
}

/* ---- publish ---- */

/* 1 when the table's chains are there, 0 when not (no table, or not
 * yet published through). */
static int chains_ready(struct bk_nft *nft, const char *br)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "list chain ip " TABLE_PREFIX "%s loopback_guard", br);
	if (bk_nft_ask(nft, cmd))
		return 1;
	return errno == ENOENT ? 0 : -1;
}

#define CONF "/proc/sys/net/ipv4/conf"

static int route_localnet(const char *bridge)
{
	char path[64];   /* a bridge name is at most 15 characters */

	snprintf(path, sizeof(path), CONF "/%s/route_localnet", bridge);
	BK_TRACE("write %s 1", path);
	return bk_write_string(path, "1");
}

/* The map's element (its key alone to delete) and the set's. */
static void elements(FILE *f, const struct bk_publish *pub, const struct bk_port *p,
		     const char *map_verb, const char *set_verb)
{
	char m[80], s[64];

	if (!strcmp(map_verb, "delete"))
		key(p, m, sizeof(m));
	else
		map_element(pub, p, m, sizeof(m));
	listen_element(p, s, sizeof(s));
	fprintf(f, "%s element ip " TABLE_PREFIX "%s ports { %s }\n", map_verb, pub->bridge, m);
	fprintf(f, "%s element ip " TABLE_PREFIX "%s listen { %s }\n", set_verb, pub->bridge, s);
}

int bk_publish_add(struct bk_nft *nft, const struct bk_publish *p)
{
	_cleanup_text_ struct text t = { 0 };
	int ready = chains_ready(nft, p->bridge);
	const char *cmds;

	if (ready < 0 || !text_open(&t))
		return -1;
	if (!ready) {
		schema(t.f, p->bridge);
		chain_rules(t.f, p->bridge, p);
	}
	for (size_t i = 0; i < p->n; i++)
		elements(t.f, p, &p->ports[i], "create", "add");
	if (!(cmds = text_end(&t)))
		return -1;
	if (bk_nft_run(nft, cmds) < 0) {
		if (errno == EEXIST)
			bk_fail_wrap("a host port was published meanwhile");
		return -1;
	}
	if (route_localnet(p->bridge) < 0) {
		struct bk_saved_error e;
		bk_error_save(&e);
		bk_publish_del(nft, p);
		return bk_error_restore(&e);
	}
	return 0;
}

/* ---- unpublish ---- */

/* Each element is added first with this container's value: a no-op when
 * it is there, EEXIST (and nothing done) when the host port is another
 * container's now, so that the deletes after it never take another's. */
static int unpublish(struct bk_nft *nft, const struct bk_publish *p,
		     const struct bk_port *ports, size_t n)
{
	_cleanup_text_ struct text t = { 0 };
	const char *cmds;

	if (!text_open(&t))
		return -1;
	for (size_t i = 0; i < n; i++) {
		elements(t.f, p, &ports[i], "add", "add");
		elements(t.f, p, &ports[i], "delete", "delete");
	}
	if (!(cmds = text_end(&t)))
		return -1;
	return bk_nft_run(nft, cmds);
}

int bk_publish_del(struct bk_nft *nft, const struct bk_publish *p)
{
	if (p->n == 0 || unpublish(nft, p, p->ports, p->n) == 0)
		return 0;
	if (errno == ENOENT)
		return 0;   /* no table or no map: none of them is there */
	if (errno != EEXIST)
		return -1;
	for (size_t i = 0; i < p->n; i++)   /* one is another's: the others */
		if (unpublish(nft, p, &p->ports[i], 1) < 0 && errno != EEXIST)
			return -1;
	return 0;
}
