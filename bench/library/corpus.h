/* corpus.h (library benchmark): a deterministic synthetic library. Document i is the same
 * on every run: English when i is even, Russian when odd, about 3 KB of body text whose
 * words follow Zipf's law over real policing vocabulary (vocab.c) in several forms, with
 * collocations and a long tail of proper names. */
#ifndef POLIS_BENCH_CORPUS_H
#define POLIS_BENCH_CORPUS_H

#include "core/buf.h"

#include <stddef.h>
#include <stdint.h>

typedef struct corpus corpus;

/* Builds the samplers; corpus_free releases them. Aborts when out of memory. */
corpus *corpus_new(void);
void corpus_free(corpus *c);

struct corpus_doc {
    const char *lang;    /* "en" or "ru" */
    int year;            /* 1995..2025 */
    int series;          /* index into corpus_series, 0 = none */
    unsigned priorities; /* bit i: the i-th priority code the loader knows */
    buf title, abstract, body;
};

extern const char *const corpus_series[]; /* NULL-terminated; [0] is "" */

/* Fills d (its bufs are reset, not freed: reuse d for the next document and buf_free the
 * three at the end) with document index. body_bytes is the target size of the body. */
void corpus_document(const corpus *c, uint64_t index, size_t body_bytes, struct corpus_doc *d);

/* Query words. frequency class: 0 rare (a proper name of the tail, in a handful of
 * documents), 1 medium (a lemma of middle rank), 2 common (one of the top content lemmas).
 * pick selects among the candidates of the class. Returns a word form (static). */
const char *corpus_query_word(const corpus *c, int ru, int frequency, unsigned pick, char *scratch,
                              size_t scratch_size);

/* A collocation of the language (static), pick modulo their count. */
const char *corpus_query_phrase(int ru, unsigned pick);

#endif
