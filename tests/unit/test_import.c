/* test_import.c: the bulk import of activities against a real SQLite file: the CSV
 * reader's edge cases (quotes, doubled quotes, CRLF and LF, newlines inside quotes,
 * truncated files), all-or-nothing files whose errors name row and field, JSON bodies,
 * and the round trip of export_csv into a fresh database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "activities/activities.h"
#include "activities/export.h"
#include "activities/import.h"
#include "app.h"
#include "framework/framework.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char path[96];
    store *s;
};

static const struct actor tester = {"tester", "127.0.0.1"};

static store *open_db(struct fixture *fx)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/polis-import-XXXXXX");
    if (!mkdtemp(fx->dir)) return NULL;
    snprintf(fx->path, sizeof fx->path, "%s/polis.db", fx->dir);
    p_error err;
    p_error_clear(&err);
    if (app_open_db(fx->path, &fx->s, &err) != P_OK) return NULL;
    if (framework_load_reference(fx->s, &tester, &err) != P_OK) return NULL;
    return fx->s;
}

static void close_db(struct fixture *fx)
{
    store_close(fx->s);
    char side[128];
    unlink(fx->path);
    snprintf(side, sizeof side, "%s-wal", fx->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", fx->path);
    unlink(side);
    rmdir(fx->dir);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (!open_db(fx)) return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    close_db(fx);
    free(fx);
    return 0;
}

/* All activities, in order of creation. */
static json_t *all(store *s)
{
    struct activities_filter f = {.sort = "id", .limit = 1000};
    json_t *items = NULL;
    char next[CURSOR_MAX];
    p_error err;
    p_error_clear(&err);
    assert_int_equal(activities_list(s, &f, &items, next, &err), P_OK);
    return items;
}

static size_t count(store *s)
{
    json_t *items = all(s);
    size_t n = json_array_size(items);
    json_decref(items);
    return n;
}

static int run(store *s, const char *text, enum import_format fmt, struct import_report *rep)
{
    p_error err;
    p_error_clear(&err);
    return import_activities(s, text, strlen(text), fmt, &tester, NULL, rep, &err);
}

/* Asserts that error i of rep names row and field (and that message holds part). */
static void error_is(struct import_report *rep, size_t i, long long row, const char *field,
                     const char *part)
{
    json_t *e = json_array_get(rep->errors, i);
    assert_non_null(e);
    assert_int_equal(json_integer_value(json_object_get(e, "row")), row);
    assert_string_equal(json_string_value(json_object_get(e, "field")), field);
    if (part) assert_non_null(strstr(json_string_value(json_object_get(e, "message")), part));
}

#define HEADER "title_en,type,lead_org,planned_start,priorities\r\n"

