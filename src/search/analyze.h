/* analyze.h: words into index tokens. A word is lowercased, stemmed with Snowball's
 * stemmer for its language, then stripped of diacritics, so "trafficked" and "Trafficking"
 * both become "traffick" and "полиции" becomes "полиц". Serbian is stemmed in Latin script,
 * so Cyrillic and Latin spellings meet. The same function serves the index and the query. */
#ifndef POLIS_SEARCH_ANALYZE_H
#define POLIS_SEARCH_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>

/* Longest token in bytes; longer words are cut at a character boundary. */
enum { SEARCH_TOKEN_MAX = 64 };

enum search_mode {
    SEARCH_STEM,  /* index and query terms: stem in the language, then fold */
    SEARCH_PREFIX /* prefix queries: fold only (Serbian also transliterated), never stem */
};

/* The languages of the library: en ru sr sq mk hy ar fr ro sk, NULL-terminated. */
const char *const *search_languages(void);
bool search_lang_supported(const char *code);
/* True when Snowball has a stemmer for code (sq, mk and sk are folded only). */
bool search_lang_has_stemmer(const char *code);

/* Called once per word: the final token (NUL-terminated, at most SEARCH_TOKEN_MAX bytes)
 * and the word's byte range in the source text. A non-zero return stops the walk and is
 * returned by search_tokenize. */
typedef int (*search_token_fn)(void *ctx, const char *token, size_t len, size_t start, size_t end);

/* Walks the words of text[0..n) (any bytes; malformed UTF-8 separates words) and calls fn
 * with each token. lang is a code from search_languages(), or NULL for "by script": Latin
 * words as English, Cyrillic as Russian. Returns 0 or fn's non-zero value. */
int search_tokenize(const char *text, size_t n, const char *lang, enum search_mode mode,
                    search_token_fn fn, void *ctx);

/* The token of one word (the first word of word[0..n)) into out; returns its length, 0
 * when word has no word characters. */
size_t search_token(const char *word, size_t n, const char *lang, enum search_mode mode,
                    char out[static SEARCH_TOKEN_MAX + 1]);

/* Frees this thread's stemmers (they are made on first use, one set per thread, and are
 * also freed when the thread exits). */
void search_thread_release(void);

#endif
