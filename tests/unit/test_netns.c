/* Unit tests for netns: names and paths (/run/netns/NAME, a path as it
 * is, what is refused). */
#include "tap.h"
#include "base/msg.h"
#include "net/netns.h"

#include <stdlib.h>

static void test_netns_names(void)
{
	char *p = bk_netns_path("ps_1");

	is_str(p, "/run/netns/ps_1", "name -> /run/netns/NAME");
	ok(p && bk_netns_is_named(p), "/run/netns/ps_1 is named");
	free(p);
	p = bk_netns_path("/proc/1/ns/net");
	is_str(p, "/proc/1/ns/net", "a path stays a path");
	ok(p && !bk_netns_is_named(p), "/proc/1/ns/net is not named");
	free(p);
	p = bk_netns_path("..");
	ok(p == NULL, "'..' refused (%s)", bk_error());
	free(p);
	ok(!bk_netns_is_named("/run/netns/"), "/run/netns/ is not a name");
}

int main(void)
{
	test_netns_names();
	return tap_done();
}