static void test_csv_reader(void **state)
{
    struct fixture *fx = *state;
    struct import_report rep;
    /* quoted fields, doubled quotes, a comma and a newline inside quotes, LF and CRLF,
     * the guard export puts before '=', and a last row without a line end */
    const char *csv = "title_en,description_en,type,lead_org,planned_start,priorities\n"
                      "\"Say \"\"hi\"\", then, go\",\"line one\r\nline two\",training,BAKU,"
                      "2013-06-01,THB;OC\r\n"
                      "'=SUM(A1),,conference,BAKU,2014-01-01,\n"
                      "\n"
                      "Plain,x,seminar,BAKU,2015-02-03,THB";
    assert_int_equal(run(fx->s, csv, IMPORT_CSV, &rep), P_OK);
    assert_int_equal(rep.imported, 3);
    assert_int_equal(json_array_size(rep.errors), 0);
    import_report_free(&rep);
    json_t *items = all(fx->s);
    assert_int_equal(json_array_size(items), 3);
    json_t *a = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "title"), "en")),
                        "Say \"hi\", then, go");
    assert_string_equal(json_string_value(json_object_get(json_object_get(a, "description"), "en")),
                        "line one\r\nline two");
    assert_int_equal(json_array_size(json_object_get(a, "priorities")), 2);
    json_t *b = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(b, "title"), "en")),
                        "=SUM(A1)");
    json_decref(items);

    /* an unterminated quote at the end of the file names its row; nothing is written */
    assert_int_equal(
        run(fx->s, HEADER "A,training,BAKU,2013-06-01,THB\r\n\"B,training,BAKU", IMPORT_CSV, &rep),
        P_EUNPROC);
    assert_int_equal(rep.imported, 0);
    error_is(&rep, 0, 2, "", "not closed");
    import_report_free(&rep);
    /* text after a closing quote */
    assert_int_equal(run(fx->s, HEADER "\"A\"x,training,BAKU,2013-06-01,THB\r\n", IMPORT_CSV, &rep),
                     P_EUNPROC);
    error_is(&rep, 0, 1, "", "closing quote");
    import_report_free(&rep);
    /* a row with a field too many */
    assert_int_equal(
        run(fx->s, HEADER "A,training,BAKU,2013-06-01,THB,extra\r\n", IMPORT_CSV, &rep), P_EUNPROC);
    error_is(&rep, 0, 1, "", "6 fields");
    import_report_free(&rep);
    /* unknown and duplicate columns are header (row 0) errors */
    assert_int_equal(run(fx->s, "title_en,colour\r\nA,red\r\n", IMPORT_CSV, &rep), P_EUNPROC);
    error_is(&rep, 0, 0, "colour", "unknown column");
    import_report_free(&rep);
    assert_int_equal(run(fx->s, "type,type\r\na,b\r\n", IMPORT_CSV, &rep), P_EUNPROC);
    error_is(&rep, 0, 0, "type", "twice");
    import_report_free(&rep);
    /* empty file, header only, invalid UTF-8 */
    assert_int_equal(run(fx->s, "", IMPORT_CSV, &rep), P_EUNPROC);
    error_is(&rep, 0, 0, "", "empty");
    import_report_free(&rep);
    assert_int_equal(run(fx->s, HEADER, IMPORT_CSV, &rep), P_EUNPROC);
    error_is(&rep, 0, 0, "", "no rows");
    import_report_free(&rep);
    assert_int_equal(
        run(fx->s,
            HEADER "A,training,BAKU,2013-06-01,THB\r\nB\xff\xfe,training,BAKU,2013-06-01,THB\r\n",
            IMPORT_CSV, &rep),
        P_EUNPROC);
    error_is(&rep, 0, 2, "title_en", "UTF-8");
    import_report_free(&rep);
    assert_int_equal(count(fx->s), 3);
}

static void test_all_or_nothing(void **state)
{
    struct fixture *fx = *state;
    buf csv = BUF_INIT;
    buf_puts(&csv, "id,title_en,type,lead_org,planned_start,priorities,participants_total,"
                   "participants_women,tot\r\n");
    for (int i = 1; i <= 50; i++) {
        if (i == 17)
            buf_puts(&csv, ",Bad,training,BAKU,2013-13-45,THB,10,2,false\r\n");
        else
            buf_printf(&csv, ",Row %d,training,BAKU,2013-06-01,THB,10,2,false\r\n", i);
    }
    struct import_report rep;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(
        import_activities(fx->s, buf_str(&csv), csv.len, IMPORT_CSV, &tester, NULL, &rep, &err),
        P_EUNPROC);
    assert_int_equal(rep.imported, 0);
    assert_int_equal(json_array_size(rep.errors), 1);
    error_is(&rep, 0, 17, "planned_start", NULL);
    import_report_free(&rep);
    assert_int_equal(count(fx->s), 0);
    buf_free(&csv);

    /* several errors, each with its row and field */
    const char *bad = "id,title_en,type,lead_org,planned_start,priorities,participants_total,"
                      "participants_women,tot\r\n"
                      "BAKU-2012-0001,A,training,BAKU,2013-06-01,THB,10,2,false\r\n"
                      ",B,training,BAKU,2013-06-01,THB,ten,2,false\r\n"
                      ",C,training,NOPE,2013-06-01,THB,10,2,false\r\n"
                      ",D,training,BAKU,2013-06-01,THB,10,20,false\r\n"
                      ",E,training,BAKU,2013-06-01,THB,10,2,maybe\r\n"
                      ",F,nonsense,BAKU,2013-06-01,THB,10,2,false\r\n"
                      ",G,training,BAKU,2013-06-01,THB,10,2,false\r\n";
    assert_int_equal(run(fx->s, bad, IMPORT_CSV, &rep), P_EUNPROC);
    assert_int_equal(json_array_size(rep.errors), 6);
    error_is(&rep, 0, 1, "id", "BAKU-2013-NNNN");
    error_is(&rep, 1, 2, "participants_total", "whole number");
    error_is(&rep, 2, 3, "lead_org", NULL);
    error_is(&rep, 3, 4, "participants_women", NULL);
    error_is(&rep, 4, 5, "tot", "true or false");
    error_is(&rep, 5, 6, "type", NULL);
    import_report_free(&rep);
    assert_int_equal(count(fx->s), 0);
}

