/* pty: a container's terminal (an OCI process with terminal: true). A
 * pseudo-terminal pair from the container's own devpts (its /dev/ptmx,
 * after the mounts); the master goes to the engine over its console
 * socket (SCM_RIGHTS, with the slave's name as the message, as runc
 * sends it); the slave becomes the controlling terminal and stdin,
 * stdout and stderr, and is bound on /dev/console. */
#ifndef BK_PTY_H
#define BK_PTY_H

#include <stddef.h>

/* connect(2) to the AF_UNIX stream socket at path; the fd or -1. */
int bk_console_socket_connect(const char *path);

/* /dev/ptmx opened and unlocked: the master fd, the slave's path in name. */
int bk_pty_open(char *name, size_t len);
/* TIOCSWINSZ (an OCI process's consoleSize); 0x0 leaves it as it is. */
int bk_pty_set_size(int fd, unsigned rows, unsigned cols);
/* sendmsg(sock, name, SCM_RIGHTS master). */
int bk_pty_send(int sock, int master, const char *name);
/* setsid(); open the slave; TIOCSCTTY; dup2 onto 0, 1 and 2. */
int bk_pty_become_ctty(const char *name);
/* An empty /dev/console with the slave bound on it. */
int bk_pty_bind_console(const char *name);

#endif
