/* test_export.c: the activities exports against a real SQLite file: CSV cells (quotes
 * doubled, cells that spreadsheets would read as formulas guarded), the CSV and JSON
 * exports of created activities, and the IATI mappings of status, dates, sectors and
 * percentage shares, and the XML the IATI export writes for one activity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "activities/activities.h"
#include "activities/export.h"
#include "activities/iati.h"
#include "app.h"
#include "core/config.h"
#include "framework/framework.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct actor tester = {"tester", "127.0.0.1"};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fixture_open(fx, "export") != 0) return -1;
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

static void cell_is(const char *in, const char *want)
{
    buf b = BUF_INIT;
    export_csv_cell(&b, in, strlen(in));
    assert_string_equal(buf_str(&b), want);
    buf_free(&b);
}

static void test_csv_cells(void **state)
{
    cell_is("plain", "plain");
    cell_is("", "");
    cell_is("a,b", "\"a,b\"");
    cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
    cell_is("two\r\nlines", "\"two\r\nlines\"");
    cell_is("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
    cell_is("=1+2", "'=1+2");
    cell_is("+7", "'+7");
    cell_is("-3", "'-3");
    cell_is("@SUM(A1)", "'@SUM(A1)");
    cell_is("\tx", "'\tx");
    cell_is("a=b", "a=b");
    cell_is("Семинар", "Семинар");
}

static void test_iati_mappings(void **state)
{
    assert_int_equal(iati_status_code("planned"), 1);
    assert_int_equal(iati_status_code("ongoing"), 2);
    assert_int_equal(iati_status_code("completed"), 4);
    assert_int_equal(iati_status_code("cancelled"), 5);
    assert_int_equal(iati_status_code("paused"), 0);
    assert_int_equal(iati_status_code(NULL), 0);
    assert_int_equal(iati_date_type("planned_start"), 1);
    assert_int_equal(iati_date_type("actual_start"), 2);
    assert_int_equal(iati_date_type("planned_end"), 3);
    assert_int_equal(iati_date_type("actual_end"), 4);
    assert_int_equal(iati_date_type("created_at"), 0);
    assert_int_equal(iati_dac_code("THB"), 15132);
    assert_int_equal(iati_dac_code("PDR"), 15132);
    assert_int_equal(iati_dac_code("DRUGS"), 16063);
    assert_int_equal(iati_dac_code("OC"), 15130);
    for (size_t n = 1; n <= 12; n++) {
        size_t sum = 0;
        for (size_t i = 0; i < n; i++) {
            char pct[8];
            unsigned whole, cents;
            iati_share(i, n, pct);
            assert_int_equal(sscanf(pct, "%u.%2u", &whole, &cents), 2);
            sum += whole * 100 + cents;
        }
        assert_int_equal(sum, 10000);
    }
    char pct[8];
    iati_share(0, 3, pct);
    assert_string_equal(pct, "33.34");
    iati_share(2, 3, pct);
    assert_string_equal(pct, "33.33");
}

static const char activity_json[] =
    "{\"title\":{\"en\":\"=cmd|' /C calc'!A0, \\\"quoted\\\"\","
    "\"ru\":\"Семинар по торговле людьми <&>\"},"
    "\"description\":{\"en\":\"Line one\\nline two\"},"
    "\"type\":\"conference\",\"lead_org\":\"BAKU\",\"planned_start\":\"2013-06-01\","
    "\"planned_end\":\"2013-06-02\",\"actual_start\":\"2013-06-01\",\"actual_end\":\"2013-06-02\","
    "\"status\":\"completed\",\"host_country\":\"AZ\",\"beneficiary_countries\":[\"AZ\",\"GE\","
    "\"AM\"],"
    "\"priorities\":[\"THB\",\"OC\"],\"lines\":[\"INFO\"],\"target_groups\":[\"police\"],"
    "\"partners\":[\"ILO\"],\"participants_total\":40,\"participants_women\":15,"
    "\"participants_men\":25,\"participants_by_country\":{\"AZ\":30},"
    "\"budget\":{\"amount\":1500.25,\"currency\":\"EUR\",\"source\":\"Unified budget\"}}";

static void create_one(store *s, char id[static 64])
{
    json_t *fields = json_loads(activity_json, 0, NULL);
    assert_non_null(fields);
    json_t *rec = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = activities_create(s, fields, &tester, &rec, &err);
    if (rc != P_OK) fail_msg("create: %s (%s)", err.message, err.field);
    snprintf(id, 64, "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(fields);
    json_decref(rec);
}

static void test_csv_and_json_exports(void **state)
{
    struct fixture *fx = *state;
    char id[64];
    create_one(fx->s, id);
    struct activities_filter f = {0};
    p_error err;
    p_error_clear(&err);
    buf csv = BUF_INIT;
    assert_int_equal(export_csv(fx->s, &f, &csv, &err), P_OK);
    const char *text = buf_str(&csv);
    assert_true(strncmp(text, "id,title_en,title_ru,description_en,description_ru,type,", 56) == 0);
    assert_non_null(strstr(text, "\"'=cmd|' /C calc'!A0, \"\"quoted\"\"\""));
    assert_non_null(strstr(text, ",Семинар по торговле людьми <&>,"));
    assert_non_null(strstr(text, "\"Line one\nline two\""));
    assert_non_null(strstr(text, ",AM;AZ;GE,")); /* lists come back sorted */
    assert_non_null(strstr(text, ",AZ:30,"));
    assert_non_null(strstr(text, ",1500.25,EUR,Unified budget,"));
    buf_free(&csv);

    buf js = BUF_INIT;
    assert_int_equal(export_json(fx->s, &f, &js, &err), P_OK);
    json_t *arr = json_loads(buf_str(&js), 0, NULL);
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "id")), id);
    json_decref(arr);
    buf_free(&js);

    /* A filter that keeps nothing gives a header alone and an empty array. */
    f.status = "planned";
    buf empty = BUF_INIT;
    assert_int_equal(export_json(fx->s, &f, &empty, &err), P_OK);
    assert_string_equal(buf_str(&empty), "[]\n");
    buf_reset(&empty);
    assert_int_equal(export_csv(fx->s, &f, &empty, &err), P_OK);
    assert_null(strchr(strchr(buf_str(&empty), '\n') + 1, '\n'));
    buf_free(&empty);

    /* A q without words is refused, naming q. */
    f.status = NULL;
    f.q = "***";
    buf bad = BUF_INIT;
    assert_int_equal(export_csv(fx->s, &f, &bad, &err), P_EINVAL);
    assert_string_equal(err.field, "q");
    buf_free(&bad);
}

