/* nsrun — run a command in new or existing namespaces, optionally inside a
 * new root, under a tiny init. The unshare/nsenter/chroot of bockit. */
#include "ns/caps.h"
#include "base/array.h"
#include "ns/cgns.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/cli.h"
#include "base/fsutil.h"
#include "ns/idmap.h"
#include "base/relay.h"
#include "base/supervise.h"
#include "base/msg.h"
#include "ns/ns.h"
#include "ns/procenv.h"
#include "ns/procself.h"
#include "ns/pty.h"
#include "ns/rootfs.h"
#include "ns/seccomp.h"
#include "ns/user.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct opts {
	int new_flags;                        /* namespaces to create */
	const char *join[BK_NS_COUNT];        /* --net=PATH & co: files to join */
	unsigned named;                       /* kinds given without =FILE */
	unsigned target_mask;                 /* kinds named with -t */
	pid_t target;
	bool target_form;                     /* -t given: nsenter's -r and -w */
	bool target_all;                      /* -a */
	bool take_root, take_cwd;             /* -t with -r, -w */
	const char *root_dir, *cwd_dir;       /* their =DIR; NULL: the target's */
	bool fork, no_init, target_env, clear_env, nnp;
	bool loopback;                        /* --loopback: lo up in a new netns */
	bool hide;                            /* undumpable init and fork child */
	bool joined_userns;                   /* -t entered a user namespace */
	unsigned preserve_fds;                /* fds 3..3+N-1 reach COMMAND */
	struct bk_rootfs fs;
	struct bk_mountreq mounts[64];
	const char *hostname, *workdir, *pidfile;
	const char *log;                      /* --log FILE: output relayed and recorded */
	bool tty;                             /* --tty: a pty, relayed */
	int pty_slave;                        /* inside: the slave, for COMMAND */
	struct bk_relay relay;
	const char *env[256];
	size_t nenv;
	long uid, gid;                        /* -1: unchanged */
	const char *user;                     /* --run-as USER[:GROUP], looked up inside */
	long map_uid, map_gid;                /* -1: no map */
	uid_t outer_uid;                      /* euid/egid before any unshare */
	gid_t outer_gid;
	struct bk_caps caps;
	const char *seccomp;                  /* profile; NULL: no filter */
	bool seccomp_given;                   /* --seccomp beats --container */
	struct bk_seccomp filter;             /* compiled before the fork */
	char **argv;
};

static char *default_argv[] = { "/bin/sh", NULL };

