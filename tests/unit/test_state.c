/* Unit tests for lib/oci/state.c: container ids, the claim of a state
 * directory, the record's round trip, a recycled PID told apart by its
 * start time and namespace, and runc's state JSON. */
#include "tap.h"
#include "base/msg.h"
#include "oci/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_state(void)
{
	char root[] = "/tmp/bk-oci-state-XXXXXX";
	struct bk_oci_state s, t;
	char *text;

	ok(!bk_oci_valid_id("..") && !bk_oci_valid_id("a/b") && !bk_oci_valid_id("-x") && !bk_oci_valid_id("") &&
	   bk_oci_valid_id("2ef1-ab_c.d+e"), "container ids: no path, no option, no empty");
	if (!mkdtemp(root))
		return;
	ok(bk_oci_state_claim(root, "../escape", &s) < 0, "an id with a path is refused before any mkdir");
	ok(bk_oci_state_claim(root, "c1", &s) == 0 && bk_oci_state_claim(root, "c1", &t) < 0 &&
	   strstr(bk_error(), "exists"), "an id is claimed once");
	s.pid = 1;
	bk_oci_state_fingerprint(&s);
	snprintf(s.bundle, sizeof(s.bundle), "/b");
	snprintf(s.rootfs, sizeof(s.rootfs), "/b/rootfs");
	bk_oci_now_rfc3339(s.created, sizeof(s.created));
	snprintf(s.cgroup, sizeof(s.cgroup), "/ocirun-c1");
	s.nctrls = 1;
	snprintf(s.ctrls[0].name, sizeof(s.ctrls[0].name), "memory");
	snprintf(s.ctrls[0].mount, sizeof(s.ctrls[0].mount), "/sys/fs/cgroup/memory");
	s.annotations = json_pack("{s:s}", "k", "v");
	ok(bk_oci_state_save(&s) == 0 && bk_oci_state_load(root, "c1", &t) == 0 && t.pid == 1 &&
	   t.start_time == s.start_time && !strcmp(t.ctrls[0].mount, s.ctrls[0].mount) &&
	   json_equal(t.annotations, s.annotations), "the record round-trips");
	ok(bk_oci_state_alive(&t) && bk_oci_state_status(&t, false) == BK_OCI_RUNNING, "pid 1 with its start time: running");
	t.start_time++;
	ok(!bk_oci_state_alive(&t) && bk_oci_state_status(&t, false) == BK_OCI_STOPPED,
	   "another start time (a recycled pid): stopped");
	t.start_time--;
	t.mntns++;
	ok(!bk_oci_state_alive(&t), "the same start tick in another mount namespace: not it");
	text = bk_oci_state_json(&s, BK_OCI_CREATED, true);
	json_auto_t *j = text ? json_loads(text, 0, NULL) : NULL;
	ok(j && !strcmp(json_string_value(json_object_get(j, "status")), "created") &&
	   json_integer_value(json_object_get(j, "pid")) == 1 && json_object_get(j, "owner") &&
	   json_object_get(j, "annotations"), "runc's state JSON");
	free(text);
	bk_oci_state_free(&t);
	ok(bk_oci_state_load(root, "c2", &t) < 0 && strstr(bk_error(), "does not exist"), "a missing one");
	ok(bk_oci_state_remove(&s) == 0 && rmdir(root) == 0, "removed whole");
	bk_oci_state_free(&s);
}

int main(void)
{
	test_state();
	return tap_done();
}
