/* caps: the capability set a container keeps (Docker's default, none,
 * all, or a list), applied to bounding, permitted and effective sets with
 * libcap; plus no_new_privs. Applied last, after every mount is done. */
#ifndef BK_CAPS_H
#define BK_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_caps {
	bool keep_all;        /* "all": touch nothing */
	uint64_t keep;        /* bit N = capability N */
};

/* "default" | "none" | "all" | "default,-net_raw,+sys_admin" |
 * "chown,kill,...". Names with or without "cap_", any case. */
int bk_caps_parse(const char *spec, struct bk_caps *out);
/* One name as bk_caps_parse() reads it ("CAP_SYS_ADMIN", "sys_admin") to
 * its number. */
int bk_cap_by_name(const char *name, int *cap);

/* "CAP_CHOWN" for capability cap (0..63) into buf; NULL for one this
 * kernel and libcap do not know. */
const char *bk_cap_name(int cap, char *buf, size_t len);
/* The highest capability this kernel knows + 1. */
int bk_cap_count(void);

/* Drop from the bounding set every capability not kept. Done before the
 * uid changes (it needs CAP_SETPCAP). */
int bk_caps_drop_bounding(const struct bk_caps *c);
/* Clear ambient and inheritable; set permitted and effective to the kept
 * set when running as uid 0 (to nothing otherwise). Done last. */
int bk_caps_set(const struct bk_caps *c);

/* The five sets of an OCI process (bit N = capability N), for a caller
 * that gives each one. Order: bk_capsets_drop_bounding, then
 * bk_caps_keep_on_setuid(true) before the uid changes, bk_capsets_apply
 * after it. */
struct bk_capsets {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};
int bk_capsets_drop_bounding(const struct bk_capsets *c);
/* prctl(PR_SET_KEEPCAPS): permitted survives a setuid away from uid 0. */
int bk_caps_keep_on_setuid(bool keep);
/* Clear ambient; capset(effective, permitted, inheritable); raise each
 * ambient capability (it must be permitted and inheritable). */
int bk_capsets_apply(const struct bk_capsets *c);

int bk_set_no_new_privs(void);

/* The capabilities the command will keep as a mask: c->keep, or for
 * "all" the current bounding set. */
uint64_t bk_caps_mask(const struct bk_caps *c);

#endif
