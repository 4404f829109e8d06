/* Unit tests for devrules: parsing, the v1 line, the standard list, the
 * state a list leaves; and, as root, the same lines written to a fresh v1
 * devices group: the kernel reports that state, and a child in the group
 * opens what the list allows and nothing else. Every group made here is
 * removed again. */
#include "devprobe.h"
#include "base/array.h"
#include "base/msg.h"

#include <stdio.h>

#define SYNTAX "want TYPE MAJOR:MINOR [ACCESS] or /dev/NODE[:ACCESS]"

static bool same_rule(const struct bk_dev_rule *a, const struct bk_dev_rule *b)
{
	return a->type == b->type && a->major == b->major && a->minor == b->minor &&
	       a->access == b->access && a->allow == b->allow;
}

/* ---- parsing and the v1 line ---- */

static const struct {
	const char *in, *line;
	char type;
	int64_t major, minor;
	unsigned access;
} good[] = {
	{ "c 1:3 rwm", "c 1:3 rwm", 'c', 1, 3, BK_DEV_RWM },
	{ "b *:* m", "b *:* m", 'b', BK_DEV_ANY, BK_DEV_ANY, BK_DEV_M },
	{ "c 136:* rw", "c 136:* rw", 'c', 136, BK_DEV_ANY, BK_DEV_R | BK_DEV_W },
	{ "a", "a", 'a', BK_DEV_ANY, BK_DEV_ANY, BK_DEV_RWM },
	{ "a *:*", "a", 'a', BK_DEV_ANY, BK_DEV_ANY, BK_DEV_RWM },
	{ "a *:* rwm", "a", 'a', BK_DEV_ANY, BK_DEV_ANY, BK_DEV_RWM },
	{ "c 1:3", "c 1:3 rwm", 'c', 1, 3, BK_DEV_RWM },
	{ "c 1:3 mwr", "c 1:3 rwm", 'c', 1, 3, BK_DEV_RWM },
	{ "b 7:0 r", "b 7:0 r", 'b', 7, 0, BK_DEV_R },
	{ "c *:5 wm", "c *:5 wm", 'c', BK_DEV_ANY, 5, BK_DEV_W | BK_DEV_M },
	{ "c 0:0 w", "c 0:0 w", 'c', 0, 0, BK_DEV_W },
	{ "c 4095:1048575 m", "c 4095:1048575 m", 'c', 4095, 1048575, BK_DEV_M },
};

static void test_parse_good(void)
{
	struct bk_dev_rule r;
	char buf[BK_DEV_RULE_STRLEN];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int ret = bk_dev_rule_parse(good[i].in, true, &r);

		ok(ret == 0 && r.type == good[i].type && r.major == good[i].major &&
		   r.minor == good[i].minor && r.access == good[i].access && r.allow,
		   "parse '%s'", good[i].in);
		is_str(ret == 0 ? bk_dev_rule_str(&r, buf, sizeof(buf)) : bk_error(), good[i].line,
		       "'%s' is written '%s'", good[i].in, good[i].line);
	}
	ok(bk_dev_rule_parse("c 1:3 w", false, &r) == 0 && !r.allow, "a deny rule keeps its verdict");
}

static void test_parse_bad(void)
{
	static const struct { const char *in, *msg; } bad[] = {
		{ "x 1:3 rwm", "device rule 'x 1:3 rwm': type must be a, b or c" },
		{ "", "device rule '': type must be a, b or c" },
		{ "c", "device rule 'c': " SYNTAX },
		{ "c1:3 rwm", "device rule 'c1:3 rwm': " SYNTAX },
		{ "c 1-3 rwm", "device rule 'c 1-3 rwm': " SYNTAX },
		{ "c x:3 rwm", "device rule 'c x:3 rwm': " SYNTAX },
		{ "c 1: rwm", "device rule 'c 1: rwm': " SYNTAX },
		{ "c -1:3 rwm", "device rule 'c -1:3 rwm': " SYNTAX },
		{ "c 4096:0 rwm", "device rule 'c 4096:0 rwm': major must be * or 0-4095" },
		{ "c 99999999999999999999999:0", "device rule 'c 99999999999999999999999:0': "
		  "major must be * or 0-4095" },
		{ "c 1:1048576 rwm", "device rule 'c 1:1048576 rwm': minor must be * or 0-1048575" },
		{ "c 1:3 rwx", "device rule 'c 1:3 rwx': access must be one to three of r, w, m" },
		{ "c 1:3 rr", "device rule 'c 1:3 rr': access must be one to three of r, w, m" },
		{ "c 1:3 ", "device rule 'c 1:3 ': access must be one to three of r, w, m" },
		{ "c 1:3 rwm x", "device rule 'c 1:3 rwm x': access must be one to three of r, w, m" },
		{ "c 1:3\trwm", "device rule 'c 1:3\trwm': " SYNTAX },
		{ "a 1:3 rwm", "device rule 'a 1:3 rwm': type a stands for every device "
		  "(write a, or a *:* rwm)" },
		{ "a *:* r", "device rule 'a *:* r': type a stands for every device "
		  "(write a, or a *:* rwm)" },
	};
	struct bk_dev_rule r;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		ok(bk_dev_rule_parse(bad[i].in, true, &r) < 0, "'%s' refused", bad[i].in);
		is_str(bk_error(), bad[i].msg, "  with one message");
	}
}

