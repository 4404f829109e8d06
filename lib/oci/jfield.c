/* jfield: typed, path-naming reads of OCI JSON documents (jfield.h). */
#include "oci/jfield.h"
#include "base/msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

json_t *bk_j_get(const json_t *obj, const char *key)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;

	return json_is_null(v) ? NULL : v;
}

const char *bk_j_path(char *buf, size_t len, const char *at, const char *key)
{
	snprintf(buf, len, "%s%s%s", at, *at && *key ? "." : "", key);
	return buf;
}

int bk_j_fail(const char *at, const char *key, const char *fmt, ...)
{
	char path[256], what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bk_fail("%s: %s", bk_j_path(path, sizeof(path), at, key), what);
}

static const char *type_name(json_type t)
{
	switch (t) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "a value of that type";
	}
}

int bk_j_typed(const json_t *obj, const char *at, const char *key, json_type type, json_t **out)
{
	json_t *v = bk_j_get(obj, key);
	bool good = !v || json_typeof(v) == type ||
		    (type == JSON_TRUE && json_is_boolean(v));

	*out = good ? v : NULL;
	return good ? 0 : bk_j_fail(at, key, "not %s", type_name(type));
}

int bk_j_string(const json_t *obj, const char *at, const char *key, const char **out)
{
	json_t *v;

	if (bk_j_typed(obj, at, key, JSON_STRING, &v) < 0)
		return -1;
	if (v)
		*out = json_string_value(v);
	return 0;
}

int bk_j_bool(const json_t *obj, const char *at, const char *key, bool *out)
{
	json_t *v;

	if (bk_j_typed(obj, at, key, JSON_TRUE, &v) < 0)
		return -1;
	if (v)
		*out = json_is_true(v);
	return 0;
}

int bk_j_int(const json_t *obj, const char *at, const char *key, int64_t min, int64_t max,
	     int64_t *out, bool *given)
{
	json_t *v;

	if (given)
		*given = false;
	if (bk_j_typed(obj, at, key, JSON_INTEGER, &v) < 0)
		return -1;
	if (!v)
		return 0;
	json_int_t n = json_integer_value(v);
	if (n < min || n > max)
		return bk_j_fail(at, key, "%lld is out of range (%lld..%lld)", (long long)n,
				 (long long)min, (long long)max);
	*out = n;
	if (given)
		*given = true;
	return 0;
}

int bk_j_strv(const json_t *obj, const char *at, const char *key, const char ***out)
{
	json_t *a, *s;
	size_t i;

	*out = NULL;
	if (bk_j_typed(obj, at, key, JSON_ARRAY, &a) < 0)
		return -1;
	if (!a)
		return 0;
	const char **v = calloc(json_array_size(a) + 1, sizeof(*v));
	if (!v)
		return bk_fail_errno(ENOMEM, "%s", key);
	json_array_foreach(a, i, s) {
		if (!json_is_string(s)) {
			free(v);
			return bk_j_fail(at, key, "item %zu is not a string", i);
		}
		v[i] = json_string_value(s);
	}
	*out = v;
	return 0;
}
