/* test_import_bulk.c: a large import (over IMPORT_DEFER_MIN_ROWS rows, so it builds the
 * registry's secondary indexes after its rows and writes the date-range index set-wise)
 * stores exactly what creating the same records one by one stores: records, link rows,
 * date-range index and scoring rows, audit entries and the schema's indexes; into a registry larger
 * than the file it keeps the indexes as they are; a refused file leaves them all; a large
 * file's import has a larger page cache while it runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "activities/activities.h"
#include "activities/import.h"
#include "activities/import_bulk.h"
#include "app.h"
#include "core/buf.h"
#include "framework/framework.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROWS (IMPORT_DEFER_MIN_ROWS + 150)

struct db {
    char dir[64];
    char path[96];
    store *s;
};

static const struct actor tester = {"tester", "127.0.0.1"};

static void open_db(struct db *d)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/polis-bulk-XXXXXX");
    assert_non_null(mkdtemp(d->dir));
    snprintf(d->path, sizeof d->path, "%s/polis.db", d->dir);
    p_error err;
    p_error_clear(&err);
    assert_int_equal(app_open_db(d->path, &d->s, &err), P_OK);
    assert_int_equal(framework_load_reference(d->s, &tester, &err), P_OK);
}

static void close_db(struct db *d)
{
    store_close(d->s);
    char side[128];
    unlink(d->path);
    snprintf(side, sizeof side, "%s-wal", d->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", d->path);
    unlink(side);
    rmdir(d->dir);
}

/* Create body i of a varied set: with and without an end, periods of one day, a few
 * months, 23, 24 and 36 months, a host country that is also a beneficiary, one or two
 * priorities and focus areas, participants by country, a Russian title. */
static json_t *body(int i)
{
    static const char *const leads[] = {"BAKU", "SPMU", "TNTD", "ODIHR", "YEREVAN"};
    static const char *const types[] = {"training", "workshop", "conference", "seminar"};
    int year = 2005 + i % 20, month = 1 + i % 12, day = 1 + i % 28;
    char start[32], end[32], title[48];
    snprintf(start, sizeof start, "%04d-%02d-%02d", year, month, day);
    snprintf(title, sizeof title, "Bulk row %d", i);
    json_t *b = json_pack("{s:{s:s}, s:s, s:s, s:s, s:[s], s:[s]}", "title", "en", title, "type",
                          types[i % 4], "lead_org", leads[i % 5], "planned_start", start,
                          "priorities", "THB", "focus_areas", "THB-VICTIM");
    if (i % 7 == 0) json_object_set_new(json_object_get(b, "title"), "ru", json_string("Семинар"));
    int months[] = {0, 2, 36, 0, 24, 23}; /* months from start to end; 0: see below */
    int k = i % 6;
    if (months[k] > 0) {
        int m = month - 1 + months[k];
        snprintf(end, sizeof end, "%04d-%02d-%02d", year + m / 12, 1 + m % 12, k == 4 ? 1 : day);
        json_object_set_new(b, "planned_end", json_string(end));
    } else if (k == 3) { /* the same day */
        json_object_set_new(b, "planned_end", json_string(start));
    }
    if (i % 3 != 0) json_object_set_new(b, "host_country", json_string(i % 2 ? "AZ" : "GE"));
    if (i % 5 != 0)
        json_object_set_new(b, "beneficiary_countries", json_pack("[s, s]", "AZ", "AM"));
    if (i % 2) {
        json_array_append_new(json_object_get(b, "priorities"), json_string("OC"));
        json_array_append_new(json_object_get(b, "focus_areas"), json_string("OC-INVEST"));
    }
    if (i % 6 == 0) {
        json_object_set_new(b, "lines", json_pack("[s]", "INFO"));
        json_object_set_new(b, "target_groups", json_pack("[s, s]", "police", "judges"));
        json_object_set_new(b, "partners", json_pack("[s]", "ILO"));
        json_object_set_new(b, "participants_total", json_integer(10));
        json_object_set_new(b, "participants_by_country",
                            json_pack("{s:i, s:i}", "AZ", 6, "GE", 4));
    }
    return b;
}

static json_t *bodies(int from, int to)
{
    json_t *a = json_array();
    for (int i = from; i < to; i++)
        json_array_append_new(a, body(i));
    return a;
}

/* The rows of sql (no parameters), one line each, columns separated by '|'. */
static char *dump(store *s, const char *sql)
{
    p_error err;
    p_error_clear(&err);
    store_stmt *st;
    assert_int_equal(store_prepare(s, sql, &st, &err), P_OK);
    buf out = BUF_INIT;
    int step;
    while ((step = store_step(st, &err)) == STORE_ROW) {
        for (int c = 0; c < store_column_count(st); c++)
            buf_printf(&out, "%s%s", c ? "|" : "",
                       store_col_null(st, c) ? "NULL" : store_col_text(st, c));
        buf_putc(&out, '\n');
    }
    store_reset(st);
    assert_int_equal(step, STORE_DONE);
    return buf_steal(&out, NULL);
}

