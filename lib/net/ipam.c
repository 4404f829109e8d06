/* ipam: IPv4 CIDR arithmetic and the link(2)-based lease store (ipam.h). */
#include "net/ipam.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static uint32_t mask_of(unsigned prefix)
{
	return prefix ? 0xffffffffu << (32 - prefix) : 0;
}

int bk_cidr_parse(const char *s, struct bk_cidr *c, int default_prefix)
{
	char host[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	unsigned long p;

	if (n == 0 || n >= sizeof(host) || (!slash && default_prefix < 0))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &c->addr) != 1)
		goto bad;
	if (!slash) {
		c->prefix = (unsigned)default_prefix;
		return 0;
	}
	errno = 0;
	p = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end || errno || p > 32)
		goto bad;
	c->prefix = (unsigned)p;
	return 0;
bad:
	return bk_fail("bad address '%s': expected A.B.C.D/LEN (LEN 0-32)", s);
}

void bk_cidr_subnet_str(const struct bk_cidr *c, char *buf, unsigned len)
{
	struct in_addr net = { htonl(ntohl(c->addr.s_addr) & mask_of(c->prefix)) };
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &net, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, c->prefix);
}

bool bk_cidr_contains(const struct bk_cidr *net, struct in_addr a)
{
	uint32_t m = mask_of(net->prefix);

	return (ntohl(a.s_addr) & m) == (ntohl(net->addr.s_addr) & m);
}

const char *bk_cidr_special(const struct bk_cidr *c)
{
	uint32_t m = mask_of(c->prefix), host = ntohl(c->addr.s_addr) & ~m;

	if (c->prefix >= 31)
		return NULL;   /* RFC 3021: both addresses of a /31 are hosts */
	if (host == 0)
		return "network";
	return host == ~m ? "broadcast" : NULL;
}

static char *bridge_dir(const char *dir, const char *bridge)
{
	if (!bk_valid_name(bridge, 15)) {
		bk_fail("bridge '%s': invalid name", bridge);
		return NULL;
	}
	return bk_path_join(dir, bridge);
}

/* netns, hostif, prefix, mac and a "port SPEC" line per published port. */
static int lease_body(const struct bk_lease *l, char *body, size_t len)
{
	int n = snprintf(body, len, "netns %s\nhostif %s\nprefix %u\nmac %s\n",
			 l->netns, l->hostif, l->prefix, l->mac);

	for (unsigned i = 0; i < l->nports && i < BK_LEASE_PORTS; i++) {
		char spec[BK_PORT_STRLEN];
		bk_port_format(&l->ports[i], spec);
		n += snprintf(body + n, len - (size_t)n, "port %s\n", spec);
	}
	return n;
}

/* A complete lease file under a temp name in bdir, ready to be linked. */
static char *write_temp(const char *bdir, const struct bk_lease *l)
{
	char *tmp, body[512 + BK_LEASE_PORTS * (BK_PORT_STRLEN + 8)];
	_cleanup_close_ int fd = -1;
	int n = lease_body(l, body, sizeof(body));

	if (asprintf(&tmp, "%s/.tmp.%d", bdir, (int)getpid()) < 0) {
		bk_fail_errno(ENOMEM, "lease");
		return NULL;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, body, n) != n) {
		bk_fail_errno(errno, "write %s", tmp);
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* link(2) fails with EEXIST when the address is taken: that is the lock. */
static int link_lease(const char *tmp, const char *bdir, const char *addr)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/%s", bdir, addr) < 0)
		return bk_fail_errno(ENOMEM, "lease");
	if (link(tmp, path) < 0)
		return bk_fail_errno(errno, "lease %s", path);
	BK_TRACE("link(\"%s\", \"%s\")", tmp, path);
	return 0;
}

/* Docker's scheme: 02:42 followed by the four address bytes. */
static void default_mac(struct bk_lease *l)
{
	struct in_addr a;
	const unsigned char *b = (const unsigned char *)&a.s_addr;

	inet_pton(AF_INET, l->addr, &a);
	snprintf(l->mac, sizeof(l->mac), "02:42:%02x:%02x:%02x:%02x",
		 b[0], b[1], b[2], b[3]);
}

/* Write the lease of l->addr under a temp name and link it in place. */
static int try_take(const char *bdir, struct bk_lease *l, bool derive_mac)
{
	_cleanup_free_ char *tmp = NULL;
	int ret;

	if (derive_mac)
		default_mac(l);
	tmp = write_temp(bdir, l);
	if (!tmp)
		return -1;
	ret = link_lease(tmp, bdir, l->addr);
	unlink(tmp);
	return ret;
}

