/* vnet: bridge setup, netns wiring with undo, unwiring (see vnet.h). */
#include "net/vnet.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "net/ifconf.h"
#include "net/inuse.h"
#include "net/ipam.h"
#include "net/linkwait.h"
#include "net/mac.h"
#include "base/msg.h"
#include "net/nat.h"
#include "net/netns.h"
#include "net/nft.h"
#include "base/path.h"
#include "net/publish.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOPBACK_IFINDEX 1   /* lo is always the first link of a netns */
#define BRIDGE_RECORDS "/run/bockit/bridges"

static void rtnl_closep(struct bk_rtnl *r)
{
	bk_rtnl_close(r);
}
#define _cleanup_rtnl_ __attribute__((cleanup(rtnl_closep)))

/* An interface name as the kernel takes it, whole: never truncated. */
static int check_ifname(const char *what, const char *name)
{
	if (strlen(name) > IFNAMSIZ - 1)
		return bk_fail("%s '%s': longer than %d characters, the kernel's "
			       "limit for an interface name", what, name, IFNAMSIZ - 1);
	if (!bk_valid_name(name, IFNAMSIZ - 1))
		return bk_fail("%s '%s': invalid interface name (1-%d of A-Z a-z "
			       "0-9 _ . -)", what, name, IFNAMSIZ - 1);
	return 0;
}

static int find_bridge(struct bk_rtnl *r, const char *name, struct bk_link *br)
{
	int found = bk_link_get(r, name, br);

	if (found < 0)
		return -1;
	if (!found)
		return bk_fail("bridge %s: no such interface (make it with "
			       "`vethup bridge %s --addr A.B.C.D/LEN`)", name, name);
	if (strcmp(br->kind, "bridge"))
		return bk_fail("%s: not a bridge (kind '%s')", name, br->kind);
	return 0;
}

/* ---- vethup bridge ---- */

static int bridge_ensure(struct bk_rtnl *r, const char *name,
			 struct bk_link *br, bool *made)
{
	int found = bk_link_get(r, name, br);

	*made = false;
	if (found < 0)
		return -1;
	if (!found) {
		int ret = bk_link_add_bridge(r, name);
		if (ret < 0 && errno != EEXIST)   /* EEXIST: made concurrently */
			return -1;
		*made = ret == 0;
	}
	return find_bridge(r, name, br);
}

/* --addr on a bridge: added when it has no IPv4 address, nothing to do
 * when it has this one; another one is refused, never added beside it
 * (the pool, the gateway and the NAT rule follow the first). */
