/* procself: fds, dumpability and the /proc view of this process (procself.h). */
#include "ns/procself.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int bk_fds_check_open(unsigned n)
{
	for (unsigned fd = 3; fd < 3 + n; fd++)
		if (fcntl((int)fd, F_GETFD) < 0)
			return bk_fail("--preserve-fds %u: fd %u is not open", n, fd);
	return 0;
}

int bk_fds_cloexec_from(unsigned first)
{
	BK_TRACE("close_range(%u, ~0U, CLOSE_RANGE_CLOEXEC)", first);
	if (close_range(first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return bk_fail_errno(errno, "close_range(%u, CLOEXEC)", first);
	return 0;
}

int bk_fds_close_from(unsigned first)
{
	BK_TRACE("close_range(%u, ~0U, 0)", first);
	if (close_range(first, ~0U, 0) < 0)
		return bk_fail_errno(errno, "close_range(%u)", first);
	return 0;
}

int bk_set_undumpable(void)
{
	BK_TRACE("prctl(PR_SET_DUMPABLE, 0)");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return bk_fail_errno(errno, "prctl(PR_SET_DUMPABLE)");
	return 0;
}

/* The areas /proc/self/cmdline and /proc/self/environ read: fields 48-51
 * of /proc/self/stat (arg_start, arg_end, env_start, env_end). */
static int proc_areas(unsigned long a[4])
{
	_cleanup_free_ char *stat = bk_read_small("/proc/self/stat", 4096);
	char *p = stat ? strrchr(stat, ')') : NULL;
	int field = 2;

	if (!p)
		return stat ? bk_fail("/proc/self/stat: unexpected format") : -1;
	for (char *save = NULL, *tok = strtok_r(p + 1, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (field >= 48 && field <= 51)
			a[field - 48] = strtoul(tok, NULL, 10);
	}
	if (field < 51 || a[0] >= a[1] || a[2] > a[3])
		return bk_fail("/proc/self/stat: no argument and environment areas");
	return 0;
}

/* strv as NUL-separated strings, as many whole ones as fit in len, then
 * NULs: the new content of one area (built apart, since the strings may
 * live in the very area being rewritten). */
static char *pack(char *const strv[], size_t len)
{
	char *buf = calloc(1, len);
	size_t used = 0;

	if (!buf)
		return NULL;
	for (size_t i = 0; strv && strv[i]; i++) {
		size_t n = strlen(strv[i]) + 1;
		if (used + n > len)
			break;
		memcpy(buf + used, strv[i], n);
		used += n;
	}
	return buf;
}

int bk_proc_retitle(char *const argv[], char *const envp[])
{
	unsigned long a[4];

	if (proc_areas(a) < 0)
		return -1;
	/* Both are packed before either is written: envp's strings may live
	 * in the argument area (putenv of an argv word). */
	_cleanup_free_ char *args = pack(argv, a[1] - a[0]);
	_cleanup_free_ char *env = pack(envp, a[3] - a[2]);
	if (!args || !env)
		return bk_fail_errno(ENOMEM, "retitle");
	BK_TRACE("rewrite /proc/self/cmdline (%lu bytes) and environ (%lu bytes) in place",
		 a[1] - a[0], a[3] - a[2]);
	memcpy((char *)a[0], args, a[1] - a[0]);
	memcpy((char *)a[2], env, a[3] - a[2]);
	return 0;
}

int bk_proc_retitle_init(char *const command[])
{
	size_t n = 0;

	while (command[n])
		n++;
	_cleanup_free_ char **title = calloc(n + 3, sizeof(*title));
	if (!title)
		return bk_fail_errno(ENOMEM, "retitle");
	title[0] = "init";
	title[1] = "--";
	memcpy(title + 2, command, n * sizeof(*title));
	return bk_proc_retitle(title, environ);
}
