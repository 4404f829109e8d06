/* devbpf: a cgroup v2 device program from a rule list, loaded and
 * attached with bpf(2), no libbpf (devbpf.h). */
#include "cgroup/devbpf.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

_Static_assert(BK_DEV_M == BPF_DEVCG_ACC_MKNOD && BK_DEV_R == BPF_DEVCG_ACC_READ &&
	       BK_DEV_W == BPF_DEVCG_ACC_WRITE, "devrules' access bits are the kernel's");

#define MAX_OLD 64                /* device programs on one directory */
#define LOG_SIZE (256 * 1024)     /* verifier log, fetched on a refusal */
#define LOG_SHOWN 1200            /* its tail, in the error message */

/* ---- the few instructions the program needs ----
 *
 * The kernel calls the program with r1 = struct bpf_cgroup_dev_ctx *:
 *   u32 access_type   (BPF_DEVCG_ACC_{MKNOD,READ,WRITE} << 16) | BPF_DEVCG_DEV_{BLOCK,CHAR}
 *   u32 major, minor
 * and takes r0 = 1 as allow, 0 as deny (the syscall gets EPERM). The
 * prologue unpacks the context into r2-r5, which the blocks only read. */
#define R_VERDICT BPF_REG_0
#define R_CTX     BPF_REG_1   /* the context; a scratch register after the prologue */
#define R_TYPE    BPF_REG_2   /* BPF_DEVCG_DEV_* */
#define R_ACCESS  BPF_REG_3   /* BPF_DEVCG_ACC_* bits asked for */
#define R_MAJOR   BPF_REG_4
#define R_MINOR   BPF_REG_5
#define R_TMP     R_CTX

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
/* dst = *(u32 *)(src + off) */
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_MEM | BPF_W, dst, src, (int16_t)(off), 0)
/* dst = src; dst = imm; dst OP= imm (64-bit) */
#define MOV_X(dst, src)      INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_K(dst, imm)      INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define ALU_K(op, dst, imm)  INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
/* if (dst OP imm) goto pc + 1 + off */
#define JMP_K(op, dst, imm, off) INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define EXIT_INSN()          INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static void emit(struct bk_devbpf_prog *p, struct bpf_insn insn)
{
	p->insn[p->n++] = insn;   /* room checked by bk_devbpf_build */
}

static void emit_prologue(struct bk_devbpf_prog *p)
{
	emit(p, LDX_W(R_TYPE, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, access_type)));
	emit(p, MOV_X(R_ACCESS, R_TYPE));
	emit(p, ALU_K(BPF_AND, R_TYPE, 0xffff));
	emit(p, ALU_K(BPF_RSH, R_ACCESS, 16));
	emit(p, LDX_W(R_MAJOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, major)));
	emit(p, LDX_W(R_MINOR, R_CTX, offsetof(struct bpf_cgroup_dev_ctx, minor)));
}

/* One rule's block: tests that jump past its end ("not this rule"),
 * then the verdict. The jump offsets are known when the block ends. */
struct block {
	struct bk_devbpf_prog *p;
	size_t skip[8];
	size_t nskip;
};

static void skip_if(struct block *b, uint8_t op, uint8_t reg, int32_t imm)
{
	b->skip[b->nskip++] = b->p->n;
	emit(b->p, JMP_K(op, reg, imm, 0));
}

static void end_block(struct block *b)
{
	for (size_t i = 0; i < b->nskip; i++)
		b->p->insn[b->skip[i]].off = (int16_t)(b->p->n - b->skip[i] - 1);
}

/* One exception of the state (all of them have the other verdict than
 * the default). As the v1 controller matches: under default deny, an
 * allow exception matches when the access asks for nothing it does not
 * give; under default allow, a deny exception matches when the access
 * asks for any of what it takes. */
