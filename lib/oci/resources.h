/* resources: linux.resources of an OCI config (or the file of `update
 * --resources`) as cgroup settings in cgroup v1 spelling, which
 * lib/cgroup/cgnames translates for the host (memory.limit_in_bytes ->
 * memory.max on v2), and the device rules as lib/cgroup/devrules reads
 * them. Zero means "not set" where runc reads it so; -1 is unlimited.
 * A field this host's kernel no longer has (memory.kernel) is ignored
 * with a warning, as runc does. */
#ifndef BK_OCI_RESOURCES_H
#define BK_OCI_RESOURCES_H

#include "cgroup/cgnames.h"
#include "cgroup/devrules.h"

#include <jansson.h>
#include <stdbool.h>

#define BK_OCI_MAX_REQS 64

struct bk_oci_resources {
	struct bk_cg_req req[BK_OCI_MAX_REQS];
	size_t n;
	char name[BK_OCI_MAX_REQS][96];     /* storage the requests point into */
	char value[BK_OCI_MAX_REQS][64];
	bool has_devices;                   /* devices given: the list below */
	struct bk_dev_rules dev;
	char warnings[256];
};

/* res may be NULL (nothing set); at names it in messages. */
int bk_oci_resources_parse(const json_t *res, const char *at, struct bk_oci_resources *out);

#endif
