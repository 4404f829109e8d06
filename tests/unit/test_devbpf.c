/* Unit tests for devbpf: the cgroup2 device program decides as the v1
 * controller does, checked with a small interpreter of its instructions;
 * and, as root, against the kernel: the verifier's refusal, a child in a
 * fresh cgroup2 group with the program attached opens what the list
 * allows and nothing else, re-applies and a program attached by another
 * tool are replaced. Every group made here is removed again. */
#include "devprobe.h"
#include "base/array.h"
#include "base/msg.h"
#include "cgroup/devbpf.h"

#include <linux/magic.h>
#include <stdio.h>
#include <sys/syscall.h>

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

static void test_kernel(void)
{
	struct nodes n = { .dir = "/tmp/bk-devtest.XXXXXX" };

	if (!kernel_nodes(&n, V2_ROOT, "cgroup.procs", CGROUP2_SUPER_MAGIC))
		return;
	test_kernel_misc();
	in_new_v2_group("", run_v2, &n);
	in_new_v2_group("-single", run_v2_single, &n);
	remove_nodes(&n);
	ok(rmdir(n.dir) == 0, "rmdir %s", n.dir);
}

int main(void)
{
	test_program();
	test_kernel();
	return tap_done();
}