static void emit_exception(struct bk_devbpf_prog *p, const struct bk_dev_rule *e)
{
	struct block b = { .p = p };

	skip_if(&b, BPF_JNE, R_TYPE, e->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	if (e->major != BK_DEV_ANY)
		skip_if(&b, BPF_JNE, R_MAJOR, (int32_t)e->major);
	if (e->minor != BK_DEV_ANY)
		skip_if(&b, BPF_JNE, R_MINOR, (int32_t)e->minor);
	if (e->allow && e->access != BK_DEV_RWM) {
		skip_if(&b, BPF_JSET, R_ACCESS, (int32_t)(BK_DEV_RWM & ~e->access));
	} else if (!e->allow) {
		emit(p, MOV_X(R_TMP, R_ACCESS));
		emit(p, ALU_K(BPF_AND, R_TMP, (int32_t)e->access));
		skip_if(&b, BPF_JEQ, R_TMP, 0);
	}
	emit(p, MOV_K(R_VERDICT, e->allow));
	emit(p, EXIT_INSN());
	end_block(&b);
}

int bk_devbpf_build(const struct bk_dev_rules *rules, struct bk_devbpf_prog *p)
{
	struct bk_dev_rules st;
	char buf[BK_DEV_RULE_STRLEN];

	p->n = 0;
	if (bk_dev_rules_effective(rules, &st) < 0)
		return -1;
	/* effective() keeps st.n <= BK_DEV_MAX_RULES; each block <= 8 insns */
	emit_prologue(p);
	for (size_t i = 1; i < st.n; i++) {
		if (bk_verbose > 1)
			bk_trace("device program: %s %s", st.rule[i].allow ? "allow" : "deny",
				 bk_dev_rule_str(&st.rule[i], buf, sizeof(buf)));
		emit_exception(p, &st.rule[i]);
	}
	emit(p, MOV_K(R_VERDICT, st.rule[0].allow));
	emit(p, EXIT_INSN());
	return 0;
}

/* ---- bpf(2) ---- */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The fd comes back close-on-exec, as every bpf(2) fd. */
static int load_once(const struct bk_devbpf_prog *p, char *log, size_t loglen)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)p->insn;
	a.insn_cnt = (uint32_t)p->n;
	a.license = (uintptr_t)"GPL";   /* no helper is called: the string is informative */
	snprintf(a.prog_name, sizeof(a.prog_name), "bockit_devices");
	if (log) {
		log[0] = '\0';
		a.log_level = 1;
		a.log_buf = (uintptr_t)log;
		a.log_size = (uint32_t)loglen;
	}
	return sys_bpf(BPF_PROG_LOAD, &a);
}

/* The tail of the verifier's log on one line: "a / b / c". */
static void flatten_log(const char *log, char *out, size_t len)
{
	size_t n = strlen(log), used = 0;
	const char *s = n > LOG_SHOWN ? log + n - LOG_SHOWN : log;

	while (n && log[n - 1] == '\n')
		n--;
	for (; s < log + n && used + 4 < len; s++) {
		if (*s != '\n') {
			out[used++] = *s;
			continue;
		}
		memcpy(out + used, " / ", 3);
		used += 3;
	}
	out[used] = '\0';
}

int bk_devbpf_load(const struct bk_devbpf_prog *p)
{
	_cleanup_free_ char *log = NULL;
	char shown[LOG_SHOWN + LOG_SHOWN / 2];
	int fd = load_once(p, NULL, 0), err;

	if (fd < 0 && (errno == EACCES || errno == EINVAL) && (log = malloc(LOG_SIZE)))
		fd = load_once(p, log, LOG_SIZE);   /* again, for the verifier's reasons */
	err = errno;
	if (fd >= 0) {
		BK_TRACE("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, %zu insns) = fd %d", p->n, fd);
		return fd;
	}
	if (!log || !log[0])
		return bk_fail_errno(err, "bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, %zu insns)",
				     p->n);
	flatten_log(log, shown, sizeof(shown));
	errno = err;
	return bk_fail("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, %zu insns): %s: verifier: %s",
		       p->n, strerror(err), shown);
}

static const struct bk_flag_name attach_flag_names[] = {
	{ BPF_F_ALLOW_OVERRIDE, "BPF_F_ALLOW_OVERRIDE" },
	{ BPF_F_ALLOW_MULTI, "BPF_F_ALLOW_MULTI" },
	{ BPF_F_REPLACE, "BPF_F_REPLACE" },
};

/* The directory's path for traces and errors ("fd N" if unknown). */
static void dir_name(int dirfd, char *buf, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, buf, len - 1);
	if (n < 0)
		snprintf(buf, len, "fd %d", dirfd);
	else
		buf[n] = '\0';
}

static int check_cgroup2(int dirfd, const char *dir)
{
	struct statfs st;

	if (fstatfs(dirfd, &st) < 0)
		return bk_fail_errno(errno, "%s", dir);
	if (st.f_type != CGROUP2_SUPER_MAGIC)
		return bk_fail("%s: not a cgroup2 directory", dir);
	return 0;
}

/* The device programs attached to the directory itself. */
struct attached {
	uint32_t n, flags;
	uint32_t id[MAX_OLD];
};

