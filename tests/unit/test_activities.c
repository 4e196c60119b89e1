/* test_activities.c: the activities service against a real SQLite file with the framework's
 * reference data: the validation matrix (each rule broken once, with its field and
 * status), public ids per organisation and year, status transitions, audited changes with
 * before and after, full-text search, filters and keyset pagination under every sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "activities/activities.h"
#include "activities/internal.h"
#include "app.h"
#include "auth/audit.h"
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
    if (fixture_open(fx, "act") != 0) return -1;
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

static const char base_json[] =
    "{\"title\":{\"en\":\"Training on community policing\","
    "\"ru\":\"Обучение по общественной полиции\"},"
    "\"description\":{\"en\":\"Five days for neighbourhood inspectors.\"},"
    "\"type\":\"training\",\"lead_org\":\"BISHKEK\",\"planned_start\":\"2012-03-01\","
    "\"planned_end\":\"2012-03-05\",\"host_country\":\"KG\",\"beneficiary_countries\":[\"KG\"],"
    "\"priorities\":[\"PDR\"],\"focus_areas\":[\"PDR-CP\"],\"lines\":[\"TRN\"],"
    "\"target_groups\":[\"police\"],\"partners\":[\"UNODC\"],"
    "\"budget\":{\"amount\":1500.25,\"currency\":\"EUR\",\"source\":\"Unified budget\"}}";

/* The base record with the members of over_json set (null members removed). New. */
static json_t *fields_with(const char *over_json)
{
    json_t *base = json_loads(base_json, 0, NULL);
    assert_non_null(base);
    json_t *over = json_loads(over_json, 0, NULL);
    assert_non_null(over);
    const char *k;
    json_t *v;
    json_object_foreach(over, k, v)
    {
        if (json_is_null(v))
            json_object_del(base, k);
        else
            json_object_set(base, k, v);
    }
    json_decref(over);
    return base;
}

/* Creates the base record changed by over_json; returns the new public id (static). */
static const char *create_with(store *s, const char *over_json)
{
    static char id[48];
    json_t *f = fields_with(over_json);
    json_t *rec = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = activities_create(s, f, &tester, &rec, &err);
    if (rc != P_OK) fail_msg("create failed: %s (%s)", err.message, err.field);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
    json_decref(f);
    return id;
}

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

static void test_public_ids(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    assert_string_equal(create_with(s, "{}"), "BISHKEK-2012-0001");
    assert_string_equal(create_with(s, "{}"), "BISHKEK-2012-0002");
    assert_string_equal(create_with(s, "{\"planned_start\":\"2013-01-10\",\"planned_end\":null}"),
                        "BISHKEK-2013-0001");
    assert_string_equal(create_with(s, "{\"lead_org\":\"ODIHR\"}"), "ODIHR-2012-0001");
    p_error err;
    p_error_clear(&err);
    assert_int_equal(activities_delete(s, "BISHKEK-2012-0002", &tester, &err), P_OK);
    assert_string_equal(create_with(s, "{}"), "BISHKEK-2012-0003"); /* never reused */

    /* The id stays when lead organisation and dates change. */
    json_t *patch = json_loads("{\"lead_org\":\"ODIHR\",\"planned_start\":\"2014-02-02\","
                               "\"planned_end\":\"2014-02-03\"}",
                               0, NULL);
    json_t *rec = NULL;
    assert_int_equal(activities_update(s, "BISHKEK-2012-0001", patch, &tester, &rec, &err), P_OK);
    assert_string_equal(json_string_value(json_object_get(rec, "id")), "BISHKEK-2012-0001");
    assert_string_equal(json_string_value(json_object_get(rec, "lead_org")), "ODIHR");
    json_decref(rec);
    json_decref(patch);
    char org[24];
    assert_int_equal(activities_lead_org(s, "BISHKEK-2012-0001", org, &err), P_OK);
    assert_string_equal(org, "ODIHR");
    assert_int_equal(activities_lead_org(s, "NOPE-2012-0001", org, &err), P_ENOTFOUND);
    assert_int_equal(activities_get(s, "BISHKEK-2012-0002", &rec, &err), P_ENOTFOUND);
}

struct bad_case {
    const char *over;
    int status;
    const char *field;
};

