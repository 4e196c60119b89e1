/* search_cache.h (library): finished search results kept in this process's memory, each
 * valid for one library version (library_version(): a counter in the database that every
 * change to the library bumps in its own transaction). Bounded in entries and bytes;
 * thread-safe. */
#ifndef POLIS_LIBRARY_SEARCH_CACHE_H
#define POLIS_LIBRARY_SEARCH_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sets the bounds (max_entries 0 turns the cache off) and empties the cache. Without a
 * call, the first use takes them from POLIS_SEARCH_CACHE_ENTRIES and POLIS_SEARCH_CACHE_MB
 * (core/config.h). */
void search_cache_configure(size_t max_entries, size_t max_bytes);

/* The body cached under key for version into *body (a copy the caller frees) and *len;
 * false on a miss. A version other than the cache's empties the cache first: whatever it
 * held was computed for another state of the library. */
bool search_cache_get(int64_t version, const char *key, size_t key_len, char **body, size_t *len);

/* Keeps a copy of body under key for version, dropping the least recently used entries
 * while a bound is exceeded. A result computed for an older version than the cache's is
 * not kept; one for a newer version empties the cache first. */
void search_cache_put(int64_t version, const char *key, size_t key_len, const char *body,
                      size_t len);

struct search_cache_stats {
    size_t entries, bytes;            /* now */
    size_t max_entries, max_bytes;    /* the bounds */
    uint64_t hits, misses, evictions; /* since the start */
    uint64_t flushes;                 /* times a new version emptied it */
};
void search_cache_stats(struct search_cache_stats *out);

#endif
