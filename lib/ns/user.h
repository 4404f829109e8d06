/* user: who "USER[:GROUP]" is inside a container, as runc and Docker read
 * it: a name or a number, looked up in the /etc/passwd and /etc/group of
 * the current root (after the root switch, so every symlink of the image
 * resolves inside it), with fgetpwent/fgetgrent (no NSS: the image's
 * nsswitch.conf and libraries are never loaded into nsrun). The groups
 * the user is a member of in /etc/group become the supplementary groups,
 * the passwd entry's home HOME. */
#ifndef BK_USER_H
#define BK_USER_H

#include <stddef.h>
#include <sys/types.h>

#define BK_USER_MAX_GROUPS 64

struct bk_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[BK_USER_MAX_GROUPS];
	size_t ngroups;
	char home[256];       /* "/" when the user has no passwd entry */
};

/* Resolve spec: "name", "uid", "name:group", "uid:gid", "name:gid"... A
 * number without a passwd entry is taken as it is (gid 0 unless given), as
 * Docker does; a name that is not there is an error. */
int bk_user_resolve(const char *spec, struct bk_user *out);

/* setgroups(supplementary) + setresgid + setresuid (ns/procenv). */
int bk_user_apply(const struct bk_user *u);

#endif
