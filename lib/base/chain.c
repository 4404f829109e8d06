/* chain: exec of the chained command and exit-status mapping (chain.h). */
#include "base/chain.h"
#include "base/msg.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int bk_exec_command(char *const argv[])
{
	BK_TRACE("execvp(\"%s\", ...)", argv[0]);
	execvp(argv[0], argv);
	int err = errno;
	bk_fail_errno(err, "%s", argv[0]);
	return err == ENOENT ? BK_EXIT_NOT_FOUND : BK_EXIT_CANNOT_EXEC;
}

int bk_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return BK_EXIT_FAILED;
}

const char *bk_describe_status(int wstatus, char *buf, unsigned len)
{
	if (WIFEXITED(wstatus))
		snprintf(buf, len, "exited %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, len, "killed by SIG%s", sigabbrev_np(WTERMSIG(wstatus))
			 ? sigabbrev_np(WTERMSIG(wstatus)) : "?");
	else
		snprintf(buf, len, "status 0x%x", wstatus);
	return buf;
}
