/* devrules: the device allow-list of a container, as the v1 devices
 * controller reads it: rules parsed from "c 1:3 rwm" lines or from a node
 * path ("/dev/loop0:rw", stat(2) gives its numbers), runc's standard list,
 * the v1 line of a rule, and the state a list leaves (what the kernel
 * would allow), from which lib/devbpf builds the cgroup v2 program. No I/O
 * but the stat(2) of a named node.
 *
 * Semantics. A list is a sequence of v1 writes applied after "deny a",
 * so it starts from "nothing allowed":
 *  - "a" resets: allow (deny) everything, forget earlier rules;
 *  - a rule whose verdict differs from the current default adds an
 *    exception (v1 merges the access of an exception for exactly the same
 *    devices: "c 1:3 r" + "c 1:3 w" is "c 1:3 rw");
 *  - a rule with the default's verdict takes access back from the
 *    exception for exactly the same devices ("allow c 1:3 rwm" then
 *    "deny c 1:3 w" leaves "c 1:3 rm").
 * v1 silently ignores a take-back that is wider or narrower than the
 * exceptions it overlaps ("deny c 1:3 rwm" under "allow c 1:* rwm"
 * punches no hole), so the list would not mean what it says: such a rule
 * is refused (bk_dev_rules_effective fails). Every list accepted thus
 * gives the same decisions in the v1 controller and in the eBPF program,
 * and order matters only through "a". */
#ifndef BK_DEVRULES_H
#define BK_DEVRULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Access bits, valued as the kernel's (BPF_DEVCG_ACC_*, v1 DEVCG_ACC_*). */
#define BK_DEV_M 1u
#define BK_DEV_R 2u
#define BK_DEV_W 4u
#define BK_DEV_RWM (BK_DEV_R | BK_DEV_W | BK_DEV_M)

#define BK_DEV_ANY (-1)             /* '*' as a major or minor */
#define BK_DEV_MAJOR_MAX 4095       /* 12 bits of dev_t major */
#define BK_DEV_MINOR_MAX 1048575    /* 20 bits of dev_t minor */
#define BK_DEV_MAX_RULES 128
#define BK_DEV_RULE_STRLEN 32       /* enough for "c 4095:1048575 rwm" */

struct bk_dev_rule {
	char type;              /* 'a' (all: numbers *, access rwm), 'c', 'b' */
	int64_t major, minor;   /* BK_DEV_ANY = '*' */
	unsigned access;        /* BK_DEV_R|W|M, never 0 */
	bool allow;             /* devices.allow, else devices.deny */
};

struct bk_dev_rules {
	size_t n;
	struct bk_dev_rule rule[BK_DEV_MAX_RULES];
};

/* "c 1:3 rwm", "b *:* m", "c 136:* rw", "a" (also "a *:*", "a *:* rwm");
 * ACCESS may be left out (rwm). Or a node path "/dev/loop0[:ACCESS]"
 * whose type and numbers come from stat(2). */
int bk_dev_rule_parse(const char *s, bool allow, struct bk_dev_rule *out);

/* The v1 line ("c 1:3 rwm", "c *:* m", "a") into buf; returns buf. */
const char *bk_dev_rule_str(const struct bk_dev_rule *r, char *buf, size_t len);

void bk_dev_rules_init(struct bk_dev_rules *l);
/* Append one rule; fails when the list is full. */
int bk_dev_rules_add(struct bk_dev_rules *l, const struct bk_dev_rule *r);
/* Parse s (bk_dev_rule_parse) and append it. */
int bk_dev_rules_add_str(struct bk_dev_rules *l, const char *s, bool allow);

/* Append the standard allow-list (runc's): mknod of any node (c *:* m,
 * b *:* m), null, zero, full, random, urandom, tty, ptmx, and the Unix98
 * pty slaves (major 136, every minor). */
int bk_dev_default_rules(struct bk_dev_rules *l);

/* The state IN leaves after "deny a", as the lines that set it up on v1
 * from scratch: out->rule[0] is "a" (allow: everything is the default,
 * else nothing), then the exceptions, each with the other verdict. Write
 * each to devices.allow or devices.deny by its allow flag. Fails (with
 * the rule named) where v1 would ignore a rule, see above. IN and OUT
 * are two lists. */
int bk_dev_rules_effective(const struct bk_dev_rules *in, struct bk_dev_rules *out);

/* What the v1 controller decides for one access (an open is R and/or W,
 * mknod M) to the device TYPE ('c' or 'b') MAJOR:MINOR, given a state
 * from bk_dev_rules_effective. */
bool bk_dev_rules_allows(const struct bk_dev_rules *eff, char type, uint32_t major,
			 uint32_t minor, unsigned access);

#endif
