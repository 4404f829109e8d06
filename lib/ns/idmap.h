/* idmap: the uid/gid maps of a new user namespace: one id each, written by
 * the process itself right after unshare(CLONE_NEWUSER) (what `unshare -r`
 * does, so an unprivileged user can be root inside), or ranges written by
 * a privileged parent for its child. */
#ifndef BK_IDMAP_H
#define BK_IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Map inside_uid -> outer euid and inside_gid -> outer egid, one id each.
 * Pass (uid_t)-1 / (gid_t)-1 to leave a map unwritten. outer ids are the
 * ones the process had before unshare. */
int bk_idmap_write_self(uid_t inside_uid, uid_t outer_uid,
			gid_t inside_gid, gid_t outer_gid);

/* One line of a map: ids inside..inside+count-1 are outside.. outside. */
struct bk_idmap_range {
	uint32_t inside, outside, count;
};
#define BK_IDMAP_MAX 340   /* lines the kernel takes in one map */

/* Write the uid_map and gid_map of PID's user namespace from its parent
 * namespace, where root may map whole ranges (an OCI config's
 * uidMappings and gidMappings). A map with n = 0 is left unwritten. */
int bk_idmap_write_pid(pid_t pid, const struct bk_idmap_range *uid, size_t nuid,
		       const struct bk_idmap_range *gid, size_t ngid);

#endif
