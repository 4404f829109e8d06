/* vnet: vethup's operations, composed from ifconf (rtnetlink), netns, ipam,
 * nat and publish: set up a bridge; wire a network namespace to a bridge
 * (veth pair, address, default route, lease, published ports), undoing
 * every step on failure; unwire it again, its ports first, releasing the
 * lease even when the netns is gone. */
#ifndef BK_VNET_H
#define BK_VNET_H

#include "net/portspec.h"

#include <netinet/in.h>
#include <stddef.h>
#include <stdbool.h>

struct bk_vnet_bridge {
	const char *name;
	const char *addr;      /* "A.B.C.D/LEN" or NULL: keep what it has */
	bool forward;          /* net.ipv4.ip_forward = 1 */
	bool nat;              /* MASQUERADE for the bridge's subnet */
};
/* Set up (or confirm) bridge b->name, then record it in
 * /run/bockit/bridges/NAME: "IFINDEX ADDRESS/LEN NAT". */
int bk_vnet_bridge(const struct bk_vnet_bridge *b);
/* Only what bk_vnet_bridge checks before it asks the kernel anything:
 * the name and the address as written. */
int bk_vnet_bridge_check(const struct bk_vnet_bridge *b);
/* Remove bridge name with its table (NAT and published ports), its record and the
 * store's leases on it (each
 * one's netns deleted, as bk_vnet_del does). Refused while a lease's netns
 * exists or a port that is no lease's stays (waited for a while: it may be
 * the veth of a netns being dismantled), unless force. Nothing there is
 * no error. */
int bk_vnet_bridge_del(const char *leases, const char *name, bool force);

struct bk_vnet_add {
	const char *leases;    /* lease store directory */
	const char *netns;     /* NAME (/run/netns/NAME, made if missing) or PATH */
	const char *bridge;
	const char *ip;        /* "auto" or "A.B.C.D[/LEN]" (LEN: the bridge's) */
	const char *gw;        /* NULL: the bridge's address */
	const char *mac;       /* NULL: 02:42 followed by the address */
	const char *host_if;   /* NULL: veth0_NAME, "netns_" dropped from NAME */
	const char *ifname;    /* the container end, e.g. "eth0" */
	const struct bk_port *ports;   /* -p: published to the address, */
	size_t nports;                 /* refused before anything is made
					  when one is taken (see publish.h) */
	char addr[INET_ADDRSTRLEN];   /* out: the address given */
};
int bk_vnet_add(struct bk_vnet_add *a);
/* Only what bk_vnet_add checks first: the names, --ip, --gw, --mac and
 * the ports (at most BK_LEASE_PORTS, no host port twice) as written. */
int bk_vnet_add_check(struct bk_vnet_add *a);

enum {
	BK_VNET_DEL_FORCE = 1,   /* nothing to delete is not an error */
	BK_VNET_DEL_WAIT = 2,    /* return once the host ends are gone */
};
/* Remove the ports its leases published, delete the netns (when it is a
 * /run/netns name; the kernel takes the veth with it, some 10-50 ms
 * later), else the host end of its veth, and release its leases. With BK_VNET_DEL_WAIT the host ends its leases name
 * are deleted first, synchronously. */
int bk_vnet_del(const char *leases, const char *netns, unsigned flags);

#endif
