/* api.c (framework): JSON handlers for lines of action, priorities, focus areas,
 * principles, organisations and countries. Reading needs a signed-in user; creating and
 * changing needs PERM_REFERENCE_EDIT. Each handler checks permission first. */
#include "auth/authz.h"
#include "framework/framework.h"
#include "framework/service.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The collection path of each kind; a record lives at PATH/{code}. */
static const char *const base_paths[FRAMEWORK_KIND_COUNT] = {
    [FRAMEWORK_LINE] = "/api/v1/framework/lines-of-action",
    [FRAMEWORK_PRIORITY] = "/api/v1/framework/priorities",
    [FRAMEWORK_FOCUS_AREA] = "/api/v1/framework/focus-areas",
    [FRAMEWORK_PRINCIPLE] = "/api/v1/framework/principles",
    [FRAMEWORK_ORGANISATION] = "/api/v1/organisations",
    [FRAMEWORK_COUNTRY] = "/api/v1/countries",
};

/* The serialized reply of each small list, reused while the framework version stays the
 * same: building a list takes several queries and serializing it most of the time. */
static pthread_mutex_t list_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    int64_t version; /* 0: empty */
    char *body;
    size_t len;
} list_cache[FRAMEWORK_KIND_COUNT];

typedef int (*small_list_fn)(store *s, json_t **items, p_error *err);

/* Copies the cached reply of kind for version into req; false when there is none. */
static bool reply_from_cache(http_request *req, enum framework_kind kind, int64_t version)
{
    bool hit = false;
    pthread_mutex_lock(&list_cache_lock);
    if (list_cache[kind].body && list_cache[kind].version == version) {
        http_reply_bytes(req, 200, "application/json; charset=utf-8", list_cache[kind].body,
                         list_cache[kind].len);
        hit = true;
    }
    pthread_mutex_unlock(&list_cache_lock);
    return hit;
}

/* Builds the list of kind, keeps it for version and replies with it. */
static void reply_and_cache(http_request *req, enum framework_kind kind, int64_t version,
                            small_list_fn load, store *s)
{
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = load(s, &items, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    json_t *page = json_pack("{s:o, s:n}", "items", items, "next");
    char *body = page ? json_dumps(page, JSON_COMPACT) : NULL;
    json_decref(page);
    if (!body) {
        http_reply_fail(req, P_EIO, NULL, "cannot encode the list");
        return;
    }
    size_t len = strlen(body);
    http_reply_bytes(req, 200, "application/json; charset=utf-8", body, len);
    pthread_mutex_lock(&list_cache_lock);
    if (version >= list_cache[kind].version) {
        free(list_cache[kind].body);
        list_cache[kind].body = body;
        list_cache[kind].len = len;
        list_cache[kind].version = version;
        body = NULL;
    }
    pthread_mutex_unlock(&list_cache_lock);
    free(body);
}

/* Replies with a small list of kind, from the cache when the data has not changed, or
 * 304 when the client's copy (If-None-Match) is current. */
static void reply_small_list_cached(http_request *req, enum framework_kind kind, small_list_fn load)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    int64_t version = 0;
    int rc = framework_version(s, &version, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    char etag[48];
    snprintf(etag, sizeof etag, "\"fw%lld-%d\"", (long long)version, (int)kind);
    http_add_header(req, "ETag", etag);
    http_add_header(req, "Cache-Control", "private, no-cache");
    const char *inm = http_header(req, "If-None-Match");
    if (inm && strcmp(inm, etag) == 0) {
        http_reply_bytes(req, 304, NULL, "", 0);
        return;
    }
    if (!reply_from_cache(req, kind, version)) reply_and_cache(req, kind, version, load, s);
}

static int focus_areas_all(store *s, json_t **items, p_error *err)
{
    return framework_focus_areas_list(s, NULL, items, err);
}

/* Replies with the list that list_rc and items describe (no further pages). */
static void reply_small_list(http_request *req, int rc, json_t *items, const p_error *err)
{
    if (rc != P_OK)
        api_reply_status(req, rc, err);
    else
        api_reply_page(req, items, NULL);
}

static void show_record(http_request *req, enum framework_kind kind)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL;
    int rc = framework_get(s, kind, http_path_param(req, "code"), &rec, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_json(req, 200, rec);
}

/* Creates (code NULL) or updates the record code of kind from the request body. */
static void write_record(http_request *req, enum framework_kind kind, const char *code)
{
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    int rc = api_only_fields(body, framework_fields(kind), &err);
    store *s = rc == P_OK ? api_store(req) : NULL;
    if (rc != P_OK) {
        http_reply_error(req, &err);
    } else if (s) {
        json_t *rec = NULL;
        struct actor by = api_actor(req);
        rc = code ? framework_update(s, kind, code, body, &by, &rec, &err)
                  : framework_create(s, kind, body, &by, &rec, &err);
        if (rc != P_OK) {
            api_reply_status(req, rc, &err);
        } else if (code) {
            http_reply_json(req, 200, rec);
        } else {
            char loc[128];
            snprintf(loc, sizeof loc, "%s/%s", base_paths[kind],
                     json_string_value(json_object_get(rec, "code")));
            http_add_header(req, "Location", loc);
            http_reply_json(req, 201, rec);
        }
    }
    json_decref(body);
}

static void paged_list(http_request *req, enum framework_kind kind)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct framework_filter f = {
        .q = http_query(req, "q"),
        .kind = http_query(req, "kind"),
        .status = http_query(req, "status"),
        .cursor = http_query(req, "cursor"),
        .limit = api_limit(req),
    };
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = kind == FRAMEWORK_COUNTRY ? framework_countries_list(s, &f, &items, next, &err)
                                       : framework_organisations_list(s, &f, &items, next, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    api_reply_page(req, items, next);
}

/* ---- lines of action -------------------------------------------------------------------- */

static void lines_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    reply_small_list_cached(req, FRAMEWORK_LINE, framework_lines_list);
}

