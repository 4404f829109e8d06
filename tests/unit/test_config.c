/* Unit tests for lib/oci/config.c: config.json parsing, every malformed
 * or unsupported field refused with one line naming it (hostile values
 * included), ambient capabilities the kernel could not raise left out. */
#include "tap.h"
#include "base/array.h"
#include "base/msg.h"
#include "oci/config.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char bundle[] = "/tmp/bk-oci-unit-XXXXXX";

/* A minimal valid config with fields replaced: top, lx and proc are
 * JSON object members (",\"key\":value", may be "") merged over the top
 * object, linux and process. */
static int parse(const char *top, const char *lx, const char *proc, struct bk_oci_config *c)
{
	char *t = NULL, *l = NULL, *p = NULL, *text;
	json_auto_t *base = json_loads("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
				       "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":"
				       "{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"}]}}", 0, NULL);
	int r;

	if (asprintf(&t, "{\"_\":0%s}", top) < 0 || asprintf(&l, "{\"_\":0%s}", lx) < 0 ||
	    asprintf(&p, "{\"_\":0%s}", proc) < 0)
		exit(1);
	json_auto_t *jt = json_loads(t, 0, NULL), *jl = json_loads(l, 0, NULL), *jp = json_loads(p, 0, NULL);
	if (!base || !jt || !jl || !jp)
		exit(1);
	json_object_update(json_object_get(base, "linux"), jl);
	json_object_update(json_object_get(base, "process"), jp);
	json_object_update(base, jt);
	text = json_dumps(base, 0);
	r = bk_oci_config_parse_text(text, bundle, c);
	free(text);
	free(t);
	free(l);
	free(p);
	return r;
}

static void test_config_ok(void)
{
	struct bk_oci_config c;
	int r = parse(",\"hostname\":\"box\",\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\","
		      "\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\"]},{\"destination\":\"/data\","
		      "\"source\":\"vol\",\"options\":[\"rbind\",\"ro\",\"rprivate\"]}],"
		      "\"annotations\":{\"a\":\"b\"}",
		      ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"uts\"},{\"type\":\"network\",\"path\":"
		      "\"/proc/self/ns/net\"}],\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
		      "\"rootfsPropagation\":\"rprivate\",\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}",
		      ",\"env\":[\"A=1\"],\"user\":{\"uid\":5,\"gid\":6,\"additionalGids\":[7],\"umask\":18},"
		      "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_NOPE\"]},\"rlimits\":[{\"type\":"
		      "\"RLIMIT_NOFILE\",\"soft\":10,\"hard\":20}],\"oomScoreAdj\":100,\"noNewPrivileges\":true",
		      &c);

	ok(r == 0, "a full config parses (%s)", r ? bk_error() : "");
	if (r)
		return;
	is_str(c.hostname, "box", "hostname");
	ok(c.nmounts == 2 && c.mounts[0].type && !strcmp(c.mounts[0].type, "proc") &&
	   c.mounts[0].flags == (MS_NOSUID | MS_NOEXEC), "mounts[0]: proc with nosuid, noexec");
	ok(!c.mounts[1].type && c.mounts[1].ro && !c.mounts[1].bind_one &&
	   c.mounts[1].propagation == (MS_PRIVATE | MS_REC) && strstr(c.mounts[1].src, "/vol"),
	   "mounts[1]: rbind, ro, rprivate, source taken from the bundle (%s)", c.mounts[1].src);
	ok((c.ns_new & CLONE_NEWUTS) && !(c.ns_new & CLONE_NEWNET) && c.ns_path[BK_NS_NET] &&
	   !(c.ns_own & (1u << BK_NS_NET)), "net joined by path, and known to be the runtime's own");
	ok(c.proc.uid == 5 && c.proc.gid == 6 && c.proc.ngroups == 1 && c.proc.groups[0] == 7 &&
	   c.proc.has_umask && c.proc.umask == 18, "user: uid, gid, additionalGids, umask");
	ok(c.proc.caps.bounding == (1ULL << 5) && !strcmp(c.proc.unknown_caps, "CAP_NOPE"),
	   "capabilities: CAP_KILL kept, CAP_NOPE noted as unknown (%s)", c.proc.unknown_caps);
	ok(c.proc.ambient_dropped == 0, "  no ambient to leave out");
	ok(c.proc.nrlimits == 1 && c.proc.rlimits[0].resource == RLIMIT_NOFILE && c.proc.rlimits[0].soft == 10,
	   "rlimits");
	ok(c.proc.has_oom && c.proc.oom_score_adj == 100 && c.proc.nnp, "oomScoreAdj, noNewPrivileges");
	ok(c.nmasked == 1 && c.nreadonly == 1 && c.nsysctl == 1 && c.propagation == (MS_PRIVATE | MS_REC),
	   "masked, readonly, sysctl, rootfsPropagation");
	ok(json_object_size(c.annotations) == 1, "annotations kept");
	bk_oci_config_free(&c);
}

