/* devrules: device rules, runc's standard list, and the state a list
 * leaves under the v1 controller's semantics (devrules.h). */
#include "cgroup/devrules.h"
#include "base/array.h"
#include "base/msg.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define SYNTAX "want TYPE MAJOR:MINOR [ACCESS] or /dev/NODE[:ACCESS]"

static int rule_fail(const char *s, const char *why)
{
	return bk_fail("device rule '%s': %s", s, why);
}

/* "rwm", "r", "mw"...: each letter once; 0 when s is none of that. */
static unsigned parse_access(const char *s)
{
	unsigned acc = 0;

	for (; *s; s++) {
		unsigned bit = *s == 'r' ? BK_DEV_R : *s == 'w' ? BK_DEV_W : *s == 'm' ? BK_DEV_M : 0;

		if (!bit || (acc & bit))
			return 0;
		acc |= bit;
	}
	return acc;
}

/* '*' or a decimal number up to max at *p; *p moves past it. */
static int parse_num(const char **p, int64_t max, int64_t *v)
{
	const char *s = *p;

	if (*s == '*') {
		*v = BK_DEV_ANY;
		*p = s + 1;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (*v = 0; *s >= '0' && *s <= '9'; s++) {
		*v = *v * 10 + (*s - '0');
		if (*v > max)
			return -1;
	}
	*p = s;
	return 0;
}

static void set_all(struct bk_dev_rule *r, bool allow)
{
	*r = (struct bk_dev_rule){ .type = 'a', .major = BK_DEV_ANY, .minor = BK_DEV_ANY,
				   .access = BK_DEV_RWM, .allow = allow };
}

/* After the type letter of 'a': nothing, " *:*" or " *:* rwm". */
static int parse_all(const char *s, const char *rest, struct bk_dev_rule *out)
{
	if (*rest && strcmp(rest, " *:*") && strcmp(rest, " *:* rwm"))
		return rule_fail(s, "type a stands for every device (write a, or a *:* rwm)");
	set_all(out, out->allow);
	return 0;
}

/* parse_num failed at p: a number too big, or no number at all. */
static int num_fail(const char *s, const char *p, const char *range)
{
	return rule_fail(s, *p >= '0' && *p <= '9' ? range : SYNTAX);
}

/* "MAJOR:MINOR[ ACCESS]" after "c " or "b ". */
static int parse_numbers(const char *s, const char *p, struct bk_dev_rule *out)
{
	if (parse_num(&p, BK_DEV_MAJOR_MAX, &out->major) < 0)
		return num_fail(s, p, "major must be * or 0-4095");
	if (*p++ != ':')
		return rule_fail(s, SYNTAX);
	if (parse_num(&p, BK_DEV_MINOR_MAX, &out->minor) < 0)
		return num_fail(s, p, "minor must be * or 0-1048575");
	if (!*p) {
		out->access = BK_DEV_RWM;
		return 0;
	}
	if (*p != ' ')
		return rule_fail(s, SYNTAX);
	out->access = parse_access(p + 1);
	return out->access ? 0 : rule_fail(s, "access must be one to three of r, w, m");
}

/* "/dev/NODE[:ACCESS]": a ':' suffix counts as ACCESS only when it is
 * one, so a node whose name has a ':' still works. */
static int parse_node(const char *s, struct bk_dev_rule *out)
{
	const char *colon = strrchr(s, ':');
	char path[PATH_MAX];
	struct stat st;

	out->access = colon ? parse_access(colon + 1) : 0;
	if (!out->access) {
		out->access = BK_DEV_RWM;
		colon = s + strlen(s);
	}
	if ((size_t)(colon - s) >= sizeof(path))
		return rule_fail(s, "path too long");
	snprintf(path, sizeof(path), "%.*s", (int)(colon - s), s);
	if (stat(path, &st) < 0)
		return bk_fail_errno(errno, "device rule '%s': %s", s, path);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return rule_fail(s, "not a character or block device");
	out->type = S_ISCHR(st.st_mode) ? 'c' : 'b';
	out->major = major(st.st_rdev);
	out->minor = minor(st.st_rdev);
	return 0;
}

int bk_dev_rule_parse(const char *s, bool allow, struct bk_dev_rule *out)
{
	memset(out, 0, sizeof(*out));
	out->allow = allow;
	if (s[0] == '/')
		return parse_node(s, out);
	if (!s[0] || !strchr("abc", s[0]))
		return rule_fail(s, "type must be a, b or c");
	out->type = s[0];
	if (out->type == 'a')
		return parse_all(s, s + 1, out);
	if (s[1] != ' ')
		return rule_fail(s, SYNTAX);
	return parse_numbers(s, s + 2, out);
}

static void num_str(int64_t v, char *buf, size_t len)
{
	if (v == BK_DEV_ANY)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

const char *bk_dev_rule_str(const struct bk_dev_rule *r, char *buf, size_t len)
{
	char maj[24], min[24], acc[4];
	size_t n = 0;

	if (r->type == 'a') {
		snprintf(buf, len, "a");
		return buf;
	}
	if (r->access & BK_DEV_R)
		acc[n++] = 'r';
	if (r->access & BK_DEV_W)
		acc[n++] = 'w';
	if (r->access & BK_DEV_M)
		acc[n++] = 'm';
	acc[n] = '\0';
	num_str(r->major, maj, sizeof(maj));
	num_str(r->minor, min, sizeof(min));
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
	return buf;
}

void bk_dev_rules_init(struct bk_dev_rules *l)
{
	l->n = 0;
}

int bk_dev_rules_add(struct bk_dev_rules *l, const struct bk_dev_rule *r)
{
	if (l->n >= BK_DEV_MAX_RULES) {
		char buf[BK_DEV_RULE_STRLEN];

		return bk_fail("device rule '%s': more than %d rules",
			       bk_dev_rule_str(r, buf, sizeof(buf)), BK_DEV_MAX_RULES);
	}
	l->rule[l->n++] = *r;
	return 0;
}

int bk_dev_rules_add_str(struct bk_dev_rules *l, const char *s, bool allow)
{
	struct bk_dev_rule r;

	if (bk_dev_rule_parse(s, allow, &r) < 0)
		return -1;
	return bk_dev_rules_add(l, &r);
}

int bk_dev_default_rules(struct bk_dev_rules *l)
{
	/* runc's default allow-list (libcontainer/specconv). */
	static const struct { char type; int64_t major, minor; unsigned access; } std[] = {
		{ 'c', BK_DEV_ANY, BK_DEV_ANY, BK_DEV_M },   /* mknod of any node... */
		{ 'b', BK_DEV_ANY, BK_DEV_ANY, BK_DEV_M },   /* ...opening it is another matter */
		{ 'c', 1, 3, BK_DEV_RWM },                   /* /dev/null */
		{ 'c', 1, 5, BK_DEV_RWM },                   /* /dev/zero */
		{ 'c', 1, 7, BK_DEV_RWM },                   /* /dev/full */
		{ 'c', 1, 8, BK_DEV_RWM },                   /* /dev/random */
		{ 'c', 1, 9, BK_DEV_RWM },                   /* /dev/urandom */
		{ 'c', 5, 0, BK_DEV_RWM },                   /* /dev/tty */
		{ 'c', 5, 2, BK_DEV_RWM },                   /* /dev/ptmx (and /dev/pts/ptmx) */
	};
	struct bk_dev_rule r = { .allow = true };

	for (size_t i = 0; i < ARRAY_SIZE(std); i++) {
		r.type = std[i].type;
		r.major = std[i].major;
		r.minor = std[i].minor;
		r.access = std[i].access;
		if (bk_dev_rules_add(l, &r) < 0)
			return -1;
	}
	/* /dev/pts/N: every Unix98 pty slave is major 136 (the kernel gives
	 * it all 2^20 minors; 137-143 are the old static split, unused) */
	r = (struct bk_dev_rule){ .type = 'c', .major = 136, .minor = BK_DEV_ANY,
				  .access = BK_DEV_RWM, .allow = true };
	if (bk_dev_rules_add(l, &r) < 0)
		return -1;
	return 0;
}

/* ---- the state a list leaves ---- */

static bool same_devices(const struct bk_dev_rule *a, const struct bk_dev_rule *b)
{
	return a->type == b->type && a->major == b->major && a->minor == b->minor;
}

static bool num_overlap(int64_t a, int64_t b)
{
	return a == BK_DEV_ANY || b == BK_DEV_ANY || a == b;
}

/* Could one device be named by both? */
static bool devices_overlap(const struct bk_dev_rule *a, const struct bk_dev_rule *b)
{
	return a->type == b->type && num_overlap(a->major, b->major) &&
	       num_overlap(a->minor, b->minor);
}

/* v1 dev_exception_add: merge into the exception for the same devices. */
static int add_exception(struct bk_dev_rules *st, const struct bk_dev_rule *r)
{
	for (size_t i = 1; i < st->n; i++) {
		if (same_devices(&st->rule[i], r)) {
			st->rule[i].access |= r->access;
			return 0;
		}
	}
	return bk_dev_rules_add(st, r);
}

static int refuse_cut(const struct bk_dev_rule *r, const struct bk_dev_rule *e)
{
	char rs[BK_DEV_RULE_STRLEN], es[BK_DEV_RULE_STRLEN];

	return bk_fail("device rule %s '%s': overlaps %s '%s' without naming the same devices "
		       "(the v1 controller would ignore it)", r->allow ? "allow" : "deny",
		       bk_dev_rule_str(r, rs, sizeof(rs)), e->allow ? "allow" : "deny",
		       bk_dev_rule_str(e, es, sizeof(es)));
}

/* v1 dev_exception_rm: take R's access from the exception for exactly
 * its devices; refuse where R would only partly meet another one. */
static int take_back(struct bk_dev_rules *st, const struct bk_dev_rule *r)
{
	size_t kept = 1;

	for (size_t i = 1; i < st->n; i++) {
		const struct bk_dev_rule *e = &st->rule[i];

		if (!same_devices(e, r) && devices_overlap(e, r) && (e->access & r->access))
			return refuse_cut(r, e);
	}
	for (size_t i = 1; i < st->n; i++) {
		struct bk_dev_rule e = st->rule[i];

		if (same_devices(&e, r))
			e.access &= ~r->access;
		if (e.access)
			st->rule[kept++] = e;
	}
	st->n = kept;
	return 0;
}

int bk_dev_rules_effective(const struct bk_dev_rules *in, struct bk_dev_rules *out)
{
	set_all(&out->rule[0], false);   /* the "deny a" the list follows */
	out->n = 1;
	for (size_t i = 0; i < in->n; i++) {
		const struct bk_dev_rule *r = &in->rule[i];
		int ret;

		if (r->type == 'a') {
			set_all(&out->rule[0], r->allow);
			out->n = 1;
			continue;
		}
		ret = r->allow == out->rule[0].allow ? take_back(out, r) : add_exception(out, r);
		if (ret < 0)
			return -1;
	}
	return 0;
}

/* v1 match_exception (default deny) and match_exception_partial (default
 * allow), for one concrete device. */
bool bk_dev_rules_allows(const struct bk_dev_rules *eff, char type, uint32_t major,
			 uint32_t minor, unsigned access)
{
	bool dflt = eff->n > 0 && eff->rule[0].type == 'a' && eff->rule[0].allow;

	for (size_t i = 1; i < eff->n; i++) {
		const struct bk_dev_rule *e = &eff->rule[i];

		if (e->type != type || !num_overlap(e->major, major) || !num_overlap(e->minor, minor))
			continue;
		if (dflt && (access & e->access))
			return false;
		if (!dflt && !(access & ~e->access))
			return true;
	}
	return dflt;
}
