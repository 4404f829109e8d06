/* ns: Linux namespaces by name and flag; entering them: unshare(2) for new
 * ones, setns(2) into a namespace file (/run/netns/X, /proc/PID/ns/net) or
 * into every namespace, the root and the cwd of a running process (the
 * nsenter job). Each kernel call is traced with -v. */
#ifndef BK_NS_H
#define BK_NS_H

#include <stdbool.h>
#include <sys/types.h>

/* Kinds in the order they must be entered: user first (it grants the
 * capabilities the others need), mount last (it changes root and cwd). */
enum bk_ns_kind {
	BK_NS_USER, BK_NS_CGROUP, BK_NS_IPC, BK_NS_UTS, BK_NS_NET,
	BK_NS_PID, BK_NS_TIME, BK_NS_MNT, BK_NS_COUNT
};

int bk_ns_flag(enum bk_ns_kind k);          /* CLONE_NEWUSER ... */
const char *bk_ns_name(enum bk_ns_kind k);  /* "user" ... ("mnt") */

/* "CLONE_NEWNS|CLONE_NEWPID" for traces and messages. */
const char *bk_ns_flags_str(int flags, char *buf, unsigned len);

/* unshare(2); a new mount namespace gets every mount made private, as
 * unshare(1) does, so nothing mounted inside propagates to the host. */
int bk_ns_unshare(int flags);
/* Bring the loopback interface of this network namespace up (a new one
 * has it down): SIOCSIFFLAGS, the one thing ip link set lo up does. */
int bk_ns_loopback_up(void);

/* open(path) + setns(fd, flag of k). */
int bk_ns_join_path(const char *path, enum bk_ns_kind k);

/* Everything needed to enter a running process, opened up front (before
 * the first setns changes what /proc/PID resolves to): its namespaces
 * and, when asked for (nsenter's -r and -w), a root and a cwd. */
struct bk_ns_target {
	pid_t pid;
	int fd[BK_NS_COUNT];    /* -1 where not joined */
	int root_fd, cwd_fd;    /* -1 where not taken */
	const char *root_dir, *cwd_dir;   /* for traces; NULL: PID's own */
};

/* All fds -1: nothing opened yet. */
void bk_ns_target_init(struct bk_ns_target *t);
/* Open PID's namespaces named by the mask (bit k = kind k); a mask of 0
 * means every namespace that differs from ours. Root and cwd stay ours. */
int bk_ns_target_open(struct bk_ns_target *t, pid_t pid, unsigned mask);
/* Also take a root, or a working directory: PID's own (/proc/PID/root,
 * /proc/PID/cwd) when dir is NULL, else dir as this process sees it now. */
int bk_ns_target_take_root(struct bk_ns_target *t, const char *dir);
int bk_ns_target_take_cwd(struct bk_ns_target *t, const char *dir);
/* setns into each opened namespace, in order; then chroot to the root
 * taken, if any, and chdir to the cwd taken, or to the new root's / (a
 * cwd left outside a new root is a way out of it). Without either, root
 * and cwd are what the kernel leaves: a joined mount namespace's root. */
int bk_ns_target_enter(struct bk_ns_target *t);
bool bk_ns_target_has(const struct bk_ns_target *t, enum bk_ns_kind k);
void bk_ns_target_close(struct bk_ns_target *t);

#endif
