/* test_open311.c: the pieces of Open311 below the HTTP layer — datetimes with their
 * timezones, format suffixes, client keys (hash only, revocation at once) and the public
 * records against a real SQLite file: no contact details, description or location, and
 * internal steps never among the updates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "community/community.h"
#include "community/open311_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct actor cli_actor = {"cli", ""};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fixture_open(fx, "o311") != 0) return -1;
    p_error err;
    p_error_clear(&err);
    if (community_load_reference(fx->s, &cli_actor, &err) != P_OK) return -1;
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

static void test_datetimes_need_a_timezone(void **state)
{
    (void)state;
    time_t t = 0;
    assert_true(o311_parse_time("2026-01-01T00:00:00Z", &t));
    assert_int_equal(t, 1767225600);
    assert_true(o311_parse_time("2026-01-01T06:00:00+06:00", &t));
    assert_int_equal(t, 1767225600);
    assert_true(o311_parse_time("2025-12-31T19:00:00-0500", &t));
    assert_int_equal(t, 1767225600);
    assert_true(o311_parse_time("2026-01-01T00:00:00.125Z", &t));
    assert_int_equal(t, 1767225600);
    assert_true(o311_parse_time("2024-02-29T23:59:59Z", &t));
    static const char *const bad[] = {"2026-01-01",
                                      "2026-01-01T00:00:00",
                                      "2026-01-01 00:00:00Z",
                                      "2026-02-30T00:00:00Z",
                                      "2026-01-01T24:00:00Z",
                                      "2026-01-01T00:60:00Z",
                                      "2026-01-01T00:00:00+25:00",
                                      "2026-01-01T00:00:00Zjunk",
                                      "2026-01-01T00:00:00.Z",
                                      "26-01-01T00:00:00Z",
                                      ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (o311_parse_time(bad[i], &t)) fail_msg("accepted %s", bad[i]);
    }
}

static void test_format_suffixes(void **state)
{
    (void)state;
    char name[16];
    enum o311_format f;
    bool known;
    assert_true(o311_split_segment("033.xml", name, sizeof name, &f, &known));
    assert_string_equal(name, "033");
    assert_int_equal(f, O311_XML);
    assert_true(o311_split_segment("a.b.json", name, sizeof name, &f, &known));
    assert_string_equal(name, "a.b");
    assert_int_equal(f, O311_JSON);
    assert_false(o311_split_segment("water.csv", name, sizeof name, &f, &known));
    assert_false(known);
    assert_false(o311_split_segment("water", name, sizeof name, &f, &known));
    assert_false(known);
    assert_false(o311_split_segment(".xml", name, sizeof name, &f, &known));
    assert_true(known);
    assert_false(
        o311_split_segment("a-name-longer-than-sixteen.xml", name, sizeof name, &f, &known));
    assert_true(known);
    assert_false(o311_format_parse("XML", &f));
}

static void test_keys_are_stored_hashed_and_revoked_at_once(void **state)
{
    struct fixture *fx = *state;
    p_error err;
    p_error_clear(&err);
    char key[OPEN311_KEY_TEXT_MAX], name[OPEN311_KEY_NAME_MAX * 4 + 1];
    int64_t id = 0, found = 0;
    assert_int_equal(open311_key_create(fx->s, "", &cli_actor, key, &id, &err), P_EINVAL);
    assert_int_equal(open311_key_create(fx->s, "FixMyStreet", &cli_actor, key, &id, &err), P_OK);
    assert_true(strncmp(key, "o311_", 5) == 0);
    assert_int_equal(strlen(key), 48);

    store_stmt *st;
    assert_int_equal(
        store_prepare(fx->s, "SELECT key_hash FROM open311_keys WHERE id = ?", &st, &err), P_OK);
    store_bind_int(st, 1, id);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_int_equal(strlen(store_col_text(st, 0)), 64);
    assert_null(strstr(store_col_text(st, 0), key + 5));
    store_reset(st);

    assert_int_equal(open311_key_check(fx->s, key, &found, name, &err), P_OK);
    assert_int_equal(found, id);
    assert_string_equal(name, "FixMyStreet");
    assert_int_equal(open311_key_check(fx->s, NULL, &found, name, &err), P_EFORBIDDEN);
    assert_int_equal(open311_key_check(fx->s, "o311_nope", &found, name, &err), P_EFORBIDDEN);
    assert_int_equal(open311_key_check(fx->s, "polis_x", &found, name, &err), P_EFORBIDDEN);

    assert_int_equal(open311_key_revoke(fx->s, id, &cli_actor, &err), P_OK);
    assert_int_equal(open311_key_check(fx->s, key, &found, name, &err), P_EFORBIDDEN);
    assert_int_equal(open311_key_revoke(fx->s, id, &cli_actor, &err), P_OK); /* no change */
    assert_int_equal(open311_key_revoke(fx->s, 999999, &cli_actor, &err), P_ENOTFOUND);

    json_t *items = NULL;
    assert_int_equal(open311_key_list(fx->s, &items, &err), P_OK);
    json_t *k = json_array_get(items, 0);
    assert_true(json_is_true(json_object_get(k, "revoked")));
    assert_null(json_object_get(k, "key"));
    assert_null(json_object_get(k, "key_hash"));
    json_decref(items);

    /* Issued once, revoked once: two audit entries, neither holding the key. */
    assert_int_equal(store_prepare(fx->s,
                                   "SELECT count(*), sum(CASE WHEN after LIKE ? THEN 1 ELSE 0 END)"
                                   " FROM audit WHERE entity = 'open311_key'",
                                   &st, &err),
                     P_OK);
    char like[80];
    snprintf(like, sizeof like, "%%%s%%", key + 5);
    store_bind_text(st, 1, like);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 2);
    assert_int_equal(store_col_int(st, 1), 0);
    store_reset(st);
}

