/* Unit tests for imgref: Docker reference normalisation (docker.io,
 * library/, :latest) and what is refused. */
#include "tap.h"
#include "image/imgref.h"

#include <stdio.h>
#include <stdlib.h>

static void ref_is(const char *in, const char *want)
{
	struct bk_imgref r;
	char *s = NULL;

	if (bk_imgref_parse(in, &r) == 0) {
		s = bk_imgref_string(&r);
		bk_imgref_free(&r);
	}
	is_str(s, want, "reference '%s'", in);
	free(s);
}

static void ref_bad(const char *in)
{
	struct bk_imgref r;
	int rc = bk_imgref_parse(in, &r);   /* ok() evaluates twice */

	ok(rc < 0, "reference '%s' refused", in);
}

int main(void)
{
	const char *d64 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char buf[256];

	ref_is("busybox", "docker.io/library/busybox:latest");
	ref_is("busybox:1.36", "docker.io/library/busybox:1.36");
	ref_is("docker://user/app", "docker.io/user/app:latest");
	ref_is("index.docker.io/library/alpine:3", "docker.io/library/alpine:3");
	ref_is("ghcr.io/org/name:tag", "ghcr.io/org/name:tag");
	ref_is("localhost:5000/name", "localhost:5000/name:latest");
	ref_is("localhost/name", "localhost/name:latest");
	ref_is("a/b/c_d__e-f.g", "docker.io/a/b/c_d__e-f.g:latest");
	snprintf(buf, sizeof(buf), "library/busybox@%s", d64);
	snprintf(buf + 128, 128, "docker.io/library/busybox@%s", d64);
	ref_is(buf, buf + 128);
	ref_bad("Upper");
	ref_bad("a//b");
	ref_bad("a/");
	ref_bad("a__-b");
	ref_bad("x:bad tag");
	ref_bad("x@sha256:abc");
	ref_bad("");
	/* registry hosts: labels of letters, digits, inner hyphens; a port */
	ref_is("127.0.0.1:5101/ux/deb:deb", "127.0.0.1:5101/ux/deb:deb");
	ref_is("[::1]:5000/x", "[::1]:5000/x:latest");
	ref_is("my-reg.example.com/x", "my-reg.example.com/x:latest");
	ref_bad("./x");
	ref_bad("../x");
	ref_bad("a..b/x");
	ref_bad("-reg.io/x");
	ref_bad("reg-.io/x");
	ref_bad(".io/x");
	ref_bad("reg.io:/x");
	ref_bad("reg.io:0/x");
	ref_bad("reg.io:65536/x");
	ref_bad("reg.io:5000:1/x");
	ref_bad("[]:5000/x");

	return tap_done();
}