static void test_parse_node(void)
{
	char file[] = "/tmp/bk-devrules.XXXXXX", want[128];
	struct bk_dev_rule r;
	int fd;

	ok(bk_dev_rule_parse("/dev/null", true, &r) == 0 && r.type == 'c' && r.major == 1 &&
	   r.minor == 3 && r.access == BK_DEV_RWM, "/dev/null is c 1:3 rwm");
	ok(bk_dev_rule_parse("/dev/zero:rw", false, &r) == 0 && r.type == 'c' && r.major == 1 &&
	   r.minor == 5 && r.access == (BK_DEV_R | BK_DEV_W) && !r.allow, "/dev/zero:rw is c 1:5 rw");
	ok(bk_dev_rule_parse("/dev/loop-control:m", true, &r) == 0 && r.major == 10 &&
	   r.minor == 237 && r.access == BK_DEV_M, "/dev/loop-control:m is c 10:237 m");
	fd = mkstemp(file);
	ok(fd >= 0 && bk_dev_rule_parse(file, true, &r) < 0, "a regular file is refused");
	snprintf(want, sizeof(want), "device rule '%s': not a character or block device", file);
	is_str(bk_error(), want, "  with one message");
	if (fd >= 0) {
		close(fd);
		unlink(file);
	}
	ok(bk_dev_rule_parse("/dev", true, &r) < 0, "a directory is refused: %s", bk_error());
	ok(bk_dev_rule_parse("/nonexistent/node", true, &r) < 0 && errno == ENOENT, "a missing node is refused");
	is_str(bk_error(), "device rule '/nonexistent/node': /nonexistent/node: No such file or directory",
	       "  with one message");
	ok(bk_dev_rule_parse("/dev/null:rx", true, &r) < 0 && errno == ENOENT,
	   "a suffix that is no access is part of the path: %s", bk_error());
}

static void test_round_trip(void)
{
	struct bk_dev_rules l;
	struct bk_dev_rule r, back;
	char buf[BK_DEV_RULE_STRLEN];
	bool all = true;

	bk_dev_rules_init(&l);
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (bk_dev_rules_add_str(&l, good[i].in, i % 2) < 0)
			all = false;
	if (bk_dev_default_rules(&l) < 0)
		all = false;
	for (size_t i = 0; i < l.n; i++) {
		r = l.rule[i];
		if (bk_dev_rule_parse(bk_dev_rule_str(&r, buf, sizeof(buf)), r.allow, &back) < 0 ||
		    !same_rule(&r, &back))
			all = false;
	}
	ok(all && l.n > 20, "parse(format(rule)) == rule for %zu rules", l.n);
}

/* ---- lists and their state ---- */

static const char default_lines[] =
	"c *:* m\nb *:* m\nc 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\n"
	"c 5:0 rwm\nc 5:2 rwm\nc 136:* rwm\n";

/* The rules' v1 lines, "LINE\n" each, from rule FIRST on. */
static const char *lines(const struct bk_dev_rules *l, size_t first, char *buf, size_t len)
{
	char one[BK_DEV_RULE_STRLEN];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = first; i < l->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s\n", bk_dev_rule_str(&l->rule[i], one, sizeof(one)));
	return buf;
}

