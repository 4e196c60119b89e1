/* test_search.c: text analysis for full-text search — stemming per language (English,
 * Russian, Serbian in both scripts), case and diacritic folding, the search-box parser with
 * its errors, snippets, and the "polis" FTS5 tokenizer on a real SQLite database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "search/analyze.h"
#include "search/query.h"
#include "search/snippet.h"
#include "store/fts5_polis.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* The token of word in lang, as a string owned by a static buffer. */
static const char *tok(const char *word, const char *lang)
{
    static char out[SEARCH_TOKEN_MAX + 1];
    search_token(word, strlen(word), lang, SEARCH_STEM, out);
    return out;
}

static void same_token(const char *a, const char *b, const char *lang)
{
    char first[SEARCH_TOKEN_MAX + 1];
    snprintf(first, sizeof first, "%s", tok(a, lang));
    if (strcmp(first, tok(b, lang)) != 0)
        fail_msg("%s -> %s but %s -> %s (%s)", a, first, b, tok(b, lang), lang ? lang : "auto");
}

static void test_english_stems_word_forms(void **state)
{
    (void)state;
    assert_string_equal(tok("trafficking", "en"), "traffick");
    same_token("trafficking", "trafficked", "en");
    same_token("Trafficking", "TRAFFICKERS", "en");
    same_token("policing", "police", "en");
    assert_string_equal(tok("2012", "en"), "2012");
}

static void test_russian_stems_word_forms(void **state)
{
    (void)state;
    assert_string_equal(tok("полиция", "ru"), "полиц");
    same_token("полиция", "полиции", "ru");
    same_token("Полицией", "ПОЛИЦИЮ", "ru");
    same_token("торговля", "торговли", "ru");
    same_token("ёлка", "елка", "ru"); /* ё folds to е */
}

static void test_serbian_both_scripts_meet(void **state)
{
    (void)state;
    same_token("полиција", "policija", "sr");
    same_token("полиције", "policija", "sr");
    same_token("саобраћај", "saobraćaj", "sr");
    same_token("saobraćaj", "saobracaj", "sr"); /* diacritics folded after stemming */
    same_token("Ђорђе", "djordje", "sr");
    const char *t = tok("полиција", "sr");
    for (const char *p = t; *p; p++)
        assert_true((unsigned char)*p < 0x80);
}

static void test_folding_without_stemmer(void **state)
{
    (void)state;
    assert_false(search_lang_has_stemmer("sq"));
    assert_true(search_lang_has_stemmer("sr"));
    assert_string_equal(tok("Çështje", "sq"), "ceshtje");
    assert_string_equal(tok("Ștefan", "sk"), "stefan");
    /* a decomposed accent (e + U+0301) folds like the precomposed one */
    assert_string_equal(tok("Polici\xcc\x81"
                            "a",
                            "sq"),
                        "policia");
    assert_string_equal(tok("Polic\xc3\xad"
                            "a",
                            "sq"),
                        "policia");
}

struct words {
    char list[16][SEARCH_TOKEN_MAX + 1];
    size_t start[16], end[16];
    int n;
};

static int keep(void *ctx, const char *token, size_t len, size_t start, size_t end)
{
    struct words *w = ctx;
    if (w->n == 16) return 1;
    memcpy(w->list[w->n], token, len + 1);
    w->start[w->n] = start;
    w->end[w->n] = end;
    w->n++;
    return 0;
}

static void test_tokenize_by_script_and_offsets(void **state)
{
    (void)state;
    const char *text = "Trafficking, полиции & 2012!";
    struct words w = {0};
    assert_int_equal(search_tokenize(text, strlen(text), NULL, SEARCH_STEM, keep, &w), 0);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.list[0], "traffick");
    assert_string_equal(w.list[1], "полиц");
    assert_string_equal(w.list[2], "2012");
    assert_int_equal(w.start[1], 13);
    assert_int_equal(w.end[1], 13 + strlen("полиции"));
}

