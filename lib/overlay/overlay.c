/* overlay: overlayfs mount/umount, classic (libmount) or new mount API. */
#include "overlay/overlay.h"
#include "base/array.h"
#include "base/cleanup.h"
#include "overlay/fsctx.h"
#include "base/msg.h"

#include <errno.h>
#include <libmount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* Mount flags -o may carry; anything else (bind, move, remount...) is
 * not a way to mount an overlay. */
#define ALLOWED_MFLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | \
			MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME)

static const struct { unsigned long ms; unsigned attr; const char *name; } mflag_map[] = {
	{ MS_RDONLY, MOUNT_ATTR_RDONLY, "MS_RDONLY" },
	{ MS_NOSUID, MOUNT_ATTR_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, MOUNT_ATTR_NODEV, "MS_NODEV" },
	{ MS_NOEXEC, MOUNT_ATTR_NOEXEC, "MS_NOEXEC" },
	{ MS_NOATIME, MOUNT_ATTR_NOATIME, "MS_NOATIME" },
	{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME, "MS_NODIRATIME" },
	{ MS_STRICTATIME, MOUNT_ATTR_STRICTATIME, "MS_STRICTATIME" },
	{ MS_RELATIME, 0, "MS_RELATIME" },        /* the new API's default */
};

static void mnt_free_contextp(struct libmnt_context **c)
{
	mnt_free_context(*c);
}
#define _cleanup_mnt_context_ __attribute__((cleanup(mnt_free_contextp)))

/* -o split into mount flags and overlay's own options. */
struct plan {
	unsigned long mflags;
	char *fsopts;           /* may be NULL */
};

static void plan_free(struct plan *p)
{
	free(p->fsopts);
}

static int plan_options(const struct bk_ovl *o, struct plan *p)
{
	_cleanup_free_ char *vfs = NULL;
	_cleanup_free_ char *user = NULL;

	*p = (struct plan){ 0 };
	if (o->options && mnt_split_optstr(o->options, &user, &vfs, &p->fsopts, 0, 0))
		return bk_fail("-o %s: cannot parse the option string", o->options);
	if (vfs && mnt_optstr_get_flags(vfs, &p->mflags,
					mnt_get_builtin_optmap(MNT_LINUX_MAP)) < 0)
		return bk_fail("-o %s: cannot parse the mount flags", vfs);
	if ((p->mflags & ~ALLOWED_MFLAGS) || user)
		return bk_fail("-o %s: not an overlay option (mount flags allowed: "
			       "ro nosuid nodev noexec noatime nodiratime relatime "
			       "strictatime)", user ? user : vfs);
	if (!o->upper)
		p->mflags |= MS_RDONLY;
	return 0;
}

/* Append path with overlay's escapes for ':' and '\'. */
static void put_escaped(FILE *f, const char *path)
{
	for (const char *s = path; *s; s++) {
		if (*s == ':' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static int refuse_commas(const struct bk_ovl *o)
{
	const char *bad = NULL;

	for (size_t i = 0; i < o->nlowers && !bad; i++)
		if (strchr(o->lowers[i], ','))
			bad = o->lowers[i];
	if (!bad && o->upper && strchr(o->upper, ','))
		bad = o->upper;
	if (!bad && o->work && strchr(o->work, ','))
		bad = o->work;
	if (bad)
		return bk_fail("%s: a path with ',' cannot go into mount(2)'s "
			       "option string (the new mount API can take it)", bad);
	return 0;
}

static char *classic_string(const struct bk_ovl *o, const char *fsopts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (refuse_commas(o) < 0)
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f) {
		bk_fail_errno(errno, "open_memstream");
		return NULL;
	}
	fputs("lowerdir=", f);
	for (size_t i = 0; i < o->nlowers; i++) {
		if (i)
			fputc(':', f);
		put_escaped(f, o->lowers[i]);
	}
	if (o->upper) {
		fputs(",upperdir=", f);
		put_escaped(f, o->upper);
		fputs(",workdir=", f);
		put_escaped(f, o->work);
	}
	if (o->volatile_)
		fputs(",volatile", f);
	if (o->index_off)
		fputs(",index=off", f);
	if (o->userxattr)
		fputs(",userxattr", f);
	if (fsopts && *fsopts)
		fprintf(f, ",%s", fsopts);
	if (fclose(f) != 0) {
		free(buf);
		bk_fail_errno(ENOMEM, "option string");
		return NULL;
	}
	return buf;
}

char *bk_ovl_classic_options(const struct bk_ovl *o)
{
	struct plan p;
	char *s;

	if (plan_options(o, &p) < 0)
		return NULL;
	s = classic_string(o, p.fsopts);
	plan_free(&p);
	return s;
}

static const char *mflag_names(unsigned long mflags, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(mflag_map); i++)
		if (mflags & mflag_map[i].ms)
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s",
				      n ? "|" : "", mflag_map[i].name);
	if (!n)
		snprintf(buf, len, "0");
	return buf;
}

