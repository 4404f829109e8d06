/* fsctx: traced new-mount-API calls with the kernel's messages (fsctx.h). */
#include "overlay/fsctx.h"
#include "base/cleanup.h"
#include "base/msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

/* Drain the context's message queue. "e ..." is the kernel's error text:
 * the last one is kept in err (empty if none); "w"/"i" lines are traced. */
static void read_kernel_messages(int fsfd, char *err, size_t errlen)
{
	char line[512];
	ssize_t n;

	err[0] = '\0';
	while ((n = read(fsfd, line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (line[0] == 'e' && line[1] == ' ')
			snprintf(err, errlen, "%s", line + 2);
		else
			BK_TRACE("kernel: %s", line);
	}
}

/* Record "what: <kernel message>" or "what: strerror(err)". */
static int fail_with_kernel_message(int fsfd, int err, const char *what)
{
	char kmsg[512];

	read_kernel_messages(fsfd, kmsg, sizeof(kmsg));
	if (kmsg[0])
		bk_fail("%s: %s (%s)", what, kmsg, strerror(err));
	else
		bk_fail_errno(err, "%s", what);
	errno = err;
	return -1;
}

int bk_fsctx_open(const char *fstype)
{
	int fd = fsopen(fstype, FSOPEN_CLOEXEC);

	BK_TRACE("fsopen(\"%s\", FSOPEN_CLOEXEC) = %d", fstype, fd);
	if (fd < 0)
		return bk_fail_errno(errno, "fsopen %s", fstype);
	return fd;
}

int bk_fsctx_set_string(int fsfd, const char *key, const char *value)
{
	char what[600];

	BK_TRACE("fsconfig(%d, FSCONFIG_SET_STRING, \"%s\", \"%s\", 0)", fsfd, key, value);
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0) == 0)
		return 0;
	snprintf(what, sizeof(what), "fsconfig %s=%s", key, value);
	return fail_with_kernel_message(fsfd, errno, what);
}

int bk_fsctx_set_flag(int fsfd, const char *key)
{
	char what[300];

	BK_TRACE("fsconfig(%d, FSCONFIG_SET_FLAG, \"%s\", NULL, 0)", fsfd, key);
	if (fsconfig(fsfd, FSCONFIG_SET_FLAG, key, NULL, 0) == 0)
		return 0;
	snprintf(what, sizeof(what), "fsconfig %s", key);
	return fail_with_kernel_message(fsfd, errno, what);
}

int bk_fsctx_set_path(int fsfd, const char *key, const char *path)
{
	_cleanup_close_ int dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	char what[300];

	if (dfd < 0)
		return bk_fail_errno(errno, "open %s", path);
	BK_TRACE("open(\"%s\", O_PATH|O_DIRECTORY|O_CLOEXEC) = %d", path, dfd);
	BK_TRACE("fsconfig(%d, FSCONFIG_SET_FD, \"%s\", NULL, %d)", fsfd, key, dfd);
	if (fsconfig(fsfd, FSCONFIG_SET_FD, key, NULL, dfd) == 0)
		return 0;
	snprintf(what, sizeof(what), "fsconfig %s=<fd of %.200s>", key, path);
	return fail_with_kernel_message(fsfd, errno, what);
}

int bk_fsctx_create(int fsfd)
{
	BK_TRACE("fsconfig(%d, FSCONFIG_CMD_CREATE, NULL, NULL, 0)", fsfd);
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		return 0;
	return fail_with_kernel_message(fsfd, errno, "fsconfig create");
}

static const struct bk_flag_name attr_names[] = {
	{ MOUNT_ATTR_RDONLY, "MOUNT_ATTR_RDONLY" },
	{ MOUNT_ATTR_NOSUID, "MOUNT_ATTR_NOSUID" },
	{ MOUNT_ATTR_NODEV, "MOUNT_ATTR_NODEV" },
	{ MOUNT_ATTR_NOEXEC, "MOUNT_ATTR_NOEXEC" },
	{ MOUNT_ATTR_NOATIME, "MOUNT_ATTR_NOATIME" },
	{ MOUNT_ATTR_STRICTATIME, "MOUNT_ATTR_STRICTATIME" },
	{ MOUNT_ATTR_NODIRATIME, "MOUNT_ATTR_NODIRATIME" },
};

int bk_fsctx_attach(int fsfd, unsigned attrs, const char *target)
{
	_cleanup_close_ int mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);

	if (bk_verbose) {
		char names[200];
		bk_trace("fsmount(%d, FSMOUNT_CLOEXEC, %s) = %d", fsfd,
			 BK_FLAGS_STR(attrs, attr_names, names), mfd);
	}
	if (mfd < 0)
		return fail_with_kernel_message(fsfd, errno, "fsmount");
	BK_TRACE("move_mount(%d, \"\", AT_FDCWD, \"%s\", MOVE_MOUNT_F_EMPTY_PATH)",
		 mfd, target);
	if (move_mount(mfd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return bk_fail_errno(errno, "move_mount onto %s", target);
	return 0;
}