static int bridge_address(struct bk_rtnl *r, const struct bk_vnet_bridge *b,
			  const struct bk_link *br, const struct bk_cidr *c)
{
	_cleanup_free_ struct bk_addr *have = NULL;
	char a[INET_ADDRSTRLEN];
	size_t n;

	if (bk_addr_list_ipv4(r, -1, br->index, &have, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (have[i].addr.s_addr == c->addr.s_addr && have[i].prefix == c->prefix)
			return 0;
	if (n == 0)   /* NLM_F_REPLACE: a concurrent add of the same is no error */
		return bk_addr_add_ipv4(r, br->index, b->name, c->addr, c->prefix, true);
	inet_ntop(AF_INET, &have[0].addr, a, sizeof(a));
	return bk_fail("bridge %s has %s/%u: refusing a second address %s (remove "
		       "the bridge first: vethup bridge --del %s)", b->name, a,
		       have[0].prefix, b->addr, b->name);
}

/* Set the bridge up as b asks. Its address ends in *c, *have 1 (the one
 * asked for: bridge_address leaves no other), or 0 when it has none. */
static int bridge_configure(struct bk_rtnl *r, const struct bk_vnet_bridge *b,
			    const struct bk_link *br, struct bk_cidr *c, int *have)
{
	char subnet[32];

	if (b->addr) {
		if (bk_cidr_parse(b->addr, c, -1) < 0 || bridge_address(r, b, br, c) < 0)
			return -1;
		*have = 1;
	} else if ((*have = bk_addr_get_ipv4(r, br->index, &c->addr, &c->prefix)) < 0) {
		return -1;
	}
	if (b->nat && !*have)
		return bk_fail("bridge %s: --nat needs an address (--addr)", b->name);
	if (bk_link_set_up(r, br->index, b->name) < 0)
		return -1;
	if (b->forward && bk_ip_forward_enable() < 0)
		return -1;
	if (!b->nat)
		return 0;
	bk_cidr_subnet_str(c, subnet, sizeof(subnet));
	return bk_nat_masquerade(b->name, subnet);
}

int bk_vnet_bridge_check(const struct bk_vnet_bridge *b)
{
	struct bk_cidr c;

	if (check_ifname("bridge", b->name) < 0)
		return -1;
	if (b->addr && bk_cidr_parse(b->addr, &c, -1) < 0)
		return -1;
	return 0;
}

static void record_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", BRIDGE_RECORDS, name);
}

/* BRIDGE_RECORDS/NAME: "IFINDEX ADDRESS/LEN NAT" (ADDRESS/LEN "-" when it
 * has none, NAT 0 or 1), so a reader can tell, without a netlink request,
 * that this very bridge (not one made again under its name) was set up so. */
static int write_record(const struct bk_vnet_bridge *b, const struct bk_link *br,
			const struct bk_cidr *c, int have)
{
	char path[sizeof(BRIDGE_RECORDS) + IFNAMSIZ + 1], line[80], addr[INET_ADDRSTRLEN + 4] = "-";

	if (bk_mkdir_p(BRIDGE_RECORDS, 0755) < 0)
		return -1;
	if (have) {
		char ip[INET_ADDRSTRLEN];
		snprintf(addr, sizeof(addr), "%s/%u",
			 inet_ntop(AF_INET, &c->addr, ip, sizeof(ip)), c->prefix);
	}
	record_path(path, sizeof(path), b->name);
	snprintf(line, sizeof(line), "%d %s %d\n", br->index, addr, b->nat);
	BK_TRACE("write %s \"%.*s\"", path, (int)strlen(line) - 1, line);
	return bk_write_atomic(path, line, 0644);
}

static int remove_record(const char *name)
{
	char path[sizeof(BRIDGE_RECORDS) + IFNAMSIZ + 1];

	record_path(path, sizeof(path), name);
	BK_TRACE("unlink %s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "remove %s", path);
	return 0;
}

int bk_vnet_bridge(const struct bk_vnet_bridge *b)
{
	_cleanup_rtnl_ struct bk_rtnl r = { 0 };
	struct bk_link br;
	struct bk_cidr c;
	bool made;
	int have;

	if (bk_vnet_bridge_check(b) < 0 || bk_rtnl_open(&r, "") < 0 || bridge_ensure(&r, b->name, &br, &made) < 0)
		return -1;
	if (bridge_configure(&r, b, &br, &c, &have) < 0 || write_record(b, &br, &c, have) < 0) {
		struct bk_saved_error e;
		bk_error_save(&e);
		if (made)
			bk_link_del(&r, b->name);
		return bk_error_restore(&e);
	}
	return 0;
}

/* The host end of a lease's veth, when no netns deletion took it. */
static int del_host_if(struct bk_rtnl *r, const char *name)
{
	if (!r->nl && bk_rtnl_open(r, "") < 0)
		return -1;
	if (bk_link_del(r, name) < 0 && errno != ENODEV)
		return -1;
	return 0;
}

/* ---- vethup bridge --del ---- */

struct bridge_del {
	const char *leases, *name;
	bool force;
	struct bk_rtnl r;
	struct bk_link br;           /* index 0: there is no such link */
	struct bk_lease *l;          /* the store's leases on the bridge */
	size_t nl;
	struct bk_link *ports;
	size_t np;
};

static int keep_bridge_leases(struct bridge_del *d)
{
	struct bk_lease *all;
	size_t n;

	if (bk_lease_list(d->leases, &all, &n) < 0)
		return -1;
	d->l = all;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].bridge, d->name))
			d->l[d->nl++] = all[i];
	return 0;
}

static bool is_lease_port(const struct bridge_del *d, const char *port)
{
	for (size_t i = 0; i < d->nl; i++)
		if (!strcmp(d->l[i].hostif, port))
			return true;
	return false;
}

/* A lease whose netns still exists is a container in use. */
static int check_leases_unused(const struct bridge_del *d)
{
	for (size_t i = 0; i < d->nl; i++) {
		const char *ns = d->l[i].netns;
		if (access(ns, F_OK) < 0)
			continue;
		if (bk_netns_is_named(ns))
			ns = strrchr(ns, '/') + 1;
		return bk_fail("bridge %s: in use by netns %s (lease %s): vethup "
			       "del --netns %s first, or --force", d->name, ns,
			       d->l[i].addr, ns);
	}
	return 0;
}

