/* forums.c (community): community forums — Community Safety Working Groups, Local Crime
 * Prevention Centres, Neighbourhood Management Teams — with their members and areas, the
 * agenda built from the concerns relayed to them, and their meetings: who attended and the
 * decisions taken, each written back to its concern as an event the citizen can see. */
#include "community/internal.h"

#include "auth/audit.h"
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

enum { MEETING_DECISIONS_MAX = 100, MEETING_ATTENDEES_MAX = 200 };

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int forum_id(store *s, const char *code, int64_t *id, p_error *err)
{
    *id = 0;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT id FROM forums WHERE code = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code ? code : "");
    int step = store_step(st, err);
    if (step == STORE_ROW) *id = store_col_int(st, 0);
    store_reset(st);
    if (step < 0) return -step;
    if (!*id) return p_fail(err, P_ENOTFOUND, NULL, "no forum %s", code ? code : "");
    return P_OK;
}

/* Appends the rows of sql (bound to id) as objects with the given column names. */
static int rows(store *s, const char *sql, int64_t id, const char *const *names, json_t *into,
                p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        json_t *o = json_object();
        for (int i = 0; names[i]; i++) {
            if (names[i][0] == '#')
                json_object_set_new(o, names[i] + 1, json_integer(store_col_int(st, i)));
            else
                json_object_set_new(o, names[i], json_string(store_col_text(st, i)));
        }
        json_array_append_new(into, o);
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int community_forum_get(store *s, const char *code, json_t **out, p_error *err)
{
    *out = NULL;
    int64_t id = 0;
    int rc = forum_id(s, code, &id, err);
    if (rc != P_OK) return rc;
    json_t *f = json_array();
    rc = rows(s,
              "SELECT f.code, f.kind, f.name, f.name_ru, COALESCE(si.code, '') FROM forums f"
              " LEFT JOIN sites si ON si.id = f.site_id WHERE f.id = ?",
              id, (const char *const[]){"code", "kind", "name", "name_ru", "site", NULL}, f, err);
    json_t *rec = json_incref(json_array_get(f, 0));
    json_decref(f);
    json_t *areas = json_array(), *members = json_array();
    json_object_set_new(rec, "areas", areas);
    json_object_set_new(rec, "members", members);
    if (rc == P_OK)
        rc = rows(s,
                  "SELECT a.code, a.name FROM forum_areas fa JOIN areas a ON a.id = fa.area_id"
                  " WHERE fa.forum_id = ? ORDER BY a.code",
                  id, (const char *const[]){"code", "name", NULL}, areas, err);
    if (rc == P_OK)
        rc = rows(s,
                  "SELECT id, name, role FROM forum_members WHERE forum_id = ? AND left_on IS NULL"
                  " ORDER BY id",
                  id, (const char *const[]){"#id", "name", "role", NULL}, members, err);
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    *out = rec;
    return P_OK;
}

int community_forum_agenda(store *s, const char *code, json_t **items, p_error *err)
{
    *items = NULL;
    int64_t id = 0;
    int rc = forum_id(s, code, &id, err);
    if (rc != P_OK) return rc;
    json_t *out = json_array();
    rc = rows(s,
              "SELECT c.tracking_code, c.service_code, sv.name, c.status, c.description,"
              " c.received_at, c.due_at FROM concerns c JOIN services sv ON sv.code ="
              " c.service_code WHERE c.forum_id = ? AND c.status IN ('referred', 'in_progress')"
              " ORDER BY c.due_at, c.id",
              id,
              (const char *const[]){"tracking_code", "service_code", "service_name", "status",
                                    "description", "received_at", "due_at", NULL},
              out, err);
    if (rc != P_OK) {
        json_decref(out);
        return rc;
    }
    *items = out;
    return P_OK;
}

int community_meetings(store *s, const char *code, json_t **items, p_error *err)
{
    *items = NULL;
    int64_t id = 0;
    int rc = forum_id(s, code, &id, err);
    if (rc != P_OK) return rc;
    json_t *out = json_array();
    rc = rows(s,
              "SELECT id, held_on, place, notes, attendance FROM forum_meetings WHERE forum_id = ?"
              " ORDER BY held_on DESC, id DESC LIMIT 100",
              id, (const char *const[]){"#id", "held_on", "place", "notes", "#attendance", NULL},
              out, err);
    size_t i;
    json_t *m;
    json_array_foreach(out, i, m)
    {
        json_t *d = json_array();
        json_object_set_new(m, "decisions", d);
        if (rc == P_OK)
            rc = rows(s,
                      "SELECT c.tracking_code, d.decision, d.public FROM forum_decisions d JOIN"
                      " concerns c ON c.id = d.concern_id WHERE d.meeting_id = ? ORDER BY d.id",
                      json_integer_value(json_object_get(m, "id")),
                      (const char *const[]){"tracking_code", "decision", "#public", NULL}, d, err);
    }
    if (rc != P_OK) {
        json_decref(out);
        return rc;
    }
    *items = out;
    return P_OK;
}

/* ---- recording a meeting ------------------------------------------------------------------ */

static int check_meeting(json_t *body, p_error *err)
{
    const char *held = str(body, "held_on");
    if (!held || !text_is_date(held))
        return p_fail(err, P_EINVAL, "held_on", "held_on must be a date YYYY-MM-DD");
    static const char *const texts[] = {"place", "notes"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(body, texts[i]);
        if (v && !json_is_string(v))
            return p_fail(err, P_EINVAL, texts[i], "%s must be a string", texts[i]);
        if (v && (!text_utf8_valid(json_string_value(v), json_string_length(v)) ||
                  text_utf8_len(json_string_value(v), json_string_length(v)) > 4000))
            return p_fail(err, P_EINVAL, texts[i],
                          "%s must be valid UTF-8 of at most 4000 characters", texts[i]);
    }
    json_t *att = json_object_get(body, "attendees"), *dec = json_object_get(body, "decisions");
    if (att && (!json_is_array(att) || json_array_size(att) > MEETING_ATTENDEES_MAX))
        return p_fail(err, P_EINVAL, "attendees", "attendees must be an array of member ids");
    if (dec && (!json_is_array(dec) || json_array_size(dec) > MEETING_DECISIONS_MAX))
        return p_fail(err, P_EINVAL, "decisions", "decisions must be an array of at most %d",
                      MEETING_DECISIONS_MAX);
    size_t i;
    json_t *v;
    json_array_foreach(att, i, v) if (!json_is_integer(v)) return p_fail(
        err, P_EINVAL, "attendees", "attendees must be member ids");
    json_array_foreach(dec, i, v)
    {
        if (!json_is_object(v) || !json_is_string(json_object_get(v, "tracking_code")) ||
            !json_is_string(json_object_get(v, "decision")) ||
            !json_string_length(json_object_get(v, "decision")))
            return p_fail(err, P_EINVAL, "decisions",
                          "each decision needs a tracking_code and a decision text");
        json_t *pub = json_object_get(v, "public"), *stat = json_object_get(v, "status");
        if ((pub && !json_is_boolean(pub)) ||
            (stat && !json_is_string(stat) && !json_is_null(stat)))
            return p_fail(err, P_EINVAL, "decisions", "public is true or false; status a status");
    }
    return P_OK;
}

static int add_attendee(store *s, int64_t meeting, int64_t forum, json_int_t member, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO forum_meeting_attendees(meeting_id, member_id) SELECT ?, id"
                           " FROM forum_members WHERE id = ? AND forum_id = ? AND left_on IS NULL",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, meeting);
    store_bind_int(st, 2, member);
    store_bind_int(st, 3, forum);
    rc = store_run(st, err);
    if (rc == P_OK && store_changes(s) == 0)
        rc = p_fail(err, P_EUNPROC, "attendees", "member %lld is not a member of this forum",
                    (long long)member);
    return rc;
}

