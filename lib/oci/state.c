/* state: the state directory of a container (state.h). */
#include "oci/state.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "oci/jfield.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const status_names[] = { "creating", "created", "running", "paused", "stopped" };

const char *bk_oci_status_name(enum bk_oci_status s)
{
	return status_names[s];
}

bool bk_oci_valid_id(const char *id)
{
	size_t n = strlen(id);

	return n > 0 && n < 256 && id[0] != '.' && id[0] != '-' &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-") == n;
}

const char *bk_oci_state_file(const struct bk_oci_state *s, const char *name, char buf[static PATH_MAX])
{
	snprintf(buf, PATH_MAX, "%s/%.*s", s->dir, BK_OCI_STATE_NAME_MAX - 2, name);
	return buf;
}

static int set_dir(const char *root, const char *id, struct bk_oci_state *s)
{
	memset(s, 0, sizeof(*s));
	if (!bk_oci_valid_id(id))
		return bk_fail("container id '%s': want 1-255 of A-Z a-z 0-9 _ . + - (not starting with . or -)",
			       id);
	snprintf(s->id, sizeof(s->id), "%s", id);
	if (snprintf(s->dir, sizeof(s->dir), "%s/%s", root, id) >= (int)sizeof(s->dir))
		return bk_fail("--root %s: path too long", root);
	return 0;
}

int bk_oci_state_claim(const char *root, const char *id, struct bk_oci_state *s)
{
	if (set_dir(root, id, s) < 0)
		return -1;
	if (mkdir(root, 0700) < 0 && errno != EEXIST && bk_mkdir_p(root, 0700) < 0)
		return bk_fail_wrap("--root");
	BK_TRACE("mkdir %s", s->dir);
	if (mkdir(s->dir, 0700) < 0) {
		if (errno == EEXIST)
			return bk_fail("container %s: exists already", id);
		return bk_fail_errno(errno, "mkdir %s", s->dir);
	}
	return 0;
}

static int copy_str(const json_t *o, const char *key, char *buf, size_t len)
{
	const char *v = NULL;

	if (bk_j_string(o, "state.json", key, &v) < 0)
		return -1;
	if (!v || strlen(v) >= len)
		return bk_fail("state.json: %s: missing or too long", key);
	memcpy(buf, v, strlen(v) + 1);
	return 0;
}

static int read_record(const json_t *o, struct bk_oci_state *s)
{
	int64_t pid = 0, start = 0;
	json_t *ctrls, *c;
	size_t i;

	if (bk_j_int(o, "state.json", "pid", 1, INT32_MAX, &pid, NULL) < 0 ||
	    bk_j_int(o, "state.json", "start_time", 0, INT64_MAX, &start, NULL) < 0 ||
	    copy_str(o, "bundle", s->bundle, sizeof(s->bundle)) < 0 ||
	    copy_str(o, "rootfs", s->rootfs, sizeof(s->rootfs)) < 0 ||
	    copy_str(o, "created", s->created, sizeof(s->created)) < 0 ||
	    copy_str(o, "cgroup", s->cgroup, sizeof(s->cgroup)) < 0 ||
	    bk_j_typed(o, "state.json", "controllers", JSON_ARRAY, &ctrls) < 0)
		return -1;
	int64_t pidns = 0, mntns = 0;
	if (bk_j_int(o, "state.json", "pidns", 0, INT64_MAX, &pidns, NULL) < 0 ||
	    bk_j_int(o, "state.json", "mntns", 0, INT64_MAX, &mntns, NULL) < 0)
		return -1;
	s->pid = (pid_t)pid;
	s->start_time = (uint64_t)start;
	s->pidns = (uint64_t)pidns;
	s->mntns = (uint64_t)mntns;
	json_array_foreach(ctrls, i, c) {
		struct bk_oci_ctrl *k = &s->ctrls[s->nctrls];
		const char *name = NULL, *mount = NULL;
		bool v2 = false;

		if (s->nctrls == BK_OCI_MAX_CTRLS || bk_j_string(c, "state.json", "name", &name) < 0 ||
		    bk_j_string(c, "state.json", "mount", &mount) < 0 || bk_j_bool(c, "state.json", "v2", &v2) < 0 ||
		    !name || !mount || strlen(name) >= sizeof(k->name) || strlen(mount) >= sizeof(k->mount))
			return bk_fail("state.json: controllers[%zu]: invalid", i);
		snprintf(k->name, sizeof(k->name), "%s", name);
		snprintf(k->mount, sizeof(k->mount), "%s", mount);
		k->v2 = v2;
		s->nctrls++;
	}
	s->annotations = json_incref(bk_j_get(o, "annotations"));
	s->made = json_incref(bk_j_get(o, "made"));
	if (s->made && !json_is_array(s->made))
		return bk_fail("state.json: made: not an array");
	return bk_j_bool(o, "state.json", "host_mounts", &s->host_mounts);
}

