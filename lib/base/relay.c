/* relay: the command's stdout and stderr, or its terminal, through its
 * supervisor (relay.h). */
#include "base/relay.h"
#include "base/cleanup.h"
#include "base/fdpass.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
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
	*r = (struct bk_relay){ .log_fd = -1, .src = { -1, -1 }, .child_end = { -1, -1 },
				.sock = -1, .master = -1, .in = -1, .term = -1 };
	if (logpath) {
		BK_TRACE("open(\"%s\", O_WRONLY|O_APPEND|O_CREAT)", logpath);
		r->log_fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
		if (r->log_fd < 0)
			return bk_fail_errno(errno, "--log %s", logpath);
	}
	for (int s = 0; s < 2; s++)
		r->sink[s] = (r->log_fd >= 0 && same_file(s + 1, r->log_fd)) ||
			     fcntl(s + 1, F_GETFD) < 0 ? -1 : s + 1;
	return 0;
}

void bk_relay_want_tty(struct bk_relay *r)
{
	r->tty = true;
}

int bk_relay_pipes(struct bk_relay *r)
{
	if (r->tty) {
		int sp[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
			return bk_fail_errno(errno, "socketpair");
		r->sock = sp[0];
		r->child_end[0] = sp[1];
		BK_TRACE("socketpair(AF_UNIX): the pty's master, from inside");
		return 0;
	}
	for (int s = 0; s < 2; s++) {
		int p[2];

		if (pipe2(p, O_CLOEXEC) < 0)
			return bk_fail_errno(errno, "pipe");
		r->src[s] = p[0];
		r->child_end[s] = p[1];
	}
	BK_TRACE("pipe() x2: the command's stdout and stderr, relayed to fd 1, 2%s",
		 r->log_fd >= 0 ? " and the log" : "");
	return 0;
}

int bk_relay_child(struct bk_relay *r)
{
	bk_closep(&r->sock);
	r->sock = -1;
	for (int s = 0; s < 2 && !r->tty; s++) {
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

int bk_relay_child_socket(const struct bk_relay *r)
{
	return r->tty ? r->child_end[0] : -1;
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
	if (r->sock >= 0)
		p[n++] = (struct pollfd){ .fd = r->sock, .events = POLLIN };
	if (r->master >= 0)
		p[n++] = (struct pollfd){ .fd = r->master,
					  .events = POLLIN | (r->npending ? POLLOUT : 0) };
	if (r->in >= 0 && r->master >= 0 && !r->npending)
		p[n++] = (struct pollfd){ .fd = r->in, .events = POLLIN };
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

static void close_fd(int *fd)
{
	bk_closep(fd);
	*fd = -1;
}

static void append_records(struct bk_relay *r, int s, const char *buf, size_t n)
{
	static char out[BK_RELAY_RECORDS_MAX(BK_RELAY_CHUNK)];
	size_t len;

	if (r->log_fd < 0)
		return;
	len = bk_relay_format(s + 1, buf, n, out);
	/* one write a chunk: with O_APPEND, whole next to a tool's message */
	if (bk_write_all(r->log_fd, out, len) < 0 && !r->log_failed) {
		r->log_failed = true;
		bk_warn("log: %s (the output is no longer recorded)", strerror(errno));
	}
}

/* One read of stream s from *src; false at its end (*src closed). */
static bool copy_once(struct bk_relay *r, int s, int *src)
{
	static char buf[BK_RELAY_CHUNK];
	ssize_t n;

	while ((n = read(*src, buf, sizeof(buf))) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		/* a pty's master says EIO once no slave is left open */
		if (n == 0 || errno != EAGAIN)
			close_fd(src);
		return false;
	}
	append_records(r, s, buf, (size_t)n);
	if (r->sink[s] >= 0 && bk_write_all(r->sink[s], buf, (size_t)n) < 0) {
		/* our reader is gone: so is the command's, as with a plain pipe */
		BK_TRACE("write(%d): %s: close(the command's %s)", r->sink[s], strerror(errno),
			 r->tty ? "terminal" : s ? "stderr" : "stdout");
		r->sink[s] = -1;
		close_fd(src);
		return false;
	}
	return true;
}

/* Our terminal, if any of 0, 1, 2 is one: raw while the pty is in use
 * when it is our stdin (the keys go to the pty); else only without its
 * output processing (the pty's own made "\r\n" already). */
static void make_raw(struct bk_relay *r)
{
	struct termios t;

	for (int fd = 0; fd < 3 && r->term < 0; fd++)
		if (isatty(fd))
			r->term = fd;
	if (r->term < 0 || tcgetattr(r->term, &r->saved) < 0)
		return;
	t = r->saved;
	if (r->term == 0 && r->in == 0)
		cfmakeraw(&t);
	else
		t.c_oflag &= ~(tcflag_t)OPOST;
	BK_TRACE("tcsetattr(%d, TCSADRAIN, %s)", r->term, r->term == 0 && r->in == 0 ? "raw" : "-opost");
	if (tcsetattr(r->term, TCSADRAIN, &t) == 0)
		r->raw = true;
}

/* The master arrived (or the child ended before it could send one). */
static void take_master(struct bk_relay *r)
{
	char name[64];

	r->master = bk_fd_recv(r->sock, name, sizeof(name));
	close_fd(&r->sock);
	if (r->master < 0)
		return;
	BK_TRACE("recvmsg(): the pty's master; relaying stdin and the terminal");
	fcntl(r->master, F_SETFL, O_NONBLOCK);
	r->in = fcntl(0, F_GETFD) < 0 ? -1 : 0;
	make_raw(r);
	bk_relay_winch(r);
}

void bk_relay_winch(struct bk_relay *r)
{
	struct winsize ws;

	if (r->master >= 0 && r->term >= 0 && ioctl(r->term, TIOCGWINSZ, &ws) == 0) {
		BK_TRACE("ioctl(master, TIOCSWINSZ, %ux%u)", ws.ws_row, ws.ws_col);
		ioctl(r->master, TIOCSWINSZ, &ws);
	}
}

/* What stdin gave, to the master as far as it takes it now. */
static void feed_master(struct bk_relay *r)
{
	while (r->npending > r->pending_off) {
		ssize_t w = write(r->master, r->pending + r->pending_off,
				  r->npending - r->pending_off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (errno != EAGAIN)
				r->npending = r->pending_off = 0;
			return;
		}
		r->pending_off += (size_t)w;
	}
	r->npending = r->pending_off = 0;
}

/* Our stdin, to the master; at its end the terminal stays open, silent
 * (as a terminal nobody types on: no end-of-file character is made up). */
static void read_stdin(struct bk_relay *r)
{
	ssize_t n;

	while ((n = read(r->in, r->pending, sizeof(r->pending))) < 0 && errno == EINTR)
		;
	r->pending_off = 0;
	if (n <= 0) {
		r->in = -1;
		return;
	}
	r->npending = (size_t)n;
	feed_master(r);
}

void bk_relay_ready(struct bk_relay *r, const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++) {
		short ev = p[i].revents;

		if (!(ev & (POLLIN | POLLOUT | POLLHUP | POLLERR)))
			continue;
		for (int s = 0; s < 2; s++)
			if (r->src[s] >= 0 && r->src[s] == p[i].fd)
				copy_once(r, s, &r->src[s]);
		if (p[i].fd == r->sock && r->sock >= 0)
			take_master(r);
		else if (p[i].fd == r->master && r->master >= 0) {
			if (ev & POLLOUT)
				feed_master(r);
			if (ev & (POLLIN | POLLHUP | POLLERR))
				copy_once(r, 0, &r->master);
		} else if (p[i].fd == r->in && r->in >= 0 && r->master >= 0)
			read_stdin(r);
	}
}

void bk_relay_finish(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		if (r->src[s] < 0)
			continue;
		fcntl(r->src[s], F_SETFL, O_NONBLOCK);
		while (r->src[s] >= 0 && copy_once(r, s, &r->src[s]))
			;
	}
	while (r->master >= 0 && copy_once(r, 0, &r->master))
		;
	bk_relay_close(r);
}

void bk_relay_close(struct bk_relay *r)
{
	for (int s = 0; s < 2; s++) {
		close_fd(&r->src[s]);
		close_fd(&r->child_end[s]);
	}
	close_fd(&r->sock);
	close_fd(&r->master);
	close_fd(&r->log_fd);
	if (r->raw) {
		BK_TRACE("tcsetattr(%d, TCSADRAIN, as it was)", r->term);
		tcsetattr(r->term, TCSADRAIN, &r->saved);
		r->raw = false;
	}
}
