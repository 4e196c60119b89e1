/* test_framework.c: the framework service against a real SQLite file: loading the
 * embedded reference data, validation with field-named errors, audited updates with
 * before and after, case-insensitive search and keyset pagination. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "app.h"
#include "framework/framework.h"
#include "framework/service.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct actor tester = {"tester", "127.0.0.1"};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fixture_open(fx, "fw") != 0) return -1;
    p_error err;
    p_error_clear(&err);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    fixture_close(fx);
    free(fx);
    return 0;
}

/* The single integer a query returns (one optional text parameter). */
static int64_t scalar(store *s, const char *sql, const char *param)
{
    store_stmt *st;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(store_prepare(s, sql, &st, &err), P_OK);
    if (param) store_bind_text(st, 1, param);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    int64_t v = store_col_int(st, 0);
    store_reset(st);
    return v;
}

/* Every record of a paginated list, walked page by page with the given filter. */
static json_t *walk_pages(store *s, bool countries, struct framework_filter f, int *pages)
{
    json_t *all = json_array();
    char next[CURSOR_MAX] = "";
    *pages = 0;
    do {
        json_t *items = NULL;
        p_error err;
        p_error_clear(&err);
        char cur[CURSOR_MAX];
        snprintf(cur, sizeof cur, "%s", next);
        f.cursor = cur[0] ? cur : NULL;
        int rc = countries ? framework_countries_list(s, &f, &items, next, &err)
                           : framework_organisations_list(s, &f, &items, next, &err);
        assert_int_equal(rc, P_OK);
        assert_true(json_array_size(items) <= (size_t)f.limit);
        json_array_extend(all, items);
        json_decref(items);
        (*pages)++;
        assert_true(*pages < 1000);
    } while (next[0]);
    return all;
}

