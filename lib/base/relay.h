/* relay: a supervised command's output passed through its supervisor, so
 * that it reaches the caller's stdout and stderr as before and is appended
 * to a log with the stream it came from. The command writes to two pipes;
 * the supervisor copies what it reads to its own fd 1 and 2 and appends
 * one record a line to the log:
 *
 *     1 a line the command wrote to stdout
 *     2 a line it wrote to stderr
 *     1+a chunk without its newline (a prompt; the rest of a long line)
 *
 * Replaying the records in order (the text of "S " with its newline, of
 * "S+" without) gives each stream back byte for byte; any other line in
 * the file is not the command's (a tool writing its error to the log).
 *
 * With a terminal (bk_relay_want_tty) the command has a pty instead: the
 * child opens it inside its root and sends the master over a socket; the
 * relay copies our stdin to the master (until its end: then the terminal
 * stays open, silent) and the master to our stdout (and
 * the log, as stream 1), puts our terminal in raw mode meanwhile (restored
 * at the end), and passes window-size changes on. */
#ifndef BK_RELAY_H
#define BK_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

#define BK_RELAY_CHUNK 16384
/* the most bk_relay_format() writes for n bytes: 3 per line and a newline */
#define BK_RELAY_RECORDS_MAX(n) (4 * (n) + 3)
/* the most pollfd entries bk_relay_pollfds() fills */
#define BK_RELAY_POLLFDS 3

struct bk_relay {
	int log_fd;        /* O_APPEND; -1 when none */
	int src[2];        /* read ends of the stdout and stderr pipes; -1: closed */
	int child_end[2];  /* their write ends (with a tty: [0] is the socket's
	                    * child end), until the child has them */
	int sink[2];       /* where each stream goes: our fd 1 and 2, or -1
	                    * when that fd is the log itself (no copy twice) */
	bool log_failed;   /* warned once; the relay goes on */
	/* with a terminal */
	bool tty;
	int sock;          /* where the master arrives; -1 once it did */
	int master;        /* the pty's master; -1 before, and after its end */
	int in;            /* our stdin, copied to the master; -1 at its end */
	char pending[BK_RELAY_CHUNK];  /* stdin read, not yet taken by the master */
	size_t npending, pending_off;
	int term;          /* our terminal (0, else 1 or 2), -1: none */
	bool raw;          /* term is in raw mode, saved holds its settings */
	struct termios saved;
};

/* The log (opened before any namespace, NULL: none), and no pipes yet. */
int bk_relay_open(struct bk_relay *r, const char *logpath);
/* A pty for the command instead of pipes (before bk_relay_pipes). */
void bk_relay_want_tty(struct bk_relay *r);
/* The two pipes, or the pty's socket pair (close-on-exec), made just
 * before the fork. */
int bk_relay_pipes(struct bk_relay *r);
/* In the child: its stdout and stderr become the pipes' write ends; with a
 * tty it keeps only the socket (bk_relay_child_socket), for bk_pty_send. */
int bk_relay_child(struct bk_relay *r);
int bk_relay_child_socket(const struct bk_relay *r);
/* In the parent, after the fork: the write ends are the child's alone. */
void bk_relay_forked(struct bk_relay *r);
/* pollfd entries for what is open (BK_RELAY_POLLFDS at most); returns
 * how many. */
int bk_relay_pollfds(const struct bk_relay *r, struct pollfd *p);
/* Copy what the entries bk_relay_pollfds() filled have ready. */
void bk_relay_ready(struct bk_relay *r, const struct pollfd *p, int n);
/* SIGWINCH: our terminal's size to the pty. */
void bk_relay_winch(struct bk_relay *r);
/* After the child's end: what the pipes (or the pty) still hold, without
 * waiting for writers that outlived it; then everything closed and our
 * terminal as it was. */
void bk_relay_finish(struct bk_relay *r);
void bk_relay_close(struct bk_relay *r);

/* The records for n bytes of stream (1 or 2) into out, which holds
 * BK_RELAY_RECORDS_MAX(n); returns their length. */
size_t bk_relay_format(int stream, const char *buf, size_t n, char *out);

#endif