static void test_iati_xml(void **state)
{
    struct fixture *fx = *state;
    char id[64];
    create_one(fx->s, id);
    struct activities_filter f = {0};
    p_error err;
    p_error_clear(&err);
    buf x = BUF_INIT;
    assert_int_equal(iati_export(fx->s, &f, &x, &err), P_OK);
    const char *xml = buf_str(&x);
    char want[128];
    snprintf(want, sizeof want, "<iati-identifier>" IATI_ORG_REF_DEFAULT "-%s</iati-identifier>",
             id);
    assert_non_null(strstr(xml, "<iati-activities version=\"2.03\" generated-datetime=\""));
    assert_non_null(strstr(xml, want));
    buf_free(&x);
    /* a deployment's registered identifier replaces it everywhere */
    setenv("POLIS_IATI_ORG_REF", "XM-DAC-47131", 1);
    config_reload();
    assert_int_equal(iati_export(fx->s, &f, &x, &err), P_OK);
    xml = buf_str(&x);
    snprintf(want, sizeof want, "<iati-identifier>XM-DAC-47131-%s</iati-identifier>", id);
    assert_non_null(strstr(xml, want));
    assert_non_null(strstr(xml, "<reporting-org ref=\"XM-DAC-47131\""));
    assert_null(strstr(xml, IATI_ORG_REF_DEFAULT));
    buf_free(&x);
    /* a malformed one is refused in favour of the default */
    setenv("POLIS_IATI_ORG_REF", "XM DAC<47131>", 1);
    config_reload();
    assert_string_equal(config_get()->iati_org_ref, IATI_ORG_REF_DEFAULT);
    unsetenv("POLIS_IATI_ORG_REF");
    config_reload();
    assert_int_equal(iati_export(fx->s, &f, &x, &err), P_OK);
    xml = buf_str(&x);
    assert_non_null(strstr(xml, "<activity-status code=\"4\"/>"));
    assert_non_null(strstr(xml, "<activity-date type=\"1\" iso-date=\"2013-06-01\"/>"));
    assert_non_null(strstr(xml, "<activity-date type=\"4\" iso-date=\"2013-06-02\"/>"));
    assert_non_null(strstr(xml, "<sector vocabulary=\"1\" code=\"15132\" percentage=\"50.00\"/>"));
    assert_non_null(strstr(xml, "<sector vocabulary=\"1\" code=\"15130\" percentage=\"50.00\"/>"));
    assert_non_null(
        strstr(xml, "vocabulary=\"99\" vocabulary-uri=\"" IATI_PRIORITIES_URI "\" code=\"THB\""));
    assert_non_null(strstr(xml, "<tag vocabulary=\"99\""));
    assert_non_null(strstr(xml, "code=\"INFO\""));
    assert_non_null(strstr(xml, "percentage=\"33.34\""));
    assert_non_null(strstr(xml, "<dimension name=\"sex\" value=\"female\"/>"));
    assert_non_null(strstr(xml, "<actual value=\"15\">"));
    assert_non_null(strstr(xml, "<actual value=\"25\">"));
    /* Text is escaped by the writer, not pasted. */
    assert_non_null(strstr(xml, "Семинар по торговле людьми &lt;&amp;&gt;"));
    assert_null(strstr(xml, "<&>"));
    buf_free(&x);

    /* The schema wants at least one activity in a file: none matching is P_ENOTFOUND. */
    f.status = "cancelled";
    buf none = BUF_INIT;
    assert_int_equal(iati_export(fx->s, &f, &none, &err), P_ENOTFOUND);
    buf_free(&none);
}

