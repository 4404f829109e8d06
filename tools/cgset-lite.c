/* cgset-lite: create, limit, enter, read and delete cgroups on v1 and v2
 * hosts alike. Option parsing and the outline of each subcommand; the
 * work is in lib/cgroup/ (cgroup, cgnames, cgkill, cgstats, cgfreeze,
 * cgdevices). */
#include "cgroup/cgdevices.h"
#include "base/array.h"
#include "cgroup/cgfreeze.h"
#include "cgroup/cgkill.h"
#include "cgroup/cgnames.h"
#include "cgroup/cgroup.h"
#include "cgroup/cgstats.h"
#include "base/chain.h"
#include "base/cli.h"
#include "base/supervise.h"
#include "base/msg.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_REQS 64
#define MAX_SPECS 16
#define KILL_TIMEOUT_MS 10000
#define FREEZE_TIMEOUT_MS 5000

enum { OPT_MEMORY = 256, OPT_SWAP, OPT_CPUS, OPT_SHARES, OPT_PIDS, OPT_CPUSET,
       OPT_KILL, OPT_JSON, OPT_RM, OPT_DEV_ALLOW, OPT_DEV_DENY, OPT_DEV_BPF };

struct opts {
	const char *cmd;
	const char *groups[MAX_SPECS];   /* -g CONTROLLERS:PATH, each of one group */
	size_t ngroups;
	struct bk_cg_req req[MAX_REQS];
	size_t nreq;
	bool portable;                /* a portable limit option was given */
	bool kill, force, json, rm;
	char quota[24], period[24];   /* storage for --cpus */
	bool devices, device_bpf;     /* a device list was given; as eBPF */
	struct bk_dev_rules dev;      /* applied after "deny a", in order */
};

static const char usage_text[] =
	"Usage: cgset-lite create -g CONTROLLERS:PATH [-r NAME=VALUE]... [LIMITS]\n"
	"       cgset-lite set [-r NAME=VALUE]... [LIMITS] PATH...\n"
	"       cgset-lite exec [--rm] -g CONTROLLERS:PATH [-r NAME=VALUE]... [LIMITS] [--] COMMAND [ARG]...\n"
	"       cgset-lite attach -g CONTROLLERS:PATH PID...\n"
	"       cgset-lite get -r NAME PATH\n"
	"       cgset-lite stats [--json] PATH\n"
	"       cgset-lite delete [--kill] [-f] [-g] CONTROLLERS:PATH\n"
	"       cgset-lite freeze PATH [-- COMMAND [ARG]...]\n"
	"       cgset-lite thaw PATH\n"
	"\n"
	"Control groups on cgroup v1 and v2 hosts alike: v1 names work on v2 and\n"
	"v2 names on v1 (memory.limit_in_bytes <-> memory.max, cpu.shares <->\n"
	"cpu.weight, cpu.cfs_quota_us <-> cpu.max, ...). As in cgcreate, cgset,\n"
	"cgexec and cgdelete, PATH is below each hierarchy's root: ps_1, /ps_1 and\n"
	"ps_1/ are one group; exec's COMMAND starts at its first non-option word.\n"
	"\n"
	"  -g, --group CTRL[,CTRL...]:PATH  the group and its controllers (again\n"
	"                            for more controllers of the same group)\n"
	"  -r, --set NAME=VALUE      write a controller file (get: -r NAME reads it)\n"
	"      --memory SIZE         memory limit (512M, 1G, bytes, max)\n"
	"      --memory-swap SIZE    memory + swap limit (needs --memory on v2)\n"
	"      --cpus N              cpu quota in cpus (1.5 = 150000/100000 us)\n"
	"      --cpu-shares N        relative cpu weight (v1 shares; v2 weight via crun's formula)\n"
	"      --pids N              maximum number of processes\n"
	"      --cpuset-cpus LIST    cpus to run on (0-1,3)\n"
	"      --device-allow RULE   allow devices (after 'deny a'): 'c 1:3 rwm', 'b *:* m',\n"
	"                            a node 'PATH[:rwm]', or 'default' (null zero full\n"
	"                            random urandom tty ptmx pts, mknod of any)\n"
	"      --device-deny RULE    take access back (same forms)\n"
	"      --device-bpf          the list as an eBPF program on the group's cgroup2\n"
	"                            directory even where v1 has a devices controller\n"
	"                            (automatic on cgroup v2)\n"
	"      --rm                  exec: wait for COMMAND outside the group, then\n"
	"                            kill what is left in it and remove it\n"
	"      --kill                delete: kill every process in the group first\n"
	"  -f, --force               delete: a missing group is not an error\n"
	"      --json                stats: print one JSON object\n"
	"\n"
	"freeze stops every process of the group in place (v1 freezer, or v2\n"
	"cgroup.freeze); with a COMMAND it runs COMMAND, then thaws the group.\n"
	"  -v, --verbose             trace every directory made and file written\n"
	"  -h, --help                show this help\n"
	"  -V, --version             show the version\n";

