/* ipam: IPv4 address arithmetic (CIDR parsing, subnet bounds) and the
 * lease store: one file DIR/BRIDGE/A.B.C.D per address in use, made with
 * link(2) of a complete temp file, so the lowest free address is taken
 * race-free by any number of concurrent callers, without locks. Between
 * lease stores, which see each other's addresses only on the bridge, one
 * host-wide lock orders choosing an address and making it visible (and
 * publishing ports). A lease also records the ports published to its
 * address, so that they can be listed and removed without asking nft. */
#ifndef BK_IPAM_H
#define BK_IPAM_H

#include "net/portspec.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct bk_cidr {
	struct in_addr addr;
	unsigned prefix;
};

/* "A.B.C.D/LEN" (or "A.B.C.D" when default_prefix >= 0). */
int bk_cidr_parse(const char *s, struct bk_cidr *c, int default_prefix);
/* "A.B.C.D/LEN" of the subnet containing c ("172.18.0.0/24"). */
void bk_cidr_subnet_str(const struct bk_cidr *c, char *buf, unsigned len);
bool bk_cidr_contains(const struct bk_cidr *net, struct in_addr a);
/* "network" or "broadcast" when c->addr is that of its subnet (which a
 * /31 or /32 has not), else NULL: a host address. */
const char *bk_cidr_special(const struct bk_cidr *c);

/* The ports one netns may publish on one bridge. */
#define BK_LEASE_PORTS 32

struct bk_lease {
	char bridge[16];
	char addr[INET_ADDRSTRLEN];
	unsigned prefix;
	char netns[256];
	char hostif[16];
	char mac[18];
	unsigned nports;
	struct bk_port ports[BK_LEASE_PORTS];   /* published to addr */
};

/* Take l->addr (set) for l->bridge; EEXIST -> "address ... in use". An
 * empty l->mac is filled with 02:42 + the address bytes (Docker's). */
int bk_lease_take(const char *dir, struct bk_lease *l);
/* Take the lowest free address of gw's subnet, skipping the network,
 * broadcast and gw addresses and the nskip of skip (in use elsewhere);
 * fills l->addr, l->prefix (and l->mac). */
int bk_lease_take_auto(const char *dir, const struct bk_cidr *gw,
		       const struct in_addr *skip, size_t nskip,
		       struct bk_lease *l);
int bk_lease_release(const char *dir, const struct bk_lease *l);
/* Rewrite the lease of l->addr (held) with l's content, atomically:
 * temp file + rename(2), so a reader sees the old lease or the new. */
int bk_lease_update(const char *dir, const struct bk_lease *l);
/* Remove the bridge's directory of the store, once it holds no lease
 * (temp files of writers that died are removed with it). */
int bk_lease_forget_bridge(const char *dir, const char *bridge);

/* The host-wide address lock (flock of BK_IPAM_LOCK, waited for at most
 * timeout_ms): its fd, to close when the address chosen is visible and
 * the ports asked for published. */
#define BK_IPAM_LOCK "/run/bockit/vethup.lock"
int bk_ipam_lock(int timeout_ms);

/* Call fn for every lease (bridges and addresses in directory order);
 * stops and returns fn's value when it is not 0. A missing dir has none. */
int bk_lease_each(const char *dir, int (*fn)(const struct bk_lease *, void *),
		  void *data);

/* Every lease, sorted by bridge then address: *out (free it), *n. */
int bk_lease_list(const char *dir, struct bk_lease **out, size_t *n);

#endif
