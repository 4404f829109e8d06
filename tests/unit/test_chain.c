/* Unit tests for chain: exec of the chained command and the exit codes
 * of wait statuses. */
#include "tap.h"
#include "base/chain.h"
#include "base/msg.h"

static void test_chain(void)
{
	char *nope[] = { "/nonexistent/bockit-none", NULL };
	char *noexec[] = { "/etc/passwd", NULL };

	ok(bk_exit_code(0) == 0, "exit 0");
	ok(bk_exit_code(3 << 8) == 3, "exit 3");
	ok(bk_exit_code(9) == 137, "SIGKILL -> 137");
	ok(bk_exec_command(nope) == 127, "missing command -> 127 (%s)", bk_error());
	ok(bk_exec_command(noexec) == 126, "not executable -> 126 (%s)", bk_error());
}

int main(void)
{
	test_chain();
	return tap_done();
}