/* What two registries must hold alike (times aside). */
static const char *const compared[] = {
    "SELECT id, public_id, type, status, lead_org, host_country, title_en, title_ru,"
    " title_sort, planned_start, planned_end, participants_total FROM activities ORDER BY id",
    "SELECT * FROM activity_periods ORDER BY kind, code, month, activity_id",
    "SELECT activity_id, priority_code FROM activity_priorities ORDER BY 1, 2",
    "SELECT activity_id, focus_code FROM activity_focus_areas ORDER BY 1, 2",
    "SELECT activity_id, country_code FROM activity_beneficiaries ORDER BY 1, 2",
    "SELECT activity_id, country_code, count FROM activity_participants ORDER BY 1, 2",
    "SELECT activity_id, target_group FROM activity_target_groups ORDER BY 1, 2",
    "SELECT rowid, activity_id, org_code FROM activity_partners ORDER BY 1",
    "SELECT rowid, activity_id, line_code FROM activity_lines ORDER BY 1",
    "SELECT * FROM activity_counters ORDER BY 1, 2",
    "SELECT * FROM activity_scoring ORDER BY activity_id",
    "SELECT actor, action, entity, entity_id, before,"
    " json_remove(after, '$.created_at', '$.updated_at') FROM audit"
    " WHERE entity = 'activity' ORDER BY id",
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name",
    "SELECT rowid, title_en FROM activities_fts WHERE activities_fts MATCH 'bulk' ORDER BY rowid",
};

static void same(store *a, store *b)
{
    for (size_t q = 0; q < sizeof compared / sizeof *compared; q++) {
        char *x = dump(a, compared[q]), *y = dump(b, compared[q]);
        if (strcmp(x, y) != 0) print_message("differs: %s\n", compared[q]);
        assert_string_equal(x, y);
        free(x);
        free(y);
    }
    char *ok = dump(a, "PRAGMA integrity_check");
    assert_string_equal(ok, "ok\n");
    free(ok);
}

static void create_each(store *s, json_t *items)
{
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        p_error err;
        p_error_clear(&err);
        int rc = activities_create(s, item, &tester, NULL, &err);
        if (rc != P_OK) print_message("row %zu: %s %s\n", i + 1, err.field, err.message);
        assert_int_equal(rc, P_OK);
    }
}

static void import_json(store *s, json_t *items, int want, struct import_report *rep)
{
    char *text = json_dumps(items, JSON_COMPACT);
    p_error err;
    p_error_clear(&err);
    int rc = import_activities(s, text, strlen(text), IMPORT_JSON, &tester, NULL, rep, &err);
    if (rc != want && json_array_size(rep->errors))
        print_message("%s\n", json_dumps(json_array_get(rep->errors, 0), 0));
    assert_int_equal(rc, want);
    free(text);
}

static void test_same_as_one_by_one(void **state)
{
    (void)state;
    struct db bulk, single;
    open_db(&bulk);
    open_db(&single);
    json_t *items = bodies(0, ROWS);
    struct import_report rep;
    import_json(bulk.s, items, P_OK, &rep);
    assert_int_equal(rep.imported, ROWS);
    import_report_free(&rep);
    create_each(single.s, items);
    same(bulk.s, single.s);
    json_decref(items);

    /* a few more into a registry now larger than the file: written row by row */
    items = bodies(ROWS, ROWS + 20);
    import_json(bulk.s, items, P_OK, &rep);
    import_report_free(&rep);
    create_each(single.s, items);
    same(bulk.s, single.s);
    json_decref(items);
    close_db(&bulk);
    close_db(&single);
}

static void test_refused_keeps_indexes(void **state)
{
    (void)state;
    struct db d;
    open_db(&d);
    const char *indexes = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name";
    char *before = dump(d.s, indexes);
    json_t *items = bodies(0, ROWS);
    json_object_set_new(json_array_get(items, ROWS - 1), "type", json_string("picnic"));
    struct import_report rep;
    import_json(d.s, items, P_EUNPROC, &rep);
    assert_int_equal(rep.imported, 0);
    assert_int_equal(json_array_size(rep.errors), 1);
    json_t *e = json_array_get(rep.errors, 0);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), ROWS);
    assert_string_equal(json_string_value(json_object_get(e, "field")), "type");
    import_report_free(&rep);
    char *after = dump(d.s, indexes);
    assert_string_equal(before, after);
    char *n = dump(d.s, "SELECT count(*) FROM activities");
    assert_string_equal(n, "0\n");
    free(n);
    free(before);
    free(after);
    json_decref(items);
    close_db(&d);
}

/* A large file's import keeps more pages in the connection's cache while it runs and gives
 * the cache its size back after. */
static void test_cache(void **state)
{
    (void)state;
    struct db d;
    open_db(&d);
    p_error err;
    p_error_clear(&err);
    char *before = dump(d.s, "PRAGMA cache_size");
    int64_t was = 0;
    assert_int_equal(import_cache_grow(d.s, 1024, &was, &err), P_OK);
    assert_int_equal(was, 0); /* a small file: unchanged */
    assert_int_equal(import_cache_grow(d.s, 100u * 1024 * 1024, &was, &err), P_OK);
    assert_int_not_equal(was, 0);
    char *during = dump(d.s, "PRAGMA cache_size"), want[32];
    snprintf(want, sizeof want, "%d\n", -IMPORT_CACHE_MAX_KIB);
    assert_string_equal(during, want);
    import_cache_restore(d.s, was);
    char *after = dump(d.s, "PRAGMA cache_size");
    assert_string_equal(before, after);
    free(before);
    free(during);
    free(after);
    close_db(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_one_by_one),
        cmocka_unit_test(test_refused_keeps_indexes),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
