/* fuzz_ociconfig — what an engine or a user hands ocirun: an OCI bundle's
 * config.json (every field checked, mounts, id maps, resources, hooks)
 * and its linux.seccomp compiled to a filter (not loaded), and a seccomp
 * profile as nsrun --seccomp FILE reads it (Docker's and podman's JSON).
 * The first byte picks which. The bundle is a temp dir with an empty
 * rootfs/, made once. */
#include "fuzz.h"
#include "ns/seccomp.h"
#include "oci/config.h"

#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

static char bundle[] = "/tmp/fuzz-ociconfig.XXXXXX";

static char rootfs[sizeof(bundle) + 8];

static void remove_bundle(void)
{
	rmdir(rootfs);
	rmdir(bundle);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (!mkdtemp(bundle))
		abort();
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	if (mkdir(rootfs, 0755) < 0)
		abort();
	atexit(remove_bundle);
	return 0;
}

static void compile(const json_t *profile, uint64_t caps)
{
	struct bk_seccomp f;

	if (bk_seccomp_compile_json(profile, "linux.seccomp", caps, &f) == 0)
		bk_seccomp_release(&f);
}

static void config(const char *text)
{
	struct bk_oci_config c;

	if (bk_oci_config_parse_text(text, bundle, &c) < 0)
		return;
	FUZZ_CHECK(c.rootfs && c.rootfs[0] == '/');
	FUZZ_CHECK(c.proc.args && c.proc.args[0]);
	if (c.seccomp)
		compile(c.seccomp, c.proc.caps.bounding);
	bk_oci_config_free(&c);
}

static void profile(const char *text, size_t len, uint64_t caps)
{
	json_t *p = json_loadb(text, len, 0, NULL);

	if (p)
		compile(p, caps);
	json_decref(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	text = fuzz_str(data + 1, size - 1);
	if (data[0] & 1)
		profile(text, size - 1, data[0] & 2 ? ~0ull : 0xa80425fbull);
	else
		config(text);
	free(text);
	return 0;
}