static void test_load_counts(void **state)
{
    struct fixture *fx = *state;
    store *s = fx->s;
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM lines_of_action", NULL), 5);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM priorities", NULL), 6);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM focus_areas", NULL), 41);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM principles", NULL), 9);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM organisations", NULL), 44);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM countries", NULL), 68);

    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    struct framework_filter f = {.status = "participating", .limit = 1000};
    assert_int_equal(framework_countries_list(s, &f, &items, next, &err), P_OK);
    assert_int_equal(json_array_size(items), 57);
    assert_string_equal(next, "");
    json_decref(items);
    f.status = "partner";
    assert_int_equal(framework_countries_list(s, &f, &items, next, &err), P_OK);
    assert_int_equal(json_array_size(items), 11);
    json_decref(items);
    struct framework_filter fo = {.kind = "field_operation", .limit = 1000};
    assert_int_equal(framework_organisations_list(s, &fo, &items, next, &err), P_OK);
    assert_int_equal(json_array_size(items), 15);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
        assert_string_equal(json_string_value(json_object_get(o, "kind")), "field_operation");
    json_decref(items);

    assert_int_equal(framework_lines_list(s, &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 5);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "code")),
                        "ICB");
    json_decref(items);
    assert_int_equal(framework_priorities_list(s, &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 6);
    size_t areas = 0;
    json_array_foreach(items, i, o) areas += json_array_size(json_object_get(o, "focus_areas"));
    assert_int_equal(areas, 41);
    json_decref(items);
    assert_int_equal(framework_focus_areas_list(s, "THB", &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 7);
    json_decref(items);
    assert_int_equal(framework_principles_list(s, &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 9);
    json_decref(items);
}

static void test_load_twice_inserts_nothing(void **state)
{
    struct fixture *fx = *state;
    int64_t audit_before = scalar(fx->s, "SELECT COUNT(*) FROM audit", NULL);
    assert_true(audit_before >= 5); /* one "load" entry per kind the first time */
    p_error err;
    p_error_clear(&err);
    assert_int_equal(framework_load_reference(fx->s, &tester, &err), P_OK);
    assert_int_equal(scalar(fx->s, "SELECT COUNT(*) FROM audit", NULL), audit_before);
    assert_int_equal(scalar(fx->s, "SELECT COUNT(*) FROM organisations", NULL), 44);
    assert_int_equal(scalar(fx->s, "SELECT COUNT(*) FROM focus_areas", NULL), 41);
    assert_int_equal(scalar(fx->s, "SELECT COUNT(*) FROM countries", NULL), 68);
}

/* Creating kind from JSON text fails with status and field, and changes nothing. */
static void expect_create_fails(store *s, enum framework_kind kind, const char *json, int status,
                                const char *field)
{
    int64_t audit = scalar(s, "SELECT COUNT(*) FROM audit", NULL);
    json_t *body = json_loads(json, 0, NULL);
    assert_non_null(body);
    p_error err;
    p_error_clear(&err);
    json_t *out = NULL;
    int rc = framework_create(s, kind, body, &tester, &out, &err);
    json_decref(body);
    if (rc != status || strcmp(err.field, field) != 0)
        fail_msg("%s: got %d field '%s' (%s), want %d field '%s'", json, rc, err.field, err.message,
                 status, field);
    assert_null(out);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM audit", NULL), audit);
}

static void test_validation(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    enum framework_kind O = FRAMEWORK_ORGANISATION;
    expect_create_fails(s, O, "{\"code\":\"bad code\",\"name\":\"X\",\"kind\":\"unit\"}", P_EUNPROC,
                        "code");
    expect_create_fails(s, O, "{\"code\":\"lower\",\"name\":\"X\",\"kind\":\"unit\"}", P_EUNPROC,
                        "code");
    expect_create_fails(s, O, "{\"code\":\"-LEAD\",\"name\":\"X\",\"kind\":\"unit\"}", P_EUNPROC,
                        "code");
    expect_create_fails(s, O, "{\"code\":\"ABCDEFGHIJKLMNOPQ\",\"name\":\"X\",\"kind\":\"unit\"}",
                        P_EUNPROC, "code");
    expect_create_fails(s, O, "{\"name\":\"X\",\"kind\":\"unit\"}", P_EUNPROC, "code");
    expect_create_fails(s, O, "{\"code\":\"NEW\",\"kind\":\"unit\"}", P_EUNPROC, "name");
    expect_create_fails(s, O, "{\"code\":\"NEW\",\"name\":\"   \",\"kind\":\"unit\"}", P_EUNPROC,
                        "name");
    expect_create_fails(s, O, "{\"code\":\"NEW\",\"name\":5,\"kind\":\"unit\"}", P_EINVAL, "name");
    expect_create_fails(s, O, "{\"code\":\"NEW\",\"name\":\"X\",\"kind\":\"club\"}", P_EUNPROC,
                        "kind");
    expect_create_fails(s, O,
                        "{\"code\":\"NEW\",\"name\":\"X\",\"kind\":\"unit\",\"parent\":\"NOPE\"}",
                        P_EUNPROC, "parent");
    expect_create_fails(s, O,
                        "{\"code\":\"NEW\",\"name\":\"X\",\"kind\":\"unit\",\"country\":\"ZZ\"}",
                        P_EUNPROC, "country");
    expect_create_fails(s, O, "{\"code\":\"TNTD\",\"name\":\"X\",\"kind\":\"secretariat\"}",
                        P_ECONFLICT, "code");
    expect_create_fails(s, FRAMEWORK_COUNTRY,
                        "{\"code\":\"KGZ\",\"name\":\"X\",\"status\":\"partner\"}", P_EUNPROC,
                        "code");
    expect_create_fails(s, FRAMEWORK_COUNTRY,
                        "{\"code\":\"KG\",\"name\":\"X\",\"status\":\"partner\"}", P_ECONFLICT,
                        "code");
    expect_create_fails(s, FRAMEWORK_COUNTRY,
                        "{\"code\":\"XK\",\"name\":\"X\",\"status\":\"observer\"}", P_EUNPROC,
                        "status");
    expect_create_fails(s, FRAMEWORK_FOCUS_AREA,
                        "{\"code\":\"X-1\",\"name\":\"X\",\"priority\":\"NOPE\"}", P_EUNPROC,
                        "priority");
    expect_create_fails(s, FRAMEWORK_FOCUS_AREA, "{\"code\":\"X-1\",\"name\":\"X\"}", P_EUNPROC,
                        "priority");
    expect_create_fails(s, FRAMEWORK_LINE, "{\"code\":\"NEW\",\"name\":\"X\",\"position\":\"1\"}",
                        P_EINVAL, "position");

    char long_name[300];
    memset(long_name, 'a', 201);
    long_name[201] = '\0';
    char body[400];
    snprintf(body, sizeof body, "{\"code\":\"NEW\",\"name\":\"%s\"}", long_name);
    expect_create_fails(s, FRAMEWORK_PRINCIPLE, body, P_EUNPROC, "name");
    /* 200 Cyrillic letters are 400 bytes but 200 characters: allowed. */
    buf ru = BUF_INIT;
    buf_puts(&ru, "{\"code\":\"RU-200\",\"name\":\"X\",\"name_ru\":\"");
    for (int i = 0; i < 200; i++)
        buf_puts(&ru, "ж");
    buf_puts(&ru, "\"}");
    json_t *ok = json_loads(buf_str(&ru), 0, NULL);
    buf_free(&ru);
    p_error err;
    p_error_clear(&err);
    json_t *out = NULL;
    assert_int_equal(framework_create(s, FRAMEWORK_PRINCIPLE, ok, &tester, &out, &err), P_OK);
    assert_int_equal(json_integer_value(json_object_get(out, "position")), 9);
    json_decref(ok);
    json_decref(out);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM organisations", NULL), 44);
}

static void test_create_and_update_audited(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    p_error err;
    p_error_clear(&err);
    json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "code", "PROJ-1", "name", "Project office",
                             "kind", "unit", "parent", "SPMU");
    json_t *out = NULL;
    assert_int_equal(framework_create(s, FRAMEWORK_ORGANISATION, body, &tester, &out, &err), P_OK);
    json_decref(body);
    assert_string_equal(json_string_value(json_object_get(out, "parent")), "SPMU");
    assert_true(json_is_null(json_object_get(out, "country")));
    assert_int_equal(json_array_size(json_object_get(out, "children")), 0);
    json_decref(out);
    assert_int_equal(scalar(s,
                            "SELECT COUNT(*) FROM audit WHERE entity = 'organisation' AND"
                            " entity_id = ? AND action = 'create' AND before IS NULL",
                            "PROJ-1"),
                     1);

    /* PATCH: only the members given change; null clears an optional reference. */
    json_t *patch =
        json_pack("{s:s, s:s, s:n}", "name_ru", "Проектный офис", "country", "KG", "parent");
    assert_int_equal(
        framework_update(s, FRAMEWORK_ORGANISATION, "PROJ-1", patch, &tester, &out, &err), P_OK);
    json_decref(patch);
    assert_string_equal(json_string_value(json_object_get(out, "name")), "Project office");
    assert_string_equal(json_string_value(json_object_get(out, "name_ru")), "Проектный офис");
    assert_string_equal(json_string_value(json_object_get(out, "country")), "KG");
    assert_true(json_is_null(json_object_get(out, "parent")));
    json_decref(out);

    store_stmt *st;
    assert_int_equal(
        store_prepare(s,
                      "SELECT actor, before, after FROM audit WHERE entity = 'organisation'"
                      " AND entity_id = 'PROJ-1' AND action = 'update' ORDER BY id DESC",
                      &st, &err),
        P_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "tester");
    json_t *before = json_loads(store_col_text(st, 1), 0, NULL);
    json_t *after = json_loads(store_col_text(st, 2), 0, NULL);
    store_reset(st);
    assert_non_null(before);
    assert_non_null(after);
    assert_string_equal(json_string_value(json_object_get(before, "name_ru")), "");
    assert_string_equal(json_string_value(json_object_get(before, "parent")), "SPMU");
    assert_string_equal(json_string_value(json_object_get(after, "name_ru")), "Проектный офис");
    assert_true(json_is_null(json_object_get(after, "parent")));
    json_decref(before);
    json_decref(after);

    /* The code is immutable; a missing record is 404; a cycle is refused. */
    patch = json_pack("{s:s}", "code", "PROJ-2");
    assert_int_equal(
        framework_update(s, FRAMEWORK_ORGANISATION, "PROJ-1", patch, &tester, NULL, &err),
        P_EUNPROC);
    assert_string_equal(err.field, "code");
    json_decref(patch);
    patch = json_pack("{s:s}", "name", "X");
    assert_int_equal(
        framework_update(s, FRAMEWORK_ORGANISATION, "NOPE", patch, &tester, NULL, &err),
        P_ENOTFOUND);
    json_decref(patch);
    patch = json_pack("{s:s}", "parent", "CC");
    assert_int_equal(
        framework_update(s, FRAMEWORK_ORGANISATION, "TNTD", patch, &tester, NULL, &err), P_EUNPROC);
    assert_string_equal(err.field, "parent");
    json_decref(patch);
    assert_int_equal(scalar(s,
                            "SELECT COUNT(*) FROM organisations WHERE code = 'TNTD' AND"
                            " parent_code IS NULL",
                            NULL),
                     1);
    int64_t entries = scalar(s, "SELECT COUNT(*) FROM audit WHERE entity_id = ?", "TNTD");
    assert_int_equal(entries, 0);

    /* A focus area moves to another priority; the priority shows it nested. */
    patch = json_pack("{s:s}", "priority", "CYBER");
    assert_int_equal(
        framework_update(s, FRAMEWORK_FOCUS_AREA, "THB-TRAINING", patch, &tester, NULL, &err),
        P_OK);
    json_decref(patch);
    assert_int_equal(framework_get(s, FRAMEWORK_PRIORITY, "CYBER", &out, &err), P_OK);
    assert_int_equal(json_array_size(json_object_get(out, "focus_areas")), 9);
    json_decref(out);
    assert_int_equal(
        scalar(s,
               "SELECT COUNT(*) FROM audit WHERE entity = 'focus_area' AND"
               " entity_id = ? AND before LIKE '%\"THB\"%' AND after LIKE '%\"CYBER\"%'",
               "THB-TRAINING"),
        1);
}

static void test_get(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    p_error err;
    p_error_clear(&err);
    json_t *out = NULL;
    assert_int_equal(framework_get(s, FRAMEWORK_ORGANISATION, "TNTD", &out, &err), P_OK);
    json_t *children = json_object_get(out, "children");
    assert_int_equal(json_array_size(children), 4);
    assert_string_equal(json_string_value(json_array_get(children, 0)), "ATU");
    json_decref(out);
    assert_int_equal(framework_get(s, FRAMEWORK_COUNTRY, "KG", &out, &err), P_OK);
    assert_string_equal(json_string_value(json_object_get(out, "status")), "participating");
    json_t *orgs = json_object_get(out, "organisations");
    assert_int_equal(json_array_size(orgs), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(orgs, 0), "code")),
                        "BISHKEK");
    json_decref(out);
    assert_int_equal(framework_get(s, FRAMEWORK_PRIORITY, "THB", &out, &err), P_OK);
    assert_int_equal(json_array_size(json_object_get(out, "focus_areas")), 7);
    json_decref(out);
    assert_int_equal(framework_get(s, FRAMEWORK_LINE, "NOPE", &out, &err), P_ENOTFOUND);
    assert_null(out);
    assert_int_equal(framework_get(s, FRAMEWORK_COUNTRY, "TNTD", &out, &err), P_ENOTFOUND);
}

