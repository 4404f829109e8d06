/* process: an OCI process object (process.h). */
#include "oci/process.h"
#include "base/array.h"
#include "base/msg.h"
#include "base/size.h"
#include "ns/proclimits.h"
#include "oci/jfield.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int parse_user(const json_t *p, const char *at, struct bk_oci_process *out)
{
	char where[64];
	json_t *u, *gids, *g;
	int64_t v = 0;
	bool given;
	size_t i;

	if (bk_j_typed(p, at, "user", JSON_OBJECT, &u) < 0)
		return -1;
	if (!u)
		return 0;
	bk_j_path(where, sizeof(where), at, "user");
	if (bk_j_int(u, where, "uid", 0, UINT32_MAX - 1, &v, NULL) < 0)
		return -1;
	out->uid = (uint32_t)v;
	v = 0;
	if (bk_j_int(u, where, "gid", 0, UINT32_MAX - 1, &v, NULL) < 0)
		return -1;
	out->gid = (uint32_t)v;
	if (bk_j_int(u, where, "umask", 0, 0777, &v, &given) < 0)
		return -1;
	out->has_umask = given;
	out->umask = (mode_t)v;
	if (bk_j_get(u, "username"))
		return bk_j_fail(where, "username", "not supported (a Windows field)");
	if (bk_j_typed(u, where, "additionalGids", JSON_ARRAY, &gids) < 0)
		return -1;
	if (!json_array_size(gids))
		return 0;
	out->groups = calloc(json_array_size(gids), sizeof(*out->groups));
	if (!out->groups)
		return bk_fail_errno(ENOMEM, "%s.additionalGids", where);
	json_array_foreach(gids, i, g) {
		if (!json_is_integer(g) || json_integer_value(g) < 0 || json_integer_value(g) >= UINT32_MAX)
			return bk_j_fail(where, "additionalGids", "item %zu is not a group id", i);
		out->groups[out->ngroups++] = (gid_t)json_integer_value(g);
	}
	return 0;
}

/* One capability list; names the kernel does not know are noted, not
 * fatal (runc's rule: a config written for a newer kernel still runs). */
static int parse_capset(const json_t *caps, const char *at, const char *key, uint64_t *mask,
			struct bk_oci_process *out)
{
	const char **names;
	int cap;

	if (bk_j_strv(caps, at, key, &names) < 0)
		return -1;
	for (size_t i = 0; names && names[i]; i++) {
		if (bk_cap_by_name(names[i], &cap) == 0 && strncasecmp(names[i], "CAP_", 4) == 0) {
			*mask |= 1ULL << cap;
			continue;
		}
		if (!strstr(out->unknown_caps, names[i])) {
			size_t n = strlen(out->unknown_caps);
			snprintf(out->unknown_caps + n, sizeof(out->unknown_caps) - n, "%s%s",
				 n ? ", " : "", names[i]);
		}
	}
	free(names);
	return 0;
}

static int parse_caps(const json_t *p, const char *at, struct bk_oci_process *out)
{
	char where[64];
	json_t *caps;
	struct bk_capsets *c = &out->caps;

	if (bk_j_typed(p, at, "capabilities", JSON_OBJECT, &caps) < 0)
		return -1;
	out->has_caps = caps != NULL;
	if (!caps)
		return 0;
	bk_j_path(where, sizeof(where), at, "capabilities");
	if (parse_capset(caps, where, "bounding", &c->bounding, out) < 0 ||
	    parse_capset(caps, where, "effective", &c->effective, out) < 0 ||
	    parse_capset(caps, where, "permitted", &c->permitted, out) < 0 ||
	    parse_capset(caps, where, "inheritable", &c->inheritable, out) < 0 ||
	    parse_capset(caps, where, "ambient", &c->ambient, out) < 0)
		return -1;
	out->ambient_dropped = c->ambient & ~(c->permitted & c->inheritable);
	c->ambient &= ~out->ambient_dropped;
	return 0;
}

