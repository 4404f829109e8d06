/* Unit tests for manifest: the platform an index gives, and a config's
 * diff_ids. */
#include "tap.h"
#include "base/msg.h"
#include "image/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	const char *d64 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char buf[256];
	struct bk_desc d;
	char **ids = NULL;
	size_t n = 0;
	int rc;

	static const char index[] =
		"{\"manifests\":["
		"{\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
		"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
		"{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
		"\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";
	rc = bk_index_pick(index, sizeof(index) - 1, "linux/arm/v7", &d);
	ok(rc == 0 && d.size == 2, "index: linux/arm/v7 picked");
	bk_desc_free(&d);
	rc = bk_index_pick(index, sizeof(index) - 1, "linux/amd64", &d);
	ok(rc == 0 && d.size == 1, "index: linux/amd64 picked");
	bk_desc_free(&d);
	rc = bk_index_pick(index, sizeof(index) - 1, "linux/arm/v6", &d);
	ok(rc < 0, "index: no arm/v6");

	snprintf(buf, sizeof(buf), "{\"rootfs\":{\"diff_ids\":[\"%s\"]}}", d64);
	rc = bk_config_diffids(buf, strlen(buf), &ids, &n);
	ok(rc == 0 && n == 1, "config diff_ids");
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
	rc = bk_config_diffids("{\"rootfs\":{\"diff_ids\":[\"md5:x\"]}}", 34, &ids, &n);
	ok(rc < 0, "bad diff_id refused");
	/* The message names the bad diff_id: it used to be read after the
	 * JSON holding it was freed (a use-after-free under ASan). */
	snprintf(buf, sizeof(buf), "{\"rootfs\":{\"diff_ids\":[\"%s\",\"sha256:../../../x\"]}}", d64);
	rc = bk_config_diffids(buf, strlen(buf), &ids, &n);
	ok(rc < 0, "diff_id 'sha256:../../../x' refused");
	is_str(bk_error(), "image config: bad diff_id 'sha256:../../../x'", "its message is whole");
	return tap_done();
}