static void test_public_records_withhold_what_is_private(void **state)
{
    struct fixture *fx = *state;
    p_error err;
    p_error_clear(&err);
    struct concern_new c = {.channel = "open311",
                            .service_code = "domestic_violence",
                            .description = "my neighbour hits his wife",
                            .address = "5 Lenin street",
                            .has_location = true,
                            .lat = 42.8746,
                            .lon = 74.5698,
                            .contact_name = "Aida",
                            .contact_phone = "+996555123456",
                            .contact_email = "aida@example.org"};
    struct actor by = {"open311:test", ""};
    json_t *rec = NULL;
    bool created = false;
    assert_int_equal(concern_create(fx->s, &c, &by, &rec, &created, &err), P_OK);
    char code[CONCERN_TRACKING_LEN + 1];
    snprintf(code, sizeof code, "%s", json_string_value(json_object_get(rec, "tracking_code")));
    json_decref(rec);

    json_t *list = json_array();
    bool found = false;
    assert_int_equal(o311_request_append(fx->s, code, list, &found, &err), P_OK);
    assert_true(found);
    char *text = json_dumps(list, JSON_COMPACT);
    static const char *const secrets[] = {"neighbour", "Lenin", "42.87", "74.56",
                                          "Aida",      "+996",  "aida@"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(text, secrets[i])) fail_msg("%s in %s", secrets[i], text);
    free(text);
    json_t *r = json_array_get(list, 0);
    assert_string_equal(json_string_value(json_object_get(r, "description")), "(withheld)");
    assert_string_equal(json_string_value(json_object_get(r, "status")), "open");
    assert_null(json_object_get(r, "lat"));
    assert_null(json_object_get(r, "address"));
    json_decref(list);

    /* An internal note never reaches the updates; a public step does. */
    struct concern_viewer admin = {0, "admin"};
    struct concern_step note = {.note = "suspect is the officer's brother", .public = false};
    struct concern_step done = {.status = "acknowledged", .note = "We are on it", .public = true};
    json_t *after = NULL;
    assert_int_equal(concern_advance(fx->s, code, &note, &admin, &by, &after, &err), P_OK);
    json_decref(after);
    assert_int_equal(concern_advance(fx->s, code, &done, &admin, &by, &after, &err), P_OK);
    json_decref(after);
    json_t *ups = json_array();
    assert_int_equal(
        o311_updates_find(fx->s, "2000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", 1000, ups, &err),
        P_OK);
    text = json_dumps(ups, JSON_COMPACT);
    assert_null(strstr(text, "brother"));
    assert_non_null(strstr(text, "We are on it"));
    free(text);
    json_decref(ups);
    list = json_array();
    assert_int_equal(o311_request_append(fx->s, code, list, &found, &err), P_OK);
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "status_notes")),
                        "We are on it");
    json_decref(list);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_datetimes_need_a_timezone),
        cmocka_unit_test(test_format_suffixes),
        cmocka_unit_test(test_keys_are_stored_hashed_and_revoked_at_once),
        cmocka_unit_test(test_public_records_withhold_what_is_private),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
