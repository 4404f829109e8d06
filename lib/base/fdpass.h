/* fdpass: one file descriptor over an AF_UNIX socket (SCM_RIGHTS) with a
 * short text beside it, as runc's console socket carries a pty master and
 * its slave's name; nsrun --tty's child sends its master to the
 * supervisor the same way. */
#ifndef BK_FDPASS_H
#define BK_FDPASS_H

#include <stddef.h>

/* sendmsg(sock, text, fd); -1 with errno set, nothing recorded (the
 * caller says what was being sent). */
int bk_fd_send(int sock, int fd, const char *text);
/* The fd of one such message (close-on-exec), its text NUL-terminated in
 * text (len > 0); -1 at the peer's end, on error or when the message
 * holds no fd. */
int bk_fd_recv(int sock, char *text, size_t len);

#endif
