/* config: an OCI bundle's config.json, parsed once with jansson into what
 * the lib/ns and lib/cgroup modules take: the root, the process, mount
 * requests, namespaces to make or join, id maps, device nodes, sysctls,
 * masked and read-only paths, resources, seccomp, hooks. Every field is
 * checked before anything is made; one bockit cannot honour fails with a
 * line naming it ("linux.intelRdt: not supported by ocirun"). Unknown
 * fields are ignored, as the spec says. */
#ifndef BK_OCI_CONFIG_H
#define BK_OCI_CONFIG_H

#include "ns/idmap.h"
#include "ns/ns.h"
#include "ns/rootfs.h"
#include "oci/hooks.h"
#include "oci/process.h"
#include "oci/resources.h"

#include <jansson.h>
#include <stdbool.h>

struct bk_oci_config {
	json_t *json;                     /* the document; the strings below live in it */
	char *bundle;                     /* absolute */
	char *rootfs;                     /* absolute, a directory */
	bool root_ro;
	const char *hostname, *domainname;
	struct bk_oci_process proc;
	struct bk_mountreq *mounts;
	size_t nmounts;
	char **owned;                     /* the mounts' malloc'd strings */
	size_t nowned;
	struct bk_oci_hooks hooks;
	const json_t *annotations;        /* an object, or NULL */
	int ns_new;                       /* CLONE_NEW* to make */
	const char *ns_path[BK_NS_COUNT]; /* namespaces to join */
	unsigned ns_own;                  /* bit k: kind k is not the host's */
	struct bk_idmap_range *uidmap, *gidmap;
	size_t nuidmap, ngidmap;
	const char *cgroups_path;         /* as given, or NULL */
	struct bk_oci_resources res;
	const json_t *seccomp;            /* linux.seccomp, or NULL */
	unsigned long propagation;        /* of the root: rslave unless told */
	const char **masked, **readonly;
	size_t nmasked, nreadonly;
	const char **sysctl_names, **sysctl_values;
	size_t nsysctl;
	struct bk_devnode *devices;
	size_t ndevices;
	bool cgroup_mount;                /* a mount of type cgroup is in the list */
};

/* Read and check DIR/config.json (bundle is DIR); file, when not NULL,
 * is read instead (a copy kept in the state directory). */
int bk_oci_config_load(const char *bundle, const char *file, struct bk_oci_config *c);
/* The same from text already read. */
int bk_oci_config_parse_text(const char *text, const char *bundle, struct bk_oci_config *c);
void bk_oci_config_free(struct bk_oci_config *c);

/* The cgroup path the container gets: linux.cgroupsPath ("/a/b", or
 * "a/b" taken from the root), or /ocirun-ID when it has none (no parent
 * group to leave behind); into buf. */
int bk_oci_config_cgroup_path(const struct bk_oci_config *c, const char *id, char *buf, size_t len);

#endif
