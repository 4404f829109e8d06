/* Unit tests for lib/oci: config.json parsing (every malformed or
 * unsupported field refused with one line naming it, hostile values
 * included), mount options, linux.resources as cgroup settings, the
 * process object of exec, hooks, signals, container ids, the state
 * record's round trip and runc's state JSON, and the log line formats. */
#include "tap.h"
#include "base/msg.h"
#include "oci/config.h"
#include "oci/ctl.h"
#include "oci/hooks.h"
#include "oci/log.h"
#include "oci/mounts.h"
#include "oci/process.h"
#include "oci/resources.h"
#include "oci/state.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
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

	for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++) {
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

static void test_resources(void)
{
	json_auto_t *res = json_loads("{\"memory\":{\"limit\":1048576,\"swap\":-1,\"kernel\":5,\"swappiness\":10},"
				      "\"cpu\":{\"shares\":512,\"quota\":0,\"period\":100000,\"cpus\":\"0\"},"
				      "\"pids\":{\"limit\":0},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4}],"
				      "\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":100}]},"
				      "\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
				      "\"major\":1,\"minor\":3,\"access\":\"rw\"}]}", 0, NULL);
	struct bk_oci_resources r;
	char all[1024] = "";

	ok(bk_oci_resources_parse(res, "linux.resources", &r) == 0, "resources parse (%s)", bk_error());
	for (size_t i = 0; i < r.n; i++)
		snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s=%s;", r.req[i].name, r.req[i].value);
	is_str(all, "memory.limit_in_bytes=1048576;memory.memsw.limit_in_bytes=-1;memory.swappiness=10;"
		    "cpu.shares=512;cpu.cfs_period_us=100000;cpuset.cpus=0;pids.max=max;"
		    "blkio.throttle.read_bps_device=8:0 100;hugetlb.2MB.limit_in_bytes=4;",
	       "as v1 settings (quota 0 unset, pids 0 unlimited)");
	ok(strstr(r.warnings, "memory.kernel is ignored") != NULL, "kernel memory: a warning");
	ok(r.has_devices && r.dev.n == 2 && r.dev.rule[0].type == 'a' && !r.dev.rule[0].allow &&
	   r.dev.rule[1].major == 1 && r.dev.rule[1].access == (BK_DEV_R | BK_DEV_W), "device rules");
	json_auto_t *bad = json_loads("{\"hugepageLimits\":[{\"pageSize\":\"../../x\",\"limit\":1}]}", 0, NULL);
	ok(bk_oci_resources_parse(bad, "r", &r) < 0 && strstr(bk_error(), "pageSize"),
	   "a page size cannot name another file (%s)", bk_error());
	json_auto_t *bad2 = json_loads("{\"unified\":{\"../cgroup.procs\":\"1\"}}", 0, NULL);
	ok(bk_oci_resources_parse(bad2, "r", &r) < 0 && strstr(bk_error(), "not a cgroup file name"),
	   "unified cannot climb out of the group (%s)", bk_error());
	json_auto_t *bad3 = json_loads("{\"network\":{\"priorities\":[{\"name\":\"eth0\\n2\",\"priority\":1}]}}", 0, NULL);
	ok(bk_oci_resources_parse(bad3, "r", &r) < 0, "an interface name with a newline is refused");
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

