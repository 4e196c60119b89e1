/* status_cache.c (community): the citizens' views by tracking code, kept per process and
 * valid for one version of the data (status_cache.h). Set-associative: a code's hash picks
 * a set of a few entries and the least recently used of them makes room, so a lookup and a
 * replacement touch a handful of slots under one mutex. */
#include "community/status_cache.h"

#include "core/mem.h"
#include "core/text.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum { WAYS = 4, CODE_MAX = 16 };

struct entry {
    char code[CODE_MAX]; /* "" when the slot is empty */
    char *body;          /* owned */
    size_t len;
    uint64_t used; /* the clock at the last use: the least recently used of a set goes */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static bool configured;
static struct entry *slots; /* sets * ways */
static size_t sets, ways, max_entries, max_bytes, entries, bytes;
static uint64_t clock_now, hits, misses, evictions, flushes;
static struct status_cache_version current; /* id 0 and "": none yet */

static void drop(struct entry *e)
{
    if (!e->code[0]) return;
    free(e->body);
    bytes -= e->len;
    entries--;
    *e = (struct entry){0};
}

static void flush_locked(void)
{
    for (size_t i = 0; i < sets * ways; i++)
        drop(&slots[i]);
}

static void configure_locked(size_t n, size_t b)
{
    if (slots) flush_locked();
    free(slots);
    slots = NULL;
    max_entries = n;
    max_bytes = b;
    ways = n < WAYS ? n : WAYS;
    sets = ways ? n / ways : 0;
    if (sets) slots = xcalloc(sets * ways, sizeof *slots);
    current = (struct status_cache_version){0};
    configured = true;
}

static size_t env_size(const char *name, int64_t fallback, int64_t max)
{
    const char *v = getenv(name);
    int64_t n = fallback;
    if (v && *v && !text_parse_int64(v, 0, max, &n)) n = fallback;
    return (size_t)n;
}

/* Takes the bounds from the environment on first use. Called with the lock held. */
static void ensure_configured(void)
{
    if (!configured)
        configure_locked(env_size("POLIS_STATUS_CACHE_ENTRIES", 4096, 1 << 20),
                         env_size("POLIS_STATUS_CACHE_MB", 16, 4096) << 20);
}

void status_cache_configure(size_t n, size_t b)
{
    pthread_mutex_lock(&lock);
    configure_locked(n, b);
    pthread_mutex_unlock(&lock);
}

bool status_cache_enabled(void)
{
    pthread_mutex_lock(&lock);
    ensure_configured();
    bool on = sets > 0;
    pthread_mutex_unlock(&lock);
    return on;
}

static bool same_version(const struct status_cache_version *a, const struct status_cache_version *b)
{
    return a->id == b->id && strcmp(a->hash, b->hash) == 0;
}

/* Brings the cache to v when v is newer (emptying it) and tells whether it is at v now. A
 * head of the same id with another hash counts as newer: the old one was removed. */
static bool at_version(const struct status_cache_version *v)
{
    if (same_version(v, &current)) return true;
    if (v->id < current.id) return false;
    if (entries) flushes++;
    flush_locked();
    current = *v;
    return true;
}

static struct entry *set_of(const char *code)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return &slots[(h % sets) * ways];
}

bool status_cache_get(const struct status_cache_version *v, const char *code,
                      char body[static STATUS_CACHE_BODY_MAX], size_t *len)
{
    bool hit = false;
    *len = 0;
    if (strlen(code) >= CODE_MAX) return false;
    pthread_mutex_lock(&lock);
    ensure_configured();
    if (sets && at_version(v)) {
        struct entry *set = set_of(code);
        for (size_t i = 0; i < ways && !hit; i++)
            if (set[i].code[0] && strcmp(set[i].code, code) == 0) {
                memcpy(body, set[i].body, set[i].len);
                *len = set[i].len;
                set[i].used = ++clock_now;
                hit = true;
            }
    }
    if (hit)
        hits++;
    else
        misses++;
    pthread_mutex_unlock(&lock);
    return hit;
}

void status_cache_put(const struct status_cache_version *v, const char *code, const char *body,
                      size_t len)
{
    if (len > STATUS_CACHE_BODY_MAX || strlen(code) >= CODE_MAX || !*code) return;
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, body, len);
    pthread_mutex_lock(&lock);
    ensure_configured();
    if (sets && at_version(v) && len <= max_bytes) {
        struct entry *set = set_of(code), *slot = NULL;
        for (size_t i = 0; i < ways && !slot; i++)
            if (strcmp(set[i].code, code) == 0) slot = &set[i];
        if (slot) drop(slot); /* another thread's read of the same view: keep the latest */
        /* Room: an empty way, else the least recently used; then, while over the byte
         * bound, the set's other entries from the least recently used. */
        for (size_t i = 0; i < ways && !slot; i++)
            if (!set[i].code[0]) slot = &set[i];
        if (!slot) {
            slot = &set[0];
            for (size_t i = 1; i < ways; i++)
                if (set[i].used < slot->used) slot = &set[i];
            drop(slot);
            evictions++;
        }
        while (bytes + len > max_bytes) {
            struct entry *old = NULL;
            for (size_t i = 0; i < ways; i++)
                if (set[i].code[0] && (!old || set[i].used < old->used)) old = &set[i];
            if (!old) break;
            drop(old);
            evictions++;
        }
        if (bytes + len <= max_bytes) {
            memcpy(slot->code, code, strlen(code) + 1);
            slot->body = copy;
            slot->len = len;
            slot->used = ++clock_now;
            bytes += len;
            entries++;
            copy = NULL;
        }
    }
    pthread_mutex_unlock(&lock);
    free(copy);
}

void status_cache_stats(struct status_cache_stats *out)
{
    pthread_mutex_lock(&lock);
    ensure_configured();
    *out = (struct status_cache_stats){entries, bytes,  max_entries, max_bytes,
                                       hits,    misses, evictions,   flushes};
    pthread_mutex_unlock(&lock);
}
