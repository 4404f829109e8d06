/* ocirun — an OCI runtime with runc's command line, on bockit's
 * primitives: podman, containerd and Kubernetes' CRI drive it as they
 * drive runc. Option parsing and the outline of each command; the work
 * is in lib/oci (config, state, create, init, exec, ctl, group, hooks,
 * log) and the lib/ns and lib/cgroup modules nsrun and cgset-lite use. */
#include "base/chain.h"
#include "base/cli.h"
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/path.h"
#include "base/size.h"
#include "base/supervise.h"
#include "cgroup/cgfreeze.h"
#include "cgroup/cgprocs.h"
#include "oci/config.h"
#include "oci/create.h"
#include "oci/ctl.h"
#include "oci/defaults.h"
#include "oci/exec.h"
#include "oci/group.h"
#include "oci/hooks.h"
#include "oci/log.h"
#include "oci/process.h"
#include "oci/resources.h"
#include "oci/state.h"
#include "oci/sync.h"

#include <errno.h>
#include <limits.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FREEZE_TIMEOUT_MS 10000

static const char *root_dir = "/run/ocirun";

static const char usage_text[] =
"Usage: ocirun [GLOBAL OPTIONS] COMMAND [OPTIONS] ID [ARGS]\n"
"An OCI runtime with runc's command line, built on bockit's primitives.\n"
"\n"
"Commands:\n"
"  create [-b BUNDLE] [--pid-file F] [--console-socket S] [--preserve-fds N] ID\n"
"                  set the container up; its process waits for start\n"
"  start ID        run the process of a created container\n"
"  run [-b BUNDLE] [--pid-file F] [--console-socket S] [-d] ID\n"
"                  create and start; without -d, wait and return its status\n"
"  state ID        the state as JSON (status created, running, paused, stopped)\n"
"  kill [-a] ID [SIGNAL]  signal the process (SIGTERM; a name or a number);\n"
"                  --all: every process of the container\n"
"  delete [-f] ID  remove a stopped or created container (-f: kill it first)\n"
"  exec [-p FILE | [--cwd D] [-e K=V] [-u UID[:GID]] [-t] ID COMMAND...]\n"
"       [-d] [--pid-file F] [--console-socket S]  a new process in the container\n"
"  ps [--format table|json] ID   the container's PIDs\n"
"  pause ID, resume ID           freeze and thaw every process\n"
"  update --resources FILE|- ID  new linux.resources (memory, cpu, pids, blockIO)\n"
"  features        what ocirun supports, as JSON\n"
"  spec [-b BUNDLE] [--rootless]  write a starting config.json\n"
"\n"
"Global options:\n"
"  --root DIR      state directory (default /run/ocirun)\n"
"  --log FILE      write errors (and --debug traces) there too\n"
"  --log-format json|text\n"
"  --debug, -v     trace every kernel-level step (to --log when given)\n"
"  --systemd-cgroup  refused: ocirun manages cgroups itself (cgroupfs)\n"
"  -h, --help      this help       -V, --version\n"
"\n"
"Exit status: 0 ok, 1 failure, 2 usage; exec and run: the process's status\n"
"(128+N for signal N), 125 if ocirun failed, 126/127 if it cannot run.\n";

static const char *one_id(int argc, char **argv, const char *cmd)
{
	if (argc - optind != 1)
		bk_usage_error("%s: want exactly one container id (see ocirun --help)", cmd);
	return argv[optind];
}

static void load_state(const char *id, struct bk_oci_state *s, int fail_code)
{
	if (bk_oci_state_load(root_dir, id, s) < 0)
		bk_die_error(fail_code);
}

/* A command's options alone: -h/--help is the one usage. */
static void no_options(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	static const struct bk_cli cli = { .shortopts = "+h", .longopts = opts };

	while (bk_cli_next(&cli, argc, argv) != -1)
		;
}

/* ---- create, start, run ---- */

struct create_args {
	const char *bundle, *pid_file, *console, *id;
	unsigned preserve;
	bool detach;
};

#define CREATE_OPTIONS \
	{ "bundle", required_argument, NULL, 'b' }, \
	{ "pid-file", required_argument, NULL, 'P' }, \
	{ "console-socket", required_argument, NULL, 'C' }, \
	{ "preserve-fds", required_argument, NULL, 'F' }, \
	{ "no-pivot", no_argument, NULL, 'N' }, \
	{ "no-new-keyring", no_argument, NULL, 'K' }, \
	{ "help", no_argument, NULL, 'h' }