static void test_json(void **state)
{
    struct fixture *fx = *state;
    struct import_report rep;
    const char *ok = "{\"activities\":[{\"title\":{\"en\":\"A\"},\"type\":\"training\","
                     "\"lead_org\":\"BAKU\",\"planned_start\":\"2013-06-01\","
                     "\"priorities\":[\"THB\"]},{\"title\":{\"en\":\"B\"},\"type\":\"training\","
                     "\"lead_org\":\"BAKU\",\"planned_start\":\"2014-06-01\","
                     "\"priorities\":[\"OC\"]}]}";
    assert_int_equal(run(fx->s, ok, IMPORT_JSON, &rep), P_OK);
    assert_int_equal(rep.imported, 2);
    import_report_free(&rep);
    const char *bad = "[{\"title\":{\"en\":\"A\"},\"type\":\"training\",\"lead_org\":\"BAKU\","
                      "\"planned_start\":\"2013-06-01\",\"priorities\":[\"THB\"]},"
                      "{\"id\":12},{\"colour\":1},7]";
    assert_int_equal(run(fx->s, bad, IMPORT_JSON, &rep), P_EUNPROC);
    assert_int_equal(json_array_size(rep.errors), 3);
    error_is(&rep, 0, 2, "id", NULL);
    error_is(&rep, 1, 3, "colour", NULL);
    error_is(&rep, 2, 4, "", "object");
    import_report_free(&rep);
    assert_int_equal(run(fx->s, "[1,", IMPORT_JSON, &rep), P_EUNPROC);
    error_is(&rep, 0, 0, "", "not valid JSON");
    import_report_free(&rep);
    assert_int_equal(run(fx->s, "  ", IMPORT_JSON, &rep), P_EUNPROC);
    error_is(&rep, 0, 0, "", "empty");
    import_report_free(&rep);
    assert_int_equal(count(fx->s), 2);
}

static void test_limit(void **state)
{
    struct fixture *fx = *state;
    setenv("POLIS_IMPORT_LIMIT", "10", 1);
    struct import_report rep;
    p_error err;
    p_error_clear(&err);
    const char *csv = HEADER "A,training,BAKU,2013-06-01,THB\r\n";
    assert_int_equal(
        import_activities(fx->s, csv, strlen(csv), IMPORT_CSV, &tester, NULL, &rep, &err),
        P_ETOOBIG);
    error_is(&rep, 0, 0, "", "larger than 10 bytes");
    import_report_free(&rep);
    unsetenv("POLIS_IMPORT_LIMIT");
    assert_int_equal(count(fx->s), 0);
}

static const char rich_json[] =
    "{\"title\":{\"en\":\"=cmd|' /C calc'!A0, \\\"quoted\\\"\","
    "\"ru\":\"Семинар по торговле людьми <&>\"},"
    "\"description\":{\"en\":\"Line one\\nline two\"},"
    "\"type\":\"conference\",\"lead_org\":\"BAKU\",\"planned_start\":\"2013-06-01\","
    "\"planned_end\":\"2013-06-02\",\"actual_start\":\"2013-06-01\",\"actual_end\":\"2013-06-02\","
    "\"status\":\"completed\",\"host_country\":\"AZ\",\"beneficiary_countries\":[\"AZ\",\"GE\"],"
    "\"priorities\":[\"THB\",\"OC\"],\"lines\":[\"INFO\"],\"target_groups\":[\"police\"],"
    "\"partners\":[\"ILO\"],\"participants_total\":40,\"participants_women\":15,"
    "\"participants_men\":25,\"participants_by_country\":{\"AZ\":30,\"GE\":10},\"tot\":true,"
    "\"budget\":{\"amount\":1500.25,\"currency\":\"EUR\",\"source\":\"Unified budget\"},"
    "\"outcomes\":\"-5 risks\"}";

