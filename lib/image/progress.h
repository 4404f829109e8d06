/* progress: a pull's or a push's user-facing report on stderr, fed by
 * their events (pull.h): per-layer bars redrawn in place on a terminal, one line per
 * layer otherwise, nothing when quiet. The only lib/ module that writes to
 * the terminal, and only through this interface. */
#ifndef BK_PROGRESS_H
#define BK_PROGRESS_H

#include "image/pull.h"

enum bk_progress_mode { BK_PROGRESS_QUIET, BK_PROGRESS_LINES, BK_PROGRESS_BARS };

struct bk_progress *bk_progress_new(int fd, enum bk_progress_mode mode);
/* A bk_pull_notify; arg is the struct bk_progress. */
void bk_progress_event(void *arg, enum bk_pull_event ev, size_t i, size_t n,
		       const char *digest, uint64_t now, uint64_t total);
/* Final redraw, then free. */
void bk_progress_free(struct bk_progress *p);

#endif
