/*
 * Arrays that grow by doubling: the one helper for the tool's many
 * "append, reallocating as needed" tables.
 */
#ifndef LOT_LIB_GROW_H
#define LOT_LIB_GROW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* *v holds *cap elements of size bytes: make room for element n (index n,
 * so n + 1 elements), doubling from 16.  false when out of memory (or the
 * size would overflow); *v and *cap are then unchanged. */
static inline bool lot_grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t c = *cap ? *cap : 16;
	while (c <= n) {
		if (c > SIZE_MAX / 2 / size)
			return false;
		c *= 2;
	}
	void *p = realloc(*v, c * size);
	if (!p)
		return false;
	*v = p;
	*cap = c;
	return true;
}

#endif
