/* imgpull: pull an image (registry, oci:, docker-archive:, dir:) into the
 * content-addressed store and print its id; name images (tag, untag),
 * find and list them (resolve, images); --inspect a stored image; --rm
 * images and --gc the store. */
#include "base/cleanup.h"
#include "base/cli.h"
#include "base/fsutil.h"
#include "base/msg.h"
#include "base/size.h"
#include "image/imglist.h"
#include "image/load.h"
#include "image/inspect.h"
#include "image/names.h"
#include "image/progress.h"
#include "image/pull.h"
#include "image/push.h"
#include "image/save.h"
#include "image/storegc.h"

#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const fields[] = { "id", "source", "layer", "lowerdir", "size", "created", "env",
				       "entrypoint", "cmd", "argv", "workdir", "user", NULL };

static const char usage_text[] =
	"Usage: imgpull [options] [pull] SOURCE\n"
	"       imgpull [--store DIR] tag IMAGE NAME\n"
	"       imgpull [--store DIR] untag NAME...\n"
	"       imgpull [--store DIR] resolve IMAGE\n"
	"       imgpull [--store DIR] images\n"
	"       imgpull [options] push IMAGE REF\n"
	"       imgpull [--store DIR] save [--format docker|oci] [-o FILE] IMAGE...\n"
	"       imgpull [--store DIR] load [FILE]\n"
	"       imgpull [--store DIR] --inspect IMAGE [--field NAME] [-z]\n"
	"       imgpull [--store DIR] --rm IMAGE...\n"
	"       imgpull [--store DIR] --gc\n"
	"Pull an image into the layer store and print its id (img_...); name,\n"
	"find, list and remove the store's images.\n"
	"SOURCE: [REGISTRY/]NAME[:TAG][@DIGEST] | oci:DIR[:TAG] |\n"
	"        docker-archive:FILE.tar | dir:DIR\n"
	"IMAGE:  an id (img_...), a unique prefix of one, or a NAME\n"
	"NAME:   REPOSITORY[:TAG], as Docker reads it (busybox is\n"
	"        docker.io/library/busybox:latest); one image holds a name\n\n"
	"  -s, --store DIR        store (default $BOCKER_ROOT or /var/lib/bocker)\n"
	"  -p, --platform P       os/arch[/variant] from an index (default: host)\n"
	"      --creds USER:PASS  registry credentials (else ~/.docker/config.json)\n"
	"      --ca FILE          extra CA certificates for TLS\n"
	"      --insecure REG     allow plain http / unverified TLS for REG only\n"
	"      --timeout SEC      connect and stall timeout (default 30)\n"
	"  -j, --jobs N           parallel layer downloads or uploads (default 4)\n"
	"      --chunk-size SIZE  push: upload blobs larger than this in PATCHes\n"
	"                         of this size (default 16M)\n"
	"      --format F         save: docker (default: docker load and podman load\n"
	"                         read it) or oci (an OCI layout in a tar)\n"
	"  -o, --output FILE      save: write the archive to FILE, not stdout\n"
	"      --flatten DIR      also merge the layers into DIR\n"
	"      --parent IMAGE     dir: only: put the new layer on top of IMAGE\n"
	"  -t, --tag NAME         name the image NAME (instead of the reference\n"
	"                         it was pulled by, or the archive's RepoTags)\n"
	"      --inspect IMAGE    print the image's record and config (no pull\n"
	"                         option goes with it)\n"
	"      --field NAME       only NAME's values (id source layer lowerdir size\n"
	"                         created env entrypoint cmd argv workdir user)\n"
	"  -z, --null             end inspect values with NUL, not newline\n"
	"      --rm               remove the images IMAGE... (and their names), and\n"
	"                         the layers and blobs no other image uses\n"
	"      --gc               remove what no image uses and what a killed\n"
	"                         imgpull left\n"
	"  -q, --quiet            no progress on stderr\n"
	"  -v, --verbose          trace every HTTP request and status\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n"
	"tag moves NAME onto IMAGE; untag takes names away (the images stay);\n"
	"resolve prints the id IMAGE stands for (and the name, when it was one);\n"
	"images prints a line per name\n"
	"(and per image without one): REPOSITORY, TAG, IMAGE ID, SIZE, CREATED,\n"
	"tab-separated. push sends IMAGE to the registry reference REF\n"
	"([REGISTRY/]NAME[:TAG]) and prints its manifest digest. save writes\n"
	"IMAGEs as a tar archive; load reads one (docker save's or an OCI\n"
	"archive, FILE or stdin) and prints each image's id.\n";