static const char usage_text[] =
"Usage: nsrun [options] [--] [COMMAND [ARG...]]\n"
"       nsrun -t PID [options] [--] [COMMAND [ARG...]]\n"
"Run COMMAND (default /bin/sh) in new namespaces, as unshare(1) does, or\n"
"in those of process PID, as nsenter(1) does.\n"
"\n"
"Namespaces (new, or joined when given =FILE or with --target):\n"
"  -m, --mount[=FILE]    mount          -u, --uts[=FILE]     hostname\n"
"  -i, --ipc[=FILE]      System V IPC   -p, --pid[=FILE]     process ids\n"
"  -n, --net[=FILE]      network        -U, --user[=FILE]    user ids\n"
"  -C, --cgroup[=FILE]   cgroup root    -T, --time[=FILE]    clocks\n"
"  -f, --fork            fork before running COMMAND (implied by -p, -T)\n"
"Joining a process, as nsenter(1):\n"
"  -t, --target PID      join PID's namespaces: those named, else all that\n"
"                        differ (-a, --all); root and cwd stay ours unless:\n"
"  -r, --root[=DIR]      with -t: chroot to PID's root (or to DIR)\n"
"  -w, --wd[=DIR]        with -t: chdir to PID's cwd (or to DIR)\n"
"                        (with -t, -r and -w take only an attached value:\n"
"                        -rDIR, --root=DIR)\n"
"      --target-env      take PID's environment too\n"
"Root and filesystems (imply -m):\n"
"  -r, --root DIR        make DIR the root with pivot_root(2)\n"
"      --chroot          with --root: use chroot(2) instead (escapable)\n"
"      --mount-proc      mount a new /proc\n"
"      --mount-dev       tmpfs /dev with null zero full random urandom tty,\n"
"                        pts, shm and the fd/stdin/stdout/stderr links\n"
"      --mount-sys       mount /sys read-only\n"
"      --mount-cgroup    read-only /sys/fs/cgroup of a new cgroup namespace\n"
"                        (implies -C): only the process's own groups\n"
"      --bind SRC:DST[:ro]  bind SRC (outside) on DST (inside the root)\n"
"      --tmpfs DST       mount an empty tmpfs on DST\n"
"      --nodev           no device node opens on the root, binds or /dev\n"
"      --read-only       the root read-only once everything is mounted (its\n"
"                        /proc, /dev, binds and tmpfs keep their own modes)\n"
"      --device SRC[:DST]  bind the device node SRC (default DST: SRC)\n"
"Identity:\n"
"      --hostname NAME   set the hostname (implies -u)\n"
"  -W, --workdir DIR     working directory inside (default: / with --root,\n"
"                        else unchanged); also --wdns DIR, and without -t\n"
"                        -w DIR, --wd DIR\n"
"  -e, --env K=V         set an environment variable (repeatable)\n"
"      --clear-env       start from an empty environment\n"
"      --uid UID, --gid GID  numeric ids to run COMMAND as (-S, -G)\n"
"      --run-as USER[:GROUP]  a name or id looked up in the new root's\n"
"                        /etc/passwd and /etc/group (its groups too; HOME)\n"
"      --map-root-user   with -U: map your uid and gid to 0 inside\n"
"      --map-user UID, --map-group GID  with -U: map yours to these\n"
"Hardening:\n"
"      --caps SET        default | none | all | list (default,-net_raw,+sys_admin)\n"
"      --no-new-privs    set no_new_privs (setuid binaries stop working)\n"
"      --seccomp PROFILE default (Docker's profile, built in) | unconfined |\n"
"                        FILE (OCI/Docker JSON); installed just before exec\n"
"      --mask-proc       hide /proc/kcore, /proc/keys... and make /proc/sys,\n"
"                        /proc/sysrq-trigger... read-only (as runc does)\n"
"      --container       -mpuiC --mount-proc --mount-dev --mount-sys\n"
"                        --mount-cgroup --mask-proc --nodev --caps=default\n"
"                        --no-new-privs --seccomp=default\n"
"Process:\n"
"      --no-init         with -p: COMMAND itself is PID 1 (no mini-init)\n"
"      --loopback        with -n: bring the new network namespace's lo up\n"
"      --pidfile FILE    write the host PID of the first process inside\n"
"      --preserve-fds N  pass fds 3..3+N-1 to COMMAND (every other fd above 2\n"
"                        is closed before it runs)\n"
"      --log FILE        COMMAND's stdout and stderr pass through nsrun to\n"
"                        its own and are appended to FILE, a line a record:\n"
"                        \"1 text\" (stdout), \"2 text\" (stderr), \"1+text\"\n"
"                        (no newline followed); implies -f\n"
"      --tty             COMMAND gets a pty from the new root's /dev/ptmx (with\n"
"                        --mount-dev its own devpts) as its controlling\n"
"                        terminal; nsrun relays it to its own stdin and stdout\n"
"                        (and --log), its terminal raw meanwhile; implies -f\n"
"  -v, --verbose         trace every kernel-level step on stderr\n"
"  -h, --help            this help      -V, --version\n"
"\n"
"Exit status: COMMAND's, 128+N if killed by signal N, 125 if nsrun failed\n"
"(a usage error too), 126 if COMMAND cannot run, 127 if it is not found.\n";

enum {
	OPT_TARGET_ENV = 256, OPT_CHROOT, OPT_MOUNT_PROC, OPT_MOUNT_DEV,
	OPT_MOUNT_SYS, OPT_BIND, OPT_TMPFS, OPT_HOSTNAME, OPT_CLEAR_ENV, OPT_UID,
	OPT_GID, OPT_MAP_ROOT, OPT_MAP_USER, OPT_MAP_GROUP, OPT_CAPS, OPT_NNP,
	OPT_MASK_PROC, OPT_CONTAINER, OPT_NO_INIT, OPT_PIDFILE, OPT_MOUNT_CGROUP,
	OPT_NODEV, OPT_DEVICE, OPT_PRESERVE_FDS, OPT_SECCOMP, OPT_USER, OPT_LOOPBACK,
	OPT_LOG, OPT_TTY, OPT_READ_ONLY,
};