/* Records a decision on one concern relayed to the forum: the decision row, and the event
 * (with a status step when one is given) written through the concern's lifecycle. */
static int add_decision(store *s, int64_t meeting, int64_t forum, json_t *d, const struct actor *by,
                        p_error *err)
{
    char code[CONCERN_TRACKING_LEN + 1];
    if (!concern_tracking_normalise(str(d, "tracking_code"), code))
        return p_fail(err, P_EUNPROC, "decisions", "%.20s is not a tracking code",
                      str(d, "tracking_code"));
    store_stmt *st;
    int rc = store_prepare(s, "SELECT id FROM concerns WHERE tracking_code = ? AND forum_id = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    store_bind_int(st, 2, forum);
    int step = store_step(st, err);
    int64_t concern = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    if (step < 0) return -step;
    if (!concern)
        return p_fail(err, P_EUNPROC, "decisions", "concern %s was not relayed to this forum",
                      code);
    json_t *pub = json_object_get(d, "public");
    bool public = !pub || json_is_true(pub);
    rc = store_prepare(s,
                       "INSERT INTO forum_decisions(meeting_id, concern_id, decision, public)"
                       " VALUES (?, ?, ?, ?)",
                       &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, meeting);
    store_bind_int(st, 2, concern);
    store_bind_text(st, 3, str(d, "decision"));
    store_bind_int(st, 4, public ? 1 : 0);
    rc = store_run(st, err);
    struct concern_step cs = {str(d, "status"), str(d, "decision"), public, NULL, NULL};
    struct concern_viewer supervisor = {0, "admin"}; /* the forum's own concern: visible */
    if (rc == P_OK) rc = concern_advance_in_tx(s, code, &cs, "decision", &supervisor, by, err);
    if (rc != P_OK && !strcmp(err->field, "status"))
        snprintf(err->field, sizeof err->field, "decisions");
    return rc;
}

int community_meeting_record(store *s, const char *code, json_t *body, const struct actor *by,
                             json_t **out, p_error *err)
{
    *out = NULL;
    if (!json_is_object(body)) return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    int rc = check_meeting(body, err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    int64_t forum = 0, meeting = 0;
    rc = forum_id(s, code, &forum, err);
    char now[21];
    text_now_iso(now);
    json_t *att = json_object_get(body, "attendees");
    store_stmt *st;
    if (rc == P_OK)
        rc = store_prepare(s,
                           "INSERT INTO forum_meetings(forum_id, held_on, place, notes, attendance,"
                           " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, forum);
        store_bind_text(st, 2, str(body, "held_on"));
        store_bind_text(st, 3, str(body, "place") ? str(body, "place") : "");
        store_bind_text(st, 4, str(body, "notes") ? str(body, "notes") : "");
        store_bind_int(st, 5, (int64_t)json_array_size(att));
        store_bind_text(st, 6, now);
        store_bind_text(st, 7, by->login);
        rc = store_run(st, err);
        meeting = store_last_insert_id(s);
    }
    size_t i;
    json_t *v;
    json_array_foreach(att, i, v) if (rc == P_OK) rc =
        add_attendee(s, meeting, forum, json_integer_value(v), err);
    json_array_foreach(json_object_get(body, "decisions"), i, v) if (rc == P_OK) rc =
        add_decision(s, meeting, forum, v, by, err);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)meeting);
    struct audit_entry e = {by->login, "create", "forum_meeting", id, NULL, body, by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    *out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)meeting, "forum", code, "held_on",
                     str(body, "held_on"));
    return P_OK;
}