static void test_validation_matrix(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    static const struct bad_case cases[] = {
        {"{\"title\":null}", P_EUNPROC, "title"},
        {"{\"title\":{\"ru\":\"Только русский\"}}", P_EUNPROC, "title"},
        {"{\"title\":{\"en\":\"   \"}}", P_EUNPROC, "title"},
        {"{\"title\":{\"en\":\"x\",\"de\":\"y\"}}", P_EUNPROC, "title"},
        {"{\"title\":\"plain\"}", P_EINVAL, "title"},
        {"{\"title\":{\"en\":7}}", P_EINVAL, "title"},
        {"{\"type\":null}", P_EUNPROC, "type"},
        {"{\"type\":\"party\"}", P_EUNPROC, "type"},
        {"{\"status\":\"done\"}", P_EUNPROC, "status"},
        {"{\"lead_org\":null}", P_EUNPROC, "lead_org"},
        {"{\"lead_org\":\"NOWHERE\"}", P_EUNPROC, "lead_org"},
        {"{\"lead_org\":42}", P_EINVAL, "lead_org"},
        {"{\"partners\":[\"NOWHERE\"]}", P_EUNPROC, "partners"},
        {"{\"partners\":[\"UNODC\",\"UNODC\"]}", P_EUNPROC, "partners"},
        {"{\"partners\":\"UNODC\"}", P_EINVAL, "partners"},
        {"{\"host_country\":\"XX\"}", P_EUNPROC, "host_country"},
        {"{\"beneficiary_countries\":[\"ZZ\"]}", P_EUNPROC, "beneficiary_countries"},
        {"{\"priorities\":[\"NOPE\"]}", P_EUNPROC, "priorities"},
        {"{\"focus_areas\":[\"NOPE\"]}", P_EUNPROC, "focus_areas"},
        {"{\"lines\":[\"NOPE\"]}", P_EUNPROC, "lines"},
        {"{\"target_groups\":[\"astronauts\"]}", P_EUNPROC, "target_groups"},
        {"{\"planned_start\":null}", P_EUNPROC, "planned_start"},
        {"{\"planned_start\":\"2012-02-30\"}", P_EUNPROC, "planned_start"},
        {"{\"planned_end\":\"2012-02-28\"}", P_EUNPROC, "planned_end"},
        {"{\"actual_start\":\"2012-03-02\",\"actual_end\":\"2012-03-01\"}", P_EUNPROC,
         "actual_end"},
        {"{\"actual_end\":\"2012-03-01\"}", P_EUNPROC, "actual_start"},
        {"{\"participants_total\":-1}", P_EUNPROC, "participants_total"},
        {"{\"participants_total\":\"ten\"}", P_EINVAL, "participants_total"},
        {"{\"participants_total\":10,\"participants_women\":6,\"participants_men\":5}", P_EUNPROC,
         "participants_women"},
        {"{\"participants_women\":3}", P_EUNPROC, "participants_total"},
        {"{\"participants_total\":5,\"participants_by_country\":{\"KG\":4,\"TJ\":2}}", P_EUNPROC,
         "participants_by_country"},
        {"{\"participants_total\":5,\"participants_by_country\":{\"ZZ\":1}}", P_EUNPROC,
         "participants_by_country"},
        {"{\"status\":\"completed\"}", P_EUNPROC, "participants_total"},
        {"{\"tot\":\"yes\"}", P_EINVAL, "tot"},
        {"{\"budget\":{\"amount\":10.005,\"currency\":\"EUR\"}}", P_EUNPROC, "budget"},
        {"{\"budget\":{\"amount\":-1,\"currency\":\"EUR\"}}", P_EUNPROC, "budget"},
        {"{\"budget\":{\"amount\":10,\"currency\":\"eur\"}}", P_EUNPROC, "budget"},
        {"{\"budget\":{\"amount\":\"10\",\"currency\":\"EUR\"}}", P_EINVAL, "budget"},
        {"{\"budget\":{\"amount\":10,\"currency\":\"EUR\",\"extra\":1}}", P_EINVAL, "budget"},
        {"{\"documents\":[\"DOC-1\"]}", P_EINVAL, "documents"},
        {"{\"documents\":[0]}", P_EINVAL, "documents"},
        {"{\"documents\":[999999]}", P_EUNPROC, "documents"},
        {"{\"id\":\"BISHKEK-2012-0099\"}", P_EUNPROC, "id"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *f = fields_with(cases[i].over);
        p_error err;
        p_error_clear(&err);
        json_t *rec = NULL;
        int rc = activities_create(s, f, &tester, &rec, &err);
        if (rc != cases[i].status || strcmp(err.field, cases[i].field) != 0)
            fail_msg("case %zu %s: got %d field '%s' (%s), want %d field '%s'", i, cases[i].over,
                     rc, err.field, err.message, cases[i].status, cases[i].field);
        assert_null(rec);
        json_decref(f);
    }
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM activities", NULL), 0);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM activity_counters", NULL), 0);

    /* The edges that pass: a title of exactly 300 characters, two decimals, women + men
     * equal to the total. */
    char over[1200];
    char title[700];
    size_t at = 0;
    for (int i = 0; i < 300; i++) {
        const char *c = i % 2 ? "я" : "a";
        memcpy(title + at, c, strlen(c));
        at += strlen(c);
    }
    title[at] = '\0';
    snprintf(over, sizeof over,
             "{\"title\":{\"en\":\"%s\"},\"budget\":{\"amount\":0.1,\"currency\":\"USD\"},"
             "\"participants_total\":10,\"participants_women\":4,\"participants_men\":6,"
             "\"participants_by_country\":{\"KG\":7,\"TJ\":3},\"status\":\"completed\"}",
             title);
    const char *id = create_with(s, over);
    json_t *rec = NULL;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(activities_get(s, id, &rec, &err), P_OK);
    assert_true(json_number_value(json_object_get(json_object_get(rec, "budget"), "amount")) ==
                0.1);
    assert_int_equal(
        scalar(s, "SELECT budget_amount_minor FROM activities WHERE public_id = ?", id), 10);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(rec, "participants_by_country"), "KG")),
        7);
    json_decref(rec);
    title[at] = 'b';
    title[at + 1] = '\0';
    snprintf(over, sizeof over, "{\"title\":{\"en\":\"%s\"}}", title);
    json_t *f = fields_with(over);
    assert_int_equal(activities_create(s, f, &tester, NULL, &err), P_EUNPROC);
    assert_string_equal(err.field, "title");
    json_decref(f);
}

