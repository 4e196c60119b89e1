/* open311_query.c (community): the reads behind the Open311 resources, as the public sees
 * them: services, and concerns by tracking code with their status, dates and latest public
 * note — never contact details, description or location, which stay with the officers. */
#include "community/community.h"
#include "community/open311_internal.h"
#include "community/attributes.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>

int o311_services(store *s, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(
        s,
        "SELECT code, name, description, keywords, group_name,"
        " CASE WHEN attributes = '[]' THEN 0 ELSE 1 END FROM services WHERE active = 1"
        " ORDER BY position, code",
        &st, err);
    if (rc != P_OK) return rc;
    json_t *list = json_array();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(
            list,
            json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", store_col_text(st, 0),
                      "service_name", store_col_text(st, 1), "description", store_col_text(st, 2),
                      "metadata", store_col_int(st, 5) != 0, "type", "realtime", "keywords",
                      store_col_text(st, 3), "group", store_col_text(st, 4)));
    store_reset(st);
    if (step < 0) {
        json_decref(list);
        return -step;
    }
    *out = list;
    return P_OK;
}

/* The stored definitions in Open311's fields and order: variable, code, datatype,
 * required, datatype_description, order, description, and values for the list types. */
static json_t *open311_attributes(const char *stored)
{
    json_t *defs = attributes_parse_definitions(stored), *out = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        json_t *a = json_pack(
            "{s:O, s:O, s:O, s:O, s:O, s:O, s:O}", "variable", json_object_get(d, "variable"),
            "code", json_object_get(d, "code"), "datatype", json_object_get(d, "datatype"),
            "required", json_object_get(d, "required"), "datatype_description",
            json_object_get(d, "datatype_description"), "order", json_object_get(d, "order"),
            "description", json_object_get(d, "description"));
        if (!a) continue; /* a stored definition is always complete: attributes.c wrote it */
        json_t *values = json_object_get(d, "values");
        if (json_is_array(values)) {
            json_t *pairs = json_array(); /* the spec's key and name only */
            size_t k;
            json_t *v;
            json_array_foreach(values, k, v) json_array_append_new(
                pairs, json_pack("{s:O, s:O}", "key", json_object_get(v, "key"), "name",
                                 json_object_get(v, "name")));
            json_object_set_new(a, "values", pairs);
        }
        json_array_append_new(out, a);
    }
    json_decref(defs);
    return out;
}

int o311_service_definition(store *s, const char *code, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT code, attributes FROM services WHERE code = ? AND active = 1",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW)
        *out = json_pack("{s:s, s:o}", "service_code", store_col_text(st, 0), "attributes",
                         open311_attributes(store_col_text(st, 1)));
    store_reset(st);
    if (step < 0) return -step;
    if (!*out) return p_fail(err, P_ENOTFOUND, "service_code", "no service %s", code);
    return P_OK;
}

/* Open311 calls every step before an answer open, and the answers closed. */
static const char *open_or_closed(const char *status)
{
    return strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0 ||
                   strcmp(status, "rejected") == 0
               ? "closed"
               : "open";
}

#define REQUEST_COLUMNS                                                                            \
    "SELECT c.tracking_code, c.status, sv.name, c.service_code, c.received_at, c.updated_at,"      \
    " c.due_at, (SELECT e.note FROM concern_events e WHERE e.concern_id = c.id AND e.public = 1"   \
    " ORDER BY e.id DESC LIMIT 1)"                                                                 \
    " FROM concerns c JOIN services sv ON sv.code = c.service_code"

/* The public record of the row st is on. description is withheld: a concern about a crime
 * or an officer's conduct is not for publication; so are its place and who sent it. */
static json_t *request_record(store_stmt *st)
{
    char notice[96];
    snprintf(notice, sizeof notice, "The police aim to answer by %s.", store_col_text(st, 6));
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "service_request_id",
                     store_col_text(st, 0), "status", open_or_closed(store_col_text(st, 1)),
                     "status_notes", store_col_null(st, 7) ? "" : store_col_text(st, 7),
                     "service_name", store_col_text(st, 2), "service_code", store_col_text(st, 3),
                     "description", "(withheld)", "service_notice", notice, "requested_datetime",
                     store_col_text(st, 4), "updated_datetime", store_col_text(st, 5),
                     "expected_datetime", store_col_text(st, 6));
}

