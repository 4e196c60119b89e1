/* overlap_words.h (activities, internal): the title words the overlap check compares: the
 * distinct words of a title (letters and digits, case-folded for Latin and Cyrillic, words
 * of fewer than 3 characters, numbers and common function words left out) and their Jaccard
 * similarity. */
#ifndef POLIS_ACTIVITIES_OVERLAP_WORDS_H
#define POLIS_ACTIVITIES_OVERLAP_WORDS_H

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

#endif
