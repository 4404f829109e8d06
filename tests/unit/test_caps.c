/* Unit tests for lib/ns/caps.c's five sets (bk_capsets): applied in
 * forked children as root, read back from /proc/self/status, across a
 * change to a non-zero uid. */
#include "tap.h"
#include "ns/caps.h"
#include "base/msg.h"
#include "ns/procenv.h"

#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIT(c) (1ULL << (c))

/* The hex mask of field ("CapEff:") in /proc/self/status. */
static uint64_t status_mask(const char *field)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "re");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = strtoull(line + strlen(field), NULL, 16);
	if (f)
		fclose(f);
	return v;
}

/* In a child: apply c (as uid after the change, when uid >= 0); exit 0 when
 * all five sets read back as given, 1-5 naming the first that did not. */
static int apply_in_child(const struct bk_capsets *c, long uid)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		if (bk_capsets_drop_bounding(c) < 0 || bk_caps_keep_on_setuid(true) < 0 ||
		    bk_set_ids(uid, uid) < 0 || bk_capsets_apply(c) < 0) {
			fprintf(stderr, "# %s\n", bk_error());
			_exit(9);
		}
		_exit(status_mask("CapBnd:") != c->bounding ? 1 : status_mask("CapEff:") != c->effective ? 2 :
		      status_mask("CapPrm:") != c->permitted ? 3 : status_mask("CapInh:") != c->inheritable ? 4 :
		      status_mask("CapAmb:") != c->ambient ? 5 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

int main(void)
{
	uint64_t base = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	struct bk_capsets all_five = { base | BIT(CAP_SETUID) | BIT(CAP_SETGID) | BIT(CAP_SETPCAP),
				       base, base | BIT(CAP_SETUID), base, BIT(CAP_NET_BIND_SERVICE) };
	struct bk_capsets none = { 0, 0, 0, 0, 0 };
	struct bk_capsets bad_ambient = { base, base, base, 0, BIT(CAP_KILL) };
	int r;

	if (geteuid() != 0) {
		printf("ok 1 # SKIP needs root\n1..1\n");
		return 0;
	}
	r = apply_in_child(&all_five, -1);
	ok(r == 0, "as root: bounding, effective, permitted, inheritable, ambient as given (%d)", r);
	r = apply_in_child(&all_five, 1000);
	ok(r == 0, "across setuid(1000): permitted kept, the sets as given (%d)", r);
	r = apply_in_child(&none, 1000);
	ok(r == 0, "all five empty (%d)", r);
	r = apply_in_child(&bad_ambient, -1);
	ok(r == 9, "an ambient capability not inheritable is refused (%d)", r);
	return tap_done();
}
