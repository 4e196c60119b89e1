/* test_community.c: citizens' concerns against a real SQLite file — recording with
 * validation and due dates, tracking codes, idempotent retries, the lifecycle and its
 * rules, what the citizen sees (public events only), who among officers may see what
 * (areas below theirs, never a complaint about police conduct), and contact details kept
 * out of the audit trail; the places' lists and the retired services. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include "community/community.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct actor officer_actor = {"officer.osh", "127.0.0.1"};
static const struct concern_viewer admin_view = {1, "admin"};

static void exec(store *s, const char *sql)
{
    p_error err;
    assert_int_equal(store_exec_script(s, sql, &err), P_OK);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fixture_open(fx, "com") != 0) return -1;
    p_error err;
    p_error_clear(&err);
    if (community_load_reference(fx->s, &officer_actor, &err) != P_OK) return -1;
    exec(
        fx->s,
        "INSERT INTO users(id, login, role, password_hash, created_at, updated_at) VALUES"
        " (1, 'admin', 'admin', 'x', 't', 't'), (2, 'officer.osh', 'police_officer', 'x', 't', "
        "'t'),"
        " (3, 'officer.bishkek', 'police_officer', 'x', 't', 't'), (4, 'forum.osh', 'forum_member',"
        " 'x', 't', 't');"
        "INSERT INTO areas(id, code, parent_id, level, name, country_code) VALUES"
        " (1, 'KG', NULL, 'country', 'Kyrgyzstan', 'KG'), (2, 'KG-OSH', 1, 'province', 'Osh', "
        "'KG'),"
        " (3, 'KG-OSH-KS', 2, 'district', 'Kara-Suu', 'KG'),"
        " (4, 'KG-OSH-KS-1', 3, 'subdistrict', 'Kara-Suu 1', 'KG'),"
        " (5, 'KG-C', 1, 'province', 'Chui', 'KG');"
        "INSERT INTO sites(id, code, name, area_id) VALUES (1, 'OSH-KS', 'Kara-Suu station', 3),"
        " (2, 'BISHKEK-1', 'Bishkek station 1', 5);"
        "INSERT INTO forums(id, code, kind, name, site_id) VALUES (1, 'CSWG-KS', 'cswg', 'Kara-Suu "
        "CSWG', 1);"
        "INSERT INTO forum_members(forum_id, name, user_id) VALUES (1, 'Member', 4);"
        "INSERT INTO user_areas(user_id, area_id) VALUES (2, 2), (3, 5);"
        "INSERT INTO user_sites(user_id, site_id) VALUES (2, 1), (3, 2);");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_close(*state);
    free(*state);
    return 0;
}

static json_t *record(store *s, const char *service, const char *area, const char *client_id,
                      bool *created)
{
    struct concern_new c = {.channel = "reception",
                            .service_code = service,
                            .description = "Street lights out near the school",
                            .area_code = area,
                            .contact_name = "Aigul",
                            .contact_phone = "+996 555 000 111",
                            .client_id = client_id,
                            .created_by = 2};
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    bool made = false;
    int rc = concern_create(s, &c, &officer_actor, &out, &made, &err);
    if (rc != P_OK) fail_msg("concern_create: %s (%s)", err.message, err.field);
    if (created) *created = made;
    return out;
}

static void test_record_assigns_code_due_date_and_public_event(void **state)
{
    struct fixture *fx = *state;
    bool created = false;
    json_t *c = record(fx->s, "domestic_violence", "KG-OSH-KS-1", NULL, &created);
    assert_true(created);
    const char *code = json_string_value(json_object_get(c, "tracking_code"));
    assert_int_equal(strlen(code), CONCERN_TRACKING_LEN);
    char norm[CONCERN_TRACKING_LEN + 1];
    assert_true(concern_tracking_normalise(code, norm));
    assert_string_equal(norm, code);
    assert_string_equal(json_string_value(json_object_get(c, "status")), "received");
    /* domestic violence is due within 2 days */
    const char *received = json_string_value(json_object_get(c, "received_at"));
    const char *due = json_string_value(json_object_get(c, "due_at"));
    assert_true(strcmp(due, received) > 0);
    assert_int_equal(json_array_size(json_object_get(c, "events")), 1);
    json_t *pub = NULL;
    p_error err;
    /* the citizen types it in lower case with a dash */
    char typed[16];
    snprintf(typed, sizeof typed, "%.5s-%s", code, code + 5);
    for (char *p = typed; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p + 32);
    assert_int_equal(concern_public(fx->s, typed, &pub, &err), P_OK);
    assert_null(json_object_get(pub, "contact"));
    assert_null(json_object_get(pub, "description"));
    assert_int_equal(json_array_size(json_object_get(pub, "events")), 1);
    json_decref(pub);
    /* two codes differ */
    json_t *d = record(fx->s, "water", "KG-OSH-KS-1", NULL, NULL);
    assert_string_not_equal(json_string_value(json_object_get(d, "tracking_code")), code);
    json_decref(d);
    json_decref(c);
}

