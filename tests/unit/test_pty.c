/* Unit tests for lib/ns/pty.c on the host's devpts: a pair opened, its
 * size set, the master received through a socket as an engine (conmon,
 * containerd's shim) receives it, and a child that takes the slave as
 * its controlling terminal writing through it. */
#include "tap.h"
#include "base/fdpass.h"
#include "base/msg.h"
#include "ns/pty.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	char name[64], got[64], buf[64] = "";
	struct winsize ws;
	int sv[2], master, received, status;
	pid_t pid;

	master = bk_pty_open(name, sizeof(name));
	ok(master >= 0 && !strncmp(name, "/dev/pts/", 9), "a pair from /dev/ptmx (%s)", name);
	ok(bk_pty_set_size(master, 31, 97) == 0 && ioctl(master, TIOCGWINSZ, &ws) == 0 &&
	   ws.ws_row == 31 && ws.ws_col == 97, "consoleSize 31x97 set");
	ok(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0 && bk_pty_send(sv[0], master, name) == 0,
	   "master sent over a socket");
	received = bk_fd_recv(sv[1], got, sizeof(got));
	ok(received >= 0 && !strcmp(got, name), "the other end gets the fd and the slave's name (%s)", got);
	pid = fork();
	if (pid == 0) {
		close(master);
		close(received);
		if (bk_pty_become_ctty(name) < 0)
			_exit(1);
		_exit(write(1, "hi", 2) == 2 && isatty(0) && tcgetpgrp(0) == getpid() ? 0 : 2);
	}
	ok(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "a child makes the slave its controlling terminal and stdio");
	ok(read(received, buf, sizeof(buf) - 1) == 2 && !strncmp(buf, "hi", 2),
	   "what it writes arrives on the received master");
	ok(bk_console_socket_connect("/nonexistent/console.sock") < 0 && strstr(bk_error(), "No such file"),
	   "a missing console socket fails (%s)", bk_error());
	close(master);
	close(received);
	close(sv[0]);
	close(sv[1]);
	return tap_done();
}
