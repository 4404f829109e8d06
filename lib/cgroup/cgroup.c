/* cgroup: a control group across this host's hierarchies (cgroup.h). */
#include "cgroup/cgroup.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"

#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

/* libcgroup's default logger prints to stdout; route it to -vv. */
static void cg_log(void *userdata, int level, const char *fmt, va_list ap)
{
	char line[1024];
	size_t n;

	(void)userdata;
	(void)level;
	if (bk_verbose < 2)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	bk_trace("libcgroup: %s", line);
}

int bk_cg_init(void)
{
	static bool done;
	int ret;

	if (done)
		return 0;
	cgroup_set_logger(cg_log, bk_verbose > 1 ? CGROUP_LOG_DEBUG : CGROUP_LOG_ERROR, NULL);
	ret = cgroup_init();
	if (ret)
		return bk_fail("cgroup_init: %s", cgroup_strerror(ret));
	done = true;
	return 0;
}

/* libcgroup's mount table knows where NAME is; its cg_version_t is not in
 * 2.0.2's public headers, so the version comes from the mount's fs type. */
static int lookup(const char *name, char **mount, bool *v2)
{
	char *mp = NULL;
	struct statfs st;

	if (strlen(name) >= sizeof(((struct bk_cg_ctrl *)0)->name) || strchr(name, '/'))
		return -1;
	if (cgroup_get_subsys_mount_point(name, &mp) != 0 || !mp)
		return -1;
	if (statfs(mp, &st) < 0) {
		free(mp);
		return -1;
	}
	*v2 = st.f_type == CGROUP2_SUPER_MAGIC;
	*mount = mp;
	return 0;
}

/* NAME as this host has it: itself, or its alias under the other
 * version. Nothing recorded when the host has neither. */
static bool find_host(const char *name, char *host, size_t len, char **mount, bool *v2)
{
	const char *to[2] = { bk_cg_controller_alias(name, true),
			      bk_cg_controller_alias(name, false) };

	if (lookup(name, mount, v2) == 0) {
		snprintf(host, len, "%s", name);
		return true;
	}
	for (int i = 0; i < 2; i++) {
		if (!to[i] || lookup(to[i], mount, v2) < 0)
			continue;
		if (*v2 == (i == 0)) {
			snprintf(host, len, "%s", to[i]);
			return true;
		}
		free(*mount);
	}
	return false;
}

static int not_available(const char *name)
{
	return bk_fail("controller '%s': not available on this host", name);
}

static int resolve(const char *name, char *host, size_t len, char **mount, bool *v2)
{
	return find_host(name, host, len, mount, v2) ? 0 : not_available(name);
}

bool bk_cg_available(const char *name)
{
	char host[32];
	char *mount = NULL;
	bool v2;

	if (!find_host(name, host, sizeof(host), &mount, &v2))
		return false;
	free(mount);
	return true;
}

int bk_cg_host_version(const char *ctrl, void *unused)
{
	char host[32];
	char *mount = NULL;
	bool v2;

	(void)unused;
	if (resolve(ctrl, host, sizeof(host), &mount, &v2) < 0)
		return -1;
	free(mount);
	return v2;
}

/* libcgroup's forms: "ps_1", "/ps_1" and "ps_1/" name one group, below
 * the hierarchy's root; into *out as "/ps_1" (malloc'd). "." and ".."
 * are not names: libcgroup hands them to the kernel's path walk, where
 * ".." leaves the hierarchy. */
static int canonical_path(const char *path, char **out)
{
	const char *p = path + (path[0] == '/');
	size_t n = strlen(p);
	char name[256];

	n -= n > 0 && p[n - 1] == '/';
	if (n == 0 || p[0] == '/' || memmem(p, n, "//", 2))
		return bk_fail("cgroup path '%s': want [/]NAME[/NAME...] (not the root)", path);
	for (size_t i = 0; i < n;) {
		size_t len = strcspn(p + i, "/");

		len = len > n - i ? n - i : len;
		snprintf(name, sizeof(name), "%.*s", (int)len, p + i);
		if (len >= sizeof(name) || !bk_valid_name(name, 255))
			return bk_fail("cgroup path '%s': '%s' is not a valid name", path, name);
		i += len + 1;
	}
	if (asprintf(out, "/%.*s", (int)n, p) < 0)
		return bk_fail_errno(ENOMEM, "%s", path);
	return 0;
}

