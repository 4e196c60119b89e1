/* query.h: what a person types into a search box, parsed and rebuilt. User text is never
 * handed to the engine as syntax: words, "phrases", prefix*, AND / OR / NOT and
 * parentheses are parsed into a tree, each word is analysed in every language searched, and
 * the engine's expression is written from the tree with every token quoted. */
#ifndef POLIS_SEARCH_QUERY_H
#define POLIS_SEARCH_QUERY_H

#include "core/buf.h"
#include "core/err.h"
#include "search/analyze.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    SEARCH_QUERY_MAX_BYTES = 512, /* longer queries are refused */
    SEARCH_QUERY_MAX_TERMS = 16,  /* words, phrases and prefixes together */
    SEARCH_QUERY_MAX_DEPTH = 8,   /* nested parentheses */
    SEARCH_PHRASE_MAX_WORDS = 8
};

typedef struct search_query search_query;

/* Parses q. On a malformed query returns P_EINVAL with err on field "q" and a message that
 * says what is wrong and where; *out is then NULL. *out is freed with search_query_free. */
MUST_CHECK int search_query_parse(const char *q, search_query **out, p_error *err);
void search_query_free(search_query *q);

/* Appends the FTS5 MATCH expression that finds q in text indexed in any of langs (a
 * NULL-terminated list of codes; NULL means every library language). */
void search_query_fts5(const search_query *q, const char *const *langs, buf *out);

/* Appends the same query as a PostgreSQL tsquery (the text of CAST(? AS tsquery)), every
 * token a quoted lexeme: phrases as <->, prefixes as :*, A NOT B as A & !B. It matches
 * a tsvector of the same tokens, which the PostgreSQL schema builds with Snowball
 * configurations that keep every word (no stop words), as the polis tokenizer does. */
void search_query_tsquery(const search_query *q, const char *const *langs, buf *out);

/* Appends an FTS5 expression that matches any of tokens[0..n), which are already analysed
 * (from search_tokenize): used by "more like this". */
void search_fts5_any(const char *const *tokens, size_t n, buf *out);
/* The same as a PostgreSQL tsquery: 'a' | 'b' | ... */
void search_tsquery_any(const char *const *tokens, size_t n, buf *out);

/* The tokens a document in lang matches: every word of q's positive part (not under NOT)
 * analysed in lang, and its prefixes. Used to highlight snippets. */
struct search_terms {
    char words[SEARCH_QUERY_MAX_TERMS * SEARCH_PHRASE_MAX_WORDS][SEARCH_TOKEN_MAX + 1];
    size_t n_words;
    char prefixes[2 * SEARCH_QUERY_MAX_TERMS][SEARCH_TOKEN_MAX + 1]; /* as typed, stemmed */
    size_t n_prefixes;
};
void search_query_terms(const search_query *q, const char *lang, struct search_terms *out);

/* True when token (from search_tokenize in the same language) is one of terms. */
bool search_terms_match(const struct search_terms *t, const char *token, size_t len);

/* The query's words joined by spaces, for logs and "you searched for". Owned by q. */
const char *search_query_text(const search_query *q);

#endif
