/* Unit tests for lib/oci/mounts.c: an OCI mount's options as flags,
 * data and propagation, and an option that would smuggle more refused. */
#include "tap.h"
#include "base/msg.h"
#include "oci/mounts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

static const char bundle[] = "/tmp/bk-oci-unit-bundle";

static void test_mount_options(void)
{
	json_auto_t *m = json_loads("{\"destination\":\"/d\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
				    "\"options\":[\"ro\",\"rw\",\"nosuid\",\"strictatime\",\"mode=755\",\"size=1k\","
				    "\"rshared\"]}", 0, NULL);
	json_auto_t *comma = json_loads("{\"destination\":\"/d\",\"type\":\"tmpfs\",\"options\":[\"mode=1,uid=0\"]}",
					0, NULL);
	struct bk_mountreq r;
	char *data, *src;

	ok(bk_oci_mount_parse(m, 0, bundle, &r, &data, &src) == 0 && r.flags == (MS_NOSUID | MS_STRICTATIME) &&
	   data && !strcmp(data, "mode=755,size=1k") && r.propagation == (MS_SHARED | MS_REC),
	   "ro then rw, flags, data, propagation (%s)", data ? data : "");
	free(data);
	free(src);
	ok(bk_oci_mount_parse(comma, 0, bundle, &r, &data, &src) < 0 && strstr(bk_error(), "comma"),
	   "an option holding a comma cannot smuggle more (%s)", bk_error());
	ok(bk_oci_mount_option_name(0) && !bk_oci_mount_option_name(1000), "the option names list ends");
}

int main(void)
{
	test_mount_options();
	return tap_done();
}
