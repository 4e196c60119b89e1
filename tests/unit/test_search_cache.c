/* test_search_cache.c: the library's cache of search results — its bounds and versions on
 * their own and under threads, then library_search_json on a real temporary database: a
 * repeated search is a hit, and every kind of change (made here or through another
 * connection, as another server would) makes the next search a miss that sees the change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"
#include "library/library.h"
#include "library/search_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct actor tester = {"tester", "127.0.0.1"};

static bool cached(int64_t version, const char *key, const char *want)
{
    char *body = NULL;
    size_t len = 0;
    bool hit = search_cache_get(version, key, strlen(key), &body, &len);
    if (hit && want) assert_string_equal(body, want);
    if (hit) assert_int_equal(len, strlen(body));
    free(body);
    return hit;
}

static void put(int64_t version, const char *key, const char *body)
{
    search_cache_put(version, key, strlen(key), body, strlen(body));
}

static void test_bounds_and_versions(void **state)
{
    (void)state;
    search_cache_configure(3, 1 << 20);
    assert_false(cached(1, "a", NULL));
    put(1, "a", "A");
    put(1, "b", "B");
    put(1, "c", "C");
    assert_true(cached(1, "a", "A")); /* a is now the most recently used */
    put(1, "d", "D");                 /* over 3 entries: b, the least recently used, goes */
    assert_false(cached(1, "b", NULL));
    assert_true(cached(1, "a", "A"));
    assert_true(cached(1, "c", "C"));
    assert_true(cached(1, "d", "D"));
    struct search_cache_stats st;
    search_cache_stats(&st);
    assert_int_equal(st.entries, 3);
    assert_int_equal(st.evictions, 1);

    /* a result computed for an older version is not kept; a newer version empties it */
    put(0, "e", "E");
    assert_false(cached(1, "e", NULL));
    assert_false(cached(2, "a", NULL));
    search_cache_stats(&st);
    assert_int_equal(st.entries, 0);
    put(2, "a", "A2");
    assert_true(cached(2, "a", "A2"));

    /* the byte bound: entries of about 1 KB under a bound of 4 KB */
    search_cache_configure(100, 4096);
    char big[1001];
    memset(big, 'x', 1000);
    big[1000] = '\0';
    for (int i = 0; i < 20; i++) {
        char key[8];
        snprintf(key, sizeof key, "k%d", i);
        put(2, key, big);
        search_cache_stats(&st);
        assert_true(st.bytes <= 4096);
    }
    assert_true(st.entries >= 2 && st.entries < 4);
    assert_true(cached(2, "k19", big));
    assert_false(cached(2, "k0", NULL));
    char *huge = malloc(5000);
    assert_non_null(huge);
    memset(huge, 'y', 4999);
    huge[4999] = '\0';
    put(2, "huge", huge); /* larger than the bound: not kept */
    assert_false(cached(2, "huge", NULL));
    free(huge);

    search_cache_configure(0, 1 << 20); /* off */
    put(2, "a", "A");
    assert_false(cached(2, "a", NULL));
}

/* Threads of the server's pool share the cache: many looking up, inserting and moving the
 * version at once never break the bounds, and each hit is a whole body of its key. */
enum { THREADS = 4, OPS = 20000 };

static void *hammer(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < OPS; i++) {
        seed = seed * 1103515245u + 12345u;
        int64_t version = 1 + (seed >> 24) % 3 / 2; /* mostly 1, sometimes 2 */
        char key[16], body[64];
        snprintf(key, sizeof key, "k%u", (seed >> 8) % 200);
        snprintf(body, sizeof body, "body of %s", key);
        if (seed & 1) {
            put(version, key, body);
        } else {
            char *got = NULL;
            size_t len = 0;
            if (search_cache_get(version, key, strlen(key), &got, &len)) {
                if (strcmp(got, body) != 0) abort();
            }
            free(got);
        }
    }
    return NULL;
}

static void test_threads_share_it(void **state)
{
    (void)state;
    search_cache_configure(50, 4096);
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)(i + 1)), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    struct search_cache_stats st;
    search_cache_stats(&st);
    assert_true(st.entries <= 50);
    assert_true(st.bytes <= 4096);
    assert_true(st.hits > 0);
}

/* ---- library_search_json on a database -------------------------------------------------- */

static uint64_t hits(void)
{
    struct search_cache_stats st;
    search_cache_stats(&st);
    return st.hits;
}

/* Searches q; returns the result's total and, when title is given, whether an item's
 * title is title. *hit says whether the cache answered. */
static int64_t search(store *s, const char *q, bool *hit, const char *title, bool *found)
{
    p_error err;
    p_error_clear(&err);
    struct library_query lq = {.q = q, .page = 1, .limit = 20};
    char *body = NULL;
    size_t len = 0;
    uint64_t before = hits();
    assert_int_equal(library_search_json(s, &lq, &body, &len, &err), P_OK);
    *hit = hits() > before;
    json_t *out = json_loadb(body, len, 0, NULL);
    assert_non_null(out);
    free(body);
    int64_t total = json_integer_value(json_object_get(out, "total"));
    if (found) {
        *found = false;
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(out, "items"), i,
                           item) if (strcmp(json_string_value(json_object_get(item, "title")),
                                            title) == 0) *found = true;
    }
    json_decref(out);
    return total;
}

static int64_t new_document(store *s, const char *title)
{
    p_error err;
    p_error_clear(&err);
    json_t *fields = json_pack("{s:s, s:i}", "title", title, "year", 2020);
    json_t *doc = NULL;
    assert_int_equal(library_document_create(s, fields, &tester, &doc, &err), P_OK);
    int64_t id = json_integer_value(json_object_get(doc, "id"));
    json_t *edition = json_pack("{s:s}", "title", title);
    assert_int_equal(library_edition_put(s, id, "en", edition, &tester, NULL, &err), P_OK);
    json_decref(edition);
    json_decref(doc);
    json_decref(fields);
    return id;
}

