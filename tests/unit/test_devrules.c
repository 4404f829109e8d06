/* Unit tests for devrules (parsing, the v1 line, the standard list, the
 * state a list leaves) and devbpf (the program decides as the v1
 * controller, checked with a small interpreter of its instructions; and,
 * as root, against the kernel: a child in a fresh cgroup2 group with the
 * program attached, and in a fresh v1 devices group, opens what the list
 * allows and nothing else). Every group made here is removed again. */
#include "tap.h"
#include "base/array.h"
#include "cgroup/devbpf.h"
#include "cgroup/devrules.h"
#include "base/msg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define V2_ROOT "/sys/fs/cgroup/unified"
#define V1_ROOT "/sys/fs/cgroup/devices"
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

/* A list from "+LINE" (allow) / "-LINE" (deny) / "default" entries. */
static int list_of(struct bk_dev_rules *l, const char *const *spec)
{
	bk_dev_rules_init(l);
	for (; *spec; spec++) {
		int ret = !strcmp(*spec, "default") ? bk_dev_default_rules(l) :
			  bk_dev_rules_add_str(l, *spec + 1, **spec == '+');
		if (ret < 0)
			return -1;
	}
	return 0;
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

/* Lists whose state (deny-a first) the v1 kernel also reports in
 * devices.list: checked against it below when root. */
static const char *const *const v1_lists[] = {
	(const char *const[]){ "+c 1:3 r", "+c 1:3 w", NULL },
	(const char *const[]){ "+c 1:3 rwm", "-c 1:3 w", NULL },
	(const char *const[]){ "+c 1:3 rwm", "-c 1:3 w", "-c 1:3 rm", "+c 1:5 r", NULL },
	(const char *const[]){ "+c 1:* r", "-c 1:3 w", "+b 8:* rw", "+c 1:3 m", NULL },
	(const char *const[]){ "-c 1:3 rwm", "+b *:* m", NULL },
	(const char *const[]){ "+c 1:3 rwm", "-a", "+c 1:5 w", NULL },
	(const char *const[]){ "+c 1:3 rwm", "+a", "-a", NULL },
	(const char *const[]){ "default", "+b 7:7 rw", "-c 5:0 w", NULL },
};
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

/* ---- the program, run by a small interpreter of the insns it uses ---- */

static int interpret(const struct bk_devbpf_prog *p, const struct bpf_cgroup_dev_ctx *ctx)
{
	uint64_t r[MAX_BPF_REG] = { 0 };

	for (size_t pc = 0, steps = 0; pc < p->n && steps < 100000; pc++, steps++) {
		const struct bpf_insn *i = &p->insn[pc];
		uint64_t k = (uint64_t)(int64_t)i->imm, *d = &r[i->dst_reg];

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			if (i->src_reg != BPF_REG_1 || i->off < 0 || i->off > 8)
				return -1;
			memcpy(&r[i->dst_reg], (const char *)ctx + i->off, 4);
			r[i->dst_reg] &= 0xffffffff;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X: *d = r[i->src_reg]; break;
		case BPF_ALU64 | BPF_MOV | BPF_K: *d = k; break;
		case BPF_ALU64 | BPF_AND | BPF_K: *d &= k; break;
		case BPF_ALU64 | BPF_RSH | BPF_K: *d >>= i->imm; break;
		case BPF_JMP | BPF_JNE | BPF_K: pc += *d != k ? i->off : 0; break;
		case BPF_JMP | BPF_JEQ | BPF_K: pc += *d == k ? i->off : 0; break;
		case BPF_JMP | BPF_JSET | BPF_K: pc += (*d & k) ? i->off : 0; break;
		case BPF_JMP | BPF_EXIT: return (int)r[0];
		default: return -1;
		}
	}
	return -1;
}

/* Does the program decide as bk_dev_rules_allows for every access in a
 * grid around the numbers the lists use? */
