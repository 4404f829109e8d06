/* proclimits: rlimits, OOM score and umask of the process (proclimits.h). */
#include "ns/proclimits.h"
#include "base/array.h"
#include "base/fsutil.h"
#include "base/msg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "AS", RLIMIT_AS }, { "CORE", RLIMIT_CORE }, { "CPU", RLIMIT_CPU },
	{ "DATA", RLIMIT_DATA }, { "FSIZE", RLIMIT_FSIZE }, { "LOCKS", RLIMIT_LOCKS },
	{ "MEMLOCK", RLIMIT_MEMLOCK }, { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE },
	{ "NOFILE", RLIMIT_NOFILE }, { "NPROC", RLIMIT_NPROC }, { "RSS", RLIMIT_RSS },
	{ "RTPRIO", RLIMIT_RTPRIO }, { "RTTIME", RLIMIT_RTTIME }, { "SIGPENDING", RLIMIT_SIGPENDING },
	{ "STACK", RLIMIT_STACK },
};

static const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return "?";
}

int bk_rlimit_by_name(const char *name, int *resource)
{
	const char *n = strncasecmp(name, "RLIMIT_", 7) ? name : name + 7;

	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++) {
		if (!strcasecmp(n, rlimits[i].name)) {
			*resource = rlimits[i].resource;
			return 0;
		}
	}
	return bk_fail("unknown resource limit '%s'", name);
}

int bk_rlimit_set(int resource, uint64_t soft, uint64_t hard)
{
	struct rlimit rl = {
		.rlim_cur = soft == UINT64_MAX ? RLIM_INFINITY : (rlim_t)soft,
		.rlim_max = hard == UINT64_MAX ? RLIM_INFINITY : (rlim_t)hard,
	};

	BK_TRACE("setrlimit(RLIMIT_%s, {%llu, %llu})", rlimit_name(resource),
		 (unsigned long long)soft, (unsigned long long)hard);
	if (setrlimit(resource, &rl) < 0) {
		/* raising a hard limit needs CAP_SYS_RESOURCE, which root may lack */
		if (errno == EPERM)
			return bk_fail_errno(errno, "setrlimit RLIMIT_%s %llu:%llu (raising a hard limit "
					     "needs CAP_SYS_RESOURCE)", rlimit_name(resource),
					     (unsigned long long)soft, (unsigned long long)hard);
		return bk_fail_errno(errno, "setrlimit RLIMIT_%s %llu:%llu", rlimit_name(resource),
				     (unsigned long long)soft, (unsigned long long)hard);
	}
	return 0;
}

int bk_oom_score_adj_set(int value)
{
	char buf[16];

	if (value < -1000 || value > 1000)
		return bk_fail("oom_score_adj %d: out of range (-1000..1000)", value);
	snprintf(buf, sizeof(buf), "%d", value);
	BK_TRACE("write /proc/self/oom_score_adj %s", buf);
	if (bk_write_string("/proc/self/oom_score_adj", buf) < 0)
		return bk_fail_wrap("oom_score_adj %d%s", value,
				    errno == EACCES ? " (lowering it needs CAP_SYS_RESOURCE)" : "");
	return 0;
}

void bk_umask_set(mode_t mask)
{
	BK_TRACE("umask(0%03o)", (unsigned)mask);
	umask(mask);
}
