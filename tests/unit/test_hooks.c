/* Unit tests for lib/oci/hooks.c: hooks parsed, run with the state on
 * their stdin, a failing one named with its status. */
#include "tap.h"
#include "base/msg.h"
#include "oci/hooks.h"

#include <string.h>

static void test_hooks(void)
{
	json_auto_t *h = json_loads("{\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":3}],"
				    "\"createRuntime\":[{\"path\":\"/bin/false\"}]}", 0, NULL);
	struct bk_oci_hooks hooks;

	ok(bk_oci_hooks_parse(h, &hooks) == 0 && hooks.n[BK_HOOK_POSTSTOP] == 1 &&
	   hooks.list[BK_HOOK_POSTSTOP][0].timeout == 3, "hooks parse");
	ok(bk_oci_hooks_run(&hooks, BK_HOOK_POSTSTOP, "{}") == 0, "a hook that exits 0 passes");
	ok(bk_oci_hooks_run(&hooks, BK_HOOK_CREATE_RUNTIME, "{}") < 0 &&
	   !strcmp(bk_error(), "createRuntime hook /bin/false: exited 1"), "a failing one: %s", bk_error());
	bk_oci_hooks_free(&hooks);
}

int main(void)
{
	test_hooks();
	return tap_done();
}
