/* vocab.h (library benchmark): the word lists of one language, NULL-terminated. */
#ifndef POLIS_BENCH_VOCAB_H
#define POLIS_BENCH_VOCAB_H

struct vocab {
    const char *const *function; /* the, of, and … */
    const char *const *lemmas;   /* "police policing policed" — forms of one lemma */
    const char *const *phrases;  /* collocations, inserted whole */
};

extern const struct vocab vocab_en, vocab_ru;

#endif
