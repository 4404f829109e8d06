/* linkwait: telling a dying namesake apart, and waiting for it (linkwait.h). */
#include "net/linkwait.h"
#include "base/msg.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <string.h>

int bk_link_dying(struct bk_rtnl *r, const struct bk_link *l)
{
	int alive;

	if (strcmp(l->kind, "veth") || !l->peer_elsewhere)
		return 0;
	if (l->peer_nsid < 0)
		return 1;   /* its netns lost its id: cleanup_net() has begun */
	alive = bk_nsid_alive(r, l->peer_nsid);
	return alive < 0 ? -1 : !alive;
}

static int on_dellink(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const int *index = data;

	if (nlh->nlmsg_type == RTM_DELLINK && ifi->ifi_index == *index)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

int bk_link_wait_gone(struct bk_rtnl *r, const struct bk_link *l, int timeout_ms)
{
	struct bk_rtnl ev;
	long start = bk_rtnl_clock_ms(), deadline = start + timeout_ms;
	int index = l->index, ret = -1;

	if (bk_rtnl_open_events(&ev, RTMGRP_LINK, r->where) < 0)
		return -1;
	BK_TRACE("wait for RTM_DELLINK %s (#%d)%s, at most %d ms", l->name,
		 index, r->where, timeout_ms);
	for (;;) {
		struct bk_link now;
		int found = bk_link_get(r, l->name, &now);   /* after subscribing */

		if (found <= 0) {
			ret = found;
			break;
		}
		if (now.index != index) {
			errno = EEXIST;
			bk_fail("interface %s already exists", l->name);
			break;
		}
		if (bk_rtnl_clock_ms() >= deadline) {
			errno = ETIMEDOUT;
			bk_fail("%s: still there after %d ms", l->name, timeout_ms);
			break;
		}
		if (bk_rtnl_wait(&ev, deadline, on_dellink, &index) < 0)
			break;
	}
	if (ret == 0)
		BK_TRACE("%s gone after %ld ms", l->name, bk_rtnl_clock_ms() - start);
	bk_rtnl_close(&ev);
	return ret;
}
