/* hooks: OCI lifecycle hooks (hooks.h). */
#include "oci/hooks.h"
#include "base/chain.h"
#include "base/cleanup.h"
#include "base/msg.h"
#include "oci/jfield.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const names[BK_HOOK_KINDS] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

const char *bk_oci_hook_name(enum bk_oci_hook_kind k)
{
	return names[k];
}

static int parse_one(const json_t *o, const char *at, struct bk_oci_hook *h)
{
	int64_t t = 0;

	*h = (struct bk_oci_hook){ 0 };
	if (!json_is_object(o))
		return bk_fail("%s: not an object", at);
	if (bk_j_string(o, at, "path", &h->path) < 0 || bk_j_strv(o, at, "args", &h->args) < 0 ||
	    bk_j_strv(o, at, "env", &h->env) < 0 || bk_j_int(o, at, "timeout", 1, 86400, &t, NULL) < 0)
		return -1;
	h->timeout = (int)t;
	if (!h->path || h->path[0] != '/')
		return bk_j_fail(at, "path", "missing or not absolute");
	return 0;
}

int bk_oci_hooks_parse(const json_t *hooks, struct bk_oci_hooks *out)
{
	char at[64];

	memset(out, 0, sizeof(*out));
	if (!hooks)
		return 0;
	if (!json_is_object(hooks))
		return bk_fail("hooks: not an object");
	for (int k = 0; k < BK_HOOK_KINDS; k++) {
		json_t *list, *o;
		size_t i;

		snprintf(at, sizeof(at), "hooks");
		if (bk_j_typed(hooks, at, names[k], JSON_ARRAY, &list) < 0)
			goto fail;
		if (!json_array_size(list))
			continue;
		out->list[k] = calloc(json_array_size(list), sizeof(*out->list[k]));
		if (!out->list[k]) {
			bk_fail_errno(ENOMEM, "hooks");
			goto fail;
		}
		json_array_foreach(list, i, o) {
			snprintf(at, sizeof(at), "hooks.%s[%zu]", names[k], i);
			if (parse_one(o, at, &out->list[k][i]) < 0) {
				out->n[k] = i + 1;
				goto fail;
			}
		}
		out->n[k] = json_array_size(list);
	}
	return 0;
fail:
	bk_oci_hooks_free(out);
	return -1;
}

void bk_oci_hooks_free(struct bk_oci_hooks *h)
{
	for (int k = 0; k < BK_HOOK_KINDS; k++) {
		for (size_t i = 0; i < h->n[k]; i++) {
			free(h->list[k][i].args);
			free(h->list[k][i].env);
		}
		free(h->list[k]);
	}
	memset(h, 0, sizeof(*h));
}

static void __attribute__((noreturn)) exec_hook(const struct bk_oci_hook *h, int in, int out)
{
	static const char *const empty[] = { NULL };
	const char *argv0[] = { h->path, NULL };

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(BK_EXIT_FAILED);
	/* nothing of the runtime's but stdio reaches the hook, nor its
	 * ignored SIGPIPE */
	close_range(3, ~0U, 0);
	signal(SIGPIPE, SIG_DFL);
	execve(h->path, (char *const *)(h->args && h->args[0] ? h->args : argv0),
	       (char *const *)(h->env ? h->env : empty));
	_exit(errno == ENOENT ? BK_EXIT_NOT_FOUND : BK_EXIT_CANNOT_EXEC);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Collect up to len-1 bytes of output until the hook exits or the time
 * is up; returns 1 when it exited, 0 on timeout. */
static int watch(pid_t pid, int out, int timeout_s, char *buf, size_t len)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long long deadline = timeout_s ? now_ms() + timeout_s * 1000LL : -1;
	size_t used = 0;
	char sink[512];

	for (;;) {
		struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = out, .events = POLLIN } };
		int wait = deadline < 0 ? -1 : (int)(deadline - now_ms());

		if (deadline >= 0 && wait <= 0)
			return 0;
		if (poll(p, out >= 0 ? 2 : 1, wait) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents) {
			char *dst = used + 1 < len ? buf + used : sink;
			size_t room = used + 1 < len ? len - 1 - used : sizeof(sink);
			ssize_t n = read(out, dst, room);
			if (n <= 0)
				out = -1;
			else if (dst != sink)
				used += (size_t)n;
			buf[used] = '\0';
		}
		if (p[0].revents || pidfd < 0)
			return 1;
	}
}

static int run_one(const struct bk_oci_hook *h, const char *kind, const char *state)
{
	int in[2], out[2], status = 0;
	char output[512] = "", how[64];
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0)
		return bk_fail_errno(errno, "%s hook %s: pipe", kind, h->path);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return bk_fail_errno(errno, "%s hook %s: pipe", kind, h->path);
	}
	BK_TRACE("%s hook: fork(); execve(\"%s\", ...) with the state on stdin", kind, h->path);
	pid = fork();
	if (pid == 0)
		exec_hook(h, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return bk_fail_errno(errno, "%s hook %s: fork", kind, h->path);
	}
	if (write(in[1], state, strlen(state)) < 0 && errno != EPIPE)
		BK_TRACE("%s hook %s: stdin: %s", kind, h->path, strerror(errno));
	close(in[1]);
	int exited = watch(pid, out[0], h->timeout, output, sizeof(output));
	close(out[0]);
	if (!exited)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	output[strcspn(output, "\n")] = '\0';
	if (!exited)
		return bk_fail("%s hook %s: timed out after %d s", kind, h->path, h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return bk_fail("%s hook %s: %s%s%s", kind, h->path, bk_describe_status(status, how, sizeof(how)),
		       output[0] ? ": " : "", output);
}

int bk_oci_hooks_run(const struct bk_oci_hooks *h, enum bk_oci_hook_kind k, const char *state)
{
	for (size_t i = 0; i < h->n[k]; i++)
		if (run_one(&h->list[k][i], names[k], state) < 0)
			return -1;
	return 0;
}
