/* path: join paths without letting the relative part escape the base.
 * Purely lexical ("." and ".." resolved on the string); to stay inside a
 * directory on disk despite symlinks, open through bk_open_beneath(). */
#ifndef BK_PATH_H
#define BK_PATH_H

#include <limits.h>
#include <stdbool.h>

/* base + "/" + rel, with rel's "." and ".." folded and leading "/" dropped.
 * A rel that would climb above base fails: NULL with
 * "REL: escapes BASE" recorded. Result is malloc'd. */
char *bk_path_join(const char *base, const char *rel);

/* dir + "/" + name into buf, of PATH_MAX bytes. -1 with "DIR/NAME: path
 * too long" (DIR cut at 200 characters) recorded when it does not fit. */
int bk_path_in(char buf[static PATH_MAX], const char *dir, const char *name);

/* A name usable as one path component and object name: 1..max chars of
 * [A-Za-z0-9_.-], not starting with '.' or '-'. */
bool bk_valid_name(const char *name, unsigned max);

/* openat2(dirfd, rel, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): symlinks
 * and ".." in rel resolve as if dirfd were "/". Returns fd or -1. Tried
 * again when the kernel says EAGAIN (a concurrent rename or mount raced a
 * ".." of the lookup). */
int bk_open_beneath(int dirfd, const char *rel, int flags, unsigned mode);

/* mkdir -p of rel beneath dirfd, each component resolved as
 * bk_open_beneath does (a symlink, "..", a magic link never leads out);
 * returns an O_PATH fd of the directory, or -1. */
int bk_mkdir_beneath(int dirfd, const char *rel, unsigned mode);

#endif
