/* api.c (activities): JSON handlers for /api/v1/activities. Reading needs a signed-in
 * user; writing needs PERM_ORG_WRITE on the activity's lead organisation (for a change
 * of lead organisation, on the new one too). Each handler checks permission first. */
#include "activities/activities.h"
#include "activities/internal.h"
#include "auth/authz.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

#define BASE "/api/v1/activities"

/* The value of a declared query parameter, NULL when absent or empty. */
static const char *filter_value(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

void activities_filter_from_query(http_request *req, struct activities_filter *f)
{
    *f = (struct activities_filter){
        .priority = filter_value(req, "priority"),
        .focus = filter_value(req, "focus"),
        .line = filter_value(req, "line"),
        .type = filter_value(req, "type"),
        .status = filter_value(req, "status"),
        .org = filter_value(req, "org"),
        .country = filter_value(req, "country"),
        .target_group = filter_value(req, "target_group"),
        .from = filter_value(req, "from"),
        .to = filter_value(req, "to"),
        .q = filter_value(req, "q"),
        .sort = filter_value(req, "sort"),
        .cursor = filter_value(req, "cursor"),
    };
}

static void list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct activities_filter f;
    activities_filter_from_query(req, &f);
    f.limit = api_limit(req);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = activities_list(s, &f, &items, next, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    api_reply_page(req, items, next);
}

static void show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL;
    int rc = activities_get(s, http_path_param(req, "id"), &rec, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_json(req, 200, rec);
}

/* The body's lead_org when it is a string, else NULL (validation reports it later). */
static const char *body_lead_org(json_t *body)
{
    return json_string_value(json_object_get(body, "lead_org"));
}

static void create_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    if (!authz_role_has(req->who.role, PERM_ORG_WRITE)) {
        (void)authz_require(req, PERM_ORG_WRITE, NULL); /* replies 403 */
        return;
    }
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
    const char *lead = body_lead_org(body);
    store *s = NULL;
    if ((!lead || authz_require(req, PERM_ORG_WRITE, lead)) && (s = api_store(req))) {
        json_t *rec = NULL;
        struct actor by = api_actor(req);
        rc = activities_create(s, body, &by, &rec, &err);
        if (rc != P_OK) {
            api_reply_status(req, rc, &err);
        } else {
            char loc[128];
            snprintf(loc, sizeof loc, BASE "/%s", json_string_value(json_object_get(rec, "id")));
            http_add_header(req, "Location", loc);
            http_reply_json(req, 201, rec);
        }
    }
    json_decref(body);
}

/* Checks that the signed-in user may write the activity in the path: it exists (404)
 * and its lead organisation is in the user's scope (403). */
static bool require_write(http_request *req, store **s)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return false;
    if (!(*s = api_store(req))) return false;
    p_error err;
    p_error_clear(&err);
    char lead[24];
    int rc = activities_lead_org(*s, http_path_param(req, "id"), lead, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return false;
    }
    return authz_require(req, PERM_ORG_WRITE, lead);
}

static void update_handler(http_request *req)
{
    store *s = NULL;
    if (!require_write(req, &s)) return;
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
    const char *lead = body_lead_org(body);
    if (!lead || authz_require(req, PERM_ORG_WRITE, lead)) {
        json_t *rec = NULL;
        struct actor by = api_actor(req);
        rc = activities_update(s, http_path_param(req, "id"), body, &by, &rec, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 200, rec);
    }
    json_decref(body);
}

static void delete_handler(http_request *req)
{
    store *s = NULL;
    if (!require_write(req, &s)) return;
    p_error err;
    p_error_clear(&err);
    struct actor by = api_actor(req);
    int rc = activities_delete(s, http_path_param(req, "id"), &by, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_empty(req);
}

static const struct param_spec id_params[] = {{.name = "id", .type = PARAM_CODE, .max_len = 40},
                                              {0}};
static const struct param_spec list_params[] = {
    API_PAGE_PARAMS,
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
    {.name = "sort", .type = PARAM_ENUM, .enum_values = ACTIVITIES_SORTS},
    {0}};

void activities_api_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = BASE, .handler = list_handler, .params = list_params},
        {.methods = HTTP_POST, .pattern = BASE, .handler = create_handler},
        {.methods = HTTP_GET,
         .pattern = BASE "/{id}",
         .handler = show_handler,
         .params = id_params},
        {.methods = HTTP_PATCH,
         .pattern = BASE "/{id}",
         .handler = update_handler,
         .params = id_params},
        {.methods = HTTP_DELETE,
         .pattern = BASE "/{id}",
         .handler = delete_handler,
         .params = id_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