/* More activities than one page of the list: every one is exported once, in order. */
static void test_exports_span_pages(void **state)
{
    struct fixture *fx = *state;
    enum { N = 1203 };
    p_error err;
    p_error_clear(&err);
    for (int i = 0; i < N; i++) {
        char text[256];
        snprintf(text, sizeof text,
                 "{\"title\":{\"en\":\"Paged export %04d\"},\"type\":\"training\","
                 "\"lead_org\":\"BISHKEK\",\"planned_start\":\"2014-01-01\"}",
                 i);
        json_t *fields = json_loads(text, 0, NULL);
        assert_non_null(fields);
        int rc = activities_create(fx->s, fields, &tester, NULL, &err);
        if (rc != P_OK) fail_msg("create %d: %s", i, err.message);
        json_decref(fields);
    }
    struct activities_filter f = {.sort = "id"};
    buf js = BUF_INIT;
    int rc = export_json(fx->s, &f, &js, &err);
    if (rc != P_OK) fail_msg("export_json: %s (%s)", err.message, err.field);
    json_t *arr = json_loads(buf_str(&js), 0, NULL);
    assert_int_equal(json_array_size(arr), N);
    for (size_t i = 0; i < N; i++) {
        char want[32];
        snprintf(want, sizeof want, "Paged export %04zu", i);
        json_t *title = json_object_get(json_array_get(arr, i), "title");
        assert_string_equal(json_string_value(json_object_get(title, "en")), want);
    }
    json_decref(arr);
    buf_free(&js);
    buf csv = BUF_INIT;
    assert_int_equal(export_csv(fx->s, &f, &csv, &err), P_OK);
    size_t rows = 0;
    for (const char *p = buf_str(&csv); (p = strstr(p, "\r\n")); p += 2)
        rows++;
    assert_int_equal(rows, N + 1);
    buf_free(&csv);
    buf x = BUF_INIT;
    assert_int_equal(iati_export(fx->s, &f, &x, &err), P_OK);
    size_t activities = 0;
    for (const char *p = buf_str(&x); (p = strstr(p, "<iati-activity ")); p++)
        activities++;
    assert_int_equal(activities, N);
    buf_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_iati_mappings),
        cmocka_unit_test_setup_teardown(test_csv_and_json_exports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iati_xml, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exports_span_pages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
