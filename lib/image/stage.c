/* stage: a pull's new objects, published durably and in order (stage.h). */
#include "image/stage.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
	char *tmp;          /* NULL once published or removed */
	char *final;
	enum bk_stage_kind kind;
};

struct bk_stage {
	struct entry *e;
	size_t n;
};

struct bk_stage *bk_stage_new(void)
{
	struct bk_stage *s = calloc(1, sizeof(*s));

	if (!s)
		bk_fail("out of memory");
	return s;
}

static void remove_tmp(struct entry *e)
{
	if (!e->tmp)
		return;
	BK_TRACE("remove %s", e->tmp);
	bk_undo_rm_rf(e->tmp);   /* a stale temp: the next sweep takes it */
	free(e->tmp);
	e->tmp = NULL;
}

void bk_stage_free(struct bk_stage *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		remove_tmp(&s->e[i]);
		free(s->e[i].final);
	}
	free(s->e);
	free(s);
}

int bk_stage_add(struct bk_stage *s, char *tmp, const char *final, enum bk_stage_kind kind)
{
	struct entry *e = realloc(s->e, (s->n + 1) * sizeof(*e));
	char *f = strdup(final);

	if (!e || !f) {
		free(f);
		if (e)
			s->e = e;
		bk_rm_rf(tmp);
		free(tmp);
		return bk_fail("out of memory");
	}
	s->e = e;
	s->e[s->n++] = (struct entry){ .tmp = tmp, .final = f, .kind = kind };
	return 0;
}

static struct entry *find(const struct bk_stage *s, const char *final)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->e[i].tmp && !strcmp(s->e[i].final, final))
			return &s->e[i];
	return NULL;
}

const char *bk_stage_find(const struct bk_stage *s, const char *final)
{
	struct entry *e = find(s, final);

	return e ? e->tmp : NULL;
}

static char *parent_of(const char *path)
{
	char *copy = strdup(path), *p;

	if (!copy) {
		bk_fail("out of memory");
		return NULL;
	}
	p = strdup(dirname(copy));
	free(copy);
	if (!p)
		bk_fail("out of memory");
	return p;
}

/* syncfs(2) once per file system holding a staged object. */
static int sync_all(const struct bk_stage *s)
{
	dev_t seen[8];
	size_t nseen = 0;

	for (size_t i = 0; i < s->n; i++) {
		_cleanup_free_ char *dir = s->e[i].tmp ? parent_of(s->e[i].tmp) : NULL;
		_cleanup_close_ int fd = -1;
		struct stat st;
		bool done = false;

		if (!s->e[i].tmp)
			continue;
		if (!dir)
			return -1;
		if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0)
			return bk_fail_errno(errno, "open %s", dir);
		for (size_t k = 0; k < nseen; k++)
			done |= seen[k] == st.st_dev;
		if (done)
			continue;
		BK_TRACE("syncfs %s", dir);
		if (syncfs(fd) < 0)
			return bk_fail_errno(errno, "syncfs %s", dir);
		if (nseen < ARRAY_SIZE(seen))
			seen[nseen++] = st.st_dev;
	}
	return 0;
}

/* fsync each directory that holds an entry of kind, once. */
static int sync_dirs(const struct bk_stage *s, enum bk_stage_kind kind)
{
	for (size_t i = 0; i < s->n; i++) {
		_cleanup_free_ char *dir = NULL;
		bool done = false;
		if (s->e[i].kind != kind)
			continue;
		if (!(dir = parent_of(s->e[i].final)))
			return -1;
		for (size_t k = 0; k < i && !done; k++) {
			_cleanup_free_ char *other = s->e[k].kind == kind ? parent_of(s->e[k].final) : NULL;
			done = other && !strcmp(other, dir);
		}
		if (!done && bk_fsync_dir(dir) < 0)
			return -1;
	}
	return 0;
}

/* rename every entry of kind into place, then fsync each directory that
 * got one. A dir that is there already is a concurrent pull's: keep it. */
static int rename_kind(struct bk_stage *s, enum bk_stage_kind kind)
{
	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->e[i];
		if (e->kind != kind || !e->tmp)
			continue;
		BK_TRACE("rename %s %s", e->tmp, e->final);
		if (rename(e->tmp, e->final) < 0) {
			if (errno != ENOTEMPTY && errno != EEXIST)
				return bk_fail_errno(errno, "rename %s", e->final);
			remove_tmp(e);
			continue;
		}
		free(e->tmp);
		e->tmp = NULL;
	}
	return sync_dirs(s, kind);
}

int bk_stage_publish(struct bk_stage *s)
{
	if (sync_all(s) < 0 || rename_kind(s, BK_STAGE_OBJECT) < 0 ||
	    rename_kind(s, BK_STAGE_RECORD) < 0)
		return -1;
	return 0;
}
