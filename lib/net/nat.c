/* nat: ip_forward and the nftables MASQUERADE rule (see nat.h). */
#include "net/nat.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <dlfcn.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* libnftables is loaded only when a rule is written (vethup bridge --nat).
 * Linked in, it and the four libraries it pulls cost every vethup run
 * ~0.4 ms of dynamic loading, on every container start and stop. */
#define NFT_SONAME "libnftables.so.1"

struct nft_api {
	void *lib;
	__typeof__(nft_ctx_new) *ctx_new;
	__typeof__(nft_ctx_free) *ctx_free;
	__typeof__(nft_ctx_buffer_output) *buffer_output;
	__typeof__(nft_ctx_buffer_error) *buffer_error;
	__typeof__(nft_ctx_get_error_buffer) *get_error_buffer;
	__typeof__(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
	bool missing;   /* the library is not installed */
};

static int nft_load(struct nft_api *api)
{
	BK_TRACE("dlopen(\"%s\")", NFT_SONAME);
	api->lib = dlopen(NFT_SONAME, RTLD_NOW | RTLD_LOCAL);
	api->missing = !api->lib;
	if (!api->lib)
		return bk_fail("nftables: %s (install libnftables1)", dlerror());
	api->ctx_new = (__typeof__(api->ctx_new))dlsym(api->lib, "nft_ctx_new");
	api->ctx_free = (__typeof__(api->ctx_free))dlsym(api->lib, "nft_ctx_free");
	api->buffer_output = (__typeof__(api->buffer_output))dlsym(api->lib, "nft_ctx_buffer_output");
	api->buffer_error = (__typeof__(api->buffer_error))dlsym(api->lib, "nft_ctx_buffer_error");
	api->get_error_buffer = (__typeof__(api->get_error_buffer))dlsym(api->lib, "nft_ctx_get_error_buffer");
	api->run_cmd_from_buffer = (__typeof__(api->run_cmd_from_buffer))dlsym(api->lib, "nft_run_cmd_from_buffer");
	if (!api->ctx_new || !api->ctx_free || !api->buffer_output || !api->buffer_error ||
	    !api->get_error_buffer || !api->run_cmd_from_buffer) {
		dlclose(api->lib);
		return bk_fail("nftables: %s lacks a function vethup needs", NFT_SONAME);
	}
	return 0;
}

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
static int fail_nft(const struct nft_api *api, struct nft_ctx *nft)
{
	const char *err = api->get_error_buffer(nft);
	size_t n = err ? strcspn(err, "\n") : 0;

	return bk_fail("nftables: %.*s", (int)n, n ? err : "command failed");
}

static int run_rules(const struct nft_api *api, const char *rules)
{
	struct nft_ctx *nft = api->ctx_new(NFT_CTX_DEFAULT);
	int ret = 0;

	if (!nft)
		return bk_fail("nftables: cannot create a context");
	api->buffer_output(nft);
	api->buffer_error(nft);
	if (api->run_cmd_from_buffer(nft, rules) != 0)
		ret = fail_nft(api, nft);
	api->ctx_free(nft);
	return ret;
}

/* Run rules; without libnftables that is an error unless optional. */
static int apply(const char *rules, bool optional)
{
	struct nft_api api = { 0 };
	int ret;

	trace_lines(rules);
	if (nft_load(&api) < 0) {
		if (!optional || !api.missing)
			return -1;
		BK_TRACE("%s: no NAT rule vethup could have made", bk_error());
		return 0;
	}
	ret = run_rules(&api, rules);
	dlclose(api.lib);
	return ret;
}

int bk_nat_masquerade(const char *bridge, const char *subnet)
{
	char rules[1024];

	nat_ruleset(rules, sizeof(rules), bridge, subnet);
	return apply(rules, false);
}

int bk_nat_remove(const char *bridge)
{
	char rules[256];

	remove_ruleset(rules, sizeof(rules), bridge);
	return apply(rules, true);
}