static int parse_rlimits(const json_t *p, const char *at, struct bk_oci_process *out)
{
	char where[64];
	json_t *list, *r;
	const char *type = NULL;
	size_t i;

	if (bk_j_typed(p, at, "rlimits", JSON_ARRAY, &list) < 0)
		return -1;
	json_array_foreach(list, i, r) {
		struct bk_oci_rlimit *l = &out->rlimits[out->nrlimits];
		json_t *soft, *hard;

		snprintf(where, sizeof(where), "%s.rlimits[%zu]", at, i);
		if (out->nrlimits == BK_OCI_MAX_RLIMITS)
			return bk_fail("%s: more than %d limits", where, BK_OCI_MAX_RLIMITS);
		if (!json_is_object(r))
			return bk_fail("%s: not an object", where);
		type = NULL;
		if (bk_j_string(r, where, "type", &type) < 0)
			return -1;
		if (!type)
			return bk_j_fail(where, "type", "missing");
		if (bk_rlimit_by_name(type, &l->resource) < 0)
			return bk_fail_wrap("%s.type", where);
		if (bk_j_typed(r, where, "soft", JSON_INTEGER, &soft) < 0 ||
		    bk_j_typed(r, where, "hard", JSON_INTEGER, &hard) < 0)
			return -1;
		if (!soft || !hard)
			return bk_fail("%s: soft and hard are required", where);
		/* JSON integers are signed 64-bit: -1 and larger are unlimited */
		l->soft = (uint64_t)json_integer_value(soft);
		l->hard = (uint64_t)json_integer_value(hard);
		for (size_t k = 0; k < out->nrlimits; k++)
			if (out->rlimits[k].resource == l->resource)
				return bk_fail("%s: %s given twice", where, type);
		out->nrlimits++;
	}
	return 0;
}

static int parse_console(const json_t *p, const char *at, struct bk_oci_process *out)
{
	char where[64];
	json_t *cs;
	int64_t v = 0;

	if (bk_j_bool(p, at, "terminal", &out->terminal) < 0 ||
	    bk_j_typed(p, at, "consoleSize", JSON_OBJECT, &cs) < 0)
		return -1;
	if (!cs)
		return 0;
	bk_j_path(where, sizeof(where), at, "consoleSize");
	if (bk_j_int(cs, where, "height", 0, 65535, &v, NULL) < 0)
		return -1;
	out->rows = (unsigned)v;
	v = 0;
	if (bk_j_int(cs, where, "width", 0, 65535, &v, NULL) < 0)
		return -1;
	out->cols = (unsigned)v;
	return 0;
}

/* Fields that need an LSM or a feature this host or bockit lacks. */
static int refuse_unsupported(const json_t *p, const char *at)
{
	static const char *const fields[] = {
		"apparmorProfile", "selinuxLabel", "scheduler", "ioPriority", "execCPUAffinity",
	};
	const char *s = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		json_t *v = bk_j_get(p, fields[i]);
		if (v && !(json_is_string(v) && !*json_string_value(v)))
			return bk_j_fail(at, fields[i], "not supported by ocirun");
	}
	if (bk_j_string(p, at, "commandLine", &s) < 0)
		return -1;
	return s ? bk_j_fail(at, "commandLine", "not supported (a Windows field)") : 0;
}

