/* nft: libnftables through dlopen, transactions and questions (nft.h). */
#include "net/nft.h"
#include "base/msg.h"

#include <dlfcn.h>
#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFT_SONAME "libnftables.so.1"

struct bk_nft {
	void *lib;
	struct nft_ctx *ctx;
	__typeof__(nft_ctx_new) *ctx_new;
	__typeof__(nft_ctx_free) *ctx_free;
	__typeof__(nft_ctx_buffer_output) *buffer_output;
	__typeof__(nft_ctx_buffer_error) *buffer_error;
	__typeof__(nft_ctx_get_output_buffer) *get_output_buffer;
	__typeof__(nft_ctx_get_error_buffer) *get_error_buffer;
	__typeof__(nft_run_cmd_from_buffer) *run_cmd_from_buffer;
};

#define LOAD(n, field, sym) \
	((n)->field = (__typeof__((n)->field))dlsym((n)->lib, sym)) != NULL

static int load_symbols(struct bk_nft *n)
{
	if (LOAD(n, ctx_new, "nft_ctx_new") && LOAD(n, ctx_free, "nft_ctx_free") &&
	    LOAD(n, buffer_output, "nft_ctx_buffer_output") &&
	    LOAD(n, buffer_error, "nft_ctx_buffer_error") &&
	    LOAD(n, get_output_buffer, "nft_ctx_get_output_buffer") &&
	    LOAD(n, get_error_buffer, "nft_ctx_get_error_buffer") &&
	    LOAD(n, run_cmd_from_buffer, "nft_run_cmd_from_buffer"))
		return 0;
	return bk_fail("nftables: %s lacks a function vethup needs", NFT_SONAME);
}

struct bk_nft *bk_nft_open(bool *missing)
{
	struct bk_nft *n = calloc(1, sizeof(*n));

	*missing = false;
	if (!n) {
		bk_fail_errno(ENOMEM, "nftables");
		return NULL;
	}
	BK_TRACE("dlopen(\"%s\")", NFT_SONAME);
	n->lib = dlopen(NFT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!n->lib) {
		*missing = true;
		bk_fail("nftables: %s (install libnftables1)", dlerror());
	} else if (load_symbols(n) == 0 && !(n->ctx = n->ctx_new(NFT_CTX_DEFAULT))) {
		bk_fail("nftables: cannot create a context");
	}
	if (!n->ctx) {
		bk_nft_close(n);
		return NULL;
	}
	n->buffer_output(n->ctx);
	n->buffer_error(n->ctx);
	return n;
}

void bk_nft_close(struct bk_nft *n)
{
	if (!n)
		return;
	if (n->ctx)
		n->ctx_free(n->ctx);
	if (n->lib)
		dlclose(n->lib);
	free(n);
}

/* nft 'CMD' when the shell would read CMD otherwise (; " ! { ...). Our
 * commands hold no single quote. */
static void trace_command(const char *cmd, size_t len)
{
	static const char plain[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789 _./:,=@+-";
	bool quote = false;

	for (size_t i = 0; i < len; i++)
		if (!memchr(plain, cmd[i], sizeof(plain) - 1))
			quote = true;
	if (quote)
		BK_TRACE("nft '%.*s'", (int)len, cmd);
	else
		BK_TRACE("nft %.*s", (int)len, cmd);
}

static void trace_lines(const char *text)
{
	while (*text) {
		size_t n = strcspn(text, "\n");
		if (n)
			trace_command(text, n);
		text += n + (text[n] == '\n');
	}
}

/* errno from nft's message, which carries the kernel's strerror(3)
 * text (in the same locale as ours: vethup never calls setlocale). */
static int error_errno(const char *err)
{
	static const int known[] = { ENOENT, EEXIST, EBUSY, EPERM };

	for (size_t i = 0; err && i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(err, strerror(known[i])))
			return known[i];
	return EPROTO;
}

/* First line of libnftables' error text, for a one-line message. */
static int fail_nft(struct bk_nft *n)
{
	const char *err = n->get_error_buffer(n->ctx);
	size_t len = err ? strcspn(err, "\n") : 0;
	int e = error_errno(err);

	bk_fail("nftables: %.*s", (int)len, len ? err : "command failed");
	errno = e;
	return -1;
}

/* Drop what an earlier command left in the buffers (a warning, say),
 * so that an error message is this command's. */
static void reset_buffers(struct bk_nft *n)
{
	n->get_output_buffer(n->ctx);
	n->get_error_buffer(n->ctx);
}

int bk_nft_run(struct bk_nft *n, const char *cmds)
{
	trace_lines(cmds);
	reset_buffers(n);
	if (n->run_cmd_from_buffer(n->ctx, cmds) != 0)
		return fail_nft(n);
	return 0;
}

const char *bk_nft_ask(struct bk_nft *n, const char *cmd)
{
	const char *out;

	trace_lines(cmd);
	reset_buffers(n);
	if (n->run_cmd_from_buffer(n->ctx, cmd) != 0) {
		fail_nft(n);
		return NULL;
	}
	out = n->get_output_buffer(n->ctx);
	return out ? out : "";
}

int bk_nft_apply(const char *cmds, bool optional)
{
	bool missing;
	struct bk_nft *n;
	int ret;

	n = bk_nft_open(&missing);
	if (!n) {
		if (!optional || !missing)
			return -1;
		trace_lines(cmds);
		BK_TRACE("%s: no rule vethup could have made", bk_error());
		return 0;
	}
	ret = bk_nft_run(n, cmds);
	bk_nft_close(n);
	return ret;
}
