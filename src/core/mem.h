/* mem.h: allocation policy, stated once. Small allocations abort the process on
 * failure (there is no sensible recovery); every size that comes from outside is
 * bounded by its caller before it reaches these functions. */
#ifndef POLIS_MEM_H
#define POLIS_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
/* Returns a copy of s that the caller frees; xstrdup(NULL) is NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
