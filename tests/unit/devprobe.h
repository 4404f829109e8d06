/* devprobe.h: what test_devrules.c (the v1 devices controller) and
 * test_devbpf.c (the cgroup2 device program) both need: device lists
 * written as data, and, as root, a child in a device-limited group that
 * opens and mknods on request, with the checks the standard list must
 * pass. Every node made here is removed again. */
#ifndef BK_DEVPROBE_H
#define BK_DEVPROBE_H

#include "tap.h"
#include "base/msg.h"
#include "cgroup/devrules.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define V2_ROOT "/sys/fs/cgroup/unified"
#define V1_ROOT "/sys/fs/cgroup/devices"

/* A list from "+LINE" (allow) / "-LINE" (deny) / "default" entries. */
static inline int list_of(struct bk_dev_rules *l, const char *const *spec)
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
static inline int open_pty(void)
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

static inline int child_do(const struct req *q)
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

static inline int join(const char *procs)
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

static inline void __attribute__((noreturn)) child_main(const char *procs, int rq, int rs)
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
static inline int prober_start(struct prober *p, const char *procs)
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

static inline int ask(struct prober *p, int op, const char *path, int flags, mode_t mode, dev_t dev)
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
static inline void prober_stop(struct prober *p)
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
static inline const char *why(int ret, bool syscall_errno)
{
	static char buf[2100];

	if (ret >= 0)
		return "";
	snprintf(buf, sizeof(buf), ": %s", syscall_errno ? strerror(errno) : bk_error());
	return buf;
}

static inline const char *err_str(int e)
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

static inline int find_loop(struct nodes *n)
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

static inline void remove_nodes(const struct nodes *n)
{
	unlink(n->loop);
	unlink(n->ctl);
}

/* What the standard list must let through and stop, seen by a process in
 * the group. */
static inline void check_standard(struct prober *p, const struct nodes *n, const char *v)
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
static inline void check_extra(struct prober *p, const struct nodes *n, const char *v)
{
	int e;

	ok((e = ask_open(p, n->loop, O_RDONLY)) == 0, "%s: with it allowed, %s opens (%s)", v, n->loop,
	   err_str(e));
	ok((e = ask_open(p, n->ctl, O_RDWR)) == EPERM, "%s: %s still EPERM (%s)", v, n->ctl, err_str(e));
	ok(ask_open(p, "/dev/null", O_RDWR) == 0, "%s: /dev/null still opens", v);
}


/* Make the node directory and find a loop device; false (said why) when
 * the kernel checks cannot run: not root, no writable ROOT/FILE, ROOT not
 * of super magic MAGIC (unless 0), or no loop device. */
static inline bool kernel_nodes(struct nodes *n, const char *root, const char *file, long magic)
{
	struct statfs st;
	char path[256];

	if (geteuid() != 0) {
		printf("# skip the kernel checks: not root\n");
		return false;
	}
	snprintf(path, sizeof(path), "%s/%s", root, file);
	if (access(path, W_OK) < 0 || (magic && (statfs(root, &st) < 0 || st.f_type != magic))) {
		printf("# skip the kernel checks: no %s\n", path);
		return false;
	}
	if (find_loop(n) < 0) {
		printf("# skip the kernel checks: no loop device on this host\n");
		return false;
	}
	if (!mkdtemp(n->dir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return false;
	}
	snprintf(n->loop, sizeof(n->loop), "%s/loop", n->dir);
	snprintf(n->ctl, sizeof(n->ctl), "%s/loop-control", n->dir);
	return true;
}

#endif