static const struct option longopts[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "set", required_argument, NULL, 'r' },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "memory-swap", required_argument, NULL, OPT_SWAP },
	{ "cpus", required_argument, NULL, OPT_CPUS },
	{ "cpu-shares", required_argument, NULL, OPT_SHARES },
	{ "pids", required_argument, NULL, OPT_PIDS },
	{ "cpuset-cpus", required_argument, NULL, OPT_CPUSET },
	{ "device-allow", required_argument, NULL, OPT_DEV_ALLOW },
	{ "device-deny", required_argument, NULL, OPT_DEV_DENY },
	{ "device-bpf", no_argument, NULL, OPT_DEV_BPF },
	{ "kill", no_argument, NULL, OPT_KILL },
	{ "rm", no_argument, NULL, OPT_RM },
	{ "force", no_argument, NULL, 'f' },
	{ "json", no_argument, NULL, OPT_JSON },
	/* last, for global_cli: */
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Before the subcommand: only -v, -h, -V (the last three of longopts). */
static const struct bk_cli global_cli = {
	.shortopts = "+vhV", .longopts = longopts + ARRAY_SIZE(longopts) - 4,
};

/* After it; exec and freeze stop at their first operand (exec's COMMAND,
 * freeze's PATH before "-- COMMAND"). */
static const struct bk_cli chain_cli = { .shortopts = "+g:r:fvhV", .longopts = longopts };
static const struct bk_cli cmd_cli = { .shortopts = "g:r:fvhV", .longopts = longopts };

#define PIDS_MAX 4194304   /* the kernel's PID_MAX_LIMIT */

static bool chains(const struct opts *o)
{
	return !strcmp(o->cmd, "exec") || !strcmp(o->cmd, "freeze");
}

static void add_req(struct opts *o, const char *name, const char *value)
{
	if (o->nreq >= MAX_REQS)
		bk_usage_error("too many settings (at most %d)", MAX_REQS);
	o->req[o->nreq].name = name;
	o->req[o->nreq].value = value;
	o->nreq++;
}

/* -g, or a delete operand: one more CONTROLLERS:PATH of the group. */
static void add_group(struct opts *o, const char *spec)
{
	if (o->ngroups >= MAX_SPECS)
		bk_usage_error("too many -g (at most %d)", MAX_SPECS);
	o->groups[o->ngroups++] = spec;
}

/* The group every -g names, with all their controllers. */
static int open_group(const struct opts *o, struct bk_cgroup *g)
{
	if (bk_cg_open_spec(g, o->groups[0]) < 0)
		return -1;
	for (size_t i = 1; i < o->ngroups; i++)
		if (bk_cg_add_spec(g, o->groups[i]) < 0)
			return -1;
	return 0;
}

/* -r NAME=VALUE (NAME alone for get). The string is split in place. */
static void add_setting(struct opts *o, char *arg)
{
	char *eq = strchr(arg, '=');

	if (!strcmp(o->cmd, "get")) {
		add_req(o, arg, "");
		return;
	}
	if (!eq || eq == arg)
		bk_usage_error("-r '%s': want NAME=VALUE", arg);
	*eq = '\0';
	add_req(o, arg, eq + 1);
}

