/* test_overlap.c: likely duplicates of an activity against a real SQLite file with the
 * framework's reference data and the demo activities: the parts of the score, the reasons
 * given, what is left out (itself, its own organisation, periods beyond the window),
 * candidates found by title words alone (also a word that was new a moment ago), ranking, the
 * limit, drafts and bad input, and the date-range index kept in step with every change. The
 * activities made here are planned from 2029 to 2033, far from every demo activity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "activities/activities.h"
#include "activities/overlap.h"
#include "app.h"
#include "framework/framework.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct actor tester = {"tester", "127.0.0.1"};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fixture_open(fx, "ovl") != 0) return -1;
    p_error err;
    p_error_clear(&err);
    if (activities_load_demo(fx->s, &tester, &err) != P_OK) return -1;
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

/* An activity body: lead, title, dates, host (or NULL) and JSON lists of priorities, focus
 * areas and beneficiary countries. New reference. */
static json_t *body(const char *lead, const char *title, const char *start, const char *end,
                    const char *host, const char *priorities, const char *focus,
                    const char *beneficiaries)
{
    json_t *b = json_pack("{s:{s:s}, s:s, s:s, s:s, s:s}", "title", "en", title, "type", "workshop",
                          "lead_org", lead, "planned_start", start, "planned_end", end);
    assert_non_null(b);
    json_object_set_new(b, "host_country", host ? json_string(host) : json_null());
    json_object_set_new(b, "priorities", json_loads(priorities, 0, NULL));
    json_object_set_new(b, "focus_areas", json_loads(focus, 0, NULL));
    json_object_set_new(b, "beneficiary_countries", json_loads(beneficiaries, 0, NULL));
    return b;
}

/* Stores the activity; copies its public id into id (48 bytes). */
static void create(store *s, json_t *b, char id[static 48])
{
    json_t *rec = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = activities_create(s, b, &tester, &rec, &err);
    if (rc != P_OK) fail_msg("create failed: %s (%s)", err.message, err.field);
    snprintf(id, 48, "%s", json_string_value(json_object_get(rec, "id")));
    json_decref(rec);
    json_decref(b);
}

static json_t *overlaps_of(store *s, const char *id, int window_days, int limit)
{
    struct overlap_options opt = {window_days, limit};
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = overlap_for_activity(s, id, &opt, &out, &err);
    if (rc != P_OK) fail_msg("overlaps failed: %s (%s)", err.message, err.field);
    assert_true(json_is_array(out));
    return out;
}

/* The item about id in list, or NULL. */
static json_t *item_for(json_t *list, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(list, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0) return it;
    }
    return NULL;
}

static void assert_codes(json_t *reasons, const char *member, const char *expect_json)
{
    json_t *expect = json_loads(expect_json, 0, NULL);
    json_t *got = json_object_get(reasons, member);
    if (!json_equal(expect, got)) {
        char *g = json_dumps(got, 0);
        fail_msg("%s: expected %s, got %s", member, expect_json, g ? g : "(none)");
    }
    json_decref(expect);
}

