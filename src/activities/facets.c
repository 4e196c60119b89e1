/* facets.c (activities): facet counts over the filtered activities, and their JSON route
 * GET /api/v1/activities/facets. They share activities_list's WHERE clause
 * (ACTIVITIES_FILTER_WHERE in internal.h), so the counts describe the listed set. */
#include "activities/facets.h"
#include "activities/internal.h"
#include "auth/authz.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <string.h>

static const struct {
    const char *name, *sql;
} facets[] = {
    {"priority", "SELECT p.priority_code, COUNT(*) FROM activity_priorities p"
                 " WHERE p.activity_id IN (SELECT a.id" ACTIVITIES_FILTER_WHERE ")"
                 " GROUP BY p.priority_code ORDER BY p.priority_code"},
    {"type", "SELECT a.type, COUNT(*)" ACTIVITIES_FILTER_WHERE " GROUP BY a.type ORDER BY a.type"},
    {"status",
     "SELECT a.status, COUNT(*)" ACTIVITIES_FILTER_WHERE " GROUP BY a.status ORDER BY a.status"},
    {"year", "SELECT substr(a.planned_start, 1, 4) AS y, COUNT(*)" ACTIVITIES_FILTER_WHERE
             " GROUP BY y ORDER BY y"},
};

/* Runs one facet's query into *counts (new object). */
static int count_facet(store *s, const char *sql, const char *const filters[10], const char *match,
                       json_t **counts, p_error *err)
{
    *counts = NULL;
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    for (int i = 0; i < 10; i++)
        store_bind_text(st, i + 1, filters[i]);
    store_bind_text(st, 11, match);
    json_t *o = json_object();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_object_set_new(o, store_col_text(st, 0), json_integer(store_col_int(st, 1)));
    store_reset(st);
    if (step < 0) {
        json_decref(o);
        return -step;
    }
    *counts = o;
    return P_OK;
}

int activities_facets(store *s, const struct activities_filter *f, json_t **out, p_error *err)
{
    *out = NULL;
    if (f->from && f->to && strcmp(f->from, f->to) > 0)
        return p_fail(err, P_EINVAL, "to", "to is before from");
    buf match = BUF_INIT;
    const char *q = f->q && *f->q ? f->q : NULL; /* an empty ?q= does not filter */
    int rc = q ? activity_fts_query(q, &match, err) : P_OK;
    const char *const filters[10] = {f->priority, f->focus,   f->line,         f->type, f->status,
                                     f->org,      f->country, f->target_group, f->from, f->to};
    json_t *o = json_object();
    for (size_t i = 0; rc == P_OK && i < sizeof facets / sizeof facets[0]; i++) {
        json_t *counts = NULL;
        rc = count_facet(s, facets[i].sql, filters, q ? buf_str(&match) : NULL, &counts, err);
        if (rc == P_OK) json_object_set_new(o, facets[i].name, counts);
    }
    buf_free(&match);
    if (rc != P_OK) {
        json_decref(o);
        return rc;
    }
    *out = o;
    return P_OK;
}

static void facets_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct activities_filter f;
    activities_filter_from_query(req, &f);
    json_t *counts = NULL;
    int rc = activities_facets(s, &f, &counts, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_json(req, 200, counts);
}

static const struct param_spec facet_params[] = {
    {.name = "priority", .type = PARAM_CODE, .max_len = 16},
    {.name = "focus", .type = PARAM_CODE, .max_len = 16},
    {.name = "line", .type = PARAM_CODE, .max_len = 16},
    {.name = "org", .type = PARAM_CODE, .max_len = 16},
    {.name = "country", .type = PARAM_CODE, .max_len = 2},
    {.name = "type", .type = PARAM_ENUM, .enum_values = ACTIVITIES_TYPES},
    {.name = "status", .type = PARAM_ENUM, .enum_values = ACTIVITIES_STATUSES},
    {.name = "target_group", .type = PARAM_ENUM, .enum_values = ACTIVITIES_TARGET_GROUPS},
    {.name = "from", .type = PARAM_DATE, .max_len = 10},
    {.name = "to", .type = PARAM_DATE, .max_len = 10},
    {.name = "q", .type = PARAM_STRING, .max_len = 200},
    {0}};

void activities_facets_register(void)
{
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/api/v1/activities/facets",
                               .handler = facets_handler,
                               .params = facet_params});
}