static bool unlimited(const char *arg)
{
	return !strcmp(arg, "max") || !strcmp(arg, "-1");
}

/* Portable options become v1-named requests; cgnames translates for v2.
 * Their values are checked here, as every tool checks its numbers. */
static void add_portable(struct opts *o, int opt, const char *arg)
{
	uint64_t q, p;

	o->portable = true;
	switch (opt) {
	case OPT_MEMORY:
	case OPT_SWAP:
		if (!unlimited(arg))
			bk_cli_size(opt == OPT_MEMORY ? "--memory" : "--memory-swap", arg);
		add_req(o, opt == OPT_MEMORY ? "memory.limit_in_bytes" : "memory.memsw.limit_in_bytes", arg);
		break;
	case OPT_SHARES:
		bk_cli_number("--cpu-shares", arg, 1, UINT64_MAX);
		add_req(o, "cpu.shares", arg);
		break;
	case OPT_PIDS:
		if (strcmp(arg, "max"))
			bk_cli_number("--pids", arg, 0, PIDS_MAX);
		add_req(o, "pids.max", arg);
		break;
	case OPT_CPUSET: add_req(o, "cpuset.cpus", arg); break;
	case OPT_CPUS:
		if (bk_cg_cpus_to_quota(arg, &q, &p) < 0)
			bk_usage_error("--cpus: %s", bk_error());
		snprintf(o->period, sizeof(o->period), "%llu", (unsigned long long)p);
		snprintf(o->quota, sizeof(o->quota), "%llu", (unsigned long long)q);
		add_req(o, "cpu.cfs_period_us", o->period);
		add_req(o, "cpu.cfs_quota_us", o->quota);
		break;
	}
}

/* --device-allow / --device-deny: one rule, or the standard list. */
static void add_device(struct opts *o, const char *arg, bool allow)
{
	int r = allow && !strcmp(arg, "default") ? bk_dev_default_rules(&o->dev)
						  : bk_dev_rules_add_str(&o->dev, arg, allow);

	if (r < 0)
		bk_usage_error("--device-%s: %s", allow ? "allow" : "deny", bk_error());
	o->devices = true;
}

/* Parse the options after the subcommand; returns the index of the first
 * operand. exec stops at the first non-option (the COMMAND). */
static int parse(struct opts *o, int argc, char **argv)
{
	const struct bk_cli *cli = chains(o) ? &chain_cli : &cmd_cli;
	int c;

	optind = 1;
	while ((c = bk_cli_next(cli, argc, argv)) != -1) {
		switch (c) {
		case 'g': add_group(o, optarg); break;
		case 'r': add_setting(o, optarg); break;
		case 'f': o->force = true; break;
		case OPT_KILL: o->kill = true; break;
		case OPT_RM: o->rm = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_DEV_ALLOW: add_device(o, optarg, true); break;
		case OPT_DEV_DENY: add_device(o, optarg, false); break;
		case OPT_DEV_BPF: o->device_bpf = true; break;
		default: add_portable(o, c, optarg); break;
		}
	}
	return optind;
}

/* Refuse options that mean nothing for this subcommand. */
static void check_fit(const struct opts *o, bool group, bool settings, int operands,
		      int min, int max)
{
	if (group && !o->ngroups)
		bk_usage_error("%s: -g CONTROLLERS:PATH is required", o->cmd);
	if (!group && o->ngroups)
		bk_usage_error("%s: takes PATH, not -g", o->cmd);
	if (!settings && (o->nreq || o->portable || o->devices || o->device_bpf))
		bk_usage_error("%s: takes no -r, limit or device options", o->cmd);
	if (o->device_bpf && !o->devices)
		bk_usage_error("%s: --device-bpf needs --device-allow or --device-deny", o->cmd);
	if ((o->kill || o->force) && strcmp(o->cmd, "delete"))
		bk_usage_error("%s: --kill and --force are for delete", o->cmd);
	if (o->rm && strcmp(o->cmd, "exec"))
		bk_usage_error("%s: --rm is for exec", o->cmd);
	if (o->json && strcmp(o->cmd, "stats"))
		bk_usage_error("%s: --json is for stats", o->cmd);
	if (operands < min || (max >= 0 && operands > max))
		bk_usage_error("%s: wrong number of arguments (see cgset-lite --help)", o->cmd);
}

