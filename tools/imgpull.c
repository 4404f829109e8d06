/* imgpull: pull an image (registry, oci:, docker-archive:, dir:) into the
 * content-addressed store and print its id; --inspect a stored image;
 * --rm images and --gc the store. */
#include "base/cleanup.h"
#include "base/cli.h"
#include "base/fsutil.h"
#include "image/imgstore.h"
#include "base/msg.h"
#include "image/progress.h"
#include "image/pull.h"
#include "image/storegc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const fields[] = { "id", "source", "layer", "lowerdir", "env", "entrypoint",
				       "cmd", "argv", "workdir", "user", NULL };

static const char usage_text[] =
	"Usage: imgpull [options] SOURCE\n"
	"       imgpull [--store DIR] --inspect ID [--field NAME] [-z]\n"
	"       imgpull [--store DIR] --rm ID...\n"
	"       imgpull [--store DIR] --gc\n"
	"Pull an image into the layer store and print its id (img_...).\n"
	"SOURCE: [REGISTRY/]NAME[:TAG][@DIGEST] | oci:DIR[:TAG] |\n"
	"        docker-archive:FILE.tar | dir:DIR\n\n"
	"  -s, --store DIR        store (default $BOCKER_ROOT or /var/lib/bocker)\n"
	"  -p, --platform P       os/arch[/variant] from an index (default: host)\n"
	"      --creds USER:PASS  registry credentials (else ~/.docker/config.json)\n"
	"      --ca FILE          extra CA certificates for TLS\n"
	"      --insecure REG     allow plain http / unverified TLS for REG only\n"
	"      --timeout SEC      connect and stall timeout (default 30)\n"
	"  -j, --jobs N           parallel layer downloads (default 4)\n"
	"      --flatten DIR      also merge the layers into DIR\n"
	"      --parent ID        dir: only: put the new layer on top of image ID\n"
	"  -t, --tag NAME         record NAME as the image's source\n"
	"      --inspect ID       print the image's record and config (no pull\n"
	"                         option goes with it)\n"
	"      --field NAME       only NAME's values (id source layer lowerdir env\n"
	"                         entrypoint cmd argv workdir user)\n"
	"  -z, --null             end inspect values with NUL, not newline\n"
	"      --rm               remove the images ID..., and the layers and\n"
	"                         blobs no other image uses\n"
	"      --gc               remove what no image uses and what a killed\n"
	"                         imgpull left\n"
	"  -q, --quiet            no progress on stderr\n"
	"  -v, --verbose          trace every HTTP request and status\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n";

enum { O_CREDS = 256, O_CA, O_INSECURE, O_TIMEOUT, O_FLATTEN, O_PARENT, O_INSPECT, O_FIELD,
       O_RM, O_GC };

static const struct option long_opts[] = {
	{ "store", required_argument, NULL, 's' },
	{ "platform", required_argument, NULL, 'p' },
	{ "creds", required_argument, NULL, O_CREDS },
	{ "ca", required_argument, NULL, O_CA },
	{ "insecure", required_argument, NULL, O_INSECURE },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "jobs", required_argument, NULL, 'j' },
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
	STORE_ONLY('t'),
};

static const struct bk_cli cli = {
	.shortopts = "+s:p:j:t:zqvhV", .longopts = long_opts, BK_CLI_EXCL(exclusive),
};

struct args {
	struct bk_pull_opts pull;
	const char *inspect, *field;
	int null, quiet, rm, gc;
	char *store;
};

static int valid_field(const char *f)
{
	for (size_t i = 0; fields[i]; i++)
		if (!strcmp(f, fields[i]))
			return 1;
	return 0;
}

static void parse(int argc, char **argv, struct args *a)
{
	int c;

	while ((c = bk_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 's': a->store = optarg; break;
		case 'p': a->pull.platform = optarg; break;
		case O_CREDS: a->pull.creds = optarg; break;
		case O_CA: a->pull.ca_file = optarg; break;
		case O_INSECURE: a->pull.insecure = optarg; break;
		case O_TIMEOUT: a->pull.timeout = (long)bk_cli_number("--timeout", optarg, 1, 3600); break;
		case 'j': a->pull.parallel = (unsigned)bk_cli_number("--jobs", optarg, 1, 32); break;
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
	if (a->field && !valid_field(a->field))
		bk_usage_error("--field: unknown field '%s'", a->field);
	if ((a->field || a->null) && !a->inspect)
		bk_usage_error("--field and -z go with --inspect");
	if ((a->inspect || a->gc) && optind != argc)
		bk_usage_error("--%s takes no SOURCE", a->gc ? "gc" : "inspect ID");
	if (a->rm && optind == argc)
		bk_usage_error("--rm: no image ID given");
	if (!a->inspect && !a->rm && !a->gc && optind == argc)
		bk_usage_error("no SOURCE given (see imgpull --help)");
	if (!a->inspect && !a->rm && !a->gc && optind != argc - 1)
		bk_usage_error("one SOURCE expected, got %d arguments", argc - optind);
	if (a->pull.tag && (!*a->pull.tag || strchr(a->pull.tag, '\n')))
		bk_usage_error("--tag: must be one non-empty line");
}

static const char *store_path(const char *opt)
{
	const char *s = opt ? opt : getenv("BOCKER_ROOT");

	return s && *s ? s : "/var/lib/bocker";
}

static int inspect(const struct args *a, const char *store)
{
	_cleanup_strv_ char **kv = bk_image_inspect(store, a->inspect);
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

int main(int argc, char **argv)
{
	struct args a = { .pull = { .parallel = 4, .timeout = 30 } };
	struct bk_progress *prog;
	_cleanup_free_ char *id = NULL;
	const char *store;
	int r;

	bk_cli_init("imgpull", usage_text);
	parse(argc, argv, &a);
	store = store_path(a.store);
	if (a.inspect)
		return inspect(&a, store);
	if (a.rm || a.gc) {
		r = a.rm ? bk_image_rm(store, argv + optind, argc - optind) : bk_store_gc(store);
		if (r < 0)
			bk_die_error(1);
		return 0;
	}
	a.pull.store = store;
	prog = bk_progress_new(STDERR_FILENO, a.quiet ? BK_PROGRESS_QUIET :
					       isatty(STDERR_FILENO) ? BK_PROGRESS_BARS :
					       BK_PROGRESS_LINES);
	a.pull.notify = bk_progress_event;
	a.pull.notify_arg = prog;
	r = bk_pull(argv[optind], &a.pull, &id);
	bk_progress_free(prog);
	if (r < 0)
		bk_die_error(1);
	printf("%s\n", id);
	return fflush(stdout) == 0 ? 0 : 1;
}