static unsigned mount_attrs(unsigned long mflags)
{
	unsigned attrs = 0;

	for (size_t i = 0; i < ARRAY_SIZE(mflag_map); i++)
		if (mflags & mflag_map[i].ms)
			attrs |= mflag_map[i].attr;
	return attrs;
}

/* ---- new mount API ---- */

/* Too long for an fsconfig string, or holding the '\' that overlay would
 * unescape in upperdir/workdir: pass an O_PATH fd instead. */
static int set_dir(int fsfd, const char *key, const char *path, bool literal)
{
	if (strlen(path) > BK_FSCTX_STRING_MAX || (!literal && strchr(path, '\\')))
		return bk_fsctx_set_path(fsfd, key, path);
	return bk_fsctx_set_string(fsfd, key, path);
}

static int set_extra_options(int fsfd, const char *fsopts)
{
	_cleanup_free_ char *copy = fsopts ? strdup(fsopts) : NULL;
	char *next = copy, *name, *value;
	size_t namesz, valuesz;

	if (fsopts && !copy)
		return bk_fail_errno(ENOMEM, "options");
	while (next && mnt_optstr_next_option(&next, &name, &namesz, &value, &valuesz) == 0) {
		_cleanup_free_ char *key = strndup(name, namesz);
		_cleanup_free_ char *val = value ? strndup(value, valuesz) : NULL;

		if (!key || (value && !val))
			return bk_fail_errno(ENOMEM, "options");
		if ((val ? bk_fsctx_set_string(fsfd, key, val)
			 : bk_fsctx_set_flag(fsfd, key)) < 0)
			return -1;
	}
	return 0;
}

/* fsopen + every fsconfig + create. Returns the context fd, -1 on error,
 * -2 when this kernel lacks the new API or overlay's "lowerdir+". */
static int configure_new(const struct bk_ovl *o, const struct plan *p)
{
	_cleanup_close_ int fsfd = bk_fsctx_open("overlay");

	if (fsfd < 0)
		return errno == ENOSYS ? -2 : -1;
	if (bk_fsctx_set_string(fsfd, "source", "overlay") < 0)
		return -1;
	for (size_t i = 0; i < o->nlowers; i++)
		if (set_dir(fsfd, "lowerdir+", o->lowers[i], true) < 0)
			return (i == 0 && errno == EINVAL) ? -2 : -1;
	if (o->upper && (set_dir(fsfd, "upperdir", o->upper, false) < 0 ||
			 set_dir(fsfd, "workdir", o->work, false) < 0))
		return -1;
	if ((o->volatile_ && bk_fsctx_set_flag(fsfd, "volatile") < 0) ||
	    (o->index_off && bk_fsctx_set_string(fsfd, "index", "off") < 0) ||
	    (o->userxattr && bk_fsctx_set_flag(fsfd, "userxattr") < 0) ||
	    set_extra_options(fsfd, p->fsopts) < 0 ||
	    bk_fsctx_create(fsfd) < 0)
		return -1;
	/* cppcheck-suppress unreadVariable ; disarms the cleanup */
	return bk_steal_fd(fsfd);
}

static int mount_new(const struct bk_ovl *o, const struct plan *p)
{
	_cleanup_close_ int fsfd = configure_new(o, p);

	if (fsfd == -2)
		return bk_fail_wrap("the new mount API with overlay's lowerdir+ "
				    "(Linux 6.8+) is not available");
	if (fsfd < 0 || bk_fsctx_attach(fsfd, mount_attrs(p->mflags), o->merged) < 0)
		return bk_fail_wrap("mount overlay on %s", o->merged);
	return 0;
}

/* ---- classic mount(2) through libmount ---- */

/* bk_trace() cuts lines at 4 KiB; a one-page option string plus the call
 * around it is longer, and -v promises the exact call: one write(2). */
static void trace_mount_call(const char *merged, unsigned long mflags, const char *opts)
{
	_cleanup_free_ char *line = NULL;
	char flags[200];
	int n = asprintf(&line, "%s: mount(\"overlay\", \"%s\", \"overlay\", %s, \"%s\")\n",
			 bk_prog, merged, mflag_names(mflags, flags, sizeof(flags)), opts);

	if (n > 0 && write(STDERR_FILENO, line, n) < 0)
		return;
}

/* mount(2) only says "Invalid argument"; overlay's reason went to dmesg.
 * Replay the same configuration through fsopen (no mount is made) to read
 * the kernel's message from the context. */
