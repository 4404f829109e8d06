/* rtnl: rtnetlink request/ack with extended ACK messages (see rtnl.h). */
#include "net/rtnl.h"
#include "base/msg.h"

#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* What one request collects while its answer is parsed. */
struct talk {
	mnl_cb_t cb;
	void *data;
	int err;
	char extack[256];
};

int bk_rtnl_open(struct bk_rtnl *r, const char *where)
{
	int on = 1;

	memset(r, 0, sizeof(*r));
	snprintf(r->where, sizeof(r->where), "%s", where ? where : "");
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!r->nl)
		return bk_fail_errno(errno, "rtnetlink socket");
	/* Ask for the kernel's error text, no copy of our request, and the
	 * strict checks that make dump filters and target netns ids work. */
	mnl_socket_setsockopt(r->nl, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(r->nl, NETLINK_CAP_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(r->nl, NETLINK_GET_STRICT_CHK, &on, sizeof(on));
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;
		bk_rtnl_close(r);
		return bk_fail_errno(err, "rtnetlink bind");
	}
	r->portid = mnl_socket_get_portid(r->nl);
	return 0;
}

int bk_rtnl_open_events(struct bk_rtnl *r, unsigned groups, const char *where)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->where, sizeof(r->where), "%s", where ? where : "");
	r->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!r->nl)
		return bk_fail_errno(errno, "rtnetlink socket");
	if (mnl_socket_bind(r->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int err = errno;
		bk_rtnl_close(r);
		return bk_fail_errno(err, "rtnetlink bind to groups %#x", groups);
	}
	r->portid = mnl_socket_get_portid(r->nl);
	return 0;
}

long bk_rtnl_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int bk_rtnl_wait(struct bk_rtnl *r, long deadline, mnl_cb_t cb, void *data)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(r->nl), .events = POLLIN };
	char buf[32768];

	for (long left; (left = deadline - bk_rtnl_clock_ms()) > 0;) {
		ssize_t n;
		int ret = poll(&p, 1, (int)left);

		if (ret < 0 && errno != EINTR)
			return bk_fail_errno(errno, "poll rtnetlink%s", r->where);
		if (ret <= 0)
			continue;
		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0 && errno == ENOBUFS)
			return 0;   /* the socket overflowed: some were lost */
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return bk_fail_errno(errno, "receive rtnetlink%s", r->where);
		if (n > 0 && mnl_cb_run(buf, (size_t)n, 0, 0, cb, data) == MNL_CB_STOP)
			return 1;
	}
	return 0;
}

void bk_rtnl_close(struct bk_rtnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

struct nlmsghdr *bk_rtnl_msg(void *buf, uint16_t type, uint16_t flags,
			     size_t extra, void **hdr)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	*hdr = mnl_nlmsg_put_extra_header(nlh, extra);
	return nlh;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct talk *t = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(t->extack, sizeof(t->extack), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int on_error(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct talk *t = data;
	size_t off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		t->err = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;   /* the ack */
	t->err = e->error < 0 ? -e->error : e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
		if (off < nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, extack_attr, t);
	}
	return MNL_CB_ERROR;
}

static int on_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* A dump ends with NLMSG_DONE; the error of a dump the kernel refused
 * (a bad filter, a target netns id that is gone) is its payload, followed
 * by the extended ACK attributes. */
static int on_done(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err == 0)
		return MNL_CB_STOP;
	t->err = err < 0 ? -err : err;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mnl_attr_parse(nlh, sizeof(err), extack_attr, t);
	return MNL_CB_ERROR;
}

static int on_reply(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

static int fail_talk(const struct talk *t, const char *desc)
{
	if (t->extack[0]) {
		bk_fail("%s: %s (%s)", desc, t->extack, strerror(t->err));
		errno = t->err;
		return -1;
	}
	return bk_fail_errno(t->err, "%s", desc);
}

/* After an interrupted dump: read on to its end (NLMSG_DONE or an error),
 * so that the next request does not receive the rest. */
static void drain_dump(struct bk_rtnl *r, char *buf, size_t size, ssize_t n,
		       unsigned seq)
{
	for (;;) {
		int len = (int)n;
		for (const struct nlmsghdr *h = (const void *)buf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len))
			if (h->nlmsg_seq == seq && (h->nlmsg_type == NLMSG_DONE ||
						    h->nlmsg_type == NLMSG_ERROR))
				return;
		n = mnl_socket_recvfrom(r->nl, buf, size);
		if (n <= 0)
			return;
	}
}

int bk_rtnl_talk(struct bk_rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data, const char *desc)
{
	static mnl_cb_t ctl[NLMSG_MIN_TYPE] = {   /* libmnl takes it non-const */
		[NLMSG_NOOP] = on_noop,
		[NLMSG_ERROR] = on_error,
		[NLMSG_DONE] = on_done,
		[NLMSG_OVERRUN] = on_noop,
	};
	char buf[32768], what[512];   /* 32K: no dump message is truncated */
	struct talk t = { .cb = cb, .data = data };
	int ret;

	snprintf(what, sizeof(what), "%s%s", desc, r->where);

	/* NLM_F_DUMP shares its bits with NLM_F_REPLACE/EXCL: only a GET
	 * (rtnetlink type % 4 == 2) is a dump, ended by NLMSG_DONE. */
	if ((nlh->nlmsg_type & 3) != 2 ||
	    (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	BK_TRACE("%s", what);
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return bk_fail_errno(errno, "%s: send", what);
	do {
		ssize_t n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return bk_fail_errno(errno, "%s: receive", what);
		errno = 0;
		ret = mnl_cb_run2(buf, n, nlh->nlmsg_seq, r->portid, on_reply,
				  &t, ctl, NLMSG_MIN_TYPE);
		if (ret < 0 && errno == EINTR && !t.err) {   /* NLM_F_DUMP_INTR */
			drain_dump(r, buf, sizeof(buf), n, nlh->nlmsg_seq);
			return bk_fail_errno(EINTR, "%s: interrupted", what);
		}
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		if (!t.err)
			t.err = errno ? errno : EPROTO;
		return fail_talk(&t, what);
	}
	return 0;
}

#define DUMP_TRIES 8

int bk_rtnl_dump(struct bk_rtnl *r, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data, void (*reset)(void *data), const char *desc)
{
	int tries = 0;

	while (bk_rtnl_talk(r, nlh, cb, data, desc) < 0) {
		if (errno != EINTR || ++tries >= DUMP_TRIES)
			return -1;
		reset(data);
	}
	return 0;
}