static int patch(store *s, const char *id, const char *json, p_error *err)
{
    json_t *p = json_loads(json, 0, NULL);
    assert_non_null(p);
    p_error_clear(err);
    int rc = activities_update(s, id, p, &tester, NULL, err);
    json_decref(p);
    return rc;
}

static void test_status_transitions(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    p_error err;
    char a[48], b[48];
    snprintf(a, sizeof a, "%s", create_with(s, "{}"));
    snprintf(b, sizeof b, "%s", create_with(s, "{}"));
    assert_int_equal(patch(s, a, "{\"status\":\"ongoing\"}", &err), P_OK);
    assert_int_equal(patch(s, a, "{\"status\":\"planned\"}", &err), P_EUNPROC);
    assert_string_equal(err.field, "status");
    assert_int_equal(patch(s, a, "{\"status\":\"completed\"}", &err), P_EUNPROC);
    assert_string_equal(err.field, "participants_total");
    assert_int_equal(patch(s, a, "{\"status\":\"completed\",\"participants_total\":12}", &err),
                     P_OK);
    assert_int_equal(patch(s, a, "{\"status\":\"ongoing\"}", &err), P_EUNPROC);
    assert_string_equal(err.field, "status");
    assert_int_equal(patch(s, a, "{\"status\":\"cancelled\"}", &err), P_EUNPROC);
    /* A completed activity's figures can still be corrected. */
    assert_int_equal(patch(s, a, "{\"participants_total\":14}", &err), P_OK);
    assert_int_equal(patch(s, a, "{\"participants_total\":null}", &err), P_EUNPROC);
    assert_int_equal(patch(s, b, "{\"status\":\"cancelled\"}", &err), P_OK);
    assert_int_equal(patch(s, b, "{\"status\":\"planned\"}", &err), P_EUNPROC);
    assert_int_equal(patch(s, b, "{\"id\":\"OTHER-2012-0001\"}", &err), P_EUNPROC);
    assert_string_equal(err.field, "id");
    assert_int_equal(patch(s, "NONE-2012-0001", "{}", &err), P_ENOTFOUND);
}

