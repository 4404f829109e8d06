/* Unit tests for lib/oci/log.c: --log-format json lines as runc writes
 * them (level, msg, time), through msg's sink. */
#include "tap.h"
#include "base/msg.h"
#include "oci/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_log(void)
{
	char path[] = "/tmp/bk-oci-log-XXXXXX";
	int fd = mkstemp(path);
	char buf[512] = "";

	if (fd < 0)
		return;
	ok(bk_oci_log_open(path, true) == 0, "log opened");
	bk_verbose = 1;
	bk_trace("step \"one\"");
	bk_verbose = 0;
	bk_msg_set_sink(NULL);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	json_auto_t *line = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	ok(line && !strcmp(json_string_value(json_object_get(line, "level")), "debug") &&
	   !strcmp(json_string_value(json_object_get(line, "msg")), "step \"one\"") &&
	   json_object_get(line, "time"), "a trace as runc's JSON line: %s", buf);
	close(fd);
	unlink(path);
}

int main(void)
{
	test_log();
	return tap_done();
}