int bk_lease_take(const char *dir, struct bk_lease *l)
{
	_cleanup_free_ char *bdir = bridge_dir(dir, l->bridge);

	if (!bdir || bk_mkdir_p(bdir, 0755) < 0)
		return -1;
	if (try_take(bdir, l, !l->mac[0]) < 0) {
		if (errno == EEXIST)
			return bk_fail("address %s: in use (lease %s/%s)", l->addr,
				       bdir, l->addr);
		return -1;
	}
	return 0;
}

static bool skipped(struct in_addr a, const struct in_addr *skip, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (skip[i].s_addr == a.s_addr)
			return true;
	return false;
}

int bk_lease_take_auto(const char *dir, const struct bk_cidr *gw,
		       const struct in_addr *skip, size_t nskip,
		       struct bk_lease *l)
{
	_cleanup_free_ char *bdir = bridge_dir(dir, l->bridge);
	uint32_t m = mask_of(gw->prefix), net = ntohl(gw->addr.s_addr) & m;
	uint32_t last = net | ~m;
	bool derive_mac = !l->mac[0];
	char subnet[32];

	if (!bdir || bk_mkdir_p(bdir, 0755) < 0)
		return -1;
	l->prefix = gw->prefix;
	for (uint32_t h = net + 1; gw->prefix < 31 && h < last; h++) {
		struct in_addr a = { htonl(h) };
		_cleanup_free_ char *path = NULL;
		if (a.s_addr == gw->addr.s_addr || skipped(a, skip, nskip))
			continue;
		inet_ntop(AF_INET, &a, l->addr, sizeof(l->addr));
		if (asprintf(&path, "%s/%s", bdir, l->addr) < 0)
			return bk_fail_errno(ENOMEM, "lease");
		if (access(path, F_OK) == 0)
			continue;   /* a fast skip; link(2) below decides */
		if (try_take(bdir, l, derive_mac) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	l->addr[0] = '\0';
	bk_cidr_subnet_str(gw, subnet, sizeof(subnet));
	return bk_fail("no free address in %s of bridge %s (leases in %s)",
		       subnet, l->bridge, bdir);
}

int bk_lease_release(const char *dir, const struct bk_lease *l)
{
	_cleanup_free_ char *bdir = bridge_dir(dir, l->bridge), *path = NULL;

	if (!bdir || asprintf(&path, "%s/%s", bdir, l->addr) < 0)
		return -1;
	BK_TRACE("unlink(\"%s\")", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "release lease %s", path);
	return 0;
}

/* tmp takes path's place, only while there is a lease at path: swapped
 * with RENAME_EXCHANGE (ENOENT once it was released), on a file system
 * without it checked first, then renamed over. */
static int replace_lease(const char *tmp, const char *path)
{
	BK_TRACE("renameat2(\"%s\", \"%s\", RENAME_EXCHANGE)", tmp, path);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	if (access(path, F_OK) < 0)
		return -1;
	return rename(tmp, path);
}

int bk_lease_update(const char *dir, const struct bk_lease *l)
{
	_cleanup_free_ char *bdir = bridge_dir(dir, l->bridge), *tmp = NULL;
	char path[PATH_MAX];
	int ret;

	if (!bdir || bk_path_in(path, bdir, l->addr) < 0 || !(tmp = write_temp(bdir, l)))
		return -1;
	ret = replace_lease(tmp, path);
	if (ret < 0)
		bk_fail_errno(errno, "update lease %s", path);
	unlink(tmp);   /* the old lease, after the exchange */
	return ret;
}

int bk_lease_forget_bridge(const char *dir, const char *bridge)
{
	_cleanup_free_ char *bdir = bridge_dir(dir, bridge);
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *e;

	if (!bdir)
		return -1;
	d = opendir(bdir);
	if (!d)
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "leases %s", bdir);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, ".tmp.", 5))
			unlinkat(dirfd(d), e->d_name, 0);
	BK_TRACE("rmdir(\"%s\")", bdir);
	if (rmdir(bdir) < 0 && errno != ENOENT)
		return bk_fail_errno(errno, "remove %s", bdir);
	return 0;
}