enum { O_CREDS = 256, O_CA, O_INSECURE, O_TIMEOUT, O_FLATTEN, O_PARENT, O_INSPECT, O_FIELD,
       O_RM, O_GC, O_CHUNK, O_FORMAT };

static const struct option long_opts[] = {
	{ "store", required_argument, NULL, 's' },
	{ "platform", required_argument, NULL, 'p' },
	{ "creds", required_argument, NULL, O_CREDS },
	{ "ca", required_argument, NULL, O_CA },
	{ "insecure", required_argument, NULL, O_INSECURE },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "jobs", required_argument, NULL, 'j' },
	{ "chunk-size", required_argument, NULL, O_CHUNK },
	{ "format", required_argument, NULL, O_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	{ "flatten", required_argument, NULL, O_FLATTEN },
	{ "parent", required_argument, NULL, O_PARENT },
	{ "tag", required_argument, NULL, 't' },
	{ "inspect", required_argument, NULL, O_INSPECT },
	{ "field", required_argument, NULL, O_FIELD },
	{ "null", no_argument, NULL, 'z' },
	{ "rm", no_argument, NULL, O_RM },
	{ "gc", no_argument, NULL, O_GC },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* --inspect, --rm and --gc read or change the store: one at a time, and
 * what a pull takes means nothing with them. */
#define STORE_ONLY(opt) { O_INSPECT, O_RM, O_GC, (opt) }
static const bk_cli_excl_t exclusive[] = {
	STORE_ONLY('p'), STORE_ONLY(O_CREDS), STORE_ONLY(O_CA), STORE_ONLY(O_INSECURE),
	STORE_ONLY(O_TIMEOUT), STORE_ONLY('j'), STORE_ONLY(O_FLATTEN), STORE_ONLY(O_PARENT),
	STORE_ONLY('t'), STORE_ONLY(O_CHUNK),
};

static const struct bk_cli cli = {
	.shortopts = "+s:p:j:t:o:zqvhV", .longopts = long_opts, BK_CLI_EXCL(exclusive),
};
/* After a subcommand, options may come between and after its operands. */
static const struct bk_cli cli_command = {
	.shortopts = "s:p:j:t:o:zqvhV", .longopts = long_opts, BK_CLI_EXCL(exclusive),
};

/* The subcommands, with the operands they take (max -1: any number). */
static const struct command {
	const char *name;
	int min, max;
} commands[] = {
	{ "pull", 1, 1 }, { "tag", 2, 2 }, { "untag", 1, -1 }, { "resolve", 1, 1 }, { "images", 0, 0 },
	{ "push", 2, 2 }, { "save", 1, -1 }, { "load", 0, 1 },
};

/* Options that only a pull takes, and those a push takes too; any other
 * subcommand refuses both. */
static const int pull_only[] = { 'p', O_FLATTEN, O_PARENT, 't', O_INSPECT, O_RM, O_GC, O_FIELD,
				 'z' };
static const int reach[] = { O_CREDS, O_CA, O_INSECURE, O_TIMEOUT, 'j' };

struct args {
	struct bk_pull_opts pull;
	uint64_t chunk;
	enum bk_save_format format;
	const char *output;
	const struct command *cmd;   /* NULL: a pull without the word, or an option's job */
	const char *inspect, *field;
	int null, quiet, rm, gc;
	char *store;
	char *tag, *parent;          /* --tag normalised, --parent resolved (malloc'd) */
	char **ops;                  /* the operands */
	int nops;
	int given[64];               /* the options seen */
	int ngiven;
};

static int valid_field(const char *f)
{
	for (size_t i = 0; fields[i]; i++)
		if (!strcmp(f, fields[i]))
			return 1;
	return 0;
}

static const struct command *find_command(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(word, commands[i].name))
			return &commands[i];
	return NULL;
}