int bk_oci_state_load(const char *root, const char *id, struct bk_oci_state *s)
{
	char path[PATH_MAX];
	json_error_t err;
	json_auto_t *o = NULL;
	struct stat st;

	if (set_dir(root, id, s) < 0)
		return -1;
	bk_oci_state_file(s, "state.json", path);
	o = json_load_file(path, 0, &err);
	if (!o) {
		if (stat(path, &st) < 0 && errno == ENOENT)
			return bk_fail("container %s does not exist", id);
		return bk_fail("%s: %s", path, err.text);
	}
	if (read_record(o, s) < 0) {
		bk_oci_state_free(s);
		return -1;
	}
	return 0;
}

int bk_oci_state_save(const struct bk_oci_state *s)
{
	char path[PATH_MAX];
	json_auto_t *ctrls = json_array();
	json_auto_t *o = NULL;
	_cleanup_free_ char *text = NULL;

	for (size_t i = 0; ctrls && i < s->nctrls; i++)
		json_array_append_new(ctrls, json_pack("{s:s, s:b, s:s}", "name", s->ctrls[i].name,
						       "v2", s->ctrls[i].v2, "mount", s->ctrls[i].mount));
	o = json_pack("{s:s, s:i, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:O}", "id", s->id, "pid", (int)s->pid,
		      "start_time", (json_int_t)s->start_time, "pidns", (json_int_t)s->pidns,
		      "mntns", (json_int_t)s->mntns, "bundle", s->bundle, "rootfs", s->rootfs,
		      "created", s->created, "cgroup", s->cgroup, "controllers", ctrls);
	if (o && s->annotations)
		json_object_set(o, "annotations", s->annotations);
	if (o && s->made)
		json_object_set(o, "made", s->made);
	if (o && s->host_mounts)
		json_object_set_new(o, "host_mounts", json_true());
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!text)
		return bk_fail("state.json: cannot encode");
	bk_oci_state_file(s, "state.json", path);
	BK_TRACE("write %s", path);
	return bk_write_atomic(path, text, 0600);
}

int bk_oci_state_remove(const struct bk_oci_state *s)
{
	_cleanup_closedir_ DIR *d = opendir(s->dir);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "%s", s->dir);
	/* only ocirun's own flat files live here */
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	BK_TRACE("rmdir %s", s->dir);
	if (rmdir(s->dir) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "rmdir %s", s->dir);
	return 0;
}

void bk_oci_state_free(struct bk_oci_state *s)
{
	json_decref(s->annotations);
	json_decref(s->made);
	s->annotations = s->made = NULL;
}

/* Field 22 of /proc/PID/stat, and the state letter (field 3). */
static uint64_t stat_start(pid_t pid, char *state)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	int field = 2;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	for (char *save = NULL, *tok = strtok_r(p + 1, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (++field == 3)
			*state = tok[0];
		if (field == 22)
			return strtoull(tok, NULL, 10);
	}
	return 0;
}

uint64_t bk_oci_proc_start_time(pid_t pid)
{
	char state = '?';
	uint64_t t = stat_start(pid, &state);

	return state == 'Z' || state == 'X' ? 0 : t;
}

static uint64_t ns_inode(pid_t pid, const char *kind)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, kind);
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

int bk_oci_state_fingerprint(struct bk_oci_state *s)
{
	s->start_time = bk_oci_proc_start_time(s->pid);
	s->pidns = ns_inode(s->pid, "pid");
	s->mntns = ns_inode(s->pid, "mnt");
	if (!s->start_time || !s->pidns || !s->mntns)
		return bk_fail("the container's first process exited during setup");
	return 0;
}

bool bk_oci_state_alive(const struct bk_oci_state *s)
{
	return s->pid > 0 && s->start_time && bk_oci_proc_start_time(s->pid) == s->start_time &&
	       ns_inode(s->pid, "pid") == s->pidns && ns_inode(s->pid, "mnt") == s->mntns;
}

enum bk_oci_status bk_oci_state_status(const struct bk_oci_state *s, bool frozen)
{
	char fifo[PATH_MAX];
	struct stat st;

	if (!bk_oci_state_alive(s))
		return BK_OCI_STOPPED;
	if (stat(bk_oci_state_file(s, "exec.fifo", fifo), &st) == 0)
		return BK_OCI_CREATED;
	return frozen ? BK_OCI_PAUSED : BK_OCI_RUNNING;
}

char *bk_oci_state_json(const struct bk_oci_state *s, enum bk_oci_status st, bool pretty)
{
	json_auto_t *o = NULL;
	int pid = st == BK_OCI_STOPPED ? 0 : (int)s->pid;

	if (pretty)
		o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "ociVersion", BK_OCI_VERSION,
			      "id", s->id, "pid", pid, "status", bk_oci_status_name(st), "bundle", s->bundle,
			      "rootfs", s->rootfs, "created", s->created, "owner", "");
	else
		o = json_pack("{s:s, s:s, s:s, s:i, s:s}", "ociVersion", BK_OCI_VERSION, "id", s->id,
			      "status", bk_oci_status_name(st), "pid", pid, "bundle", s->bundle);
	if (!o) {
		bk_fail("state: cannot encode");
		return NULL;
	}
	if (s->annotations && json_object_size(s->annotations))
		json_object_set(o, "annotations", s->annotations);
	char *text = json_dumps(o, pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER : JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		bk_fail("state: cannot encode");
	return text;
}

void bk_oci_now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%09ldZ", date, ts.tv_nsec);
}
