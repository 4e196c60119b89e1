/* test_report.c: the annual report against a real SQLite file with the reference data,
 * the demo activities and a few activities of known figures: totals by priority, type,
 * organisation (and its region order) and country, the share of women, the series of
 * previous years, small-count suppression and the CSV and HTML renderings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "activities/activities.h"
#include "activities/report.h"
#include "activities/report_format.h"
#include "app.h"
#include "framework/framework.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct actor tester = {"tester", "127.0.0.1"};

/* Activities of 2014 and 2015 (the demo data ends in 2013, so these years hold only them). */
static const char *const fixtures[] = {
    "{\"title\":{\"en\":\"A\"},\"type\":\"training\",\"status\":\"planned\",\"lead_org\":\"SPMU\","
    "\"planned_start\":\"2015-03-01\",\"planned_end\":\"2015-03-05\",\"host_country\":\"RS\","
    "\"beneficiary_countries\":[\"RS\",\"ME\"],\"priorities\":[\"THB\",\"OC\"],"
    "\"lines\":[\"TRN\"],\"participants_total\":20,\"participants_women\":7,"
    "\"participants_men\":13}",
    "{\"title\":{\"en\":\"B\"},\"type\":\"conference\",\"status\":\"planned\","
    "\"lead_org\":\"BAKU\",\"planned_start\":\"2015-06-01\",\"planned_end\":\"2015-06-02\","
    "\"host_country\":\"AZ\",\"beneficiary_countries\":[\"AZ\"],\"priorities\":[\"THB\"],"
    "\"lines\":[\"TRN\"],\"participants_total\":3,\"participants_women\":1,"
    "\"participants_men\":2}",
    "{\"title\":{\"en\":\"C\"},\"type\":\"workshop\",\"status\":\"planned\","
    "\"lead_org\":\"BISHKEK\",\"planned_start\":\"2014-12-20\",\"planned_end\":\"2015-01-10\","
    "\"host_country\":\"KG\",\"priorities\":[\"PDR\"],\"lines\":[\"TRN\"],"
    "\"participants_total\":10}",
    "{\"title\":{\"en\":\"D\"},\"type\":\"training\",\"status\":\"planned\","
    "\"lead_org\":\"SERBIA\",\"planned_start\":\"2014-05-01\",\"planned_end\":\"2014-05-02\","
    "\"host_country\":\"RS\",\"priorities\":[\"CYBER\"],\"lines\":[\"TRN\"],"
    "\"participants_total\":7}",
    "{\"title\":{\"en\":\"E\"},\"type\":\"seminar\",\"status\":\"planned\",\"lead_org\":\"TNTD\","
    "\"planned_start\":\"2015-09-01\",\"priorities\":[\"CT\"],\"lines\":[\"TRN\"]}",
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fixture_open(fx, "report") != 0) return -1;
    p_error err;
    p_error_clear(&err);
    if (activities_load_demo(fx->s, &tester, &err) != P_OK) return -1;
    for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; i++) {
        json_t *fields = json_loads(fixtures[i], 0, NULL);
        if (!fields) return -1;
        int rc = activities_create(fx->s, fields, &tester, NULL, &err);
        json_decref(fields);
        if (rc != P_OK) {
            fprintf(stderr, "create %zu: %s (%s)\n", i, err.message, err.field);
            return -1;
        }
    }
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

static json_t *row(json_t *report, const char *section, const char *code)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(report, section), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "code")), code) == 0) return r;
    }
    fail_msg("no row %s in %s", code, section);
    return NULL;
}

static json_int_t count(json_t *r, const char *key)
{
    json_t *v = json_object_get(r, key);
    if (!json_is_integer(v)) fail_msg("%s is not a number", key);
    return json_integer_value(v);
}

static json_t *report_of(store *s, int year)
{
    p_error err;
    p_error_clear(&err);
    json_t *r = NULL;
    int rc = report_annual(s, year, &r, &err);
    if (rc != P_OK) fail_msg("report: %s", err.message);
    return r;
}

static void test_totals_and_breakdowns(void **state)
{
    struct fixture *fx = *state;
    json_t *r = report_of(fx->s, 2015);
    json_t *t = json_object_get(r, "totals");
    /* A, B, E, and C which runs from 2014 into 2015; E has no end and counts in 2015 */
    assert_int_equal(count(t, "activities"), 4);
    assert_int_equal(count(t, "participants"), 33);
    assert_int_equal(count(t, "women"), 8);
    assert_int_equal(count(t, "men"), 15);
    /* women over the participants of the activities that give women: 8 / 23 */
    assert_true(json_real_value(json_object_get(t, "women_share")) > 34.69 &&
                json_real_value(json_object_get(t, "women_share")) < 34.71);
    assert_int_equal(count(row(r, "priorities", "THB"), "activities"), 2);
    assert_int_equal(count(row(r, "priorities", "THB"), "participants"), 23);
    assert_int_equal(count(row(r, "priorities", "OC"), "activities"), 1);
    assert_int_equal(count(row(r, "priorities", "PDR"), "participants"), 10);
    assert_true(json_is_null(json_object_get(row(r, "priorities", "PDR"), "women_share")));
    assert_int_equal(count(row(r, "priorities", "CT"), "participants"), 0);
    assert_int_equal(json_array_size(json_object_get(r, "priorities")), 4);
    assert_int_equal(count(row(r, "types", "training"), "activities"), 1);
    assert_int_equal(count(row(r, "types", "conference"), "participants"), 3);
    assert_int_equal(json_array_size(json_object_get(r, "types")), 4);
    /* a host that is also a beneficiary counts once */
    assert_int_equal(count(row(r, "countries", "RS"), "activities"), 1);
    assert_int_equal(count(row(r, "countries", "AZ"), "activities"), 1);
    assert_int_equal(count(row(r, "countries", "ME"), "participants"), 20);
    assert_int_equal(count(row(r, "lines", "TRN"), "activities"), 4);
    /* Secretariat and units first, then field operations by region */
    json_t *orgs = json_object_get(r, "organisations");
    const char *want[] = {"SPMU", "TNTD", "BAKU", "BISHKEK"};
    assert_int_equal(json_array_size(orgs), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(orgs, i), "code")),
                            want[i]);
    assert_string_equal(
        json_string_value(json_object_get(row(r, "organisations", "BAKU"), "region")), "SC");
    assert_string_equal(
        json_string_value(json_object_get(row(r, "organisations", "BISHKEK"), "region_name")),
        "Central Asia");
    assert_true(json_is_null(json_object_get(row(r, "organisations", "SPMU"), "region")));
    json_decref(r);
}

