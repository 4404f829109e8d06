/* relay: the command's stdout and stderr through its supervisor (relay.h). */
#include "base/relay.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int bk_relay_open(struct bk_relay *r, const char *logpath)
{
	*r = (struct bk_relay){ .log_fd = -1, .src = { -1, -1 }, .child_end = { -1, -1 } };
	BK_TRACE("open(\"%s\", O_WRONLY|O_APPEND|O_CREAT)", logpath);
	r->log_fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (r->log_fd < 0)
		return bk_fail_errno(errno, "--log %s", logpath);
	for (int s = 0; s < 2; s++)
		r->sink[s] = same_file(s + 1, r->log_fd) || fcntl(s + 1, F_GETFD) < 0 ? -1 : s + 1;
	return 0;
}

int bk_relay_pipes(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return bk_fail_errno(errno, "pipe");
		r->src[s] = p[0];
		r->child_end[s] = p[1];
	}
	BK_TRACE("pipe() x2: the command's stdout and stderr, relayed to fd 1, 2 and the log");
	return 0;
}

int bk_relay_child(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		if (dup2(r->child_end[s], s + 1) < 0)
			return bk_fail_errno(errno, "dup2");
		bk_closep(&r->child_end[s]);
		bk_closep(&r->src[s]);
		r->child_end[s] = r->src[s] = -1;
	}
	bk_closep(&r->log_fd);
	r->log_fd = -1;
	return 0;
}

void bk_relay_forked(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		bk_closep(&r->child_end[s]);
		r->child_end[s] = -1;
	}
}

int bk_relay_pollfds(const struct bk_relay *r, struct pollfd *p)
{
	int n = 0;

	for (int s = 0; s < 2; s++)
		if (r->src[s] >= 0)
			p[n++] = (struct pollfd){ .fd = r->src[s], .events = POLLIN };
	return n;
}

size_t bk_relay_format(int stream, const char *buf, size_t n, char *out)
{
	size_t o = 0;

	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) + 1 : n;

		out[o++] = (char)('0' + stream);
		out[o++] = nl ? ' ' : '+';
		memcpy(out + o, buf, len);
		o += len;
		if (!nl)
			out[o++] = '\n';
		buf += len;
		n -= len;
	}
	return o;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void close_stream(struct bk_relay *r, int s)
{
	bk_closep(&r->src[s]);
	r->src[s] = -1;
}

static void append_records(struct bk_relay *r, int s, const char *buf, size_t n)
{
	static char out[BK_RELAY_RECORDS_MAX(BK_RELAY_CHUNK)];
	size_t len = bk_relay_format(s + 1, buf, n, out);

	/* one write a chunk: with O_APPEND, whole next to a tool's message */
	if (write_all(r->log_fd, out, len) < 0 && !r->log_failed) {
		r->log_failed = true;
		bk_warn("log: %s (the output is no longer recorded)", strerror(errno));
	}
}

/* One read of stream s; false at its end. */
static bool copy_once(struct bk_relay *r, int s)
{
	static char buf[BK_RELAY_CHUNK];
	ssize_t n;

	while ((n = read(r->src[s], buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		if (n == 0 || errno != EAGAIN)
			close_stream(r, s);
		return false;
	}
	append_records(r, s, buf, (size_t)n);
	if (r->sink[s] >= 0 && write_all(r->sink[s], buf, (size_t)n) < 0) {
		/* our reader is gone: so is the command's, as with a plain pipe */
		BK_TRACE("write(%d): %s: close(the command's %s)", r->sink[s], strerror(errno),
			 s ? "stderr" : "stdout");
		r->sink[s] = -1;
		close_stream(r, s);
		return false;
	}
	return true;
}

void bk_relay_ready(struct bk_relay *r, const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++) {
		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		for (int s = 0; s < 2; s++)
			if (r->src[s] >= 0 && r->src[s] == p[i].fd)
				copy_once(r, s);
	}
}

void bk_relay_finish(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		if (r->src[s] < 0)
			continue;
		fcntl(r->src[s], F_SETFL, O_NONBLOCK);
		while (r->src[s] >= 0 && copy_once(r, s))
			;
	}
	bk_relay_close(r);
}

void bk_relay_close(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		bk_closep(&r->src[s]);
		bk_closep(&r->child_end[s]);
		r->src[s] = r->child_end[s] = -1;
	}
	bk_closep(&r->log_fd);
	r->log_fd = -1;
}