static void test_patch_semantics_and_audit(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    char id[48];
    snprintf(id, sizeof id, "%s", create_with(s, "{}"));
    p_error err;
    /* Languages merge; null removes one; lists and budget replace or clear. */
    assert_int_equal(patch(s, id,
                           "{\"title\":{\"ru\":null},\"description\":{\"ru\":\"Пять дней\"},"
                           "\"partners\":[\"ILO\",\"EUROPOL\"],\"budget\":null,\"tot\":true}",
                           &err),
                     P_OK);
    json_t *rec = NULL;
    assert_int_equal(activities_get(s, id, &rec, &err), P_OK);
    json_t *title = json_object_get(rec, "title");
    assert_int_equal(json_object_size(title), 1);
    assert_string_equal(json_string_value(json_object_get(title, "en")),
                        "Training on community policing");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(rec, "description"), "ru")), "Пять дней");
    assert_int_equal(json_array_size(json_object_get(rec, "partners")), 2);
    assert_true(json_is_null(json_object_get(rec, "budget")));
    assert_true(json_is_true(json_object_get(rec, "tot")));
    assert_int_equal(json_array_size(json_object_get(rec, "priorities")), 1);
    json_decref(rec);

    /* create, update and delete each left one entry with the right before and after. */
    assert_int_equal(activities_delete(s, id, &tester, &err), P_OK);
    store_stmt *st;
    assert_int_equal(store_prepare(s,
                                   "SELECT action, before, after, actor FROM audit"
                                   " WHERE entity = 'activity' AND entity_id = ? ORDER BY id",
                                   &st, &err),
                     P_OK);
    store_bind_text(st, 1, id);
    const char *actions[] = {"create", "update", "delete"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_step(st, &err), STORE_ROW);
        assert_string_equal(store_col_text(st, 0), actions[i]);
        assert_string_equal(store_col_text(st, 3), "tester");
        json_t *before = store_col_null(st, 1) ? NULL : json_loads(store_col_text(st, 1), 0, NULL);
        json_t *after = store_col_null(st, 2) ? NULL : json_loads(store_col_text(st, 2), 0, NULL);
        assert_true((before != NULL) == (i > 0));
        assert_true((after != NULL) == (i < 2));
        if (i == 1) {
            assert_int_equal(json_array_size(json_object_get(before, "partners")), 1);
            assert_int_equal(json_array_size(json_object_get(after, "partners")), 2);
            assert_true(json_is_object(json_object_get(before, "budget")));
            assert_true(json_is_null(json_object_get(after, "budget")));
            assert_string_equal(json_string_value(json_object_get(before, "id")), id);
        }
        if (i == 2) assert_true(json_is_true(json_object_get(before, "tot")));
        json_decref(before);
        json_decref(after);
    }
    assert_int_equal(store_step(st, &err), STORE_DONE);
    store_reset(st);
    /* The link rows and the text index went with the activity. */
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM activity_partners", NULL), 0);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM activities_fts", NULL), 0);
    int64_t checked = 0;
    assert_int_equal(audit_verify(s, &checked, &err), P_OK);
    assert_true(checked >= 3);
}

#define N_LISTED 23

/* The generated activity i: its traits follow from i so tests can count what a filter
 * should keep. Dates repeat in pairs and titles every seventh, so sort ties happen. */
static const char *listed_org(int i)
{
    return i % 3 == 0 ? "ODIHR" : "BISHKEK";
}
static const char *listed_type(int i)
{
    return i % 2 ? "workshop" : "training";
}
static int listed_month(int i)
{
    return i / 2; /* months since 2011-01 */
}