int bk_ipam_lock(int timeout_ms)
{
	_cleanup_close_ int fd = -1;
	struct timespec ms = { 0, 1000000 };

	if (bk_mkdir_p("/run/bockit", 0755) < 0)
		return -1;
	fd = open(BK_IPAM_LOCK, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return bk_fail_errno(errno, "open %s", BK_IPAM_LOCK);
	BK_TRACE("flock(\"%s\", LOCK_EX)", BK_IPAM_LOCK);
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited++) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			return bk_fail_errno(errno, "lock %s", BK_IPAM_LOCK);
		if (waited >= timeout_ms)
			return bk_fail("lock %s: still held after %d ms (by another "
				       "vethup add)", BK_IPAM_LOCK, timeout_ms);
		nanosleep(&ms, NULL);
	}
	/* cppcheck-suppress unreadVariable ; disarms the cleanup */
	return bk_steal_fd(fd);
}

static void parse_line(struct bk_lease *l, char *line)
{
	char *val = strchr(line, ' ');

	if (!val)
		return;
	*val++ = '\0';
	val[strcspn(val, "\n")] = '\0';
	if (!strcmp(line, "netns"))
		snprintf(l->netns, sizeof(l->netns), "%s", val);
	else if (!strcmp(line, "hostif"))
		snprintf(l->hostif, sizeof(l->hostif), "%s", val);
	else if (!strcmp(line, "prefix"))
		l->prefix = (unsigned)strtoul(val, NULL, 10) & 63;
	else if (!strcmp(line, "mac"))
		snprintf(l->mac, sizeof(l->mac), "%s", val);
	else if (!strcmp(line, "port") && l->nports < BK_LEASE_PORTS &&
		 bk_port_parse(val, &l->ports[l->nports]) == 0)
		l->nports++;
}

/* Read lease bdir/name of bridge; 0 when it is not a lease file. */
static int read_lease(int bfd, const char *bridge, const char *name,
		      struct bk_lease *l)
{
	struct in_addr a;
	_cleanup_close_ int fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	char line[512];

	if (inet_pton(AF_INET, name, &a) != 1)
		return 0;
	fd = openat(bfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || !(f = fdopen(fd, "r")))
		return 0;   /* released meanwhile */
	bk_steal_fd(fd);
	memset(l, 0, sizeof(*l));
	snprintf(l->bridge, sizeof(l->bridge), "%s", bridge);
	inet_ntop(AF_INET, &a, l->addr, sizeof(l->addr));
	while (fgets(line, sizeof(line), f))
		parse_line(l, line);
	return 1;
}

static int each_in_bridge(int dfd, const char *bridge,
			  int (*fn)(const struct bk_lease *, void *), void *data)
{
	int bfd = openat(dfd, bridge, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = bfd >= 0 ? fdopendir(bfd) : NULL;
	struct dirent *e;
	struct bk_lease l;

	if (!d) {
		if (bfd >= 0)
			close(bfd);
		return 0;
	}
	while ((e = readdir(d))) {
		int ret = read_lease(dirfd(d), bridge, e->d_name, &l) ? fn(&l, data) : 0;
		if (ret)
			return ret;
	}
	return 0;
}

int bk_lease_each(const char *dir, int (*fn)(const struct bk_lease *, void *),
		  void *data)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return errno == ENOENT ? 0 : bk_fail_errno(errno, "leases %s", dir);
	while ((e = readdir(d))) {
		int ret;
		if (!bk_valid_name(e->d_name, 15))
			continue;
		ret = each_in_bridge(dirfd(d), e->d_name, fn, data);
		if (ret)
			return ret;
	}
	return 0;
}

struct lease_vec {
	struct bk_lease *v;
	size_t n, cap;
};

static int push_lease(const struct bk_lease *l, void *data)
{
	struct lease_vec *vec = data;

	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		struct bk_lease *v = realloc(vec->v, cap * sizeof(*v));
		if (!v)
			return bk_fail_errno(ENOMEM, "lease list");
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *l;
	return 0;
}

static int cmp_lease(const void *x, const void *y)
{
	const struct bk_lease *a = x, *b = y;
	struct in_addr ia, ib;
	int c = strcmp(a->bridge, b->bridge);

	if (c)
		return c;
	inet_pton(AF_INET, a->addr, &ia);
	inet_pton(AF_INET, b->addr, &ib);
	return ntohl(ia.s_addr) < ntohl(ib.s_addr) ? -1 :
	       ntohl(ia.s_addr) > ntohl(ib.s_addr);
}

int bk_lease_list(const char *dir, struct bk_lease **out, size_t *n)
{
	struct lease_vec vec = { 0 };

	if (bk_lease_each(dir, push_lease, &vec) < 0) {
		free(vec.v);
		return -1;
	}
	if (vec.n)
		qsort(vec.v, vec.n, sizeof(*vec.v), cmp_lease);
	*out = vec.v;
	*n = vec.n;
	return 0;
}
