/* defaults: `ocirun spec` and `ocirun features` (defaults.h). */
#include "oci/defaults.h"
#include "cgroup/cgroup.h"
#include "ns/caps.h"
#include "ns/seccomp.h"
#include "oci/hooks.h"
#include "oci/mounts.h"
#include "oci/state.h"
#include "base/array.h"

#include <stdio.h>
#include <unistd.h>

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

#define STRINGS(v) strings(v, ARRAY_SIZE(v))

static json_t *mount(const char *dst, const char *type, const char *src, json_t *opts)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src,
			 "options", opts);
}

static json_t *default_mounts(void)
{
	static const char *const proc[] = { "nosuid", "noexec", "nodev" };
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k" };
	static const char *const pts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" };
	static const char *const ro[] = { "nosuid", "noexec", "nodev", "ro" };
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro" };

	return json_pack("[o, o, o, o, o, o, o]",
			 mount("/proc", "proc", "proc", STRINGS(proc)),
			 mount("/dev", "tmpfs", "tmpfs", STRINGS(dev)),
			 mount("/dev/pts", "devpts", "devpts", STRINGS(pts)),
			 mount("/dev/shm", "tmpfs", "shm", STRINGS(shm)),
			 mount("/dev/mqueue", "mqueue", "mqueue", STRINGS(proc)),
			 mount("/sys", "sysfs", "sysfs", STRINGS(ro)),
			 mount("/sys/fs/cgroup", "cgroup", "cgroup", STRINGS(cg)));
}

static json_t *default_linux(bool rootless)
{
	static const char *const masked[] = {
		"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
		"/proc/scsi",
	};
	static const char *const readonly[] = {
		"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	};
	json_t *ns = json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type", "network",
			       "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup");
	json_t *l = json_pack("{s:{s:[{s:b, s:s}]}, s:o, s:o, s:o}",
			      "resources", "devices", "allow", 0, "access", "rwm", "namespaces", ns,
			      "maskedPaths", STRINGS(masked), "readonlyPaths", STRINGS(readonly));

	if (l && rootless) {
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
		json_object_set_new(l, "uidMappings", json_pack("[{s:i, s:i, s:i}]", "containerID", 0,
								"hostID", (int)getuid(), "size", 1));
		json_object_set_new(l, "gidMappings", json_pack("[{s:i, s:i, s:i}]", "containerID", 0,
								"hostID", (int)getgid(), "size", 1));
		json_object_del(l, "resources");
	}
	return l;
}

json_t *bk_oci_default_spec(bool rootless)
{
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	};

	return json_pack("{s:s, s:{s:b, s:{s:i, s:i}, s:[s], s:o, s:s, s:{s:o, s:o, s:o},"
			 " s:[{s:s, s:i, s:i}], s:b}, s:{s:s, s:b}, s:s, s:o, s:o}",
			 "ociVersion", BK_OCI_VERSION,
			 "process", "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh",
			 "env", STRINGS(env), "cwd", "/",
			 "capabilities", "bounding", STRINGS(caps), "effective", STRINGS(caps),
			 "permitted", STRINGS(caps),
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024,
			 "noNewPrivileges", 1,
			 "root", "path", "rootfs", "readonly", 1,
			 "hostname", "ocirun",
			 "mounts", default_mounts(),
			 "linux", default_linux(rootless));
}

static json_t *capability_names(void)
{
	json_t *a = json_array();
	char name[64];

	for (int c = 0; a && c < bk_cap_count(); c++)
		if (bk_cap_name(c, name, sizeof(name)))
			json_array_append_new(a, json_string(name));
	return a;
}

static json_t *seccomp_features(void)
{
	static const char *const arches[] = {
		"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
		"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
		"SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
		"SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	};
	json_t *actions = json_array(), *ops = json_array(), *archs = json_array();
	const char *n;

	for (size_t i = 0; (n = bk_seccomp_action_name(i)); i++)
		json_array_append_new(actions, json_string(n));
	for (size_t i = 0; (n = bk_seccomp_operator_name(i)); i++)
		json_array_append_new(ops, json_string(n));
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (bk_seccomp_arch_known(arches[i]))
			json_array_append_new(archs, json_string(arches[i]));
	return json_pack("{s:b, s:o, s:o, s:o}", "enabled", 1, "actions", actions, "operators", ops,
			 "archs", archs);
}

json_t *bk_oci_features(void)
{
	static const char *const namespaces[] = {
		"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts",
	};
	json_t *hooks = json_array(), *opts = json_array();
	const char *n;
	bool ok = bk_cg_init() == 0;
	bool v1 = ok && (bk_cg_host_version("memory", NULL) == 0 || bk_cg_host_version("cpu", NULL) == 0);
	bool v2 = ok && (bk_cg_host_version("memory", NULL) == 1 || bk_cg_host_version("hugetlb", NULL) == 1);

	for (int k = 0; k < BK_HOOK_KINDS; k++)
		json_array_append_new(hooks, json_string(bk_oci_hook_name(k)));
	for (size_t i = 0; (n = bk_oci_mount_option_name(i)); i++)
		json_array_append_new(opts, json_string(n));
	return json_pack("{s:s, s:s, s:o, s:o, s:{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}},"
			 " s:{s:s}}",
			 "ociVersionMin", "1.0.0", "ociVersionMax", BK_OCI_VERSION, "hooks", hooks,
			 "mountOptions", opts,
			 "linux", "namespaces", STRINGS(namespaces), "capabilities", capability_names(),
			 "cgroup", "v1", v1, "v2", v2, "systemd", 0, "systemdUser", 0,
			 "seccomp", seccomp_features(), "apparmor", "enabled", 0, "selinux", "enabled", 0,
			 "annotations", "io.bockit.ocirun.version", "0.1");
}
