/* user: USER[:GROUP] resolved in the container's own files (user.h). */
#include "ns/user.h"
#include "ns/procenv.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "base/size.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A decimal id below 2^32-1, or -1. */
static long parse_id(const char *s)
{
	uint64_t v;

	return bk_parse_u64(s, &v) == 0 && v < 0xffffffffULL ? (long)v : -1;
}

static FILE *open_db(const char *path)
{
	/* O_CLOEXEC ("e"): nothing of nsrun's reaches the command */
	return fopen(path, "re");
}

/* The passwd entry named (or numbered) user: uid, gid, home. */
static int lookup_passwd(const char *user, long id, struct bk_user *u, char *name, size_t len)
{
	_cleanup_fclose_ FILE *f = open_db("/etc/passwd");
	struct passwd *pw;

	while (f && (pw = fgetpwent(f))) {
		if (id >= 0 ? pw->pw_uid != (uid_t)id : strcmp(pw->pw_name, user))
			continue;
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
		snprintf(name, len, "%s", pw->pw_name);
		return 1;
	}
	return 0;
}

static int lookup_group(const char *group, gid_t *gid)
{
	_cleanup_fclose_ FILE *f = open_db("/etc/group");
	struct group *gr;
	long id = parse_id(group);

	while (f && (gr = fgetgrent(f))) {
		if (id >= 0 ? gr->gr_gid != (gid_t)id : strcmp(gr->gr_name, group))
			continue;
		*gid = gr->gr_gid;
		return 0;
	}
	if (id >= 0) {
		*gid = (gid_t)id;
		return 0;
	}
	return bk_fail("group '%s' is not in the container's /etc/group", group);
}

/* The groups listing name as a member, and the primary one. */
static void member_groups(const char *name, struct bk_user *u)
{
	_cleanup_fclose_ FILE *f = open_db("/etc/group");
	struct group *gr;

	u->groups[u->ngroups++] = u->gid;
	while (name[0] && f && (gr = fgetgrent(f)) && u->ngroups < BK_USER_MAX_GROUPS) {
		if (gr->gr_gid == u->gid)
			continue;
		for (char **m = gr->gr_mem; m && *m; m++)
			if (!strcmp(*m, name)) {
				u->groups[u->ngroups++] = gr->gr_gid;
				break;
			}
	}
}

int bk_user_resolve(const char *spec, struct bk_user *out)
{
	char user[256], name[256] = "";
	const char *group = strchr(spec, ':');
	size_t n = group ? (size_t)(group - spec) : strlen(spec);
	long id;

	*out = (struct bk_user){ .home = "/" };
	if (n == 0 || n >= sizeof(user) || (group && !group[1]))
		return bk_fail("user '%s': want USER[:GROUP]", spec);
	memcpy(user, spec, n);
	user[n] = '\0';
	id = parse_id(user);
	if (!lookup_passwd(user, id, out, name, sizeof(name))) {
		if (id < 0)
			return bk_fail("user '%s' is not in the container's /etc/passwd", user);
		out->uid = (uid_t)id;
		out->gid = 0;
	}
	if (group && lookup_group(group + 1, &out->gid) < 0)
		return -1;
	member_groups(group ? "" : name, out);
	BK_TRACE("user %s: uid %u gid %u, %zu group%s, home %s (the container's /etc/passwd)",
		 spec, (unsigned)out->uid, (unsigned)out->gid, out->ngroups,
		 out->ngroups == 1 ? "" : "s", out->home);
	return 0;
}

int bk_user_apply(const struct bk_user *u)
{
	return bk_set_ids_groups(u->uid, u->gid, u->groups, u->ngroups);
}