static bool program_matches(const struct bk_dev_rules *l, size_t *checked)
{
	static const uint32_t majors[] = { 0, 1, 5, 7, 8, 10, 135, 136, 140, 143, 144, 4095 };
	static const uint32_t minors[] = { 0, 1, 2, 3, 5, 7, 8, 9, 200, 237, 1048575 };
	struct bk_devbpf_prog *p = malloc(sizeof(*p));
	struct bk_dev_rules eff;
	bool same = p && bk_devbpf_build(l, p) == 0 && bk_dev_rules_effective(l, &eff) == 0;

	*checked = 0;
	for (int t = 0; t < 2 && same; t++) {
		for (size_t a = 0; a < ARRAY_SIZE(majors); a++) {
			for (size_t b = 0; b < ARRAY_SIZE(minors); b++) {
				for (unsigned acc = 1; acc <= BK_DEV_RWM; acc++) {
					struct bpf_cgroup_dev_ctx ctx = {
						.access_type = acc << 16 | (t ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK),
						.major = majors[a], .minor = minors[b] };
					bool want = bk_dev_rules_allows(&eff, t ? 'c' : 'b', majors[a], minors[b], acc);

					same = same && interpret(p, &ctx) == (want ? 1 : 0);
					++*checked;
				}
			}
		}
	}
	free(p);
	return same;
}

static void test_program(void)
{
	static const char *const allow_all[] = { "+a", "-c 1:5 w", "-b *:* rwm", "+b *:* m", NULL };
	static const char *const nothing[] = { NULL };
	static const char *const everything[] = { "+a", NULL };
	struct bk_devbpf_prog *p = malloc(sizeof(*p));
	struct bk_dev_rules l;
	size_t n = 0;

	list_of(&l, (const char *const[]){ "default", NULL });
	ok(p && bk_devbpf_build(&l, p) == 0 && p->n == 55, "the standard list is 55 insns (got %zu)",
	   p ? p->n : 0);
	for (size_t i = 0; i < ARRAY_SIZE(v1_lists); i++)
		ok(list_of(&l, v1_lists[i]) == 0 && program_matches(&l, &n),
		   "program of list %zu decides as v1 for %zu accesses", i, n);
	ok(list_of(&l, allow_all) == 0 && program_matches(&l, &n), "program of 'a' + denies matches (%zu)", n);
	ok(list_of(&l, nothing) == 0 && program_matches(&l, &n) && bk_devbpf_build(&l, p) == 0 && p->n == 8,
	   "the empty list denies everything in 8 insns");
	ok(list_of(&l, everything) == 0 && program_matches(&l, &n), "'a' allows everything");
	list_of(&l, (const char *const[]){ "+c 1:* rwm", "-c 1:3 w", NULL });
	ok(bk_devbpf_build(&l, p) < 0, "no program for a list v1 would read otherwise");
	free(p);
}

/* ---- against the kernel (root) ---- */

/* A child that moves itself into a group, then runs open/mknod requests
 * from the test and answers each with 0 or the errno. */
enum { P_OPEN = 1, P_MKNOD, P_PTY };

struct req {
	int op, flags;
	mode_t mode;
	dev_t dev;
	char path[240];
};

struct prober {
	pid_t pid;
	int req, resp;
};

/* open a new pty's slave /dev/pts/N (major 136) */
static int open_pty(void)
{
	char name[64];
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC), s, err;

	if (m < 0)
		return errno;
	if (unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0) {
		err = errno;
		close(m);
		return err;
	}
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	err = s < 0 ? errno : 0;
	if (s >= 0)
		close(s);
	close(m);
	return err;
}

