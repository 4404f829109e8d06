/* caps: capability sets through libcap (caps.h). */
#include "ns/caps.h"
#include "base/array.h"
#include "base/msg.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Docker's (and runc's) default set. */
static const cap_value_t default_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
	CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
	CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static uint64_t default_mask(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < ARRAY_SIZE(default_caps); i++)
		m |= 1ULL << default_caps[i];
	return m;
}

static int cap_by_name(const char *name, cap_value_t *v)
{
	char buf[64];
	size_t n = strlen(name);

	if (n == 0 || n + 4 >= sizeof(buf))
		return bk_fail("unknown capability '%s'", name);
	snprintf(buf, sizeof(buf), "%s%s", strncasecmp(name, "cap_", 4) ? "cap_" : "", name);
	for (char *p = buf; *p; p++)
		*p = tolower((unsigned char)*p);
	if (cap_from_name(buf, v) < 0 || *v < 0 || *v > 63)
		return bk_fail("unknown capability '%s'", name);
	return 0;
}

int bk_cap_by_name(const char *name, int *cap)
{
	cap_value_t v;

	if (cap_by_name(name, &v) < 0)
		return -1;
	*cap = v;
	return 0;
}

const char *bk_cap_name(int cap, char *buf, size_t len)
{
	char *name;

	if (cap < 0 || cap >= cap_max_bits() || !(name = cap_to_name(cap)))
		return NULL;
	snprintf(buf, len, "%s", name);
	cap_free(name);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return strncmp(buf, "CAP_", 4) ? NULL : buf;
}

int bk_cap_count(void)
{
	return cap_max_bits();
}

static int apply_word(const char *w, struct bk_caps *c)
{
	cap_value_t v;

	if (!strcmp(w, "default"))
		c->keep |= default_mask();
	else if (!strcmp(w, "none"))
		c->keep = 0;
	else if (!strcmp(w, "all"))
		c->keep_all = true;
	else if (w[0] == '-' || w[0] == '+' ) {
		if (cap_by_name(w + 1, &v) < 0)
			return -1;
		if (w[0] == '-')
			c->keep &= ~(1ULL << v);
		else
			c->keep |= 1ULL << v;
	} else {
		if (cap_by_name(w, &v) < 0)
			return -1;
		c->keep |= 1ULL << v;
	}
	return 0;
}

int bk_caps_parse(const char *spec, struct bk_caps *out)
{
	char *copy = strdup(spec), *save = NULL;
	int r = 0;

	if (!copy)
		return bk_fail_errno(ENOMEM, "caps");
	*out = (struct bk_caps){ 0 };
	for (char *w = strtok_r(copy, ",", &save); w && r == 0; w = strtok_r(NULL, ",", &save))
		r = apply_word(w, out);
	if (r == 0 && out->keep_all && strcmp(spec, "all"))
		r = bk_fail("--caps=all cannot be combined with other words");
	free(copy);
	return r;
}

static int drop_bounding(uint64_t keep)
{
	int last = cap_max_bits();

	for (int v = 0; v < last; v++) {
		if (keep & (1ULL << v))
			continue;
		if (cap_drop_bound(v) < 0 && errno != EINVAL)
			return bk_fail_errno(errno, "drop %s from the bounding set", cap_to_name(v));
	}
	return 0;
}

static int add_flags(cap_t c, cap_flag_t flag, uint64_t set)
{
	for (cap_value_t v = 0; v < cap_max_bits() && v < 64; v++)
		if ((set & (1ULL << v)) && cap_set_flag(c, flag, 1, &v, CAP_SET) < 0)
			return bk_fail_errno(errno, "cap_set_flag");
	return 0;
}

static int set_process_caps(uint64_t eff, uint64_t perm, uint64_t inh)
{
	cap_t c = cap_init();
	int r;

	if (!c)
		return bk_fail_errno(errno, "cap_init");
	r = add_flags(c, CAP_EFFECTIVE, eff) < 0 || add_flags(c, CAP_PERMITTED, perm) < 0 ||
	    add_flags(c, CAP_INHERITABLE, inh) < 0 ? -1 : 0;
	if (r == 0 && cap_set_proc(c) < 0)
		r = bk_fail_errno(errno, "capset");
	cap_free(c);
	return r;
}

static int clear_ambient(void)
{
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		return bk_fail_errno(errno, "clear ambient capabilities");
	return 0;
}

int bk_caps_drop_bounding(const struct bk_caps *c)
{
	if (c->keep_all)
		return 0;
	BK_TRACE("prctl(PR_CAPBSET_DROP, each capability not in 0x%llx)",
		 (unsigned long long)c->keep);
	return drop_bounding(c->keep);
}

int bk_caps_set(const struct bk_caps *c)
{
	if (c->keep_all)
		return 0;
	BK_TRACE("prctl(PR_CAP_AMBIENT_CLEAR_ALL); capset(permitted=effective=0x%llx, inheritable=0)",
		 (unsigned long long)(geteuid() == 0 ? c->keep : 0));
	if (clear_ambient() < 0)
		return -1;
	/* After setuid to a non-zero uid the kernel already emptied permitted
	 * and effective; raising them again is neither wanted nor allowed. */
	uint64_t keep = geteuid() == 0 ? c->keep : 0;
	return set_process_caps(keep, keep, 0);
}

int bk_capsets_drop_bounding(const struct bk_capsets *c)
{
	BK_TRACE("prctl(PR_CAPBSET_DROP, each capability not in 0x%llx)",
		 (unsigned long long)c->bounding);
	return drop_bounding(c->bounding);
}

int bk_caps_keep_on_setuid(bool keep)
{
	BK_TRACE("prctl(PR_SET_KEEPCAPS, %d)", keep);
	if (prctl(PR_SET_KEEPCAPS, keep ? 1 : 0, 0, 0, 0) < 0)
		return bk_fail_errno(errno, "prctl(PR_SET_KEEPCAPS)");
	return 0;
}

int bk_capsets_apply(const struct bk_capsets *c)
{
	BK_TRACE("capset(effective=0x%llx, permitted=0x%llx, inheritable=0x%llx); "
		 "prctl(PR_CAP_AMBIENT_RAISE, each of 0x%llx)", (unsigned long long)c->effective,
		 (unsigned long long)c->permitted, (unsigned long long)c->inheritable,
		 (unsigned long long)c->ambient);
	if (clear_ambient() < 0 || set_process_caps(c->effective, c->permitted, c->inheritable) < 0)
		return -1;
	for (cap_value_t v = 0; v < 64; v++)
		if ((c->ambient & (1ULL << v)) && cap_set_ambient(v, CAP_SET) < 0)
			return bk_fail_errno(errno, "raise ambient capability %d", (int)v);
	return 0;
}

int bk_set_no_new_privs(void)
{
	BK_TRACE("prctl(PR_SET_NO_NEW_PRIVS, 1)");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return bk_fail_errno(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

uint64_t bk_caps_mask(const struct bk_caps *c)
{
	uint64_t m = 0;

	if (!c->keep_all)
		return c->keep;
	for (int v = 0; v < 64; v++)
		if (prctl(PR_CAPBSET_READ, v, 0, 0, 0) == 1)
			m |= 1ULL << v;
	return m;
}
