/* array: ARRAY_SIZE, the number of elements of an array. Given a pointer
 * instead of an array it does not compile (the classic sizeof mistake). */
#ifndef BK_ARRAY_H
#define BK_ARRAY_H

/* 0, or a compile error when a is a pointer, not an array. */
#define BK_MUST_BE_ARRAY(a) \
	(0 * sizeof(char[1 - 2 * __builtin_types_compatible_p(__typeof__(a), __typeof__(&(a)[0]))]))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]) + BK_MUST_BE_ARRAY(a))

#endif