static void lines_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    show_record(req, FRAMEWORK_LINE);
}

static void lines_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_LINE, NULL);
}

static void lines_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_LINE, http_path_param(req, "code"));
}

/* ---- priorities ------------------------------------------------------------------------- */

static void priorities_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    reply_small_list_cached(req, FRAMEWORK_PRIORITY, framework_priorities_list);
}

static void priorities_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    show_record(req, FRAMEWORK_PRIORITY);
}

static void priorities_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_PRIORITY, NULL);
}

static void priorities_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_PRIORITY, http_path_param(req, "code"));
}

/* ---- focus areas ------------------------------------------------------------------------ */

static void focus_areas_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    if (!http_query(req, "priority")) {
        reply_small_list_cached(req, FRAMEWORK_FOCUS_AREA, focus_areas_all);
        return;
    }
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = framework_focus_areas_list(s, http_query(req, "priority"), &items, &err);
    reply_small_list(req, rc, items, &err);
}

static void focus_areas_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    show_record(req, FRAMEWORK_FOCUS_AREA);
}

static void focus_areas_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_FOCUS_AREA, NULL);
}

static void focus_areas_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_FOCUS_AREA, http_path_param(req, "code"));
}

/* ---- principles ------------------------------------------------------------------------- */

static void principles_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    reply_small_list_cached(req, FRAMEWORK_PRINCIPLE, framework_principles_list);
}

static void principles_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    show_record(req, FRAMEWORK_PRINCIPLE);
}

static void principles_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_PRINCIPLE, NULL);
}

static void principles_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_PRINCIPLE, http_path_param(req, "code"));
}

/* ---- organisations ---------------------------------------------------------------------- */

static void organisations_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    paged_list(req, FRAMEWORK_ORGANISATION);
}

static void organisations_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    show_record(req, FRAMEWORK_ORGANISATION);
}

static void organisations_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_ORGANISATION, NULL);
}

static void organisations_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_ORGANISATION, http_path_param(req, "code"));
}

/* ---- countries -------------------------------------------------------------------------- */

static void countries_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    paged_list(req, FRAMEWORK_COUNTRY);
}

static void countries_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    show_record(req, FRAMEWORK_COUNTRY);
}

static void countries_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_COUNTRY, NULL);
}

static void countries_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    write_record(req, FRAMEWORK_COUNTRY, http_path_param(req, "code"));
}