static void test_retry_with_client_id_lands_once(void **state)
{
    struct fixture *fx = *state;
    bool created = false;
    json_t *a = record(fx->s, "water", "KG-OSH-KS", "offline-7f3a", &created);
    assert_true(created);
    json_t *b = record(fx->s, "water", "KG-OSH-KS", "offline-7f3a", &created);
    assert_false(created);
    assert_string_equal(json_string_value(json_object_get(a, "tracking_code")),
                        json_string_value(json_object_get(b, "tracking_code")));
    json_decref(a);
    json_decref(b);
}

static void refused(store *s, struct concern_new c, int status, const char *field)
{
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    bool created = true;
    int rc = concern_create(s, &c, &officer_actor, &out, &created, &err);
    if (rc != status) fail_msg("field %s: got %d (%s), want %d", field, rc, err.message, status);
    assert_string_equal(err.field, field);
    assert_null(out);
    assert_false(created);
}

static void test_bad_input_is_refused_naming_the_field(void **state)
{
    struct fixture *fx = *state;
    struct concern_new ok = {.channel = "web", .service_code = "water", .description = "No water"};
    struct concern_new c = ok;
    c.service_code = "teleportation";
    refused(fx->s, c, P_ENOTFOUND, "service_code");
    c = ok;
    c.channel = "pigeon";
    refused(fx->s, c, P_EINVAL, "channel");
    c = ok;
    c.description = "";
    refused(fx->s, c, P_EUNPROC, "description");
    char long_text[CONCERN_DESCRIPTION_MAX + 2];
    memset(long_text, 'a', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    c = ok;
    c.description = long_text;
    refused(fx->s, c, P_EINVAL, "description");
    c = ok;
    c.has_location = true;
    c.lat = 91;
    refused(fx->s, c, P_EINVAL, "lat");
    c = ok;
    c.has_location = true;
    c.lon = -181;
    refused(fx->s, c, P_EINVAL, "long");
    c = ok;
    c.description = "bad \xff utf-8";
    refused(fx->s, c, P_EINVAL, "description");
    c = ok;
    c.area_code = "ATLANTIS";
    refused(fx->s, c, P_EUNPROC, "area");
    c = ok;
    c.anonymous = true;
    c.contact_phone = "123";
    refused(fx->s, c, P_EUNPROC, "anonymous");
    c = ok;
    c.about_site_code = "OSH-KS"; /* only conduct complaints name a unit */
    refused(fx->s, c, P_EUNPROC, "about_site");
}

static json_t *step(store *s, const char *code, const char *status, const char *note, bool public,
                    const char *forum, int expect, const char *field)
{
    struct concern_step st = {status, note, public, forum, NULL};
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = concern_advance(s, code, &st, &admin_view, &officer_actor, &out, &err);
    if (rc != expect)
        fail_msg("%s -> %s: got %d (%s), want %d", code, status ? status : "note", rc, err.message,
                 expect);
    if (field) assert_string_equal(err.field, field);
    return out;
}

static void test_lifecycle_rules_and_public_events(void **state)
{
    struct fixture *fx = *state;
    json_t *c = record(fx->s, "youth", "KG-OSH-KS-1", NULL, NULL);
    char code[16];
    snprintf(code, sizeof code, "%s", json_string_value(json_object_get(c, "tracking_code")));
    json_decref(c);
    json_decref(step(fx->s, code, "resolved", NULL, true, NULL, P_EUNPROC, "status"));
    json_decref(step(fx->s, code, "rejected", NULL, true, NULL, P_EUNPROC, "note"));
    json_decref(step(fx->s, code, "flying", NULL, true, NULL, P_EINVAL, "status"));
    json_decref(step(fx->s, code, "acknowledged", "We have your concern", true, NULL, P_OK, NULL));
    json_decref(step(fx->s, code, NULL, "Called the school director", false, NULL, P_OK, NULL));
    json_decref(step(fx->s, code, "referred", NULL, true, "NO-SUCH", P_EUNPROC, "forum"));
    json_decref(step(fx->s, code, "referred", NULL, true, NULL, P_EUNPROC, "forum"));
    json_t *r = step(fx->s, code, "referred", "On the forum's agenda", true, "CSWG-KS", P_OK, NULL);
    assert_string_equal(json_string_value(json_object_get(r, "forum")), "CSWG-KS");
    json_decref(r);
    json_decref(step(fx->s, code, "resolved", "Patrols after school", true, NULL, P_OK, NULL));
    r = step(fx->s, code, "closed", NULL, true, NULL, P_OK, NULL);
    assert_non_null(json_string_value(json_object_get(r, "resolved_at")));
    json_decref(r);
    json_decref(step(fx->s, code, "in_progress", NULL, true, NULL, P_EUNPROC, "status"));
    json_t *pub = NULL;
    p_error err;
    assert_int_equal(concern_public(fx->s, code, &pub, &err), P_OK);
    json_t *events = json_object_get(pub, "events");
    assert_int_equal(json_array_size(events), 5); /* received + 4 public steps, no internal note */
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e) assert_string_not_equal(
        json_string_value(json_object_get(e, "note")), "Called the school director");
    assert_string_equal(json_string_value(json_object_get(pub, "status")), "closed");
    json_decref(pub);
    assert_true(concern_transition_allowed("resolved", "in_progress"));
    assert_false(concern_transition_allowed("closed", "received"));
    assert_false(concern_transition_allowed("rejected", "acknowledged"));
}

