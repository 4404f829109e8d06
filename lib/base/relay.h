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
 * the file is not the command's (a tool writing its error to the log). */
#ifndef BK_RELAY_H
#define BK_RELAY_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define BK_RELAY_CHUNK 16384
/* the most bk_relay_format() writes for n bytes: 3 per line and a newline */
#define BK_RELAY_RECORDS_MAX(n) (4 * (n) + 3)

struct bk_relay {
	int log_fd;        /* O_APPEND; -1 when none */
	int src[2];        /* read ends of the stdout and stderr pipes; -1: closed */
	int child_end[2];  /* their write ends, until the child has them */
	int sink[2];       /* where each stream goes: our fd 1 and 2, or -1
	                    * when that fd is the log itself (no copy twice) */
	bool log_failed;   /* warned once; the relay goes on */
};

/* The log (opened before any namespace), and no pipes yet. */
int bk_relay_open(struct bk_relay *r, const char *logpath);
/* The two pipes (close-on-exec), made just before the fork. */
int bk_relay_pipes(struct bk_relay *r);
/* In the child: its stdout and stderr become the pipes' write ends. */
int bk_relay_child(struct bk_relay *r);
/* In the parent, after the fork: the write ends are the child's alone. */
void bk_relay_forked(struct bk_relay *r);
/* pollfd entries for the open read ends (2 at most); returns how many. */
int bk_relay_pollfds(const struct bk_relay *r, struct pollfd *p);
/* Copy what the entries bk_relay_pollfds() filled have ready. */
void bk_relay_ready(struct bk_relay *r, const struct pollfd *p, int n);
/* After the child's end: what the pipes still hold, without waiting for
 * writers that outlived it; then everything closed. */
void bk_relay_finish(struct bk_relay *r);
void bk_relay_close(struct bk_relay *r);

/* The records for n bytes of stream (1 or 2) into out, which holds
 * BK_RELAY_RECORDS_MAX(n); returns their length. */
size_t bk_relay_format(int stream, const char *buf, size_t n, char *out);

#endif