/* Drops the members a load does not carry over; keep_id leaves the public id. */
static void strip_volatile(json_t *items, bool keep_id)
{
    size_t i;
    json_t *r;
    json_array_foreach(items, i, r)
    {
        if (!keep_id) json_object_del(r, "id");
        json_object_del(r, "created_at");
        json_object_del(r, "updated_at");
    }
}

/* Asserts that two lists of records are equal, record by record, printing the first
 * difference. */
static void same_records(json_t *want, json_t *got)
{
    assert_int_equal(json_array_size(got), json_array_size(want));
    size_t i;
    json_t *r;
    json_array_foreach(want, i, r)
    {
        json_t *g = json_array_get(got, i);
        if (!json_equal(r, g)) {
            char *a = json_dumps(r, JSON_SORT_KEYS), *b = json_dumps(g, JSON_SORT_KEYS);
            print_message("want %s\ngot  %s\n", a, b);
            free(a);
            free(b);
        }
        assert_true(json_equal(r, g));
    }
}

/* text with the id cell of every record in items emptied, as a file prepared by hand for
 * another registry might be. Caller frees with buf_free. */
static buf blank_ids(const char *text, json_t *items)
{
    buf blank = BUF_INIT;
    const char *p = text;
    size_t i;
    json_t *r;
    json_array_foreach(items, i, r)
    {
        char needle[80];
        snprintf(needle, sizeof needle, "\r\n%s,", json_string_value(json_object_get(r, "id")));
        const char *at = strstr(p, needle);
        assert_non_null(at);
        buf_append(&blank, p, (size_t)(at - p) + 2);
        p = at + strlen(needle) - 1;
    }
    buf_puts(&blank, p);
    return blank;
}

static void test_round_trip(void **state)
{
    struct fixture *fx = *state;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(activities_load_demo(fx->s, &tester, &err), P_OK);
    json_t *fields = json_loads(rich_json, 0, NULL);
    assert_non_null(fields);
    assert_int_equal(activities_create(fx->s, fields, &tester, NULL, &err), P_OK);
    json_decref(fields);
    json_t *before = all(fx->s);
    assert_true(json_array_size(before) > 5);

    struct activities_filter f = {.sort = "id"};
    buf csv = BUF_INIT;
    assert_int_equal(export_csv(fx->s, &f, &csv, &err), P_OK);

    /* an unchanged export loads into a new registry with the same ids */
    struct fixture other = {0};
    assert_non_null(open_db(&other));
    struct import_report rep;
    assert_int_equal(
        import_activities(other.s, buf_str(&csv), csv.len, IMPORT_CSV, &tester, NULL, &rep, &err),
        P_OK);
    assert_int_equal(rep.imported, json_array_size(before));
    import_report_free(&rep);
    json_t *after = all(other.s);
    strip_volatile(before, true);
    strip_volatile(after, true);
    same_records(before, after);
    json_decref(after);

    /* a second load of the same file is refused on every row's id and writes nothing */
    assert_int_equal(
        import_activities(other.s, buf_str(&csv), csv.len, IMPORT_CSV, &tester, NULL, &rep, &err),
        P_EUNPROC);
    assert_int_equal(json_array_size(rep.errors), json_array_size(before));
    error_is(&rep, 0, 1, "id", "exists already");
    import_report_free(&rep);
    assert_int_equal(count(other.s), json_array_size(before));
    close_db(&other);

    /* with the ids emptied, the records are the same and Polis numbers them */
    buf blank = blank_ids(buf_str(&csv), before);
    assert_non_null(open_db(&other));
    assert_int_equal(import_activities(other.s, buf_str(&blank), blank.len, IMPORT_CSV, &tester,
                                       NULL, &rep, &err),
                     P_OK);
    assert_int_equal(rep.imported, json_array_size(before));
    import_report_free(&rep);
    after = all(other.s);
    strip_volatile(before, false);
    strip_volatile(after, false);
    same_records(before, after);
    json_decref(before);
    json_decref(after);
    close_db(&other);
    buf_free(&csv);
    buf_free(&blank);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