int bk_cg_open(struct bk_cgroup *g, const char *path)
{
	memset(g, 0, sizeof(*g));
	return canonical_path(path, &g->path);
}

/* A host with cgroup2 alone at /sys/fs/cgroup (no v1 hierarchy). */
static bool unified_only(void)
{
	struct statfs st;

	return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

int bk_cg_add(struct bk_cgroup *g, const char *name)
{
	struct bk_cg_ctrl *c = &g->ctrl[g->n];
	char host[32];
	char *mount = NULL;
	bool v2;

	if (!find_host(name, host, sizeof(host), &mount, &v2)) {
		/* cgroup v2 has no devices controller: the device filter is an
		 * eBPF program on the group's directory (cgdevices.c), so
		 * "devices" in -g asks for nothing more there. */
		if (!strcmp(name, "devices") && unified_only()) {
			BK_TRACE("devices: cgroup v2 host, device rules become an eBPF program");
			return 0;
		}
		return not_available(name);
	}
	for (size_t i = 0; i < g->n; i++) {
		if (!strcmp(g->ctrl[i].name, host)) {
			free(mount);
			return 0;
		}
	}
	if (g->n >= BK_CG_MAX_CTRL) {
		free(mount);
		return bk_fail("too many controllers");
	}
	if (asprintf(&c->dir, "%s%s", mount, g->path) < 0) {
		free(mount);
		return bk_fail_errno(ENOMEM, "%s", name);
	}
	snprintf(c->name, sizeof(c->name), "%s", host);
	c->mount = mount;
	c->v2 = v2;
	g->n++;
	return 0;
}

/* "CTRL[,CTRL...]:PATH": where PATH starts, or NULL (recorded). */
static const char *spec_path(const char *spec)
{
	const char *colon = strchr(spec, ':');

	if (!colon || colon == spec) {
		bk_fail("-g '%s': want CONTROLLER[,CONTROLLER...]:PATH", spec);
		return NULL;
	}
	return colon + 1;
}

/* The controllers before the colon, added; how many were named. */
static int add_spec_controllers(struct bk_cgroup *g, const char *spec, const char *path)
{
	_cleanup_free_ char *ctrls = strndup(spec, (size_t)(path - 1 - spec));
	char *save = NULL;
	int named = 0;

	if (!ctrls)
		return bk_fail_errno(ENOMEM, "%s", spec);
	for (char *c = strtok_r(ctrls, ",", &save); c; c = strtok_r(NULL, ",", &save), named++)
		if (bk_cg_add(g, c) < 0)
			return -1;
	return named ? named : bk_fail("-g '%s': no controller named", spec);
}

int bk_cg_open_spec(struct bk_cgroup *g, const char *spec)
{
	const char *path = spec_path(spec);

	memset(g, 0, sizeof(*g));
	if (!path || bk_cg_open(g, path) < 0 || add_spec_controllers(g, spec, path) < 0)
		return -1;
	/* "devices" alone on a cgroup v2 host adds nothing (bk_cg_add) */
	return g->n ? 0 : bk_fail("-g '%s': no controller named", spec);
}

int bk_cg_add_spec(struct bk_cgroup *g, const char *spec)
{
	const char *path = spec_path(spec);
	_cleanup_free_ char *canon = NULL;

	if (!path || canonical_path(path, &canon) < 0)
		return -1;
	if (strcmp(canon, g->path))
		return bk_fail("-g '%s': one group per command, and this one is %s", spec, g->path);
	return add_spec_controllers(g, spec, path) < 0 ? -1 : 0;
}

int bk_cg_add_for(struct bk_cgroup *g, const struct bk_cg_write *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (bk_cg_add(g, w[i].ctrl) < 0)
			return -1;
	return 0;
}

void bk_cg_close(struct bk_cgroup *g)
{
	bk_cg_commit(g);
	for (size_t i = 0; i < g->n; i++) {
		free(g->ctrl[i].mount);
		free(g->ctrl[i].dir);
	}
	free(g->path);
	memset(g, 0, sizeof(*g));
}

const struct bk_cg_ctrl *bk_cg_find(const struct bk_cgroup *g, const char *ctrl)
{
	const char *alias[3] = { ctrl, bk_cg_controller_alias(ctrl, true),
				 bk_cg_controller_alias(ctrl, false) };

	for (int a = 0; a < 3; a++)
		for (size_t i = 0; alias[a] && i < g->n; i++)
			if (!strcmp(g->ctrl[i].name, alias[a]))
				return &g->ctrl[i];
	return NULL;
}

/* Several controllers can share one directory (v2, or v1 co-mounts):
 * true for the first controller of each directory. */
bool bk_cg_first_of_dir(const struct bk_cgroup *g, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(g->ctrl[j].dir, g->ctrl[i].dir))
			return false;
	return true;
}

