/* progress: layer progress bars and lines (progress.h). */
#include "image/progress.h"
#include "base/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum state { WAITING, FETCHING, CACHED, FETCHED, DONE, SENDING, THERE, MOUNTED, PUSHED };

struct layer {
	enum state state;
	uint64_t now, total;
	char digest[20];
};

struct bk_progress {
	int fd;
	enum bk_progress_mode mode;
	struct layer *layers;
	size_t n;
	int drawn;            /* lines currently on screen (bars mode) */
	struct timespec last;
};

struct bk_progress *bk_progress_new(int fd, enum bk_progress_mode mode)
{
	struct bk_progress *p = calloc(1, sizeof(*p));

	if (p) {
		p->fd = fd;
		p->mode = mode;
	}
	return p;
}

static void out(struct bk_progress *p, const char *s, size_t n)
{
	if (write(p->fd, s, n) < 0)
		return;
}

static void human(char *buf, size_t max, uint64_t b)
{
	if (b >= 1u << 20)
		snprintf(buf, max, "%.1f MB", b / 1048576.0);
	else
		snprintf(buf, max, "%.1f kB", b / 1024.0);
}

static void bar_line(const struct layer *l, size_t i, size_t n, char *buf, size_t max)
{
	static const char *const what[] = { "waiting", "downloading", "already there",
					    "downloaded", "done", "uploading", "already pushed",
					    "mounted", "pushed" };
	char now[32], total[32], bar[31];
	unsigned fill = l->total ? (unsigned)(30 * (l->now > l->total ? l->total : l->now) / l->total) : 0;

	if (l->state != WAITING && l->state != FETCHING && l->state != SENDING)
		fill = 30;
	memset(bar, '#', fill);
	memset(bar + fill, '.', 30 - fill);
	bar[30] = '\0';
	human(now, sizeof(now), l->now);
	human(total, sizeof(total), l->total);
	snprintf(buf, max, "\033[2K%s: layer %zu/%zu %-12.12s [%s] %s/%s %s\n", bk_prog, i + 1, n,
		 l->digest, bar, now, total, what[l->state]);
}

static void redraw(struct bk_progress *p, int force)
{
	struct timespec t;
	char buf[512];

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!force && p->drawn &&
	    (t.tv_sec - p->last.tv_sec) * 1000 + (t.tv_nsec - p->last.tv_nsec) / 1000000 < 100)
		return;
	p->last = t;
	if (p->drawn) {
		int k = snprintf(buf, sizeof(buf), "\033[%dA", p->drawn);
		out(p, buf, k);
	}
	for (size_t i = 0; i < p->n; i++) {
		bar_line(&p->layers[i], i, p->n, buf, sizeof(buf));
		out(p, buf, strlen(buf));
	}
	p->drawn = (int)p->n;
}

static void line(struct bk_progress *p, size_t i, const char *what)
{
	char buf[256], size[32];
	const struct layer *l = &p->layers[i];
	int k;

	human(size, sizeof(size), l->total);
	k = snprintf(buf, sizeof(buf), "%s: layer %zu/%zu %.12s %s%s%s\n", bk_prog, i + 1, p->n,
		     l->digest, what, l->total ? " " : "", l->total ? size : "");
	out(p, buf, k);
}

static void set_digest(struct layer *l, const char *digest)
{
	if (digest && !strncmp(digest, "sha256:", 7))
		snprintf(l->digest, sizeof(l->digest), "%.12s", digest + 7);
}

void bk_progress_event(void *arg, enum bk_pull_event ev, size_t i, size_t n,
		       const char *digest, uint64_t now, uint64_t total)
{
	struct bk_progress *p = arg;
	struct layer *l;

	if (!p || p->mode == BK_PROGRESS_QUIET)
		return;
	if (ev == BK_EV_START) {
		free(p->layers);
		p->layers = calloc(n ? n : 1, sizeof(*p->layers));
		p->n = p->layers ? n : 0;
		return;
	}
	if (i >= p->n)
		return;
	l = &p->layers[i];
	set_digest(l, digest);
	switch (ev) {
	case BK_EV_BYTES:
		l->state = FETCHING;
		l->now = now;
		l->total = total ? total : l->total;
		break;
	case BK_EV_CACHED:
		l->state = CACHED;
		if (p->mode == BK_PROGRESS_LINES)
			line(p, i, "already extracted");
		break;
	case BK_EV_PRESENT:
	case BK_EV_FETCHED:
		l->state = FETCHED;
		l->now = l->total = total;
		break;
	case BK_EV_EXTRACTED:
		l->state = DONE;
		if (p->mode == BK_PROGRESS_LINES)
			line(p, i, "pulled");
		break;
	case BK_EV_SENDING:
		l->state = SENDING;
		l->now = now;
		l->total = total;
		break;
	case BK_EV_EXISTS:
	case BK_EV_MOUNTED:
	case BK_EV_PUSHED:
		l->state = ev == BK_EV_EXISTS ? THERE : ev == BK_EV_MOUNTED ? MOUNTED : PUSHED;
		l->now = l->total = total;
		if (p->mode == BK_PROGRESS_LINES)
			line(p, i, ev == BK_EV_EXISTS ? "already in the registry" :
				   ev == BK_EV_MOUNTED ? "mounted" : "pushed");
		break;
	default:
		break;
	}
	if (p->mode == BK_PROGRESS_BARS)
		redraw(p, ev != BK_EV_BYTES);
}

void bk_progress_free(struct bk_progress *p)
{
	if (!p)
		return;
	if (p->mode == BK_PROGRESS_BARS && p->n)
		redraw(p, 1);
	free(p->layers);
	free(p);
}
