/* sync: the create/start handshake. `create` and the container's first
 * process talk over a socket pair (SOCK_SEQPACKET: one message a send):
 * the parent says go once the id maps are written, the child asks for the
 * runtime's hooks where the spec puts them and waits until they ran, then
 * says ready, or sends its one error line instead. Start is a fifo in the
 * state directory that the child holds open read-write (so its read
 * blocks until a byte comes): `start` opens it without blocking (no
 * reader: the container is gone), unlinks it (once: a second start finds
 * nothing) and writes the byte; the child's read returns and it execs,
 * which closes its end: start returns then (or after a second), so the
 * process runs when start is done. */
#ifndef BK_OCI_SYNC_H
#define BK_OCI_SYNC_H

#include <stddef.h>

enum {
	BK_SYNC_GO = 'g',        /* parent: carry on */
	BK_SYNC_HOOKS = 'h',     /* child: run prestart and createRuntime now */
	BK_SYNC_READY = 'r',     /* child: set up, waiting on the fifo */
	BK_SYNC_ERROR = 'e',     /* child: failed; the text follows */
	BK_SYNC_PID = 'p',       /* a helper: the PID of the process it cloned */
};

int bk_oci_sync_pair(int fds[2]);
int bk_oci_sync_send(int fd, char type, const char *text);
/* The next message's type (0 when the other end closed), its text in buf. */
int bk_oci_sync_recv(int fd, char *type, char *buf, size_t len);
/* Receive and fail unless it is want; an error message becomes the
 * recorded error. */
int bk_oci_sync_expect(int fd, char want);

int bk_oci_fifo_make(const char *path);
/* For the child: the fifo open read-write. */
int bk_oci_fifo_hold(const char *path);
/* The child: block until start's byte. */
int bk_oci_fifo_wait(int fd);
#define BK_OCI_START_WAIT_MS 1000
/* start: the byte, the fifo gone, and the child's exec waited for. */
int bk_oci_fifo_start(const char *path);

#endif