static int view(store *s, const char *code, int64_t user, const char *role)
{
    struct concern_viewer v = {user, role};
    json_t *out = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = concern_get(s, code, &v, &officer_actor, &out, &err);
    json_decref(out);
    return rc;
}

static void test_who_sees_what(void **state)
{
    struct fixture *fx = *state;
    json_t *c = record(fx->s, "public_order", "KG-OSH-KS-1", NULL, NULL);
    const char *code = json_string_value(json_object_get(c, "tracking_code"));
    assert_int_equal(view(fx->s, code, 2, "police_officer"), P_OK); /* Osh covers the subdistrict */
    assert_int_equal(view(fx->s, code, 3, "police_officer"), P_ENOTFOUND); /* Chui does not */
    assert_int_equal(view(fx->s, code, 4, "forum_member"), P_ENOTFOUND);   /* not referred */
    assert_int_equal(view(fx->s, code, 9, "librarian"), P_ENOTFOUND);
    assert_int_equal(view(fx->s, code, 1, "admin"), P_OK);
    json_decref(c);

    /* A complaint about the Kara-Suu station's conduct: never its officers. */
    struct concern_new k = {.channel = "web",
                            .service_code = "police_conduct",
                            .description = "An officer asked for money",
                            .area_code = "KG-OSH-KS",
                            .about_site_code = "OSH-KS",
                            .anonymous = true};
    json_t *out = NULL;
    p_error err;
    bool created;
    assert_int_equal(concern_create(fx->s, &k, &officer_actor, &out, &created, &err), P_OK);
    char kcode[16];
    snprintf(kcode, sizeof kcode, "%s", json_string_value(json_object_get(out, "tracking_code")));
    json_decref(out);
    assert_int_equal(view(fx->s, kcode, 2, "police_officer"), P_ENOTFOUND);
    assert_int_equal(view(fx->s, kcode, 1, "coordinator"), P_OK);
    json_decref(step(fx->s, kcode, "referred", NULL, true, "CSWG-KS", P_OK, NULL));
    assert_int_equal(view(fx->s, kcode, 4, "forum_member"), P_OK);
    assert_int_equal(view(fx->s, kcode, 2, "police_officer"), P_ENOTFOUND);
}

