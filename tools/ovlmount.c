/* ovlmount — mount an overlayfs stack (1 to 500 layers) and optionally
 * chain-load a command; unmount it; or show the whiteouts and opaque dirs
 * overlay will see in a stack of layer directories. */
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/cli.h"
#include "base/msg.h"
#include "ns/ns.h"
#include "overlay/ovlcheck.h"
#include "overlay/ovlpreflight.h"
#include "overlay/overlay.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum mode { MODE_MOUNT, MODE_UMOUNT, MODE_CHECK };

struct opts {
	enum mode mode;
	struct bk_ovl ovl;
	char *lowers[BK_OVL_MAX_LOWERS + 1];
	char *options;          /* -o joined with ',' */
	bool mkdir, lazy, mount_ns;
	char **argv;            /* COMMAND after --, or NULL */
	char **dirs;            /* positional args before -- */
	int ndirs;
};

static const char usage_text[] =
"Usage: ovlmount [options] -l LOWER[:LOWER...] [-u UPPER -w WORK] MERGED [-- COMMAND...]\n"
"       ovlmount -U [--lazy] MERGED\n"
"       ovlmount --check LAYER...\n"
"Mount an overlay filesystem (leftmost LOWER is the top layer); without\n"
"-u it is read-only. With COMMAND, mount then run it (chain-loading).\n"
"\n"
"  -m, --mount-ns        with COMMAND: mount in a new private mount namespace,\n"
"                        so only COMMAND sees the overlay, and it goes with it\n"
"  -l, --lower DIRS      lower layers, ':'-separated, top first (repeatable)\n"
"  -u, --upper DIR       writable upper layer\n"
"  -w, --work DIR        overlay's work dir (same filesystem as UPPER, empty)\n"
"      --mkdir           create missing UPPER, WORK and MERGED\n"
"      --volatile        no syncs (throw-away containers)\n"
"      --index=on|off    inode index (off: upper may move to new lowers)\n"
"      --userxattr       user.overlay.* xattrs (rootless, in a user namespace)\n"
"  -o, --options OPTS    more overlay options or ro,nosuid,nodev,noexec,...\n"
"      --api=auto|classic|new  mount(2) via libmount, or fsopen/fsconfig/\n"
"                        fsmount; auto: classic when the options fit a page\n"
"  -U, --umount          unmount the overlay on MERGED\n"
"      --lazy            with -U: detach now, free when no longer used\n"
"      --check           list whiteouts, opaque and redirect dirs in LAYERs\n"
"                        (top first) and what each hides below\n"
"  -v, --verbose         trace the exact mount calls on stderr\n"
"  -h, --help            this help      -V, --version\n"
"\n"
"Exit status: without COMMAND 0 ok, 1 failure, 2 usage error; with COMMAND\n"
"its status, 128+N if killed by signal N, 125 if ovlmount failed, 126 if\n"
"COMMAND cannot run, 127 if it is not found.\n";

enum { OPT_MKDIR = 256, OPT_VOLATILE, OPT_INDEX, OPT_USERXATTR, OPT_API, OPT_LAZY, OPT_CHECK };