/* True when the signed-in user may act for the forum: supervisors, or its members. */
int community_forum_member(store *s, const char *code, const principal *who, bool *ok, p_error *err)
{
    *ok = strcmp(who->role, "admin") == 0 || strcmp(who->role, "coordinator") == 0;
    if (*ok) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT 1 FROM forum_members m JOIN forums f ON f.id = m.forum_id"
                           " WHERE f.code = ? AND m.user_id = ? AND m.left_on IS NULL",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code ? code : "");
    store_bind_int(st, 2, who->user_id);
    int step = store_step(st, err);
    *ok = step == STORE_ROW;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* ---- members and areas -------------------------------------------------------------------- */

int community_forum_remove_member(store *s, const char *code, int64_t member_id,
                                  const struct actor *by, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    int64_t forum = 0;
    rc = forum_id(s, code, &forum, err);
    store_stmt *st;
    json_t *before = NULL;
    if (rc == P_OK)
        rc = store_prepare(s,
                           "SELECT name, role FROM forum_members WHERE id = ? AND forum_id = ?"
                           " AND left_on IS NULL",
                           &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, member_id);
        store_bind_int(st, 2, forum);
        int step = store_step(st, err);
        if (step == STORE_ROW)
            before = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)member_id, "name",
                               store_col_text(st, 0), "role", store_col_text(st, 1));
        store_reset(st);
        if (step < 0)
            rc = -step;
        else if (!before)
            rc = p_fail(err, P_ENOTFOUND, "member", "the forum has no member %lld",
                        (long long)member_id);
    }
    char today[21];
    text_now_iso(today);
    today[10] = '\0';
    if (rc == P_OK)
        rc = store_prepare(s, "UPDATE forum_members SET left_on = ? WHERE id = ?", &st, err);
    if (rc == P_OK) {
        store_bind_text(st, 1, today);
        store_bind_int(st, 2, member_id);
        rc = store_run(st, err);
    }
    json_t *after = before ? json_deep_copy(before) : NULL;
    if (after) json_object_set_new(after, "left_on", json_string(today));
    struct audit_entry e = {by->login, "update", "forum_member", code, before, after, by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) store_rollback(s);
    json_decref(before);
    json_decref(after);
    return rc;
}