/* How long bridge --del waits for ports that are no lease's to go. */
#define PORT_WAIT_MS 2000

/* Ports no lease accounts for: a veth into another netns may be that of
 * a netns being dismantled (a del just before) and is waited for. */
static int check_ports_unused(struct bridge_del *d)
{
	long deadline = bk_rtnl_clock_ms() + PORT_WAIT_MS;

	for (size_t i = 0; i < d->np; i++) {
		const struct bk_link *p = &d->ports[i];
		long left = deadline - bk_rtnl_clock_ms();
		if (is_lease_port(d, p->name))
			continue;
		if (!strcmp(p->kind, "veth") && p->peer_elsewhere) {
			if (bk_link_wait_gone(&d->r, p, left > 0 ? (int)left : 0) == 0)
				continue;
			if (errno != ETIMEDOUT && errno != EEXIST)
				return -1;
		}
		return bk_fail("bridge %s: port %s is in use (not a lease of %s): "
			       "remove it first, or --force", d->name, p->name,
			       d->leases);
	}
	return 0;
}

/* What vethup del does for one lease: its netns, else its host end. */
static int unwire_lease(struct bridge_del *d, const struct bk_lease *l)
{
	int gone = bk_netns_is_named(l->netns) ? bk_netns_delete(l->netns) : 0;

	if (gone < 0 || (!gone && del_host_if(&d->r, l->hostif) < 0))
		return -1;
	return bk_lease_release(d->leases, l);
}

static int bridge_del_steps(struct bridge_del *d)
{
	int found;

	if (check_ifname("bridge", d->name) < 0 || bk_rtnl_open(&d->r, "") < 0 ||
	    (found = bk_link_get(&d->r, d->name, &d->br)) < 0)
		return -1;
	if (found && strcmp(d->br.kind, "bridge"))
		return bk_fail("%s: not a bridge (kind '%s')", d->name, d->br.kind);
	if (keep_bridge_leases(d) < 0 ||
	    (found && bk_link_ports(&d->r, d->br.index, d->name, &d->ports, &d->np) < 0))
		return -1;
	if (!d->force && (check_leases_unused(d) < 0 || check_ports_unused(d) < 0))
		return -1;
	if (bk_nat_remove(d->name) < 0)
		return -1;
	for (size_t i = 0; i < d->nl; i++)
		if (unwire_lease(d, &d->l[i]) < 0)
			return -1;
	if (found && bk_link_del(&d->r, d->name) < 0 && errno != ENODEV)
		return -1;
	if (remove_record(d->name) < 0)
		return -1;
	return bk_lease_forget_bridge(d->leases, d->name);
}

int bk_vnet_bridge_del(const char *leases, const char *name, bool force)
{
	struct bridge_del d = { .leases = leases, .name = name, .force = force };
	int ret = bridge_del_steps(&d);

	free(d.l);
	free(d.ports);
	bk_rtnl_close(&d.r);
	return ret;
}

/* ---- vethup add ---- */

struct add {
	struct bk_vnet_add *a;
	char *nspath;
	const char *nsname;          /* for traces */
	char host_if[IFNAMSIZ];
	struct bk_rtnl host, ns;
	int home, nsfd;
	int lock;                    /* bk_ipam_lock() until the address shows */
	struct bk_link br;
	bool auto_ip, ip_has_len, have_gw;
	struct in_addr gw;
	struct bk_cidr ip;
	struct bk_cidr pool;         /* the bridge's address: --ip auto's subnet */
	struct bk_inuse busy;        /* addresses in use on the bridge */
	unsigned char mac[6];
	struct bk_lease lease;
	struct bk_nft *nft;          /* with -p: libnftables, loaded */
	bool made_lease, made_netns, made_veth, made_ports;   /* the undo list */
};

static void add_free(struct add *x)
{
	bk_inuse_free(&x->busy);
	bk_rtnl_close(&x->host);
	bk_rtnl_close(&x->ns);
	if (x->home >= 0)
		close(x->home);
	if (x->nsfd >= 0)
		close(x->nsfd);
	if (x->lock >= 0)
		close(x->lock);
	bk_nft_close(x->nft);
	free(x->nspath);
}