static int child_do(const struct req *q)
{
	int fd;

	if (q->op == P_MKNOD)
		return mknod(q->path, q->mode, q->dev) < 0 ? errno : 0;
	if (q->op == P_PTY)
		return open_pty();
	fd = open(q->path, q->flags | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int join(const char *procs)
{
	char pid[24];
	int fd = open(procs, O_WRONLY | O_CLOEXEC), err = 0;
	size_t n = (size_t)snprintf(pid, sizeof(pid), "%d", (int)getpid());

	if (fd < 0)
		return errno;
	if (write(fd, pid, n) != (ssize_t)n)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

static void __attribute__((noreturn)) child_main(const char *procs, int rq, int rs)
{
	struct req q;
	int err;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	err = join(procs);
	if (write(rs, &err, sizeof(err)) != sizeof(err))
		_exit(1);
	while (read(rq, &q, sizeof(q)) == sizeof(q)) {
		err = child_do(&q);
		if (write(rs, &err, sizeof(err)) != sizeof(err))
			break;
	}
	_exit(0);
}

/* The child's errno for joining the group at PROCS (0: it is in). */
static int prober_start(struct prober *p, const char *procs)
{
	int rq[2], rs[2], err = -1;

	p->pid = -1;
	p->req = p->resp = -1;
	if (pipe2(rq, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(rs, O_CLOEXEC) < 0) {
		close(rq[0]);
		close(rq[1]);
		return -1;
	}
	fflush(stdout);
	p->pid = fork();
	if (p->pid == 0) {
		close(rq[1]);   /* or the child never sees the end of its requests */
		close(rs[0]);
		child_main(procs, rq[0], rs[1]);
	}
	close(rq[0]);
	close(rs[1]);
	p->req = rq[1];
	p->resp = rs[0];
	if (p->pid < 0 || read(p->resp, &err, sizeof(err)) != sizeof(err))
		return -1;
	return err;
}

static int ask(struct prober *p, int op, const char *path, int flags, mode_t mode, dev_t dev)
{
	struct req q = { .op = op, .flags = flags, .mode = mode, .dev = dev };
	int err;

	snprintf(q.path, sizeof(q.path), "%s", path ? path : "");
	if (write(p->req, &q, sizeof(q)) != sizeof(q) || read(p->resp, &err, sizeof(err)) != sizeof(err))
		return -1;
	return err;
}

#define ask_open(p, path, flags) ask(p, P_OPEN, path, flags, 0, 0)
#define ask_mknod(p, path, mode, dev) ask(p, P_MKNOD, path, 0, mode, dev)
#define ask_pty(p) ask(p, P_PTY, NULL, 0, 0, 0)

/* Closing its request pipe ends the child; wait for it, so the group it
 * is in is empty and can be removed. */
static void prober_stop(struct prober *p)
{
	if (p->req >= 0)
		close(p->req);
	if (p->resp >= 0)
		close(p->resp);
	if (p->pid > 0)
		waitpid(p->pid, NULL, 0);
	p->pid = -1;
	p->req = p->resp = -1;
}

/* ": why" after a check's description when RET < 0 (bk_error, or errno
 * for a plain syscall), "" when it worked. */
static const char *why(int ret, bool syscall_errno)
{
	static char buf[2100];

	if (ret >= 0)
		return "";
	snprintf(buf, sizeof(buf), ": %s", syscall_errno ? strerror(errno) : bk_error());
	return buf;
}

static const char *err_str(int e)
{
	return e < 0 ? "no answer" : e ? strerror(e) : "success";
}

/* The nodes the checks make: a block node for an existing loop device
 * (so that once allowed it opens without creating one) and loop-control's
 * number, both in a temp dir. */
struct nodes {
	char dir[64], loop[96], ctl[96], host_loop[32];
	dev_t loopdev;
};

static int find_loop(struct nodes *n)
{
	unsigned maj, min;

	for (int i = 0; i < 256; i++) {
		char path[64];
		FILE *f;
		int got;

		snprintf(path, sizeof(path), "/sys/block/loop%d/dev", i);
		f = fopen(path, "re");
		if (!f)
			continue;
		got = fscanf(f, "%u:%u", &maj, &min);
		fclose(f);
		snprintf(n->host_loop, sizeof(n->host_loop), "/dev/loop%d", i);
		if (got == 2 && access(n->host_loop, F_OK) == 0) {
			n->loopdev = makedev(maj, min);
			return 0;
		}
	}
	return -1;
}

static void remove_nodes(const struct nodes *n)
{
	unlink(n->loop);
	unlink(n->ctl);
}

/* What the standard list must let through and stop, seen by a process in
 * the group. */
static void check_standard(struct prober *p, const struct nodes *n, const char *v)
{
	int e;

	ok(ask_open(p, "/dev/null", O_RDWR) == 0, "%s: open /dev/null rw", v);
	ok(ask_open(p, "/dev/zero", O_RDWR) == 0, "%s: open /dev/zero rw", v);
	ok(ask_open(p, "/dev/urandom", O_RDONLY) == 0, "%s: open /dev/urandom", v);
	ok((e = ask_pty(p)) == 0, "%s: open /dev/ptmx and the new /dev/pts/N (%s)", v, err_str(e));
	ok((e = ask_mknod(p, n->loop, S_IFBLK | 0600, n->loopdev)) == 0,
	   "%s: mknod %s b %u:%u (%s)", v, n->loop, major(n->loopdev), minor(n->loopdev), err_str(e));
	ok((e = ask_open(p, n->loop, O_RDONLY)) == EPERM, "%s: open of that node: EPERM (%s)", v, err_str(e));
	ok((e = ask_mknod(p, n->ctl, S_IFCHR | 0600, makedev(10, 237))) == 0,
	   "%s: mknod %s c 10:237 (%s)", v, n->ctl, err_str(e));
	ok((e = ask_open(p, n->ctl, O_RDWR)) == EPERM, "%s: open of that node: EPERM (%s)", v, err_str(e));
	ok((e = ask_open(p, "/dev/loop-control", O_RDWR)) == EPERM,
	   "%s: open the host's /dev/loop-control: EPERM (%s)", v, err_str(e));
	ok((e = ask_open(p, n->host_loop, O_RDONLY)) == EPERM,
	   "%s: open the host's %s: EPERM (%s)", v, n->host_loop, err_str(e));
}

/* After the loop node was allowed too. */
static void check_extra(struct prober *p, const struct nodes *n, const char *v)
{
	int e;

	ok((e = ask_open(p, n->loop, O_RDONLY)) == 0, "%s: with it allowed, %s opens (%s)", v, n->loop,
	   err_str(e));
	ok((e = ask_open(p, n->ctl, O_RDWR)) == EPERM, "%s: %s still EPERM (%s)", v, n->ctl, err_str(e));
	ok(ask_open(p, "/dev/null", O_RDWR) == 0, "%s: /dev/null still opens", v);
}

static void run_v2(int dirfd, const char *dir, const struct nodes *n)
{
	struct bk_dev_rules r;
	struct prober p;
	char procs[300];
	int e;

	list_of(&r, (const char *const[]){ "default", NULL });
	ok(bk_devbpf_count(dirfd) == 0, "v2: a new group has no device program");
	ok((e = bk_devbpf_apply(dirfd, &r)) == 0, "v2: apply the standard list to %s%s", dir,
	   why(e, false));
	ok(bk_devbpf_count(dirfd) == 1, "v2: one device program attached");
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	ok((e = prober_start(&p, procs)) == 0, "v2: the child moved itself in (%s)", err_str(e));
	check_standard(&p, n, "v2");
	bk_verbose = 1;   /* the traces of a re-apply, on stderr */
	e = bk_dev_rules_add_str(&r, n->loop, true);
	ok((e = e < 0 ? e : bk_devbpf_apply(dirfd, &r)) == 0, "v2: re-apply with '%s' allowed%s",
	   n->loop, why(e, false));
	bk_verbose = 0;
	ok((e = bk_devbpf_count(dirfd)) == 1, "v2: still one program: the old one was detached (%d)", e);
	check_extra(&p, n, "v2");
	ok(bk_devbpf_apply(dirfd, &r) == 0 && bk_devbpf_count(dirfd) == 1, "v2: a third apply, one program");
	prober_stop(&p);
	remove_nodes(n);
}

/* A program that another tool attached without BPF_F_ALLOW_MULTI is
 * replaced in one step. */
static void run_v2_single(int dirfd, const char *dir, const struct nodes *n)
{
	struct bk_devbpf_prog *prog = malloc(sizeof(*prog));
	struct bk_dev_rules none, std;
	union bpf_attr a;
	struct prober p;
	char procs[300];
	int fd = -1, e;

	(void)n;
	list_of(&none, (const char *const[]){ NULL });
	list_of(&std, (const char *const[]){ "default", NULL });
	if (prog && bk_devbpf_build(&none, prog) == 0)
		fd = bk_devbpf_load(prog);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	ok(fd >= 0 && syscall(SYS_bpf, BPF_PROG_ATTACH, &a, sizeof(a)) == 0,
	   "v2: a deny-all program attached with flags 0 to %s", dir);
	if (fd >= 0)
		close(fd);
	free(prog);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	ok((e = prober_start(&p, procs)) == 0, "v2: a child moved itself in (%s)", err_str(e));
	ok((e = ask_open(&p, "/dev/null", O_RDWR)) == EPERM, "v2: /dev/null: EPERM (%s)", err_str(e));
	ok((e = bk_devbpf_apply(dirfd, &std)) == 0, "v2: apply the standard list over it%s", why(e, false));
	ok(bk_devbpf_count(dirfd) == 1, "v2: one program");
	ok((e = ask_open(&p, "/dev/null", O_RDWR)) == 0, "v2: /dev/null opens (%s)", err_str(e));
	prober_stop(&p);
}

static void in_new_v2_group(const char *suffix, void (*run)(int, const char *, const struct nodes *),
			    const struct nodes *n)
{
	char dir[256];
	int fd;

	snprintf(dir, sizeof(dir), V2_ROOT "/bk-devtest-%d%s", (int)getpid(), suffix);
	if (mkdir(dir, 0755) < 0) {
		ok(0, "mkdir %s: %s", dir, strerror(errno));
		return;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok(fd >= 0, "open %s%s", dir, why(fd, true));
	if (fd >= 0) {
		run(fd, dir, n);
		close(fd);
	}
	fd = rmdir(dir);
	ok(fd == 0, "rmdir %s%s", dir, why(fd, true));
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

static void test_kernel_misc(void)
{
	struct bk_devbpf_prog bad = { .n = 1, .insn = { { .code = BPF_JMP | BPF_EXIT } } };
	struct bk_dev_rules r;
	int fd;

	ok(bk_devbpf_load(&bad) < 0 && strstr(bk_error(), "verifier: ") && strstr(bk_error(), "R0"),
	   "a program the verifier refuses: its log in the message (%s)", bk_error());
	fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	list_of(&r, (const char *const[]){ "default", NULL });
	ok(bk_devbpf_apply(fd, &r) < 0, "apply to a non-cgroup2 directory refused");
	is_str(bk_error(), "/tmp: not a cgroup2 directory", "  with one message");
	if (fd >= 0)
		close(fd);
}

static bool kernel_tests_possible(void)
{
	struct statfs st;

	if (geteuid() != 0) {
		printf("# skip the kernel checks: not root\n");
		return false;
	}
	if (statfs(V2_ROOT, &st) < 0 || st.f_type != CGROUP2_SUPER_MAGIC ||
	    access(V1_ROOT "/devices.allow", W_OK) < 0) {
		printf("# skip the kernel checks: no cgroup2 at " V2_ROOT " or no v1 devices at " V1_ROOT "\n");
		return false;
	}
	return true;
}

static void test_kernel(void)
{
	struct nodes n = { .dir = "/tmp/bk-devtest.XXXXXX" };

	if (!kernel_tests_possible())
		return;
	if (find_loop(&n) < 0) {
		printf("# skip the kernel checks: no loop device on this host\n");
		return;
	}
	if (!mkdtemp(n.dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(n.loop, sizeof(n.loop), "%s/loop", n.dir);
	snprintf(n.ctl, sizeof(n.ctl), "%s/loop-control", n.dir);
	test_kernel_misc();
	in_new_v2_group("", run_v2, &n);
	in_new_v2_group("-single", run_v2_single, &n);
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
	test_program();
	test_kernel();
	return tap_done();
}