int community_forum_add_member(store *s, const char *code, json_t *body, const struct actor *by,
                               json_t **out, p_error *err)
{
    *out = NULL;
    const char *name = json_string_value(json_object_get(body, "name"));
    json_t *role = json_object_get(body, "role"), *user = json_object_get(body, "user");
    if (!name || !*name || !text_utf8_valid(name, strlen(name)) ||
        text_utf8_len(name, strlen(name)) > 120)
        return p_fail(err, P_EINVAL, "name", "name must be 1 to 120 characters");
    if (role && (!json_is_string(role) || json_string_length(role) > 120))
        return p_fail(err, P_EINVAL, "role", "role must be a string of at most 120 characters");
    if (user && !json_is_null(user) && !json_is_string(user))
        return p_fail(err, P_EINVAL, "user", "user must be a login");
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    int64_t forum = 0, user_id = 0;
    rc = forum_id(s, code, &forum, err);
    store_stmt *st;
    if (rc == P_OK && json_is_string(user)) {
        rc = store_prepare(s, "SELECT id FROM users WHERE login = ?", &st, err);
        if (rc == P_OK) {
            store_bind_text(st, 1, json_string_value(user));
            int step = store_step(st, err);
            if (step == STORE_ROW) user_id = store_col_int(st, 0);
            store_reset(st);
            if (step < 0)
                rc = -step;
            else if (!user_id)
                rc = p_fail(err, P_EUNPROC, "user", "no user %s", json_string_value(user));
        }
    }
    if (rc == P_OK)
        rc = store_prepare(
            s, "INSERT INTO forum_members(forum_id, name, role, user_id) VALUES (?, ?, ?, ?)", &st,
            err);
    if (rc == P_OK) {
        store_bind_int(st, 1, forum);
        store_bind_text(st, 2, name);
        store_bind_text(st, 3, json_is_string(role) ? json_string_value(role) : "");
        if (user_id)
            store_bind_int(st, 4, user_id);
        else
            store_bind_null(st, 4);
        rc = store_run(st, err);
    }
    int64_t member = rc == P_OK ? store_last_insert_id(s) : 0;
    struct audit_entry e = {by->login, "create", "forum_member", code, NULL, body, by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    *out = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)member, "name", name, "role",
                     json_is_string(role) ? json_string_value(role) : "");
    return P_OK;
}

int community_forum_set_areas(store *s, const char *code, json_t *areas, const struct actor *by,
                              p_error *err)
{
    if (!json_is_array(areas) || json_array_size(areas) > 50)
        return p_fail(err, P_EINVAL, "areas", "areas must be an array of at most 50 area codes");
    size_t i;
    json_t *a;
    json_array_foreach(areas, i, a) if (!json_is_string(a)) return p_fail(
        err, P_EINVAL, "areas", "areas must be area codes");
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    int64_t forum = 0;
    rc = forum_id(s, code, &forum, err);
    store_stmt *st;
    if (rc == P_OK) rc = store_prepare(s, "DELETE FROM forum_areas WHERE forum_id = ?", &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, forum);
        rc = store_run(st, err);
    }
    json_array_foreach(areas, i, a)
    {
        if (rc == P_OK)
            rc = store_prepare(s,
                               "INSERT INTO forum_areas(forum_id, area_id) SELECT ?, id FROM areas"
                               " WHERE code = ?",
                               &st, err);
        if (rc != P_OK) break;
        store_bind_int(st, 1, forum);
        store_bind_text(st, 2, json_string_value(a));
        rc = store_run(st, err);
        if (rc == P_OK && store_changes(s) == 0)
            rc = p_fail(err, P_EUNPROC, "areas", "no area %s", json_string_value(a));
        if (rc == P_ECONFLICT)
            rc = p_fail(err, P_EUNPROC, "areas", "areas lists %s twice", json_string_value(a));
    }
    json_t *after = json_pack("{s:O}", "areas", areas);
    struct audit_entry e = {by->login, "update", "forum_areas", code, NULL, after, by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    json_decref(after);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) store_rollback(s);
    return rc;
}