static void create_listed(store *s)
{
    for (int i = 0; i < N_LISTED; i++) {
        char over[1024];
        int m = listed_month(i);
        snprintf(over, sizeof over,
                 "{\"title\":{\"en\":\"Topic %d\",\"ru\":\"%s\"},\"lead_org\":\"%s\","
                 "\"type\":\"%s\",\"planned_start\":\"%d-%02d-10\",\"planned_end\":\"%d-%02d-20\","
                 "\"priorities\":[\"%s\"],\"focus_areas\":[\"%s\"],\"lines\":[\"%s\"],"
                 "\"host_country\":\"%s\",\"beneficiary_countries\":[%s],"
                 "\"partners\":[%s],\"target_groups\":[\"%s\"],\"status\":\"%s\"}",
                 i % 7, i == 5 ? "Семинар о торговле людьми" : "Занятие", listed_org(i),
                 listed_type(i), 2011 + m / 12, m % 12 + 1, 2011 + m / 12, m % 12 + 1,
                 i % 4 == 0 ? "THB" : "PDR", i % 4 == 0 ? "THB-VICTIM" : "PDR-CP",
                 i % 5 == 0 ? "ICB" : "TRN", i % 2 ? "TJ" : "KG", i % 5 == 0 ? "\"UZ\"" : "",
                 i == 1 ? "\"ODIHR\"" : "", i % 3 == 1 ? "judges" : "police",
                 i % 6 == 0 ? "cancelled" : "planned");
        create_with(s, over);
    }
}

/* Every record of the list under f, page by page; checks each page's size. New array. */
static json_t *walk(store *s, struct activities_filter f, int *pages)
{
    json_t *all = json_array();
    char next[CURSOR_MAX] = "";
    *pages = 0;
    do {
        char cur[CURSOR_MAX];
        snprintf(cur, sizeof cur, "%s", next);
        f.cursor = cur[0] ? cur : NULL;
        json_t *items = NULL;
        p_error err;
        p_error_clear(&err);
        int rc = activities_list(s, &f, &items, next, &err);
        if (rc != P_OK) fail_msg("list failed: %s (%s)", err.message, err.field);
        assert_true(json_array_size(items) <= (size_t)f.limit);
        if (next[0]) assert_int_equal(json_array_size(items), f.limit);
        json_array_extend(all, items);
        json_decref(items);
        (*pages)++;
        assert_true(*pages < 100);
    } while (next[0]);
    return all;
}

static const char *member(json_t *rec, const char *name)
{
    return json_string_value(json_object_get(rec, name));
}

static void test_list_pagination_every_sort(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    create_listed(s);
    const char *sorts_tried[] = {NULL, "-planned_start", "planned_start", "title", "id"};
    for (size_t k = 0; k < sizeof sorts_tried / sizeof sorts_tried[0]; k++) {
        for (int limit = 1; limit <= 5; limit += 2) {
            int pages = 0;
            struct activities_filter f = {.sort = sorts_tried[k], .limit = limit};
            json_t *all = walk(s, f, &pages);
            assert_int_equal(json_array_size(all), N_LISTED);
            assert_int_equal(pages, (N_LISTED + limit - 1) / limit);
            for (size_t i = 0; i < N_LISTED; i++)
                for (size_t j = i + 1; j < N_LISTED; j++)
                    assert_string_not_equal(member(json_array_get(all, i), "id"),
                                            member(json_array_get(all, j), "id"));
            for (size_t i = 1; i < N_LISTED; i++) {
                json_t *a = json_array_get(all, i - 1), *b = json_array_get(all, i);
                const char *sort = sorts_tried[k] ? sorts_tried[k] : "-planned_start";
                int c;
                if (strcmp(sort, "title") == 0)
                    c = strcmp(
                        json_string_value(json_object_get(json_object_get(a, "title"), "en")),
                        json_string_value(json_object_get(json_object_get(b, "title"), "en")));
                else /* creation order follows planned_start, so "id" is checked by it too */
                    c = strcmp(member(a, "planned_start"), member(b, "planned_start"));
                if (sort[0] == '-') c = -c;
                assert_true(c <= 0);
            }
            json_decref(all);
        }
    }
    /* A cursor of one sort is refused under another. */
    json_t *items = NULL;
    char next[CURSOR_MAX];
    p_error err;
    p_error_clear(&err);
    struct activities_filter f = {.sort = "title", .limit = 2};
    assert_int_equal(activities_list(s, &f, &items, next, &err), P_OK);
    json_decref(items);
    char cur[CURSOR_MAX];
    snprintf(cur, sizeof cur, "%s", next);
    struct activities_filter g = {.sort = "id", .cursor = cur, .limit = 2};
    assert_int_equal(activities_list(s, &g, &items, next, &err), P_EINVAL);
    assert_string_equal(err.field, "cursor");
    struct activities_filter h = {.sort = "colour", .limit = 2};
    assert_int_equal(activities_list(s, &h, &items, next, &err), P_EINVAL);
    assert_string_equal(err.field, "sort");
}