static void take(struct args *a, int c)
{
	if (a->ngiven < (int)ARRAY_SIZE(a->given))
		a->given[a->ngiven++] = c;
	switch (c) {
	case 's': a->store = optarg; break;
	case 'p': a->pull.platform = optarg; break;
	case O_CREDS: a->pull.creds = optarg; break;
	case O_CA: a->pull.ca_file = optarg; break;
	case O_INSECURE: a->pull.insecure = optarg; break;
	case O_TIMEOUT: a->pull.timeout = (long)bk_cli_number("--timeout", optarg, 1, 3600); break;
	case 'j': a->pull.parallel = (unsigned)bk_cli_number("--jobs", optarg, 1, 32); break;
	case O_CHUNK: a->chunk = bk_cli_size("--chunk-size", optarg); break;
	case O_FORMAT:
		if (strcmp(optarg, "docker") && strcmp(optarg, "oci"))
			bk_usage_error("--format: '%s': docker or oci", optarg);
		a->format = strcmp(optarg, "oci") ? BK_SAVE_DOCKER : BK_SAVE_OCI;
		break;
	case 'o': a->output = optarg; break;
	case O_FLATTEN: a->pull.flatten = optarg; break;
	case O_PARENT: a->pull.parent = optarg; break;
	case 't': a->pull.tag = optarg; break;
	case O_INSPECT: a->inspect = optarg; break;
	case O_FIELD: a->field = optarg; break;
	case 'z': a->null = 1; break;
	case O_RM: a->rm = 1; break;
	case O_GC: a->gc = 1; break;
	case 'q': a->quiet = 1; break;
	}
}

static bool was_given(const struct args *a, int c)
{
	for (int i = 0; i < a->ngiven; i++)
		if (a->given[i] == c)
			return true;
	return false;
}

/* A subcommand: its options may follow it too; its operands counted. */
static void parse_command(int argc, char **argv, struct args *a)
{
	const struct command *cmd = a->cmd;
	int c;

	optind = 0;   /* start over: argv[0] is the subcommand's word */
	while ((c = bk_cli_next(&cli_command, argc, argv)) != -1)
		take(a, c);
	a->ops = argv + optind;
	a->nops = argc - optind;
	if (a->nops < cmd->min || (cmd->max >= 0 && a->nops > cmd->max))
		bk_usage_error("%s: %s operand%s expected, got %d (see imgpull --help)", cmd->name,
			       cmd->min == cmd->max ? (cmd->min ? (cmd->min == 1 ? "one" : "two") : "no") :
			       "one or more", cmd->max == 1 ? "" : "s", a->nops);
	bool is_pull = !strcmp(cmd->name, "pull"), is_push = !strcmp(cmd->name, "push");
	for (size_t i = 0; !is_pull && i < ARRAY_SIZE(pull_only); i++)
		if (was_given(a, pull_only[i]))
			bk_usage_error("%s takes no option of a pull (see imgpull --help)", cmd->name);
	for (size_t i = 0; !is_pull && !is_push && i < ARRAY_SIZE(reach); i++)
		if (was_given(a, reach[i]))
			bk_usage_error("%s talks to no registry: no --creds, --ca, --insecure, "
				       "--timeout or --jobs", cmd->name);
	if (!is_push && was_given(a, O_CHUNK))
		bk_usage_error("--chunk-size goes with push");
	if (strcmp(cmd->name, "save") && (was_given(a, O_FORMAT) || was_given(a, 'o')))
		bk_usage_error("--format and -o go with save");
	if (is_push && a->chunk < 4096)
		bk_usage_error("--chunk-size: at least 4K");
}

