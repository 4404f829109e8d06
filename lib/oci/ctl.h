/* ctl: what the other commands do to a container that exists: its
 * status (the cgroup's freezer says paused), a signal by name or number,
 * the first process signalled through a pidfd (never a recycled PID: the
 * start time is checked first), waiting for it to end, and delete's
 * teardown: the process killed when asked, what is left in the group
 * killed, the group removed, poststop run, the state removed. */
#ifndef BK_OCI_CTL_H
#define BK_OCI_CTL_H

#include "oci/state.h"

#include <stdbool.h>

enum bk_oci_status bk_oci_status_now(const struct bk_oci_state *s);

/* "KILL", "SIGKILL", "kill", "9", "RTMIN+2", "SIGRTMAX-1". */
int bk_oci_signal_parse(const char *s, int *sig);

/* Signal the first process (fails when it is gone). */
int bk_oci_signal_init(const struct bk_oci_state *s, int sig);
/* Signal every process in the container's group. */
int bk_oci_signal_all(const struct bk_oci_state *s, int sig);

/* Run the hooks of kind k from the config kept at create, the state
 * (with status st) on stdin; a failure is a warning (poststart, poststop:
 * the spec's rule), printed by the caller from *warning (malloc'd). */
void bk_oci_saved_hooks(const struct bk_oci_state *s, int k, enum bk_oci_status st, char **warning);

/* start: only a created container; the fifo's byte, then poststart. */
int bk_oci_start(const struct bk_oci_state *s, char **warning);

/* delete [--force]: only a stopped container goes without force (the
 * spec's rule; runc also deletes a created one). */
int bk_oci_delete(struct bk_oci_state *s, bool force, char **warning);

#endif
