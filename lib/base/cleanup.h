/* cleanup: __attribute__((cleanup)) helpers so every early return releases
 * what the function holds (fds, memory, FILE*, DIR*) without goto ladders. */
#ifndef BK_CLEANUP_H
#define BK_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void bk_freep(void *p)
{
	free(*(void **)p);
}

static inline void bk_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void bk_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void bk_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Free a NULL-terminated array of strings and the array itself. */
static inline void bk_strvfreep(char ***v)
{
	if (*v) {
		for (char **s = *v; *s; s++)
			free(*s);
		free(*v);
	}
}

#define _cleanup_free_ __attribute__((cleanup(bk_freep)))
#define _cleanup_close_ __attribute__((cleanup(bk_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(bk_fclosep)))
#define _cleanup_closedir_ __attribute__((cleanup(bk_closedirp)))
#define _cleanup_strv_ __attribute__((cleanup(bk_strvfreep)))

/* Hand ownership out of a cleanup variable: return it and disarm. */
#define bk_steal_ptr(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define bk_steal_fd(fd) ({ int _t = (fd); (fd) = -1; _t; })

#endif
