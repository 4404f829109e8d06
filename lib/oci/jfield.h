/* jfield: typed reads of an OCI JSON document (config.json, state.json,
 * a process or resources file) through jansson, each error naming the
 * field by its path: "process.user.uid: not an integer". A JSON null
 * reads as absent (as in Go's decoding). Strings returned point into the
 * document and live as long as it does. */
#ifndef BK_JFIELD_H
#define BK_JFIELD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* obj[key], or NULL when absent, null, or obj is no object. */
json_t *bk_j_get(const json_t *obj, const char *key);

/* "at.key" (or "key" when at is "") into buf, for messages. */
const char *bk_j_path(char *buf, size_t len, const char *at, const char *key);

/* obj[key] of the given type, or NULL (absent); -1 when of another type. */
int bk_j_typed(const json_t *obj, const char *at, const char *key, json_type type, json_t **out);
/* A string; *out untouched when absent. */
int bk_j_string(const json_t *obj, const char *at, const char *key, const char **out);
int bk_j_bool(const json_t *obj, const char *at, const char *key, bool *out);
/* An integer in [min, max]; *given (may be NULL) says whether it was there. */
int bk_j_int(const json_t *obj, const char *at, const char *key, int64_t min, int64_t max,
	     int64_t *out, bool *given);
/* An array of strings as a NULL-terminated malloc'd vector of pointers
 * into the document (NULL when absent); free() the vector only. */
int bk_j_strv(const json_t *obj, const char *at, const char *key, const char ***out);

/* Record "at.key: fmt..." and return -1. */
int bk_j_fail(const char *at, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