static void test_process(void)
{
	json_auto_t *p = json_loads("{\"args\":[\"ls\",\"-l\"],\"env\":[\"A=1\",\"B=2\"],\"cwd\":\"/tmp\","
				    "\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80}}", 0, NULL);
	struct bk_oci_process a, b;
	char *argv[] = { "id", "-u", NULL };

	ok(bk_oci_process_parse(p, "process", &a) == 0 && a.terminal && a.rows == 24 && a.cols == 80,
	   "an exec --process file with a terminal size");
	ok(bk_oci_process_copy(&a, &b) == 0 && bk_oci_process_set_args(&b, argv) == 0 &&
	   bk_oci_process_set_env(&b, "B=3") == 0 && bk_oci_process_set_env(&b, "C=4") == 0 &&
	   bk_oci_process_set_user(&b, "1000:1001") == 0, "inline exec: args, env, user over a copy");
	ok(!strcmp(b.args[0], "id") && !strcmp(b.env[1], "B=3") && !strcmp(b.env[2], "C=4") && !b.env[3] &&
	   b.uid == 1000 && b.gid == 1001 && !strcmp(a.env[1], "B=2"), "  the copy changed, the original not");
	ok(bk_oci_process_set_user(&b, "root") < 0 && bk_oci_process_set_env(&b, "=x") < 0,
	   "--user root and --env =x refused");
	bk_oci_process_free(&a);
	bk_oci_process_free(&b);
}

static void test_mount_options(void)
{
	json_auto_t *m = json_loads("{\"destination\":\"/d\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
				    "\"options\":[\"ro\",\"rw\",\"nosuid\",\"strictatime\",\"mode=755\",\"size=1k\","
				    "\"rshared\"]}", 0, NULL);
	json_auto_t *comma = json_loads("{\"destination\":\"/d\",\"type\":\"tmpfs\",\"options\":[\"mode=1,uid=0\"]}",
					0, NULL);
	struct bk_mountreq r;
	char *data, *src;

	ok(bk_oci_mount_parse(m, 0, bundle, &r, &data, &src) == 0 && r.flags == (MS_NOSUID | MS_STRICTATIME) &&
	   data && !strcmp(data, "mode=755,size=1k") && r.propagation == (MS_SHARED | MS_REC),
	   "ro then rw, flags, data, propagation (%s)", data ? data : "");
	free(data);
	free(src);
	ok(bk_oci_mount_parse(comma, 0, bundle, &r, &data, &src) < 0 && strstr(bk_error(), "comma"),
	   "an option holding a comma cannot smuggle more (%s)", bk_error());
	ok(bk_oci_mount_option_name(0) && !bk_oci_mount_option_name(1000), "the option names list ends");
}

static void test_hooks_and_signals(void)
{
	json_auto_t *h = json_loads("{\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":3}],"
				    "\"createRuntime\":[{\"path\":\"/bin/false\"}]}", 0, NULL);
	struct bk_oci_hooks hooks;
	int sig = 0;

	ok(bk_oci_hooks_parse(h, &hooks) == 0 && hooks.n[BK_HOOK_POSTSTOP] == 1 &&
	   hooks.list[BK_HOOK_POSTSTOP][0].timeout == 3, "hooks parse");
	ok(bk_oci_hooks_run(&hooks, BK_HOOK_POSTSTOP, "{}") == 0, "a hook that exits 0 passes");
	ok(bk_oci_hooks_run(&hooks, BK_HOOK_CREATE_RUNTIME, "{}") < 0 &&
	   !strcmp(bk_error(), "createRuntime hook /bin/false: exited 1"), "a failing one: %s", bk_error());
	bk_oci_hooks_free(&hooks);
	ok(bk_oci_signal_parse("KILL", &sig) == 0 && sig == SIGKILL, "KILL");
	ok(bk_oci_signal_parse("sigterm", &sig) == 0 && sig == SIGTERM, "sigterm");
	ok(bk_oci_signal_parse("10", &sig) == 0 && sig == 10, "10");
	ok(bk_oci_signal_parse("RTMIN+2", &sig) == 0 && sig == SIGRTMIN + 2, "RTMIN+2");
	ok(bk_oci_signal_parse("0", &sig) < 0 && bk_oci_signal_parse("65", &sig) < 0 &&
	   bk_oci_signal_parse("NOPE", &sig) < 0 && bk_oci_signal_parse("RTMAX+1", &sig) < 0,
	   "0, 65, NOPE, RTMAX+1 refused");
}