/* Not const: -r/--root and -w/--wd take a value of their own without
 * --target (unshare's -R/--root and -w/--wd), an attached one with it
 * (nsenter's -r/--root[=DIR], -w/--wd[=DIR]); see set_form(). */
static struct option long_opts[] = {
	{ "mount", optional_argument, NULL, 'm' },
	{ "uts", optional_argument, NULL, 'u' },
	{ "ipc", optional_argument, NULL, 'i' },
	{ "pid", optional_argument, NULL, 'p' },
	{ "net", optional_argument, NULL, 'n' },
	{ "user", optional_argument, NULL, 'U' },
	{ "cgroup", optional_argument, NULL, 'C' },
	{ "time", optional_argument, NULL, 'T' },
	{ "fork", no_argument, NULL, 'f' },
	{ "target", required_argument, NULL, 't' },
	{ "all", no_argument, NULL, 'a' },
	{ "target-env", no_argument, NULL, OPT_TARGET_ENV },
	{ "root", required_argument, NULL, 'r' },
	{ "chroot", no_argument, NULL, OPT_CHROOT },
	{ "mount-proc", no_argument, NULL, OPT_MOUNT_PROC },
	{ "mount-dev", no_argument, NULL, OPT_MOUNT_DEV },
	{ "mount-sys", no_argument, NULL, OPT_MOUNT_SYS },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "tmpfs", required_argument, NULL, OPT_TMPFS },
	{ "mount-cgroup", no_argument, NULL, OPT_MOUNT_CGROUP },
	{ "nodev", no_argument, NULL, OPT_NODEV },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "wd", required_argument, NULL, 'w' },
	{ "workdir", required_argument, NULL, 'W' },
	{ "wdns", required_argument, NULL, 'W' },
	{ "env", required_argument, NULL, 'e' },
	{ "clear-env", no_argument, NULL, OPT_CLEAR_ENV },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "gid", required_argument, NULL, OPT_GID },
	{ "setuid", required_argument, NULL, 'S' },
	{ "setgid", required_argument, NULL, 'G' },
	{ "run-as", required_argument, NULL, OPT_USER },
	{ "loopback", no_argument, NULL, OPT_LOOPBACK },
	{ "map-root-user", no_argument, NULL, OPT_MAP_ROOT },
	{ "map-user", required_argument, NULL, OPT_MAP_USER },
	{ "map-group", required_argument, NULL, OPT_MAP_GROUP },
	{ "caps", required_argument, NULL, OPT_CAPS },
	{ "no-new-privs", no_argument, NULL, OPT_NNP },
	{ "seccomp", required_argument, NULL, OPT_SECCOMP },
	{ "mask-proc", no_argument, NULL, OPT_MASK_PROC },
	{ "container", no_argument, NULL, OPT_CONTAINER },
	{ "no-init", no_argument, NULL, OPT_NO_INIT },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "tty", no_argument, NULL, OPT_TTY },
	{ "read-only", no_argument, NULL, OPT_READ_ONLY },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* --target joins what exists: it makes no namespace and mounts nothing.
 * --map-root-user is a uid and a gid map of its own. */
static const bk_cli_excl_t exclusive[] = {
	{ 't', OPT_MOUNT_PROC }, { 't', OPT_MOUNT_DEV }, { 't', OPT_MOUNT_SYS },
	{ 't', OPT_MOUNT_CGROUP }, { 't', OPT_BIND }, { 't', OPT_TMPFS }, { 't', OPT_DEVICE },
	{ 't', OPT_MASK_PROC }, { 't', OPT_CONTAINER }, { 't', OPT_READ_ONLY },
	{ OPT_MAP_ROOT, OPT_MAP_USER }, { OPT_MAP_ROOT, OPT_MAP_GROUP },
};

static const struct bk_cli unshare_cli = {
	.shortopts = "+muipnUCTfat:r:w:W:e:S:G:vhV", .longopts = long_opts, BK_CLI_EXCL(exclusive),
};
static const struct bk_cli target_cli = {
	.shortopts = "+muipnUCTfat:r::w::W:e:S:G:vhV", .longopts = long_opts, BK_CLI_EXCL(exclusive),
};

/* The long options to match the form's short ones. */
static void set_form(bool target)
{
	for (struct option *o = long_opts; o->name; o++)
		if (o->val == 'r' || o->val == 'w')
			o->has_arg = target ? optional_argument : required_argument;
}

