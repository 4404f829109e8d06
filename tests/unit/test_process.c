/* Unit tests for lib/oci/process.c: the process object of an exec
 * --process file, and exec's inline form (args, env, user) applied to a
 * copy of the config's process. */
#include "tap.h"
#include "base/msg.h"
#include "oci/process.h"

#include <string.h>

static void test_process(void)
{
	json_auto_t *p = json_loads("{\"args\":[\"ls\",\"-l\"],\"env\":[\"A=1\",\"B=2\"],\"cwd\":\"/tmp\","
				    "\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80}}", 0, NULL);
	struct bk_oci_process a, b;
	char *argv[] = { "id", "-u", NULL };

	ok(bk_oci_process_parse(p, "process", &a) == 0 && a.terminal && a.rows == 24 && a.cols == 80,
	   "an exec --process file with a terminal size");
	ok(bk_oci_process_copy(&a, &b) == 0 && bk_oci_process_set_args(&b, argv) == 0 &&
	   bk_oci_process_set_env(&b, "B=3") == 0 && bk_oci_process_set_env(&b, "C=4") == 0 &&
	   bk_oci_process_set_user(&b, "1000:1001") == 0, "inline exec: args, env, user over a copy");
	ok(!strcmp(b.args[0], "id") && !strcmp(b.env[1], "B=3") && !strcmp(b.env[2], "C=4") && !b.env[3] &&
	   b.uid == 1000 && b.gid == 1001 && !strcmp(a.env[1], "B=2"), "  the copy changed, the original not");
	ok(bk_oci_process_set_user(&b, "root") < 0 && bk_oci_process_set_env(&b, "=x") < 0,
	   "--user root and --env =x refused");
	bk_oci_process_free(&a);
	bk_oci_process_free(&b);
}

int main(void)
{
	test_process();
	return tap_done();
}
