/* search_cache.c (library): the in-process cache of finished search results. A hash table
 * of entries on a least-recently-used list, all valid for one library version; one mutex,
 * held only to look up and copy, insert or evict (never while a search runs). */
#include "library/search_cache.h"

#include "core/config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { BUCKETS = 4096 }; /* a power of two */

/* An entry owns its key and body (one allocation after the struct). */
struct entry {
    struct entry *chain;         /* next in the bucket */
    struct entry *newer, *older; /* the LRU list */
    uint64_t hash;
    size_t key_len, body_len;
    char data[]; /* key, then body */
};

static struct {
    pthread_mutex_t lock;
    bool configured;
    size_t max_entries, max_bytes;
    int64_t version;
    struct entry *buckets[BUCKETS];
    struct entry *newest, *oldest;
    size_t entries, bytes;
    uint64_t hits, misses, evictions, flushes;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t hash_of(const char *key, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t entry_bytes(const struct entry *e)
{
    return sizeof *e + e->key_len + e->body_len;
}

static void lru_unlink(struct entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        cache.newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        cache.oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push_newest(struct entry *e)
{
    e->older = cache.newest;
    e->newer = NULL;
    if (cache.newest) cache.newest->newer = e;
    cache.newest = e;
    if (!cache.oldest) cache.oldest = e;
}

/* The bucket slot that points at the entry for key (or at the NULL ending its chain). */
static struct entry **slot_of(uint64_t hash, const char *key, size_t key_len)
{
    struct entry **at = &cache.buckets[hash & (BUCKETS - 1)];
    while (*at && !((*at)->hash == hash && (*at)->key_len == key_len &&
                    memcmp((*at)->data, key, key_len) == 0))
        at = &(*at)->chain;
    return at;
}

static void remove_entry(struct entry *e)
{
    struct entry **at = slot_of(e->hash, e->data, e->key_len);
    *at = e->chain;
    lru_unlink(e);
    cache.entries--;
    cache.bytes -= entry_bytes(e);
    free(e);
}

static void flush_locked(void)
{
    while (cache.oldest)
        remove_entry(cache.oldest);
}

static void configure_locked(size_t max_entries, size_t max_bytes)
{
    flush_locked();
    cache.max_entries = max_entries;
    cache.max_bytes = max_bytes;
    cache.configured = true;
}

static void ensure_configured_locked(void)
{
    if (cache.configured) return;
    const struct polis_config *cfg = config_get();
    configure_locked(cfg->search_cache_max, cfg->search_cache_bytes);
}

void search_cache_configure(size_t max_entries, size_t max_bytes)
{
    pthread_mutex_lock(&cache.lock);
    configure_locked(max_entries, max_bytes);
    pthread_mutex_unlock(&cache.lock);
}

bool search_cache_get(int64_t version, const char *key, size_t key_len, char **body, size_t *len)
{
    *body = NULL;
    *len = 0;
    pthread_mutex_lock(&cache.lock);
    ensure_configured_locked();
    if (version != cache.version) {
        if (cache.entries) cache.flushes++;
        flush_locked();
        cache.version = version;
    }
    struct entry *e = cache.max_entries ? *slot_of(hash_of(key, key_len), key, key_len) : NULL;
    if (e) {
        *body = malloc(e->body_len + 1);
        if (!*body) abort();
        memcpy(*body, e->data + e->key_len, e->body_len);
        (*body)[e->body_len] = '\0';
        *len = e->body_len;
        lru_unlink(e);
        lru_push_newest(e);
        cache.hits++;
    } else {
        cache.misses++;
    }
    pthread_mutex_unlock(&cache.lock);
    return e != NULL;
}

void search_cache_put(int64_t version, const char *key, size_t key_len, const char *body,
                      size_t len)
{
    pthread_mutex_lock(&cache.lock);
    ensure_configured_locked();
    if (version > cache.version) {
        if (cache.entries) cache.flushes++;
        flush_locked();
        cache.version = version;
    }
    size_t need = sizeof(struct entry) + key_len + len;
    if (version < cache.version || cache.max_entries == 0 || need > cache.max_bytes) goto done;
    uint64_t hash = hash_of(key, key_len);
    struct entry *old = *slot_of(hash, key, key_len);
    if (old) remove_entry(old); /* two threads computed the same result */
    while (cache.oldest &&
           (cache.entries + 1 > cache.max_entries || cache.bytes + need > cache.max_bytes)) {
        remove_entry(cache.oldest);
        cache.evictions++;
    }
    struct entry *e = malloc(need);
    if (!e) abort();
    *e = (struct entry){.hash = hash, .key_len = key_len, .body_len = len};
    memcpy(e->data, key, key_len);
    memcpy(e->data + key_len, body, len);
    struct entry **at = slot_of(hash, key, key_len);
    *at = e;
    lru_push_newest(e);
    cache.entries++;
    cache.bytes += need;
done:
    pthread_mutex_unlock(&cache.lock);
}

void search_cache_stats(struct search_cache_stats *out)
{
    pthread_mutex_lock(&cache.lock);
    ensure_configured_locked();
    *out = (struct search_cache_stats){
        .entries = cache.entries,
        .bytes = cache.bytes,
        .max_entries = cache.max_entries,
        .max_bytes = cache.max_bytes,
        .hits = cache.hits,
        .misses = cache.misses,
        .evictions = cache.evictions,
        .flushes = cache.flushes,
    };
    pthread_mutex_unlock(&cache.lock);
}