static int explain_classic_failure(const struct bk_ovl *o, const struct plan *p, int err)
{
	int saved_verbose = bk_verbose;
	int fsfd;

	if (err == ENODEV)
		return bk_fail("kernel has no overlay support (modprobe overlay)");
	bk_verbose = 0;
	fsfd = configure_new(o, p);
	bk_verbose = saved_verbose;
	if (fsfd >= 0) {
		close(fsfd);
		return bk_fail_errno(err, "mount overlay on %s", o->merged);
	}
	if (fsfd == -2)
		return bk_fail_errno(err, "mount overlay on %s", o->merged);
	return bk_fail_wrap("mount overlay on %s", o->merged);
}

static int mount_classic(const struct bk_ovl *o, const struct plan *p, const char *opts)
{
	_cleanup_mnt_context_ struct libmnt_context *cxt = mnt_new_context();
	char why[512];
	int rc;

	if (!cxt)
		return bk_fail_errno(ENOMEM, "libmount context");
	if (mnt_context_set_fstype(cxt, "overlay") || mnt_context_set_source(cxt, "overlay") ||
	    mnt_context_set_target(cxt, o->merged) || mnt_context_set_options(cxt, opts) ||
	    mnt_context_set_mflags(cxt, p->mflags) ||
	    mnt_context_set_optsmode(cxt, MNT_OMODE_IGNORE | MNT_OMODE_NOTAB) ||
	    mnt_context_disable_canonicalize(cxt, 1) || mnt_context_disable_helpers(cxt, 1))
		return bk_fail("libmount: cannot set up the mount context");
	if (bk_verbose)
		trace_mount_call(o->merged, p->mflags, opts);
	rc = mnt_context_mount(cxt);
	if (rc == 0)
		return 0;
	if (mnt_context_syscall_called(cxt))
		return explain_classic_failure(o, p, mnt_context_get_syscall_errno(cxt));
	mnt_context_get_excode(cxt, rc, why, sizeof(why));
	return bk_fail("mount overlay on %s: %s", o->merged, why[0] ? why : "libmount failed");
}

int bk_ovl_mount(const struct bk_ovl *o)
{
	struct plan p __attribute__((cleanup(plan_free)));
	_cleanup_free_ char *opts = NULL;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	enum bk_ovl_api api = o->api;
	bool fits;

	if (plan_options(o, &p) < 0)
		return -1;
	opts = classic_string(o, p.fsopts);
	fits = opts && strlen(opts) < page;
	if (api == BK_OVL_API_AUTO)
		api = fits ? BK_OVL_API_CLASSIC : BK_OVL_API_NEW;
	if (api == BK_OVL_API_NEW) {
		if (mount_new(o, &p) == 0)
			return 0;
		if (o->api == BK_OVL_API_AUTO && opts)
			return bk_fail_wrap("%zu lower layers need %zu bytes of mount "
					    "options, more than mount(2)'s one page "
					    "(%zu)", o->nlowers, strlen(opts), page);
		return -1;
	}
	if (!opts)
		return -1;
	if (!fits)
		return bk_fail("%zu lower layers need %zu bytes of mount options, more "
			       "than mount(2)'s one page (%zu): drop --api=classic so "
			       "the new mount API is used", o->nlowers, strlen(opts), page);
	return mount_classic(o, &p, opts);
}

int bk_ovl_umount(const char *merged, bool lazy)
{
	_cleanup_mnt_context_ struct libmnt_context *cxt = mnt_new_context();
	struct libmnt_fs *fs = NULL;
	const char *fstype;
	char why[512];
	int rc;

	if (!cxt)
		return bk_fail_errno(ENOMEM, "libmount context");
	rc = mnt_context_find_umount_fs(cxt, merged, &fs);
	if (rc < 0)
		return bk_fail_errno(-rc, "%s", merged);
	if (rc == 1 || !fs)
		return bk_fail("%s: not mounted", merged);
	fstype = mnt_fs_get_fstype(fs);
	if (!fstype || strcmp(fstype, "overlay") != 0)
		return bk_fail("%s: is a %s mount, not an overlay (use umount)",
			       merged, fstype ? fstype : "unknown");
	if (mnt_context_set_target(cxt, merged) || mnt_context_enable_lazy(cxt, lazy) ||
	    mnt_context_disable_helpers(cxt, 1))
		return bk_fail("libmount: cannot set up the umount context");
	BK_TRACE("umount2(\"%s\", %s)", merged, lazy ? "MNT_DETACH" : "0");
	rc = mnt_context_umount(cxt);
	if (rc == 0)
		return 0;
	if (mnt_context_syscall_called(cxt)) {
		int err = mnt_context_get_syscall_errno(cxt);
		if (err == EBUSY)
			return bk_fail("%s: busy (a process uses it; --lazy detaches "
				       "it now and frees it when unused)", merged);
		return bk_fail_errno(err, "umount %s", merged);
	}
	mnt_context_get_excode(cxt, rc, why, sizeof(why));
	return bk_fail("umount %s: %s", merged, why[0] ? why : "libmount failed");
}
