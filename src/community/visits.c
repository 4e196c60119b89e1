/* visits.c (community): the Mobile Police Reception minibuses' visits — planned, then done
 * (with the day and the number of citizens received) or cancelled — and the concerns raised
 * at each. Officers, forum members and supervisors (PERM_CONCERNS) plan and record them;
 * every change is audited. */
#include "community/internal.h"

#include "auth/audit.h"
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

#define VISIT_COLUMNS                                                                              \
    "v.id, ve.code, ve.plate, a.code, a.name, v.officer, v.community_rep, v.planned_date,"         \
    " v.actual_date, v.citizens_received, v.status,"                                               \
    " (SELECT count(*) FROM concerns c WHERE c.visit_id = v.id)"
#define VISIT_FROM                                                                                 \
    " FROM visits v JOIN vehicles ve ON ve.id = v.vehicle_id JOIN areas a ON a.id = v.area_id"

static json_t *visit_json(store_stmt *st)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:I}", "id",
                     (json_int_t)store_col_int(st, 0), "vehicle", store_col_text(st, 1), "plate",
                     store_col_text(st, 2), "area", store_col_text(st, 3), "area_name",
                     store_col_text(st, 4), "officer", store_col_text(st, 5), "community_rep",
                     store_col_text(st, 6), "planned_date", store_col_text(st, 7), "actual_date",
                     store_col_null(st, 8) ? json_null() : json_string(store_col_text(st, 8)),
                     "citizens_received",
                     store_col_null(st, 9) ? json_null() : json_integer(store_col_int(st, 9)),
                     "status", store_col_text(st, 10), "concerns",
                     (json_int_t)store_col_int(st, 11));
}

static int visit_load(store *s, int64_t id, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT " VISIT_COLUMNS VISIT_FROM " WHERE v.id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step = store_step(st, err);
    if (step == STORE_ROW) *out = visit_json(st);
    store_reset(st);
    if (step < 0) return -step;
    if (!*out) return p_fail(err, P_ENOTFOUND, NULL, "no visit %lld", (long long)id);
    return P_OK;
}

int community_visits(store *s, const char *from, const char *to, const char *status, json_t **items,
                     p_error *err)
{
    *items = NULL;
    store_stmt *st;
    int rc = store_prepare(
        s,
        "SELECT " VISIT_COLUMNS VISIT_FROM " WHERE v.planned_date >= ?1 AND v.planned_date <= ?2"
        " AND (?3 = '' OR v.status = ?3) ORDER BY v.planned_date, v.id LIMIT 1000",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, from ? from : "0000-01-01");
    store_bind_text(st, 2, to ? to : "9999-12-31");
    store_bind_text(st, 3, status ? status : "");
    json_t *out = json_array();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(out, visit_json(st));
    store_reset(st);
    if (step < 0) {
        json_decref(out);
        return -step;
    }
    *items = out;
    return P_OK;
}

static int check_text(json_t *body, const char *name, size_t max, p_error *err)
{
    json_t *v = json_object_get(body, name);
    if (!v || json_is_null(v)) return P_OK;
    if (!json_is_string(v) || !text_utf8_valid(json_string_value(v), json_string_length(v)))
        return p_fail(err, P_EINVAL, name, "%s must be a string", name);
    if (text_utf8_len(json_string_value(v), json_string_length(v)) > max)
        return p_fail(err, P_EINVAL, name, "%s is longer than %zu characters", name, max);
    return P_OK;
}

static int audit_visit(store *s, const char *action, int64_t id, json_t *before, json_t *after,
                       const struct actor *by, p_error *err)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    struct audit_entry e = {by->login, action, "visit", key, before, after, by->client};
    return audit_append(s, &e, err);
}

