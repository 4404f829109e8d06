/* vport: vethup port add/del, records first (see vport.h). */
#include "net/vport.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "net/ipam.h"
#include "net/netns.h"
#include "net/nft.h"
#include "net/publish.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* add waits as long for the lock: another add holds it a few ms. */
#define LOCK_WAIT_MS 5000

struct op {
	const struct bk_vport *v;
	char *path;              /* the netns's */
	const char *name;        /* for messages: NAME, or the PATH */
	int lock;
	struct bk_lease lease;   /* its one lease (on --bridge) */
	struct bk_nft *nft;
};

static void op_free(struct op *o)
{
	if (o->lock >= 0)
		close(o->lock);
	bk_nft_close(o->nft);
	free(o->path);
}

static int pick_lease(struct op *o, const struct bk_lease *l, size_t n)
{
	const char *br = o->v->bridge;
	size_t found = 0;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(l[i].netns, o->path) || (br && strcmp(l[i].bridge, br)))
			continue;
		if (found++)
			return bk_fail("netns %s: leases on bridges %s and %s: say "
				       "which with --bridge", o->name, o->lease.bridge,
				       l[i].bridge);
		o->lease = l[i];
	}
	if (!found)
		return bk_fail("netns %s: no lease%s%s in %s (vethup add --netns %s "
			       "first)", o->name, br ? " on bridge " : "", br ? br : "",
			       o->v->leases, o->name);
	return 0;
}

/* The lock, the netns's path and its lease. */
static int op_start(struct op *o)
{
	_cleanup_free_ struct bk_lease *l = NULL;
	size_t n;

	if (!(o->path = bk_netns_path(o->v->netns)))
		return -1;
	o->name = bk_netns_is_named(o->path) ? strrchr(o->path, '/') + 1 : o->path;
	o->lock = bk_ipam_lock(LOCK_WAIT_MS);
	if (o->lock < 0 || bk_lease_list(o->v->leases, &l, &n) < 0)
		return -1;
	return pick_lease(o, l, n);
}

static int op_nft(struct op *o, bool *missing)
{
	if (!o->nft && !(o->nft = bk_nft_open(missing)))
		return -1;
	return 0;
}

static struct bk_publish op_publish(const struct op *o, const struct bk_port *p, size_t n)
{
	struct bk_publish pub = { .bridge = o->lease.bridge, .prefix = o->lease.prefix,
				  .ports = p, .n = n };

	inet_pton(AF_INET, o->lease.addr, &pub.addr);
	return pub;
}

static int add_steps(struct op *o)
{
	const struct bk_vport *v = o->v;
	struct bk_publish pub;
	struct bk_lease before;
	bool missing;

	if (op_start(o) < 0)
		return -1;
	if (bk_netns_is_named(o->path) && access(o->path, F_OK) < 0)
		return bk_fail("netns %s: no such netns (its lease is left: vethup del "
			       "--force --netns %s)", o->name, o->name);
	if (o->lease.nports + v->n > BK_LEASE_PORTS)
		return bk_fail("netns %s: at most %d ports a netns (it has %u)", o->name,
			       BK_LEASE_PORTS, o->lease.nports);
	pub = op_publish(o, v->ports, v->n);
	if (op_nft(o, &missing) < 0 || bk_publish_check(o->nft, &pub, v->leases) < 0)
		return -1;
	before = o->lease;
	memcpy(o->lease.ports + o->lease.nports, v->ports, v->n * sizeof(*v->ports));
	o->lease.nports += (unsigned)v->n;
	if (bk_lease_update(v->leases, &o->lease) < 0)
		return -1;
	if (bk_publish_add(o->nft, &pub) < 0) {
		struct bk_saved_error e;
		bk_error_save(&e);
		bk_lease_update(v->leases, &before);
		return bk_error_restore(&e);
	}
	return 0;
}

int bk_vport_add(const struct bk_vport *v)
{
	struct op o = { .v = v, .lock = -1 };
	int ret = add_steps(&o);

	op_free(&o);
	return ret;
}

/* Move the ports del removes to the front of the lease's list: *k of
 * them. A port asked for that the netns has not is an error unless
 * --force. */
static int select_ports(struct op *o, size_t *k)
{
	struct bk_lease *l = &o->lease;

	*k = o->v->n ? 0 : l->nports;
	for (size_t i = 0; i < o->v->n; i++) {
		const struct bk_port *want = &o->v->ports[i];
		unsigned j = *k;
		while (j < l->nports && !bk_port_equal(&l->ports[j], want))
			j++;
		if (j < l->nports) {
			struct bk_port t = l->ports[*k];
			l->ports[(*k)++] = l->ports[j];
			l->ports[j] = t;
		} else if (!o->v->force) {
			char spec[BK_PORT_STRLEN];
			bk_port_format(want, spec);
			return bk_fail("port %s: not published by netns %s (use --force "
				       "to ignore)", spec, o->name);
		}
	}
	return 0;
}

static int del_steps(struct op *o)
{
	struct bk_publish pub;
	bool missing;
	size_t k;

	if (op_start(o) < 0 || select_ports(o, &k) < 0)
		return -1;
	if (k == 0)
		return 0;
	pub = op_publish(o, o->lease.ports, k);
	if (op_nft(o, &missing) < 0 && !missing)
		return -1;   /* without libnftables there is no rule to remove */
	if (o->nft && bk_publish_del(o->nft, &pub) < 0)
		return -1;
	memmove(o->lease.ports, o->lease.ports + k,
		(o->lease.nports - k) * sizeof(*o->lease.ports));
	o->lease.nports -= (unsigned)k;
	return bk_lease_update(o->v->leases, &o->lease);
}

int bk_vport_del(const struct bk_vport *v)
{
	struct op o = { .v = v, .lock = -1 };
	int ret = del_steps(&o);

	op_free(&o);
	return ret;
}
