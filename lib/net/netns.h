/* netns: named network namespaces the iproute2 way (/run/netns/NAME is a
 * bind mount of an nsfs file on a shared mount, so `ip netns exec NAME`
 * and `nsenter --net=/run/netns/NAME` work on them), and stepping into a
 * network namespace and back with setns(2). Each step is traced with -v. */
#ifndef BK_NETNS_H
#define BK_NETNS_H

#include <stdbool.h>

#define BK_NETNS_DIR "/run/netns"

/* NAME -> /run/netns/NAME (NAME checked); anything with a '/' is a path
 * to a netns file and is returned as is. malloc'd, NULL on error. */
char *bk_netns_path(const char *name_or_path);
/* Is path a /run/netns/NAME entry (one vethup may create and delete)? */
bool bk_netns_is_named(const char *path);

/* fd of the calling thread's current netns. */
int bk_netns_self(void);
/* open(path) checked to be a network namespace. */
int bk_netns_open(const char *path);
/* setns(fd, CLONE_NEWNET); label names it in traces and errors. */
int bk_netns_enter(int fd, const char *label);

/* Make a new netns and bind it at path (a /run/netns/NAME that must not
 * exist). Leaves the calling thread INSIDE the new netns: open what you
 * need there, then bk_netns_enter() back. On failure nothing is left and
 * the thread is back where it was. */
int bk_netns_create(const char *path);
/* umount + unlink path. 1 deleted, 0 was not there, -1 error. */
int bk_netns_delete(const char *path);

#endif
