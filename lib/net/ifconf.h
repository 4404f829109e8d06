/* ifconf: interface configuration requests over an rtnl socket, one
 * rtnetlink message each: look a link up, create a bridge or a veth pair
 * (the peer made straight inside another netns), set a link up, delete it,
 * read/add an IPv4 address, add a default route. */
#ifndef BK_IFCONF_H
#define BK_IFCONF_H

#include "net/rtnl.h"

#include <netinet/in.h>
#include <stdbool.h>

struct bk_link {
	int index;
	char kind[16];   /* IFLA_INFO_KIND ("bridge", "veth"), "" if none */
};

/* 1 and *out filled when name exists, 0 when it does not, -1 on error. */
int bk_link_get(struct bk_rtnl *r, const char *name, struct bk_link *out);
int bk_link_add_bridge(struct bk_rtnl *r, const char *name);
int bk_link_set_up(struct bk_rtnl *r, int index, const char *name);
/* errno is ENODEV when there was no such link. */
int bk_link_del(struct bk_rtnl *r, const char *name);

struct bk_veth {
	const char *name;          /* this end, made in r's netns, up */
	int master;                /* enslave to this bridge (ifindex), or 0 */
	const char *master_name;
	const char *peer;          /* the other end, made down ... */
	int peer_nsfd;             /* ... inside this netns */
	const char *peer_ns;       /* its name, for the trace */
	const unsigned char *peer_mac;   /* 6 bytes, or NULL for random */
};
int bk_link_add_veth(struct bk_rtnl *r, const struct bk_veth *v);

/* The first IPv4 address of a link: 1 found, 0 none, -1 error. */
int bk_addr_get_ipv4(struct bk_rtnl *r, int index, struct in_addr *addr,
		     unsigned *prefix);
/* replace: succeed when the address is already there. */
int bk_addr_add_ipv4(struct bk_rtnl *r, int index, const char *ifname,
		     struct in_addr addr, unsigned prefix, bool replace);
int bk_route_add_default(struct bk_rtnl *r, int index, const char *ifname,
			 struct in_addr gw);

#endif
