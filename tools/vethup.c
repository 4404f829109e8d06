/* vethup: container networking over rtnetlink: a bridge with NAT, a named
 * netns wired to it by a veth pair (address from a lease store, default
 * route, published ports), its teardown, and running a command inside a
 * netns. */
#include "base/chain.h"
#include "base/cli.h"
#include "net/ipam.h"
#include "base/msg.h"
#include "net/netns.h"
#include "net/portspec.h"
#include "net/vnet.h"
#include "net/vport.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: vethup [-v] COMMAND [OPTIONS]\n"
	"\n"
	"  bridge NAME [--addr A.B.C.D/LEN] [--forward] [--nat]\n"
	"        create (or confirm) bridge NAME with that address, up;\n"
	"        --forward sets net.ipv4.ip_forward=1, --nat masquerades\n"
	"        the subnet (nftables table ip bockit_NAME); all idempotent\n"
	"  bridge --del NAME [--force]\n"
	"        remove bridge NAME, its NAT table and its leases; refused\n"
	"        while a lease's netns or another port is there, unless --force\n"
	"  add --netns NAME|PATH --bridge BR [--ip A.B.C.D[/LEN]|auto]\n"
	"      [--gw A.B.C.D] [--mac MAC] [--host-if NAME] [--if NAME] [-p PORT]...\n"
	"        make netns NAME (/run/netns/NAME) if missing, a veth pair\n"
	"        into BR, the peer named --if (eth0) inside with the address\n"
	"        (default auto: the lowest free one of BR's subnet), lo up,\n"
	"        default route via --gw (BR's address), the ports published;\n"
	"        prints the address\n"
	"  del --netns NAME|PATH [--force] [--wait]\n"
	"        unpublish its ports, delete the netns (its veth goes with it),\n"
	"        release its lease; --wait returns once the host end is gone\n"
	"        (some 30 ms more)\n"
	"  port add --netns NAME|PATH -p PORT... [--bridge BR]\n"
	"        publish PORT, [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], to the\n"
	"        netns's address: DNAT (nftables) from other hosts and from\n"
	"        this one, 127.0.0.1 too; a host port taken is refused\n"
	"  port del --netns NAME|PATH [-p PORT]... [--force]\n"
	"        unpublish PORT, or every port of the netns\n"
	"  port ls [--netns NAME|PATH]\n"
	"        the published ports: netns, bridge, protocol, host, container\n"
	"  exec NAME|PATH [--] COMMAND...\n"
	"        run COMMAND in the netns\n"
	"  ls   the leases: bridge, netns, host interface, address, MAC\n"
	"\n"
	"  -p, --publish PORT  [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp] (tcp)\n"
	"  --leases DIR   lease store (default $BOCKER_ROOT/leases,\n"
	"                 BOCKER_ROOT defaulting to /var/lib/bocker)\n"
	"  -v, --verbose  trace every netlink request and system call\n"
	"  -h, --help     this text\n"
	"  -V, --version  print the version\n";

enum { OPT_ADDR = 256, OPT_FORWARD, OPT_NAT, OPT_NETNS, OPT_BRIDGE, OPT_IP,
       OPT_GW, OPT_MAC, OPT_HOST_IF, OPT_IF, OPT_FORCE, OPT_LEASES, OPT_WAIT,
       OPT_DEL, OPT_PUBLISH, OPT_LAST = OPT_PUBLISH };

static const struct option options[] = {
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "forward", no_argument, NULL, OPT_FORWARD },
	{ "nat", no_argument, NULL, OPT_NAT },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "bridge", required_argument, NULL, OPT_BRIDGE },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "gw", required_argument, NULL, OPT_GW },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "host-if", required_argument, NULL, OPT_HOST_IF },
	{ "if", required_argument, NULL, OPT_IF },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "leases", required_argument, NULL, OPT_LEASES },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ "del", no_argument, NULL, OPT_DEL },
	{ "publish", required_argument, NULL, OPT_PUBLISH },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Before the command (stop there) and after it (options and operands mix;
 * exec stops at its NAME, and its COMMAND after that). */