int community_visit_plan(store *s, json_t *body, const struct actor *by, json_t **out, p_error *err)
{
    *out = NULL;
    const char *vehicle = json_string_value(json_object_get(body, "vehicle"));
    const char *area = json_string_value(json_object_get(body, "area"));
    const char *date = json_string_value(json_object_get(body, "planned_date"));
    if (!vehicle) return p_fail(err, P_EINVAL, "vehicle", "vehicle must be a vehicle's code");
    if (!area) return p_fail(err, P_EINVAL, "area", "area must be an area's code");
    if (!date || !text_is_date(date))
        return p_fail(err, P_EINVAL, "planned_date", "planned_date must be YYYY-MM-DD");
    int rc = check_text(body, "officer", 120, err);
    if (rc == P_OK) rc = check_text(body, "community_rep", 120, err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_prepare(
        s,
        "INSERT INTO visits(vehicle_id, area_id, officer, community_rep, planned_date)"
        " SELECT ve.id, a.id, ?3, ?4, ?5 FROM vehicles ve, areas a"
        " WHERE ve.code = ?1 AND a.code = ?2",
        &st, err);
    if (rc == P_OK) {
        const char *officer = json_string_value(json_object_get(body, "officer"));
        const char *rep = json_string_value(json_object_get(body, "community_rep"));
        store_bind_text(st, 1, vehicle);
        store_bind_text(st, 2, area);
        store_bind_text(st, 3, officer ? officer : "");
        store_bind_text(st, 4, rep ? rep : "");
        store_bind_text(st, 5, date);
        rc = store_run(st, err);
        if (rc == P_OK && store_changes(s) == 0)
            rc = p_fail(err, P_EUNPROC, "vehicle", "no vehicle %s or no area %s", vehicle, area);
    }
    int64_t id = rc == P_OK ? store_last_insert_id(s) : 0;
    json_t *after = NULL;
    if (rc == P_OK) rc = visit_load(s, id, &after, err);
    if (rc == P_OK) rc = audit_visit(s, "create", id, NULL, after, by, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) {
        store_rollback(s);
        json_decref(after);
        return rc;
    }
    *out = after;
    return P_OK;
}

int community_visit_update(store *s, int64_t id, json_t *patch, const struct actor *by,
                           json_t **out, p_error *err)
{
    *out = NULL;
    const char *status = json_string_value(json_object_get(patch, "status"));
    json_t *st_v = json_object_get(patch, "status"),
           *actual = json_object_get(patch, "actual_date");
    json_t *count = json_object_get(patch, "citizens_received");
    if (st_v && (!status || (strcmp(status, "planned") && strcmp(status, "done") &&
                             strcmp(status, "cancelled"))))
        return p_fail(err, P_EINVAL, "status", "status must be planned, done or cancelled");
    if (actual && !json_is_null(actual) &&
        !(json_is_string(actual) && text_is_date(json_string_value(actual))))
        return p_fail(err, P_EINVAL, "actual_date", "actual_date must be YYYY-MM-DD");
    if (count && !json_is_null(count) &&
        !(json_is_integer(count) && json_integer_value(count) >= 0 &&
          json_integer_value(count) <= 100000))
        return p_fail(err, P_EINVAL, "citizens_received", "citizens_received must be 0 to 100000");
    int rc = check_text(patch, "officer", 120, err);
    if (rc == P_OK) rc = check_text(patch, "community_rep", 120, err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *after = NULL;
    rc = visit_load(s, id, &before, err);
    json_t *rec = rc == P_OK ? json_deep_copy(before) : NULL;
    if (rc == P_OK) {
        const char *keys[] = {"status", "actual_date", "citizens_received", "officer",
                              "community_rep"};
        for (int i = 0; i < 5; i++)
            if (json_object_get(patch, keys[i]))
                json_object_set(rec, keys[i], json_object_get(patch, keys[i]));
        if (strcmp(json_string_value(json_object_get(rec, "status")), "done") == 0 &&
            (!json_is_string(json_object_get(rec, "actual_date")) ||
             !json_is_integer(json_object_get(rec, "citizens_received"))))
            rc = p_fail(err, P_EUNPROC, "status",
                        "a visit done has its actual_date and citizens_received");
    }
    store_stmt *st;
    if (rc == P_OK)
        rc =
            store_prepare(s,
                          "UPDATE visits SET status = ?1, actual_date = ?2, citizens_received = ?3,"
                          " officer = ?4, community_rep = ?5 WHERE id = ?6",
                          &st, err);
    if (rc == P_OK) {
        store_bind_text(st, 1, json_string_value(json_object_get(rec, "status")));
        json_t *a = json_object_get(rec, "actual_date"),
               *n = json_object_get(rec, "citizens_received");
        if (json_is_string(a))
            store_bind_text(st, 2, json_string_value(a));
        else
            store_bind_null(st, 2);
        if (json_is_integer(n))
            store_bind_int(st, 3, json_integer_value(n));
        else
            store_bind_null(st, 3);
        store_bind_text(st, 4, json_string_value(json_object_get(rec, "officer")));
        store_bind_text(st, 5, json_string_value(json_object_get(rec, "community_rep")));
        store_bind_int(st, 6, id);
        rc = store_run(st, err);
    }
    if (rc == P_OK) rc = visit_load(s, id, &after, err);
    if (rc == P_OK) rc = audit_visit(s, "update", id, before, after, by, err);
    if (rc == P_OK) rc = store_commit(s, err);
    json_decref(before);
    json_decref(rec);
    if (rc != P_OK) {
        store_rollback(s);
        json_decref(after);
        return rc;
    }
    *out = after;
    return P_OK;
}

/* ---- API ---------------------------------------------------------------------------------- */

static const char *query(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

static void list_handler(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = community_visits(s, query(req, "from"), query(req, "to"), query(req, "status"), &items,
                              &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        api_reply_page(req, items, "");
}

static void create_handler(http_request *req)
{
    static const char *const members[] = {"vehicle", "area",          "planned_date",
                                          "officer", "community_rep", NULL};
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    json_t *body = api_object_body(req, members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_visit_plan(s, body, &by, &out, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 201, out);
    }
    json_decref(body);
}

static void update_handler(http_request *req)
{
    static const char *const members[] = {"status",  "actual_date",   "citizens_received",
                                          "officer", "community_rep", NULL};
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    json_t *body = api_object_body(req, members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        int64_t id = 0;
        (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
        struct actor by = api_actor(req);
        int rc = community_visit_update(s, id, body, &by, &out, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 200, out);
    }
    json_decref(body);
}

static const struct param_spec list_params[] = {
    {.name = "from", .type = PARAM_DATE, .max_len = 10},
    {.name = "to", .type = PARAM_DATE, .max_len = 10},
    {.name = "status", .type = PARAM_ENUM, .enum_values = "planned|done|cancelled"},
    {0}};
static const struct param_spec id_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};

void community_visits_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/api/v1/visits",
         .handler = list_handler,
         .params = list_params},
        {.methods = HTTP_POST, .pattern = "/api/v1/visits", .handler = create_handler},
        {.methods = HTTP_PATCH,
         .pattern = "/api/v1/visits/{id}",
         .handler = update_handler,
         .params = id_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