bool bk_cg_exists_any(const struct bk_cgroup *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (bk_is_dir(g->ctrl[i].dir))
			return true;
	return false;
}

bool bk_cg_exists_all(const struct bk_cgroup *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (!bk_is_dir(g->ctrl[i].dir))
			return false;
	return g->n > 0;
}

/* ---- create, with its undo list ---- */

static int note(struct bk_cgroup *g, const char *path, const char *ctrl)
{
	struct bk_cg_undo *u = &g->undo[g->nundo];

	if (g->nundo >= BK_CG_MAX_UNDO)
		return bk_fail("%s: path too deep", g->path);
	u->path = strdup(path);
	if (!u->path)
		return bk_fail_errno(ENOMEM, "%s", path);
	snprintf(u->ctrl, sizeof(u->ctrl), "%s", ctrl ? ctrl : "");
	g->nundo++;
	return 0;
}

static bool noted_mkdir(const struct bk_cgroup *g, const char *path)
{
	for (size_t i = 0; i < g->nundo; i++)
		if (!g->undo[i].ctrl[0] && !strcmp(g->undo[i].path, path))
			return true;
	return false;
}

/* Is CTRL listed in DIR/cgroup.subtree_control? */
static bool subtree_has(const char *dir, const char *ctrl)
{
	char path[PATH_MAX];
	_cleanup_free_ char *s = NULL;
	size_t n = strlen(ctrl);

	/* too long a path: false, and writing "+CTRL" there fails as it should */
	s = bk_path_in(path, dir, "cgroup.subtree_control") < 0 ? NULL : bk_read_small(path, 4096);
	for (char *p = s; p && (p = strstr(p, ctrl)); p += n)
		if ((p == s || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

static int note_mkdir(struct bk_cgroup *g, const char *dir)
{
	if (bk_is_dir(dir) || noted_mkdir(g, dir))
		return 0;
	BK_TRACE("mkdir %s", dir);
	return note(g, dir, NULL);
}

static int write_value(const struct bk_cg_ctrl *c, const char *dir, const char *file,
		       const char *value);

/* A v2 controller's files appear in a group only when every ancestor
 * lists it in cgroup.subtree_control. libcgroup 2.0.2 writes "+C" into
 * the levels between the mount point and the group, but not into the
 * mount point itself unless the group is one level deep, so a nested
 * group fails with ENOENT on a host (like a hybrid one) whose root does
 * not enable C. Enable it here where it is missing, noting it for undo. */
static int enable_v2(struct bk_cgroup *g, const struct bk_cg_ctrl *c)
{
	char level[PATH_MAX], val[40];
	size_t mlen = strlen(c->mount), len = strlen(c->dir);

	snprintf(val, sizeof(val), "+%s", c->name);
	memcpy(level, c->dir, len + 1);
	for (size_t i = mlen; i < len; i++) {
		if (level[i] != '/')
			continue;
		level[i] = '\0';
		if (bk_is_dir(level) && !subtree_has(level, c->name) &&
		    (write_value(c, level, "cgroup.subtree_control", val) < 0 ||
		     note(g, level, c->name) < 0))
			return -1;
		level[i] = '/';
	}
	return 0;
}

/* Before libcgroup creates controller C's directory: enable a v2
 * controller where needed, trace what libcgroup will do and note the
 * directories it will make, so a failed create can take them back. */
static int prepare_ctrl(struct bk_cgroup *g, const struct bk_cg_ctrl *c)
{
	char level[PATH_MAX];
	size_t mlen = strlen(c->mount), len = strlen(c->dir);
	bool one_deep = !strchr(c->dir + mlen + 1, '/');

	if (len >= sizeof(level))
		return bk_fail("%s: path too long", c->dir);
	if (c->v2 && enable_v2(g, c) < 0)
		return -1;
	memcpy(level, c->dir, len + 1);
	for (size_t i = mlen; i <= len; i++) {
		if (level[i] != '/' && level[i] != '\0')
			continue;
		level[i] = '\0';
		if (i > mlen && note_mkdir(g, level) < 0)
			return -1;
		/* what libcgroup's cgroupv2_subtree_control_recursive() writes */
		if (c->v2 && i < len && (i > mlen || one_deep))
			BK_TRACE("write %s/cgroup.subtree_control +%s", level, c->name);
		level[i] = c->dir[i];
	}
	return 0;
}

static int cg_error(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record "fmt...: libcgroup's reason" (errno set when it was a syscall). */
static int cg_error(int ret, const char *fmt, ...)
{
	char what[2048];
	va_list ap;
	int err = ret == ECGOTHER ? cgroup_get_last_errno() : 0;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (err)
		return bk_fail_errno(err, "%s", what);
	if (ret == ECGROUPVALUENOTEXIST)
		return bk_fail_errno(ENOENT, "%s", what);
	return bk_fail("%s: %s", what, cgroup_strerror(ret));
}

/* One value through libcgroup (cgroup_modify_cgroup on a one-value group,
 * so a failure names the file that failed). */
static int write_value(const struct bk_cg_ctrl *c, const char *dir, const char *file,
		       const char *value)
{
	const char *name = dir + strlen(c->mount);
	struct cgroup *cg;
	struct cgroup_controller *cc;
	int ret = ECGOTHER;

	BK_TRACE("write %s/%s %s", dir, file, value);
	cg = cgroup_new_cgroup(*name ? name : "/");
	cc = cg ? cgroup_add_controller(cg, c->name) : NULL;
	if (cc)
		ret = cgroup_add_value_string(cc, file, value);
	if (cc && !ret)
		ret = cgroup_modify_cgroup(cg);
	if (cg)
		cgroup_free(&cg);
	return ret ? cg_error(ret, "write %s/%s %s", dir, file, value) : 0;
}

/* A new v1 cpuset group starts with no cpus and no mems, and no process
 * can join it: give each level we made its parent's. */
static int init_cpuset(struct bk_cgroup *g, const struct bk_cg_ctrl *c)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	size_t mlen = strlen(c->mount);

	for (size_t u = 0; u < g->nundo; u++) {
		const char *dir = g->undo[u].path;
		char parent[PATH_MAX], path[PATH_MAX];

		if (g->undo[u].ctrl[0] || strncmp(dir, c->mount, mlen) || dir[mlen] != '/')
			continue;
		snprintf(parent, sizeof(parent), "%s", dir);
		*strrchr(parent, '/') = '\0';
		for (int f = 0; f < 2; f++) {
			_cleanup_free_ char *mine = NULL, *theirs = NULL;

			if (bk_path_in(path, dir, files[f]) < 0)
				return -1;
			mine = bk_read_small(path, 4096);
			if (mine && mine[0] != '\n' && mine[0])
				continue;
			if (bk_path_in(path, parent, files[f]) < 0)
				return -1;
			theirs = bk_read_small(path, 4096);
			if (!theirs)
				return -1;
			theirs[strcspn(theirs, "\n")] = '\0';
			if (write_value(c, dir, files[f], theirs) < 0)
				return -1;
		}
	}
	return 0;
}

int bk_cg_create(struct bk_cgroup *g, bool *created)
{
	struct cgroup *cg = cgroup_new_cgroup(g->path);
	size_t before = g->nundo;
	int ret = 0;

	*created = false;
	if (!cg)
		return bk_fail("%s: cannot make a libcgroup group", g->path);
	/* exec's hot path: nothing to make (libcgroup would re-read
	 * /proc/mounts for every directory it checks). */
	if (bk_cg_exists_all(g)) {
		cgroup_free(&cg);
		return 0;
	}
	for (size_t i = 0; i < g->n && !ret; i++) {
		if (!cgroup_add_controller(cg, g->ctrl[i].name))
			ret = bk_fail("%s: cannot add controller %s", g->path, g->ctrl[i].name);
		else
			ret = prepare_ctrl(g, &g->ctrl[i]);
	}
	if (!ret) {
		/* ignore_ownership: keep root's ownership, skip the chown walk. */
		int cret = cgroup_create_cgroup(cg, 1);

		if (cret)
			ret = cg_error(cret, "create %s", g->path);
	}
	cgroup_free(&cg);
	for (size_t i = 0; i < g->n && !ret; i++)
		if (!g->ctrl[i].v2 && !strcmp(g->ctrl[i].name, "cpuset"))
			ret = init_cpuset(g, &g->ctrl[i]);
	if (ret) {
		bk_cg_rollback(g);
		return -1;
	}
	*created = g->nundo > before;
	return 0;
}

static int apply_one(struct bk_cgroup *g, const struct bk_cg_write *w)
{
	const struct bk_cg_ctrl *c = bk_cg_find(g, w->ctrl);

	if (!c)
		return bk_fail("%s: controller '%s' is not in the group's list (-g)", w->file, w->ctrl);
	return write_value(c, c->dir, w->file, w->value);
}

int bk_cg_apply(struct bk_cgroup *g, const struct bk_cg_write *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (apply_one(g, &w[i]) == 0)
			continue;
		/* v1 wants memsw >= limit at every moment: when raising both,
		 * memsw has to go first. */
		if (errno == EINVAL && !strcmp(w[i].file, "memory.limit_in_bytes") && i + 1 < n &&
		    !strcmp(w[i + 1].file, "memory.memsw.limit_in_bytes")) {
			if (apply_one(g, &w[i + 1]) < 0 || apply_one(g, &w[i]) < 0)
				return -1;
			i++;
			continue;
		}
		return -1;
	}
	return 0;
}

/* Undo steps must not overwrite the error being reported: no bk_fail. */
static void write_quiet(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, s, strlen(s)) < 0)
		BK_TRACE("undo: write %s %s: %s", path, s, strerror(errno));
	close(fd);
}