static void check_pull(int argc, struct args *a)
{
	if (a->field && !valid_field(a->field))
		bk_usage_error("--field: unknown field '%s'", a->field);
	if ((a->field || a->null) && !a->inspect)
		bk_usage_error("--field and -z go with --inspect");
	if ((a->inspect || a->gc) && a->nops)
		bk_usage_error("--%s takes no SOURCE", a->gc ? "gc" : "inspect IMAGE");
	if (a->rm && !a->nops)
		bk_usage_error("--rm: no IMAGE given");
	if (!a->inspect && !a->rm && !a->gc && !a->nops)
		bk_usage_error("no SOURCE given (see imgpull --help)");
	if (!a->inspect && !a->rm && !a->gc && a->nops != 1)
		bk_usage_error("one SOURCE expected, got %d arguments", argc - optind);
}

static void parse(int argc, char **argv, struct args *a)
{
	int c;

	while ((c = bk_cli_next(&cli, argc, argv)) != -1)
		take(a, c);
	a->ops = argv + optind;
	a->nops = argc - optind;
	if (a->nops && !a->inspect && !a->rm && !a->gc && (a->cmd = find_command(a->ops[0])))
		parse_command(a->nops, a->ops, a);
	if (!a->cmd && (was_given(a, O_CHUNK) || was_given(a, O_FORMAT) || was_given(a, 'o')))
		bk_usage_error("--chunk-size goes with push, --format and -o with save");
	if (!a->cmd || !strcmp(a->cmd->name, "pull"))
		check_pull(argc, a);
	if (a->pull.tag && !(a->pull.tag = a->tag = bk_name_normalise(a->pull.tag)))
		bk_usage_error("--tag: %s", bk_error());
}

static const char *store_path(const char *opt)
{
	const char *s = opt ? opt : getenv("BOCKER_ROOT");

	return s && *s ? s : "/var/lib/bocker";
}

/* The id of an IMAGE word, or exit 1 with why. */
static char *resolve(const char *store, const char *word)
{
	char *id = NULL;

	if (bk_image_resolve(store, word, &id, NULL) < 0)
		bk_die_error(1);
	return id;
}

