/* fts5_polis.c: the glue between FTS5's tokenizer interface and search_tokenize. Documents
 * are stemmed in their language; queries arrive already analysed by search/query.c, so at
 * query time the tokenizer only splits words and never stems twice. */
#include "store/fts5_polis.h"

#include "search/analyze.h"
#include "search/fold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct polis_tokenizer {
    char lang[8]; /* "" = by script */
};

static int polis_create(void *ctx, const char **args, int n_args, Fts5Tokenizer **out)
{
    (void)ctx;
    struct polis_tokenizer *t = calloc(1, sizeof *t);
    if (!t) return SQLITE_NOMEM;
    if (n_args > 1) {
        free(t);
        return SQLITE_ERROR;
    }
    if (n_args == 1) {
        if (!search_lang_supported(args[0])) {
            free(t);
            return SQLITE_ERROR;
        }
        snprintf(t->lang, sizeof t->lang, "%s", args[0]);
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void polis_delete(Fts5Tokenizer *t)
{
    free(t);
}

struct emit {
    void *ctx;
    int (*token)(void *, int, const char *, int, int, int);
    size_t offset; /* bytes of the language tag skipped at the start */
};

static int emit_token(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    struct emit *e = ctx;
    int rc = e->token(e->ctx, 0, token, (int)len, (int)(e->offset + start), (int)(e->offset + end));
    return rc == SQLITE_OK ? 0 : rc;
}

/* Query mode: words as they come (they are tokens already), split the same way. */
static int split_query(struct emit *e, const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t step = fold_decode(s + i, n - i, &cp);
        if (!fold_is_word_char(cp)) {
            i += step;
            continue;
        }
        size_t start = i;
        while (i < n && (step = fold_decode(s + i, n - i, &cp)) && fold_is_word_char(cp))
            i += step;
        size_t len = i - start > SEARCH_TOKEN_MAX ? SEARCH_TOKEN_MAX : i - start;
        while (len > 0 && len < i - start && (s[start + len] & 0xC0) == 0x80)
            len--;
        int rc = e->token(e->ctx, 0, text + start, (int)len, (int)start, (int)i);
        if (rc != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static int polis_tokenize(Fts5Tokenizer *tok, void *ctx, int flags, const char *text, int n_text,
                          int (*token)(void *, int, const char *, int, int, int))
{
    struct polis_tokenizer *t = (struct polis_tokenizer *)tok;
    struct emit e = {ctx, token, 0};
    size_t n = n_text > 0 ? (size_t)n_text : 0;
    if (flags & FTS5_TOKENIZE_QUERY) return split_query(&e, text, n);
    const char *lang = t->lang[0] ? t->lang : NULL;
    char tagged[8];
    if (n > 2 && text[0] == FTS5_POLIS_TAG) {
        const char *close = memchr(text + 1, FTS5_POLIS_TAG, n - 1 < 7 ? n - 1 : 7);
        if (close) {
            size_t len = (size_t)(close - text - 1);
            memcpy(tagged, text + 1, len);
            tagged[len] = '\0';
            if (search_lang_supported(tagged)) lang = tagged;
            e.offset = len + 2;
        }
    }
    int rc = search_tokenize(text + e.offset, n - e.offset, lang, SEARCH_STEM, emit_token, &e);
    return rc;
}

static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        (void)sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return api;
}

int fts5_polis_register(sqlite3 *db)
{
    fts5_api *api = fts5_api_of(db);
    if (!api) return SQLITE_ERROR;
    static fts5_tokenizer polis = {polis_create, polis_delete, polis_tokenize};
    return api->xCreateTokenizer(api, "polis", NULL, &polis, NULL);
}
