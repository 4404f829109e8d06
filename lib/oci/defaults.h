/* defaults: the two documents ocirun writes from nothing: the starting
 * config.json of `ocirun spec` (runc's: sh in ./rootfs read-only, new
 * pid, network, ipc, uts, mount and cgroup namespaces, the usual mounts,
 * masked and read-only paths, three capabilities) and `ocirun features`
 * (what the runtime and this host support: hooks, mount options,
 * namespaces, capabilities, cgroup versions, seccomp). */
#ifndef BK_OCI_DEFAULTS_H
#define BK_OCI_DEFAULTS_H

#include <jansson.h>
#include <stdbool.h>

json_t *bk_oci_default_spec(bool rootless);
json_t *bk_oci_features(void);

#endif