static double num(json_t *obj, const char *member)
{
    json_t *v = json_object_get(obj, member);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static const char base_title[] =
    "Zebrafinch community policing workshop for neighbourhood inspectors";

static void test_title_similarity(void **state)
{
    (void)state;
    assert_true(fabs(overlap_title_similarity(base_title, base_title) - 1.0) < 1e-9);
    /* Case folds in Latin and Cyrillic; punctuation separates words. */
    assert_true(fabs(overlap_title_similarity("Cyber-Crime TRAINING", "cyber crime training") -
                     1.0) < 1e-9);
    assert_true(fabs(overlap_title_similarity("ПОЛИЦИЯ Ёлки", "полиция ёлки") - 1.0) < 1e-9);
    /* {cybercrime, training, course} against {cybercrime, investigation, course}: 2 of 4. */
    assert_true(fabs(overlap_title_similarity("Cybercrime training course",
                                              "Cybercrime investigation course") -
                     0.5) < 1e-9);
    /* Short words, numbers and function words do not count. */
    assert_true(overlap_title_similarity("The 2012 course of the OSCE in Baku",
                                         "The 2012 course on THB and the law") < 0.26);
    assert_true(overlap_title_similarity("of the and 2012", "of the and 2012") == 0.0);
    assert_true(overlap_title_similarity("", "policing") == 0.0);
    assert_true(overlap_title_similarity("Border security", "Forensic laboratories") == 0.0);
}

static void test_score_formula(void **state)
{
    (void)state;
    assert_true(fabs(overlap_score(1, 1, 1, 1) - 1.0) < 1e-9);
    assert_true(fabs(overlap_score(1, 0, 0, 0) - 0.35) < 1e-9);
    assert_true(fabs(overlap_score(0, 1, 0, 0) - 0.25) < 1e-9);
    assert_true(fabs(overlap_score(0, 0, 1, 0) - 0.20) < 1e-9);
    assert_true(fabs(overlap_score(0, 0, 0, 1) - 0.20) < 1e-9);
    assert_true(fabs(overlap_score(0.5, 0.5, 0.5, 0.5) - 0.5) < 1e-9);
}

/* Another organisation, same priority and focus area, overlapping dates, same country,
 * a similar title: a high score with every reason; itself and its own organisation's
 * twin are not listed. */
static void test_duplicate_with_all_reasons(void **state)
{
    struct fixture *fx = *state;
    char a[48], b[48], own[48];
    create(fx->s,
           body("BISHKEK", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]",
                "[\"PDR-CP\"]", "[\"KG\"]"),
           a);
    create(fx->s,
           body("SPMU", "Zebrafinch workshop on community policing for neighbourhood inspectors",
                "2031-03-04", "2031-03-06", "KG", "[\"PDR\"]", "[\"PDR-CP\"]", "[\"KG\", \"TJ\"]"),
           b);
    create(fx->s,
           body("BISHKEK", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]",
                "[\"PDR-CP\"]", "[\"KG\"]"),
           own);
    json_t *list = overlaps_of(fx->s, a, 90, 10);
    assert_int_equal(json_array_size(list), 1);
    json_t *it = item_for(list, b);
    assert_non_null(it);
    assert_null(item_for(list, a));
    assert_null(item_for(list, own));
    assert_string_equal(json_string_value(json_object_get(it, "lead_org")), "SPMU");
    assert_string_equal(json_string_value(json_object_get(it, "planned_start")), "2031-03-04");
    assert_string_equal(json_string_value(json_object_get(it, "planned_end")), "2031-03-06");
    assert_string_equal(json_string_value(json_object_get(json_object_get(it, "title"), "en")),
                        "Zebrafinch workshop on community policing for neighbourhood inspectors");
    json_t *why = json_object_get(it, "reasons");
    assert_codes(why, "shared_priorities", "[\"PDR\"]");
    assert_codes(why, "shared_focus_areas", "[\"PDR-CP\"]");
    assert_codes(why, "shared_countries", "[\"KG\"]");
    assert_int_equal(json_integer_value(json_object_get(why, "days_apart")), 0);
    /* Same six words; topic 1, time 1, countries {KG} of {KG, TJ}: 0.35+0.25+0.1+0.2. */
    assert_true(fabs(num(why, "text_similarity") - 1.0) < 1e-9);
    assert_true(fabs(num(it, "score") - 0.9) < 1e-3);
    json_decref(list);

    /* The twin of the same organisation sees the other organisation's activity too. */
    list = overlaps_of(fx->s, own, 90, 10);
    assert_int_equal(json_array_size(list), 1);
    assert_non_null(item_for(list, b));
    json_decref(list);
}

/* Rows of the date-range index held by the activity public_id. */
static int64_t index_rows(store *s, const char *public_id)
{
    store_stmt *st;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(store_prepare(s,
                                   "SELECT count(*) FROM activity_periods WHERE activity_id IN"
                                   " (SELECT id FROM activities WHERE public_id = ?)",
                                   &st, &err),
                     P_OK);
    store_bind_text(st, 1, public_id);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_reset(st);
    return n;
}

