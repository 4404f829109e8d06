/* Unit tests for names: Docker's normalisation, what is refused as a name
 * (an id's form, a digest), and the REPOSITORY / TAG columns. */
#include "tap.h"
#include "base/msg.h"
#include "image/names.h"

#include <stdlib.h>

static void norm(const char *in, const char *want)
{
	char *got = bk_name_normalise(in);

	is_str(got, want, "%s", in);
	free(got);
}

static void refused(const char *in, const char *why)
{
	char *got = bk_name_normalise(in);

	ok(!got && strstr(bk_error(), why), "'%s' refused: %s", in, got ? got : bk_error());
	free(got);
}

static void columns(const char *name, const char *repo, const char *tag)
{
	char *r = NULL, *t = NULL;

	ok(bk_name_columns(name, &r, &t) == 0, "columns of %s", name);
	is_str(r, repo, "repository of %s", name);
	is_str(t, tag, "tag of %s", name);
	free(r);
	free(t);
}

int main(void)
{
	norm("busybox", "docker.io/library/busybox:latest");
	norm("library/busybox:1.36", "docker.io/library/busybox:1.36");
	norm("user/app", "docker.io/user/app:latest");
	norm("localhost:5000/x", "localhost:5000/x:latest");
	norm("img_mine", "docker.io/library/img_mine:latest");
	norm("img_42042", "docker.io/library/img_42042:latest");
	norm("localhost/img_0123456789ab", "localhost/img_0123456789ab:latest");
	refused("img_0123456789ab", "image id");
	refused("docker.io/library/img_0123456789ab:v1", "image id");
	refused("busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000",
		"no digest");
	refused("UPPER", "invalid name");
	refused("a b", "invalid name");
	refused("", "invalid name");
	columns("docker.io/library/busybox:latest", "busybox", "latest");
	columns("docker.io/user/app:1", "user/app", "1");
	columns("localhost:5000/x:v1", "localhost:5000/x", "v1");
	columns("ghcr.io/o/n:1.0", "ghcr.io/o/n", "1.0");
	return tap_done();
}
