/* ifconf: interface configuration requests over an rtnl socket, one
 * rtnetlink message each: look a link up or list a bridge's ports, create
 * a bridge or a veth pair (the peer made straight inside another netns),
 * set a link up, delete it, list/add IPv4 addresses (of another netns too,
 * by its id), ask whether a netns id is alive, add a default route. */
#ifndef BK_IFCONF_H
#define BK_IFCONF_H

#include "net/rtnl.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct bk_link {
	int index;
	char name[16];
	char kind[16];        /* IFLA_INFO_KIND ("bridge", "veth"), "" if none */
	int master;           /* IFLA_MASTER: the bridge it is a port of, or 0 */
	int peer_index;       /* IFLA_LINK: a veth's peer, in its netns, or 0 */
	bool peer_elsewhere;  /* IFLA_LINK_NETNSID: the peer is in another netns */
	int peer_nsid;        /* ... of this id; < 0 (NETNSA_NSID_NOT_ASSIGNED):
				 that netns is being dismantled */
};

/* 1 and *out filled when name exists, 0 when it does not, -1 on error. */
int bk_link_get(struct bk_rtnl *r, const char *name, struct bk_link *out);
/* The ports of bridge master (one filtered dump): *out (free it), *n. */
int bk_link_ports(struct bk_rtnl *r, int master, const char *master_name,
		  struct bk_link **out, size_t *n);
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

struct bk_addr {
	int index;            /* the link's, in the netns listed */
	struct in_addr addr;
	unsigned prefix;
};

/* The IPv4 addresses of link index (0: every link) in the netns of id
 * nsid as r's netns numbers them (< 0: r's own), in the kernel's order:
 * *out (free it), *n. errno is EINVAL when nsid names no live netns. */
int bk_addr_list_ipv4(struct bk_rtnl *r, int nsid, int index,
		      struct bk_addr **out, size_t *n);
/* The first IPv4 address of a link: 1 found, 0 none, -1 error. */
int bk_addr_get_ipv4(struct bk_rtnl *r, int index, struct in_addr *addr,
		     unsigned *prefix);
/* 1 when netns id nsid (as r's netns numbers it) names a live netns, 0
 * when that netns is gone or being dismantled, -1 on error. */
int bk_nsid_alive(struct bk_rtnl *r, int nsid);
/* The id r's netns gives the netns of nsfd in *nsid (< 0: none yet). */
int bk_nsid_of_fd(struct bk_rtnl *r, int nsfd, const char *label, int *nsid);
/* replace: succeed when the address is already there. */
int bk_addr_add_ipv4(struct bk_rtnl *r, int index, const char *ifname,
		     struct in_addr addr, unsigned prefix, bool replace);
int bk_route_add_default(struct bk_rtnl *r, int index, const char *ifname,
			 struct in_addr gw);

#endif