/* ---- API ---------------------------------------------------------------------------------- */

/* Checks PERM_CONCERNS and membership of the forum in the path; replies and returns NULL
 * when refused (404 for a forum that does not exist). */
static store *forum_access(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return NULL;
    store *s = api_store(req);
    if (!s) return NULL;
    p_error err;
    p_error_clear(&err);
    int64_t id = 0;
    bool ok = false;
    int rc = forum_id(s, http_path_param(req, "code"), &id, &err);
    if (rc == P_OK)
        rc = community_forum_member(s, http_path_param(req, "code"), &req->who, &ok, &err);
    if (rc == P_OK && !ok)
        rc = p_fail(&err, P_EFORBIDDEN, NULL, "only the forum's members and supervisors");
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return NULL;
    }
    return s;
}

static void forum_handler(http_request *req)
{
    store *s = forum_access(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *out = NULL;
    int rc = community_forum_get(s, http_path_param(req, "code"), &out, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_json(req, 200, out);
}

static void agenda_handler(http_request *req)
{
    store *s = forum_access(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = community_forum_agenda(s, http_path_param(req, "code"), &items, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        api_reply_page(req, items, "");
}

static void meetings_handler(http_request *req)
{
    store *s = forum_access(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = community_meetings(s, http_path_param(req, "code"), &items, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        api_reply_page(req, items, "");
}

static void meeting_create_handler(http_request *req)
{
    static const char *const members[] = {"held_on",   "place",     "notes",
                                          "attendees", "decisions", NULL};
    store *s = forum_access(req);
    if (!s) return;
    json_t *body = api_object_body(req, members);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    json_t *out = NULL;
    struct actor by = api_actor(req);
    int rc = community_meeting_record(s, http_path_param(req, "code"), body, &by, &out, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_json(req, 201, out);
    json_decref(body);
}

/* Adding members and setting areas is the supervisors' (PERM_REFERENCE_EDIT). */
static void member_create_handler(http_request *req)
{
    static const char *const members[] = {"name", "role", "user", NULL};
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    json_t *body = api_object_body(req, members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_forum_add_member(s, http_path_param(req, "code"), body, &by, &out, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 201, out);
    }
    json_decref(body);
}

static void member_delete_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    int64_t id = 0;
    (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
    struct actor by = api_actor(req);
    int rc = community_forum_remove_member(s, http_path_param(req, "code"), id, &by, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_empty(req);
}

static void areas_put_handler(http_request *req)
{
    static const char *const members[] = {"areas", NULL};
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    json_t *body = api_object_body(req, members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = community_forum_set_areas(s, http_path_param(req, "code"),
                                           json_object_get(body, "areas"), &by, &err);
        json_t *out = NULL;
        if (rc == P_OK) rc = community_forum_get(s, http_path_param(req, "code"), &out, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 200, out);
    }
    json_decref(body);
}

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 40},
                                                {0}};
static const struct param_spec member_params[] = {
    {.name = "code", .type = PARAM_CODE, .max_len = 40},
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {0}};

void community_forums_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/api/v1/forums/{code}",
         .handler = forum_handler,
         .params = code_params},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/forums/{code}/agenda",
         .handler = agenda_handler,
         .params = code_params},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/forums/{code}/meetings",
         .handler = meetings_handler,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/api/v1/forums/{code}/members",
         .handler = member_create_handler,
         .params = code_params},
        {.methods = HTTP_DELETE,
         .pattern = "/api/v1/forums/{code}/members/{id}",
         .handler = member_delete_handler,
         .params = member_params},
        {.methods = HTTP_PUT,
         .pattern = "/api/v1/forums/{code}/areas",
         .handler = areas_put_handler,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/api/v1/forums/{code}/meetings",
         .handler = meeting_create_handler,
         .params = code_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
