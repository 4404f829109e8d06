/* group: a container's control group (group.h). */
#include "oci/group.h"
#include "base/array.h"
#include "base/msg.h"
#include "cgroup/cgdevices.h"

#include <stdio.h>
#include <unistd.h>
#include <string.h>

static const char *const joined[] = { "cpu", "cpuacct", "memory", "pids", "devices", "freezer" };

static int plan(struct bk_cgroup *g, const struct bk_oci_resources *r, struct bk_cg_write *w, size_t max)
{
	int n = bk_cg_plan(r->req, r->n, bk_cg_host_version, NULL, w, max);

	if (n < 0)
		return bk_fail_wrap("linux.resources");
	if (bk_cg_add_for(g, w, (size_t)n) < 0)
		return bk_fail_wrap("linux.resources");
	return n;
}

static int devices(const struct bk_oci_config *c, struct bk_cgroup *g)
{
	struct bk_dev_rules rules = c->res.dev;

	if (bk_dev_default_rules(&rules) < 0)
		return bk_fail_wrap("linux.resources.devices");
	if (bk_cg_devices_apply(g, &rules, !bk_cg_find(g, "devices")) < 0)
		return bk_fail_wrap("linux.resources.devices");
	return 0;
}

/* The group in each hierarchy a container joins, its settings planned
 * and written, then its device list; -1 with nothing made on failure. */
static int make(const struct bk_oci_config *c, struct bk_cgroup *g)
{
	struct bk_cg_write w[BK_OCI_MAX_REQS * 2];
	bool created;
	int n;

	for (size_t i = 0; i < ARRAY_SIZE(joined); i++)
		if (bk_cg_host_version(joined[i], NULL) >= 0 && bk_cg_add(g, joined[i]) < 0)
			return -1;
	if ((n = plan(g, &c->res, w, ARRAY_SIZE(w))) < 0 || bk_cg_create(g, &created) < 0)
		return -1;
	if (bk_cg_apply(g, w, (size_t)n) < 0 || devices(c, g) < 0) {
		bk_cg_rollback(g);
		return -1;
	}
	return 0;
}

int bk_oci_group_create(const struct bk_oci_config *c, const char *path, struct bk_cgroup *g)
{
	if (bk_cg_init() < 0 || bk_cg_open(g, path) < 0)
		return bk_fail_wrap("linux.cgroupsPath");
	if (make(c, g) < 0) {
		bk_cg_close(g);
		return -1;
	}
	return 0;
}

int bk_oci_group_record(const struct bk_cgroup *g, struct bk_oci_state *s)
{
	snprintf(s->cgroup, sizeof(s->cgroup), "%s", g->path);
	s->nctrls = 0;
	for (size_t i = 0; i < g->n; i++) {
		struct bk_oci_ctrl *k = &s->ctrls[s->nctrls++];

		if (s->nctrls > BK_OCI_MAX_CTRLS || strlen(g->ctrl[i].mount) >= sizeof(k->mount))
			return bk_fail("%s: too many controllers or a mount path too long", g->path);
		snprintf(k->name, sizeof(k->name), "%s", g->ctrl[i].name);
		snprintf(k->mount, sizeof(k->mount), "%s", g->ctrl[i].mount);
		k->v2 = g->ctrl[i].v2;
	}
	/* the directories made (parents too), for delete to take back */
	json_decref(s->made);
	s->made = json_array();
	for (size_t i = 0; s->made && i < g->nundo; i++)
		if (!g->undo[i].ctrl[0])
			json_array_append_new(s->made, json_string(g->undo[i].path));
	return s->made ? 0 : bk_fail("%s: out of memory", g->path);
}

void bk_oci_group_unmake(const struct bk_oci_state *s)
{
	for (size_t i = json_array_size(s->made); i-- > 0;) {
		const char *dir = json_string_value(json_array_get(s->made, i));

		/* a parent another container still uses stays (EBUSY) */
		if (dir && rmdir(dir) == 0)
			BK_TRACE("rmdir %s", dir);
	}
}

int bk_oci_group_open(const struct bk_oci_state *s, struct bk_cgroup *g)
{
	if (bk_cg_open(g, s->cgroup) < 0)
		return -1;
	for (size_t i = 0; i < s->nctrls; i++) {
		if (bk_cg_add_known(g, s->ctrls[i].name, s->ctrls[i].v2, s->ctrls[i].mount) < 0) {
			bk_cg_close(g);
			return -1;
		}
	}
	return 0;
}

int bk_oci_group_update(struct bk_cgroup *g, const struct bk_oci_resources *r)
{
	struct bk_cg_write w[BK_OCI_MAX_REQS * 2];
	int n = bk_cg_plan(r->req, r->n, bk_cg_host_version, NULL, w, ARRAY_SIZE(w));

	if (n < 0)
		return bk_fail_wrap("resources");
	for (int i = 0; i < n; i++)
		if (!bk_cg_find(g, w[i].ctrl))
			return bk_fail("resources: %s: the container has no %s group", w[i].file, w[i].ctrl);
	return bk_cg_apply(g, w, (size_t)n);
}
