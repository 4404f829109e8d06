/* fsutil: small file-system chores every tool repeats: mkdir -p, write a
 * short file (cgroup/proc/sysfs style), read a small file, write a file
 * atomically (temp + rename), so readers never see half of it; remove a
 * tree; sync a directory. */
#ifndef BK_FSUTIL_H
#define BK_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int bk_mkdir_p(const char *path, mode_t mode);
bool bk_is_dir(const char *path);   /* stat(2) follows links */
/* write(2) until all of buf went, again on EINTR; -1 with errno set (no
 * message recorded: the caller names the file). */
int bk_write_all(int fd, const void *buf, size_t len);
/* open(O_WRONLY|O_TRUNC... no O_CREAT) + one write(2) of s. */
int bk_write_string(const char *path, const char *s);
/* Read at most max bytes (NUL-terminated, trailing newline kept). NULL on
 * failure. */
char *bk_read_small(const char *path, size_t max);
/* The same, also giving the length (for contents with NUL bytes). */
char *bk_read_small_len(const char *path, size_t max, size_t *len);
/* Create path with content s atomically (path.tmp.PID then rename). */
int bk_write_atomic(const char *path, const char *s, mode_t mode);
/* Remove a file or a tree without following symlinks or crossing mounts
 * (nftw FTW_PHYS|FTW_MOUNT); a missing path is not an error. The first
 * entry that cannot be removed stops it and is the error recorded. */
int bk_rm_rf(const char *path);
/* The same while undoing a failure: the error already recorded (the
 * cause) is kept; one of the removal is only traced. */
void bk_undo_rm_rf(const char *path);
/* The apparent size of a tree: the sum of st_size of everything in it but
 * directories, without following symlinks or crossing mounts (du -sb
 * --apparent-size, less the directories). */
int bk_tree_size(const char *path, uint64_t *bytes);
/* fsync(2) the directory path (after a rename or unlink in it). */
int bk_fsync_dir(const char *path);

#endif