static void test_default(void)
{
	struct bk_dev_rules l, eff;
	char buf[1024];

	bk_dev_rules_init(&l);
	ok(bk_dev_default_rules(&l) == 0 && l.n == 10, "10 standard rules (got %zu)", l.n);
	is_str(lines(&l, 0, buf, sizeof(buf)), default_lines, "the standard list, as v1 lines");
	ok(bk_dev_rules_effective(&l, &eff) == 0 && eff.n == 11 && eff.rule[0].type == 'a' &&
	   !eff.rule[0].allow, "its state: deny a, then 10 allow exceptions");
	is_str(lines(&eff, 1, buf, sizeof(buf)), default_lines, "  the same lines, in order");
	ok(bk_dev_rules_allows(&eff, 'c', 1, 3, BK_DEV_R | BK_DEV_W) &&
	   bk_dev_rules_allows(&eff, 'b', 7, 0, BK_DEV_M) &&
	   !bk_dev_rules_allows(&eff, 'b', 7, 0, BK_DEV_R) &&
	   !bk_dev_rules_allows(&eff, 'c', 10, 237, BK_DEV_R | BK_DEV_W) &&
	   bk_dev_rules_allows(&eff, 'c', 136, 70000, BK_DEV_R | BK_DEV_W) &&
	   !bk_dev_rules_allows(&eff, 'c', 143, 7, BK_DEV_R) &&
	   !bk_dev_rules_allows(&eff, 'c', 144, 0, BK_DEV_R), "it allows null and pts (136:*), not loop, 143:7 or 144:0");
	ok(bk_dev_default_rules(&l) == 0 && l.n == 20, "the standard list appends to a list");
}

static void test_full(void)
{
	struct bk_dev_rules l;
	struct bk_dev_rule r = { .type = 'c', .major = 1, .minor = 3, .access = BK_DEV_R, .allow = true };
	bool all = true;

	bk_dev_rules_init(&l);
	for (int i = 0; i < BK_DEV_MAX_RULES; i++)
		if (bk_dev_rules_add(&l, &r) < 0)
			all = false;
	ok(all && bk_dev_rules_add(&l, &r) < 0 && l.n == BK_DEV_MAX_RULES, "at most %d rules", BK_DEV_MAX_RULES);
	is_str(bk_error(), "device rule 'c 1:3 r': more than 128 rules", "  with one message");
}


/* "deny a; allow c 1:3 rw; ..." */
static const char *state_str(const struct bk_dev_rules *eff, char *buf, size_t len)
{
	char one[BK_DEV_RULE_STRLEN];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < eff->n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s %s", i ? "; " : "",
				 eff->rule[i].allow ? "allow" : "deny",
				 bk_dev_rule_str(&eff->rule[i], one, sizeof(one)));
	return buf;
}

static const char *const v1_states[] = {
	"deny a; allow c 1:3 rw",
	"deny a; allow c 1:3 rm",
	"deny a; allow c 1:5 r",
	"deny a; allow c 1:* r; allow b 8:* rw; allow c 1:3 m",
	"deny a; allow b *:* m",
	"deny a; allow c 1:5 w",
	"deny a",
	NULL,   /* the standard list changed: checked in the kernel only */
};

static void test_effective(void)
{
	static const char *const hole[] = { "+c 1:* rwm", "-c 1:3 w", NULL };
	static const char *const wide[] = { "+c 1:3 rwm", "-c *:* w", NULL };
	static const char *const allow_all[] = { "+c 1:3 rwm", "+a", "-c 1:5 w", "-b *:* rwm",
						 "+b *:* m", "-c 1:9 m", NULL };
	struct bk_dev_rules l, eff;
	char buf[512];

	for (size_t i = 0; i < ARRAY_SIZE(v1_states); i++) {
		if (!v1_states[i])
			continue;
		ok(list_of(&l, v1_lists[i]) == 0 && bk_dev_rules_effective(&l, &eff) == 0,
		   "state of list %zu", i);
		is_str(state_str(&eff, buf, sizeof(buf)), v1_states[i], "  is '%s'", v1_states[i]);
	}
	ok(list_of(&l, hole) == 0 && bk_dev_rules_effective(&l, &eff) < 0, "a deny punching a hole is refused");
	is_str(bk_error(), "device rule deny 'c 1:3 w': overlaps allow 'c 1:* rwm' without naming "
	       "the same devices (the v1 controller would ignore it)", "  with one message");
	ok(list_of(&l, wide) == 0 && bk_dev_rules_effective(&l, &eff) < 0,
	   "a deny wider than an allow is refused: %s", bk_error());
	ok(list_of(&l, allow_all) == 0 && bk_dev_rules_effective(&l, &eff) == 0,
	   "'a' allowed, then deny exceptions and take-backs");
	is_str(state_str(&eff, buf, sizeof(buf)), "allow a; deny c 1:5 w; deny b *:* rw; deny c 1:9 m",
	       "  state");
	ok(bk_dev_rules_allows(&eff, 'c', 1, 3, BK_DEV_W) && !bk_dev_rules_allows(&eff, 'c', 1, 5, BK_DEV_W) &&
	   bk_dev_rules_allows(&eff, 'c', 1, 5, BK_DEV_R) &&
	   !bk_dev_rules_allows(&eff, 'c', 1, 5, BK_DEV_R | BK_DEV_W) &&
	   bk_dev_rules_allows(&eff, 'b', 7, 0, BK_DEV_M) && !bk_dev_rules_allows(&eff, 'b', 7, 0, BK_DEV_R),
	   "  decisions: a deny exception takes any access it names");
}

