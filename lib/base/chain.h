/* chain: exec the chained COMMAND ("PROG [opts] -- COMMAND...") and turn
 * wait statuses into exit codes, with the coreutils env/chroot convention:
 * the command's status, 128+N for signal N, 125 when the tool itself
 * failed, 126 command not executable, 127 command not found. */
#ifndef BK_CHAIN_H
#define BK_CHAIN_H

enum {
	BK_EXIT_FAILED = 125,
	BK_EXIT_CANNOT_EXEC = 126,
	BK_EXIT_NOT_FOUND = 127,
};

/* execvp(argv[0], argv). Returns only on failure: records
 * "COMMAND: why" and returns 126 or 127, the status to exit with. */
int bk_exec_command(char *const argv[]);

/* Exit code for a wait(2) status: WEXITSTATUS or 128+signal. */
int bk_exit_code(int wstatus);

/* Describe a wait(2) status for traces: "exited 3" / "killed by SIGKILL". */
const char *bk_describe_status(int wstatus, char *buf, unsigned len);

#endif
