/* procself: what this process leaves visible to the untrusted processes
 * beside it. nsrun's init (PID 1 of a container) and the moment between
 * fork and exec run the host's nsrun binary among container processes, so:
 * no inherited file descriptor reaches them or the command; they are made
 * non-dumpable (then /proc/PID/exe, environ, fd, cwd, root and mem need
 * CAP_SYS_PTRACE, which a container does not get); and the cmdline and
 * environ areas the kernel shows in /proc/PID are rewritten in place with
 * container values. */
#ifndef BK_PROCSELF_H
#define BK_PROCSELF_H

/* Fail unless fds 3 .. 3+n-1 are all open (--preserve-fds N). */
int bk_fds_check_open(unsigned n);
/* close_range(first, ~0, CLOSE_RANGE_CLOEXEC): none of them survives exec. */
int bk_fds_cloexec_from(unsigned first);
/* close_range(first, ~0, 0). */
int bk_fds_close_from(unsigned first);

/* prctl(PR_SET_DUMPABLE, 0); execve of the command resets it. */
int bk_set_undumpable(void);

/* Rewrite /proc/self/cmdline with argv and /proc/self/environ with envp,
 * each truncated to the area the kernel set up at exec and NUL padded. */
int bk_proc_retitle(char *const argv[], char *const envp[]);
/* What a container's PID 1 shows while it is the runtime's binary:
 * "init -- COMMAND..." and the current (the container's) environment. */
int bk_proc_retitle_init(char *const command[]);

#endif