static void test_tokenize_survives_bad_bytes_and_long_words(void **state)
{
    (void)state;
    char text[600];
    memset(text, 'a', sizeof text);
    text[10] = '\xff';
    text[11] = '\xc3'; /* truncated sequence */
    struct words w = {0};
    assert_int_equal(search_tokenize(text, sizeof text, "en", SEARCH_STEM, keep, &w), 0);
    assert_int_equal(w.n, 2);
    assert_int_equal(strlen(w.list[1]), SEARCH_TOKEN_MAX);
}

/* Each thread remembers recent words' tokens (analyze.c); the memo must never change one.
 * The reference token of each word comes from a thread of its own, whose memo is empty. */
enum { MEMO_WORDS = 8, MEMO_LANGS = 5 };
static const char *const memo_words[MEMO_WORDS] = {"policing", "Policing",   "полиции", "Полиции",
                                                   "полиција", "trafficked", "ébauche", "x"};
static const char *const memo_langs[MEMO_LANGS] = {"en", "ru", "sr", "sq", NULL};

struct memo_case {
    const char *word, *lang;
    enum search_mode mode;
    char token[SEARCH_TOKEN_MAX + 1];
};

static void *memo_reference(void *arg)
{
    struct memo_case *c = arg;
    search_token(c->word, strlen(c->word), c->lang, c->mode, c->token);
    return NULL;
}

static void test_memo_never_changes_a_token(void **state)
{
    (void)state;
    struct memo_case cases[MEMO_WORDS * MEMO_LANGS * 2];
    size_t n = 0;
    for (int w = 0; w < MEMO_WORDS; w++)
        for (int l = 0; l < MEMO_LANGS; l++)
            for (int m = 0; m < 2; m++) {
                cases[n] = (struct memo_case){memo_words[w], memo_langs[l],
                                              m ? SEARCH_PREFIX : SEARCH_STEM, ""};
                pthread_t t;
                assert_int_equal(pthread_create(&t, NULL, memo_reference, &cases[n]), 0);
                assert_int_equal(pthread_join(t, NULL), 0);
                n++;
            }
    char out[SEARCH_TOKEN_MAX + 1], filler[32];
    for (int round = 0; round < 3; round++) {
        /* in a different order each round, with enough other words between to evict */
        for (size_t k = 0; k < n; k++) {
            const struct memo_case *c = &cases[(k * (size_t)(2 * round + 1)) % n];
            search_token(c->word, strlen(c->word), c->lang, c->mode, out);
            if (strcmp(out, c->token) != 0)
                fail_msg("%s (%s, mode %d): %s, alone %s", c->word, c->lang ? c->lang : "auto",
                         (int)c->mode, out, c->token);
        }
        for (int i = 0; i < 3000; i++) {
            snprintf(filler, sizeof filler, "word%dform", i + round * 3000);
            search_token(filler, strlen(filler), "en", SEARCH_STEM, out);
        }
    }
    assert_string_equal(tok("policing", "en"), "polic");
}

/* ---- the query parser ------------------------------------------------------------------- */

static void fts(const char *q, const char *lang, const char *want)
{
    search_query *sq = NULL;
    p_error err;
    if (search_query_parse(q, &sq, &err) != P_OK) fail_msg("%s: %s", q, err.message);
    buf out = BUF_INIT;
    const char *langs[] = {lang, NULL};
    search_query_fts5(sq, langs, &out);
    if (strcmp(buf_str(&out), want) != 0) fail_msg("%s -> %s, wanted %s", q, buf_str(&out), want);
    buf_free(&out);
    search_query_free(sq);
}

