/* log: runc-format log lines (log.h). */
#include "oci/log.h"
#include "base/msg.h"
#include "oci/state.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int log_fd = -1;
static bool log_json;

static const char *const level_names[] = {
	[BK_MSG_ERROR] = "error", [BK_MSG_WARN] = "warning", [BK_MSG_DEBUG] = "debug",
};

/* msg with '"', '\\' and control characters escaped, as logrus quotes. */
static void quote(const char *msg, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = msg; *p && o + 3 < len; p++) {
		if (*p == '"' || *p == '\\') {
			out[o++] = '\\';
			out[o++] = *p;
		} else if ((unsigned char)*p < 0x20) {
			out[o++] = '\\';
			out[o++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : '?';
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static bool sink(enum bk_msg_level level, const char *msg)
{
	char now[40], line[16800];
	char *text = NULL;
	int n;

	bk_oci_now_rfc3339(now, sizeof(now));
	if (log_json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "level", level_names[level], "msg", msg, "time", now);
		text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		n = text ? snprintf(line, sizeof(line), "%s\n", text) : -1;
		free(text);
	} else {
		char q[16384];
		quote(msg, q, sizeof(q));
		n = snprintf(line, sizeof(line), "time=\"%s\" level=%s msg=\"%s\"\n", now, level_names[level], q);
	}
	if (n > 0 && (size_t)n < sizeof(line) && write(log_fd, line, (size_t)n) < 0)
		return false;
	return level == BK_MSG_DEBUG;
}

int bk_oci_log_open(const char *path, bool json)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return bk_fail_errno(errno, "--log %s", path);
	log_fd = fd;
	log_json = json;
	bk_msg_set_sink(sink);
	return 0;
}