/* Activities whose scoring row (schema 0021) is missing or differs from their main row and
 * link rows, plus scoring rows of no activity. */
static int64_t scoring_stale(store *s)
{
    store_stmt *st;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(
        store_prepare(
            s,
            "SELECT (SELECT count(*) FROM activities a"
            " LEFT JOIN activity_scoring x ON x.activity_id = a.id"
            " WHERE x.activity_id IS NULL OR x.public_id IS NOT a.public_id"
            " OR x.lead_org IS NOT a.lead_org OR x.host_country IS NOT a.host_country"
            " OR x.title_en IS NOT a.title_en OR x.title_ru IS NOT a.title_ru"
            " OR x.planned_start IS NOT a.planned_start OR x.planned_end IS NOT a.planned_end"
            " OR x.priorities IS NOT COALESCE((SELECT group_concat(priority_code, ' ')"
            "   FROM activity_priorities WHERE activity_id = a.id), '')"
            " OR x.focus_areas IS NOT COALESCE((SELECT group_concat(focus_code, ' ')"
            "   FROM activity_focus_areas WHERE activity_id = a.id), '')"
            " OR x.beneficiaries IS NOT COALESCE((SELECT group_concat(country_code, ' ')"
            "   FROM activity_beneficiaries WHERE activity_id = a.id), ''))"
            " + (SELECT count(*) FROM activity_scoring x"
            "    WHERE NOT EXISTS (SELECT 1 FROM activities WHERE id = x.activity_id))",
            &st, &err),
        P_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_reset(st);
    return n;
}

/* The date-range index follows every change: dates moved out of the window and back, a
 * period of five years (kept as one row per code, not one per month), a delete. */
static void test_index_follows_changes(void **state)
{
    struct fixture *fx = *state;
    char a[48], b[48], c[48];
    p_error err;
    p_error_clear(&err);
    create(fx->s,
           body("BISHKEK", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]",
                "[\"PDR-CP\"]", "[]"),
           a);
    create(fx->s,
           body("SPMU", base_title, "2031-03-02", "2031-03-03", "KG", "[\"PDR\"]", "[\"PDR-CP\"]",
                "[]"),
           b);
    /* itself, a priority, a focus area, a country: one month each */
    assert_int_equal(index_rows(fx->s, a), 4);
    assert_int_equal(scoring_stale(fx->s), 0);
    json_t *found = overlaps_of(fx->s, b, 90, 100);
    assert_non_null(item_for(found, a));
    json_decref(found);

    json_t *later =
        json_pack("{s:s, s:s}", "planned_start", "2033-03-01", "planned_end", "2033-03-05");
    assert_int_equal(activities_update(fx->s, a, later, &tester, NULL, &err), P_OK);
    json_decref(later);
    found = overlaps_of(fx->s, b, 90, 100);
    assert_null(item_for(found, a));
    json_decref(found);
    json_t *back =
        json_pack("{s:s, s:s}", "planned_start", "2031-02-27", "planned_end", "2031-04-02");
    assert_int_equal(activities_update(fx->s, a, back, &tester, NULL, &err), P_OK);
    json_decref(back);
    assert_int_equal(index_rows(fx->s, a), 4 * 3); /* February to April */
    assert_int_equal(scoring_stale(fx->s), 0);
    found = overlaps_of(fx->s, b, 90, 100);
    assert_non_null(item_for(found, a));
    json_decref(found);

    create(fx->s,
           body("OMIK", base_title, "2029-01-01", "2033-12-31", "KG", "[\"PDR\"]", "[]", "[]"), c);
    assert_int_equal(index_rows(fx->s, c), 3);
    found = overlaps_of(fx->s, b, 90, 100);
    assert_non_null(item_for(found, c));
    json_decref(found);
    json_t *codes =
        json_pack("{s:[s], s:[s,s], s:[s,s], s:s, s:{s:s, s:s}}", "priorities", "OC", "focus_areas",
                  "OC-UNTOC", "OC-INVEST", "beneficiary_countries", "TJ", "KG", "host_country",
                  "TJ", "title", "en", "Other title", "ru", "Другое название");
    assert_int_equal(activities_update(fx->s, c, codes, &tester, NULL, &err), P_OK);
    json_decref(codes);
    assert_int_equal(scoring_stale(fx->s), 0);

    assert_int_equal(activities_delete(fx->s, a, &tester, &err), P_OK);
    assert_int_equal(index_rows(fx->s, a), 0);
    assert_int_equal(scoring_stale(fx->s), 0);
    found = overlaps_of(fx->s, b, 90, 100);
    assert_null(item_for(found, a));
    json_decref(found);
}

