/* fuzz_search_query.c: the search box. Whatever the bytes, search_query_parse either
 * refuses them with a message on field "q", or yields a query whose rebuilt FTS5
 * expression SQLite accepts (the user can never cause an FTS5 syntax error), and whose
 * terms highlight a snippet that holds no markup but <mark>. */
#include "fuzz_common.h"

#include "core/buf.h"
#include "core/text.h"
#include "search/query.h"
#include "search/snippet.h"
#include "store/fts5_polis.h"

#include <sqlite3.h>
#include <string.h>

static sqlite3 *db;
static sqlite3_stmt *match;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK || fts5_polis_register(db) != SQLITE_OK)
        return -1;
    if (sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE t USING fts5(a, b, tokenize='polis');"
                     "INSERT INTO t VALUES ('Trafficking in human beings', '\x1fru\x1fполиции');"
                     "INSERT INTO t VALUES ('\x1fsr\x1fПолиција и заједница', 'policing');",
                     NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &match, NULL) ==
                   SQLITE_OK
               ? 0
               : -1;
}

/* True when the snippet's only markup is <mark> and </mark>. */
static int only_marks(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strncmp(p, "<mark>", 6) == 0)
            p += 5;
        else if (strncmp(p, "</mark>", 7) == 0)
            p += 6;
        else if (*p == '<' || *p == '>' || *p == '"')
            return 0;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048) return 0;
    char *q = malloc(size + 1);
    if (!q) abort();
    memcpy(q, data, size);
    q[size] = '\0';
    search_query *sq = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = search_query_parse(q, &sq, &err);
    if (rc != P_OK) {
        CHECK(rc == P_EINVAL);
        CHECK(sq == NULL);
        CHECK(strcmp(err.field, "q") == 0);
        CHECK(err.message[0] != '\0');
        free(q);
        return 0;
    }
    static const char *const one[][2] = {{"en", NULL}, {"ru", NULL}, {"sr", NULL}};
    for (int i = 0; i < 4; i++) {
        buf expr = BUF_INIT;
        search_query_fts5(sq, i < 3 ? one[i] : NULL, &expr);
        CHECK(text_utf8_valid(buf_str(&expr), expr.len));
        sqlite3_reset(match);
        sqlite3_bind_text(match, 1, buf_str(&expr), (int)expr.len, SQLITE_TRANSIENT);
        int step = sqlite3_step(match);
        if (step != SQLITE_ROW) fprintf(stderr, "FTS5 refused: %s\n", buf_str(&expr));
        CHECK(step == SQLITE_ROW);
        buf_free(&expr);
    }
    struct search_terms *terms = malloc(sizeof *terms);
    if (!terms) abort();
    search_query_terms(sq, "en", terms);
    buf snip = BUF_INIT;
    (void)search_snippet(q, size, "en", terms, 12, &snip);
    CHECK(text_utf8_valid(buf_str(&snip), snip.len));
    CHECK(only_marks(buf_str(&snip)));
    buf_free(&snip);
    free(terms);
    search_query_free(sq);
    free(q);
    return 0;
}