static void test_query_rebuilds_fts5_syntax(void **state)
{
    (void)state;
    fts("trafficking", "en", "\"traffick\"");
    fts("police trafficking", "en", "(\"polic\" AND \"traffick\")");
    fts("\"human trafficking\"", "en", "\"human traffick\"");
    fts("traff*", "en", "\"traff\"*");
    fts("trafficking*", "en", "(\"trafficking\"* OR \"traffick\"*)");
    fts("\"human trafficking\"*", "en", "(\"human trafficking\"* OR \"human traffick\"*)");
    fts("police OR border NOT customs", "en", "(\"polic\" OR (\"border\" NOT \"custom\"))");
    fts("(police OR border) AND training", "en", "((\"polic\" OR \"border\") AND \"train\")");
    fts("anti-trafficking", "en", "\"anti traffick\"");
    fts("police -- ; training", "en", "(\"polic\" AND \"train\")");
    fts("полиции", "ru", "\"полиц\"");
    fts("policija", "sr", "\"policij\"");
    /* FTS5 syntax typed by a user is only words to us */
    fts("title:police NEAR(a b)", "en", "((\"titl polic\" AND \"near\") AND (\"a\" AND \"b\"))");
    fts("\"say \"\"hi\"\"\"", "en", "(\"say\" AND \"hi\")");
}

static void tsq(const char *q, const char *lang, const char *want)
{
    search_query *sq = NULL;
    p_error err;
    if (search_query_parse(q, &sq, &err) != P_OK) fail_msg("%s: %s", q, err.message);
    buf out = BUF_INIT;
    const char *langs[] = {lang, NULL};
    search_query_tsquery(sq, langs, &out);
    if (strcmp(buf_str(&out), want) != 0) fail_msg("%s -> %s, wanted %s", q, buf_str(&out), want);
    buf_free(&out);
    search_query_free(sq);
}

static void test_query_rebuilds_tsquery_syntax(void **state)
{
    (void)state;
    tsq("trafficking", "en", "('traffick')");
    tsq("police trafficking", "en", "(('polic') & ('traffick'))");
    tsq("\"human trafficking\"", "en", "('human' <-> 'traffick')");
    tsq("traff*", "en", "('traff':*)");
    tsq("trafficking*", "en", "('trafficking':* | 'traffick':*)");
    tsq("police OR border NOT customs", "en", "(('polic') | (('border') & !('custom')))");
    tsq("anti-trafficking", "en", "('anti' <-> 'traffick')");
    tsq("полиции", "ru", "('полиц')");
    /* tsquery syntax typed by a user is only words to us */
    tsq("police & !border | 'x':", "en", "((('polic') & ('border')) & ('x'))");
    tsq("o'brien\\", "en", "('o' <-> 'brien')");
    /* both languages: one variant per distinct token */
    search_query *q = NULL;
    assert_int_equal(search_query_parse("полиции police", &q, NULL), P_OK);
    buf out = BUF_INIT;
    const char *langs[] = {"en", "ru", NULL};
    search_query_tsquery(q, langs, &out);
    assert_string_equal(buf_str(&out), "(('полиции' | 'полиц') & ('polic' | 'police'))");
    buf_free(&out);
    search_query_free(q);
}

static void test_query_searches_every_language(void **state)
{
    (void)state;
    search_query *q = NULL;
    assert_int_equal(search_query_parse("полиции", &q, NULL), P_OK);
    buf out = BUF_INIT;
    search_query_fts5(q, NULL, &out);
    /* Russian stem, Serbian stem in Latin, and the folded word for languages without one */
    assert_non_null(strstr(buf_str(&out), "\"полиц\""));
    assert_non_null(strstr(buf_str(&out), "\"polici"));
    assert_non_null(strstr(buf_str(&out), "\"полиции\""));
    assert_non_null(strstr(buf_str(&out), " OR "));
    buf_free(&out);
    search_query_free(q);
}

static void refused(const char *q, const char *fragment)
{
    search_query *sq = NULL;
    p_error err = {0};
    int rc = search_query_parse(q, &sq, &err);
    if (rc != P_EINVAL) fail_msg("%s was accepted", q);
    assert_null(sq);
    assert_string_equal(err.field, "q");
    if (!strstr(err.message, fragment))
        fail_msg("%s: \"%s\" lacks \"%s\"", q, err.message, fragment);
}

