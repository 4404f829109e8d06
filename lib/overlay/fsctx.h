/* fsctx: one filesystem context of the kernel's new mount API
 * (fsopen, fsconfig, fsmount, move_mount), every call traced with -v, and
 * the kernel's own error text read back from the context fd ("e ..."
 * lines) into the recorded error. */
#ifndef BK_FSCTX_H
#define BK_FSCTX_H

#include <stdbool.h>

/* fsopen(fstype). Returns the context fd or -1 (errno ENOSYS: no new
 * mount API; ENODEV: the kernel does not know fstype). */
int bk_fsctx_open(const char *fstype);

/* fsconfig(FSCONFIG_SET_STRING, key, value). */
int bk_fsctx_set_string(int fsfd, const char *key, const char *value);
/* fsconfig(FSCONFIG_SET_FLAG, key). */
int bk_fsctx_set_flag(int fsfd, const char *key);
/* fsconfig(FSCONFIG_SET_FD, key) with an O_PATH fd of the directory path:
 * for values longer than fsconfig's 255-byte string limit. */
int bk_fsctx_set_path(int fsfd, const char *key, const char *path);

/* fsconfig(FSCONFIG_CMD_CREATE): build the superblock. */
int bk_fsctx_create(int fsfd);
/* fsmount(attrs) + move_mount onto target. */
int bk_fsctx_attach(int fsfd, unsigned attrs, const char *target);

/* Longest value fsconfig(FSCONFIG_SET_STRING) accepts (its kernel copy is
 * capped at 256 bytes including the NUL). */
#define BK_FSCTX_STRING_MAX 255

#endif
