/* msg: error record and trace output shared by every tool (see msg.h). */
#include "base/msg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *bk_prog = "bockit";
int bk_verbose;

static __thread char errbuf[BK_ERROR_MAX];
static bk_msg_sink_fn sink;

void bk_msg_set_sink(bk_msg_sink_fn fn)
{
	sink = fn;
}

void bk_msg_init(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0)
		bk_prog = slash ? slash + 1 : argv0;
}

static void append(size_t *len, const char *s)
{
	while (*s && *len + 1 < sizeof(errbuf))
		errbuf[(*len)++] = *s++;
	errbuf[*len] = '\0';
}

/* errbuf = fmt... [": " suffix]. suffix must not point into errbuf. */
static void record(const char *fmt, va_list ap, const char *suffix)
{
	int n = vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	size_t len = n < 0 ? 0 : (size_t)n;

	if (len >= sizeof(errbuf))
		return;
	if (suffix) {
		append(&len, ": ");
		append(&len, suffix);
	}
}

int bk_fail(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	record(fmt, ap, NULL);
	va_end(ap);
	errno = saved;
	return -1;
}

int bk_fail_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	record(fmt, ap, strerror(err));
	va_end(ap);
	errno = err;
	return -1;
}

int bk_fail_wrap(const char *fmt, ...)
{
	char old[sizeof(errbuf)];
	va_list ap;
	int saved = errno;

	memcpy(old, errbuf, sizeof(old));
	va_start(ap, fmt);
	record(fmt, ap, old[0] ? old : NULL);
	va_end(ap);
	errno = saved;
	return -1;
}

const char *bk_error(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

void bk_error_save(struct bk_saved_error *s)
{
	memcpy(s->msg, errbuf, sizeof(s->msg));
}

int bk_error_restore(const struct bk_saved_error *s)
{
	memcpy(errbuf, s->msg, sizeof(errbuf));
	return -1;
}

static void vprint_line(enum bk_msg_level level, const char *fmt, va_list ap)
{
	char line[16384];
	int n = snprintf(line, sizeof(line), "%s: ", bk_prog);

	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	int prefix = n;

	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	n = strlen(line);
	/* One line, whatever a hostile registry, image or tar put in a name:
	 * control characters (a newline, a terminal escape) become '?'. */
	for (int i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	if (sink && sink(level, line + prefix))
		return;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return;
}

void bk_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line(BK_MSG_WARN, fmt, ap);
	va_end(ap);
}

void bk_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_line(BK_MSG_ERROR, fmt, ap);
	va_end(ap);
	exit(status);
}

void bk_die_error(int status)
{
	bk_die(status, "%s", bk_error());
}

void bk_trace(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vprint_line(BK_MSG_DEBUG, fmt, ap);
	va_end(ap);
	errno = saved;
}

const char *bk_flags_str(unsigned long flags, const struct bk_flag_name *t,
			 size_t n, char *buf, size_t len)
{
	size_t used = 0;

	snprintf(buf, len, "0");
	for (size_t i = 0; i < n; i++) {
		if (!(flags & t[i].bit))
			continue;
		int w = snprintf(buf + used, len - used, "%s%s", used ? "|" : "", t[i].name);
		if (w < 0 || (size_t)w >= len - used) {
			/* drop the name that did not fit whole */
			if (used)
				buf[used] = '\0';
			else
				snprintf(buf, len, "0");
			break;
		}
		used += w;
	}
	return buf;
}
