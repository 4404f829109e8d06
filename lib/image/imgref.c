/* imgref: image reference parsing and Docker normalisation (imgref.h). */
#include "image/imgref.h"
#include "base/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bk_digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
		return 0;
	return strspn(d + 7, "0123456789abcdef") == 64;
}

/* A registry host looks like a domain, has a port, or is "localhost". */
static int is_registry(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) ||
	       (n == 9 && !strncmp(s, "localhost", 9));
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* 1..65535, digits only. */
static int valid_port(const char *p)
{
	size_t n = strspn(p, "0123456789");

	return n >= 1 && n <= 5 && !p[n] && atol(p) >= 1 && atol(p) <= 65535;
}

/* Labels of letters, digits and inner hyphens, joined by single dots, or
 * an IPv6 address in brackets; then an optional :PORT. */
static int valid_host(const char *s)
{
	const char *p = s;

	if (*p == '[') {
		size_t n = strspn(p + 1, "0123456789abcdefABCDEF:.");
		if (n < 2 || p[1 + n] != ']')
			return 0;
		p += n + 2;
	} else {
		for (;;) {
			const char *label = p;
			while (is_alnum(*p) || *p == '-')
				p++;
			if (p == label || label[0] == '-' || p[-1] == '-')
				return 0;
			if (*p != '.')
				break;
			p++;
		}
	}
	return *p == '\0' || (*p == ':' && valid_port(p + 1));
}

static int alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ joined by ".", "_", "__" or "-"+. */
static const char *component_end(const char *p)
{
	for (;;) {
		if (!alnum_lower(*p))
			return NULL;
		while (alnum_lower(*p))
			p++;
		if (*p == '.' || (*p == '_' && p[1] != '_'))
			p++;
		else if (*p == '_')
			p += 2;
		else if (*p == '-')
			p += strspn(p, "-");
		else
			return p;
	}
}

static int valid_repo(const char *s)
{
	const char *p = s;

	if (strlen(s) > 255)
		return 0;
	for (;;) {
		if (!(p = component_end(p)))
			return 0;
		if (*p == '\0')
			return 1;
		if (*p++ != '/')
			return 0;
	}
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t);

	return n >= 1 && n <= 128 && t[0] != '.' && t[0] != '-' &&
	       strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_.-") == n;
}

static int fail(const char *s, const char *why)
{
	return bk_fail("invalid reference '%s': %s", s, why);
}

static int fill(const char *s, char *name, struct bk_imgref *ref)
{
	char *at, *slash, *colon;

	if (!strncmp(name, "docker://", 9))
		name += 9;
	if ((at = strchr(name, '@'))) {
		*at++ = '\0';
		if (!bk_digest_valid(at))
			return fail(s, "digest must be sha256:<64 lowercase hex>");
		if (!(ref->digest = strdup(at)))
			return bk_fail("out of memory");
	}
	slash = strchr(name, '/');
	if (slash && is_registry(name, slash - name)) {
		*slash = '\0';
		ref->registry = strdup(name);
		name = slash + 1;
	} else {
		ref->registry = strdup("docker.io");
	}
	if (!ref->registry)
		return bk_fail("out of memory");
	if (!strcmp(ref->registry, "index.docker.io") ||
	    !strcmp(ref->registry, "registry-1.docker.io"))
		strcpy(ref->registry, "docker.io");
	if ((colon = strrchr(name, ':'))) {
		*colon++ = '\0';
		if (!valid_tag(colon))
			return fail(s, "bad tag");
		ref->tag = strdup(colon);
	} else if (!ref->digest) {
		ref->tag = strdup("latest");
	}
	if (!strcmp(ref->registry, "docker.io") && !strchr(name, '/')) {
		if (asprintf(&ref->repo, "library/%s", name) < 0)
			ref->repo = NULL;
	} else {
		ref->repo = strdup(name);
	}
	if (!ref->repo || (!ref->tag && !ref->digest))
		return bk_fail("out of memory");
	if (!valid_host(ref->registry))
		return fail(s, "bad registry host");
	if (!valid_repo(ref->repo))
		return fail(s, "repository must be lowercase [a-z0-9] components joined by . _ __ - /");
	return 0;
}

int bk_imgref_parse(const char *s, struct bk_imgref *ref)
{
	char *copy = strdup(s);
	int r;

	memset(ref, 0, sizeof(*ref));
	if (!copy)
		return bk_fail("out of memory");
	r = fill(s, copy, ref);
	free(copy);
	if (r < 0)
		bk_imgref_free(ref);
	return r;
}

void bk_imgref_free(struct bk_imgref *ref)
{
	free(ref->registry);
	free(ref->repo);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

char *bk_imgref_string(const struct bk_imgref *ref)
{
	char *out = NULL;

	if (asprintf(&out, "%s/%s%s%s%s%s", ref->registry, ref->repo,
		     ref->tag ? ":" : "", ref->tag ? ref->tag : "",
		     ref->digest ? "@" : "", ref->digest ? ref->digest : "") < 0)
		return NULL;
	return out;
}

const char *bk_imgref_api_host(const struct bk_imgref *ref)
{
	return strcmp(ref->registry, "docker.io") ? ref->registry : "registry-1.docker.io";
}

const char *bk_imgref_lookup(const struct bk_imgref *ref)
{
	return ref->digest ? ref->digest : ref->tag;
}
