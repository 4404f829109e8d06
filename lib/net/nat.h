/* nat: IPv4 forwarding and source NAT for a bridge subnet, the host setup
 * bocker's README asks for by hand: net.ipv4.ip_forward=1 (per netns) and
 * a MASQUERADE rule written through libnftables (net/nft) as one atomic,
 * idempotent transaction: a table of the bridge's own (ip bockit_BRIDGE,
 * which net/publish's ports share), so that removing it takes everything
 * vethup added for that bridge, and no other's. */
#ifndef BK_NAT_H
#define BK_NAT_H

int bk_ip_forward_enable(void);
/* Masquerade traffic from subnet ("172.18.0.0/24") leaving it. */
int bk_nat_masquerade(const char *bridge, const char *subnet);
/* Remove the bridge's table, if any, published ports included. Without
 * libnftables there is none vethup could have made: nothing to do. */
int bk_nat_remove(const char *bridge);

#endif