static void test_contact_details_stay_out_of_the_audit_trail(void **state)
{
    struct fixture *fx = *state;
    json_t *c = record(fx->s, "electricity", "KG-OSH-KS-1", NULL, NULL);
    const char *code = json_string_value(json_object_get(c, "tracking_code"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(c, "contact"), "phone")),
                        "+996 555 000 111");
    assert_int_equal(view(fx->s, code, 2, "police_officer"), P_OK);
    store_stmt *st;
    p_error err;
    assert_int_equal(store_prepare(fx->s,
                                   "SELECT count(*) FROM audit WHERE entity_id = ? AND"
                                   " (after LIKE '%555 000%' OR before LIKE '%555 000%'"
                                   " OR after LIKE '%Aigul%')",
                                   &st, &err),
                     P_OK);
    store_bind_text(st, 1, code);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 0);
    store_reset(st);
    assert_int_equal(store_prepare(fx->s,
                                   "SELECT count(*) FROM audit WHERE entity = 'concern_contact'"
                                   " AND entity_id = ? AND action = 'read'",
                                   &st, &err),
                     P_OK);
    store_bind_text(st, 1, code);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), 1);
    store_reset(st);
    json_decref(c);
}

/* The object of items whose code is code, or NULL. */
static json_t *by_code(json_t *items, const char *code)
{
    size_t i;
    json_t *o;
    json_array_foreach(
        items, i, o) if (strcmp(json_string_value(json_object_get(o, "code")), code) == 0) return o;
    return NULL;
}

static void test_places_list_what_was_added(void **state)
{
    struct fixture *fx = *state;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    assert_int_equal(community_places(fx->s, "area", &items, &err), P_OK);
    json_t *a = by_code(items, "KG-OSH-KS-1");
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "parent")), "KG-OSH-KS");
    assert_string_equal(json_string_value(json_object_get(a, "level")), "subdistrict");
    assert_string_equal(json_string_value(json_object_get(by_code(items, "KG"), "parent")), "");
    assert_null(by_code(items, "KG-OSH-KS-2"));
    json_decref(items);
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", "KG-OSH-KS-2", "parent", "KG-OSH-KS",
                  "level", "subdistrict", "name", "Nariman", "country", "KG");
    assert_int_equal(community_place_create(fx->s, "area", body, &officer_actor, &err), P_OK);
    json_decref(body);
    assert_int_equal(community_places(fx->s, "area", &items, &err), P_OK);
    assert_string_equal(json_string_value(json_object_get(by_code(items, "KG-OSH-KS-2"), "name")),
                        "Nariman");
    json_decref(items);
    assert_int_equal(community_places(fx->s, "forum", &items, &err), P_OK);
    assert_string_equal(json_string_value(json_object_get(by_code(items, "CSWG-KS"), "site")),
                        "OSH-KS");
    json_decref(items);
    assert_int_equal(community_places(fx->s, "planet", &items, &err), P_EINVAL);
    assert_null(items);
}

static void test_a_retired_service_moves_to_the_retired_list(void **state)
{
    struct fixture *fx = *state;
    p_error err;
    p_error_clear(&err);
    json_t *patch = json_pack("{s:b}", "active", false), *out = NULL, *items = NULL;
    assert_int_equal(community_service_save(fx->s, "schools", patch, &officer_actor, &out, &err),
                     P_OK);
    json_decref(out);
    json_decref(patch);
    assert_int_equal(community_services(fx->s, &items, &err), P_OK);
    assert_null(by_code(items, "schools"));
    assert_non_null(by_code(items, "water"));
    json_decref(items);
    assert_int_equal(community_services_retired(fx->s, &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 1);
    assert_non_null(by_code(items, "schools"));
    json_decref(items);
    patch = json_pack("{s:b}", "active", true);
    assert_int_equal(community_service_save(fx->s, "schools", patch, &officer_actor, &out, &err),
                     P_OK);
    json_decref(out);
    json_decref(patch);
    assert_int_equal(community_services_retired(fx->s, &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_assigns_code_due_date_and_public_event),
        cmocka_unit_test(test_retry_with_client_id_lands_once),
        cmocka_unit_test(test_bad_input_is_refused_naming_the_field),
        cmocka_unit_test(test_lifecycle_rules_and_public_events),
        cmocka_unit_test(test_who_sees_what),
        cmocka_unit_test(test_contact_details_stay_out_of_the_audit_trail),
        cmocka_unit_test(test_places_list_what_was_added),
        cmocka_unit_test(test_a_retired_service_moves_to_the_retired_list),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
