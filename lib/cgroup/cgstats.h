/* cgstats: the few numbers `stats` shows (memory current/peak/limit, OOM
 * kills, cpu time, pids current/max), read from whichever files this
 * host's cgroup version has, never the whole directory; text or JSON. */
#ifndef BK_CGSTATS_H
#define BK_CGSTATS_H

#include "cgroup/cgroup.h"

#include <stdbool.h>
#include <stdint.h>

/* A value that may be absent (file missing) or unlimited ("max"). */
struct bk_cg_num {
	bool have;
	bool unlimited;
	uint64_t v;
};

struct bk_cg_stats {
	struct bk_cg_num mem_current, mem_peak, mem_max, oom_kills;
	struct bk_cg_num cpu_usec;
	struct bk_cg_num pids_current, pids_max;
};

/* Read what the group's memory, cpu/cpuacct and pids directories have. */
int bk_cg_stats_read(const struct bk_cgroup *g, struct bk_cg_stats *s);

/* "memory.current 123\n..." lines, or a JSON object; malloc'd. */
char *bk_cg_stats_text(const struct bk_cg_stats *s);
char *bk_cg_stats_json(const struct bk_cg_stats *s, const char *path);

#endif
