/* Unit tests for path: the lexical join that cannot climb out of its
 * base, names, and DIR/NAME into a PATH_MAX buffer. */
#include "tap.h"
#include "base/msg.h"
#include "base/path.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static void check_join(const char *base, const char *rel, const char *want)
{
	char *got = bk_path_join(base, rel);
	is_str(got, want, "join('%s', '%s')", base, rel);
	free(got);
}

static void test_path(void)
{
	check_join("/a", "b", "/a/b");
	check_join("/a/", "/b/c/", "/a/b/c");
	check_join("/a", "b/../c", "/a/c");
	check_join("/a", "./b/./c", "/a/b/c");
	check_join("/a", "", "/a");
	check_join("/a", "b/..", "/a");
	check_join("/a", "..", NULL);
	check_join("/a", "b/../../etc", NULL);
	check_join("/a", "/../etc/passwd", NULL);
	check_join("/", "x", "/x");
	ok(bk_valid_name("ps_12ab", 64), "valid name");
	ok(!bk_valid_name("../x", 64), "'../x' is not a name");
	ok(!bk_valid_name("a/b", 64), "'a/b' is not a name");
	ok(!bk_valid_name("-rf", 64), "'-rf' is not a name");
	ok(!bk_valid_name("", 64), "empty is not a name");
	ok(!bk_valid_name("abcdef", 5), "too long is not a name");
	ok(!bk_valid_name("a;b", 64), "'a;b' is not a name");
}

static void test_path_in(void)
{
	char buf[PATH_MAX], *dir = malloc(PATH_MAX);

	ok(bk_path_in(buf, "/sys/fs/cgroup/x", "cgroup.procs") == 0 &&
	   !strcmp(buf, "/sys/fs/cgroup/x/cgroup.procs"), "path_in: DIR/NAME");
	memset(dir, 'a', PATH_MAX - 6);
	dir[0] = '/';
	dir[PATH_MAX - 6] = '\0';
	ok(bk_path_in(buf, dir, "tasks") == -1 && strstr(bk_error(), "/tasks: path too long"),
	   "path_in: one byte over PATH_MAX is refused, not cut");
	ok(bk_path_in(buf, dir, "task") == 0 && strlen(buf) == PATH_MAX - 1, "path_in: PATH_MAX - 1 fits");
	free(dir);
}

int main(void)
{
	test_path();
	test_path_in();
	return tap_done();
}
