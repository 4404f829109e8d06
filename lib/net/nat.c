/* nat: ip_forward and the nftables MASQUERADE rule (see nat.h). */
#include "net/nat.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <dlfcn.h>
#include <nftables/libnftables.h>
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
};

static int nft_load(struct nft_api *api)
{
	BK_TRACE("dlopen(\"%s\")", NFT_SONAME);
	api->lib = dlopen(NFT_SONAME, RTLD_NOW | RTLD_LOCAL);
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

int bk_nat_masquerade(const char *bridge, const char *subnet)
{
	struct nft_api api = { 0 };
	char rules[1024];
	int ret;

	nat_ruleset(rules, sizeof(rules), bridge, subnet);
	trace_lines(rules);
	if (nft_load(&api) < 0)
		return -1;
	ret = run_rules(&api, rules);
	dlclose(api.lib);
	return ret;
}