/* Periods further apart than the window are left out; within it, days_apart counts the
 * days between them and the time part falls linearly. */
static void test_window(void **state)
{
    struct fixture *fx = *state;
    char a[48], later[48];
    create(fx->s,
           body("BISHKEK", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]",
                "[\"PDR-CP\"]", "[\"KG\"]"),
           a);
    create(fx->s,
           body("SPMU", base_title, "2031-09-01", "2031-09-02", "KG", "[\"PDR\"]", "[\"PDR-CP\"]",
                "[\"KG\"]"),
           later);
    json_t *list = overlaps_of(fx->s, a, 90, 10);
    assert_null(item_for(list, later));
    json_decref(list);
    list = overlaps_of(fx->s, a, 179, 10);
    assert_null(item_for(list, later));
    json_decref(list);

    /* 2031-03-05 to 2031-09-01 is 180 days. */
    list = overlaps_of(fx->s, a, 180, 10);
    json_t *it = item_for(list, later);
    assert_non_null(it);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(it, "reasons"), "days_apart")), 180);
    assert_true(fabs(num(it, "score") - 0.75) < 1e-3); /* time part 0 */
    json_decref(list);
    list = overlaps_of(fx->s, a, 360, 10);
    it = item_for(list, later);
    assert_non_null(it);
    assert_true(fabs(num(it, "score") - (0.75 + 0.125)) < 1e-3);
    json_decref(list);

    /* Seen from the later one, the earlier one is as far. */
    list = overlaps_of(fx->s, later, 360, 10);
    assert_non_null(item_for(list, a));
    json_decref(list);
}

/* No shared priority, focus area or country: a near-identical title is found through the
 * full-text index; a title sharing no word is not. */
static void test_found_by_title_alone(void **state)
{
    struct fixture *fx = *state;
    char a[48], twin[48], other[48];
    create(fx->s,
           body("BISHKEK", "Zebrafinch forensic laboratory accreditation seminar", "2031-05-01",
                "2031-05-03", "KG", "[\"PDR\"]", "[\"PDR-CP\"]", "[]"),
           a);
    create(fx->s,
           body("OMIK", "Seminar on zebrafinch forensic laboratory accreditation", "2031-05-02",
                "2031-05-02", NULL, "[\"CYBER\"]", "[\"CYBER-FORENSIC\"]", "[]"),
           twin);
    create(fx->s,
           body("OMIK", "Border management exercise", "2031-05-02", "2031-05-02", "KG",
                "[\"CYBER\"]", "[\"CYBER-FORENSIC\"]", "[\"KG\"]"),
           other);
    json_t *list = overlaps_of(fx->s, a, 90, 10);
    json_t *it = item_for(list, twin);
    assert_non_null(it);
    assert_null(item_for(list, other));
    json_t *why = json_object_get(it, "reasons");
    assert_codes(why, "shared_priorities", "[]");
    assert_codes(why, "shared_focus_areas", "[]");
    assert_codes(why, "shared_countries", "[]");
    assert_true(fabs(num(why, "text_similarity") - 1.0) < 1e-9);
    assert_true(fabs(num(it, "score") - 0.45) < 1e-3);
    json_decref(list);
}

