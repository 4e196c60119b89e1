/* analyze.c: the tokenizer behind every full-text index and query in Polis. Snowball
 * stemmers are not thread-safe, so each thread keeps its own, made on first use. */
#include "search/analyze.h"

#include "search/fold.h"

#include <libstemmer.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Words longer than this many bytes are cut before stemming. */
enum { WORD_MAX = 256 };

static const char *const codes[] = {"en", "ru", "sr", "sq", "mk", "hy",
                                    "ar", "fr", "ro", "sk", NULL};
/* Snowball's algorithm per code, NULL where it has none. */
static const char *const algorithms[] = {"english",  "russian", "serbian", NULL,       NULL,
                                         "armenian", "arabic",  "french",  "romanian", NULL};
enum { LANGS = sizeof algorithms / sizeof *algorithms, LANG_EN = 0, LANG_RU = 1, LANG_SR = 2 };

const char *const *search_languages(void)
{
    return codes;
}

static int lang_index(const char *code)
{
    for (int i = 0; code && codes[i]; i++)
        if (strcmp(codes[i], code) == 0) return i;
    return -1;
}

bool search_lang_supported(const char *code)
{
    return lang_index(code) >= 0;
}

bool search_lang_has_stemmer(const char *code)
{
    int i = lang_index(code);
    return i >= 0 && algorithms[i] != NULL;
}

/* ---- per-thread stemmers ----------------------------------------------------------------- */

static pthread_key_t stemmers_key;
static pthread_once_t stemmers_once = PTHREAD_ONCE_INIT;

static void stemmers_free(void *p)
{
    struct sb_stemmer **set = p;
    for (int i = 0; i < LANGS; i++)
        sb_stemmer_delete(set[i]);
    free(set);
}

static void stemmers_key_make(void)
{
    (void)pthread_key_create(&stemmers_key, stemmers_free);
}

/* This thread's stemmer for language index i, or NULL (no algorithm, or out of memory:
 * the word is then indexed unstemmed, which only loses recall). */
static struct sb_stemmer *stemmer_for(int i)
{
    if (!algorithms[i]) return NULL;
    (void)pthread_once(&stemmers_once, stemmers_key_make);
    struct sb_stemmer **set = pthread_getspecific(stemmers_key);
    if (!set) {
        set = calloc(LANGS, sizeof *set);
        if (!set || pthread_setspecific(stemmers_key, set) != 0) {
            free(set);
            return NULL;
        }
    }
    if (!set[i]) set[i] = sb_stemmer_new(algorithms[i], NULL);
    return set[i];
}

void search_thread_release(void)
{
    (void)pthread_once(&stemmers_once, stemmers_key_make);
    struct sb_stemmer **set = pthread_getspecific(stemmers_key);
    if (set) {
        stemmers_free(set);
        (void)pthread_setspecific(stemmers_key, NULL);
    }
}

/* ---- one word ---------------------------------------------------------------------------- */

/* A bounded output for building a word. Appends that do not fit are dropped whole, so the
 * text stays valid UTF-8. */
struct word {
    char b[WORD_MAX + 1];
    size_t n;
    size_t cap;
};

static void word_put(struct word *w, const char *s, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = w->n; /* full: later, shorter pieces must not sneak in after a gap */
        return;
    }
    memcpy(w->b + w->n, s, n);
    w->n += n;
    w->b[w->n] = '\0';
}

static void word_put_cp(struct word *w, uint32_t cp)
{
    char enc[4];
    word_put(w, enc, fold_encode(cp, enc));
}

/* The language a word is analysed in: lang itself, or by script when lang is -1. */
static int word_language(int lang, uint32_t first)
{
    if (lang >= 0) return lang;
    if (first >= 0x400 && first <= 0x52F) return LANG_RU;
    if (first < 0x250) return LANG_EN;
    return -1;
}

/* Lowercases src[0..n) into out, dropping marks; "ё" becomes "е" for Russian, Serbian
 * Cyrillic becomes Latin when transliterate is set. */
static void lowercase(const unsigned char *src, size_t n, int lang, bool transliterate,
                      struct word *out)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += fold_decode(src + i, n - i, &cp);
        if (fold_is_mark(cp)) continue;
        cp = fold_lower(cp);
        if (lang == LANG_RU && cp == 0x451) cp = 0x435;
        const char *latin = transliterate ? fold_serbian_latin(cp) : NULL;
        if (latin)
            word_put(out, latin, strlen(latin));
        else
            word_put_cp(out, cp);
    }
}

/* Strips diacritics from in[0..n) into out (at most SEARCH_TOKEN_MAX bytes). */
static size_t strip_diacritics(const unsigned char *in, size_t n, char *out)
{
    struct word w = {.n = 0, .cap = SEARCH_TOKEN_MAX};
    w.b[0] = '\0';
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += fold_decode(in + i, n - i, &cp);
        const char *base = fold_base(cp);
        if (base)
            word_put(&w, base, strlen(base));
        else
            word_put_cp(&w, cp);
    }
    memcpy(out, w.b, w.n + 1);
    return w.n;
}

