/* snippet.h: the highlighted passage shown under a search result. The passage is chosen and
 * escaped here, in C, from the stored text, so both engines show the same snippet and the
 * only markup in it is <mark>. */
#ifndef POLIS_SEARCH_SNIPPET_H
#define POLIS_SEARCH_SNIPPET_H

#include "core/buf.h"
#include "search/query.h"

#include <stddef.h>

/* Appends to out, as escaped HTML, the passage of at most max_words words of text[0..n)
 * (analysed in lang) that holds the most words matching terms, each match wrapped in
 * <mark>…</mark>, with "…" where the text was cut. Whitespace runs become one space;
 * malformed UTF-8 becomes U+FFFD. Returns how many matching words the passage holds. */
size_t search_snippet(const char *text, size_t n, const char *lang,
                      const struct search_terms *terms, size_t max_words, buf *out);

#endif