static const struct option long_opts[] = {
	{ "mount-ns", no_argument, NULL, 'm' },
	{ "lower", required_argument, NULL, 'l' },
	{ "upper", required_argument, NULL, 'u' },
	{ "work", required_argument, NULL, 'w' },
	{ "mkdir", no_argument, NULL, OPT_MKDIR },
	{ "volatile", no_argument, NULL, OPT_VOLATILE },
	{ "index", required_argument, NULL, OPT_INDEX },
	{ "userxattr", no_argument, NULL, OPT_USERXATTR },
	{ "options", required_argument, NULL, 'o' },
	{ "api", required_argument, NULL, OPT_API },
	{ "umount", no_argument, NULL, 'U' },
	{ "lazy", no_argument, NULL, OPT_LAZY },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Three modes: mount (the default), -U and --check; what only a mount
 * takes goes with neither of the other two. */
static const bk_cli_excl_t exclusive[] = {
	{ 'U', OPT_CHECK, 'l' }, { 'U', OPT_CHECK, 'u' }, { 'U', OPT_CHECK, 'w' },
	{ 'U', OPT_CHECK, 'm' }, { 'U', OPT_CHECK, 'o' }, { 'U', OPT_CHECK, OPT_MKDIR },
	{ 'U', OPT_CHECK, OPT_VOLATILE }, { 'U', OPT_CHECK, OPT_INDEX },
	{ 'U', OPT_CHECK, OPT_USERXATTR }, { 'U', OPT_CHECK, OPT_API },
	{ OPT_CHECK, OPT_LAZY },
};

static const struct bk_cli cli = {
	.shortopts = "+ml:u:w:o:UvhV", .longopts = long_opts, BK_CLI_EXCL(exclusive),
};

/* -l A:B:C, in place: the strings live in argv. */
static void add_lowers(struct opts *o, char *arg)
{
	for (char *s = strtok(arg, ":"); s; s = strtok(NULL, ":")) {
		if (o->ovl.nlowers == BK_OVL_MAX_LOWERS)
			bk_usage_error("more than %d lower layers", BK_OVL_MAX_LOWERS);
		o->lowers[o->ovl.nlowers++] = s;
	}
}

static void add_options(struct opts *o, const char *arg)
{
	char *joined;

	if (asprintf(&joined, "%s%s%s", o->options ? o->options : "",
		     o->options ? "," : "", arg) < 0)
		bk_die(BK_EXIT_FAILED, "out of memory");
	free(o->options);
	o->options = joined;
}

static enum bk_ovl_api parse_api(const char *s)
{
	if (!strcmp(s, "auto"))
		return BK_OVL_API_AUTO;
	if (!strcmp(s, "classic"))
		return BK_OVL_API_CLASSIC;
	if (!strcmp(s, "new"))
		return BK_OVL_API_NEW;
	bk_usage_error("--api: '%s' is not auto, classic or new", s);
}

/* Split "DIR... [-- COMMAND...]": getopt stopped at the first non-option. */
static void split_positionals(struct opts *o, int argc, char **argv)
{
	int i;

	for (i = optind; i < argc && strcmp(argv[i], "--"); i++)
		;
	if (i < argc) {
		argv[i] = NULL;
		o->argv = &argv[i + 1];
		if (!o->argv[0])
			bk_usage_error("no COMMAND after --");
	}
	o->dirs = &argv[optind];
	o->ndirs = i - optind;
}

static void parse_args(struct opts *o, int argc, char **argv)
{
	int c;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--"))
			bk_cli_chained();
	while ((c = bk_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'm': o->mount_ns = true; break;
		case 'l': add_lowers(o, optarg); break;
		case 'u': o->ovl.upper = optarg; break;
		case 'w': o->ovl.work = optarg; break;
		case 'o': add_options(o, optarg); break;
		case OPT_MKDIR: o->mkdir = true; break;
		case OPT_VOLATILE: o->ovl.volatile_ = true; break;
		case OPT_INDEX:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				bk_usage_error("--index: '%s' is not on or off", optarg);
			o->ovl.index_off = !strcmp(optarg, "off");
			break;
		case OPT_USERXATTR: o->ovl.userxattr = true; break;
		case OPT_API: o->ovl.api = parse_api(optarg); break;
		case 'U': o->mode = MODE_UMOUNT; break;
		case OPT_LAZY: o->lazy = true; break;
		case OPT_CHECK: o->mode = MODE_CHECK; break;
		}
	}
	split_positionals(o, argc, argv);
	o->ovl.lowers = o->lowers;
	o->ovl.options = o->options;
}

static void validate_mount(const struct opts *o)
{
	if (o->ndirs != 1)
		bk_usage_error(o->ndirs ? "one MERGED dir expected, got %d arguments "
			       "(options go before MERGED, the command after --)"
			       : "MERGED dir missing%.0d", o->ndirs);
	if (o->ovl.nlowers == 0)
		bk_usage_error("no lower layer given (-l)");
	if (!o->ovl.upper != !o->ovl.work)
		bk_usage_error("-u UPPER and -w WORK go together");
	if (o->mount_ns && !o->argv)
		bk_usage_error("-m needs a COMMAND: the namespace lives as long as it does");
}

static int do_mount(struct opts *o)
{
	struct bk_ovl_made made = { { NULL } };
	int failed = o->argv ? BK_EXIT_FAILED : 1;

	validate_mount(o);
	o->ovl.merged = o->dirs[0];
	/* -m: the overlay will exist in a mount namespace of COMMAND's own */
	if ((o->mount_ns && bk_ns_unshare(CLONE_NEWNS) < 0) ||
	    (o->mkdir && bk_ovl_mkdirs(&o->ovl, &made) < 0) ||
	    bk_ovl_preflight(&o->ovl) < 0 || bk_ovl_mount(&o->ovl) < 0) {
		bk_ovl_rmdirs(&o->ovl, &made, true);
		bk_die_error(failed);
	}
	free(o->options);
	o->ovl.options = o->options = NULL;
	if (!o->argv) {
		bk_ovl_rmdirs(&o->ovl, &made, false);
		return 0;
	}
	/* No unmount after exec: a private mount namespace (-m, or the
	 * caller's nsrun -m) takes the overlay with it. If exec fails, undo. */
	int status = bk_exec_command(o->argv);
	struct bk_saved_error why;
	bk_error_save(&why);
	bk_ovl_rmdirs(&o->ovl, &made, bk_ovl_umount(o->ovl.merged, true) == 0);
	bk_error_restore(&why);
	bk_die_error(status);
}

static int do_umount(const struct opts *o)
{
	if (o->ndirs != 1 || o->argv)
		bk_usage_error("-U takes one MERGED dir and no COMMAND");
	if (bk_ovl_umount(o->dirs[0], o->lazy) < 0)
		bk_die_error(1);
	return 0;
}

static void print_entry(const struct bk_ovlcheck_entry *e, void *ctx)
{
	const char *slash = e->kind == BK_OVLCHECK_OPAQUE ? "/" : "";

	(void)ctx;
	printf("%-9s %s/%s%s", bk_ovlcheck_kind_name(e->kind), e->layer, e->rel, slash);
	if (e->kind == BK_OVLCHECK_REDIRECT)
		printf(" -> %s", e->detail);
	else if (e->kind == BK_OVLCHECK_AUFS)
		printf(" (OCI tar whiteout, not converted for overlay)");
	else if (e->hides)
		printf(" hides %s/%s%s", e->hides, e->rel, slash);
	putchar('\n');
}

static int do_check(const struct opts *o)
{
	long n;

	if (o->ndirs < 1 || o->argv)
		bk_usage_error("--check takes one or more LAYER dirs, top first");
	n = bk_ovlcheck(o->dirs, o->ndirs, print_entry, NULL);
	if (n < 0)
		bk_die_error(1);
	printf("# %ld special entr%s in %d layer%s\n", n, n == 1 ? "y" : "ies",
	       o->ndirs, o->ndirs == 1 ? "" : "s");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };

	bk_cli_init("ovlmount", usage_text);
	parse_args(&o, argc, argv);
	switch (o.mode) {
	case MODE_UMOUNT: return do_umount(&o);
	case MODE_CHECK: return do_check(&o);
	case MODE_MOUNT: break;
	}
	return do_mount(&o);
}