/* Plain rmdir/writes: the list holds exactly the directories this run
 * made (libcgroup's delete would also move tasks and walk children). */
void bk_cg_rollback(struct bk_cgroup *g)
{
	while (g->nundo > 0) {
		struct bk_cg_undo *u = &g->undo[--g->nundo];

		if (u->ctrl[0]) {
			char path[PATH_MAX], val[40];

			snprintf(path, sizeof(path), "%s/cgroup.subtree_control", u->path);
			snprintf(val, sizeof(val), "-%s", u->ctrl);
			BK_TRACE("write %s %s", path, val);
			write_quiet(path, val);
		} else {
			BK_TRACE("rmdir %s", u->path);
			if (rmdir(u->path) < 0 && errno != ENOENT)
				BK_TRACE("undo: rmdir %s: %s", u->path, strerror(errno));
		}
		free(u->path);
	}
}

void bk_cg_commit(struct bk_cgroup *g)
{
	while (g->nundo > 0)
		free(g->undo[--g->nundo].path);
}

/* Written here, not with cgroup_attach_task_pid(): libcgroup 2.0.2 writes
 * the pid to v1 `tasks`, which moves one thread; cgroup.procs moves the
 * whole process, as exec and attach promise. */
int bk_cg_attach(const struct bk_cgroup *g, pid_t pid)
{
	char path[PATH_MAX], val[24];

	snprintf(val, sizeof(val), "%d", (int)pid);
	for (size_t i = 0; i < g->n; i++) {
		if (!bk_cg_first_of_dir(g, i))
			continue;
		if (bk_path_in(path, g->ctrl[i].dir, "cgroup.procs") < 0)
			return -1;
		BK_TRACE("write %s %s", path, val);
		if (bk_write_string(path, val) < 0)
			return bk_fail_wrap("attach %s", val);
	}
	return 0;
}

