/* api.c (library): JSON handlers for /api/v1/documents and /api/v1/library/search.
 * Everyone signed in reads and searches; librarians (and administrators) change
 * documents and editions. Each handler checks permission first. */
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "library/internal.h"
#include "web/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "/api/v1/documents"

/* The {id} path parameter (declared as an integer, so it parses). */
static int64_t path_id(http_request *req)
{
    int64_t id = 0;
    (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
    return id;
}

static int query_int(http_request *req, const char *name, int fallback)
{
    int64_t v = 0;
    const char *s = http_query(req, name);
    return s && text_parse_int64(s, INT32_MIN, INT32_MAX, &v) ? (int)v : fallback;
}

static const char *query_text(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

/* Replies rc's error, or 200 with rec (taken). */
static void reply(http_request *req, int rc, const p_error *err, json_t *rec, int status)
{
    if (rc != P_OK)
        api_reply_status(req, rc, err);
    else
        http_reply_json(req, status, rec);
}

static void list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    struct library_list_filter f = {
        .series = query_text(req, "series"),
        .priority = query_text(req, "priority"),
        .lang = query_text(req, "lang"),
        .status = query_text(req, "status"),
        .year = query_int(req, "year", 0),
        .cursor = query_text(req, "cursor"),
        .limit = api_limit(req),
    };
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = library_document_list(s, &f, &items, next, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
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
    int rc = library_document_get(s, path_id(req), &rec, &err);
    reply(req, rc, &err, rec, 200);
}

static void create_handler(http_request *req)
{
    if (!authz_require(req, PERM_LIBRARY_EDIT, NULL)) return;
    json_t *body = api_object_body(req, library_document_members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *rec = NULL;
        struct actor by = api_actor(req);
        int rc = library_document_create(s, body, &by, &rec, &err);
        if (rc == P_OK) {
            char loc[64];
            snprintf(loc, sizeof loc, BASE "/%lld",
                     (long long)json_integer_value(json_object_get(rec, "id")));
            http_add_header(req, "Location", loc);
        }
        reply(req, rc, &err, rec, 201);
    }
    json_decref(body);
}

static void update_handler(http_request *req)
{
    if (!authz_require(req, PERM_LIBRARY_EDIT, NULL)) return;
    json_t *body = api_object_body(req, library_document_members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *rec = NULL;
        struct actor by = api_actor(req);
        int rc = library_document_update(s, path_id(req), body, &by, &rec, &err);
        reply(req, rc, &err, rec, 200);
    }
    json_decref(body);
}

static void delete_handler(http_request *req)
{
    if (!authz_require(req, PERM_LIBRARY_EDIT, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct actor by = api_actor(req);
    json_t *orphans = json_array();
    int rc = library_document_delete(s, path_id(req), &by, orphans, &err);
    if (rc == P_OK) library_remove_orphans(orphans);
    json_decref(orphans);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_empty(req);
}

static void edition_put_handler(http_request *req)
{
    if (!authz_require(req, PERM_LIBRARY_EDIT, NULL)) return;
    json_t *body = api_object_body(req, library_edition_members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *rec = NULL;
        struct actor by = api_actor(req);
        int rc = library_edition_put(s, path_id(req), http_path_param(req, "lang"), body, &by, &rec,
                                     &err);
        reply(req, rc, &err, rec, 200);
    }
    json_decref(body);
}

static void edition_delete_handler(http_request *req)
{
    if (!authz_require(req, PERM_LIBRARY_EDIT, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct actor by = api_actor(req);
    json_t *orphans = json_array();
    int rc =
        library_edition_delete(s, path_id(req), http_path_param(req, "lang"), &by, orphans, &err);
    if (rc == P_OK) library_remove_orphans(orphans);
    json_decref(orphans);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_empty(req);
}

static void search_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    struct library_query lq = {
        .q = http_query(req, "q") ? http_query(req, "q") : "",
        .lang = query_text(req, "lang"),
        .priority = query_text(req, "priority"),
        .series = query_text(req, "series"),
        .year = query_int(req, "year", 0),
        .page = query_int(req, "page", 1),
        .limit = query_int(req, "limit", 20),
        .skip_facets = query_text(req, "facets") && strcmp(query_text(req, "facets"), "false") == 0,
    };
    p_error err;
    p_error_clear(&err);
    char *body = NULL;
    size_t len = 0;
    int rc = library_search_json(s, &lq, &body, &len, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_bytes(req, 200, "application/json; charset=utf-8", body, len);
    free(body);
}

static void similar_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = library_similar(s, path_id(req), query_int(req, "limit", 5), &items, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_json(req, 200, json_pack("{s:o}", "items", items));
}

static const struct param_spec id_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};
static const struct param_spec edition_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {.name = "lang", .type = PARAM_ENUM, .enum_values = LIBRARY_LANGS},
    {0}};
static const struct param_spec list_params[] = {
    API_PAGE_PARAMS,
    {.name = "series", .type = PARAM_STRING, .max_len = DOC_SHORT_MAX},
    {.name = "priority", .type = PARAM_CODE, .max_len = 16},
    {.name = "lang", .type = PARAM_ENUM, .enum_values = LIBRARY_LANGS},
    {.name = "status", .type = PARAM_ENUM, .enum_values = LIBRARY_STATUSES},
    {.name = "year", .type = PARAM_INT, .min = 1900, .max = 2100},
    {0}};
static const struct param_spec search_params[] = {
    {.name = "q", .type = PARAM_STRING, .max_len = 512},
    {.name = "lang", .type = PARAM_ENUM, .enum_values = LIBRARY_LANGS},
    {.name = "priority", .type = PARAM_CODE, .max_len = 16},
    {.name = "series", .type = PARAM_STRING, .max_len = DOC_SHORT_MAX},
    {.name = "year", .type = PARAM_INT, .min = 1900, .max = 2100},
    {.name = "page", .type = PARAM_INT, .min = 1, .max = 100},
    {.name = "limit", .type = PARAM_INT, .min = 1, .max = 50},
    {.name = "facets", .type = PARAM_ENUM, .enum_values = "true|false"},
    {0}};
static const struct param_spec similar_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {.name = "limit", .type = PARAM_INT, .min = 1, .max = 20},
    {0}};

void library_api_register(void)
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
        {.methods = HTTP_GET,
         .pattern = BASE "/{id}/similar",
         .handler = similar_handler,
         .params = similar_params},
        {.methods = HTTP_PUT,
         .pattern = BASE "/{id}/editions/{lang}",
         .handler = edition_put_handler,
         .params = edition_params},
        {.methods = HTTP_DELETE,
         .pattern = BASE "/{id}/editions/{lang}",
         .handler = edition_delete_handler,
         .params = edition_params},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/library/search",
         .handler = search_handler,
         .params = search_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