static void parse_create(int argc, char **argv, struct create_args *a, bool run)
{
	static const struct option create_opts[] = { CREATE_OPTIONS, { NULL, 0, NULL, 0 } };
	static const struct option run_opts[] = {
		CREATE_OPTIONS, { "detach", no_argument, NULL, 'd' }, { NULL, 0, NULL, 0 },
	};
	static const struct bk_cli create_cli = { .shortopts = "+hb:", .longopts = create_opts };
	static const struct bk_cli run_cli = { .shortopts = "+hb:d", .longopts = run_opts };
	int c;

	*a = (struct create_args){ .bundle = "." };
	while ((c = bk_cli_next(run ? &run_cli : &create_cli, argc, argv)) != -1) {
		switch (c) {
		case 'b': a->bundle = optarg; break;
		case 'P': a->pid_file = optarg; break;
		case 'C': a->console = optarg; break;
		case 'F': a->preserve = (unsigned)bk_cli_number("--preserve-fds", optarg, 0, 1048576); break;
		case 'd': a->detach = true; break;
		case 'N': bk_usage_error("--no-pivot: ocirun always switches root with pivot_root");
		case 'K': break;   /* no session keyring is made anyway */
		}
	}
	a->id = one_id(argc, argv, argv[0]);
}

static pid_t create(const struct create_args *a, int fail_code)
{
	struct bk_oci_create_opts o = { root_dir, a->id, a->pid_file, a->console, a->preserve };
	struct bk_oci_config c;
	pid_t pid;

	if (bk_oci_config_load(a->bundle, NULL, &c) < 0)
		bk_die_error(fail_code);
	if (c.proc.unknown_caps[0])
		bk_warn("process.capabilities: ignoring %s (unknown to this kernel)", c.proc.unknown_caps);
	if (c.proc.ambient_dropped)
		bk_warn("process.capabilities.ambient: leaving out 0x%llx (not both permitted and inheritable: "
			"the kernel cannot raise them)", (unsigned long long)c.proc.ambient_dropped);
	if (c.res.warnings[0])
		bk_warn("linux.resources: %s", c.res.warnings);
	pid = bk_oci_create(&o, &c);
	bk_oci_config_free(&c);
	if (pid < 0)
		bk_die_error(fail_code);
	return pid;
}

static int cmd_create(int argc, char **argv)
{
	struct create_args a;

	parse_create(argc, argv, &a, false);
	create(&a, 1);
	return 0;
}

static void warn_and_free(char *warning)
{
	if (warning)
		bk_warn("%s", warning);   /* poststart, poststop: the spec's warning */
	free(warning);
}

static int start(const char *id)
{
	struct bk_oci_state s;
	char *warning;
	int r;

	load_state(id, &s, 1);
	r = bk_oci_start(&s, &warning);
	warn_and_free(warning);
	bk_oci_state_free(&s);
	return r;
}

static void delete_forced(const char *id)
{
	struct bk_oci_state s;
	char *warning;

	load_state(id, &s, BK_EXIT_FAILED);
	if (bk_oci_delete(&s, true, &warning) < 0)
		bk_warn("%s", bk_error());
	warn_and_free(warning);
	bk_oci_state_free(&s);
}

static int cmd_start(int argc, char **argv)
{
	no_options(argc, argv);
	if (start(one_id(argc, argv, "start")) < 0)
		bk_die_error(1);
	return 0;
}

/* create, start, and unless detached wait: the container's process is
 * this process's child, so its status is ours; then delete. A failure of
 * ocirun's own is 125, as for any tool with a command. */
static int cmd_run(int argc, char **argv)
{
	struct create_args a;
	pid_t child;
	int code;

	parse_create(argc, argv, &a, true);
	child = create(&a, BK_EXIT_FAILED);
	if (start(a.id) < 0) {
		bk_warn("%s", bk_error());
		delete_forced(a.id);
		return BK_EXIT_FAILED;
	}
	if (a.detach)
		return 0;
	if (bk_signals_block(NULL) < 0 || (code = bk_supervise_child(child)) < 0)
		bk_die_error(BK_EXIT_FAILED);
	delete_forced(a.id);
	return code;
}

/* ---- state, kill, delete ---- */

