/* Unit tests for fsutil: bk_rm_rf names the entry it could not remove
 * (the first one), and the undo form keeps the error that was recorded
 * before it (the cause) whether or not the removal works. */
#include "tap.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[] = "/tmp/bockit-test-fsutil.XXXXXX";

static void touch(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f)
		fclose(f);
}

static void test_rm_rf(void)
{
	char dir[256], file[300];

	snprintf(dir, sizeof(dir), "%s/tree/sub", top);
	snprintf(file, sizeof(file), "%s/f", dir);
	ok(bk_mkdir_p(dir, 0755) == 0, "mkdir -p");
	touch(file);
	snprintf(dir, sizeof(dir), "%s/tree", top);
	ok(bk_rm_rf(dir) == 0 && access(dir, F_OK) < 0, "a tree is removed");
	ok(bk_rm_rf(dir) == 0, "a missing path is not an error");
}

static void test_first_error(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s/missing", top);
	bk_fail("the cause");
	bk_undo_rm_rf(dir);
	is_str(bk_error(), "the cause", "undo of a missing path keeps the cause");

	/* procfs entries cannot be unlinked, even by root */
	bk_fail("first");
	ok(bk_rm_rf("/proc/self/fd/0") < 0, "an unremovable entry fails");
	ok(strstr(bk_error(), "remove /proc/self/fd/0") != NULL, "the message names it: %s",
	   bk_error());
	bk_fail("the cause");
	bk_undo_rm_rf("/proc/self/fd/0");
	is_str(bk_error(), "the cause", "undo that fails keeps the cause");
}

int main(void)
{
	if (!mkdtemp(top)) {
		perror("mkdtemp");
		return 1;
	}
	test_rm_rf();
	test_first_error();
	if (bk_rm_rf(top) < 0)
		return 1;
	return tap_done();
}