static int query(int dirfd, const char *dir, struct attached *at, bool ids)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)dirfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = ids ? (uintptr_t)at->id : 0;
	a.query.prog_cnt = ids ? MAX_OLD : 0;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return errno == ENOSPC ?
			bk_fail("bpf(BPF_PROG_QUERY, %s, BPF_CGROUP_DEVICE): more than %d programs",
				dir, MAX_OLD) :
			bk_fail_errno(errno, "bpf(BPF_PROG_QUERY, %s, BPF_CGROUP_DEVICE)", dir);
	at->n = a.query.prog_cnt;
	at->flags = a.query.attach_flags;
	BK_TRACE("bpf(BPF_PROG_QUERY, %s, BPF_CGROUP_DEVICE) = %u program%s", dir, at->n,
		 at->n == 1 ? "" : "s");
	return 0;
}

static int attach(int dirfd, const char *dir, int progfd, uint32_t flags)
{
	union bpf_attr a;
	char fs[96];

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)progfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = flags;
	BK_FLAGS_STR(flags, attach_flag_names, fs);
	BK_TRACE("bpf(BPF_PROG_ATTACH, %s, BPF_CGROUP_DEVICE, %s)", dir, fs);
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return bk_fail_errno(errno, "bpf(BPF_PROG_ATTACH, %s, BPF_CGROUP_DEVICE, %s)", dir, fs);
	return 0;
}

static int detach(int dirfd, int progfd)
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)dirfd;
	a.attach_bpf_fd = (uint32_t)progfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	return sys_bpf(BPF_PROG_DETACH, &a);
}

/* Detach program ID; one that is gone already (detached or unloaded by
 * someone else meanwhile) is fine. */
static int detach_id(int dirfd, const char *dir, uint32_t id)
{
	union bpf_attr a;
	_cleanup_close_ int fd = -1;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &a);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return bk_fail_errno(errno, "bpf(BPF_PROG_GET_FD_BY_ID, %u)", id);
	BK_TRACE("bpf(BPF_PROG_DETACH, %s, BPF_CGROUP_DEVICE, prog id %u)", dir, id);
	if (detach(dirfd, fd) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "bpf(BPF_PROG_DETACH, %s, BPF_CGROUP_DEVICE, prog id %u)",
				     dir, id);
	return 0;
}

/* Attach the new program beside the old ones (for a moment a device is
 * opened only if both allow it), then take the old ones away. */
static int attach_replacing(int dirfd, const char *dir, int progfd, const struct attached *old)
{
	/* Attached without BPF_F_ALLOW_MULTI, a program can only be replaced
	 * by one attached with the same flags, which the kernel does in one
	 * step. */
	if (old->n && !(old->flags & BPF_F_ALLOW_MULTI))
		return attach(dirfd, dir, progfd, old->flags);
	if (attach(dirfd, dir, progfd, BPF_F_ALLOW_MULTI) < 0)
		return -1;
	for (uint32_t i = 0; i < old->n; i++) {
		if (detach_id(dirfd, dir, old->id[i]) == 0)
			continue;
		BK_TRACE("undo: bpf(BPF_PROG_DETACH, %s, BPF_CGROUP_DEVICE, fd %d)", dir, progfd);
		if (detach(dirfd, progfd) < 0)
			BK_TRACE("undo: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int bk_devbpf_apply(int cgroup2_dirfd, const struct bk_dev_rules *rules)
{
	_cleanup_free_ struct bk_devbpf_prog *prog = malloc(sizeof(*prog));
	_cleanup_close_ int progfd = -1;
	struct attached old;
	char dir[PATH_MAX];

	if (!prog)
		return bk_fail_errno(ENOMEM, "device program");
	dir_name(cgroup2_dirfd, dir, sizeof(dir));
	if (check_cgroup2(cgroup2_dirfd, dir) < 0 || bk_devbpf_build(rules, prog) < 0 ||
	    query(cgroup2_dirfd, dir, &old, true) < 0)
		return -1;
	progfd = bk_devbpf_load(prog);
	if (progfd < 0)
		return -1;
	return attach_replacing(cgroup2_dirfd, dir, progfd, &old);
}

int bk_devbpf_count(int cgroup2_dirfd)
{
	struct attached at;
	char dir[PATH_MAX];

	dir_name(cgroup2_dirfd, dir, sizeof(dir));
	if (query(cgroup2_dirfd, dir, &at, false) < 0)
		return -1;
	return (int)at.n;
}
