/* imglist: rows of `imgpull images` (imglist.h). */
#include "image/imglist.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "base/size.h"
#include "image/imgstore.h"
#include "image/inspect.h"
#include "image/layout.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct list {
	struct bk_image_row *v;
	size_t n, cap;
};

void bk_image_rows_free(struct bk_image_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].name);
		free(rows[i].id);
	}
	free(rows);
}

/* RFC 3339 to seconds (fractions and offsets ignored); 0 when unreadable. */
static time_t parse_time(const char *s)
{
	struct tm tm = { 0 };

	return s && strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) ? timegm(&tm) : 0;
}

static int add_row(struct list *l, const char *name, const char *id, char *const *kv)
{
	struct bk_image_row *r;
	uint64_t size = 0;

	if (l->n == l->cap) {
		struct bk_image_row *v = realloc(l->v, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof(*v));
		if (!v)
			return bk_fail("out of memory");
		l->v = v;
	}
	r = &l->v[l->n];
	if (bk_parse_u64(bk_inspect_get(kv, "size") ? bk_inspect_get(kv, "size") : "0", &size) < 0)
		size = 0;
	*r = (struct bk_image_row){ .size = size, .created = parse_time(bk_inspect_get(kv, "created")) };
	if ((name && !(r->name = strdup(name))) || !(r->id = strdup(id))) {
		free(r->name);
		return bk_fail("out of memory");
	}
	l->n++;
	return 0;
}

static bool named(const struct bk_named *names, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i].id, id))
			return true;
	return false;
}

/* One record's rows: its names, or one without. */
static int record_rows(struct list *l, const char *store, const char *id,
		       const struct bk_named *names, size_t nn)
{
	_cleanup_strv_ char **kv = bk_image_inspect(store, id);
	int r = 0;

	if (!kv)
		return -1;
	for (size_t i = 0; r == 0 && i < nn; i++)
		if (!strcmp(names[i].id, id))
			r = add_row(l, names[i].name, id, kv);
	if (r == 0 && !named(names, nn, id))
		r = add_row(l, NULL, id, kv);
	return r;
}

static int cmp_row(const void *a, const void *b)
{
	const struct bk_image_row *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? 1 : -1;
	if (!x->name || !y->name)
		return x->name ? -1 : y->name ? 1 : strcmp(x->id, y->id);
	return strcmp(x->name, y->name);
}

int bk_image_list(const char *store, struct bk_image_row **rows, size_t *n)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct bk_named *names = NULL;
	struct list l = { 0 };
	struct dirent *de;
	size_t nn = 0;
	int r = 0;

	*rows = NULL;
	*n = 0;
	if (asprintf(&dir, "%s/images", store) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "open %s", dir);
	if (bk_layout_names(store, &names, &nn) < 0)
		return -1;
	while (r == 0 && (errno = 0, de = readdir(d)))
		if (bk_image_id_valid(de->d_name))
			r = record_rows(&l, store, de->d_name, names, nn);
	if (r == 0 && errno)
		r = bk_fail_errno(errno, "read %s", dir);
	bk_named_free(names, nn);
	if (r < 0) {
		bk_image_rows_free(l.v, l.n);
		return -1;
	}
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_row);
	*rows = l.v;
	*n = l.n;
	return 0;
}
