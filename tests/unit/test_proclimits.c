/* Unit tests for lib/ns/proclimits.c (rlimits by name, oom_score_adj,
 * umask) and the supplementary groups of lib/ns/procenv.c: in forked
 * children, read back from the kernel. */
#include "tap.h"
#include "base/msg.h"
#include "ns/procenv.h"
#include "ns/proclimits.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int child_code(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

static int lower_nofile(void)
{
	struct rlimit rl;

	if (bk_rlimit_set(RLIMIT_NOFILE, 100, 200) < 0 || getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1;
	return rl.rlim_cur == 100 && rl.rlim_max == 200 ? 0 : 2;
}

static int raise_oom(void)
{
	FILE *f;
	int v = 0;

	if (bk_oom_score_adj_set(500) < 0 || !(f = fopen("/proc/self/oom_score_adj", "re")))
		return 1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v == 500 ? 0 : 2;
}

static int set_groups(void)
{
	static const gid_t want[] = { 5, 27, 100 };
	gid_t got[8];
	int n;

	if (bk_set_ids_groups(1000, 1000, want, 3) < 0)
		return 1;
	n = getgroups(8, got);
	return n == 3 && got[0] == 5 && got[1] == 27 && got[2] == 100 && getgid() == 1000 ? 0 : 2;
}

static void test_names(void)
{
	int r = -1;

	ok(bk_rlimit_by_name("RLIMIT_NOFILE", &r) == 0 && r == RLIMIT_NOFILE, "RLIMIT_NOFILE by name");
	ok(bk_rlimit_by_name("nproc", &r) == 0 && r == RLIMIT_NPROC, "nproc, no prefix, lower case");
	ok(bk_rlimit_by_name("RLIMIT_TEST", &r) < 0 && !strcmp(bk_error(), "unknown resource limit 'RLIMIT_TEST'"),
	   "an unknown name is refused (%s)", bk_error());
	ok(bk_oom_score_adj_set(1001) < 0 && strstr(bk_error(), "out of range"), "oom_score_adj 1001 refused");
}

int main(void)
{
	mode_t old;

	test_names();
	ok(child_code(lower_nofile) == 0, "setrlimit NOFILE 100:200 read back");
	ok(child_code(raise_oom) == 0, "oom_score_adj 500 read back");
	bk_umask_set(027);
	old = umask(022);
	ok(old == 027, "umask 027 set (%03o)", (unsigned)old);
	if (geteuid() == 0)
		ok(child_code(set_groups) == 0, "uid/gid 1000 with groups 5 27 100 read back");
	return tap_done();
}
