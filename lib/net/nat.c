/* nat: ip_forward and the nftables MASQUERADE rule (see nat.h). */
#include "net/nat.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "net/nft.h"

#include <stdio.h>

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

int bk_ip_forward_enable(void)
{
	BK_TRACE("write %s 1", IP_FORWARD);
	return bk_write_string(IP_FORWARD, "1");
}

/* Re-running replaces the chain's content with the same single rule
 * (flush + add in one transaction), so there is never a duplicate. The
 * names need no quoting: a bridge name is [A-Za-z0-9_.-], which nft takes
 * in an identifier that starts with a letter. */
static void nat_ruleset(char *buf, size_t len, const char *bridge,
			const char *subnet)
{
	snprintf(buf, len,
		 "add table ip bockit_%s\n"
		 "add chain ip bockit_%s nat { type nat hook postrouting "
		 "priority srcnat; policy accept; }\n"
		 "flush chain ip bockit_%s nat\n"
		 "add rule ip bockit_%s nat ip saddr %s ip daddr != %s "
		 "masquerade comment \"bockit %s %s\"\n",
		 bridge, bridge, bridge, bridge, subnet, subnet, bridge, subnet);
}

/* add + delete in one transaction: no error when there was none. */
static void remove_ruleset(char *buf, size_t len, const char *bridge)
{
	snprintf(buf, len, "add table ip bockit_%s\ndelete table ip bockit_%s\n",
		 bridge, bridge);
}

int bk_nat_masquerade(const char *bridge, const char *subnet)
{
	char rules[1024];

	nat_ruleset(rules, sizeof(rules), bridge, subnet);
	return bk_nft_apply(rules, false);
}

int bk_nat_remove(const char *bridge)
{
	char rules[256];

	remove_ruleset(rules, sizeof(rules), bridge);
	return bk_nft_apply(rules, true);
}