static int cmd_state(int argc, char **argv)
{
	struct bk_oci_state s;
	char *text;

	no_options(argc, argv);
	load_state(one_id(argc, argv, "state"), &s, 1);
	text = bk_oci_state_json(&s, bk_oci_status_now(&s), true);
	if (!text)
		bk_die_error(1);
	puts(text);
	free(text);
	bk_oci_state_free(&s);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+ha", .longopts = opts };
	struct bk_oci_state s;
	enum bk_oci_status st;
	bool all = false;
	int sig = SIGTERM;

	while (bk_cli_next(&cli, argc, argv) != -1)
		all = true;
	if (argc - optind < 1 || argc - optind > 2)
		bk_usage_error("kill: want ID [SIGNAL]");
	if (argc - optind == 2 && bk_oci_signal_parse(argv[optind + 1], &sig) < 0)
		bk_usage_error("kill: %s", bk_error());
	load_state(argv[optind], &s, 1);
	st = bk_oci_status_now(&s);
	if (st == BK_OCI_STOPPED)
		bk_die(1, "container %s is not running", s.id);
	if ((all ? bk_oci_signal_all(&s, sig) : bk_oci_signal_init(&s, sig)) < 0)
		bk_die_error(1);
	bk_oci_state_free(&s);
	return 0;
}

static int cmd_delete(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+hf", .longopts = opts };
	struct bk_oci_state s;
	bool force = false;

	while (bk_cli_next(&cli, argc, argv) != -1)
		force = true;
	const char *id = one_id(argc, argv, "delete");
	if (bk_oci_state_load(root_dir, id, &s) < 0) {
		/* --force: a container that is not there is deleted (runc's rule) */
		if (force && strstr(bk_error(), "does not exist"))
			return 0;
		bk_die_error(1);
	}
	char *warning;
	if (bk_oci_delete(&s, force, &warning) < 0)
		bk_die_error(1);
	warn_and_free(warning);
	bk_oci_state_free(&s);
	return 0;
}

/* ---- exec ---- */

struct exec_args {
	struct bk_oci_exec_opts o;
	const char *process_file, *cwd, *user;
	const char *env[128];
	size_t nenv;
	bool tty, nnp;
};

static void parse_exec(int argc, char **argv, struct exec_args *a)
{
	static const struct option opts[] = {
		{ "process", required_argument, NULL, 'p' },
		{ "detach", no_argument, NULL, 'd' },
		{ "pid-file", required_argument, NULL, 'P' },
		{ "console-socket", required_argument, NULL, 'C' },
		{ "tty", no_argument, NULL, 't' },
		{ "cwd", required_argument, NULL, 'w' },
		{ "env", required_argument, NULL, 'e' },
		{ "user", required_argument, NULL, 'u' },
		{ "preserve-fds", required_argument, NULL, 'F' },
		{ "no-new-privs", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+hp:dtw:e:u:", .longopts = opts };
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = bk_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'p': a->process_file = optarg; break;
		case 'd': a->o.detach = true; break;
		case 'P': a->o.pid_file = optarg; break;
		case 'C': a->o.console_socket = optarg; break;
		case 't': a->tty = true; break;
		case 'w': a->cwd = optarg; break;
		case 'e':
			if (a->nenv == ARRAY_SIZE(a->env))
				bk_usage_error("exec: too many --env");
			a->env[a->nenv++] = optarg;
			break;
		case 'u': a->user = optarg; break;
		case 'F': a->o.preserve_fds = (unsigned)bk_cli_number("--preserve-fds", optarg, 0, 1048576); break;
		case 'n': a->nnp = true; break;
		}
	}
	if (argc - optind < 1)
		bk_usage_error("exec: want ID [COMMAND...]");
	if (!a->process_file && argc - optind < 2)
		bk_usage_error("exec: want a COMMAND or --process FILE");
	if (a->process_file && (argc - optind > 1 || a->cwd || a->nenv || a->user || a->tty))
		bk_usage_error("exec: --process FILE says it all: no COMMAND, --cwd, --env, --user or --tty");
}

/* The process: the file's, or the config's with the command line's changes. */
static int exec_process(const struct exec_args *a, const struct bk_oci_config *c, char **cmd,
			json_t **doc, struct bk_oci_process *p)
{
	json_error_t err;

	if (a->process_file) {
		*doc = !strcmp(a->process_file, "-") ? json_loadf(stdin, 0, &err)
						     : json_load_file(a->process_file, 0, &err);
		if (!*doc)
			return bk_fail("--process %s: line %d: %s", a->process_file, err.line, err.text);
		return bk_oci_process_parse(*doc, "process", p);
	}
	if (bk_oci_process_copy(&c->proc, p) < 0 || bk_oci_process_set_args(p, cmd) < 0)
		return -1;
	p->terminal = a->tty;
	p->nnp |= a->nnp;
	if (a->cwd)
		p->cwd = a->cwd;
	for (size_t i = 0; i < a->nenv; i++)
		if (bk_oci_process_set_env(p, a->env[i]) < 0)
			return -1;
	return a->user ? bk_oci_process_set_user(p, a->user) : 0;
}

