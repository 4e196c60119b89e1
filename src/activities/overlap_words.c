/* overlap_words.c (activities): the title words of the overlap check (overlap_words.h):
 * splitting, case folding, the function words left out, and the similarity of two titles,
 * which the check computes for every candidate it scores; and the process's table of how
 * many activities hold a word, so a check asks the full-text index only about new words. */
#include "activities/overlap.h"
#include "activities/overlap_words.h"
#include "core/mem.h"

#include "search/analyze.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define WORD_CHARS_MIN 3 /* shorter words say little about a subject */

/* Bytes that make up words: the same rule as the ?q= search (letters, digits, and every
 * byte of a non-ASCII character). */
static bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* Copies the word p[0..n) into out case-folded (ASCII and the Russian alphabet), cut at a
 * character boundary to fit; returns the number of characters kept. */
static int fold_word(const unsigned char *p, size_t n, char out[static WORD_BYTES])
{
    size_t o = 0;
    int chars = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (i + len > n) len = n - i;
        if (o + len >= WORD_BYTES) break;
        memcpy(out + o, p + i, len);
        if (len == 1 && c >= 'A' && c <= 'Z') {
            out[o] = (char)(c + ('a' - 'A'));
        } else if (len == 2 && c == 0xD0) {
            unsigned char d = p[i + 1];
            if (d >= 0x90 && d <= 0x9F) { /* А..П -> а..п */
                out[o + 1] = (char)(d + 0x20);
            } else if (d >= 0xA0 && d <= 0xAF) { /* Р..Я -> р..я */
                out[o] = (char)0xD1;
                out[o + 1] = (char)(d - 0x20);
            } else if (d == 0x81) { /* Ё -> ё */
                out[o] = (char)0xD1;
                out[o + 1] = (char)0x91;
            }
        }
        o += len;
        i += len;
        chars++;
    }
    out[o] = '\0';
    return chars;
}

/* Function words of English and Russian that survive the length rule, in byte order (for
 * bsearch: every title word of every candidate is looked up). */
static const char *const stopwords[] = {
    "about", "all",     "among", "and", "are",   "between", "for",  "from",   "has",
    "have",  "into",    "its",   "not", "other", "per",     "that", "the",    "their",
    "this",  "through", "under", "via", "was",   "were",    "with", "within", "без",
    "всех",  "для",     "его",   "или", "как",   "между",   "над",  "они",    "под",
    "при",   "также",   "через", "что", "это"};

static int by_cstring(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool keep_word(const char *w, int chars)
{
    if (chars < WORD_CHARS_MIN) return false;
    bool number = true;
    for (const char *c = w; *c; c++)
        if (*c < '0' || *c > '9') number = false;
    if (number) return false;
    return !bsearch(&w, stopwords, sizeof stopwords / sizeof stopwords[0], sizeof stopwords[0],
                    by_cstring);
}

static bool wordset_has(const struct wordset *ws, const char *w)
{
    for (int i = 0; i < ws->n; i++)
        if (strcmp(ws->w[i], w) == 0) return true;
    return false;
}

void overlap_wordset_of(const char *text, struct wordset *ws)
{
    ws->n = 0;
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    while (*p && ws->n < WORDS_MAX) {
        if (!word_byte(*p)) {
            p++;
            continue;
        }
        const unsigned char *start = p;
        while (*p && word_byte(*p))
            p++;
        char w[WORD_BYTES];
        int chars = fold_word(start, (size_t)(p - start), w);
        if (keep_word(w, chars) && !wordset_has(ws, w)) memcpy(ws->w[ws->n++], w, WORD_BYTES);
    }
}

double overlap_wordset_jaccard(const struct wordset *a, const struct wordset *b)
{
    if (a->n == 0 || b->n == 0) return 0.0;
    int shared = 0;
    for (int i = 0; i < a->n; i++)
        if (wordset_has(b, a->w[i])) shared++;
    return (double)shared / (double)(a->n + b->n - shared);
}

double overlap_title_similarity(const char *a, const char *b)
{
    struct wordset *wa = xmalloc(sizeof *wa), *wb = xmalloc(sizeof *wb);
    overlap_wordset_of(a, wa);
    overlap_wordset_of(b, wb);
    double j = overlap_wordset_jaccard(wa, wb);
    free(wa);
    free(wb);
    return j;
}

/* ---- word counts ------------------------------------------------------------------------- */

/* Direct-mapped by the token's hash: a registry's titles use a few thousand words, and a
 * word pushed out is counted again by the next check that needs it. */
#define DOCS_SLOTS 4096

static pthread_mutex_t docs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    struct overlap_version at;
    char token[SEARCH_TOKEN_MAX + 1]; /* "" for an empty slot */
    int64_t docs;
} docs_slots[DOCS_SLOTS];

static size_t docs_slot(const char *token)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)token; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % DOCS_SLOTS;
}

static bool same_version(const struct overlap_version *a, const struct overlap_version *b)
{
    return a->id == b->id && strcmp(a->hash, b->hash) == 0;
}

bool overlap_docs_cached(const struct overlap_version *v, const char *token, int64_t *docs)
{
    size_t i = docs_slot(token);
    pthread_mutex_lock(&docs_lock);
    bool hit = same_version(&docs_slots[i].at, v) && strcmp(docs_slots[i].token, token) == 0;
    if (hit) *docs = docs_slots[i].docs;
    pthread_mutex_unlock(&docs_lock);
    return hit;
}

void overlap_docs_keep(const struct overlap_version *v, const char *token, int64_t docs)
{
    if (strlen(token) > SEARCH_TOKEN_MAX || !*token) return;
    size_t i = docs_slot(token);
    pthread_mutex_lock(&docs_lock);
    docs_slots[i].at = *v;
    memcpy(docs_slots[i].token, token, strlen(token) + 1);
    docs_slots[i].docs = docs;
    pthread_mutex_unlock(&docs_lock);
}