/* The file and value that move the calling process into dir (path has
 * PATH_MAX bytes). On v1, "0"
 * written to `tasks` moves the calling thread only, and for that the
 * kernel skips its global threadgroup lock (Linux 6.0, "cgroup: Optimize
 * single thread migration"): cgroup.procs takes that lock for writing,
 * which waits out an RCU grace period, 8-20 ms measured here, more than
 * all the rest of a container start. A single-threaded caller (cgset-lite
 * is one) moves whole. On v2 a thread cannot leave its domain alone, so
 * it is cgroup.procs there. */
static int self_move(const struct bk_cg_ctrl *c, const char *dir, char *path,
		     char *val, size_t vlen)
{
	snprintf(val, vlen, "%d", c->v2 ? (int)getpid() : 0);
	return bk_path_in(path, dir, c->v2 ? "cgroup.procs" : "tasks");
}

int bk_cg_attach_self(const struct bk_cgroup *g)
{
	char path[PATH_MAX], val[24];

	for (size_t i = 0; i < g->n; i++) {
		if (!bk_cg_first_of_dir(g, i))
			continue;
		if (self_move(&g->ctrl[i], g->ctrl[i].dir, path, val, sizeof(val)) < 0)
			return -1;
		BK_TRACE("write %s %s", path, val);
		if (bk_write_string(path, val) < 0)
			return bk_fail_wrap("attach %d", (int)getpid());
	}
	return 0;
}