/* The counts of activities per title word that the check keeps between calls follow the
 * registry: a word no activity held becomes searchable as soon as one does. */
static void test_word_counts_follow_changes(void **state)
{
    struct fixture *fx = *state;
    json_t *draft =
        body("BISHKEK", "Quokkaburrow", "2032-02-01", "2032-02-01", NULL, "[]", "[]", "[]");
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(overlap_find_candidates(fx->s, draft, NULL, &out, &err), P_OK);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    char twin[48];
    create(
        fx->s,
        body("OMIK", "Quokkaburrow", "2032-02-01", "2032-02-01", NULL, "[\"CYBER\"]", "[]", "[]"),
        twin);
    assert_int_equal(overlap_find_candidates(fx->s, draft, NULL, &out, &err), P_OK);
    json_t *it = item_for(out, twin);
    assert_non_null(it);
    assert_true(fabs(num(json_object_get(it, "reasons"), "text_similarity") - 1.0) < 1e-9);
    json_decref(out);
    json_decref(draft);
}

/* Results are ranked by score, highest first, and cut at the limit. */
static void test_ranking_and_limit(void **state)
{
    struct fixture *fx = *state;
    char a[48], ids[4][48];
    create(fx->s,
           body("BISHKEK", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]",
                "[\"PDR-CP\"]", "[\"KG\"]"),
           a);
    /* Ever less alike: each drops one part of the likeness. */
    create(fx->s,
           body("SPMU", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]", "[\"PDR-CP\"]",
                "[\"KG\"]"),
           ids[0]);
    create(fx->s,
           body("OMIK", base_title, "2031-03-01", "2031-03-05", "TJ", "[\"PDR\"]", "[\"PDR-CP\"]",
                "[]"),
           ids[1]);
    create(fx->s,
           body("ODIHR", "Zebrafinch policing review", "2031-04-20", "2031-04-21", "TJ",
                "[\"PDR\"]", "[\"PDR-CP\"]", "[]"),
           ids[2]);
    create(fx->s,
           body("OCEEA", "Neighbourhood watch survey", "2031-03-03", "2031-03-04", "TJ",
                "[\"PDR\"]", "[\"PDR-MULTIETH\"]", "[]"),
           ids[3]);
    /* Shares a priority, but scores 0.35/3 + 0.25 * (1 - 76/90) = 0.16: under the threshold. */
    char weak[48];
    create(fx->s,
           body("TNTD", "Border management exercise", "2031-05-20", "2031-05-20", "TJ", "[\"PDR\"]",
                "[\"PDR-MULTIETH\"]", "[]"),
           weak);
    json_t *list = overlaps_of(fx->s, a, 90, 10);
    assert_int_equal(json_array_size(list), 4);
    assert_null(item_for(list, weak));
    double last = 2.0;
    for (size_t i = 0; i < 4; i++) {
        json_t *it = json_array_get(list, i);
        assert_string_equal(json_string_value(json_object_get(it, "id")), ids[i]);
        double score = num(it, "score");
        assert_true(score < last);
        assert_true(score >= OVERLAP_THRESHOLD);
        last = score;
    }
    json_decref(list);
    list = overlaps_of(fx->s, a, 90, 2);
    assert_int_equal(json_array_size(list), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "id")), ids[0]);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "id")), ids[1]);
    json_decref(list);
}