/* ---- v1: the same lines through the devices controller ---- */

static int v1_write(const char *dir, const char *file, const char *line)
{
	char path[300];
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, line, strlen(line)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Write each rule as its line to devices.allow or devices.deny. */
static int v1_write_rules(const char *dir, const struct bk_dev_rules *l)
{
	char line[BK_DEV_RULE_STRLEN];

	for (size_t i = 0; i < l->n; i++) {
		int err = v1_write(dir, l->rule[i].allow ? "devices.allow" : "devices.deny",
				   bk_dev_rule_str(&l->rule[i], line, sizeof(line)));
		if (err)
			return err;
	}
	return 0;
}

static char *v1_list(const char *dir)
{
	static char buf[4096];
	char path[300];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/devices.list", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

/* The kernel's state after "deny a" and the raw lines of each list is
 * the state bk_dev_rules_effective computes. */
static void check_v1_states(const char *dir)
{
	struct bk_dev_rules l, eff;
	char want[1024];

	for (size_t i = 0; i < ARRAY_SIZE(v1_lists); i++) {
		int err = v1_write(dir, "devices.deny", "a");

		if (list_of(&l, v1_lists[i]) < 0 || bk_dev_rules_effective(&l, &eff) < 0 || eff.rule[0].allow)
			continue;
		err = err ? err : v1_write_rules(dir, &l);
		ok(!err, "v1: deny a + the lines of list %zu (%s)", i, err_str(err));
		is_str(v1_list(dir), lines(&eff, 1, want, sizeof(want)), "  devices.list is its state");
	}
}

static void run_v1(const char *dir, const struct nodes *n)
{
	struct bk_dev_rules r, eff;
	struct bk_dev_rule extra;
	struct prober p;
	char procs[300], line[BK_DEV_RULE_STRLEN];
	int e;

	check_v1_states(dir);
	list_of(&r, (const char *const[]){ "default", NULL });
	bk_dev_rules_effective(&r, &eff);
	ok((e = v1_write_rules(dir, &eff)) == 0, "v1: devices.deny a + the standard lines (%s)", err_str(e));
	is_str(v1_list(dir), default_lines, "v1: devices.list is the standard list");
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	ok((e = prober_start(&p, procs)) == 0, "v1: the child moved itself in (%s)", err_str(e));
	check_standard(&p, n, "v1");
	ok(bk_dev_rule_parse(n->loop, true, &extra) == 0 &&
	   (e = v1_write(dir, "devices.allow", bk_dev_rule_str(&extra, line, sizeof(line)))) == 0,
	   "v1: devices.allow %s (%s)", line, err_str(e));
	check_extra(&p, n, "v1");
	prober_stop(&p);
	remove_nodes(n);
}

static void test_v1(const struct nodes *n)
{
	char dir[256];
	int ret;

	snprintf(dir, sizeof(dir), V1_ROOT "/bk-devtest-%d", (int)getpid());
	if (mkdir(dir, 0755) < 0) {
		ok(0, "mkdir %s: %s", dir, strerror(errno));
		return;
	}
	run_v1(dir, n);
	ret = rmdir(dir);
	ok(ret == 0, "rmdir %s%s", dir, why(ret, true));
}

static void test_kernel(void)
{
	struct nodes n = { .dir = "/tmp/bk-devtest.XXXXXX" };

	if (!kernel_nodes(&n, V1_ROOT, "devices.allow", 0))
		return;
	test_v1(&n);
	remove_nodes(&n);
	ok(rmdir(n.dir) == 0, "rmdir %s", n.dir);
}

int main(void)
{
	test_parse_good();
	test_parse_bad();
	test_parse_node();
	test_round_trip();
	test_default();
	test_full();
	test_effective();
	test_kernel();
	return tap_done();
}