/* Translate the settings for this host and check they fit the group:
 * what is wrong here is in what was typed, nothing was touched yet. */
static size_t plan(const struct opts *o, struct bk_cgroup *g, struct bk_cg_write *w, bool infer)
{
	int n = bk_cg_plan(o->req, o->nreq, bk_cg_host_version, NULL, w, MAX_REQS * 2);

	if (n < 0)
		bk_usage_error("%s", bk_error());
	if (infer && bk_cg_add_for(g, w, (size_t)n) < 0)
		bk_die_error(1);
	for (int i = 0; i < n; i++)
		if (!bk_cg_find(g, w[i].ctrl))
			bk_usage_error("%s: controller '%s' is not in -g of %s", w[i].file,
				       w[i].ctrl, g->path);
	return (size_t)n;
}

/* The values, then the device list. */
static int apply_all(const struct opts *o, struct bk_cgroup *g, const struct bk_cg_write *w,
		     size_t n)
{
	if (bk_cg_apply(g, w, n) < 0)
		return -1;
	return o->devices ? bk_cg_devices_apply(g, &o->dev, o->device_bpf) : 0;
}

/* create and exec: make what is missing, write the values; undone on
 * failure. create insists the group is new. */
static int make_group(const struct opts *o, struct bk_cgroup *g, const struct bk_cg_write *w,
		      size_t n, bool must_be_new)
{
	bool created = false;

	if (must_be_new && bk_cg_exists_any(g))
		return bk_fail("%s: group exists (change it with set)", g->path);
	if (bk_cg_create(g, &created) < 0)
		return -1;
	if (apply_all(o, g, w, n) < 0) {
		bk_cg_rollback(g);
		return -1;
	}
	return 0;
}

static int cmd_create(struct opts *o, int argc, char **argv)
{
	struct bk_cg_write w[MAX_REQS * 2];
	struct bk_cgroup g;
	size_t n;

	check_fit(o, true, true, argc, 0, 0);
	(void)argv;
	if (bk_cg_init() < 0 || open_group(o, &g) < 0)
		bk_die_error(1);
	n = plan(o, &g, w, false);
	if (make_group(o, &g, w, n, true) < 0)
		bk_die_error(1);
	bk_cg_commit(&g);
	bk_cg_close(&g);
	return 0;
}

/* delete [--kill] [-f], and exec --rm when COMMAND ended (kill, force). */
static int delete_group(struct bk_cgroup *g, bool kill, bool force)
{
	if (kill && bk_cg_exists_any(g) && bk_cg_kill(g, KILL_TIMEOUT_MS) < 0)
		return -1;
	return bk_cg_delete(g, force);
}

static void remove_group(struct bk_cgroup *g)
{
	if (delete_group(g, true, true) < 0)
		bk_warn("%s", bk_error());
}

static int attach_self(void *g)
{
	return bk_cg_attach_self(g);
}

/* exec --rm: COMMAND runs as a child that moves itself into the group,
 * while this process waits outside it (forwarding signals, as nsrun's
 * supervisor does), then removes the group: it lives as long as COMMAND,
 * and nobody has to start a second cgset-lite to delete it. */
static int run_then_remove(struct bk_cgroup *g, char **argv)
{
	struct bk_spawn s = { .argv = argv, .hooks = { .prepare = attach_self, .arg = g } };
	int code = bk_spawn_supervise(&s);

	if (code >= 0)
		remove_group(g);
	return code;
}