/* ---- a memo of recent words ------------------------------------------------------------- */

/* Running text repeats its words (Zipf's law), and stemming is most of the cost of
 * analysing a word: each thread remembers the tokens of the words it analysed last, so
 * indexing a document or marking a snippet stems most words once. Direct-mapped by a hash
 * of the word's bytes, the language asked for and the mode; short words only. */
enum { MEMO_SLOTS = 1024, MEMO_WORD_MAX = 24 };

struct memo_slot {
    signed char lang;   /* as passed to word_token: -1 is "by script" */
    unsigned char mode; /* enum search_mode */
    unsigned char n;    /* bytes of word; 0 = empty slot */
    unsigned char len;  /* bytes of token */
    char word[MEMO_WORD_MAX];
    char token[SEARCH_TOKEN_MAX + 1];
};

static _Thread_local struct memo_slot memo[MEMO_SLOTS];

static struct memo_slot *memo_slot(const unsigned char *src, size_t n, int lang,
                                   enum search_mode mode)
{
    uint32_t h = 2166136261u ^ (uint32_t)(lang + 2) ^ ((uint32_t)mode << 8);
    for (size_t i = 0; i < n; i++)
        h = (h ^ src[i]) * 16777619u;
    return &memo[h % MEMO_SLOTS];
}

static size_t word_token_uncached(const unsigned char *src, size_t n, int lang,
                                  enum search_mode mode, char out[static SEARCH_TOKEN_MAX + 1]);

/* The token of the word src[0..n), which holds only word characters. */
static size_t word_token(const unsigned char *src, size_t n, int lang, enum search_mode mode,
                         char out[static SEARCH_TOKEN_MAX + 1])
{
    if (n == 0 || n > MEMO_WORD_MAX) return word_token_uncached(src, n, lang, mode, out);
    struct memo_slot *m = memo_slot(src, n, lang, mode);
    if (m->n == n && m->lang == lang && m->mode == mode && memcmp(m->word, src, n) == 0) {
        memcpy(out, m->token, (size_t)m->len + 1);
        return m->len;
    }
    size_t len = word_token_uncached(src, n, lang, mode, out);
    m->lang = (signed char)lang;
    m->mode = (unsigned char)mode;
    m->n = (unsigned char)n;
    m->len = (unsigned char)len;
    memcpy(m->word, src, n);
    memcpy(m->token, out, len + 1);
    return len;
}

static size_t word_token_uncached(const unsigned char *src, size_t n, int lang,
                                  enum search_mode mode, char out[static SEARCH_TOKEN_MAX + 1])
{
    uint32_t first;
    (void)fold_decode(src, n, &first);
    lang = word_language(lang, fold_lower(first));
    struct word low = {.n = 0, .cap = WORD_MAX};
    low.b[0] = '\0';
    lowercase(src, n, lang, mode == SEARCH_PREFIX && lang == LANG_SR, &low);
    const unsigned char *text = (const unsigned char *)low.b;
    size_t len = low.n;
    struct sb_stemmer *st = (mode == SEARCH_STEM && lang >= 0) ? stemmer_for(lang) : NULL;
    if (st) {
        const sb_symbol *stem = sb_stemmer_stem(st, text, (int)len);
        if (stem) {
            text = stem;
            len = (size_t)sb_stemmer_length(st);
        }
    }
    return strip_diacritics(text, len, out);
}

/* ---- walking text ------------------------------------------------------------------------ */

int search_tokenize(const char *text, size_t n, const char *lang, enum search_mode mode,
                    search_token_fn fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    int li = lang_index(lang);
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t step = fold_decode(s + i, n - i, &cp);
        if (!fold_is_word_char(cp) || fold_is_mark(cp)) {
            i += step;
            continue;
        }
        size_t start = i, cut = 0;
        while (i < n) {
            step = fold_decode(s + i, n - i, &cp);
            if (!fold_is_word_char(cp)) break;
            i += step;
            if (i - start <= WORD_MAX / 2) cut = i - start;
        }
        char token[SEARCH_TOKEN_MAX + 1];
        size_t len = word_token(s + start, cut, li, mode, token);
        if (len > 0) {
            int rc = fn(ctx, token, len, start, i);
            if (rc != 0) return rc;
        }
    }
    return 0;
}

struct first_token {
    char *out;
    size_t len;
};

static int take_first(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    (void)start;
    (void)end;
    struct first_token *f = ctx;
    memcpy(f->out, token, len + 1);
    f->len = len;
    return 1;
}

size_t search_token(const char *word, size_t n, const char *lang, enum search_mode mode,
                    char out[static SEARCH_TOKEN_MAX + 1])
{
    struct first_token f = {out, 0};
    out[0] = '\0';
    (void)search_tokenize(word, n, lang, mode, take_first, &f);
    return f.len;
}
