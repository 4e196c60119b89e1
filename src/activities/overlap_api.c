/* overlap_api.c (activities): JSON handlers for the likely duplicates of an activity: of
 * a stored one at GET /api/v1/activities/{id}/overlaps, and of a draft that the form posts
 * before saving at POST /api/v1/activities/overlaps-check (nothing is stored). Both need
 * a signed-in user, as reading activities does. */
#include "activities/internal.h"
#include "activities/overlap.h"
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#define BASE "/api/v1/activities"

/* The options from ?window_days= and ?limit= (declared, so already in range). */
static struct overlap_options query_options(http_request *req)
{
    struct overlap_options opt;
    overlap_options_default(&opt);
    int64_t v;
    const char *days = http_query(req, "window_days"), *limit = http_query(req, "limit");
    if (days && text_parse_int64(days, 0, OVERLAP_WINDOW_MAX, &v)) opt.window_days = (int)v;
    if (limit && text_parse_int64(limit, 1, OVERLAP_LIMIT_MAX, &v)) opt.limit = (int)v;
    return opt;
}

static void reply_overlaps(http_request *req, int rc, json_t *items, const p_error *err)
{
    if (rc != P_OK)
        api_reply_status(req, rc, err);
    else
        api_reply_page(req, items, NULL);
}

static void overlaps_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct overlap_options opt = query_options(req);
    json_t *items = NULL;
    int rc = overlap_for_activity(s, http_path_param(req, "id"), &opt, &items, &err);
    reply_overlaps(req, rc, items, &err);
}

static void check_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    int rc = api_only_fields(body, activity_body_members, &err);
    if (rc != P_OK) {
        http_reply_error(req, &err);
        json_decref(body);
        return;
    }
    store *s = api_store(req);
    if (s) {
        struct overlap_options opt = query_options(req);
        json_t *items = NULL;
        rc = overlap_find_candidates(s, body, &opt, &items, &err);
        reply_overlaps(req, rc, items, &err);
    }
    json_decref(body);
}

static const struct param_spec overlap_params[] = {
    {.name = "id", .type = PARAM_CODE, .max_len = 40},
    {.name = "window_days", .type = PARAM_INT, .min = 0, .max = OVERLAP_WINDOW_MAX},
    {.name = "limit", .type = PARAM_INT, .min = 1, .max = OVERLAP_LIMIT_MAX},
    {0}};
static const struct param_spec check_params[] = {
    {.name = "window_days", .type = PARAM_INT, .min = 0, .max = OVERLAP_WINDOW_MAX},
    {.name = "limit", .type = PARAM_INT, .min = 1, .max = OVERLAP_LIMIT_MAX},
    {0}};

void overlap_register_routes(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = BASE "/{id}/overlaps",
         .handler = overlaps_handler,
         .params = overlap_params},
        {.methods = HTTP_POST,
         .pattern = BASE "/overlaps-check",
         .handler = check_handler,
         .params = check_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