static void test_keyset_pagination(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    int pages = 0;
    json_t *all = walk_pages(s, false, (struct framework_filter){.limit = 7}, &pages);
    assert_int_equal(json_array_size(all), 44);
    assert_int_equal(pages, 7); /* 6 full pages of 7 and one of 2 */
    for (size_t i = 1; i < json_array_size(all); i++) {
        const char *a = json_string_value(json_object_get(json_array_get(all, i - 1), "code"));
        const char *b = json_string_value(json_object_get(json_array_get(all, i), "code"));
        assert_true(strcmp(a, b) < 0); /* strictly ascending: no duplicates, none skipped */
    }
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM organisations", NULL),
                     (int64_t)json_array_size(all));
    json_decref(all);

    /* A page size that divides the total exactly ends with next = "" on the last page. */
    all = walk_pages(s, false, (struct framework_filter){.limit = 11}, &pages);
    assert_int_equal(json_array_size(all), 44);
    assert_int_equal(pages, 4);
    json_decref(all);

    all = walk_pages(s, true, (struct framework_filter){.limit = 10, .status = "partner"}, &pages);
    assert_int_equal(json_array_size(all), 11);
    assert_int_equal(pages, 2);
    json_decref(all);

    /* Filters and q stay exact across pages. */
    all = walk_pages(s, false, (struct framework_filter){.limit = 4, .kind = "field_operation"},
                     &pages);
    assert_int_equal(json_array_size(all), 15);
    json_decref(all);

    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    struct framework_filter bad = {.cursor = "AAAA", .limit = 10};
    assert_int_equal(framework_organisations_list(s, &bad, &items, next, &err), P_EINVAL);
    assert_string_equal(err.field, "cursor");
    bad = (struct framework_filter){.limit = 0};
    assert_int_equal(framework_countries_list(s, &bad, &items, next, &err), P_EINVAL);
    assert_string_equal(err.field, "limit");
    bad = (struct framework_filter){.kind = "club", .limit = 10};
    assert_int_equal(framework_organisations_list(s, &bad, &items, next, &err), P_EINVAL);
    assert_string_equal(err.field, "kind");
}

static void test_search(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    static const struct {
        const char *q;
        bool countries;
        const char *first;
        size_t count;
    } cases[] = {
        {"bishkek", false, "BISHKEK", 1}, {"BISHKEK", false, "BISHKEK", 1},
        {"бишкек", false, "BISHKEK", 1},  {"БИШКЕКЕ", false, "BISHKEK", 1},
        {"кыргыз", true, "KG", 1},        {"kg", true, "KG", 1},
        {"afghan", true, "AF", 1},        {"no such thing", false, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int pages;
        json_t *all = walk_pages(s, cases[i].countries,
                                 (struct framework_filter){.q = cases[i].q, .limit = 3}, &pages);
        if (json_array_size(all) != cases[i].count)
            fail_msg("q=%s: %zu results", cases[i].q, json_array_size(all));
        if (cases[i].first)
            assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "code")),
                                cases[i].first);
        json_decref(all);
    }
    buf folded = BUF_INIT;
    framework_casefold("ÀÉÎ Ёлка ΑΒΓ Ǆ", &folded);
    assert_string_equal(buf_str(&folded), "àéî ёлка αβγ Ǆ");
    buf_free(&folded);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_twice_inserts_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_and_update_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyset_pagination, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
