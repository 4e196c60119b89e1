/* status_cache.h (community): the citizens' view of a concern by tracking code, serialized,
 * kept in this process's memory while the audit trail's head stays where it was when the
 * view was read. Bounded in entries and bytes; thread-safe. */
#ifndef POLIS_COMMUNITY_STATUS_CACHE_H
#define POLIS_COMMUNITY_STATUS_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A version of the data: the audit trail's newest entry (audit_head()). Every change to a
 * concern, to its events or to a service is audited in the change's own transaction, on
 * whichever server makes it, so every server sharing the database sees the head move with
 * it. The hash tells apart two heads of the same id (newest entries removed, then new ones
 * appended). */
struct status_cache_version {
    int64_t id;
    char hash[65];
};

/* Views larger than this are served but not kept (a concern with many long public notes). */
enum { STATUS_CACHE_BODY_MAX = 8192 };

/* Sets the bounds and empties the cache; max_entries 0 turns it off. Without a call, the
 * first use takes max_entries from POLIS_STATUS_CACHE_ENTRIES (default 4096) and max_bytes
 * from POLIS_STATUS_CACHE_MB (default 16 MiB). */
void status_cache_configure(size_t max_entries, size_t max_bytes);

/* False when the cache is off (so the caller need not read a version). */
bool status_cache_enabled(void);

/* Copies the view kept for code at version v into body (STATUS_CACHE_BODY_MAX bytes) and
 * its length into *len; false on a miss. A version other than the cache's empties the cache
 * when it is newer than the cache's (everything kept was read at an older state) and is a
 * miss when it is older. */
bool status_cache_get(const struct status_cache_version *v, const char *code,
                      char body[static STATUS_CACHE_BODY_MAX], size_t *len);

/* Keeps a copy of body as the view of code read at version v (read after v was: a view
 * may be newer than its version, never older). A view for an older version than the
 * cache's is not kept; one for a newer version empties the cache first. When the bounds
 * are reached, the least recently used entry of code's set makes room. */
void status_cache_put(const struct status_cache_version *v, const char *code, const char *body,
                      size_t len);

struct status_cache_stats {
    size_t entries, bytes;            /* now */
    size_t max_entries, max_bytes;    /* the bounds */
    uint64_t hits, misses, evictions; /* since the start */
    uint64_t flushes;                 /* times a new version emptied it */
};
void status_cache_stats(struct status_cache_stats *out);

#endif