/* The number of records the filter keeps, over every page. */
static size_t count_where(store *s, struct activities_filter f)
{
    int pages;
    f.limit = 4;
    json_t *all = walk(s, f, &pages);
    size_t n = json_array_size(all);
    json_decref(all);
    return n;
}

static void test_list_filters(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    create_listed(s);
    size_t odihr = 0, workshops = 0, thb = 0, icb = 0, tj = 0, uz = 0, judges = 0, cancelled = 0,
           in_2011h2 = 0, thb_workshops = 0;
    for (int i = 0; i < N_LISTED; i++) {
        odihr += strcmp(listed_org(i), "ODIHR") == 0 || i == 1;
        workshops += i % 2 == 1;
        thb += i % 4 == 0;
        thb_workshops += i % 4 == 0 && i % 2 == 1;
        icb += i % 5 == 0;
        tj += i % 2 == 1;
        uz += i % 5 == 0;
        judges += i % 3 == 1;
        cancelled += i % 6 == 0;
        int m = listed_month(i);
        in_2011h2 += m >= 5 && m <= 11; /* June to December 2011 */
    }
    assert_int_equal(count_where(s, (struct activities_filter){0}), N_LISTED);
    assert_int_equal(count_where(s, (struct activities_filter){.org = "ODIHR"}), odihr);
    assert_int_equal(count_where(s, (struct activities_filter){.type = "workshop"}), workshops);
    assert_int_equal(count_where(s, (struct activities_filter){.priority = "THB"}), thb);
    assert_int_equal(count_where(s, (struct activities_filter){.focus = "THB-VICTIM"}), thb);
    assert_int_equal(count_where(s, (struct activities_filter){.line = "ICB"}), icb);
    assert_int_equal(count_where(s, (struct activities_filter){.country = "TJ"}), tj);
    assert_int_equal(count_where(s, (struct activities_filter){.country = "UZ"}), uz);
    assert_int_equal(count_where(s, (struct activities_filter){.target_group = "judges"}), judges);
    assert_int_equal(count_where(s, (struct activities_filter){.status = "cancelled"}), cancelled);
    assert_int_equal(
        count_where(s, (struct activities_filter){.priority = "THB", .type = "workshop"}),
        thb_workshops);
    /* Overlap with [2011-06-15, 2011-12-15]: June's 10..20 overlaps, December's too. */
    assert_int_equal(
        count_where(s, (struct activities_filter){.from = "2011-06-15", .to = "2011-12-15"}),
        in_2011h2);
    assert_int_equal(
        count_where(s, (struct activities_filter){.from = "2011-06-21", .to = "2011-07-09"}), 0);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    p_error err;
    p_error_clear(&err);
    struct activities_filter bad = {.from = "2012-01-02", .to = "2012-01-01", .limit = 5};
    assert_int_equal(activities_list(s, &bad, &items, next, &err), P_EINVAL);
}