static int cmd_exec(int argc, char **argv)
{
	struct exec_args a;
	struct bk_oci_state s;
	struct bk_oci_config c;
	struct bk_oci_process p = { 0 };
	json_t *doc = NULL;
	char path[PATH_MAX];
	enum bk_oci_status st;
	int code;

	parse_exec(argc, argv, &a);
	load_state(argv[optind], &s, BK_EXIT_FAILED);
	st = bk_oci_status_now(&s);
	if (st != BK_OCI_RUNNING && st != BK_OCI_CREATED)
		bk_die(BK_EXIT_FAILED, "container %s is %s: exec needs it created or running", s.id,
		       bk_oci_status_name(st));
	if (bk_oci_config_load(s.bundle, bk_oci_state_file(&s, "config.json", path), &c) < 0 ||
	    exec_process(&a, &c, argv + optind + 1, &doc, &p) < 0)
		bk_die_error(BK_EXIT_FAILED);
	code = bk_oci_exec(&s, &c, &p, &a.o);
	if (code && (code >= BK_EXIT_FAILED || a.o.detach))
		bk_warn("%s", bk_error());
	bk_oci_process_free(&p);
	json_decref(doc);
	bk_oci_config_free(&c);
	bk_oci_state_free(&s);
	return code;
}

/* ---- ps, pause, resume, update ---- */

static int cmd_ps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+hf:", .longopts = opts };
	const char *format = "table";
	struct bk_oci_state s;
	struct bk_cgroup g;
	pid_t *pids;
	size_t n;

	while (bk_cli_next(&cli, argc, argv) != -1)
		format = optarg;
	if (strcmp(format, "table") && strcmp(format, "json"))
		bk_usage_error("ps: --format '%s': table or json", format);
	load_state(one_id(argc, argv, "ps"), &s, 1);
	if (bk_oci_group_open(&s, &g) < 0 || bk_cg_procs(&g, &pids, &n) < 0)
		bk_die_error(1);
	bool json = !strcmp(format, "json");
	fputs(json ? "[" : "PID\n", stdout);
	for (size_t i = 0; i < n; i++) {
		if (json)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		else
			printf("%d\n", (int)pids[i]);
	}
	if (json)
		puts("]");
	free(pids);
	bk_cg_close(&g);
	bk_oci_state_free(&s);
	return 0;
}

static int freeze(int argc, char **argv, bool frozen)
{
	struct bk_oci_state s;
	struct bk_cgroup g;
	enum bk_oci_status st;

	no_options(argc, argv);
	load_state(one_id(argc, argv, argv[0]), &s, 1);
	st = bk_oci_status_now(&s);
	if (st != (frozen ? BK_OCI_RUNNING : BK_OCI_PAUSED))
		bk_die(1, "container %s is %s: %s needs it %s", s.id, bk_oci_status_name(st), argv[0],
		       frozen ? "running" : "paused");
	if (bk_oci_group_open(&s, &g) < 0 || bk_cg_freeze_group(&g, frozen, FREEZE_TIMEOUT_MS) < 0)
		bk_die_error(1);
	bk_cg_close(&g);
	bk_oci_state_free(&s);
	return 0;
}

static int cmd_pause(int argc, char **argv)
{
	return freeze(argc, argv, true);
}

static int cmd_resume(int argc, char **argv)
{
	return freeze(argc, argv, false);
}

static int cmd_update(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "resources", required_argument, NULL, 'r' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+hr:", .longopts = opts };
	const char *file = NULL;
	struct bk_oci_resources r;
	struct bk_oci_state s;
	struct bk_cgroup g;
	json_auto_t *doc = NULL;
	json_error_t err;

	while (bk_cli_next(&cli, argc, argv) != -1)
		file = optarg;
	if (!file)
		bk_usage_error("update: give --resources FILE (or - for stdin)");
	load_state(one_id(argc, argv, "update"), &s, 1);
	doc = !strcmp(file, "-") ? json_loadf(stdin, 0, &err) : json_load_file(file, 0, &err);
	if (!doc)
		bk_die(1, "--resources %s: line %d: %s", file, err.line, err.text);
	if (bk_oci_resources_parse(doc, "resources", &r) < 0)
		bk_die_error(1);
	if (r.warnings[0])
		bk_warn("resources: %s", r.warnings);
	if (bk_cg_init() < 0 || bk_oci_group_open(&s, &g) < 0 || bk_oci_group_update(&g, &r) < 0)
		bk_die_error(1);
	bk_cg_close(&g);
	bk_oci_state_free(&s);
	return 0;
}

