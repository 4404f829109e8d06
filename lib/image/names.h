/* names: image names as Docker spells them, what a word that names an
 * image (an IMAGE argument) means, and giving and taking names.
 *
 * A name is REPOSITORY[:TAG] normalised as Docker does (busybox is
 * docker.io/library/busybox:latest; tag latest when none is given). It
 * never holds a digest, and it is never an image id: a repository
 * (docker.io/library/)img_ followed by 12 hex digits is refused, so that
 * img_0123456789ab always means the id, while bash bocker's names
 * (img_mine, img_42042) stay names.
 *
 * A word is looked up in this order, as Docker does: an image id (img_ +
 * 12 hex digits) of the store; a name in the store's index.json; a unique
 * prefix of an id (img_HEX... or HEX...). So a name wins over an id
 * prefix it happens to spell. */
#ifndef BK_NAMES_H
#define BK_NAMES_H

#include <stddef.h>

/* The normalised name, malloc'd; NULL with "invalid name 'TEXT': why"
 * recorded. */
char *bk_name_normalise(const char *text);

/* The REPOSITORY and TAG columns Docker shows for a normalised name:
 * docker.io/library/busybox:latest is "busybox" and "latest",
 * docker.io/user/app:1 "user/app" and "1", localhost:5000/x:v1
 * "localhost:5000/x" and "v1". Both malloc'd. */
int bk_name_columns(const char *name, char **repo, char **tag);

/* The image the word names: *id gets its id; *name (optional) the
 * normalised name when the word was one, else NULL. "no such image" or
 * "ambiguous" is recorded when there is not exactly one. */
int bk_image_resolve(const char *store, const char *word, char **id, char **name);

/* Name the image word names name (normalised here); a name held by
 * another image moves. Under the store lock. */
int bk_image_tag(const char *store, const char *word, const char *name);
/* Take the names away (each must be held); images stay. */
int bk_image_untag(const char *store, char *const *names, size_t n);

#endif