static void test_full_text(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    create_listed(s);
    /* A word of the Russian title, in another case form than stored; and an English word. */
    assert_int_equal(count_where(s, (struct activities_filter){.q = "торговле"}), 1);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "ТОРГОВЛЕ людьми"}), 1);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "Topic"}), N_LISTED);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "topic семинар"}), 1);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "absent"}), 0);
    /* Other word forms find the same activities: the index holds stems. */
    assert_int_equal(count_where(s, (struct activities_filter){.q = "торговля"}), 1);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "topics"}), N_LISTED);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "topic NOT семинар"}),
                     N_LISTED - 1);
    assert_int_equal(count_where(s, (struct activities_filter){.q = ""}), N_LISTED);
    /* Query syntax in q is only ever words. */
    static const char *const hostile[] = {
        "\"",     "*",     "NEAR(", ")", "topic OR x*", "a:b", "'; DROP TABLE activities; --",
        "^topic", "-topic"};
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        json_t *items = NULL;
        char next[CURSOR_MAX];
        p_error err;
        p_error_clear(&err);
        struct activities_filter f = {.q = hostile[i], .limit = 50};
        int rc = activities_list(s, &f, &items, next, &err);
        assert_true(rc == P_OK || (rc == P_EINVAL && strcmp(err.field, "q") == 0));
        json_decref(items);
    }
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM activities", NULL), N_LISTED);
    buf out = BUF_INIT;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(activity_fts_query("NEAR(\"a\" bo*) Обучение", false, &out, &err), P_OK);
    assert_non_null(strstr(buf_str(&out), "\"обучен\"")); /* the Russian stem, quoted */
    assert_non_null(strstr(buf_str(&out), "\"near\""));   /* NEAR is a word here */
    assert_null(strstr(buf_str(&out), "NEAR("));
    assert_int_equal(activity_fts_query("\"*()-", false, &out, &err), P_EINVAL);
    assert_string_equal(err.field, "q");
    buf_reset(&out);
    assert_int_equal(activity_fts_query("NEAR(\"a\" bo*) Обучение", true, &out, &err), P_OK);
    assert_non_null(strstr(buf_str(&out), "'обучен'")); /* a tsquery lexeme */
    assert_non_null(strstr(buf_str(&out), "'bo':*"));
    assert_null(strstr(buf_str(&out), "NEAR"));
    assert_int_equal(activity_fts_query("\"*()-", true, &out, &err), P_EINVAL);
    buf_free(&out);
    /* An update re-indexes the texts; a delete removes them. */
    struct activities_filter f = {.q = "торговле", .limit = 5};
    json_t *items = NULL;
    char next[CURSOR_MAX];
    assert_int_equal(activities_list(s, &f, &items, next, &err), P_OK);
    char id[48];
    snprintf(id, sizeof id, "%s", member(json_array_get(items, 0), "id"));
    json_decref(items);
    assert_int_equal(patch(s, id, "{\"title\":{\"ru\":\"Семинар о киберпреступности\"}}", &err),
                     P_OK);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "торговле"}), 0);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "киберпреступности"}), 1);
    assert_int_equal(activities_delete(s, id, &tester, &err), P_OK);
    assert_int_equal(count_where(s, (struct activities_filter){.q = "киберпреступности"}), 0);
}

/* Many generated q strings mixing words, full-text operators, punctuation and other
 * scripts: each is a clean search or a 400 on q, never a store error. */
static void test_generated_q_never_breaks_the_query(void **state)
{
    store *s = ((struct fixture *)*state)->s;
    create_listed(s);
    static const char *const pieces[] = {"topic",
                                         "Topic",
                                         "NEAR",
                                         "AND",
                                         "OR",
                                         "NOT",
                                         "\"",
                                         "*",
                                         "(",
                                         ")",
                                         "^",
                                         ":",
                                         "-",
                                         "+",
                                         "'",
                                         ";",
                                         "{",
                                         "}",
                                         ",",
                                         " ",
                                         "  ",
                                         "\t",
                                         "торговле",
                                         "Ё",
                                         "東京",
                                         "😀",
                                         "é",
                                         "0",
                                         "42",
                                         "title_en:",
                                         "NEAR(a b, 3)",
                                         "%",
                                         "\\"};
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char q[201];
        size_t len = 0;
        int parts = 1 + (int)(seed % 9);
        for (int k = 0; k < parts; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *piece = pieces[(seed >> 8) % n_pieces];
            size_t n = strlen(piece);
            if (len + n >= sizeof q) break;
            memcpy(q + len, piece, n);
            len += n;
        }
        q[len] = '\0';
        json_t *items = NULL;
        char next[CURSOR_MAX];
        p_error err;
        p_error_clear(&err);
        struct activities_filter f = {.q = q, .limit = 3};
        int rc = activities_list(s, &f, &items, next, &err);
        if (!(rc == P_OK || (rc == P_EINVAL && strcmp(err.field, "q") == 0)))
            fail_msg("q '%s': status %d field '%s': %s", q, rc, err.field, err.message);
        json_decref(items);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_public_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation_matrix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_transitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patch_semantics_and_audit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_pagination_every_sort, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_generated_q_never_breaks_the_query, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