/* A draft that is not stored finds the same; unknown codes match nothing. */
static void test_draft(void **state)
{
    struct fixture *fx = *state;
    char a[48];
    create(fx->s,
           body("SPMU", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]", "[\"PDR-CP\"]",
                "[\"KG\"]"),
           a);
    json_t *draft = body("BISHKEK", base_title, "2031-03-02", "2031-03-02", "KG",
                         "[\"PDR\", \"NOSUCH\"]", "[\"PDR-CP\"]", "[\"ZZ\"]");
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(overlap_find_candidates(fx->s, draft, NULL, &out, &err), P_OK);
    assert_int_equal(json_array_size(out), 1);
    json_t *it = item_for(out, a);
    assert_non_null(it);
    assert_codes(json_object_get(it, "reasons"), "shared_priorities", "[\"PDR\"]");
    assert_codes(json_object_get(it, "reasons"), "shared_countries", "[\"KG\"]");
    json_decref(out);

    /* As the form sends it while editing a itself: a is not its own duplicate. */
    json_object_set_new(draft, "id", json_string(a));
    json_object_set_new(draft, "lead_org", json_string("OMIK"));
    assert_int_equal(overlap_find_candidates(fx->s, draft, NULL, &out, &err), P_OK);
    assert_int_equal(json_array_size(out), 0);
    json_decref(out);
    json_decref(draft);
}

static void expect_einval(store *s, json_t *draft, const struct overlap_options *opt,
                          const char *field)
{
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(overlap_find_candidates(s, draft, opt, &out, &err), P_EINVAL);
    assert_string_equal(err.field, field);
    assert_null(out);
    json_decref(draft);
}

static json_t *draft_with(const char *member, json_t *value)
{
    json_t *d = body("SPMU", base_title, "2031-03-01", "2031-03-05", "KG", "[\"PDR\"]",
                     "[\"PDR-CP\"]", "[\"KG\"]");
    if (value)
        json_object_set_new(d, member, value);
    else
        json_object_del(d, member);
    return d;
}

static void test_bad_input(void **state)
{
    struct fixture *fx = *state;
    expect_einval(fx->s, draft_with("planned_start", NULL), NULL, "planned_start");
    expect_einval(fx->s, draft_with("planned_start", json_string("2031-02-30")), NULL,
                  "planned_start");
    expect_einval(fx->s, draft_with("planned_end", json_integer(3)), NULL, "planned_end");
    expect_einval(fx->s, draft_with("priorities", json_string("PDR")), NULL, "priorities");
    expect_einval(fx->s, draft_with("focus_areas", json_pack("[i]", 1)), NULL, "focus_areas");
    expect_einval(fx->s, draft_with("title", json_string("x")), NULL, "title");
    expect_einval(fx->s, draft_with("lead_org", json_true()), NULL, "lead_org");
    struct overlap_options wide = {OVERLAP_WINDOW_MAX + 1, 10}, none = {90, 0};
    expect_einval(fx->s, draft_with("type", NULL), &wide, "window_days");
    expect_einval(fx->s, draft_with("type", NULL), &none, "limit");

    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(overlap_for_activity(fx->s, "NOPE-2031-0001", NULL, &out, &err), P_ENOTFOUND);
    assert_null(out);
}

/* The demo's Prague seminar on criminal assets from human trafficking (SPMU, July 2012)
 * is found for a similar ODIHR seminar a week earlier. */
static void test_demo_prague(void **state)
{
    struct fixture *fx = *state;
    json_t *draft =
        body("ODIHR", "Seminar on the confiscation of criminal assets from human trafficking",
             "2012-07-10", "2012-07-11", "CZ", "[\"THB\"]", "[]", "[]");
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(overlap_find_candidates(fx->s, draft, NULL, &out, &err), P_OK);
    assert_true(json_array_size(out) >= 1);
    json_t *first = json_array_get(out, 0);
    assert_string_equal(json_string_value(json_object_get(first, "lead_org")), "SPMU");
    assert_string_equal(json_string_value(json_object_get(first, "planned_start")), "2012-07-18");
    json_t *why = json_object_get(first, "reasons");
    assert_codes(why, "shared_priorities", "[\"THB\"]");
    assert_codes(why, "shared_countries", "[\"CZ\"]");
    assert_int_equal(json_integer_value(json_object_get(why, "days_apart")), 7);
    json_decref(out);
    json_decref(draft);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_title_similarity),
        cmocka_unit_test(test_score_formula),
        cmocka_unit_test_setup_teardown(test_duplicate_with_all_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_found_by_title_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_word_counts_follow_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranking_and_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_draft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_demo_prague, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_follows_changes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