static const struct bk_cli in_order = { .shortopts = "+vhV", .longopts = options };
static const struct bk_cli mixed = { .shortopts = "vhVp:", .longopts = options };

/* Every option of every command; each command checks what it got. */
struct opts {
	struct bk_vnet_bridge bridge;
	struct bk_vnet_add add;
	const char *leases;
	bool force, wait, del;
	struct bk_port ports[BK_LEASE_PORTS];   /* -p, in order */
	size_t nports;
	unsigned seen;   /* bit per OPT_* given, to refuse foreign options */
};

/* -p PORT, a usage error when wrong as written. */
static void add_port(struct opts *o, const char *arg)
{
	if (o->nports == BK_LEASE_PORTS)
		bk_usage_error("-p: at most %d ports a netns", BK_LEASE_PORTS);
	if (bk_port_parse(arg, &o->ports[o->nports]) < 0)
		bk_usage_error("%s", bk_error());
	o->nports++;
}

static void set_opt(struct opts *o, int c, const char *arg)
{
	if (c == 'p')
		c = OPT_PUBLISH;
	switch (c) {
	case OPT_ADDR: o->bridge.addr = arg; break;
	case OPT_FORWARD: o->bridge.forward = true; break;
	case OPT_NAT: o->bridge.nat = true; break;
	case OPT_NETNS: o->add.netns = arg; break;
	case OPT_BRIDGE: o->add.bridge = arg; break;
	case OPT_IP: o->add.ip = arg; break;
	case OPT_GW: o->add.gw = arg; break;
	case OPT_MAC: o->add.mac = arg; break;
	case OPT_HOST_IF: o->add.host_if = arg; break;
	case OPT_IF: o->add.ifname = arg; break;
	case OPT_FORCE: o->force = true; break;
	case OPT_LEASES: o->leases = arg; break;
	case OPT_WAIT: o->wait = true; break;
	case OPT_DEL: o->del = true; break;
	case OPT_PUBLISH: add_port(o, arg); break;
	default: break;
	}
	if (c >= OPT_ADDR)
		o->seen |= 1u << (c - OPT_ADDR);
}

static void parse(int argc, char **argv, struct opts *o, const struct bk_cli *cli)
{
	int c;

	while ((c = bk_cli_next(cli, argc, argv)) != -1)
		set_opt(o, c, optarg);
}

#define BIT(opt) (1u << ((opt) - OPT_ADDR))

static void only(const struct opts *o, const char *cmd, unsigned allowed)
{
	for (int c = OPT_ADDR; c <= OPT_LAST; c++)
		if ((o->seen & BIT(c)) && !(allowed & BIT(c)))
			for (const struct option *p = options; p->name; p++)
				if (p->val == c)
					bk_usage_error("%s: --%s does not apply", cmd, p->name);
}

/* The netns path of a NAME or PATH, or a usage error. */
static char *valid_netns(const char *name)
{
	char *path = bk_netns_path(name);

	if (!path)
		bk_usage_error("%s", bk_error());
	return path;
}

static char *default_leases(void)
{
	const char *root = getenv("BOCKER_ROOT");
	char *dir;

	if (asprintf(&dir, "%s/leases", root && *root ? root : "/var/lib/bocker") < 0)
		bk_die(1, "out of memory");
	return dir;
}

static int cmd_bridge(struct opts *o, int argc, char **argv)
{
	if (o->del)
		only(o, "bridge --del", BIT(OPT_DEL) | BIT(OPT_FORCE) | BIT(OPT_LEASES));
	else
		only(o, "bridge", BIT(OPT_ADDR) | BIT(OPT_FORWARD) | BIT(OPT_NAT));
	if (argc != 1)
		bk_usage_error("bridge: expected one bridge NAME");
	o->bridge.name = argv[0];
	if (bk_vnet_bridge_check(&o->bridge) < 0)
		bk_usage_error("%s", bk_error());
	if (o->del ? bk_vnet_bridge_del(o->leases, argv[0], o->force) < 0 :
	    bk_vnet_bridge(&o->bridge) < 0)
		bk_die_error(1);
	return 0;
}

