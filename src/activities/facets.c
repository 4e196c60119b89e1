/* facets.c (activities): facet counts over the filtered activities, and their JSON route
 * GET /api/v1/activities/facets. They share activities_list's WHERE clause
 * (activities_where_build in list.c), so the counts describe the listed set. */
#include "activities/facets.h"
#include "activities/internal.h"
#include "auth/authz.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

/* Each facet's statement is head, the filtered set's WHERE clause, then tail. A year
 * counts the activities whose planned period touches it, as the year's link filters them
 * (from the year's first to its last day) and as the annual report counts them: an
 * activity from December to January counts in both years. */
static const struct {
    const char *name, *head, *tail;
} facets[] = {
    {"priority",
     "SELECT p.priority_code, COUNT(*) FROM activity_priorities p WHERE p.activity_id IN"
     " (SELECT a.id",
     ") GROUP BY p.priority_code ORDER BY p.priority_code"},
    {"type", "SELECT a.type, COUNT(*)", " GROUP BY a.type ORDER BY a.type"},
    {"status", "SELECT a.status, COUNT(*)", " GROUP BY a.status ORDER BY a.status"},
    {"year",
     "WITH RECURSIVE years(id, year, last) AS (SELECT a.id,"
     " CAST(substr(a.planned_start, 1, 4) AS INTEGER),"
     " CAST(substr(COALESCE(a.planned_end, a.planned_start), 1, 4) AS INTEGER)",
     " UNION ALL SELECT id, year + 1, last FROM years WHERE year < last)"
     " SELECT year, COUNT(*) FROM years GROUP BY year ORDER BY year"},
};

/* Runs one facet's query into *counts (new object). */
static int count_facet(store *s, size_t i, const struct activities_filter *f, json_t **counts,
                       p_error *err)
{
    *counts = NULL;
    buf sql = BUF_INIT;
    struct activities_where w;
    buf_puts(&sql, facets[i].head);
    int rc = activities_where_build(s, f, false, &sql, &w, err);
    buf_puts(&sql, facets[i].tail);
    store_stmt *st = NULL;
    if (rc == P_OK) rc = store_prepare(s, buf_str(&sql), &st, err);
    buf_free(&sql);
    if (rc != P_OK) {
        activities_where_free(&w);
        return rc;
    }
    activities_where_bind(st, &w);
    bool year = strcmp(facets[i].name, "year") == 0;
    json_t *o = json_object();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        char key[32];
        if (year)
            snprintf(key, sizeof key, "%04lld", (long long)store_col_int(st, 0));
        else
            snprintf(key, sizeof key, "%s", store_col_text(st, 0));
        json_object_set_new(o, key, json_integer(store_col_int(st, 1)));
    }
    store_reset(st);
    activities_where_free(&w);
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
    json_t *o = json_object();
    int rc = P_OK;
    for (size_t i = 0; rc == P_OK && i < sizeof facets / sizeof facets[0]; i++) {
        json_t *counts = NULL;
        rc = count_facet(s, i, f, &counts, err);
        if (rc == P_OK) json_object_set_new(o, facets[i].name, counts);
    }
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
