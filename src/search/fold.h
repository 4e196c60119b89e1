/* fold.h: the character-level half of text analysis: UTF-8 decoding, lowercase, removal of
 * diacritics and Serbian Cyrillic-to-Latin transliteration. Pure functions, no allocation;
 * the tokenizer, the query parser and the snippet builder all fold the same way. */
#ifndef POLIS_SEARCH_FOLD_H
#define POLIS_SEARCH_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s[0..n) (n > 0) into *cp and returns its length in bytes. A
 * malformed sequence decodes as U+FFFD and consumes one byte, so scanning always advances. */
size_t fold_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Encodes cp as UTF-8 into out (4 bytes room); returns the length. */
size_t fold_encode(uint32_t cp, char out[static 4]);

/* True for code points that belong inside a word: letters and digits of the scripts Polis
 * indexes, and combining marks (which folding then drops). */
bool fold_is_word_char(uint32_t cp);

/* True for combining diacritical marks, which folding removes. */
bool fold_is_mark(uint32_t cp);

/* Lowercase of cp for Latin, Greek, Cyrillic and Armenian; other code points unchanged. */
uint32_t fold_lower(uint32_t cp);

/* The base letters of a lowercase Latin letter with a diacritic ("č" -> "c", "ß" -> "ss",
 * "đ" -> "dj"), or NULL when cp has none; Greek tonos and Cyrillic "ё" fold as well. */
const char *fold_base(uint32_t cp);

/* The Latin spelling of a lowercase Serbian Cyrillic letter ("љ" -> "lj", "ч" -> "č"), or
 * NULL when cp is not one. */
const char *fold_serbian_latin(uint32_t cp);

#endif
