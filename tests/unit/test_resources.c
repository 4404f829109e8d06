/* Unit tests for lib/oci/resources.c: linux.resources as cgroup v1
 * settings (with the warnings of what is ignored), device rules, and
 * values that would name another file or inject a line refused. */
#include "tap.h"
#include "base/msg.h"
#include "oci/resources.h"

#include <stdio.h>
#include <string.h>

static void test_resources(void)
{
	json_auto_t *res = json_loads("{\"memory\":{\"limit\":1048576,\"swap\":-1,\"kernel\":5,\"swappiness\":10},"
				      "\"cpu\":{\"shares\":512,\"quota\":0,\"period\":100000,\"cpus\":\"0\"},"
				      "\"pids\":{\"limit\":0},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4}],"
				      "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":100}]},"
				      "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
				      "\"major\":1,\"minor\":3,\"access\":\"rw\"}]}", 0, NULL);
	struct bk_oci_resources r;
	char all[1024] = "";

	ok(bk_oci_resources_parse(res, "linux.resources", &r) == 0, "resources parse (%s)", bk_error());
	for (size_t i = 0; i < r.n; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s=%s;", r.req[i].name, r.req[i].value);
	is_str(all, "memory.limit_in_bytes=1048576;memory.memsw.limit_in_bytes=-1;memory.swappiness=10;"
		    "cpu.shares=512;cpu.cfs_period_us=100000;cpuset.cpus=0;pids.max=max;"
		    "blkio.throttle.read_bps_device=8:0 100;hugetlb.2MB.limit_in_bytes=4;",
	       "as v1 settings (quota 0 unset, pids 0 unlimited)");
	ok(strstr(r.warnings, "memory.kernel is ignored") != NULL, "kernel memory: a warning");
	ok(r.has_devices && r.dev.n == 2 && r.dev.rule[0].type == 'a' && !r.dev.rule[0].allow &&
	   r.dev.rule[1].major == 1 && r.dev.rule[1].access == (BK_DEV_R | BK_DEV_W), "device rules");
	json_auto_t *bad = json_loads("{\"hugepageLimits\":[{\"pageSize\":\"../../x\",\"limit\":1}]}", 0, NULL);
	ok(bk_oci_resources_parse(bad, "r", &r) < 0 && strstr(bk_error(), "pageSize"),
	   "a page size cannot name another file (%s)", bk_error());
	json_auto_t *bad2 = json_loads("{\"unified\":{\"../cgroup.procs\":\"1\"}}", 0, NULL);
	ok(bk_oci_resources_parse(bad2, "r", &r) < 0 && strstr(bk_error(), "not a cgroup file name"),
	   "unified cannot climb out of the group (%s)", bk_error());
	json_auto_t *bad3 = json_loads("{\"network\":{\"priorities\":[{\"name\":\"eth0\\n2\",\"priority\":1}]}}", 0, NULL);
	ok(bk_oci_resources_parse(bad3, "r", &r) < 0, "an interface name with a newline is refused");
}

int main(void)
{
	test_resources();
	return tap_done();
}