static void test_query_refuses_malformed_input(void **state)
{
    (void)state;
    refused("", "no words");
    refused("  -- ; ", "no words");
    refused("\"human trafficking", "not closed");
    refused("NOT police", "NOT needs a search term before it");
    refused("police NOT", "NOT needs a search term after it");
    refused("police AND", "AND needs a search term after it");
    refused("OR police", "OR needs");
    refused("police OR OR border", "OR needs");
    refused("(police", "not closed");
    refused("police)", "no opening one");
    refused("()", "empty parentheses");
    refused("*", "must follow a word");
    refused("a*", "at least two letters");
    refused("\xff\xfe", "UTF-8");
    refused("((((((((((police))))))))))", "nested too deeply");
    char many[400] = "";
    for (int i = 0; i < 17; i++)
        strcat(many, "word ");
    refused(many, "too many terms");
    char lng[600];
    memset(lng, 'a', sizeof lng - 1);
    lng[sizeof lng - 1] = '\0';
    refused(lng, "too long");
    refused("\"a b c d e f g h i\"", "at most 8 words");
    refused("police AND (border", "character 12");
}

/* ---- snippets --------------------------------------------------------------------------- */

static void test_snippet_marks_and_escapes(void **state)
{
    (void)state;
    search_query *q = NULL;
    assert_int_equal(search_query_parse("trafficking NOT drugs", &q, NULL), P_OK);
    struct search_terms terms;
    search_query_terms(q, "en", &terms);
    const char *text = "Guide <b>on</b> combating   trafficked persons & drugs.\n"
                       "The police must protect victims of trafficking.";
    buf out = BUF_INIT;
    size_t hits = search_snippet(text, strlen(text), "en", &terms, 30, &out);
    assert_int_equal(hits, 2);
    const char *s = buf_str(&out);
    assert_non_null(strstr(s, "<mark>trafficked</mark>"));
    assert_non_null(strstr(s, "<mark>trafficking</mark>"));
    assert_non_null(strstr(s, "&lt;b&gt;on&lt;/b&gt;"));
    assert_non_null(strstr(s, "&amp; drugs"));
    assert_null(strstr(s, "<mark>drugs")); /* NOT terms are not highlighted */
    assert_null(strstr(s, "   "));
    buf_reset(&out);
    hits = search_snippet(text, strlen(text), "en", &terms, 4, &out);
    assert_int_equal(hits, 1);
    assert_non_null(strstr(buf_str(&out), "…"));
    buf_free(&out);
    search_query_free(q);
}

/* A text longer than the words the snippet scans, matched only at the end of the scan: the
 * snippet is the window there and a "…", not the window and the whole unscanned rest. */
static void test_snippet_of_a_long_text_stays_short(void **state)
{
    (void)state;
    search_query *q = NULL;
    assert_int_equal(search_query_parse("needle", &q, NULL), P_OK);
    struct search_terms terms;
    search_query_terms(q, "en", &terms);
    buf text = BUF_INIT;
    for (int i = 0; i < 19999; i++)
        buf_puts(&text, "hay ");
    buf_puts(&text, "needle");
    for (int i = 0; i < 5000; i++)
        buf_puts(&text, " unscanned");
    buf out = BUF_INIT;
    size_t hits = search_snippet(text.data, text.len, "en", &terms, 32, &out);
    assert_int_equal(hits, 1);
    const char *s = buf_str(&out);
    assert_non_null(strstr(s, "<mark>needle</mark>"));
    assert_null(strstr(s, "unscanned"));
    assert_true(out.len < 400);
    assert_string_equal(s + out.len - strlen(" …"), " …");
    buf_free(&out);
    buf_free(&text);
    search_query_free(q);
}

