/* Unit tests for ipam: CIDR parsing and subnet arithmetic, and the lease
 * store (take, auto, full pool, skip list, release, sorted list, the
 * ports a lease records and its update); network and broadcast
 * addresses. (tap.h's ok()
 * evaluates its condition twice: every call with an effect is made
 * before it.) */
#include "tap.h"
#include "base/array.h"
#include "base/msg.h"
#include "net/ipam.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_cidr(void)
{
	static const char *bad[] = { "", "10.0.0.1", "10.0.0.1/33", "10.0.0/24",
				     "300.0.0.1/24", "10.0.0.1/", "10.0.0.1/-1",
				     "10.0.0.1/2x", "010.0.0.1/8", " 10.0.0.1/8",
				     "10.0.0.1/24/1" };
	struct bk_cidr c;
	char buf[32];
	int r;

	r = bk_cidr_parse("172.18.0.7/24", &c, -1);
	ok(r == 0 && c.prefix == 24, "cidr 172.18.0.7/24");
	bk_cidr_subnet_str(&c, buf, sizeof(buf));
	is_str(buf, "172.18.0.0/24", "subnet of 172.18.0.7/24");
	r = bk_cidr_parse("10.1.2.3", &c, 16);
	ok(r == 0 && c.prefix == 16, "address alone gets the default prefix");
	r = bk_cidr_parse("0.0.0.0/0", &c, -1);
	ok(r == 0 && c.prefix == 0, "cidr /0");
	bk_cidr_subnet_str(&c, buf, sizeof(buf));
	is_str(buf, "0.0.0.0/0", "subnet of /0");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		r = bk_cidr_parse(bad[i], &c, -1);
		ok(r < 0, "cidr '%s' refused (%s)", bad[i], bk_error());
	}
	static const struct { const char *cidr, *want; } special[] = {
		{ "10.9.8.0/24", "network" }, { "10.9.8.255/24", "broadcast" },
		{ "10.9.8.1/24", NULL }, { "10.9.8.7/29", "broadcast" },
		{ "10.9.8.8/29", "network" }, { "10.9.8.0/31", NULL },
		{ "10.9.8.1/31", NULL }, { "10.9.8.1/32", NULL },
		{ "10.0.0.0/8", "network" }, { "10.255.255.255/8", "broadcast" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
		bk_cidr_parse(special[i].cidr, &c, -1);
		is_str(bk_cidr_special(&c), special[i].want, "%s is %s",
		       special[i].cidr, special[i].want ? special[i].want : "a host");
	}
	bk_cidr_parse("10.9.8.1/29", &c, -1);
	ok(bk_cidr_contains(&c, (struct in_addr){ inet_addr("10.9.8.6") }),
	   "10.9.8.6 in 10.9.8.0/29");
	ok(!bk_cidr_contains(&c, (struct in_addr){ inet_addr("10.9.8.8") }),
	   "10.9.8.8 not in 10.9.8.0/29");
}

static struct bk_lease lease(const char *netns)
{
	struct bk_lease l = { .bridge = "br9", .hostif = "veth0_x" };

	snprintf(l.netns, sizeof(l.netns), "%s", netns);
	return l;
}

static void test_pool(const char *dir, const struct bk_cidr *gw)
{
	struct bk_lease l = lease("/run/netns/a");
	char want[32];
	int r;

	for (int i = 2; i <= 6; i++) {
		l = lease("/run/netns/a");
		snprintf(want, sizeof(want), "10.9.8.%d", i);
		r = bk_lease_take_auto(dir, gw, NULL, 0, &l);
		ok(r == 0 && l.prefix == 29, "auto lease %d", i);
		is_str(l.addr, want, "lowest free address");
	}
	is_str(l.mac, "02:42:0a:09:08:06", "derived MAC");
	l = lease("/run/netns/b");
	r = bk_lease_take_auto(dir, gw, NULL, 0, &l);
	ok(r < 0, "full pool refused (%s)", bk_error());
	l = lease("/run/netns/c");
	snprintf(l.addr, sizeof(l.addr), "10.9.8.4");
	r = bk_lease_take(dir, &l);
	ok(r < 0, "taken address refused (%s)", bk_error());
	r = bk_lease_release(dir, &l);
	ok(r == 0, "release 10.9.8.4");
	l = lease("/run/netns/c");
	r = bk_lease_take_auto(dir, gw, NULL, 0, &l);
	ok(r == 0, "auto after a release");
	is_str(l.addr, "10.9.8.4", "the released address comes back");
	snprintf(l.addr, sizeof(l.addr), "10.9.8.100");
	snprintf(l.mac, sizeof(l.mac), "02:00:00:00:00:01");
	r = bk_lease_take(dir, &l);
	ok(r == 0, "explicit lease outside the pool");
}