static int inspect(const struct args *a, const char *store)
{
	_cleanup_free_ char *id = resolve(store, a->inspect);
	_cleanup_strv_ char **kv = bk_image_inspect(store, id);
	const char *key;

	if (!kv)
		bk_die_error(1);
	key = a->field && !strcmp(a->field, "layers") ? "layer" : a->field;
	for (size_t i = 0; kv[i]; i += 2) {
		if (key && strcmp(kv[i], key))
			continue;
		if (!a->null && strchr(kv[i + 1], '\n'))
			bk_die(1, "%s: %s value contains a newline; use -z", a->inspect, kv[i]);
		if (key)
			printf("%s%c", kv[i + 1], a->null ? '\0' : '\n');
		else
			printf("%s %s%c", kv[i], kv[i + 1], a->null ? '\0' : '\n');
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int remove_images(const struct args *a, const char *store)
{
	_cleanup_strv_ char **ids = calloc((size_t)a->nops + 1, sizeof(*ids));

	if (!ids)
		bk_die(1, "out of memory");
	for (int i = 0; i < a->nops; i++)
		ids[i] = resolve(store, a->ops[i]);
	return bk_image_rm(store, ids, (size_t)a->nops) < 0 ? -1 : 0;
}

static void print_row(const struct bk_image_row *r)
{
	_cleanup_free_ char *repo = NULL, *tag = NULL;
	char size[32], when[32];
	struct tm tm;

	if (r->name && bk_name_columns(r->name, &repo, &tag) < 0)
		bk_die_error(1);
	if (!localtime_r(&r->created, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(when, sizeof(when), "-");
	printf("%s\t%s\t%s\t%s\t%s\n", repo ? repo : "<none>", tag ? tag : "<none>", r->id,
	       bk_size_human(r->size, size, sizeof(size)), when);
}

static int list_images(const char *store)
{
	struct bk_image_row *rows;
	size_t n;

	if (bk_image_list(store, &rows, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		print_row(&rows[i]);
	bk_image_rows_free(rows, n);
	return 0;
}

static struct bk_progress *progress(const struct args *a)
{
	return bk_progress_new(STDERR_FILENO, a->quiet ? BK_PROGRESS_QUIET :
					      isatty(STDERR_FILENO) ? BK_PROGRESS_BARS :
					      BK_PROGRESS_LINES);
}

static int push(const struct args *a, const char *store)
{
	struct bk_push_opts o = { .store = store, .creds = a->pull.creds, .insecure = a->pull.insecure,
				  .ca_file = a->pull.ca_file, .timeout = a->pull.timeout,
				  .parallel = a->pull.parallel, .chunk = a->chunk,
				  .notify = bk_progress_event };
	_cleanup_free_ char *digest = NULL;
	int r;

	o.notify_arg = progress(a);
	r = bk_push(a->ops[0], a->ops[1], &o, &digest);
	bk_progress_free(o.notify_arg);
	if (r == 0)
		printf("%s\n", digest);
	return r;
}

static int save(const struct args *a, const char *store)
{
	_cleanup_close_ int fd = -1;
	int out = STDOUT_FILENO;

	if (a->output) {
		if ((fd = open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
			return bk_fail_errno(errno, "save: %s", a->output);
		out = fd;
	}
	if (!a->output && isatty(out))
		return bk_fail("save: standard output is a terminal: redirect it, or give -o FILE");
	if (bk_save(store, a->ops, (size_t)a->nops, a->format, out) < 0) {
		if (a->output)
			unlink(a->output);   /* no half archive */
		return -1;
	}
	/* cppcheck-suppress unreadVariable ; disarms the cleanup */
	if (a->output && close(bk_steal_fd(fd)) < 0)
		return bk_fail_errno(errno, "save: %s", a->output);
	return 0;
}

static int load(struct args *a, const char *store)
{
	_cleanup_strv_ char **ids = NULL;
	size_t n;
	int r;

	a->pull.store = store;
	a->pull.notify = bk_progress_event;
	a->pull.notify_arg = progress(a);
	r = bk_load(a->nops && strcmp(a->ops[0], "-") ? a->ops[0] : NULL, &a->pull, &ids, &n);
	bk_progress_free(a->pull.notify_arg);
	for (size_t i = 0; r == 0 && i < n; i++)
		printf("%s\n", ids[i]);
	return r;
}

static int run_command(struct args *a, const char *store)
{
	const char *cmd = a->cmd->name;
	_cleanup_free_ char *id = NULL, *name = NULL;

	if (!strcmp(cmd, "tag"))
		return bk_image_tag(store, a->ops[0], a->ops[1]);
	if (!strcmp(cmd, "untag"))
		return bk_image_untag(store, a->ops, (size_t)a->nops);
	if (!strcmp(cmd, "images"))
		return list_images(store);
	if (!strcmp(cmd, "push"))
		return push(a, store);
	if (!strcmp(cmd, "save"))
		return save(a, store);
	if (!strcmp(cmd, "load"))
		return load(a, store);
	if (bk_image_resolve(store, a->ops[0], &id, &name) < 0)   /* resolve */
		return -1;
	printf("%s%s%s\n", id, name ? " " : "", name ? name : "");
	return 0;
}

static int pull(struct args *a, const char *store, const char *source)
{
	struct bk_progress *prog;
	_cleanup_free_ char *id = NULL;
	int r;

	if (a->pull.parent)
		a->pull.parent = a->parent = resolve(store, a->pull.parent);
	a->pull.store = store;
	prog = progress(a);
	a->pull.notify = bk_progress_event;
	a->pull.notify_arg = prog;
	r = bk_pull(source, &a->pull, &id);
	bk_progress_free(prog);
	if (r < 0)
		return -1;
	printf("%s\n", id);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { .pull = { .parallel = 4, .timeout = 30 }, .chunk = 16u << 20 };
	const char *store;
	int r;

	bk_cli_init("imgpull", usage_text);
	parse(argc, argv, &a);
	store = store_path(a.store);
	if (a.inspect)
		return inspect(&a, store);
	if (a.rm)
		r = remove_images(&a, store);
	else if (a.gc)
		r = bk_store_gc(store);
	else if (a.cmd && strcmp(a.cmd->name, "pull"))
		r = run_command(&a, store);
	else
		r = pull(&a, store, a.ops[a.nops - 1]);
	free(a.tag);
	free(a.parent);
	if (r < 0)
		bk_die_error(1);
	return fflush(stdout) == 0 ? 0 : 1;
}