/* ---- the FTS5 tokenizer on a real database ---------------------------------------------- */

static int count_matches(sqlite3 *db, const char *user_query, const char *lang)
{
    search_query *q = NULL;
    assert_int_equal(search_query_parse(user_query, &q, NULL), P_OK);
    buf expr = BUF_INIT;
    const char *langs[] = {lang, NULL};
    search_query_fts5(q, lang ? langs : NULL, &expr);
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM docs WHERE docs MATCH ?", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, buf_str(&expr), -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    buf_free(&expr);
    search_query_free(q);
    return n;
}

static void test_fts5_tokenizer_finds_word_forms(void **state)
{
    (void)state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(fts5_polis_register(db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "CREATE VIRTUAL TABLE docs USING fts5(body, tokenize='polis');"
                     "INSERT INTO docs VALUES ('Victims were trafficked across borders');"
                     "INSERT INTO docs VALUES ('\x1fru\x1fРоль полиции в обществе');"
                     "INSERT INTO docs VALUES ('\x1fsr\x1fУлога полиције у заједници');"
                     "INSERT INTO docs VALUES ('\x1fsr\x1fPolicija i zajednica');"
                     "INSERT INTO docs VALUES ('\x1fsq\x1fRoli i Policisë');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    assert_int_equal(count_matches(db, "trafficking", NULL), 1);
    assert_int_equal(count_matches(db, "полиция", NULL), 1);
    assert_int_equal(count_matches(db, "полиција", NULL), 2); /* Serbian in both scripts */
    assert_int_equal(count_matches(db, "полиция", "ru"), 1);
    assert_int_equal(count_matches(db, "policija", "sr"), 2);
    assert_int_equal(count_matches(db, "полиција", "sr"), 2);
    assert_int_equal(count_matches(db, "polic*", NULL), 3);
    /* A whole word as a prefix finds at least what the word finds, though the index holds
     * stems ("traffick") and prefixes are not stemmed ("trafficking" is no prefix of it). */
    assert_int_equal(count_matches(db, "trafficked*", "en"), 1);
    assert_int_equal(count_matches(db, "trafficking*", NULL), 1);
    assert_int_equal(count_matches(db, "полиции*", "ru"), 1);
    /* languages choose how words are analysed, not which documents are searched */
    assert_int_equal(count_matches(db, "полиц*", "sr"), 3);
    assert_int_equal(count_matches(db, "policise", "sq"), 1);
    assert_int_equal(count_matches(db, "\"роль полиции\"", "ru"), 1);
    assert_int_equal(count_matches(db, "полиции NOT роль", "ru"), 0);
    assert_int_equal(count_matches(db, "zajednica OR trafficked", NULL), 3);
    /* A tokenizer argument must be a library language. */
    assert_int_not_equal(sqlite3_exec(db,
                                      "CREATE VIRTUAL TABLE bad USING fts5(b, tokenize='polis xx')",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
    search_thread_release();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_english_stems_word_forms),
        cmocka_unit_test(test_russian_stems_word_forms),
        cmocka_unit_test(test_serbian_both_scripts_meet),
        cmocka_unit_test(test_folding_without_stemmer),
        cmocka_unit_test(test_tokenize_by_script_and_offsets),
        cmocka_unit_test(test_tokenize_survives_bad_bytes_and_long_words),
        cmocka_unit_test(test_memo_never_changes_a_token),
        cmocka_unit_test(test_query_rebuilds_fts5_syntax),
        cmocka_unit_test(test_query_rebuilds_tsquery_syntax),
        cmocka_unit_test(test_query_searches_every_language),
        cmocka_unit_test(test_query_refuses_malformed_input),
        cmocka_unit_test(test_snippet_marks_and_escapes),
        cmocka_unit_test(test_snippet_of_a_long_text_stays_short),
        cmocka_unit_test(test_fts5_tokenizer_finds_word_forms),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    search_thread_release();
    return rc;
}