static int cmd_exec(struct opts *o, int argc, char **argv)
{
	struct bk_cg_write w[MAX_REQS * 2];
	struct bk_cgroup g;
	size_t n;
	int status;

	check_fit(o, true, true, argc, 1, -1);
	if (bk_cg_init() < 0 || open_group(o, &g) < 0)
		bk_die_error(BK_EXIT_FAILED);
	n = plan(o, &g, w, false);
	if (make_group(o, &g, w, n, false) < 0)
		bk_die_error(BK_EXIT_FAILED);
	if (o->rm) {
		bk_cg_commit(&g);
		status = run_then_remove(&g, argv);
		if (status < 0) {
			remove_group(&g);
			bk_die_error(BK_EXIT_FAILED);
		}
		bk_cg_close(&g);
		return status;
	}
	if (bk_cg_attach_self(&g) < 0) {
		if (g.nundo)
			bk_cg_leave(&g);
		bk_cg_rollback(&g);
		bk_die_error(BK_EXIT_FAILED);
	}
	status = bk_exec_command(argv);
	/* The command could not start: take back a group made for it. */
	if (g.nundo) {
		bk_cg_leave(&g);
		bk_cg_rollback(&g);
	}
	bk_die_error(status);
}

/* set: cgset's form, one or more groups, each changed in turn. */
static void set_one(const struct opts *o, const char *path)
{
	struct bk_cg_write w[MAX_REQS * 2];
	struct bk_cgroup g;
	size_t n;

	if (bk_cg_open(&g, path) < 0)
		bk_die_error(1);
	n = plan(o, &g, w, true);
	if (o->devices && !o->device_bpf && bk_cg_add(&g, "devices") < 0)
		bk_die_error(1);
	/* an eBPF list alone names no controller: its directory is checked
	 * when the program is attached */
	if ((g.n || !o->device_bpf) && !bk_cg_exists_all(&g))
		bk_die(1, "%s: no such group", g.path);
	if (apply_all(o, &g, w, n) < 0)
		bk_die_error(1);
	bk_cg_close(&g);
}

static int cmd_set(struct opts *o, int argc, char **argv)
{
	check_fit(o, false, true, argc, 1, -1);
	if (!o->nreq && !o->devices)
		bk_usage_error("set: nothing to set (-r NAME=VALUE, a limit or a device option)");
	if (bk_cg_init() < 0)
		bk_die_error(1);
	for (int i = 0; i < argc; i++)
		set_one(o, argv[i]);
	return 0;
}

static int cmd_attach(struct opts *o, int argc, char **argv)
{
	struct bk_cgroup g;

	check_fit(o, true, false, argc, 1, -1);
	if (bk_cg_init() < 0 || open_group(o, &g) < 0)
		bk_die_error(1);
	if (!bk_cg_exists_all(&g))
		bk_die(1, "%s: no such group", g.path);
	for (int i = 0; i < argc; i++) {
		pid_t pid = (pid_t)bk_cli_number("attach", argv[i], 1, INT_MAX);

		if (bk_cg_attach(&g, pid) < 0)
			bk_die_error(1);
	}
	bk_cg_close(&g);
	return 0;
}

static int cmd_get(struct opts *o, int argc, char **argv)
{
	struct bk_cg_read r;
	struct bk_cgroup g;
	char *raw, out[512];

	check_fit(o, false, true, argc, 1, 1);
	if (o->nreq != 1 || o->portable)
		bk_usage_error("get: give exactly one -r NAME");
	if (bk_cg_init() < 0 || bk_cg_open(&g, argv[0]) < 0 ||
	    bk_cg_read_plan(o->req[0].name, bk_cg_host_version, NULL, &r) < 0 ||
	    bk_cg_add(&g, r.ctrl) < 0)
		bk_die_error(1);
	if (!bk_cg_exists_all(&g))
		bk_die(1, "%s: no such group", g.path);
	raw = bk_cg_read(&g, r.ctrl, r.file);
	if (!raw || bk_cg_read_convert(&r, raw, out, sizeof(out)) < 0)
		bk_die_error(1);
	free(raw);
	puts(out);
	bk_cg_close(&g);
	return 0;
}

