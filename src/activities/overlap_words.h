/* overlap_words.h (activities, internal): the title words the overlap check compares: the
 * distinct words of a title (letters and digits, case-folded for Latin and Cyrillic, words
 * of fewer than 3 characters, numbers and common function words left out) and their Jaccard
 * similarity; and how many activities hold a word, kept per version of the registry. */
#ifndef POLIS_ACTIVITIES_OVERLAP_WORDS_H
#define POLIS_ACTIVITIES_OVERLAP_WORDS_H

#include <stdbool.h>
#include <stdint.h>

#define WORDS_MAX  64 /* distinct words kept per title */
#define WORD_BYTES 48 /* a longer word is cut (at a character boundary) */

struct wordset {
    int n;
    char w[WORDS_MAX][WORD_BYTES];
};

/* The distinct kept words of text (NULL: none; at most WORDS_MAX) into ws. */
void overlap_wordset_of(const char *text, struct wordset *ws);

/* |a and b| / |a or b|; 0 when either is empty. */
double overlap_wordset_jaccard(const struct wordset *a, const struct wordset *b);

/* A version of the registry: the head of the audit log (every change to an activity is
 * audited in its own transaction, so the head moves with each, on every server sharing the
 * database, and two databases with the same head hold the same activities). */
struct overlap_version {
    int64_t id;
    char hash[65];
};

/* The count of activities holding token (a full-text index term) kept at version v:
 * true and *docs when there is one. Thread-safe. */
bool overlap_docs_cached(const struct overlap_version *v, const char *token, int64_t *docs);

/* Keeps docs as the count of token at version v (read at v or later), replacing what its
 * slot held. Thread-safe. */
void overlap_docs_keep(const struct overlap_version *v, const char *token, int64_t docs);

#endif