/* ---- features, spec ---- */

static int print_json(json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;

	if (!text)
		bk_die(1, "cannot encode the JSON");
	puts(text);
	free(text);
	json_decref(doc);
	return 0;
}

static int cmd_features(int argc, char **argv)
{
	no_options(argc, argv);
	if (optind != argc)
		bk_usage_error("features: takes no operand");
	return print_json(bk_oci_features());
}

static int cmd_spec(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+hb:", .longopts = opts };
	const char *bundle = ".";
	bool rootless = false;
	char path[PATH_MAX];
	char *text;
	int c;

	while ((c = bk_cli_next(&cli, argc, argv)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else
			rootless = true;
	}
	if (bk_path_in(path, bundle, "config.json") < 0)
		bk_die_error(1);
	if (access(path, F_OK) == 0)
		bk_die(1, "%s exists already", path);
	json_t *doc = bk_oci_default_spec(rootless);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (!text)
		bk_die(1, "cannot encode the JSON");
	FILE *f = fopen(path, "wx");
	if (!f || fputs(text, f) == EOF || fputc('\n', f) == EOF || fclose(f) == EOF)
		bk_die(1, "%s: %s", path, strerror(errno));
	free(text);
	return 0;
}

/* ---- main ---- */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run }, { "state", cmd_state },
	{ "kill", cmd_kill }, { "delete", cmd_delete }, { "exec", cmd_exec }, { "ps", cmd_ps },
	{ "pause", cmd_pause }, { "resume", cmd_resume }, { "update", cmd_update },
	{ "features", cmd_features }, { "spec", cmd_spec },
};

enum { G_ROOT = 256, G_LOG, G_LOG_FORMAT, G_DEBUG, G_SYSTEMD, G_ROOTLESS, G_CRIU };

static int parse_global(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, G_ROOT },
		{ "log", required_argument, NULL, G_LOG },
		{ "log-format", required_argument, NULL, G_LOG_FORMAT },
		{ "debug", no_argument, NULL, G_DEBUG },
		{ "systemd-cgroup", no_argument, NULL, G_SYSTEMD },
		{ "rootless", required_argument, NULL, G_ROOTLESS },
		{ "criu", required_argument, NULL, G_CRIU },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct bk_cli cli = { .shortopts = "+vhV", .longopts = opts };
	const char *log = NULL, *format = "text";
	int c;

	while ((c = bk_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case G_ROOT: root_dir = optarg; break;
		case G_LOG: log = optarg; break;
		case G_LOG_FORMAT: format = optarg; break;
		case G_DEBUG: bk_verbose++; break;
		case G_SYSTEMD:
			bk_die(1, "--systemd-cgroup: ocirun has no systemd cgroup manager; use cgroupfs "
			       "(podman --cgroup-manager=cgroupfs, containerd SystemdCgroup = false)");
		case G_ROOTLESS: break;   /* decided from the config's user namespace */
		case G_CRIU: break;       /* checkpoint/restore: not a command of ocirun */
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json"))
		bk_usage_error("--log-format '%s': json or text", format);
	if (log && bk_oci_log_open(log, !strcmp(format, "json")) < 0)
		bk_die_error(1);
	if (root_dir[0] != '/')
		bk_usage_error("--root '%s': want an absolute path", root_dir);
	return optind;
}

int main(int argc, char **argv)
{
	int i;

	bk_cli_init("ocirun", usage_text);
	/* a hook that does not read its stdin must not kill the runtime */
	signal(SIGPIPE, SIG_IGN);
	i = parse_global(argc, argv);
	if (i >= argc)
		bk_usage_error("missing command (see ocirun --help)");
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++) {
		if (strcmp(argv[i], commands[c].name))
			continue;
		optind = 1;
		/* exec and run have a COMMAND: their usage errors are 125 */
		if (!strcmp(argv[i], "exec") || !strcmp(argv[i], "run"))
			bk_cli_chained();
		return commands[c].run(argc - i, argv + i);
	}
	bk_usage_error("unknown command '%s' (see ocirun --help)", argv[i]);
}