static int cmd_add(struct opts *o, int argc, char **argv)
{
	only(o, "add", BIT(OPT_NETNS) | BIT(OPT_BRIDGE) | BIT(OPT_IP) | BIT(OPT_GW) |
	     BIT(OPT_MAC) | BIT(OPT_HOST_IF) | BIT(OPT_IF) | BIT(OPT_LEASES) |
	     BIT(OPT_PUBLISH));
	if (argc > 0)
		bk_usage_error("add: unexpected argument '%s'", argv[0]);
	if (!o->add.netns || !o->add.bridge)
		bk_usage_error("add: --netns and --bridge are required");
	o->add.ip = o->add.ip ? o->add.ip : "auto";
	o->add.ifname = o->add.ifname ? o->add.ifname : "eth0";
	o->add.leases = o->leases;
	o->add.ports = o->ports;
	o->add.nports = o->nports;
	if (bk_vnet_add_check(&o->add) < 0)
		bk_usage_error("%s", bk_error());
	if (bk_vnet_add(&o->add) < 0)
		bk_die_error(1);
	puts(o->add.addr);
	return 0;
}

static int cmd_del(struct opts *o, int argc, char **argv)
{
	only(o, "del", BIT(OPT_NETNS) | BIT(OPT_FORCE) | BIT(OPT_LEASES) |
	     BIT(OPT_WAIT));
	if (argc > 0)
		bk_usage_error("del: unexpected argument '%s'", argv[0]);
	if (!o->add.netns)
		bk_usage_error("del: --netns is required");
	free(valid_netns(o->add.netns));
	if (bk_vnet_del(o->leases, o->add.netns,
			(o->force ? BK_VNET_DEL_FORCE : 0) |
			(o->wait ? BK_VNET_DEL_WAIT : 0)) < 0)
		bk_die_error(1);
	return 0;
}

static int cmd_ls(struct opts *o, int argc, char **argv)
{
	struct bk_lease *l;
	size_t n;

	only(o, "ls", BIT(OPT_LEASES));
	if (argc > 0)
		bk_usage_error("ls: unexpected argument '%s'", argv[0]);
	if (bk_lease_list(o->leases, &l, &n) < 0)
		bk_die_error(1);
	printf("%-15s %-20s %-15s %-18s %s\n", "BRIDGE", "NETNS", "HOST-IF",
	       "ADDRESS", "MAC");
	for (size_t i = 0; i < n; i++) {
		char addr[32];
		const char *ns = l[i].netns;
		if (bk_netns_is_named(ns))
			ns = strrchr(ns, '/') + 1;
		snprintf(addr, sizeof(addr), "%s/%u", l[i].addr, l[i].prefix);
		printf("%-15s %-20s %-15s %-18s %s\n", l[i].bridge, ns,
		       l[i].hostif, addr, l[i].mac);
	}
	free(l);
	return 0;
}

static void print_ports(const struct bk_lease *l)
{
	for (unsigned i = 0; i < l->nports; i++) {
		const struct bk_port *p = &l->ports[i];
		char host[INET_ADDRSTRLEN + 8], ctr[INET_ADDRSTRLEN + 8];
		const char *ns = l->netns;
		if (bk_netns_is_named(ns))
			ns = strrchr(ns, '/') + 1;
		inet_ntop(AF_INET, &p->host_ip, host, INET_ADDRSTRLEN);
		snprintf(host + strlen(host), 8, ":%u", p->host_port);
		snprintf(ctr, sizeof(ctr), "%s:%u", l->addr, p->ctr_port);
		printf("%-20s %-15s %-5s %-21s %s\n", ns, l->bridge, bk_port_proto(p),
		       host, ctr);
	}
}

static int port_ls(struct opts *o)
{
	char *path = o->add.netns ? valid_netns(o->add.netns) : NULL;
	struct bk_lease *l;
	size_t n;

	only(o, "port ls", BIT(OPT_NETNS) | BIT(OPT_LEASES));
	if (bk_lease_list(o->leases, &l, &n) < 0)
		bk_die_error(1);
	printf("%-20s %-15s %-5s %-21s %s\n", "NETNS", "BRIDGE", "PROTO", "HOST",
	       "CONTAINER");
	for (size_t i = 0; i < n; i++)
		if (!path || !strcmp(l[i].netns, path))
			print_ports(&l[i]);
	free(l);
	free(path);
	return 0;
}

