/* Unit tests for lib/oci/ctl.c: kill's signals as names (any case, with
 * or without SIG, RTMIN+N) and numbers, out-of-range ones refused. */
#include "tap.h"
#include "base/msg.h"
#include "oci/ctl.h"

#include <signal.h>

static void test_signals(void)
{
	int sig = 0;

	ok(bk_oci_signal_parse("KILL", &sig) == 0 && sig == SIGKILL, "KILL");
	ok(bk_oci_signal_parse("sigterm", &sig) == 0 && sig == SIGTERM, "sigterm");
	ok(bk_oci_signal_parse("10", &sig) == 0 && sig == 10, "10");
	ok(bk_oci_signal_parse("RTMIN+2", &sig) == 0 && sig == SIGRTMIN + 2, "RTMIN+2");
	ok(bk_oci_signal_parse("0", &sig) < 0 && bk_oci_signal_parse("65", &sig) < 0 &&
	   bk_oci_signal_parse("NOPE", &sig) < 0 && bk_oci_signal_parse("RTMAX+1", &sig) < 0,
	   "0, 65, NOPE, RTMAX+1 refused");
}

int main(void)
{
	test_signals();
	return tap_done();
}