static int cmd_stats(struct opts *o, int argc, char **argv)
{
	static const char *const ctrls[] = { "memory", "cpuacct", "pids" };
	struct bk_cg_stats s;
	struct bk_cgroup g;
	char *text;

	check_fit(o, false, false, argc, 1, 1);
	if (bk_cg_init() < 0 || bk_cg_open(&g, argv[0]) < 0)
		bk_die_error(1);
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++)   /* whichever this host has */
		if (bk_cg_available(ctrls[i]) && bk_cg_add(&g, ctrls[i]) < 0)
			bk_die_error(1);
	if (bk_cg_stats_read(&g, &s) < 0)
		bk_die_error(1);
	text = o->json ? bk_cg_stats_json(&s, g.path) : bk_cg_stats_text(&s);
	if (!text)
		bk_die_error(1);
	fputs(text, stdout);
	if (o->json)
		putchar('\n');
	free(text);
	bk_cg_close(&g);
	return 0;
}

/* delete: -g CONTROLLERS:PATH, or cgdelete's operand form without -g. */
static int cmd_delete(struct opts *o, int argc, char **argv)
{
	struct bk_cgroup g;

	for (int i = 0; i < argc; i++)
		add_group(o, argv[i]);
	check_fit(o, true, false, 0, 0, 0);
	if (bk_cg_init() < 0 || open_group(o, &g) < 0)
		bk_die_error(1);
	if (delete_group(&g, o->kill, o->force) < 0)
		bk_die_error(1);
	bk_cg_close(&g);
	return 0;
}

/* freeze PATH -- COMMAND: the group stays frozen while COMMAND runs (as
 * a child, signals forwarded), and is thawed however it ends. */
static int run_frozen(const char *path, char **argv)
{
	struct bk_spawn s = { .argv = argv };
	int code = bk_spawn_supervise(&s);

	if (bk_cg_freeze(path, false, 0) < 0)
		bk_warn("%s", bk_error());
	return code;
}

static int cmd_freeze(struct opts *o, int argc, char **argv)
{
	bool with_cmd = argc >= 3 && !strcmp(argv[1], "--");
	int st = argc > 1 ? BK_EXIT_FAILED : 1;

	check_fit(o, false, false, argc, 1, -1);
	if (argc != 1 && !with_cmd)
		bk_usage_error("freeze: PATH [-- COMMAND...] (see cgset-lite --help)");
	if (bk_cg_init() < 0 || bk_cg_freeze(argv[0], true, FREEZE_TIMEOUT_MS) < 0)
		bk_die_error(st);
	if (!with_cmd)
		return 0;
	int status = run_frozen(argv[0], argv + 2);
	if (status < 0) {
		bk_cg_freeze(argv[0], false, 0);
		bk_die_error(BK_EXIT_FAILED);
	}
	return status;
}

static int cmd_thaw(struct opts *o, int argc, char **argv)
{
	check_fit(o, false, false, argc, 1, 1);
	if (bk_cg_init() < 0 || bk_cg_freeze(argv[0], false, 0) < 0)
		bk_die_error(1);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(struct opts *o, int argc, char **argv);
} commands[] = {
	{ "create", cmd_create }, { "set", cmd_set }, { "exec", cmd_exec },
	{ "attach", cmd_attach }, { "get", cmd_get }, { "stats", cmd_stats },
	{ "delete", cmd_delete }, { "freeze", cmd_freeze }, { "thaw", cmd_thaw },
};

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	int i;

	bk_cli_init("cgset-lite", usage_text);
	while (bk_cli_next(&global_cli, argc, argv) != -1)
		;
	if (optind >= argc)
		bk_usage_error("missing subcommand (see cgset-lite --help)");
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		if (strcmp(argv[optind], commands[c].name))
			continue;
		o.cmd = commands[c].name;
		if (!strcmp(o.cmd, "exec"))
			bk_cli_chained();
		argc -= optind;
		argv += optind;
		i = parse(&o, argc, argv);
		return commands[c].run(&o, argc - i, argv + i);
	}
	bk_usage_error("unknown subcommand '%s' (see cgset-lite --help)", argv[optind]);
}
