/* sync: the create/start handshake (sync.h). */
#include "oci/sync.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

int bk_oci_sync_pair(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
		return bk_fail_errno(errno, "socketpair");
	return 0;
}

int bk_oci_sync_send(int fd, char type, const char *text)
{
	char buf[2048];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%c%s", type, text ? text : "");

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (send(fd, buf, n, MSG_NOSIGNAL) < 0)
		return bk_fail_errno(errno, "sync: send");
	return 0;
}

int bk_oci_sync_recv(int fd, char *type, char *buf, size_t len)
{
	char msg[2048];
	ssize_t n;

	do
		n = recv(fd, msg, sizeof(msg) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return bk_fail_errno(errno, "sync: receive");
	*type = n > 0 ? msg[0] : 0;
	msg[n > 0 ? n : 0] = '\0';
	snprintf(buf, len, "%s", n > 1 ? msg + 1 : "");
	return 0;
}

int bk_oci_sync_expect(int fd, char want)
{
	char type, text[2048];

	if (bk_oci_sync_recv(fd, &type, text, sizeof(text)) < 0)
		return -1;
	if (type == want)
		return 0;
	if (type == BK_SYNC_ERROR)
		return bk_fail("%s", text);
	if (!type)
		return bk_fail("the container's first process exited during setup");
	return bk_fail("sync: unexpected message '%c'", type);
}

int bk_oci_fifo_make(const char *path)
{
	BK_TRACE("mkfifo %s 0600", path);
	if (mkfifo(path, 0600) < 0)
		return bk_fail_errno(errno, "mkfifo %s", path);
	return 0;
}

int bk_oci_fifo_hold(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	BK_TRACE("open(\"%s\", O_RDWR) = %d", path, fd);
	if (fd < 0)
		return bk_fail_errno(errno, "open %s", path);
	return fd;
}

int bk_oci_fifo_wait(int fd)
{
	char c;
	ssize_t n;

	BK_TRACE("read(exec fifo): waiting for start");
	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return bk_fail_errno(n < 0 ? errno : EPIPE, "exec fifo");
	return 0;
}

int bk_oci_fifo_start(const char *path)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

	BK_TRACE("open(\"%s\", O_WRONLY|O_NONBLOCK); unlink; write 1 byte", path);
	if (fd < 0) {
		if (errno == ENXIO)
			return bk_fail("the container's first process is gone");
		if (errno == ENOENT)
			return bk_fail("container was started already");
		return bk_fail_errno(errno, "open %s", path);
	}
	if (unlink(path) < 0)
		return errno == ENOENT ? bk_fail("container was started already")
				       : bk_fail_errno(errno, "unlink %s", path);
	if (write(fd, "s", 1) != 1)
		return bk_fail_errno(errno, "write %s", path);
	/* the child's end closes on exec (or with it): no reader is left,
	 * and a fifo's write end then polls as an error */
	struct pollfd p = { .fd = fd, .events = 0 };
	while (poll(&p, 1, BK_OCI_START_WAIT_MS) < 0 && errno == EINTR)
		;
	return 0;
}