void bk_cg_leave(const struct bk_cgroup *g)
{
	char path[PATH_MAX], val[24];
	struct bk_saved_error e;

	bk_error_save(&e);   /* an undo step: the error being reported stays */
	for (size_t i = 0; i < g->n; i++) {
		if (self_move(&g->ctrl[i], g->ctrl[i].mount, path, val, sizeof(val)) < 0)
			continue;
		BK_TRACE("write %s %s", path, val);
		write_quiet(path, val);
	}
	bk_error_restore(&e);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* Why a directory survived cgroup_delete_cgroup_ext(). */
static int explain_busy(const struct bk_cg_ctrl *c)
{
	char path[PATH_MAX];
	_cleanup_free_ char *procs = NULL;
	size_t n;

	if (bk_path_in(path, c->dir, "cgroup.procs") < 0)
		return -1;
	procs = bk_read_small(path, 1 << 20);
	n = count_lines(procs);
	if (n)
		return bk_fail("delete %s: %zu process%s still in it (use --kill)", c->dir, n,
			       n == 1 ? "" : "es");
	if (rmdir(c->dir) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "rmdir %s", c->dir);
	return 0;
}

int bk_cg_delete(struct bk_cgroup *g, bool force)
{
	struct cgroup *cg;
	int ret = 0;

	if (!bk_cg_exists_any(g))
		return force ? 0 : bk_fail("%s: no such group", g->path);
	cg = cgroup_new_cgroup(g->path);
	if (!cg)
		return bk_fail("%s: cannot make a libcgroup group", g->path);
	for (size_t i = 0; i < g->n && !ret; i++) {
		if (!cgroup_add_controller(cg, g->ctrl[i].name))
			ret = bk_fail("%s: cannot add controller %s", g->path, g->ctrl[i].name);
		else if (bk_cg_first_of_dir(g, i) && bk_is_dir(g->ctrl[i].dir))
			BK_TRACE("rmdir %s", g->ctrl[i].dir);
	}
	/* EMPTY_ONLY: plain rmdir; never move the group's tasks to the parent,
	 * where they would escape its limits. */
	if (!ret)
		ret = cgroup_delete_cgroup_ext(cg, CGFLAG_DELETE_EMPTY_ONLY);
	cgroup_free(&cg);
	if (ret < 0)
		return -1;
	for (size_t i = 0; i < g->n; i++)
		if (bk_is_dir(g->ctrl[i].dir) && explain_busy(&g->ctrl[i]) < 0)
			return -1;
	if (ret && ret != ECGNONEMPTY)
		return cg_error(ret, "delete %s", g->path);
	return 0;
}

char *bk_cg_read(const struct bk_cgroup *g, const char *ctrl, const char *file)
{
	const struct bk_cg_ctrl *c = bk_cg_find(g, ctrl);
	char path[PATH_MAX];

	if (!c) {
		bk_fail("%s: controller '%s' not in the group", file, ctrl);
		return NULL;
	}
	if (bk_path_in(path, c->dir, file) < 0)
		return NULL;
	return bk_read_small(path, 1 << 16);
}