#define MAX_ID (UINT32_MAX - 1)   /* (uid_t)-1 means "unchanged" to the kernel */
#define MAX_PRESERVED_FDS (1u << 20)   /* the kernel's highest nr_open */

static long parse_id(const char *s, const char *what)
{
	return (long)bk_cli_number(what, s, 0, MAX_ID);
}

static int ns_kind_of_opt(int c)
{
	switch (c) {
	case 'm': return BK_NS_MNT;
	case 'u': return BK_NS_UTS;
	case 'i': return BK_NS_IPC;
	case 'p': return BK_NS_PID;
	case 'n': return BK_NS_NET;
	case 'U': return BK_NS_USER;
	case 'C': return BK_NS_CGROUP;
	case 'T': return BK_NS_TIME;
	default: return -1;
	}
}

static struct bk_mountreq *add_mount(struct opts *o, const char *src, const char *dst, bool ro)
{
	if (o->fs.nmounts == ARRAY_SIZE(o->mounts))
		bk_usage_error("too many --bind/--tmpfs/--device (max %zu)", ARRAY_SIZE(o->mounts));
	if (dst[0] != '/')
		bk_usage_error("mount target '%s' must be an absolute path", dst);
	o->mounts[o->fs.nmounts] = (struct bk_mountreq){ .src = src, .dst = dst, .ro = ro, .tree_fd = -1 };
	return &o->mounts[o->fs.nmounts++];
}

/* SRC:DST[:ro], split in a copy: argv stays as given, for ps(1). */
static void parse_bind(struct opts *o, const char *given)
{
	char *arg = strdup(given);
	char *dst = arg ? strchr(arg, ':') : NULL;
	char *mode;
	bool ro = false;

	if (!arg)
		bk_die(BK_EXIT_FAILED, "out of memory");
	if (!dst || dst == arg || !dst[1])
		bk_usage_error("--bind '%s': expected SRC:DST[:ro]", given);
	*dst++ = '\0';
	mode = strchr(dst, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") && strcmp(mode, "rw"))
			bk_usage_error("--bind: unknown mode '%s' (ro or rw)", mode);
		ro = !strcmp(mode, "ro");
	}
	add_mount(o, arg, dst, ro);
}

/* SRC[:DST]: a device node of the host, bound at DST (default SRC). */
static void parse_device(struct opts *o, const char *given)
{
	char *arg = strdup(given);
	char *dst = arg ? strchr(arg, ':') : NULL;

	if (!arg)
		bk_die(BK_EXIT_FAILED, "out of memory");
	if (!arg[0] || arg[0] == ':')
		bk_usage_error("--device '%s': expected SRC[:DST]", given);
	if (dst)
		*dst++ = '\0';
	add_mount(o, arg, dst && *dst ? dst : arg, false)->device = true;
}

static void set_container(struct opts *o)
{
	o->new_flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
	o->fs.proc = o->fs.dev = o->fs.sys = o->fs.mask_proc = true;
	o->fs.cgroup = o->fs.nodev = true;
	if (bk_caps_parse("default", &o->caps) < 0)
		bk_die_error(BK_EXIT_FAILED);
	o->nnp = true;
	if (!o->seccomp_given)
		o->seccomp = "default";
}

static void parse_ns_opt(struct opts *o, int c, const char *arg)
{
	int k = ns_kind_of_opt(c);

	if (arg)
		o->join[k] = arg;
	else
		o->named |= 1u << k;
}

