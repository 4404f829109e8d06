/* ifconf: links, addresses and routes over rtnetlink (see ifconf.h). */
#include "net/ifconf.h"
#include "base/msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>

static void put_up(struct ifinfomsg *ifi)
{
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
}

static int linkinfo_attr(const struct nlattr *attr, void *data)
{
	struct bk_link *l = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
		snprintf(l->kind, sizeof(l->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	return MNL_CB_OK;
}

static int link_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == IFLA_LINKINFO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
		mnl_attr_parse_nested(attr, linkinfo_attr, data);
	return MNL_CB_OK;
}

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct bk_link *l = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->index = ifi->ifi_index;
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr, l);
}

int bk_link_get(struct bk_rtnl *r, const char *name, struct bk_link *out)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETLINK, 0, sizeof(*ifi),
					   (void **)&ifi);

	memset(out, 0, sizeof(*out));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	snprintf(desc, sizeof(desc), "RTM_GETLINK %s", name);
	if (bk_rtnl_talk(r, nlh, on_link, out, desc) < 0)
		return errno == ENODEV ? 0 : -1;
	return out->index > 0;
}

/* An RTM_NEWLINK request that creates link NAME, up. */
static struct nlmsghdr *new_link_msg(char *buf, const char *name)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_NEWLINK,
					   NLM_F_CREATE | NLM_F_EXCL,
					   sizeof(*ifi), (void **)&ifi);

	put_up(ifi);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nlh;
}

int bk_link_add_bridge(struct bk_rtnl *r, const char *name)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct nlmsghdr *nlh = new_link_msg(buf, name);
	struct nlattr *info;

	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	snprintf(desc, sizeof(desc), "RTM_NEWLINK %s type bridge up", name);
	return bk_rtnl_talk(r, nlh, NULL, NULL, desc);
}

int bk_link_set_up(struct bk_rtnl *r, int index, const char *name)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_NEWLINK, 0, sizeof(*ifi),
					   (void **)&ifi);

	put_up(ifi);
	ifi->ifi_index = index;
	snprintf(desc, sizeof(desc), "RTM_NEWLINK dev %s up", name);
	return bk_rtnl_talk(r, nlh, NULL, NULL, desc);
}

int bk_link_del(struct bk_rtnl *r, const char *name)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_DELLINK, 0, sizeof(*ifi),
					   (void **)&ifi);

	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	snprintf(desc, sizeof(desc), "RTM_DELLINK %s", name);
	return bk_rtnl_talk(r, nlh, NULL, NULL, desc);
}

/* One tx and one rx queue, asked for up front. Without them the kernel
 * makes one per possible CPU, then cuts each end back to one with
 * netif_set_real_num_*_queues(), which waits for an expedited RCU grace
 * period: 0.4 ms of every vethup add on this 2-CPU VM (perf sched). */
static void put_one_queue(struct nlmsghdr *nlh)
{
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 1);
}

static void put_veth_peer(struct nlmsghdr *nlh, const struct bk_veth *v)
{
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);

	/* The peer is described by its own ifinfomsg + link attributes. It
	 * is left down: asking for IFF_UP on a peer made in another netns
	 * fails with ENOTCONN (kernel 6.18), so it is set up from inside. */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, v->peer);
	put_one_queue(nlh);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)v->peer_nsfd);
	if (v->peer_mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, v->peer_mac);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
}

static void describe_veth(char *desc, size_t len, const struct bk_veth *v)
{
	char mac[32] = "";
	const unsigned char *m = v->peer_mac;

	if (m)
		snprintf(mac, sizeof(mac), " address %02x:%02x:%02x:%02x:%02x:%02x",
			 m[0], m[1], m[2], m[3], m[4], m[5]);
	snprintf(desc, len, "RTM_NEWLINK %s type veth peer %s netns %s%s%s%s up",
		 v->name, v->peer, v->peer_ns, mac,
		 v->master ? " master " : "", v->master ? v->master_name : "");
}

int bk_link_add_veth(struct bk_rtnl *r, const struct bk_veth *v)
{
	char buf[BK_RTNL_BUFSIZE], desc[256];
	struct nlmsghdr *nlh = new_link_msg(buf, v->name);
	struct nlattr *info;

	put_one_queue(nlh);
	if (v->master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)v->master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	put_veth_peer(nlh, v);
	mnl_attr_nest_end(nlh, info);
	describe_veth(desc, sizeof(desc), v);
	return bk_rtnl_talk(r, nlh, NULL, NULL, desc);
}

/* Collects the first IPv4 address of one link from an address dump. */
struct addr_query {
	int index;
	int found;
	struct in_addr addr;
	unsigned prefix;
};

static int on_addr(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_query *q = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWADDR || q->found ||
	    ifa->ifa_family != AF_INET || (int)ifa->ifa_index != q->index)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) == IFA_LOCAL &&
		    mnl_attr_validate2(attr, MNL_TYPE_BINARY, 4) >= 0) {
			memcpy(&q->addr, mnl_attr_get_payload(attr), 4);
			q->prefix = ifa->ifa_prefixlen;
			q->found = 1;
		}
	}
	return MNL_CB_OK;
}

int bk_addr_get_ipv4(struct bk_rtnl *r, int index, struct in_addr *addr,
		     unsigned *prefix)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETADDR, NLM_F_DUMP,
					   sizeof(*ifa), (void **)&ifa);
	struct addr_query q = { .index = index };

	ifa->ifa_family = AF_INET;
	ifa->ifa_index = index;
	snprintf(desc, sizeof(desc), "RTM_GETADDR ipv4 dev #%d", index);
	if (bk_rtnl_talk(r, nlh, on_addr, &q, desc) < 0)
		return -1;
	*addr = q.addr;
	*prefix = q.prefix;
	return q.found;
}

int bk_addr_add_ipv4(struct bk_rtnl *r, int index, const char *ifname,
		     struct in_addr addr, unsigned prefix, bool replace)
{
	char buf[BK_RTNL_BUFSIZE], desc[96], a[INET_ADDRSTRLEN];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_NEWADDR, NLM_F_CREATE |
					   (replace ? NLM_F_REPLACE : NLM_F_EXCL),
					   sizeof(*ifa), (void **)&ifa);

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = index;
	mnl_attr_put(nlh, IFA_LOCAL, 4, &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &addr);
	inet_ntop(AF_INET, &addr, a, sizeof(a));
	snprintf(desc, sizeof(desc), "RTM_NEWADDR %s/%u dev %s", a, prefix, ifname);
	return bk_rtnl_talk(r, nlh, NULL, NULL, desc);
}

int bk_route_add_default(struct bk_rtnl *r, int index, const char *ifname,
			 struct in_addr gw)
{
	char buf[BK_RTNL_BUFSIZE], desc[96], a[INET_ADDRSTRLEN];
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_NEWROUTE,
					   NLM_F_CREATE | NLM_F_EXCL,
					   sizeof(*rtm), (void **)&rtm);

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	inet_ntop(AF_INET, &gw, a, sizeof(a));
	snprintf(desc, sizeof(desc), "RTM_NEWROUTE default via %s dev %s", a, ifname);
	return bk_rtnl_talk(r, nlh, NULL, NULL, desc);
}