static struct bk_publish add_publish(const struct add *x)
{
	return (struct bk_publish){ .bridge = x->a->bridge, .addr = x->ip.addr,
				    .prefix = x->ip.prefix, .ports = x->a->ports,
				    .n = x->a->nports };
}

static void add_undo(struct add *x)
{
	struct bk_saved_error e;

	bk_error_save(&e);
	if (x->made_ports) {
		struct bk_publish p = add_publish(x);
		bk_publish_del(x->nft, &p);
	}
	if (x->made_veth)
		bk_link_del(&x->host, x->host_if);
	if (x->made_netns)
		bk_netns_delete(x->nspath);
	if (x->made_lease)
		bk_lease_release(x->a->leases, &x->lease);
	bk_error_restore(&e);
}

/* veth0_NAME, with bocker's "netns_" prefix dropped (netns_ps_1 ->
 * veth0_ps_1); a netns given as a path needs --host-if. */
static int name_host_if(struct add *x)
{
	const char *n = x->nsname;

	if (x->a->host_if) {
		if (check_ifname("--host-if", x->a->host_if) < 0)
			return -1;
		snprintf(x->host_if, sizeof(x->host_if), "%s", x->a->host_if);
	} else if (!bk_netns_is_named(x->nspath))
		return bk_fail("--host-if is required when --netns is a path");
	else {
		if (!strncmp(n, "netns_", 6) && n[6])
			n += 6;
		if (strlen("veth0_") + strlen(n) > IFNAMSIZ - 1)
			return bk_fail("host interface name veth0_%s is longer than "
				       "%d characters: pass --host-if", n, IFNAMSIZ - 1);
		snprintf(x->host_if, sizeof(x->host_if), "veth0_%s", n);
	}
	return check_ifname("host interface", x->host_if);
}

static int check_names(struct add *x)
{
	const char *slash;

	if (check_ifname("--if", x->a->ifname) < 0 ||
	    check_ifname("bridge", x->a->bridge) < 0)
		return -1;
	x->nspath = bk_netns_path(x->a->netns);
	if (!x->nspath)
		return -1;
	slash = strrchr(x->nspath, '/');
	x->nsname = bk_netns_is_named(x->nspath) ? slash + 1 : x->nspath;
	return name_host_if(x);
}

/* --ip, --gw, --mac checked before anything is asked of the kernel. */
static int parse_addresses(struct add *x)
{
	const char *ip = x->a->ip;

	x->auto_ip = !strcmp(ip, "auto");
	if (!x->auto_ip && bk_cidr_parse(ip, &x->ip, 0) < 0)
		return -1;
	x->ip_has_len = strchr(ip, '/') != NULL;
	if (x->a->gw) {
		struct bk_cidr g;
		if (bk_cidr_parse(x->a->gw, &g, 32) < 0)
			return -1;
		x->gw = g.addr;
		x->have_gw = true;
	}
	if (x->a->mac) {   /* else the lease store derives one from the address */
		if (bk_mac_parse(x->a->mac, x->mac) < 0)
			return -1;
		bk_mac_format(x->mac, x->lease.mac);   /* as ip(8) would set it */
	}
	return 0;
}

/* An explicit --ip: a host address of the bridge's subnet, with its
 * prefix, not the gateway's. */
static int check_explicit_ip(struct add *x, bool bridge_has_addr)
{
	const struct bk_cidr *net = bridge_has_addr ? &x->pool : &x->ip;
	const char *special = bk_cidr_special(&x->ip);
	char subnet[32];

	bk_cidr_subnet_str(net, subnet, sizeof(subnet));
	if (bridge_has_addr && x->ip.prefix != x->pool.prefix)
		return bk_fail("--ip %s: prefix /%u is not bridge %s's (%s)",
			       x->a->ip, x->ip.prefix, x->a->bridge, subnet);
	if (!bk_cidr_contains(net, x->ip.addr))
		return bk_fail("--ip %s: not in bridge %s's subnet %s", x->a->ip,
			       x->a->bridge, subnet);
	if (special)
		return bk_fail("--ip %s: the %s address of %s, not a host's",
			       x->a->ip, special, subnet);
	if (x->have_gw && x->ip.addr.s_addr == x->gw.s_addr)
		return bk_fail("--ip %s: that is the gateway's address", x->a->ip);
	return 0;
}

