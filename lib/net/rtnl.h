/* rtnl: one rtnetlink socket (libmnl), bound to the network namespace it
 * was opened in, and request/ack over it: each request is traced with -v as
 * one readable line, and a failure records that line with the kernel's
 * extended ACK message and strerror. */
#ifndef BK_RTNL_H
#define BK_RTNL_H

#include <libmnl/libmnl.h>
#include <stddef.h>
#include <stdint.h>

#define BK_RTNL_BUFSIZE 8192

struct bk_rtnl {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
	char where[80];   /* "" or " netns NAME": appended to trace lines */
};

/* Open a socket in the calling thread's current netns; where labels it.
 * Requests are checked strictly (NETLINK_GET_STRICT_CHK): dumps can be
 * filtered and aimed at another netns by id (IFA_TARGET_NETNSID). */
int bk_rtnl_open(struct bk_rtnl *r, const char *where);
void bk_rtnl_close(struct bk_rtnl *r);

/* A socket that only listens: the notifications of groups (RTMGRP_LINK
 * ...) in the calling thread's current netns. Open it before reading the
 * state it will tell changes of. */
int bk_rtnl_open_events(struct bk_rtnl *r, unsigned groups, const char *where);
/* Pass each notification that arrives before deadline (bk_rtnl_clock_ms)
 * to cb until cb returns MNL_CB_STOP: 1 then, 0 when the time ran out or
 * notifications were lost (ENOBUFS: read the state again), -1 on error. */
int bk_rtnl_wait(struct bk_rtnl *r, long deadline, mnl_cb_t cb, void *data);
/* CLOCK_MONOTONIC in milliseconds. */
long bk_rtnl_clock_ms(void);

/* Start a request of type with flags (NLM_F_REQUEST added) in buf
 * (BK_RTNL_BUFSIZE bytes) followed by a zeroed family header of size
 * extra, returned in *hdr. */
struct nlmsghdr *bk_rtnl_msg(void *buf, uint16_t type, uint16_t flags,
			     size_t extra, void **hdr);

/* Send nlh and wait for the kernel's answer: each reply message goes to cb
 * (may be NULL), then the ack. desc ("RTM_NEWADDR 10.0.0.2/24 dev eth0") is
 * the trace line and the error's "what". On failure errno is the kernel's
 * error (ENODEV, EEXIST...), so callers can tell "absent" apart. A dump
 * the kernel marks interrupted (NLM_F_DUMP_INTR: its set changed while it
 * was read) fails with EINTR once its rest is read: drop what cb
 * collected and ask again. */
int bk_rtnl_talk(struct bk_rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data, const char *desc);

/* A dump through bk_rtnl_talk, asked again (up to 8 times) while the
 * kernel marks it interrupted; reset(data) drops what cb collected before
 * each new try. */
int bk_rtnl_dump(struct bk_rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data, void (*reset)(void *data), const char *desc);

#endif
