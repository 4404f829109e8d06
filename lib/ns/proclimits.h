/* proclimits: what a process may use apart from its cgroup: resource
 * limits by their OCI names (RLIMIT_NOFILE...), its OOM score adjustment
 * and its file mode mask. Set by the process on itself before exec. */
#ifndef BK_PROCLIMITS_H
#define BK_PROCLIMITS_H

#include <stdint.h>
#include <sys/types.h>

/* "RLIMIT_NOFILE" (or "NOFILE", any case) to RLIMIT_NOFILE. */
int bk_rlimit_by_name(const char *name, int *resource);
/* setrlimit(resource, {soft, hard}); UINT64_MAX is unlimited. */
int bk_rlimit_set(int resource, uint64_t soft, uint64_t hard);
/* Write /proc/self/oom_score_adj (-1000..1000). */
int bk_oom_score_adj_set(int value);
/* umask(mask), traced. */
void bk_umask_set(mode_t mask);

#endif
