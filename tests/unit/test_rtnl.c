/* Unit tests for rtnl as root, in a network namespace of the test's own:
 * a dump read whole, a dump the kernel marks interrupted (addresses added
 * while it is read) asked again after a reset, and a refused dump not. */
#include "tap.h"
#include "base/msg.h"
#include "net/ifconf.h"
#include "net/rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define ADDRS 2000

struct count {
	int seen, resets;
};

static int on_addr(const struct nlmsghdr *nlh, void *data)
{
	struct count *c = data;

	if (nlh->nlmsg_type == RTM_NEWADDR)
		c->seen++;
	return MNL_CB_OK;
}

static void reset_count(void *data)
{
	struct count *c = data;

	c->seen = 0;
	c->resets++;
}

/* An RTM_GETADDR dump of the IPv4 addresses of interface index (0: all);
 * a prefix length in the request is what strict checking refuses. */
static int dump_addrs(struct bk_rtnl *r, int index, unsigned char prefixlen,
		      struct count *c)
{
	char buf[BK_RTNL_BUFSIZE];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_GETADDR, NLM_F_DUMP,
					   sizeof(*ifa), (void **)&ifa);

	ifa->ifa_family = AF_INET;
	ifa->ifa_index = (unsigned)index;
	ifa->ifa_prefixlen = prefixlen;
	*c = (struct count){ 0 };
	return bk_rtnl_dump(r, nlh, on_addr, c, reset_count, "RTM_GETADDR (test)");
}

static struct in_addr addr_n(unsigned net, unsigned n)
{
	struct in_addr a = { htonl((10u << 24) | (net << 16) | n) };
	return a;
}

static bool add_addrs(struct bk_rtnl *r, unsigned net, unsigned count)
{
	for (unsigned i = 1; i <= count; i++)
		if (bk_addr_add_ipv4(r, 1, "lo", addr_n(net, i), 32, false) < 0)
			return false;
	return true;
}

static int del_addr(struct bk_rtnl *r, struct in_addr a)
{
	char buf[BK_RTNL_BUFSIZE];
	struct ifaddrmsg *ifa;
	struct nlmsghdr *nlh = bk_rtnl_msg(buf, RTM_DELADDR, 0, sizeof(*ifa),
					   (void **)&ifa);

	ifa->ifa_family = AF_INET;
	ifa->ifa_index = 1;
	ifa->ifa_prefixlen = 32;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof(a), &a);
	return bk_rtnl_talk(r, nlh, NULL, NULL, "RTM_DELADDR (test)");
}

/* A child that adds and removes an address every 200 us until killed:
 * each change moves the kernel's address generation, which marks a dump
 * read across it as interrupted. */
static pid_t start_churn(void)
{
	pid_t pid = fork();
	struct bk_rtnl r;

	if (pid != 0)
		return pid;
	if (bk_rtnl_open(&r, "") < 0)
		_exit(1);
	for (int i = 0; i < 100000; i++) {
		if (bk_addr_add_ipv4(&r, 1, "lo", addr_n(100, 1), 32, false) < 0 ||
		    del_addr(&r, addr_n(100, 1)) < 0)
			_exit(1);
		usleep(200);
	}
	_exit(0);
}

static void test_whole_dump(struct bk_rtnl *r)
{
	struct count c;

	ok(dump_addrs(r, 1, 0, &c) == 0 && c.seen == ADDRS && c.resets == 0,
	   "a dump of %d addresses, read whole (%d seen, %d resets)", ADDRS,
	   c.seen, c.resets);
}

static void test_interrupted_dump(struct bk_rtnl *r)
{
	int retried = 0, exhausted = 0, other = 0, dumps;
	pid_t churn = start_churn();
	struct count c;

	for (dumps = 0; dumps < 400 && !retried; dumps++) {
		if (dump_addrs(r, 0, 0, &c) == 0)
			retried += c.resets > 0 && c.seen >= ADDRS;
		else if (errno == EINTR && c.resets == 7)
			exhausted++;
		else
			other++;
	}
	kill(churn, SIGKILL);
	waitpid(churn, NULL, 0);
	ok(retried == 1 && other == 0,
	   "an interrupted dump is asked again after a reset (%d dumps, %d gave up after 8 tries, %d other errors: %s)",
	   dumps, exhausted, other, other ? bk_error() : "-");
}

static void test_refused_dump(struct bk_rtnl *r)
{
	struct count c;

	errno = 0;
	ok(dump_addrs(r, 0, 8, &c) < 0 && errno == EINVAL && c.resets == 0,
	   "a dump the kernel refuses (EINVAL) fails at once, no reset (%s)", bk_error());
}

int main(void)
{
	struct bk_rtnl r;

	if (unshare(CLONE_NEWNET) < 0 || bk_rtnl_open(&r, "") < 0) {
		ok(0, "a network namespace of the test's own: %s", strerror(errno));
		return tap_done();
	}
	ok(add_addrs(&r, 1, ADDRS), "%d addresses on lo", ADDRS);
	test_whole_dump(&r);
	test_interrupted_dump(&r);
	test_refused_dump(&r);
	bk_rtnl_close(&r);
	return tap_done();
}
