/* sysctl: kernel parameters of a container's own namespaces (an OCI
 * config's linux.sysctl), written through /proc/sys inside the container.
 * Only the parameters the kernel keeps per namespace are accepted, each
 * when the container has that namespace of its own, so a config cannot
 * change the host through them (runc's rule): kernel.msgmax, msgmnb,
 * msgmni, sem, shmall, shmmax, shmmni, shm_rmid_forced and fs.mqueue.*
 * (ipc), net.* (network), kernel.domainname (uts). */
#ifndef BK_SYSCTL_H
#define BK_SYSCTL_H

#include "ns/ns.h"

/* own: bit k set when the container's namespace of kind k is not the
 * host's (made new, or joined and different). */
int bk_sysctl_check(const char *name, unsigned own);
/* Write value to /proc/sys/NAME ("net.ipv4.ip_forward", or with '/'
 * separators when a component holds a dot: "net/ipv4/conf/eth0.1/rp_filter"),
 * resolved beneath /proc/sys. */
int bk_sysctl_write(const char *name, const char *value);

#endif
