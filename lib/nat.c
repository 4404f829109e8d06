/* nat: ip_forward and the nftables MASQUERADE rule (see nat.h). */
#include "nat.h"
#include "fsutil.h"
#include "msg.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"

int bk_ip_forward_enable(void)
{
	BK_TRACE("write %s 1", IP_FORWARD);
	return bk_write_string(IP_FORWARD, "1");
}

/* Re-running replaces the chain's content with the same single rule
 * (flush + add in one transaction), so there is never a duplicate. */
static void nat_ruleset(char *buf, size_t len, const char *bridge,
			const char *subnet)
{
	snprintf(buf, len,
		 "add table ip bockit\n"
		 "add chain ip bockit nat_%s { type nat hook postrouting "
		 "priority srcnat; policy accept; }\n"
		 "flush chain ip bockit nat_%s\n"
		 "add rule ip bockit nat_%s ip saddr %s ip daddr != %s "
		 "masquerade comment \"bockit %s %s\"\n",
		 bridge, bridge, bridge, subnet, subnet, bridge, subnet);
}

static void trace_lines(const char *text)
{
	char line[256];

	while (*text) {
		size_t n = strcspn(text, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)n, text);
		BK_TRACE("nft %s", line);
		text += n + (text[n] == '\n');
	}
}

/* First line of libnftables' error text, for a one-line message. */
static int fail_nft(struct nft_ctx *nft)
{
	const char *err = nft_ctx_get_error_buffer(nft);
	size_t n = err ? strcspn(err, "\n") : 0;

	return bk_fail("nftables: %.*s", (int)n, n ? err : "command failed");
}

int bk_nat_masquerade(const char *bridge, const char *subnet)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	char rules[1024];
	int ret = 0;

	if (!nft)
		return bk_fail("nftables: cannot create a context");
	nat_ruleset(rules, sizeof(rules), bridge, subnet);
	trace_lines(rules);
	nft_ctx_buffer_output(nft);
	nft_ctx_buffer_error(nft);
	if (nft_run_cmd_from_buffer(nft, rules) != 0)
		ret = fail_nft(nft);
	nft_ctx_free(nft);
	return ret;
}