int o311_request_append(store *s, const char *code, json_t *into, bool *found, p_error *err)
{
    *found = false;
    store_stmt *st;
    int rc = store_prepare(s, REQUEST_COLUMNS " WHERE c.tracking_code = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        json_array_append_new(into, request_record(st));
        *found = true;
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int o311_requests_find(store *s, const struct o311_filter *f, json_t *into, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(
        s,
        REQUEST_COLUMNS " WHERE c.received_at >= ?1 AND c.received_at <= ?2"
                        " AND (?3 = 0 OR c.service_code IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                        " ?13))"
                        " AND (?14 = 0 OR c.status IN ('received', 'acknowledged', 'referred',"
                        " 'in_progress'))"
                        " AND (?15 = 0 OR c.status IN ('resolved', 'closed', 'rejected'))"
                        " ORDER BY c.received_at DESC, c.id DESC LIMIT ?16 OFFSET ?17",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, f->from);
    store_bind_text(st, 2, f->to);
    store_bind_int(st, 3, f->n_codes > 0);
    for (int i = 0; i < O311_CODES_MAX; i++) {
        if (i < f->n_codes)
            store_bind_text(st, 4 + i, f->codes[i]);
        else
            store_bind_null(st, 4 + i);
    }
    store_bind_int(st, 14, f->open && !f->closed);
    store_bind_int(st, 15, f->closed && !f->open);
    store_bind_int(st, 16, f->limit);
    store_bind_int(st, 17, f->offset);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(into, request_record(st));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int o311_updates_find(store *s, const char *from, const char *to, int64_t limit, json_t *into,
                      p_error *err)
{
    store_stmt *st;
    /* A note changes no status: it reports the status the concern had at that step. */
    int rc = store_prepare(
        s,
        "SELECT e.id, c.tracking_code, COALESCE(e.status, (SELECT e2.status FROM concern_events e2"
        " WHERE e2.concern_id = e.concern_id AND e2.id < e.id AND e2.status IS NOT NULL"
        " ORDER BY e2.id DESC LIMIT 1), c.status), e.at, e.note"
        " FROM concern_events e JOIN concerns c ON c.id = e.concern_id"
        " WHERE e.public = 1 AND e.at >= ?1 AND e.at <= ?2 ORDER BY e.at, e.id LIMIT ?3",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, from);
    store_bind_text(st, 2, to);
    store_bind_int(st, 3, limit);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)store_col_int(st, 0));
        const char *status =
            strcmp(open_or_closed(store_col_text(st, 2)), "closed") == 0 ? "CLOSED" : "OPEN";
        json_array_append_new(into, json_pack("{s:s, s:s, s:s, s:s, s:s}", "update_id", id,
                                              "service_request_id", store_col_text(st, 1), "status",
                                              status, "updated_datetime", store_col_text(st, 3),
                                              "description", store_col_text(st, 4)));
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int o311_code_by_client_id(store *s, const char *client_id, char *code, p_error *err)
{
    code[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(s, "SELECT tracking_code FROM concerns WHERE client_id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, client_id);
    int step = store_step(st, err);
    if (step == STORE_ROW) snprintf(code, CONCERN_TRACKING_LEN + 1, "%s", store_col_text(st, 0));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int o311_last_event_id(store *s, const char *code, int64_t *id, p_error *err)
{
    *id = 0;
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT MAX(e.id) FROM concern_events e JOIN concerns c"
                           " ON c.id = e.concern_id WHERE c.tracking_code = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW && !store_col_null(st, 0)) *id = store_col_int(st, 0);
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int o311_update_seen(store *s, int64_t key_id, const char *update_id, int64_t *event_id, char *code,
                     p_error *err)
{
    *event_id = 0;
    code[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT u.event_id, c.tracking_code FROM open311_update_ids u"
                           " JOIN concern_events e ON e.id = u.event_id"
                           " JOIN concerns c ON c.id = e.concern_id"
                           " WHERE u.key_id = ? AND u.update_id = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, key_id);
    store_bind_text(st, 2, update_id);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        *event_id = store_col_int(st, 0);
        snprintf(code, CONCERN_TRACKING_LEN + 1, "%s", store_col_text(st, 1));
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int o311_update_remember(store *s, int64_t key_id, const char *update_id, int64_t event_id,
                         p_error *err)
{
    char now[21];
    text_now_iso(now);
    store_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO open311_update_ids(key_id, update_id, event_id, created_at)"
                           " VALUES (?, ?, ?, ?) ON CONFLICT (key_id, update_id) DO NOTHING",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, key_id);
    store_bind_text(st, 2, update_id);
    store_bind_int(st, 3, event_id);
    store_bind_text(st, 4, now);
    return store_run(st, err);
}