/* What the bridge's address fills in: --ip auto's subnet, a missing
 * /LEN, the default gateway. */
static int plan_addresses(struct add *x)
{
	int have = bk_addr_get_ipv4(&x->host, x->br.index, &x->pool.addr,
				    &x->pool.prefix);

	if (have < 0)
		return -1;
	if (!have && (x->auto_ip || !x->ip_has_len))
		return bk_fail("bridge %s has no IPv4 address for --ip %s (give "
			       "it one: vethup bridge %s --addr A.B.C.D/LEN)",
			       x->a->bridge, x->a->ip, x->a->bridge);
	if (!x->auto_ip && !x->ip_has_len)
		x->ip.prefix = x->pool.prefix;
	if (!x->have_gw && have) {
		x->gw = x->pool.addr;
		x->have_gw = true;
	}
	return x->auto_ip ? 0 : check_explicit_ip(x, have);
}

static int check_not_in_use(struct add *x)
{
	const struct bk_inuse_addr *u = bk_inuse_find(&x->busy, x->ip.addr);

	if (!u)
		return 0;
	if (!u->port[0])
		return bk_fail("--ip %s: in use on bridge %s (its own address)",
			       x->a->ip, x->a->bridge);
	return bk_fail("--ip %s: in use on bridge %s (in the netns of port %s)",
		       x->a->ip, x->a->bridge, u->port);
}

/* Another lease store's add holds the lock a few ms: scan, lease, netns,
 * veth and address; the bound is for one stopped in between. */
#define IPAM_LOCK_WAIT_MS 5000

/* --ip auto skips what is in use on the bridge, and the gateway. */
static struct in_addr *skip_list(const struct add *x, size_t *n)
{
	struct in_addr *v = malloc((x->busy.n + 1) * sizeof(*v));

	*n = 0;
	if (!v) {
		bk_fail_errno(ENOMEM, "address list");
		return NULL;
	}
	for (size_t i = 0; i < x->busy.n; i++)
		v[(*n)++] = x->busy.v[i].addr;
	if (x->have_gw)
		v[(*n)++] = x->gw;
	return v;
}

static int take_lease(struct add *x)
{
	struct bk_lease *l = &x->lease;

	snprintf(l->bridge, sizeof(l->bridge), "%s", x->a->bridge);
	snprintf(l->netns, sizeof(l->netns), "%s", x->nspath);
	snprintf(l->hostif, sizeof(l->hostif), "%s", x->host_if);
	l->nports = (unsigned)x->a->nports;
	memcpy(l->ports, x->a->ports, x->a->nports * sizeof(*l->ports));
	if (x->lock < 0)
		x->lock = bk_ipam_lock(IPAM_LOCK_WAIT_MS);
	if (x->lock < 0 || bk_inuse_scan(&x->host, &x->br, &x->busy) < 0)
		return -1;
	if (x->auto_ip) {
		size_t n;
		_cleanup_free_ struct in_addr *skip = skip_list(x, &n);
		if (!skip || bk_lease_take_auto(x->a->leases, &x->pool, skip, n, l) < 0)
			return -1;
		inet_pton(AF_INET, l->addr, &x->ip.addr);
		x->ip.prefix = l->prefix;
	} else {
		inet_ntop(AF_INET, &x->ip.addr, l->addr, sizeof(l->addr));
		l->prefix = x->ip.prefix;
		if (check_not_in_use(x) < 0 || bk_lease_take(x->a->leases, l) < 0)
			return -1;
	}
	x->made_lease = true;
	return bk_mac_parse(l->mac, x->mac);
}

/* How long add waits for a namesake host end to go: 10-50 ms after its
 * netns was deleted here; the bound is for a machine busy dismantling
 * many namespaces at once, and is what a real clash costs. */
#define NAMESAKE_WAIT_MS 2000

/* 1 when link l's veth peer is in the netns add was given. */
static int peer_in_our_netns(struct add *x, const struct bk_link *l)
{
	_cleanup_close_ int fd = -1;
	int nsid;

	if (access(x->nspath, F_OK) < 0)
		return 0;   /* not there (yet): the peer's netns is another */
	fd = bk_netns_open(x->nspath);
	if (fd < 0 || bk_nsid_of_fd(&x->host, fd, x->nspath, &nsid) < 0)
		return -1;
	return nsid >= 0 && nsid == l->peer_nsid;
}

