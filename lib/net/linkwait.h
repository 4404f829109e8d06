/* linkwait: an interface the kernel is still removing. When a network
 * namespace loses its last reference, the kernel dismantles it later, in
 * a work queue, and the veths into it go with it: after `vethup del` (or
 * `ip netns del`) the host end's name stays taken for 10-50 ms, longer
 * when the netns was made just before (a closed netlink socket holds it
 * for an RCU grace period). Such a link can be told apart when its
 * netns is already being dismantled, and waited for, bounded, on the link
 * notifications. */
#ifndef BK_LINKWAIT_H
#define BK_LINKWAIT_H

#include "net/ifconf.h"

/* 1 when l is a veth whose peer's netns is being dismantled, 0 when it is
 * not, -1 on error. */
int bk_link_dying(struct bk_rtnl *r, const struct bk_link *l);

/* Wait until no link is named l->name, for at most timeout_ms: 0 when the
 * name is free, -1 when l is still there (errno ETIMEDOUT: "NAME: still
 * there after N ms") or another link took the name (EEXIST). */
int bk_link_wait_gone(struct bk_rtnl *r, const struct bk_link *l, int timeout_ms);

#endif
