/* ifconf: links, addresses and routes over rtnetlink (see ifconf.h). */
#include "net/ifconf.h"
#include "base/msg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
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
	struct bk_link *l = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(attr));
		break;
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			l->master = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			l->peer_index = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK_NETNSID:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0) {
			l->peer_elsewhere = true;
			l->peer_nsid = (int32_t)mnl_attr_get_u32(attr);
		}
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, linkinfo_attr, data);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static int parse_link(const struct nlmsghdr *nlh, struct bk_link *l)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	return mnl_attr_parse(nlh, sizeof(*ifi), link_attr, l);
}

static int on_link(const struct nlmsghdr *nlh, void *data)
{
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	return parse_link(nlh, data);
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

/* Room for one more element of size at *v, which holds n of *cap. */
static bool grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return true;
	p = realloc(*v, (*cap ? *cap * 2 : 16) * size);
	if (!p)
		return false;
	*v = p;
	*cap = *cap ? *cap * 2 : 16;
	return true;
}

struct link_vec {
	int master;
	struct bk_link *v;
	size_t n, cap;
	bool oom;
};

static int on_port(const struct nlmsghdr *nlh, void *data)
{
	struct link_vec *vec = data;
	struct bk_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK || parse_link(nlh, &l) < 0 ||
	    l.master != vec->master)
		return MNL_CB_OK;
	if (!grow((void **)&vec->v, &vec->cap, vec->n, sizeof(l))) {
		vec->oom = true;
		return MNL_CB_OK;
	}
	vec->v[vec->n++] = l;
	return MNL_CB_OK;
}

/* Before a dump the kernel marked interrupted is asked again. */
static void reset_links(void *data)
{
	struct link_vec *vec = data;

	vec->n = 0;
	vec->oom = false;
}

static int dump_ports(struct bk_rtnl *r, struct link_vec *vec,
		      const char *master_name)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETLINK, NLM_F_DUMP,
					   sizeof(*ifi), (void **)&ifi);

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)vec->master);
	snprintf(desc, sizeof(desc), "RTM_GETLINK master %s (dump)", master_name);
	if (bk_rtnl_dump(r, nlh, on_port, vec, reset_links, desc) < 0)
		return -1;
	return vec->oom ? bk_fail_errno(ENOMEM, "%s", desc) : 0;
}

int bk_link_ports(struct bk_rtnl *r, int master, const char *master_name,
		  struct bk_link **out, size_t *n)
{
	struct link_vec vec = { .master = master };

	if (dump_ports(r, &vec, master_name) < 0) {
		free(vec.v);
		return -1;
	}
	*out = vec.v;
	*n = vec.n;
	return 0;
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

struct addr_vec {
	int index;
	struct bk_addr *v;
	size_t n, cap;
	bool oom;
};

static int on_addr(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_vec *vec = data;
	const struct nlattr *attr;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET ||
	    (vec->index && (int)ifa->ifa_index != vec->index))
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(attr) != IFA_LOCAL ||
		    mnl_attr_validate2(attr, MNL_TYPE_BINARY, 4) < 0)
			continue;
		if (!grow((void **)&vec->v, &vec->cap, vec->n, sizeof(*vec->v))) {
			vec->oom = true;
			break;
		}
		vec->v[vec->n].index = (int)ifa->ifa_index;
		memcpy(&vec->v[vec->n].addr, mnl_attr_get_payload(attr), 4);
		vec->v[vec->n++].prefix = ifa->ifa_prefixlen;
	}
	return MNL_CB_OK;
}

static void reset_addrs(void *data)
{
	struct addr_vec *vec = data;

	vec->n = 0;
	vec->oom = false;
}

static int dump_addrs(struct bk_rtnl *r, int nsid, struct addr_vec *vec)
{
	char buf[BK_RTNL_BUFSIZE], desc[96];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETADDR, NLM_F_DUMP,
					   sizeof(*ifa), (void **)&ifa);
	int len;

	ifa->ifa_family = AF_INET;
	ifa->ifa_index = (unsigned)vec->index;   /* strict checking filters on it */
	len = snprintf(desc, sizeof(desc), "RTM_GETADDR ipv4");
	if (vec->index)
		len += snprintf(desc + len, sizeof(desc) - len, " dev #%d", vec->index);
	if (nsid >= 0) {
		mnl_attr_put_u32(nlh, IFA_TARGET_NETNSID, (uint32_t)nsid);
		snprintf(desc + len, sizeof(desc) - len, " target-netnsid %d", nsid);
	}
	if (bk_rtnl_dump(r, nlh, on_addr, vec, reset_addrs, desc) < 0)
		return -1;
	return vec->oom ? bk_fail_errno(ENOMEM, "%s", desc) : 0;
}

int bk_addr_list_ipv4(struct bk_rtnl *r, int nsid, int index,
		      struct bk_addr **out, size_t *n)
{
	struct addr_vec vec = { .index = index };

	if (dump_addrs(r, nsid, &vec) < 0) {
		free(vec.v);
		return -1;
	}
	*out = vec.v;
	*n = vec.n;
	return 0;
}

int bk_addr_get_ipv4(struct bk_rtnl *r, int index, struct in_addr *addr,
		     unsigned *prefix)
{
	struct bk_addr *v;
	size_t n;

	if (bk_addr_list_ipv4(r, -1, index, &v, &n) < 0)
		return -1;
	if (n) {
		*addr = v[0].addr;
		*prefix = v[0].prefix;
	}
	free(v);
	return n > 0;
}

static int on_nsid(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *attr;
	int *nsid = data;

	if (nlh->nlmsg_type != RTM_NEWNSID)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof(struct rtgenmsg))
		if (mnl_attr_get_type(attr) == NETNSA_NSID &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			*nsid = (int32_t)mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

int bk_nsid_of_fd(struct bk_rtnl *r, int nsfd, const char *label, int *nsid)
{
	char buf[BK_RTNL_BUFSIZE], desc[300];
	struct rtgenmsg *g;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETNSID, 0, sizeof(*g),
					   (void **)&g);

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)nsfd);
	snprintf(desc, sizeof(desc), "RTM_GETNSID fd %s", label);
	*nsid = NETNSA_NSID_NOT_ASSIGNED;
	return bk_rtnl_talk(r, nlh, on_nsid, nsid, desc);
}

int bk_nsid_alive(struct bk_rtnl *r, int nsid)
{
	char buf[BK_RTNL_BUFSIZE], desc[64];
	struct rtgenmsg *g;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETNSID, 0, sizeof(*g),
					   (void **)&g);

	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)nsid);
	snprintf(desc, sizeof(desc), "RTM_GETNSID nsid %d", nsid);
	if (bk_rtnl_talk(r, nlh, NULL, NULL, desc) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
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
