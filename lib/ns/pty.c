/* pty: the terminal of a container process (pty.h). */
#include "ns/pty.h"
#include "base/cleanup.h"
#include "base/fdpass.h"
#include "base/msg.h"
#include "ns/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int bk_console_socket_connect(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path))
		return bk_fail("console socket %s: path too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return bk_fail_errno(errno, "console socket %s", path);
	BK_TRACE("connect(socket(AF_UNIX), \"%s\")", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int err = errno;
		close(fd);
		return bk_fail_errno(err, "console socket %s", path);
	}
	return fd;
}

int bk_pty_open(char *name, size_t len)
{
	int fd;

	BK_TRACE("open(\"/dev/ptmx\", O_RDWR|O_NOCTTY); ioctl(TIOCSPTLCK, 0)");
	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return bk_fail_errno(errno, "open /dev/ptmx");
	if (unlockpt(fd) < 0 || ptsname_r(fd, name, len) != 0) {
		int err = errno;
		close(fd);
		return bk_fail_errno(err, "pty");
	}
	return fd;
}

int bk_pty_set_size(int fd, unsigned rows, unsigned cols)
{
	struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };

	if (!rows && !cols)
		return 0;
	BK_TRACE("ioctl(TIOCSWINSZ, %ux%u)", rows, cols);
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return bk_fail_errno(errno, "terminal size %ux%u", rows, cols);
	return 0;
}

int bk_pty_send(int sock, int master, const char *name)
{
	BK_TRACE("sendmsg(console socket, \"%s\", SCM_RIGHTS pty master)", name);
	if (bk_fd_send(sock, master, name) < 0)
		return bk_fail_errno(errno, "send the terminal to the console socket");
	return 0;
}

int bk_pty_become_ctty(const char *name)
{
	BK_TRACE("open(\"%s\")", name);
	_cleanup_close_ int fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return bk_fail_errno(errno, "open %s", name);
	return bk_pty_take_ctty(fd);
}

int bk_pty_take_ctty(int fd)
{
	BK_TRACE("setsid(); ioctl(TIOCSCTTY); dup2 onto 0 1 2");
	if (setsid() < 0)
		return bk_fail_errno(errno, "setsid");
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return bk_fail_errno(errno, "make the terminal the controlling one");
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return bk_fail_errno(errno, "dup2 the terminal onto %d", i);
	return 0;
}

int bk_pty_bind_console(const char *name)
{
	_cleanup_close_ int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC, 0600);

	if (fd < 0)
		return bk_fail_errno(errno, "/dev/console");
	return bk_mount(name, "/dev/console", NULL, MS_BIND, NULL);
}