static void parse_opt(struct opts *o, int c, char *arg)
{
	switch (c) {
	case 'f': o->fork = true; break;
	case 't':
		/* only a separate value of -r or -w hid it from the look-ahead */
		if (!o->target_form)
			bk_usage_error("--target must come before -r DIR and -w DIR (with --target "
				       "they take only an attached value: -rDIR, --root=DIR)");
		o->target = (pid_t)bk_cli_number("--target", arg, 1, INT_MAX);
		break;
	case 'a': o->target_all = true; break;
	case OPT_TARGET_ENV: o->target_env = true; break;
	case 'r':
		if (!o->target_form)
			o->fs.root = arg;
		o->take_root = o->target_form;
		o->root_dir = arg;
		break;
	case OPT_CHROOT: o->fs.use_chroot = true; break;
	case OPT_MOUNT_PROC: o->fs.proc = true; break;
	case OPT_MOUNT_DEV: o->fs.dev = true; break;
	case OPT_MOUNT_SYS: o->fs.sys = true; break;
	case OPT_BIND: parse_bind(o, arg); break;
	case OPT_TMPFS: add_mount(o, NULL, arg, false); break;
	case OPT_MOUNT_CGROUP: o->fs.cgroup = true; break;
	case OPT_NODEV: o->fs.nodev = true; break;
	case OPT_DEVICE: parse_device(o, arg); break;
	case OPT_PRESERVE_FDS:
		o->preserve_fds = (unsigned)bk_cli_number("--preserve-fds", arg, 0, MAX_PRESERVED_FDS);
		break;
	case OPT_HOSTNAME: o->hostname = arg; break;
	case 'w':
		if (!o->target_form)
			o->workdir = arg;
		o->take_cwd = o->target_form;
		o->cwd_dir = arg;
		break;
	case 'W': o->workdir = arg; break;
	case 'e':
		if (!strchr(arg, '=') || arg[0] == '=')
			bk_usage_error("--env '%s': expected NAME=VALUE", arg);
		if (o->nenv == ARRAY_SIZE(o->env))
			bk_usage_error("too many --env (max %zu)", ARRAY_SIZE(o->env));
		o->env[o->nenv++] = arg;
		break;
	case OPT_CLEAR_ENV: o->clear_env = true; break;
	case OPT_UID: o->uid = parse_id(arg, "--uid"); break;
	case OPT_GID: o->gid = parse_id(arg, "--gid"); break;
	case 'S': o->uid = parse_id(arg, "--setuid"); break;
	case 'G': o->gid = parse_id(arg, "--setgid"); break;
	case OPT_USER: o->user = arg; break;
	case OPT_LOOPBACK: o->loopback = true; break;
	case OPT_MAP_ROOT: o->map_uid = o->map_gid = 0; break;
	case OPT_MAP_USER: o->map_uid = parse_id(arg, "--map-user"); break;
	case OPT_MAP_GROUP: o->map_gid = parse_id(arg, "--map-group"); break;
	case OPT_CAPS:
		if (bk_caps_parse(arg, &o->caps) < 0)
			bk_usage_error("--caps: %s", bk_error());
		break;
	case OPT_NNP: o->nnp = true; break;
	case OPT_SECCOMP:
		o->seccomp = arg;
		o->seccomp_given = true;
		break;
	case OPT_MASK_PROC: o->fs.mask_proc = true; break;
	case OPT_CONTAINER: set_container(o); break;
	case OPT_NO_INIT: o->no_init = true; break;
	case OPT_PIDFILE: o->pidfile = arg; break;
	case OPT_LOG: o->log = arg; break;
	case OPT_TTY: o->tty = true; break;
	case OPT_READ_ONLY: o->fs.ro_root = true; break;
	default:
		if (ns_kind_of_opt(c) >= 0)
			parse_ns_opt(o, c, arg);
		break;
	}
}

static void parse(struct opts *o, int argc, char **argv)
{
	int c;

	o->uid = o->gid = o->map_uid = o->map_gid = -1;
	o->caps.keep_all = true;
	bk_rootfs_init(&o->fs);
	o->fs.mounts = o->mounts;
	set_form(true);
	o->target_form = bk_cli_given(&target_cli, argc, argv, 't');
	set_form(o->target_form);
	while ((c = bk_cli_next(o->target_form ? &target_cli : &unshare_cli, argc, argv)) != -1)
		parse_opt(o, c, optarg);
	/* A bare -n means "new" alone and "join PID's" with --target, in
	 * whatever order the two were given. */
	for (int k = 0; k < BK_NS_COUNT; k++) {
		if (!(o->named & (1u << k)))
			continue;
		if (o->target)
			o->target_mask |= 1u << k;
		else
			o->new_flags |= bk_ns_flag(k);
	}
	if (o->target_all)
		o->target_mask = 0;   /* every one that differs, as without names */
	o->argv = optind < argc ? argv + optind : default_argv;
}

static bool wants_mounts(const struct opts *o)
{
	return o->fs.root || o->fs.proc || o->fs.dev || o->fs.sys ||
	       o->fs.nmounts || o->fs.mask_proc || o->fs.cgroup || o->fs.ro_root;
}

/* The cgroup view needs /sys and a cgroup namespace made here, after the
 * caller put the process in its groups; which groups are its own is read
 * now, before the namespace hides where they are. */
