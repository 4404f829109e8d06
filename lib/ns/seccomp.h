/* seccomp: the container's syscall filter. A profile in the OCI/Docker JSON
 * format (or the built-in "default", equal in effect to Docker's) is compiled
 * to BPF by libseccomp before fork; the child installs it with one seccomp(2)
 * call as the last step before execve. */
#ifndef BK_SECCOMP_H
#define BK_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bk_seccomp {            /* a compiled filter, ready to install */
	struct sock_filter *insns;  /* NULL/0 for "unconfined" */
	size_t len;
	unsigned nrules;            /* syscall rules that made it in, for -v */
	unsigned narches;           /* architectures the filter covers, for -v */
	char default_action[48];    /* "SCMP_ACT_ERRNO(EPERM)" etc, for -v */
	unsigned flags;             /* SECCOMP_FILTER_FLAG_* from the profile */
	bool owned;                 /* insns malloc'd (vs the built-in array) */
	/* What the result depended on, so the build can tell when a
	 * precompiled filter stands for a run-time compile: */
	uint64_t caps_used;         /* capabilities includes/excludes named */
	bool kernel_used;           /* a minKernel was looked at */
};

/* spec: "default" (built-in profile), "unconfined" (no filter), or a path to
 * an OCI/Docker JSON profile. caps: bit N = capability N the process keeps
 * (the bounding set), for includes/excludes by capability. */
int bk_seccomp_compile(const char *spec, uint64_t caps, struct bk_seccomp *out);
/* The same for a profile already parsed (an OCI config's linux.seccomp);
 * name stands for it in messages. */
struct json_t;
int bk_seccomp_compile_json(const struct json_t *profile, const char *name, uint64_t caps,
			    struct bk_seccomp *out);
/* What profiles may name, for `ocirun features`: the i-th action
 * ("SCMP_ACT_ERRNO") or operator ("SCMP_CMP_EQ"), NULL past the last; and
 * whether this libseccomp knows an architecture ("SCMP_ARCH_X86_64"). */
const char *bk_seccomp_action_name(size_t i);
const char *bk_seccomp_operator_name(size_t i);
bool bk_seccomp_arch_known(const char *name);

/* One seccomp(SECCOMP_SET_MODE_FILTER) call (needs no_new_privs or
 * CAP_SYS_ADMIN); no-op when unconfined. The last step before execve. */
int bk_seccomp_install(const struct bk_seccomp *f);
void bk_seccomp_release(struct bk_seccomp *f);

/* The built-in profile: lib/seccomp-default.json, compiled at build time by
 * scripts/seccomp-bpf.c into $(BUILD)/gen/seccomp-default.c for Docker's
 * default capability set. bk_seccomp_compile("default") uses the BPF when
 * the kept capabilities agree with caps on every bit in caps_used, and
 * compiles json at run time otherwise. */
struct bk_seccomp_builtin {
	const struct sock_filter *bpf;
	size_t len;
	unsigned nrules, narches, flags;
	const char *default_action;
	uint64_t caps;              /* the set bpf was compiled for */
	uint64_t caps_used;
	const char *json;           /* NULL: no built-in profile */
};
extern const struct bk_seccomp_builtin bk_seccomp_builtin_default;

#endif