/* ---- routes ----------------------------------------------------------------------------- */

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 16},
                                                {0}};
static const struct param_spec focus_list_params[] = {
    {.name = "priority", .type = PARAM_CODE, .max_len = 16}, {0}};
static const struct param_spec org_list_params[] = {
    API_PAGE_PARAMS,
    {.name = "q", .type = PARAM_STRING, .max_len = 100},
    {.name = "kind", .type = PARAM_ENUM, .enum_values = FRAMEWORK_ORG_KINDS},
    {0}};
static const struct param_spec country_list_params[] = {
    API_PAGE_PARAMS,
    {.name = "q", .type = PARAM_STRING, .max_len = 100},
    {.name = "status", .type = PARAM_ENUM, .enum_values = FRAMEWORK_COUNTRY_STATUSES},
    {0}};

void framework_api_register(void)
{
#define LIST "/api/v1/framework/lines-of-action"
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = LIST, .handler = lines_list_handler},
        {.methods = HTTP_POST, .pattern = LIST, .handler = lines_create_handler},
        {.methods = HTTP_GET,
         .pattern = LIST "/{code}",
         .handler = lines_show_handler,
         .params = code_params},
        {.methods = HTTP_PATCH,
         .pattern = LIST "/{code}",
         .handler = lines_update_handler,
         .params = code_params},
#undef LIST
#define LIST "/api/v1/framework/priorities"
        {.methods = HTTP_GET, .pattern = LIST, .handler = priorities_list_handler},
        {.methods = HTTP_POST, .pattern = LIST, .handler = priorities_create_handler},
        {.methods = HTTP_GET,
         .pattern = LIST "/{code}",
         .handler = priorities_show_handler,
         .params = code_params},
        {.methods = HTTP_PATCH,
         .pattern = LIST "/{code}",
         .handler = priorities_update_handler,
         .params = code_params},
#undef LIST
#define LIST "/api/v1/framework/focus-areas"
        {.methods = HTTP_GET,
         .pattern = LIST,
         .handler = focus_areas_list_handler,
         .params = focus_list_params},
        {.methods = HTTP_POST, .pattern = LIST, .handler = focus_areas_create_handler},
        {.methods = HTTP_GET,
         .pattern = LIST "/{code}",
         .handler = focus_areas_show_handler,
         .params = code_params},
        {.methods = HTTP_PATCH,
         .pattern = LIST "/{code}",
         .handler = focus_areas_update_handler,
         .params = code_params},
#undef LIST
#define LIST "/api/v1/framework/principles"
        {.methods = HTTP_GET, .pattern = LIST, .handler = principles_list_handler},
        {.methods = HTTP_POST, .pattern = LIST, .handler = principles_create_handler},
        {.methods = HTTP_GET,
         .pattern = LIST "/{code}",
         .handler = principles_show_handler,
         .params = code_params},
        {.methods = HTTP_PATCH,
         .pattern = LIST "/{code}",
         .handler = principles_update_handler,
         .params = code_params},
#undef LIST
#define LIST "/api/v1/organisations"
        {.methods = HTTP_GET,
         .pattern = LIST,
         .handler = organisations_list_handler,
         .params = org_list_params},
        {.methods = HTTP_POST, .pattern = LIST, .handler = organisations_create_handler},
        {.methods = HTTP_GET,
         .pattern = LIST "/{code}",
         .handler = organisations_show_handler,
         .params = code_params},
        {.methods = HTTP_PATCH,
         .pattern = LIST "/{code}",
         .handler = organisations_update_handler,
         .params = code_params},
#undef LIST
#define LIST "/api/v1/countries"
        {.methods = HTTP_GET,
         .pattern = LIST,
         .handler = countries_list_handler,
         .params = country_list_params},
        {.methods = HTTP_POST, .pattern = LIST, .handler = countries_create_handler},
        {.methods = HTTP_GET,
         .pattern = LIST "/{code}",
         .handler = countries_show_handler,
         .params = code_params},
        {.methods = HTTP_PATCH,
         .pattern = LIST "/{code}",
         .handler = countries_update_handler,
         .params = code_params},
#undef LIST
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