static void validate_cgroup_view(struct opts *o)
{
	if (!o->fs.sys)
		bk_usage_error("--mount-cgroup needs --mount-sys");
	if (o->join[BK_NS_CGROUP])
		bk_usage_error("--mount-cgroup needs a new cgroup namespace, not --cgroup=FILE");
	o->new_flags |= CLONE_NEWCGROUP;
	if (bk_cgns_plan(&o->fs.cg) < 0)
		bk_die_error(BK_EXIT_FAILED);
}

/* Check everything that can be checked before the first namespace is made,
 * so a usage error leaves nothing behind. */
static void validate(struct opts *o)
{
	static char root[PATH_MAX];
	struct stat st;

	if (o->join[BK_NS_MNT] && wants_mounts(o))
		bk_usage_error("--root and mount options need a new mount namespace, not --mount=FILE");
	if (o->target_env && !o->target)
		bk_usage_error("--target-env needs --target");
	if (o->loopback && !(o->new_flags & CLONE_NEWNET))
		bk_usage_error("--loopback needs a new network namespace (-n)");
	if (o->target_all && !o->target)
		bk_usage_error("--all needs --target");
	if (o->user && (o->uid >= 0 || o->gid >= 0))
		bk_usage_error("--run-as cannot be combined with --uid or --gid");
	if (o->fs.use_chroot && !o->fs.root)
		bk_usage_error("--chroot needs --root DIR");
	if (o->fs.mask_proc && !o->fs.proc)
		bk_usage_error("--mask-proc needs --mount-proc");
	if ((o->map_uid >= 0 || o->map_gid >= 0) && !(o->new_flags & CLONE_NEWUSER))
		bk_usage_error("--map-root-user/--map-user/--map-group need -U");
	if (o->no_init && !(o->new_flags & CLONE_NEWPID))
		bk_usage_error("--no-init needs -p");
	if (o->fs.root) {
		if (!realpath(o->fs.root, root) || stat(root, &st) < 0)
			bk_die(BK_EXIT_FAILED, "root %s: %s", o->fs.root, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			bk_die(BK_EXIT_FAILED, "root %s: not a directory", o->fs.root);
		o->fs.root = root;
	}
	for (size_t i = 0; i < o->fs.nmounts; i++) {
		const struct bk_mountreq *m = &o->mounts[i];
		if (m->src && stat(m->src, &st) < 0)
			bk_die(BK_EXIT_FAILED, "%s source %s: %s", m->device ? "device" : "bind",
			       m->src, strerror(errno));
		if (m->device && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			bk_usage_error("--device %s: not a device node", m->src);
	}
	if (o->fs.cgroup)
		validate_cgroup_view(o);
	if (wants_mounts(o) && !o->join[BK_NS_MNT] && !(o->new_flags & CLONE_NEWNS)) {
		BK_TRACE("root and mount options imply -m");
		o->new_flags |= CLONE_NEWNS;
	}
	if (o->hostname && !o->join[BK_NS_UTS] && !(o->new_flags & CLONE_NEWUTS)) {
		BK_TRACE("--hostname implies -u");
		o->new_flags |= CLONE_NEWUTS;
	}
}

static int join_namespaces(struct opts *o, struct bk_ns_target *t)
{
	if (o->target) {
		if (bk_ns_target_open(t, o->target, o->target_mask) < 0 ||
		    (o->take_root && bk_ns_target_take_root(t, o->root_dir) < 0) ||
		    (o->take_cwd && bk_ns_target_take_cwd(t, o->cwd_dir) < 0))
			return -1;
		if (o->target_env && bk_take_env_of(o->target) < 0)
			return -1;
	}
	for (int k = 0; k < BK_NS_COUNT; k++)
		if (o->join[k] && bk_ns_join_path(o->join[k], k) < 0)
			return -1;
	if (o->target && bk_ns_target_enter(t) < 0)
		return -1;
	return 0;
}

/* Namespaces that only take effect in children (pid, time) and the user
 * namespace that must own them are made before the fork; the rest after
 * it, in the child, so the supervising parent never shares the child's
 * mount namespace (pivot_root would move the parent's root too). */
#define EARLY_NS (CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWTIME)

static int create_namespaces(struct opts *o, int flags)
{
	if (!flags)
		return 0;
	if (bk_ns_unshare(flags) < 0)
		return -1;
	if ((flags & CLONE_NEWNET) && o->loopback && bk_ns_loopback_up() < 0)
		return -1;
	if (flags & CLONE_NEWUSER) {
		o->fs.sys_needs_bind = !(o->new_flags & CLONE_NEWNET) && !o->join[BK_NS_NET];
		return bk_idmap_write_self(o->map_uid >= 0 ? (uid_t)o->map_uid : (uid_t)-1, o->outer_uid,
					   o->map_gid >= 0 ? (gid_t)o->map_gid : (gid_t)-1, o->outer_gid);
	}
	return 0;
}

/* --run-as: looked up now, in the root the command will see; HOME from
 * the passwd entry unless the environment has one. */
static int set_user(const struct opts *o)
{
	struct bk_user u;

	if (bk_user_resolve(o->user, &u) < 0)
		return -1;
	if (!getenv("HOME") && setenv("HOME", u.home, 1) < 0)
		return bk_fail_errno(errno, "setenv HOME");
	return bk_user_apply(&u);
}

/* As nsenter: in a joined user namespace, be its root unless told. */
static int set_identity(const struct opts *o)
{
	long uid = o->uid, gid = o->gid;

	if (o->user)
		return set_user(o);
	if (o->joined_userns) {
		uid = uid < 0 ? 0 : uid;
		gid = gid < 0 ? 0 : gid;
	}
	return bk_set_ids(uid, gid);
}

static int setup_filesystems(struct opts *o)
{
	if (!(o->new_flags & CLONE_NEWNS) || !wants_mounts(o))
		return 0;
	if (bk_rootfs_prepare(&o->fs) < 0 || bk_rootfs_enter(&o->fs) < 0 ||
	    bk_rootfs_populate(&o->fs) < 0)
		return -1;
	bk_rootfs_release(&o->fs);
	return 0;
}

/* The pty, from the root in place: the master to the supervisor, the
 * slave kept for COMMAND (opened while still root: the user it runs as
 * might not open it). */
static int open_terminal(struct opts *o)
{
	char name[64];
	int sock = bk_relay_child_socket(&o->relay);
	_cleanup_close_ int master = bk_pty_open(name, sizeof(name));

	if (master < 0)
		return -1;
	BK_TRACE("open(\"%s\", O_RDWR|O_NOCTTY)", name);
	o->pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (o->pty_slave < 0)
		return bk_fail_errno(errno, "open %s", name);
	if (bk_pty_send(sock, master, name) < 0)
		return -1;
	close(sock);
	return 0;
}

/* Everything between "in the namespaces" and exec: mounts, hostname, cwd,
 * env, then the identity and capabilities last. */
static int setup_process(struct opts *o)
{
	if (setup_filesystems(o) < 0 || (o->tty && open_terminal(o) < 0))
		return -1;
	if (bk_ns_set_uts(o->hostname, NULL) < 0)
		return -1;
	if (o->workdir && bk_rootfs_chdir(o->workdir) < 0)
		return -1;
	if (bk_apply_env(o->clear_env, o->env, o->nenv) < 0)
		return -1;
	/* Without no_new_privs only CAP_SYS_ADMIN may install a filter: do it
	 * while it is still held (the default profile allows what follows). */
	if (!o->nnp && bk_seccomp_install(&o->filter) < 0)
		return -1;
	if (bk_caps_drop_bounding(&o->caps) < 0 || set_identity(o) < 0 ||
	    bk_caps_set(&o->caps) < 0)
		return -1;
	if (o->nnp && bk_set_no_new_privs() < 0)
		return -1;
	return 0;
}

/* The last steps before COMMAND: no fd above 2 but the preserved ones
 * survives the exec. Returns (on failure) the code to exit with. */
static int exec_final(char *const argv[], void *arg)
{
	const struct opts *o = arg;

	if ((o->pty_slave >= 0 && bk_pty_take_ctty(o->pty_slave) < 0) ||
	    bk_fds_cloexec_from(3 + o->preserve_fds) < 0 ||
	    (o->nnp && bk_seccomp_install(&o->filter) < 0))
		return BK_EXIT_FAILED;
	return bk_exec_command(argv);
}

/* The init, once its child exists and before the command runs: its
 * /proc/1/cmdline and environ show "init -- COMMAND" and the command's
 * environment, nothing of the host's, and it holds no fd above 2. The
 * retitle comes first: closing the fds lets the command go (supervise's
 * gate). */
static int hide_init(void *arg)
{
	const struct opts *o = arg;

	if (bk_proc_retitle_init(o->argv) < 0)
		return -1;
	return bk_fds_close_from(3);
}

/* In the final namespaces, set up for COMMAND. */
static int setup_inside(struct opts *o)
{
	if (create_namespaces(o, o->new_flags & ~EARLY_NS) < 0 ||
	    setup_process(o) < 0)
		return -1;
	return 0;
}

/* The forked child: until its exec it is the host's nsrun among container
 * processes (PID 1 for good), so nothing of it may be reachable through
 * /proc/PID. */
static int prepare_child(void *arg)
{
	struct opts *o = arg;

	if (o->hide && bk_set_undumpable() < 0)
		return -1;
	/* PID 1 of a new PID namespace and all it starts: every signal at
	 * its default action, whatever the caller ignored */
	if (o->new_flags & CLONE_NEWPID)
		bk_signals_default();
	return setup_inside(o);
}

/* The child gets the final namespaces, then becomes COMMAND or, with a
 * new PID namespace, its init. The container must not outlive a
 * SIGKILLed nsrun. */
static int fork_and_supervise(struct opts *o)
{
	bool init = (o->new_flags & CLONE_NEWPID) && !o->no_init;
	struct bk_spawn s = {
		.argv = o->argv, .die_with_parent = true, .pidfile = o->pidfile, .init = init,
		.hooks = { prepare_child, exec_final, init ? hide_init : NULL, o },
		.relay = o->log || o->tty ? &o->relay : NULL,
	};

	return bk_spawn_supervise(&s);
}

/* No fork: this process sets up and becomes COMMAND. */
static void __attribute__((noreturn)) run_here(struct opts *o)
{
	int code = BK_EXIT_FAILED;

	if (setup_inside(o) == 0)
		code = exec_final(o->argv, o);
	bk_warn("%s", bk_error());
	_exit(code);
}

static bool needs_fork(const struct opts *o, const struct bk_ns_target *t)
{
	return o->fork || o->log || o->tty || (o->new_flags & (CLONE_NEWPID | CLONE_NEWTIME)) ||
	       o->join[BK_NS_PID] || o->join[BK_NS_TIME] ||
	       (o->target && (bk_ns_target_has(t, BK_NS_PID) || bk_ns_target_has(t, BK_NS_TIME)));
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct bk_ns_target t;

	bk_cli_init("nsrun", usage_text);
	bk_cli_chained();   /* nsrun always runs a COMMAND (/bin/sh by default) */
	bk_ns_target_init(&t);
	parse(&o, argc, argv);
	validate(&o);
	o.outer_uid = geteuid();
	o.outer_gid = getegid();
	/* Only root's nsrun needs hiding: a rootless container's processes
	 * are the caller's own anyway, and must stay joinable by it. */
	o.hide = o.outer_uid == 0;
	if (bk_fds_check_open(o.preserve_fds) < 0 || bk_fds_cloexec_from(3 + o.preserve_fds) < 0)
		bk_die_error(BK_EXIT_FAILED);
	/* before any namespace: the log is the caller's file */
	o.pty_slave = -1;
	if ((o.log || o.tty) && bk_relay_open(&o.relay, o.log) < 0)
		bk_die_error(BK_EXIT_FAILED);
	if (o.tty)
		bk_relay_want_tty(&o.relay);
	if (o.seccomp && bk_seccomp_compile(o.seccomp, bk_caps_mask(&o.caps), &o.filter) < 0)
		bk_die(BK_EXIT_FAILED, "--seccomp: %s", bk_error());
	if (join_namespaces(&o, &t) < 0 || create_namespaces(&o, o.new_flags & EARLY_NS) < 0)
		bk_die_error(BK_EXIT_FAILED);
	o.joined_userns = o.target && bk_ns_target_has(&t, BK_NS_USER);
	bool fork_needed = needs_fork(&o, &t);
	bk_ns_target_close(&t);
	if (fork_needed) {
		int code = fork_and_supervise(&o);
		if (code < 0)
			bk_die_error(BK_EXIT_FAILED);
		return code;
	}
	if (o.pidfile) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		if (bk_write_atomic(o.pidfile, buf, 0644) < 0)
			bk_die_error(BK_EXIT_FAILED);
	}
	run_here(&o);
}
