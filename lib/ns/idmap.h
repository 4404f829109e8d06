/* idmap: the uid/gid maps of a new user namespace, written by the process
 * itself right after unshare(CLONE_NEWUSER) (what `unshare -r` does), so an
 * unprivileged user can be root inside. */
#ifndef BK_IDMAP_H
#define BK_IDMAP_H

#include <sys/types.h>

/* Map inside_uid -> outer euid and inside_gid -> outer egid, one id each.
 * Pass (uid_t)-1 / (gid_t)-1 to leave a map unwritten. outer ids are the
 * ones the process had before unshare. */
int bk_idmap_write_self(uid_t inside_uid, uid_t outer_uid,
			gid_t inside_gid, gid_t outer_gid);

#endif
