/* hooks: an OCI config's hooks (prestart, createRuntime, createContainer,
 * startContainer, poststart, poststop): parsed, and run one after another
 * with the container's state JSON on stdin, each within its timeout.
 * Their output is kept for the message when one fails. */
#ifndef BK_OCI_HOOKS_H
#define BK_OCI_HOOKS_H

#include <jansson.h>
#include <stddef.h>

enum bk_oci_hook_kind {
	BK_HOOK_PRESTART, BK_HOOK_CREATE_RUNTIME, BK_HOOK_CREATE_CONTAINER,
	BK_HOOK_START_CONTAINER, BK_HOOK_POSTSTART, BK_HOOK_POSTSTOP, BK_HOOK_KINDS
};

struct bk_oci_hook {
	const char *path;
	const char **args;        /* NULL: just the path */
	const char **env;         /* NULL: an empty environment */
	int timeout;              /* seconds; 0: none */
};

struct bk_oci_hooks {
	struct bk_oci_hook *list[BK_HOOK_KINDS];
	size_t n[BK_HOOK_KINDS];
};

const char *bk_oci_hook_name(enum bk_oci_hook_kind k);  /* "createRuntime" */

/* hooks may be NULL (none). Strings point into the document. */
int bk_oci_hooks_parse(const json_t *hooks, struct bk_oci_hooks *out);
void bk_oci_hooks_free(struct bk_oci_hooks *h);

/* Run the hooks of kind k in order, state on each one's stdin; the first
 * that fails (exit status, signal, timeout) stops the rest and is the
 * error: "createRuntime hook /bin/x: exited 1: <its output>". The caller
 * ignores SIGPIPE (a hook may not read its stdin); the hook gets it back
 * at its default. */
int bk_oci_hooks_run(const struct bk_oci_hooks *h, enum bk_oci_hook_kind k, const char *state);

#endif
