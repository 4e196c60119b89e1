/* test_library.c: the library's documents and editions service on a real temporary
 * database: a store error in the middle of a change rolls its transaction back, so the
 * connection stays usable for the next request; "more like this" over many candidates;
 * the facet rows searches read follow every change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"
#include "library/library.h"

static const struct actor tester = {"tester", "127.0.0.1"};

/* A failure reading the document an edition belongs to (here: a table gone) must not leave
 * the transaction edition_put and edition_delete opened: with it open, every later BEGIN
 * on this connection fails. */
static void test_failed_edition_change_rolls_back(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "library"), 0);
    p_error err;
    p_error_clear(&err);
    json_t *fields = json_pack("{s:s, s:i}", "title", "A guidebook", "year", 2020);
    json_t *doc = NULL;
    assert_int_equal(library_document_create(fx.s, fields, &tester, &doc, &err), P_OK);
    int64_t id = json_integer_value(json_object_get(doc, "id"));
    assert_int_equal(store_exec_script(fx.s, "DROP TABLE document_focus_areas", &err), P_OK);

    json_t *edition = json_pack("{s:s}", "title", "A guidebook");
    json_t *out = NULL;
    p_error_clear(&err);
    assert_int_equal(library_edition_put(fx.s, id, "en", edition, &tester, &out, &err), P_ESTORE);
    assert_null(out);
    assert_int_equal(store_begin(fx.s, &err), P_OK);
    store_rollback(fx.s);

    json_t *orphans = json_array();
    p_error_clear(&err);
    assert_int_equal(library_edition_delete(fx.s, id, "en", &tester, orphans, &err), P_ESTORE);
    assert_int_equal(store_begin(fx.s, &err), P_OK);
    store_rollback(fx.s);

    json_decref(orphans);
    json_decref(edition);
    json_decref(doc);
    json_decref(fields);
    fixture_close(&fx);
}

/* Creates a document whose English edition is titled title; returns its id. */
static int64_t document_titled(store *s, const char *title)
{
    p_error err;
    p_error_clear(&err);
    json_t *fields = json_pack("{s:s, s:i}", "title", title, "year", 2020);
    json_t *doc = NULL, *after = NULL;
    assert_int_equal(library_document_create(s, fields, &tester, &doc, &err), P_OK);
    int64_t id = json_integer_value(json_object_get(doc, "id"));
    json_t *edition = json_pack("{s:s}", "title", title);
    assert_int_equal(library_edition_put(s, id, "en", edition, &tester, &after, &err), P_OK);
    json_decref(after);
    json_decref(edition);
    json_decref(doc);
    json_decref(fields);
    return id;
}

/* "More like this" ranks every edition that shares a word, not the first thousand found:
 * the one document sharing all of the rare words comes first even when more than a
 * thousand documents created before it share only the common one. */
static void test_similar_ranks_all_candidates(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "library-similar"), 0);
    int64_t target = document_titled(fx.s, "Kestrel lapwing ptarmigan handbook");
    for (int i = 0; i < 1020; i++)
        (void)document_titled(fx.s, "Kestrel notes");
    int64_t twin = document_titled(fx.s, "Kestrel lapwing ptarmigan manual");
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    assert_int_equal(library_similar(fx.s, target, 3, &items, &err), P_OK);
    assert_true(json_array_size(items) >= 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), twin);
    json_decref(items);
    fixture_close(&fx);
}

/* The search's facets and filters read each edition's facet row: it follows the
 * document's series, year and priorities when they change, and goes with the edition. */
static void test_facet_rows_follow_changes(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "library-facets"), 0);
    p_error err;
    p_error_clear(&err);
    json_t *fields = json_pack("{s:s, s:i, s:s, s:[s]}", "title", "Gannet handbook", "year", 2001,
                               "series", "First series", "priorities", "THB");
    json_t *doc = NULL;
    assert_int_equal(library_document_create(fx.s, fields, &tester, &doc, &err), P_OK);
    int64_t id = json_integer_value(json_object_get(doc, "id"));
    json_t *edition = json_pack("{s:s}", "title", "Gannet handbook");
    assert_int_equal(library_edition_put(fx.s, id, "en", edition, &tester, NULL, &err), P_OK);

    struct library_query lq = {.q = "gannet", .page = 1, .limit = 20};
    json_t *out = NULL;
    assert_int_equal(library_search(fx.s, &lq, &out, &err), P_OK);
    json_t *f = json_object_get(out, "facets");
    assert_int_equal(json_integer_value(json_object_get(out, "total")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "year"), "2001")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(f, "series"), "First series")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "priority"), "THB")), 1);
    json_decref(out);

    json_t *patch = json_pack("{s:i, s:s, s:[s, s]}", "year", 2002, "series", "Second series",
                              "priorities", "CT", "PDR");
    assert_int_equal(library_document_update(fx.s, id, patch, &tester, NULL, &err), P_OK);
    assert_int_equal(library_search(fx.s, &lq, &out, &err), P_OK);
    f = json_object_get(out, "facets");
    assert_null(json_object_get(json_object_get(f, "year"), "2001"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "year"), "2002")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(f, "series"), "Second series")), 1);
    assert_null(json_object_get(json_object_get(f, "priority"), "THB"));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "priority"), "CT")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "priority"), "PDR")), 1);
    json_decref(out);
    const char *filters[][2] = {{"CT", "1"}, {"PDR", "1"}, {"THB", "0"}, {"C", "0"}};
    for (size_t i = 0; i < 4; i++) {
        struct library_query by = {
            .q = "gannet", .priority = filters[i][0], .page = 1, .limit = 20};
        assert_int_equal(library_search(fx.s, &by, &out, &err), P_OK);
        assert_int_equal(json_integer_value(json_object_get(out, "total")), filters[i][1][0] - '0');
        json_decref(out);
    }

    json_t *orphans = json_array();
    assert_int_equal(library_edition_delete(fx.s, id, "en", &tester, orphans, &err), P_OK);
    store_stmt *st;
    assert_int_equal(store_prepare(fx.s, "SELECT count(*) FROM library_facets", &st, &err), P_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 0);
    store_reset(st);

    json_decref(orphans);
    json_decref(patch);
    json_decref(edition);
    json_decref(doc);
    json_decref(fields);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_edition_change_rolls_back),
        cmocka_unit_test(test_similar_ranks_all_candidates),
        cmocka_unit_test(test_facet_rows_follow_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