/* The host end's name must be free. A veth of that name into a netns
 * other than ours is most likely the one of a netns deleted just before
 * (`vethup del` of the same name): the kernel removes it shortly, so it is
 * waited for, bounded, rather than refused at once. */
static int host_if_free(struct add *x)
{
	struct bk_link l;
	int found = bk_link_get(&x->host, x->host_if, &l), ours;

	if (found <= 0)
		return found;
	if (strcmp(l.kind, "veth") || !l.peer_elsewhere)
		return bk_fail("interface %s already exists", x->host_if);
	ours = peer_in_our_netns(x, &l);
	if (ours)
		return ours < 0 ? -1 : bk_fail("interface %s already exists "
					       "(netns in use)", x->host_if);
	if (bk_link_wait_gone(&x->host, &l, NAMESAKE_WAIT_MS) < 0)
		return errno == ETIMEDOUT ?
		       bk_fail("interface %s already exists (a veth into another "
			       "netns, still there after %d ms)", x->host_if,
			       NAMESAKE_WAIT_MS) : -1;
	return 0;
}

static int check_if_free(struct bk_rtnl *r, const char *name, const char *where)
{
	struct bk_link l;
	int found = bk_link_get(r, name, &l);

	if (found > 0)
		return bk_fail("interface %s already exists%s", name, where);
	return found;
}

/* Open (or make) the netns, with a socket and an fd inside it; the
 * thread is back home afterwards. */
static int open_netns(struct add *x)
{
	char where[80];

	snprintf(where, sizeof(where), " netns %s", x->nsname);
	if (bk_netns_is_named(x->nspath) && access(x->nspath, F_OK) < 0 &&
	    errno == ENOENT) {
		if (bk_netns_create(x->nspath) < 0)
			return -1;
		x->made_netns = true;
		x->nsfd = bk_netns_self();
	} else {
		x->nsfd = bk_netns_open(x->nspath);
		if (x->nsfd < 0 || bk_netns_enter(x->nsfd, x->nspath) < 0)
			return -1;
	}
	if (x->nsfd < 0 || bk_rtnl_open(&x->ns, where) < 0) {
		struct bk_saved_error e;
		bk_error_save(&e);
		bk_netns_enter(x->home, "/proc/self/ns/net (back)");
		return bk_error_restore(&e);
	}
	if (bk_netns_enter(x->home, "/proc/self/ns/net (back)") < 0)
		return -1;
	if (!x->made_netns && check_if_free(&x->ns, x->a->ifname, " (netns in use)") < 0)
		return -1;
	return 0;
}

static int make_veth(struct add *x)
{
	struct bk_veth v = {
		.name = x->host_if, .master = x->br.index,
		.master_name = x->a->bridge, .peer = x->a->ifname,
		.peer_nsfd = x->nsfd, .peer_ns = x->nsname, .peer_mac = x->mac,
	};

	if (bk_link_add_veth(&x->host, &v) < 0)
		return -1;
	x->made_veth = true;
	return 0;
}

static int configure_inside(struct add *x)
{
	struct bk_link eth;

	if (bk_link_set_up(&x->ns, LOOPBACK_IFINDEX, "lo") < 0)
		return -1;
	if (bk_link_get(&x->ns, x->a->ifname, &eth) <= 0)
		return bk_fail_wrap("%s vanished", x->a->ifname);
	if (bk_link_set_up(&x->ns, eth.index, x->a->ifname) < 0)
		return -1;
	if (bk_addr_add_ipv4(&x->ns, eth.index, x->a->ifname, x->ip.addr,
			     x->ip.prefix, false) < 0)
		return -1;
	if (x->have_gw && bk_route_add_default(&x->ns, eth.index, x->a->ifname,
					       x->gw) < 0)
		return -1;
	return 0;
}

