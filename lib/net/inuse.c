/* inuse: addresses in use on a bridge, from its netns (see inuse.h). */
#include "net/inuse.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "net/linkwait.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void push(struct bk_inuse *u, struct in_addr a, const char *port)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 32;
		struct bk_inuse_addr *v = realloc(u->v, cap * sizeof(*v));
		if (!v) {
			u->oom = true;
			return;
		}
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n].addr = a;
	snprintf(u->v[u->n++].port, sizeof(u->v->port), "%s", port);
}

/* The port (or "" for the bridge) an address of the bridge's own netns
 * belongs to: one on the bridge, on a port, or on the peer of a veth port
 * whose both ends are here; NULL for other links. */
static const char *local_owner(int index, const struct bk_link *br,
			       const struct bk_link *ports, size_t n)
{
	if (index == br->index)
		return "";
	for (size_t i = 0; i < n; i++)
		if (index == ports[i].index ||
		    (!ports[i].peer_elsewhere && index == ports[i].peer_index))
			return ports[i].name;
	return NULL;
}

static int scan_local(struct bk_rtnl *r, const struct bk_link *br,
		      const struct bk_link *ports, size_t np, struct bk_inuse *u)
{
	_cleanup_free_ struct bk_addr *a = NULL;
	size_t na;

	if (bk_addr_list_ipv4(r, -1, 0, &a, &na) < 0)
		return -1;
	for (size_t i = 0; i < na; i++) {
		const char *owner = local_owner(a[i].index, br, ports, np);
		if (owner)
			push(u, a[i].addr, owner);
	}
	return 0;
}

/* Every address in the netns of port p's peer. The kernel refuses an id
 * whose netns is being dismantled (EINVAL): that one holds none. */
static int scan_peer_netns(struct bk_rtnl *r, const struct bk_link *p,
			   struct bk_inuse *u)
{
	_cleanup_free_ struct bk_addr *a = NULL;
	size_t na;

	if (p->peer_nsid < 0)
		return 0;   /* no id any more: being dismantled */
	if (bk_addr_list_ipv4(r, p->peer_nsid, 0, &a, &na) < 0) {
		char msg[512];
		int dying;

		if (errno != EINVAL)
			return -1;
		snprintf(msg, sizeof(msg), "%s", bk_error());
		dying = bk_link_dying(r, p);
		if (!dying)
			return bk_fail("%s", msg);
		return dying < 0 ? -1 : 0;
	}
	for (size_t i = 0; i < na; i++)
		push(u, a[i].addr, p->name);
	return 0;
}

static bool nsid_seen(const struct bk_link *ports, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (ports[j].peer_elsewhere && ports[j].peer_nsid == ports[i].peer_nsid)
			return true;
	return false;
}

int bk_inuse_scan(struct bk_rtnl *r, const struct bk_link *br, struct bk_inuse *u)
{
	_cleanup_free_ struct bk_link *ports = NULL;
	size_t np;

	memset(u, 0, sizeof(*u));
	if (bk_link_ports(r, br->index, br->name, &ports, &np) < 0 ||
	    scan_local(r, br, ports, np, u) < 0)
		return -1;
	for (size_t i = 0; i < np; i++)
		if (ports[i].peer_elsewhere && !nsid_seen(ports, i) &&
		    scan_peer_netns(r, &ports[i], u) < 0)
			return -1;
	if (u->oom)
		return bk_fail_errno(ENOMEM, "addresses in use on %s", br->name);
	return 0;
}

const struct bk_inuse_addr *bk_inuse_find(const struct bk_inuse *u, struct in_addr a)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i].addr.s_addr == a.s_addr)
			return &u->v[i];
	return NULL;
}

void bk_inuse_free(struct bk_inuse *u)
{
	free(u->v);
	memset(u, 0, sizeof(*u));
}