static void test_state(void)
{
	char root[] = "/tmp/bk-oci-state-XXXXXX";
	struct bk_oci_state s, t;
	char *text;

	ok(!bk_oci_valid_id("..") && !bk_oci_valid_id("a/b") && !bk_oci_valid_id("-x") && !bk_oci_valid_id("") &&
	   bk_oci_valid_id("2ef1-ab_c.d+e"), "container ids: no path, no option, no empty");
	if (!mkdtemp(root))
		return;
	ok(bk_oci_state_claim(root, "../escape", &s) < 0, "an id with a path is refused before any mkdir");
	ok(bk_oci_state_claim(root, "c1", &s) == 0 && bk_oci_state_claim(root, "c1", &t) < 0 &&
	   strstr(bk_error(), "exists"), "an id is claimed once");
	s.pid = 1;
	bk_oci_state_fingerprint(&s);
	snprintf(s.bundle, sizeof(s.bundle), "/b");
	snprintf(s.rootfs, sizeof(s.rootfs), "/b/rootfs");
	bk_oci_now_rfc3339(s.created, sizeof(s.created));
	snprintf(s.cgroup, sizeof(s.cgroup), "/ocirun-c1");
	s.nctrls = 1;
	snprintf(s.ctrls[0].name, sizeof(s.ctrls[0].name), "memory");
	snprintf(s.ctrls[0].mount, sizeof(s.ctrls[0].mount), "/sys/fs/cgroup/memory");
	s.annotations = json_pack("{s:s}", "k", "v");
	ok(bk_oci_state_save(&s) == 0 && bk_oci_state_load(root, "c1", &t) == 0 && t.pid == 1 &&
	   t.start_time == s.start_time && !strcmp(t.ctrls[0].mount, s.ctrls[0].mount) &&
	   json_equal(t.annotations, s.annotations), "the record round-trips");
	ok(bk_oci_state_alive(&t) && bk_oci_state_status(&t, false) == BK_OCI_RUNNING, "pid 1 with its start time: running");
	t.start_time++;
	ok(!bk_oci_state_alive(&t) && bk_oci_state_status(&t, false) == BK_OCI_STOPPED,
	   "another start time (a recycled pid): stopped");
	t.start_time--;
	t.mntns++;
	ok(!bk_oci_state_alive(&t), "the same start tick in another mount namespace: not it");
	text = bk_oci_state_json(&s, BK_OCI_CREATED, true);
	json_auto_t *j = text ? json_loads(text, 0, NULL) : NULL;
	ok(j && !strcmp(json_string_value(json_object_get(j, "status")), "created") &&
	   json_integer_value(json_object_get(j, "pid")) == 1 && json_object_get(j, "owner") &&
	   json_object_get(j, "annotations"), "runc's state JSON");
	free(text);
	bk_oci_state_free(&t);
	ok(bk_oci_state_load(root, "c2", &t) < 0 && strstr(bk_error(), "does not exist"), "a missing one");
	ok(bk_oci_state_remove(&s) == 0 && rmdir(root) == 0, "removed whole");
	bk_oci_state_free(&s);
}

static void test_log(void)
{
	char path[] = "/tmp/bk-oci-log-XXXXXX";
	int fd = mkstemp(path);
	char buf[512] = "";

	if (fd < 0)
		return;
	ok(bk_oci_log_open(path, true) == 0, "log opened");
	bk_verbose = 1;
	bk_trace("step \"one\"");
	bk_verbose = 0;
	bk_msg_set_sink(NULL);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	json_auto_t *line = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	ok(line && !strcmp(json_string_value(json_object_get(line, "level")), "debug") &&
	   !strcmp(json_string_value(json_object_get(line, "msg")), "step \"one\"") &&
	   json_object_get(line, "time"), "a trace as runc's JSON line: %s", buf);
	close(fd);
	unlink(path);
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
	test_resources();
	test_ambient();
	test_process();
	test_mount_options();
	test_hooks_and_signals();
	test_state();
	test_log();
	rmdir(rootfs);
	rmdir(bundle);
	return tap_done();
}
