/* nft: libnftables, loaded with dlopen(3) only when a rule is written or
 * asked about (vethup bridge --nat, -p publishing, del of a netns that
 * published ports): linked in, it and the four libraries it pulls cost
 * every vethup run ~0.4 ms. A buffer of nft commands runs as one atomic
 * transaction (all or nothing); each command is traced with -v as a line
 * one can re-type in a shell (nft 'CMD'). */
#ifndef BK_NFT_H
#define BK_NFT_H

#include <stdbool.h>

struct bk_nft;

/* The library and one context. NULL after an error, with *missing set
 * when libnftables is not installed. */
struct bk_nft *bk_nft_open(bool *missing);
void bk_nft_close(struct bk_nft *n);
static inline void bk_nft_closep(struct bk_nft **n)
{
	bk_nft_close(*n);
}
#define _cleanup_nft_ __attribute__((cleanup(bk_nft_closep)))

/* Run cmds (one per line) as one transaction. -1 with nft's first error
 * line recorded, errno ENOENT or EEXIST when nft's message says so (the
 * kernel's "No such file or directory", "File exists"), else EPROTO. */
int bk_nft_run(struct bk_nft *n, const char *cmds);
/* Run one command that asks (list, get): its output (valid until the
 * next call), or NULL with the error recorded and errno as above. */
const char *bk_nft_ask(struct bk_nft *n, const char *cmd);

/* Open, run, close. optional: without libnftables installed there is no
 * rule vethup could have made, and nothing to do. */
int bk_nft_apply(const char *cmds, bool optional);

#endif