int bk_oci_process_parse(const json_t *p, const char *at, struct bk_oci_process *out)
{
	int64_t oom = 0;

	*out = (struct bk_oci_process){ .cwd = "/" };
	if (!json_is_object(p))
		return bk_fail("%s: not an object", at);
	if (bk_j_strv(p, at, "args", &out->args) < 0 || bk_j_strv(p, at, "env", &out->env) < 0 ||
	    bk_j_string(p, at, "cwd", &out->cwd) < 0)
		goto fail;
	if (!out->args || !out->args[0] || !out->args[0][0]) {
		bk_j_fail(at, "args", "missing or empty");
		goto fail;
	}
	for (size_t i = 0; out->env && out->env[i]; i++)
		if (!strchr(out->env[i], '=') || out->env[i][0] == '=') {
			bk_fail("%s.env[%zu]: '%s' is not NAME=VALUE", at, i, out->env[i]);
			goto fail;
		}
	if (out->cwd[0] != '/') {
		bk_j_fail(at, "cwd", "'%s' is not an absolute path", out->cwd);
		goto fail;
	}
	if (parse_user(p, at, out) < 0 || parse_caps(p, at, out) < 0 || parse_rlimits(p, at, out) < 0 ||
	    parse_console(p, at, out) < 0 || refuse_unsupported(p, at) < 0 ||
	    bk_j_bool(p, at, "noNewPrivileges", &out->nnp) < 0 ||
	    bk_j_int(p, at, "oomScoreAdj", -1000, 1000, &oom, &out->has_oom) < 0)
		goto fail;
	out->oom_score_adj = (int)oom;
	return 0;
fail:
	bk_oci_process_free(out);
	return -1;
}

void bk_oci_process_free(struct bk_oci_process *p)
{
	free(p->args);
	free(p->env);
	free(p->groups);
	p->args = p->env = NULL;
	p->groups = NULL;
}

int bk_oci_process_set_user(struct bk_oci_process *p, const char *spec)
{
	char uid[32];
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
	uint64_t u, g;

	if (n == 0 || n >= sizeof(uid))
		return bk_fail("--user '%s': want UID[:GID]", spec);
	memcpy(uid, spec, n);
	uid[n] = '\0';
	if (bk_parse_u64(uid, &u) < 0 || u >= UINT32_MAX ||
	    (colon && (bk_parse_u64(colon + 1, &g) < 0 || g >= UINT32_MAX)))
		return bk_fail("--user '%s': want numeric UID[:GID]", spec);
	p->uid = (uint32_t)u;
	if (colon)
		p->gid = (uint32_t)g;
	return 0;
}

static const char **strv_dup(const char **v, size_t extra)
{
	size_t n = 0;
	const char **out;

	while (v && v[n])
		n++;
	out = calloc(n + extra + 1, sizeof(*out));
	if (out && n)
		memcpy(out, v, n * sizeof(*out));
	return out;
}

int bk_oci_process_copy(const struct bk_oci_process *src, struct bk_oci_process *dst)
{
	*dst = *src;
	dst->args = strv_dup(src->args, 0);
	dst->env = strv_dup(src->env, 0);
	dst->groups = src->ngroups ? calloc(src->ngroups, sizeof(*dst->groups)) : NULL;
	if (dst->groups)
		memcpy(dst->groups, src->groups, src->ngroups * sizeof(*dst->groups));
	if (!dst->args || !dst->env || (src->ngroups && !dst->groups)) {
		bk_oci_process_free(dst);
		return bk_fail_errno(ENOMEM, "process");
	}
	return 0;
}

int bk_oci_process_set_args(struct bk_oci_process *p, char *const *argv)
{
	const char **args = strv_dup((const char **)argv, 0);

	if (!args)
		return bk_fail_errno(ENOMEM, "process.args");
	free(p->args);
	p->args = args;
	return 0;
}

int bk_oci_process_set_env(struct bk_oci_process *p, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t n = 0, key = eq ? (size_t)(eq - kv) + 1 : 0;
	const char **env;

	if (!eq || eq == kv)
		return bk_fail("--env '%s': want NAME=VALUE", kv);
	for (; p->env && p->env[n]; n++) {
		if (!strncmp(p->env[n], kv, key)) {
			p->env[n] = kv;
			return 0;
		}
	}
	env = strv_dup(p->env, 1);
	if (!env)
		return bk_fail_errno(ENOMEM, "process.env");
	env[n] = kv;
	free(p->env);
	p->env = env;
	return 0;
}