/* Addresses in use elsewhere (another store, ip) are skipped. */
static void test_skip(const char *dir)
{
	struct in_addr skip[] = { { inet_addr("10.7.0.2") }, { inet_addr("10.7.0.3") },
				  { inet_addr("10.7.0.5") } };
	struct bk_cidr gw;
	struct bk_lease l;
	int r;

	bk_cidr_parse("10.7.0.1/29", &gw, -1);
	l = lease("/run/netns/s1");
	r = bk_lease_take_auto(dir, &gw, skip, 3, &l);
	ok(r == 0, "auto with a skip list");
	is_str(l.addr, "10.7.0.4", "the first address not skipped");
	l = lease("/run/netns/s2");
	r = bk_lease_take_auto(dir, &gw, skip, 3, &l);
	is_str(r == 0 ? l.addr : NULL, "10.7.0.6", "then the next");
	l = lease("/run/netns/s3");
	r = bk_lease_take_auto(dir, &gw, skip, 3, &l);
	ok(r < 0, "the rest is in use: pool full (%s)", bk_error());
	snprintf(l.addr, sizeof(l.addr), "10.7.0.4");
	r = bk_lease_release(dir, &l);
	snprintf(l.addr, sizeof(l.addr), "10.7.0.6");
	r |= bk_lease_release(dir, &l);
	ok(r == 0, "skip-list leases released");
}

static void test_list(const char *dir)
{
	struct bk_lease *all;
	size_t n;
	int r = bk_lease_list(dir, &all, &n);

	ok(r == 0 && n == 6, "six leases listed");
	if (r < 0)
		return;
	is_str(n == 6 ? all[5].addr : NULL, "10.9.8.100", "sorted numerically");
	is_str(n == 6 ? all[5].mac : NULL, "02:00:00:00:00:01", "MAC kept");
	is_str(n == 6 ? all[2].netns : NULL, "/run/netns/c", "netns kept");
	ok(n == 6 && all[0].prefix == 29, "prefix kept");
	for (size_t i = 0; i < n; i++) {
		r = bk_lease_release(dir, &all[i]);
		ok(r == 0, "release %s", all[i].addr);
	}
	free(all);
	r = bk_lease_list(dir, &all, &n);
	ok(r == 0 && n == 0, "no lease left");
	free(all);
}

/* Ports kept in the lease; an update replaces it whole, and never brings
 * back a lease released meanwhile. */
static void test_ports(const char *dir)
{
	struct bk_lease l = lease("/run/netns/p"), *all = NULL;
	size_t n = 0;
	int r;

	snprintf(l.addr, sizeof(l.addr), "10.6.0.2");
	r = bk_port_parse("8080:80", &l.ports[0]) | bk_port_parse("127.0.0.1:53:53/udp", &l.ports[1]);
	l.nports = 2;
	r |= bk_lease_take(dir, &l);
	ok(r == 0, "a lease with two ports");
	r = bk_lease_list(dir, &all, &n);
	ok(r == 0 && n == 1 && all[0].nports == 2 && bk_port_equal(&all[0].ports[1], &l.ports[1]),
	   "its ports read back");
	free(all);
	l.nports = 1;
	r = bk_lease_update(dir, &l);
	bk_lease_list(dir, &all, &n);
	ok(r == 0 && n == 1 && all[0].nports == 1 && !strcmp(all[0].netns, "/run/netns/p"),
	   "updated: one port, the rest kept");
	free(all);
	r = bk_lease_release(dir, &l);
	ok(r == 0, "released");
	r = bk_lease_update(dir, &l);
	ok(r < 0, "no update of a released lease (%s)", bk_error());
	bk_lease_list(dir, &all, &n);
	ok(n == 0, "and none made by it");
	free(all);
}

int main(void)
{
	char dir[] = "/tmp/test_ipam.XXXXXX", sub[64];
	struct bk_cidr gw;
	int r;

	test_cidr();
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	bk_cidr_parse("10.9.8.1/29", &gw, -1);
	test_pool(dir, &gw);
	test_list(dir);
	test_skip(dir);
	test_ports(dir);
	snprintf(sub, sizeof(sub), "%s/br9", dir);
	r = rmdir(sub) == 0 && rmdir(dir) == 0;
	ok(r, "store empty after the releases");
	return tap_done();
}
