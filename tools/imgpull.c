/* imgpull: pull an image (registry, oci:, docker-archive:, dir:) into the
 * content-addressed store and print its id; --inspect a stored image;
 * --rm images and --gc the store. */
#include "base/cleanup.h"
#include "image/imgstore.h"
#include "base/msg.h"
#include "image/progress.h"
#include "image/pull.h"
#include "image/storegc.h"
#include "base/size.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const fields[] = { "id", "source", "layer", "env", "entrypoint",
				       "cmd", "argv", "workdir", "user", NULL };

static void usage(FILE *f)
{
	fprintf(f,
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
		"      --inspect ID       print the image's record and config\n"
		"      --field NAME       only NAME's values (id source layer env\n"
		"                         entrypoint cmd argv workdir user)\n"
		"  -z, --null             end inspect values with NUL, not newline\n"
		"      --rm               remove the images ID..., and the layers and\n"
		"                         blobs no other image uses\n"
		"      --gc               remove what no image uses and what a killed\n"
		"                         imgpull left\n"
		"  -q, --quiet            no progress on stderr\n"
		"  -v, --verbose          trace every HTTP request and status\n"
		"  -h, --help             this help\n"
		"  -V, --version          print the version\n");
}

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
	enum { O_CREDS = 256, O_CA, O_INSECURE, O_TIMEOUT, O_FLATTEN, O_PARENT, O_INSPECT, O_FIELD,
	       O_RM, O_GC };
	static const struct option opts[] = {
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
		{ 0 }
	};
	uint64_t n;
	int c;

	while ((c = getopt_long(argc, argv, "+s:p:j:t:zqvhV", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->store = optarg; break;
		case 'p': a->pull.platform = optarg; break;
		case O_CREDS: a->pull.creds = optarg; break;
		case O_CA: a->pull.ca_file = optarg; break;
		case O_INSECURE: a->pull.insecure = optarg; break;
		case O_TIMEOUT:
			if (bk_parse_u64(optarg, &n) < 0 || n == 0 || n > 3600)
				bk_die(2, "--timeout: expected 1..3600 seconds, got '%s'", optarg);
			a->pull.timeout = (long)n;
			break;
		case 'j':
			if (bk_parse_u64(optarg, &n) < 0 || n == 0 || n > 32)
				bk_die(2, "--jobs: expected 1..32, got '%s'", optarg);
			a->pull.parallel = (unsigned)n;
			break;
		case O_FLATTEN: a->pull.flatten = optarg; break;
		case O_PARENT: a->pull.parent = optarg; break;
		case 't': a->pull.tag = optarg; break;
		case O_INSPECT: a->inspect = optarg; break;
		case O_FIELD: a->field = optarg; break;
		case 'z': a->null = 1; break;
		case O_RM: a->rm = 1; break;
		case O_GC: a->gc = 1; break;
		case 'q': a->quiet = 1; break;
		case 'v': bk_verbose++; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("imgpull (bockit) 0.1\n"); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (a->field && !valid_field(a->field))
		bk_die(2, "--field: unknown field '%s'", a->field);
	if (!!a->inspect + a->rm + a->gc > 1)
		bk_die(2, "--inspect, --rm and --gc go alone");
	if (a->rm ? optind >= argc : (a->inspect || a->gc) ? optind != argc : optind != argc - 1) {
		usage(stderr);
		exit(2);
	}
	if (a->pull.tag && (!*a->pull.tag || strchr(a->pull.tag, '\n')))
		bk_die(2, "--tag: must be one non-empty line");
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

	bk_msg_init(argv[0]);
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