/* port add|del|ls: the published ports of a netns vethup add wired. */
static int cmd_port(struct opts *o, int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : "";
	struct bk_vport v = { .leases = o->leases, .netns = o->add.netns,
			      .bridge = o->add.bridge, .ports = o->ports,
			      .n = o->nports, .force = o->force };
	const struct bk_port *twice = bk_port_repeated(o->ports, o->nports);
	int ret;

	if (argc > 1)
		bk_usage_error("port: unexpected argument '%s'", argv[1]);
	if (!strcmp(sub, "ls"))
		return port_ls(o);
	if (strcmp(sub, "add") && strcmp(sub, "del"))
		bk_usage_error("port: expected add, del or ls");
	if (!strcmp(sub, "add"))
		only(o, "port add", BIT(OPT_NETNS) | BIT(OPT_BRIDGE) | BIT(OPT_PUBLISH) |
		     BIT(OPT_LEASES));
	else
		only(o, "port del", BIT(OPT_NETNS) | BIT(OPT_BRIDGE) | BIT(OPT_PUBLISH) |
		     BIT(OPT_FORCE) | BIT(OPT_LEASES));
	if (!o->add.netns)
		bk_usage_error("port %s: --netns is required", sub);
	if (!strcmp(sub, "add") && !o->nports)
		bk_usage_error("port add: -p PORT is required");
	if (twice)
		bk_usage_error("-p: host port %u/%s given twice", twice->host_port,
			       bk_port_proto(twice));
	free(valid_netns(o->add.netns));
	ret = !strcmp(sub, "add") ? bk_vport_add(&v) : bk_vport_del(&v);
	if (ret < 0)
		bk_die_error(1);
	return 0;
}

/* exec NAME [--] COMMAND...: enter the netns and chain-load COMMAND. */
static int cmd_exec(struct opts *o, int argc, char **argv)
{
	char *path;
	int fd;

	only(o, "exec", 0);
	if (argc > 1 && !strcmp(argv[1], "--")) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 2)
		bk_usage_error("exec: expected NAME [--] COMMAND...");
	path = valid_netns(argv[0]);
	if ((fd = bk_netns_open(path)) < 0 || bk_netns_enter(fd, path) < 0)
		bk_die_error(BK_EXIT_FAILED);
	BK_TRACE("execvp(\"%s\")", argv[1]);
	bk_die_error(bk_exec_command(argv + 1));
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const char *cmd;
	char *leases;
	int ret;

	bk_cli_init("vethup", usage_text);
	parse(argc, argv, &o, &in_order);
	if (optind >= argc)
		bk_usage_error("missing COMMAND (bridge add del port exec ls)");
	cmd = argv[optind];
	argv += optind;
	argc -= optind;
	optind = 0;   /* 0: glibc restarts its scan (at argv[1], after cmd) */
	if (!strcmp(cmd, "exec"))
		bk_cli_chained();
	parse(argc, argv, &o, !strcmp(cmd, "exec") ? &in_order : &mixed);
	argv += optind;
	argc -= optind;
	leases = o.leases ? NULL : default_leases();
	o.leases = o.leases ? o.leases : leases;
	if (!strcmp(cmd, "bridge"))
		ret = cmd_bridge(&o, argc, argv);
	else if (!strcmp(cmd, "add"))
		ret = cmd_add(&o, argc, argv);
	else if (!strcmp(cmd, "del"))
		ret = cmd_del(&o, argc, argv);
	else if (!strcmp(cmd, "ls"))
		ret = cmd_ls(&o, argc, argv);
	else if (!strcmp(cmd, "port"))
		ret = cmd_port(&o, argc, argv);
	else if (!strcmp(cmd, "exec"))
		ret = cmd_exec(&o, argc, argv);
	else
		bk_usage_error("unknown command '%s' (bridge add del port exec ls)", cmd);
	free(leases);
	return ret;
}
