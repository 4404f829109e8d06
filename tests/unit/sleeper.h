/* sleeper.h: what test_cgfreeze.c and test_cgprocs.c both need, a child
 * that sleeps in pause() until it is signalled. */
#ifndef BK_SLEEPER_H
#define BK_SLEEPER_H

#include <sys/types.h>
#include <unistd.h>

static inline pid_t sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

#endif
