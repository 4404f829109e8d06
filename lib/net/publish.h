/* publish: ports of a netns published on the host, `-p 8080:80`: DNAT
 * through nftables in the bridge's own table (ip bockit_BRIDGE, which
 * `vethup bridge --del` removes whole), from other hosts (prerouting) and
 * from the host itself (output), 127.0.0.1 included, which needs the
 * bridge's route_localnet; its hole (a container sending to the host's
 * 127.0.0.0/8) is closed by a raw-prerouting drop in the same table. A
 * map from protocol and host port to the container's address and port
 * holds one element per host port: the kernel refuses a second
 * (`create element`), and before anything changes every bockit table of
 * the netns is asked, and a socket of the host bound to the port found.
 * Removal deletes only elements whose value is this container's. */
#ifndef BK_PUBLISH_H
#define BK_PUBLISH_H

#include "net/nft.h"
#include "net/portspec.h"

#include <netinet/in.h>
#include <stddef.h>

struct bk_publish {
	const char *bridge;
	struct in_addr addr;           /* the container's */
	unsigned prefix;               /* ... and its subnet's length */
	const struct bk_port *ports;
	size_t n;
};

/* Refuse, with one line, a port of p that a socket of the host holds,
 * on an address the host does not have, or already published through
 * any bockit_* table of this netns (the lease store leases names the
 * netns that holds it, when it is one of its own). Hold bk_ipam_lock()
 * from this check to bk_publish_add(). */
int bk_publish_check(struct bk_nft *nft, const struct bk_publish *p,
		     const char *leases);
/* One transaction: the table's publishing chains, map and set (made or
 * rewritten, idempotent) and p's elements; then route_localnet. All or
 * nothing. */
int bk_publish_add(struct bk_nft *nft, const struct bk_publish *p);
/* Remove p's elements that are still p's (another container's on the
 * same host port stays). No table, no map or no element is no error. */
int bk_publish_del(struct bk_nft *nft, const struct bk_publish *p);

#endif
