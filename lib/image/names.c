/* names: normalised names, Docker's columns, and IMAGE words (names.h). */
#include "image/names.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "image/imgref.h"
#include "image/imgstore.h"
#include "image/layout.h"
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEX "0123456789abcdef"
#define ID_HEX 12   /* an id is img_ + 12 hex digits */

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	return n >= min && n <= max && strspn(s, HEX) == n;
}

/* img_ + 12 hex digits: an image id's form. */
static bool id_form(const char *s)
{
	return !strncmp(s, "img_", 4) && is_hex(s + 4, ID_HEX, ID_HEX);
}

char *bk_name_normalise(const char *text)
{
	struct bk_imgref ref;
	char *out = NULL;
	const char *base;

	if (!text || strpbrk(text, " \t\r\n") || bk_imgref_parse(text, &ref) < 0) {
		bk_fail("invalid name '%.200s': want REPOSITORY[:TAG] (see imgpull(1))", text ? text : "");
		return NULL;
	}
	base = strrchr(ref.repo, '/');
	base = base ? base + 1 : ref.repo;
	if (ref.digest)
		bk_fail("invalid name '%.200s': a name holds no digest", text);
	else if (!strcmp(ref.registry, "docker.io") && !strncmp(ref.repo, "library/", 8) &&
		 id_form(base))
		bk_fail("invalid name '%.200s': img_ and 12 hex digits is an image id", text);
	else if (!(out = bk_imgref_string(&ref)))
		bk_fail("out of memory");
	bk_imgref_free(&ref);
	return out;
}

/* Docker's familiar form of the repository name..end: without docker.io/
 * unless what follows would then read as a registry, and without library/
 * only for a one-component repository (docker.io/library/a/b stays
 * library/a/b), so that it normalises back to the same name. */
static const char *familiar(const char *name, const char *end)
{
	const char *rest = name + 10, *slash;
	size_t first;

	if (strncmp(name, "docker.io/", 10))
		return name;
	slash = memchr(rest, '/', (size_t)(end - rest));
	first = slash ? (size_t)(slash - rest) : (size_t)(end - rest);
	if (memchr(rest, '.', first) || memchr(rest, ':', first) ||
	    (first == 9 && !strncmp(rest, "localhost", 9)))
		return name;
	if (!strncmp(rest, "library/", 8) && !memchr(rest + 8, '/', (size_t)(end - rest - 8)))
		return rest + 8;
	return rest;
}

int bk_name_columns(const char *name, char **repo, char **tag)
{
	const char *colon = strrchr(name, ':');
	const char *r;

	if (!colon || strchr(colon, '/'))
		colon = name + strlen(name);   /* no tag */
	r = familiar(name, colon);
	*repo = strndup(r, (size_t)(colon - r));
	*tag = strdup(*colon ? colon + 1 : "<none>");
	if (!*repo || !*tag) {
		free(*repo);
		free(*tag);
		return bk_fail("out of memory");
	}
	return 0;
}

static bool record_exists(const char *store, const char *id)
{
	_cleanup_free_ char *p = NULL;
	struct stat st;

	return asprintf(&p, "%s/images/%s/layers", store, id) >= 0 && stat(p, &st) == 0;
}

/* The one record whose id starts with img_ + hex; 1 when there is none. */
static int by_prefix(const char *store, const char *hex, char **id)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	size_t n = strlen(hex);

	*id = NULL;
	if (asprintf(&dir, "%s/images", store) < 0)
		return bk_fail("out of memory");
	if (!(d = opendir(dir)))
		return bk_fail_errno(errno, "store %s", store);
	while ((errno = 0, de = readdir(d))) {
		if (!bk_image_id_valid(de->d_name) || strncmp(de->d_name + 4, hex, n))
			continue;
		if (*id) {
			free(*id);
			*id = NULL;
			return bk_fail("image id prefix '%.20s' is ambiguous: give more digits", hex);
		}
		if (!(*id = strdup(de->d_name)))
			return bk_fail("out of memory");
	}
	if (errno)
		return bk_fail_errno(errno, "read %s", dir);
	return *id ? 0 : 1;
}

/* A name the store has: 0 and *id; 1 when it has none; -1 on error. */
static int by_name(const char *store, const char *word, char **id, char **name)
{
	_cleanup_free_ char *norm = NULL;
	int err;

	if (!(norm = bk_name_normalise(word)))
		return 1;   /* not a name: maybe an id prefix */
	if (!(*id = bk_layout_lookup(store, norm, &err)))
		return err < 0 ? -1 : 1;
	if (name)
		*name = bk_steal_ptr(norm);
	return 0;
}

int bk_image_resolve(const char *store, const char *word, char **id, char **name)
{
	const char *hex = !strncmp(word, "img_", 4) ? word + 4 : word;
	int r;

	*id = NULL;
	if (name)
		*name = NULL;
	if (id_form(word)) {
		if (!record_exists(store, word))
			return bk_fail("image %s: no such image in %s", word, store);
		return (*id = strdup(word)) ? 0 : bk_fail("out of memory");
	}
	if ((r = by_name(store, word, id, name)) <= 0)
		return r;
	if (is_hex(hex, 1, ID_HEX) && (r = by_prefix(store, hex, id)) <= 0)
		return r;
	return bk_fail("image '%.200s': no such image in %s", word, store);
}

int bk_image_tag(const char *store, const char *word, const char *name)
{
	_cleanup_free_ char *norm = bk_name_normalise(name), *id = NULL;
	struct bk_store s;
	int r;

	if (!norm || bk_store_open(&s, store, false, BK_STORE_SHARED) < 0)
		return -1;
	r = bk_image_resolve(s.path, word, &id, NULL);
	if (r == 0) {
		struct bk_name_change c = { .name = norm, .id = id };
		r = bk_layout_update(s.path, &c, 1);
	}
	bk_store_close(&s);
	return r;
}

int bk_image_untag(const char *store, char *const *names, size_t n)
{
	struct bk_name_change *c = calloc(n + 1, sizeof(*c));
	char **norm = calloc(n + 1, sizeof(*norm));
	struct bk_store s;
	int r = c && norm ? 0 : bk_fail("out of memory");

	for (size_t i = 0; r == 0 && i < n; i++)
		if (!(c[i].name = norm[i] = bk_name_normalise(names[i])))
			r = -1;
	if (r == 0 && (r = bk_store_open(&s, store, false, BK_STORE_SHARED)) == 0) {
		r = bk_layout_update(s.path, c, n);
		bk_store_close(&s);
	}
	for (size_t i = 0; norm && i < n; i++)
		free(norm[i]);
	free(norm);
	free(c);
	return r;
}
