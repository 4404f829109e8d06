/* test_imgpull.c — imgpull's pure helpers: Docker reference normalisation,
 * WWW-Authenticate parsing, index platform choice, diff_id parsing, the
 * tar header filter, token responses, where credentials may go. */
#include "tap.h"
#include "base/msg.h"
#include "image/imgref.h"
#include "image/manifest.h"
#include "image/regauth.h"
#include "image/tarfilter.h"

#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static struct bk_tar_entry tar;

static void tar_is(const char *name, const char *link, enum bk_tar_action want,
		   const char *path, const char *tlink)
{
	int rc = bk_tar_filter(name, link, &tar);

	ok(rc == 0 && tar.action == want && !strcmp(tar.path, path) && !strcmp(tar.link, tlink),
	   "tar '%s'%s%s -> %d '%s' '%s'", name, link ? " link " : "", link ? link : "", want, path,
	   tlink);
}

static void tar_bad(const char *name, const char *link, const char *why)
{
	int rc = bk_tar_filter(name, link, &tar);

	ok(rc < 0 && strstr(bk_error(), why), "tar '%.40s' refused: %s", name, bk_error());
}

static void test_tarfilter(void)
{
	char longname[BK_TAR_PATH_MAX + 8];

	tar_is("etc/passwd", NULL, BK_TAR_ENTRY, "etc/passwd", "");
	tar_is("./usr//bin/./sh", NULL, BK_TAR_ENTRY, "usr/bin/sh", "");
	tar_is("/", NULL, BK_TAR_SKIP, "", "");
	tar_is("./", NULL, BK_TAR_SKIP, "", "");
	tar_is("d/.wh.f", NULL, BK_TAR_WHITEOUT, "d/f", "");
	tar_is(".wh.top", NULL, BK_TAR_WHITEOUT, "top", "");
	tar_is("d/e/.wh..wh..opq", NULL, BK_TAR_OPAQUE, "d/e", "");
	tar_is(".wh..wh..opq", NULL, BK_TAR_OPAQUE, "", "");
	tar_is(".wh..wh.plnk/1", NULL, BK_TAR_ENTRY, ".wh..wh.plnk/1", "");
	tar_is("a/.wh..wh.plnk", NULL, BK_TAR_SKIP, "a/.wh..wh.plnk", "");
	tar_is("hl", "./x//y/", BK_TAR_ENTRY, "hl", "x/y");
	tar_bad("a/../../etc", NULL, "'..' path refused");
	tar_bad("/etc/passwd", NULL, "absolute path refused");
	tar_bad("d/.wh..", NULL, "bad whiteout");
	tar_bad("d/.wh.", NULL, "bad whiteout");
	tar_bad("hl", "../../etc/passwd", "'..' path refused");
	tar_bad("hl", "/", "to the layer root");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	tar_bad(longname, NULL, "path too long");
}

static void test_auth(void)
{
	struct bk_auth_ctx plain = { .host = "127.0.0.1:5000", .plain = true };
	struct bk_auth_ctx tls = { .host = "registry.example:443", .plain = false };
	char *h;

	ok(bk_realm_gets_creds("https://auth.other.example/token", &tls), "https realm, other host: yes");
	ok(bk_realm_gets_creds("HTTPS://auth.other.example/token", &plain), "https realm from a plain registry: yes");
	ok(bk_realm_gets_creds("http://127.0.0.1:5001/token", &plain), "plain realm, same host: yes");
	ok(!bk_realm_gets_creds("http://127.0.0.2:5001/token", &plain), "plain realm, other host: no");
	ok(!bk_realm_gets_creds("http://registry.example/token", &tls), "plain realm from a TLS registry: no");
	ok(!bk_realm_gets_creds("http://127.0.0.1@evil.example/token", &plain), "user@host realm: no");
	h = bk_token_header("{\"token\":\"abc\"}", 15);
	is_str(h, "Authorization: Bearer abc", "token response");
	free(h);
	h = bk_token_header("{\"access_token\":\"x\\ny\"}", 23);
	ok(!h, "a token with a newline refused");
}

int main(void)
{
	const char *d64 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char buf[256];
	struct bk_challenge ch;
	struct bk_desc d;
	char **ids = NULL;
	size_t n = 0;

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

	int rc = bk_challenge_parse("Bearer realm=\"https://auth.example/token\",service=\"reg\","
				    "scope=\"repository:a/b:pull\"", &ch);
	ok(rc == 0, "Bearer challenge parses");
	is_str(ch.scheme, "Bearer", "scheme");
	is_str(ch.realm, "https://auth.example/token", "realm");
	is_str(ch.service, "reg", "service");
	is_str(ch.scope, "repository:a/b:pull", "scope");
	bk_challenge_free(&ch);
	rc = bk_challenge_parse("Basic realm=\"x\"", &ch);
	ok(rc == 0 && !ch.service, "Basic challenge");
	bk_challenge_free(&ch);
	rc = bk_challenge_parse("Bearer realm=\"unterminated", &ch);
	ok(rc < 0, "bad challenge refused");

	static const char index[] =
		"{\"manifests\":["
		"{\"digest\":\"sha256:1111111111111111111111111111111111111111111111111111111111111111\","
		"\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
		"{\"digest\":\"sha256:2222222222222222222222222222222222222222222222222222222222222222\","
		"\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";
	rc = bk_index_pick(index, sizeof(index) - 1, "linux/arm/v7", &d);
	ok(rc == 0 && d.size == 2, "index: linux/arm/v7 picked");
	bk_desc_free(&d);
	rc = bk_index_pick(index, sizeof(index) - 1, "linux/amd64", &d);
	ok(rc == 0 && d.size == 1, "index: linux/amd64 picked");
	bk_desc_free(&d);
	rc = bk_index_pick(index, sizeof(index) - 1, "linux/arm/v6", &d);
	ok(rc < 0, "index: no arm/v6");

	snprintf(buf, sizeof(buf), "{\"rootfs\":{\"diff_ids\":[\"%s\"]}}", d64);
	rc = bk_config_diffids(buf, strlen(buf), &ids, &n);
	ok(rc == 0 && n == 1, "config diff_ids");
	for (size_t i = 0; ids && ids[i]; i++)
		free(ids[i]);
	free(ids);
	rc = bk_config_diffids("{\"rootfs\":{\"diff_ids\":[\"md5:x\"]}}", 34, &ids, &n);
	ok(rc < 0, "bad diff_id refused");
	/* The message names the bad diff_id: it used to be read after the
	 * JSON holding it was freed (a use-after-free under ASan). */
	snprintf(buf, sizeof(buf), "{\"rootfs\":{\"diff_ids\":[\"%s\",\"sha256:../../../x\"]}}", d64);
	rc = bk_config_diffids(buf, strlen(buf), &ids, &n);
	ok(rc < 0, "diff_id 'sha256:../../../x' refused");
	is_str(bk_error(), "image config: bad diff_id 'sha256:../../../x'", "its message is whole");
	test_tarfilter();
	test_auth();
	return tap_done();
}
