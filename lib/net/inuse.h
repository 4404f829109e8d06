/* inuse: the IPv4 addresses visibly in use on a bridge, read with
 * rtnetlink from the bridge's netns without entering any other: the
 * bridge's own, its ports', and every address inside the netns of each
 * veth port's peer (RTM_GETLINK of the ports, each one's
 * IFLA_LINK_NETNSID, then an RTM_GETADDR dump with IFA_TARGET_NETNSID).
 * So an address given with `ip` in a container's netns, or leased by
 * another lease store, is seen. A netns being dismantled holds none. */
#ifndef BK_INUSE_H
#define BK_INUSE_H

#include "net/ifconf.h"

struct bk_inuse_addr {
	struct in_addr addr;
	char port[16];       /* the port whose peer's netns holds it, "" */
};

struct bk_inuse {
	struct bk_inuse_addr *v;
	size_t n, cap;
	bool oom;
};

/* Fill u (zeroed first; bk_inuse_free() it, also after a failure). */
int bk_inuse_scan(struct bk_rtnl *r, const struct bk_link *br, struct bk_inuse *u);
/* The entry of a, or NULL when a is not in use. */
const struct bk_inuse_addr *bk_inuse_find(const struct bk_inuse *u, struct in_addr a);
void bk_inuse_free(struct bk_inuse *u);

#endif
