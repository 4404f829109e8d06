/* vport: vethup port add/del, the ports of a netns that has a lease,
 * published or unpublished after `vethup add`. The lease records them:
 * written before the rules are made (so a crash leaves a record that
 * del removes, never rules nobody knows), rewritten after the rules are
 * gone. Under the host-wide lock of ipam, as add's -p. */
#ifndef BK_VPORT_H
#define BK_VPORT_H

#include "net/portspec.h"

#include <stdbool.h>
#include <stddef.h>

struct bk_vport {
	const char *leases;
	const char *netns;            /* NAME or PATH, as given to vethup add */
	const char *bridge;           /* NULL: the netns's only lease */
	const struct bk_port *ports;
	size_t n;                     /* del: 0 is every port of the netns */
	bool force;                   /* del: a port it has not is no error */
};

int bk_vport_add(const struct bk_vport *v);
int bk_vport_del(const struct bk_vport *v);

#endif