int bk_vnet_add_check(struct bk_vnet_add *a)
{
	struct add x = { .a = a, .home = -1, .nsfd = -1, .lock = -1 };
	int ret = check_names(&x) < 0 || parse_addresses(&x) < 0 ? -1 : 0;
	const struct bk_port *twice = bk_port_repeated(a->ports, a->nports);

	if (ret == 0 && a->nports > BK_LEASE_PORTS)
		ret = bk_fail("-p: at most %d ports a netns", BK_LEASE_PORTS);
	if (ret == 0 && twice)
		ret = bk_fail("-p: host port %u/%s given twice", twice->host_port,
			      bk_port_proto(twice));

	add_free(&x);
	return ret;
}

/* -p: refused before anything is made when a port is taken; the lock
 * is held from here until the rules are in (publish_ports). */
static int check_ports(struct add *x)
{
	struct bk_publish p = add_publish(x);
	bool missing;

	if (!x->a->nports)
		return 0;
	x->lock = bk_ipam_lock(IPAM_LOCK_WAIT_MS);
	if (x->lock < 0 || !(x->nft = bk_nft_open(&missing)))
		return -1;
	return bk_publish_check(x->nft, &p, x->a->leases);
}

/* Last: the rules never point at an address not yet inside. */
static int publish_ports(struct add *x)
{
	struct bk_publish p = add_publish(x);

	if (!x->a->nports)
		return 0;
	if (bk_publish_add(x->nft, &p) < 0)
		return -1;
	x->made_ports = true;
	return 0;
}

static int add_steps(struct add *x)
{
	if (check_names(x) < 0 || parse_addresses(x) < 0 ||
	    bk_rtnl_open(&x->host, "") < 0)
		return -1;
	x->home = bk_netns_self();
	if (x->home < 0 || find_bridge(&x->host, x->a->bridge, &x->br) < 0 ||
	    host_if_free(x) < 0)
		return -1;
	if (plan_addresses(x) < 0 || check_ports(x) < 0 || take_lease(x) < 0)
		return -1;
	if (open_netns(x) < 0 || make_veth(x) < 0 || configure_inside(x) < 0 ||
	    publish_ports(x) < 0)
		return -1;
	snprintf(x->a->addr, sizeof(x->a->addr), "%s", x->lease.addr);
	return 0;
}

int bk_vnet_add(struct bk_vnet_add *a)
{
	struct add x = { .a = a, .home = -1, .nsfd = -1, .lock = -1 };
	int ret = add_steps(&x);

	if (ret < 0)
		add_undo(&x);
	add_free(&x);
	return ret;
}

/* ---- vethup del ---- */

/* The ports lease l published. Without libnftables there are none. */
static int unpublish_lease(struct bk_nft **nft, const struct bk_lease *l)
{
	struct bk_publish p = { .bridge = l->bridge, .prefix = l->prefix,
				.ports = l->ports, .n = l->nports };
	bool missing;

	if (!l->nports)
		return 0;
	if (inet_pton(AF_INET, l->addr, &p.addr) != 1)
		return bk_fail("lease %s/%s: not an address", l->bridge, l->addr);
	if (!*nft && !(*nft = bk_nft_open(&missing)))
		return missing ? 0 : -1;
	return bk_publish_del(*nft, &p);
}

int bk_vnet_del(const char *leases, const char *netns, unsigned flags)
{
	_cleanup_free_ char *path = bk_netns_path(netns);
	_cleanup_free_ struct bk_lease *l = NULL;
	_cleanup_rtnl_ struct bk_rtnl r = { 0 };
	_cleanup_nft_ struct bk_nft *nft = NULL;
	bool wait = flags & BK_VNET_DEL_WAIT;
	size_t n, mine = 0;
	int gone = 0;

	if (!path || bk_lease_list(leases, &l, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)   /* first: the rules name its address */
		if (!strcmp(l[i].netns, path) && unpublish_lease(&nft, &l[i]) < 0)
			return -1;
	for (size_t i = 0; wait && i < n; i++)
		if (!strcmp(l[i].netns, path) && del_host_if(&r, l[i].hostif) < 0)
			return -1;
	if (bk_netns_is_named(path) && (gone = bk_netns_delete(path)) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(l[i].netns, path))
			continue;
		mine++;
		if (!gone && !wait && del_host_if(&r, l[i].hostif) < 0)
			return -1;
		if (bk_lease_release(leases, &l[i]) < 0)
			return -1;
	}
	if (!gone && !mine && !(flags & BK_VNET_DEL_FORCE))
		return bk_fail("netns %s: no such netns and no lease (use --force "
			       "to ignore)", netns);
	return 0;
}