static void test_config_refused(void)
{
	static const struct { const char *top, *lx, *proc, *want; } t[] = {
		{ ",\"ociVersion\":\"2.0\"", "", "", "ociVersion" },
		{ "", ",\"intelRdt\":{}", "", "linux.intelRdt: not supported" },
		{ "", ",\"personality\":{\"domain\":\"LINUX32\"}", "", "linux.personality" },
		{ "", ",\"mountLabel\":\"system_u:x\"", "", "linux.mountLabel" },
		{ "", "", ",\"apparmorProfile\":\"docker-default\"", "process.apparmorProfile" },
		{ "", "", ",\"selinuxLabel\":\"x\"", "process.selinuxLabel" },
		{ "", "", ",\"user\":{\"uid\":-1}", "process.user.uid: -1 is out of range" },
		{ "", "", ",\"user\":{\"uid\":\"0\"}", "process.user.uid: not an integer" },
		{ "", "", ",\"cwd\":\"relative\"", "process.cwd" },
		{ "", "", ",\"env\":[\"NOEQUALS\"]", "process.env[0]" },
		{ "", "", ",\"rlimits\":[{\"type\":\"RLIMIT_TEST\",\"soft\":1,\"hard\":1}]", "RLIMIT_TEST" },
		{ "", "", ",\"oomScoreAdj\":5000", "process.oomScoreAdj" },
		{ "", ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"mount\"}]", "", "given twice" },
		{ "", ",\"namespaces\":[{\"type\":\"bogus\"}]", "", "not a namespace type" },
		{ "", ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"net\",\"path\":\"rel\"}]", "", "not a namespace type" },
		{ "", ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"rel\"}]", "", "not absolute" },
		{ "", ",\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,\"size\":1}]", "", "need a new user namespace" },
		{ "", ",\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"user\"}]", "", "needs both" },
		{ ",\"hostname\":\"x\"", "", "", "needs a uts namespace" },
		{ "", ",\"cgroupsPath\":\"system.slice:docker:x\"", "", "systemd" },
		{ "", ",\"rootfsPropagation\":\"sideways\"", "", "rootfsPropagation" },
		{ "", ",\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\"}]", "", "major and minor are required" },
		{ "", ",\"devices\":[{\"path\":\"dev/x\",\"type\":\"c\",\"major\":1,\"minor\":3}]", "", "linux.devices[0].path" },
		{ "", ",\"maskedPaths\":[\"proc/kcore\"]", "", "linux.maskedPaths[0]" },
		{ "", ",\"seccomp\":[]", "", "linux.seccomp: not an object" },
		{ "", ",\"resources\":{\"rdma\":{}}", "", "linux.resources.rdma" },
		{ "", ",\"resources\":{\"memory\":{\"limit\":\"1G\"}}", "", "linux.resources.memory.limit: not an integer" },
		{ "", ",\"resources\":{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", "", "linux.resources.devices[0].type" },
		{ ",\"mounts\":[{\"destination\":\"/x\",\"type\":\"tmpfs\",\"options\":[\"idmap\"]}]", "", "", "mounts[0].options: 'idmap'" },
		{ ",\"mounts\":[{\"destination\":\"/x\",\"options\":[\"bind\"]}]", "", "", "mounts[0].source" },
		{ ",\"mounts\":[{\"source\":\"/x\",\"options\":[\"bind\"]}]", "", "", "mounts[0].destination" },
		{ ",\"mounts\":[{\"destination\":\"/x\",\"source\":\"none\"}]", "", "", "mounts[0].type" },
		{ ",\"hooks\":{\"prestart\":[{\"path\":\"relative\"}]}", "", "", "hooks.prestart[0].path" },
		{ ",\"windows\":{}", "", "", "only linux" },
		{ ",\"root\":{\"path\":\"missing\"}", "", "", "root.path" },
		{ ",\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"linux\":{\"namespaces\":[]}", "", "", "root.readonly" },
	};
	struct bk_oci_config c;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		int r = parse(t[i].top, t[i].lx, t[i].proc, &c);
		ok(r < 0 && strstr(bk_error(), t[i].want) && !strchr(bk_error(), '\n'),
		   "refused, one line naming %s: %s", t[i].want, bk_error());
		if (r == 0)
			bk_oci_config_free(&c);
	}
	ok(bk_oci_config_parse_text("{\"a\":1,\"a\":2}", bundle, &c) < 0 && strstr(bk_error(), "duplicate"),
	   "duplicate keys refused (%s)", bk_error());
	ok(bk_oci_config_parse_text("[", bundle, &c) < 0, "not JSON: refused");
}

static void test_ambient(void)
{
	struct bk_oci_config c;

	ok(parse("", "", ",\"capabilities\":{\"permitted\":[\"CAP_KILL\",\"CAP_CHOWN\"],\"inheritable\":"
		 "[\"CAP_CHOWN\"],\"ambient\":[\"CAP_KILL\",\"CAP_CHOWN\"]}", &c) == 0 &&
	   c.proc.caps.ambient == 1ULL && c.proc.ambient_dropped == (1ULL << 5),
	   "an ambient capability that is not inheritable is left out (crun spec's), noted");
	bk_oci_config_free(&c);
}

int main(void)
{
	char rootfs[64];

	if (!mkdtemp(bundle))
		return 1;
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", bundle);
	mkdir(rootfs, 0755);
	test_config_ok();
	test_config_refused();
	test_ambient();
	rmdir(rootfs);
	rmdir(bundle);
	return tap_done();
}