static void test_series(void **state)
{
    struct fixture *fx = *state;
    json_t *r = report_of(fx->s, 2015);
    json_t *series = json_object_get(r, "series");
    assert_int_equal(json_array_size(series), 5);
    assert_int_equal(count(json_array_get(series, 0), "year"), 2011);
    assert_int_equal(count(json_array_get(series, 4), "year"), 2015);
    assert_int_equal(count(json_array_get(series, 4), "activities"), 4);
    /* 2014: C and D */
    assert_int_equal(count(json_array_get(series, 3), "activities"), 2);
    assert_int_equal(count(json_array_get(series, 3), "participants"), 17);
    /* the demo data: 2012 holds the Baku conference among others */
    json_t *r12 = report_of(fx->s, 2012);
    assert_true(count(json_object_get(r12, "totals"), "activities") >= 5);
    assert_int_equal(count(row(r12, "organisations", "BAKU"), "participants"), 100);
    assert_int_equal(count(json_array_get(series, 1), "activities"),
                     count(json_object_get(r12, "totals"), "activities"));
    json_decref(r12);
    json_decref(r);
    int latest = 0;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(report_latest_year(fx->s, &latest, &err), P_OK);
    assert_int_equal(latest, 2015);
    json_t *bad = NULL;
    assert_int_equal(report_annual(fx->s, 1989, &bad, &err), P_EINVAL);
    assert_string_equal(err.field, "year");
    assert_null(bad);
}

static void test_suppress(void **state)
{
    (void)state;
    json_t *r = json_pack("{s:{s:i,s:i,s:i,s:i,s:f},s:[{s:s,s:i,s:i,s:i,s:i,s:f}]}", "totals",
                          "activities", 3, "participants", 0, "women", 7, "men", 3, "women_share",
                          70.0, "types", "code", "training", "activities", 5, "participants", 4,
                          "women", 0, "men", 4, "women_share", 0.0);
    assert_non_null(r);
    report_suppress(r, 5);
    json_t *t = json_object_get(r, "totals");
    assert_string_equal(json_string_value(json_object_get(t, "activities")), "<5");
    assert_int_equal(count(t, "participants"), 0);
    assert_int_equal(count(t, "women"), 7);
    assert_string_equal(json_string_value(json_object_get(t, "men")), "<5");
    assert_true(json_is_null(json_object_get(t, "women_share")));
    json_t *ty = json_array_get(json_object_get(r, "types"), 0);
    assert_int_equal(count(ty, "activities"), 5);
    assert_string_equal(json_string_value(json_object_get(ty, "participants")), "<5");
    assert_int_equal(count(r, "suppressed"), 5);
    json_decref(r);
    json_t *other = json_pack("{s:{s:i}}", "totals", "activities", 9);
    report_suppress(other, 10);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(other, "totals"), "activities")), "<10");
    json_decref(other);
}

static void test_suppressed_report_and_formats(void **state)
{
    struct fixture *fx = *state;
    json_t *r = report_of(fx->s, 2015);
    report_suppress(r, 5);
    assert_string_equal(
        json_string_value(json_object_get(row(r, "organisations", "BAKU"), "participants")), "<5");
    assert_int_equal(count(row(r, "priorities", "THB"), "participants"), 23);
    assert_int_equal(count(row(r, "priorities", "CT"), "participants"), 0);
    buf csv = BUF_INIT;
    report_format_csv(&csv, r);
    assert_non_null(strstr(buf_str(&csv),
                           "section,code,name,activities,participants,women,men,women_share\r\n"));
    assert_non_null(strstr(buf_str(&csv), "priorities,THB,Trafficking in human beings,<5,23,"));
    assert_non_null(strstr(buf_str(&csv), "series,2014,2014,<5,17,"));
    buf_free(&csv);
    html h = HTML_INIT;
    report_format_html(&h, r, "en");
    assert_non_null(strstr(buf_str(&h.b), "<svg"));
    assert_non_null(strstr(buf_str(&h.b), "South Caucasus"));
    assert_null(strstr(buf_str(&h.b), "style="));
    buf_free(&h.b);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_totals_and_breakdowns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_series, setup, teardown),
        cmocka_unit_test(test_suppress),
        cmocka_unit_test_setup_teardown(test_suppressed_report_and_formats, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