static int64_t edition_id(store *s, int64_t doc, const char *lang)
{
    p_error err;
    p_error_clear(&err);
    store_stmt *st;
    assert_int_equal(
        store_prepare(s, "SELECT id FROM editions WHERE document_id = ? AND lang = ?", &st, &err),
        P_OK);
    store_bind_int(st, 1, doc);
    store_bind_text(st, 2, lang);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    int64_t id = store_col_int(st, 0);
    store_reset(st);
    return id;
}

/* A repeated search hits, and after each kind of change the next misses and sees it. */
static void test_every_change_invalidates(void **state)
{
    (void)state;
    search_cache_configure(64, 1 << 20);
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "search-cache"), 0);
    store *s = fx.s;
    p_error err;
    p_error_clear(&err);
    bool hit, found;
    int64_t doc = new_document(s, "Kestrel policing handbook");

    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 1);
    assert_false(hit);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 1);
    assert_true(hit);
    assert_int_equal(search(s, "  kestrel ", &hit, NULL, NULL), 1); /* the same query, parsed */
    assert_true(hit);

    /* a document created with its edition */
    int64_t other = new_document(s, "Kestrel border manual");
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 2);
    assert_false(hit);

    /* a document updated: the catalogue's title in the result */
    json_t *patch = json_pack("{s:s}", "title", "Kestrel renamed handbook");
    assert_int_equal(library_document_update(s, doc, patch, &tester, NULL, &err), P_OK);
    json_decref(patch);
    (void)search(s, "kestrel", &hit, "Kestrel renamed handbook", &found);
    assert_false(hit);
    assert_true(found);

    /* an edition added */
    json_t *ru = json_pack("{s:s}", "title", "Kestrel полиция");
    assert_int_equal(library_edition_put(s, doc, "ru", ru, &tester, NULL, &err), P_OK);
    json_decref(ru);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 3);
    assert_false(hit);

    /* a file uploaded, then its text indexed by the extraction worker */
    assert_int_equal(search(s, "ptarmigan", &hit, NULL, NULL), 0);
    char sha[65];
    memset(sha, 'a', 64);
    sha[64] = '\0';
    struct library_file file = {.sha256 = sha, .name = "k.txt", .type = "text", .size = 10};
    json_t *orphans = json_array();
    assert_int_equal(
        library_edition_attach(s, other, "en", NULL, &file, &tester, orphans, NULL, &err), P_OK);
    assert_int_equal(search(s, "ptarmigan", &hit, NULL, NULL), 0);
    assert_false(hit);
    const char *text = "The ptarmigan patrol";
    assert_int_equal(
        library_edition_set_text(s, edition_id(s, other, "en"), sha, text, strlen(text), &err),
        P_OK);
    assert_int_equal(search(s, "ptarmigan", &hit, NULL, NULL), 1);
    assert_false(hit);
    assert_int_equal(search(s, "ptarmigan", &hit, NULL, NULL), 1);
    assert_true(hit);

    /* extraction failed: the result's text status changes */
    assert_int_equal(
        library_edition_set_unavailable(s, edition_id(s, other, "en"), sha, "broken", &err), P_OK);
    assert_int_equal(search(s, "ptarmigan", &hit, NULL, NULL), 1);
    assert_false(hit);

    /* an edition deleted */
    assert_int_equal(library_edition_delete(s, doc, "ru", &tester, orphans, &err), P_OK);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 2);
    assert_false(hit);

    /* a change through another connection, as another server sharing the database makes */
    store *b = NULL;
    assert_int_equal(store_open(fx.path, &b, &err), P_OK);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 2);
    assert_true(hit);
    assert_int_equal(library_document_delete(b, other, &tester, orphans, &err), P_OK);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 1);
    assert_false(hit);

    /* a bulk load writing the tables directly, with the version bumped in its transaction */
    assert_int_equal(store_begin(b, &err), P_OK);
    assert_int_equal(
        store_exec_script(b,
                          "INSERT INTO documents(id, title, year, status, created_at,"
                          " updated_at) VALUES (900, 'Bulk', 2021, 'published', '', '');"
                          "INSERT INTO editions(id, document_id, lang, title,"
                          " created_at, updated_at) VALUES (900, 900, 'en',"
                          " 'Kestrel bulk', '', '');"
                          "INSERT INTO library_fts(rowid, title, abstract, body, lang)"
                          " VALUES (900, 'Kestrel bulk', '', '', 'en');"
                          "INSERT INTO library_facets(edition_id, lang, series, year,"
                          " priorities) VALUES (900, 'en', '', 2021, ' ')",
                          &err),
        P_OK);
    assert_int_equal(library_version_bump(b, &err), P_OK);
    assert_int_equal(store_commit(b, &err), P_OK);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 2);
    assert_false(hit);
    store_close(b);

    /* a failed change moves nothing */
    int64_t v1 = 0, v2 = 0;
    assert_int_equal(library_version(s, &v1, &err), P_OK);
    assert_int_not_equal(library_edition_delete(s, doc, "fr", &tester, orphans, &err), P_OK);
    assert_int_equal(library_version(s, &v2, &err), P_OK);
    assert_int_equal(v1, v2);
    assert_int_equal(search(s, "kestrel", &hit, NULL, NULL), 2);
    assert_true(hit);

    json_decref(orphans);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_and_versions),
        cmocka_unit_test(test_threads_share_it),
        cmocka_unit_test(test_every_change_invalidates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
