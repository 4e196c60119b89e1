/* api.c (activities): JSON handlers for /api/v1/activities, and the cache of list pages
 * kept while the audit log's head stays put. Reading needs a signed-in user; writing needs
 * PERM_ORG_WRITE on the activity's lead organisation (for a change of lead organisation,
 * on the new one too). Each handler checks permission first. */
#include "activities/activities.h"
#include "activities/internal.h"
#include "auth/audit.h"
#include "auth/authn.h"
#include "auth/authz.h"
#include "core/mem.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The serialized pages of the list, reused while nothing has changed. Every change to an
 * activity is audited in its own transaction, so the head of the audit log is a version
 * that moves with each of them and that every server sharing the database sees alike: a
 * page is served from here only when it was built at the current head. A page is read
 * before the version it is kept under can be older than its data, never newer. */
#define LIST_CACHE_SLOTS    64
#define LIST_CACHE_BODY_MAX (512u * 1024u)

/* A serialized page, shared by the cache and the replies sending it (without a copy). */
struct page_body {
    atomic_int refs; /* the cache's and each reply's; freed at 0 (page_release) */
    size_t len;
    char *data;
};

static void page_release(void *cls)
{
    struct page_body *pb = cls;
    if (atomic_fetch_sub(&pb->refs, 1) != 1) return;
    free(pb->data);
    free(pb);
}

static pthread_mutex_t list_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *key;       /* list_key of the request, NULL: empty */
    int64_t version; /* the audit head it was built at */
    struct page_body *body;
} list_cache[LIST_CACHE_SLOTS];
static unsigned list_cache_clock;

/* Every parameter that shapes a page, each length-prefixed ("-" for absent). */
static void list_key(const struct activities_filter *f, buf *key)
{
    const char *v[] = {f->priority,     f->focus, f->line, f->type, f->status, f->org,   f->country,
                       f->target_group, f->from,  f->to,   f->q,    f->sort,   f->cursor};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (v[i])
            buf_printf(key, "%zu:%s", strlen(v[i]), v[i]);
        else
            buf_putc(key, '-');
    }
    buf_printf(key, "|%d", f->limit);
}

/* Replies with pb, which the reply holds a reference to until it is sent. */
static void reply_page(http_request *req, struct page_body *pb)
{
    http_reply_shared(req, 200, "application/json; charset=utf-8", pb->data, pb->len, page_release,
                      pb);
}

/* Replies from the cache; false when it holds no page for key at version. */
static bool list_from_cache(http_request *req, const char *key, int64_t version)
{
    struct page_body *hit = NULL;
    pthread_mutex_lock(&list_cache_lock);
    for (int i = 0; i < LIST_CACHE_SLOTS && !hit; i++)
        if (list_cache[i].key && list_cache[i].version == version &&
            strcmp(list_cache[i].key, key) == 0) {
            hit = list_cache[i].body;
            atomic_fetch_add(&hit->refs, 1);
        }
    pthread_mutex_unlock(&list_cache_lock);
    if (hit) reply_page(req, hit);
    return hit != NULL;
}

/* Keeps body (one reference taken) as the page of key at version, in key's slot or the
 * next by clock. */
static void list_keep(const char *key, int64_t version, struct page_body *body)
{
    pthread_mutex_lock(&list_cache_lock);
    int slot = -1;
    for (int i = 0; i < LIST_CACHE_SLOTS && slot < 0; i++)
        if (list_cache[i].key && strcmp(list_cache[i].key, key) == 0) slot = i;
    if (slot < 0) slot = (int)(list_cache_clock++ % LIST_CACHE_SLOTS);
    struct page_body *old = body;
    if (!list_cache[slot].key || version >= list_cache[slot].version) {
        free(list_cache[slot].key);
        old = list_cache[slot].body;
        list_cache[slot].key = xstrdup(key);
        list_cache[slot].version = version;
        list_cache[slot].body = body;
    }
    pthread_mutex_unlock(&list_cache_lock);
    if (old) page_release(old);
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
    int64_t version = 0;
    int rc = authn_audit_head(req, s, &version, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    buf key = BUF_INIT;
    list_key(&f, &key);
    if (list_from_cache(req, buf_str(&key), version)) {
        buf_free(&key);
        return;
    }
    json_t *items = NULL;
    char next[CURSOR_MAX];
    rc = activities_list(s, &f, &items, next, &err);
    if (rc != P_OK) {
        buf_free(&key);
        api_reply_status(req, rc, &err);
        return;
    }
    json_t *page =
        json_pack("{s:o, s:o}", "items", items, "next", *next ? json_string(next) : json_null());
    /* As http_reply_json writes it: 15 significant digits. */
    char *body = page ? json_dumps(page, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(page);
    if (!body) {
        buf_free(&key);
        http_reply_fail(req, P_EIO, NULL, "cannot encode the list");
        return;
    }
    size_t len = strlen(body);
    if (len > LIST_CACHE_BODY_MAX) {
        http_reply_bytes(req, 200, "application/json; charset=utf-8", body, len);
        free(body);
    } else {
        struct page_body *pb = xmalloc(sizeof *pb);
        atomic_init(&pb->refs, 2); /* this reply's and the cache's */
        pb->len = len;
        pb->data = body;
        reply_page(req, pb);
        list_keep(buf_str(&key), version, pb);
    }
    buf_free(&key);
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
