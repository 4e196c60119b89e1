/* api.c (community): the JSON API of concerns. Officers, forum members and supervisors
 * (PERM_CONCERNS) record concerns, list and read those they may see and add steps;
 * citizens, without signing in, raise a concern and follow it by tracking code, their view
 * served from the status cache while nothing has changed. The citizens' routes are
 * throttled per client address: submissions, and lookups of codes that do not exist (so
 * codes cannot be guessed by trying). */
#include "auth/authz.h"
#include "community/internal.h"
#include "community/status_cache.h"
#include "core/mem.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const concern_members[] = {"channel", "service_code", "description", "area",
                                              "site",    "about_site",   "address",     "lat",
                                              "long",    "anonymous",    "contact",     "client_id",
                                              "visit",   "media_url",    "attributes",  NULL};
static const char *const step_members[] = {"status", "note", "public", "forum", "agency", NULL};

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Reads the body into c; P_EINVAL naming the member when a member has the wrong type. */
static int concern_from_body(json_t *b, struct concern_new *c, p_error *err)
{
    static const char *const texts[] = {"channel", "service_code", "description",
                                        "area",    "site",         "about_site",
                                        "address", "client_id",    "media_url"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *v = json_object_get(b, texts[i]);
        if (v && !json_is_string(v) && !json_is_null(v))
            return p_fail(err, P_EINVAL, texts[i], "%s must be a string", texts[i]);
    }
    c->channel = str(b, "channel");
    c->service_code = str(b, "service_code");
    c->description = str(b, "description");
    c->area_code = str(b, "area");
    c->site_code = str(b, "site");
    c->about_site_code = str(b, "about_site");
    c->address = str(b, "address");
    c->client_id = str(b, "client_id");
    c->media_url = str(b, "media_url");
    c->attributes = json_object_get(b, "attributes"); /* checked against the service's */
    json_t *lat = json_object_get(b, "lat"), *lon = json_object_get(b, "long");
    if ((lat && !json_is_null(lat)) || (lon && !json_is_null(lon))) {
        if (!json_is_number(lat)) return p_fail(err, P_EINVAL, "lat", "lat must be a number");
        if (!json_is_number(lon)) return p_fail(err, P_EINVAL, "long", "long must be a number");
        c->has_location = true;
        c->lat = json_number_value(lat);
        c->lon = json_number_value(lon);
    }
    json_t *visit = json_object_get(b, "visit");
    if (visit && !json_is_null(visit)) {
        if (!json_is_integer(visit) || json_integer_value(visit) < 1)
            return p_fail(err, P_EINVAL, "visit", "visit must be a visit's id");
        c->visit_id = json_integer_value(visit);
    }
    json_t *anon = json_object_get(b, "anonymous");
    if (anon && !json_is_boolean(anon))
        return p_fail(err, P_EINVAL, "anonymous", "anonymous must be true or false");
    c->anonymous = json_is_true(anon);
    json_t *contact = json_object_get(b, "contact");
    if (contact && !json_is_null(contact)) {
        if (!json_is_object(contact))
            return p_fail(err, P_EINVAL, "contact", "contact must be an object");
        static const char *const parts[] = {"name", "phone", "email", NULL};
        if (api_only_fields(contact, parts, err) != P_OK) return P_EINVAL;
        for (int i = 0; parts[i]; i++) {
            json_t *v = json_object_get(contact, parts[i]);
            if (v && !json_is_string(v))
                return p_fail(err, P_EINVAL, "contact", "contact.%s must be a string", parts[i]);
        }
        c->contact_name = str(contact, "name");
        c->contact_phone = str(contact, "phone");
        c->contact_email = str(contact, "email");
    }
    return P_OK;
}

/* Replies rec (201 when created, 200 for a retry) with its Location under base: the
 * officers' path or the citizens' one, whose reader has no session. */
static void reply_created(http_request *req, const char *base, json_t *rec, bool created)
{
    char loc[96];
    snprintf(loc, sizeof loc, "%s/%s", base, str(rec, "tracking_code"));
    http_add_header(req, "Location", loc);
    http_reply_json(req, created ? 201 : 200, rec);
}

/* A submission waiting for its batch's commit; the request holds no thread meanwhile. */
struct pending_create {
    http_request *req;
    json_t *body; /* c's strings point into it */
    struct concern_new c;
    struct actor by;
    concern_submission *sub; /* NULL: refused before it started (refusal, err) */
    int refusal;
    p_error err;
    atomic_bool committed; /* done was called: the writer thread is through with sub */
};

static void pending_free(void *ctx)
{
    struct pending_create *p = ctx;
    /* Only once the writer thread is through with it; the request is suspended until then,
     * so this is a safety net that should never find it busy. */
    if (!atomic_load(&p->committed)) return;
    concern_submission_free(p->sub);
    json_decref(p->body);
    free(p);
}

static void create_committed(void *cls)
{
    struct pending_create *p = cls;
    atomic_store(&p->committed, true);
    http_resume(p->req);
}

static void create_resumed(http_request *req, void *ctx)
{
    struct pending_create *p = ctx;
    store *s = p->sub ? api_store(req) : NULL;
    if (!p->sub) {
        api_reply_status(req, p->refusal, &p->err);
    } else if (s) {
        json_t *rec = NULL;
        bool created = false;
        p_error err;
        p_error_clear(&err);
        int rc = concern_create_finish(s, p->sub, &rec, &created, &err);
        p->sub = NULL;
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            reply_created(req, "/api/v1/concerns", rec, created);
    }
    pending_free(p);
}

static void create_handler(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    json_t *body = api_object_body(req, concern_members);
    store *s = body ? api_store(req) : NULL;
    if (!s) {
        json_decref(body);
        return;
    }
    struct pending_create *p = xcalloc(1, sizeof *p);
    p->req = req;
    p->body = body;
    p_error_clear(&p->err);
    int rc = concern_from_body(body, &p->c, &p->err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &p->err);
        atomic_store(&p->committed, true);
        pending_free(p);
        return;
    }
    if (!p->c.channel) p->c.channel = "station";
    p->c.created_by = req->who.user_id;
    p->by = api_actor(req);
    /* Submissions arriving together share one commit; this one waits without a thread.
     * Suspended first, so the commit cannot resume it before it is suspended. */
    http_suspend(req, create_resumed, p, pending_free);
    rc = concern_create_start(s, &p->c, &p->by, create_committed, p, &p->sub, &p->err);
    if (rc != P_OK) { /* refused before it started: answered once resumed */
        p->refusal = rc;
        atomic_store(&p->committed, true);
        http_resume(req);
    }
}

static struct concern_viewer viewer_of(http_request *req)
{
    return (struct concern_viewer){req->who.user_id, req->who.role};
}

static void show_handler(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL;
    struct concern_viewer v = viewer_of(req);
    struct actor by = api_actor(req);
    int rc = concern_get(s, http_path_param(req, "code"), &v, &by, &rec, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_json(req, 200, rec);
}

static void list_handler(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    const char *overdue = http_query(req, "overdue");
    struct concern_filter f = {.status = http_query(req, "status"),
                               .service_code = http_query(req, "service_code"),
                               .area_code = http_query(req, "area"),
                               .answer = http_query(req, "answer"),
                               .overdue = overdue && strcmp(overdue, "true") == 0,
                               .cursor = http_query(req, "cursor"),
                               .limit = api_limit(req)};
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    struct concern_viewer v = viewer_of(req);
    int rc = concern_list(s, &v, &f, &items, next, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        api_reply_page(req, items, next);
}

static void step_handler(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    json_t *body = api_object_body(req, step_members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        int rc = P_OK;
        static const char *const texts[] = {"status", "note", "forum", "agency"};
        for (size_t i = 0; rc == P_OK && i < 4; i++) {
            json_t *v = json_object_get(body, texts[i]);
            if (v && !json_is_string(v) && !json_is_null(v))
                rc = p_fail(&err, P_EINVAL, texts[i], "%s must be a string", texts[i]);
        }
        json_t *pub = json_object_get(body, "public");
        if (rc == P_OK && pub && !json_is_boolean(pub))
            rc = p_fail(&err, P_EINVAL, "public", "public must be true or false");
        struct concern_step st = {str(body, "status"), str(body, "note"), json_is_true(pub),
                                  str(body, "forum"), str(body, "agency")};
        json_t *rec = NULL;
        struct concern_viewer v = viewer_of(req);
        struct actor by = api_actor(req);
        if (rc == P_OK)
            rc = concern_advance(s, http_path_param(req, "code"), &st, &v, &by, &rec, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 200, rec);
    }
    json_decref(body);
}

/* ---- citizens ----------------------------------------------------------------------------- */

/* Replies rc from a limit check: 429 with Retry-After for P_ELIMIT. */
static void reply_limited(http_request *req, int rc, long retry, const p_error *err)
{
    if (rc == P_ELIMIT) {
        char ra[24];
        snprintf(ra, sizeof ra, "%ld", retry > 0 ? retry : 1);
        http_add_header(req, "Retry-After", ra);
    }
    api_reply_status(req, rc, err);
}

/* Replies 429 with Retry-After (and returns true) when this client is at max events of kind
 * in the window. */
static bool over_limit(http_request *req, store *s, const char *kind, long max, long window_s)
{
    long retry = 0;
    p_error err;
    p_error_clear(&err);
    int rc = community_limit_check(req, s, kind, max, window_s, &retry, &err);
    if (rc == P_OK) return false;
    reply_limited(req, rc, retry, &err);
    return true;
}

static void public_create_handler(http_request *req)
{
    store *s = api_store(req);
    if (!s) return;
    if (over_limit(req, s, "submit", PUBLIC_SUBMISSIONS_PER_HOUR, PUBLIC_SUBMIT_WINDOW_S)) return;
    json_t *body = api_object_body(req, concern_members);
    if (!body) return;
    struct concern_new c = {0};
    p_error err;
    p_error_clear(&err);
    int rc = concern_from_body(body, &c, &err);
    static const char *const officers_only[] = {"channel", "site", "about_site", "visit"};
    for (size_t i = 0; rc == P_OK && i < sizeof officers_only / sizeof *officers_only; i++)
        if (json_object_get(body, officers_only[i]))
            rc = p_fail(&err, P_EINVAL, officers_only[i],
                        "citizens' concerns come through the web; the police choose the station "
                        "and the visit");
    c.channel = "web";
    json_t *rec = NULL;
    bool created = false;
    struct actor by = {"citizen", http_client(req)};
    if (rc == P_OK) rc = concern_create(s, &c, &by, &rec, &created, &err);
    if (rc == P_OK && created) community_limit_count(req, s, "submit", PUBLIC_SUBMIT_WINDOW_S);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
    } else {
        /* The citizen gets the public view: the tracking code is their only key. */
        json_t *pub = NULL;
        rc = concern_public(s, str(rec, "tracking_code"), &pub, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            reply_created(req, "/api/v1/public/concerns", pub, created);
    }
    json_decref(rec);
    json_decref(body);
}

/* Replies the citizen's view of the concern with this code: from the status cache while the
 * audit head stays where it was when the view was read (so a step made on any server shows
 * in the very next lookup), else read, replied and kept. */
static void public_show_handler(http_request *req)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    const char *asked = http_path_param(req, "code");
    char code[CONCERN_TRACKING_LEN + 1];
    struct status_cache_version v = {0};
    bool cached = concern_tracking_normalise(asked, code) && status_cache_enabled();
    /* Every lookup asks the throttle first, a known code's too: were a throttled address
     * answered for the codes that exist, it could go on guessing without limit and learn
     * each hit. With the cache, the same statement reads the cache's version. */
    if (cached) {
        long retry = 0;
        int rc = community_limit_check_at_head(req, s, "lookup", PUBLIC_MISSES_PER_WINDOW,
                                               PUBLIC_WINDOW_S, &retry, &v.id, v.hash, &err);
        if (rc != P_OK) {
            reply_limited(req, rc, retry, &err);
            return;
        }
        char body[STATUS_CACHE_BODY_MAX];
        size_t len = 0;
        if (status_cache_get(&v, code, body, &len)) {
            http_reply_bytes(req, 200, "application/json; charset=utf-8", body, len);
            return;
        }
    } else if (over_limit(req, s, "lookup", PUBLIC_MISSES_PER_WINDOW, PUBLIC_WINDOW_S)) {
        return;
    }
    json_t *rec = NULL;
    int rc = concern_public(s, asked, &rec, &err);
    if (rc == P_ENOTFOUND) community_limit_count(req, s, "lookup", PUBLIC_WINDOW_S);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    /* As http_reply_json writes it. */
    char *body = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(rec);
    if (!body) {
        http_reply_fail(req, P_EIO, NULL, "cannot encode the concern");
        return;
    }
    size_t len = strlen(body);
    http_reply_bytes(req, 200, "application/json; charset=utf-8", body, len);
    if (cached) status_cache_put(&v, code, body, len);
    free(body);
}

static void services_handler(http_request *req)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = community_services(s, &items, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        api_reply_page(req, items, "");
}

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 16},
                                                {0}};
static const struct param_spec list_params[] = {
    API_PAGE_PARAMS,
    {.name = "status", .type = PARAM_ENUM, .enum_values = CONCERN_STATUSES},
    {.name = "service_code", .type = PARAM_CODE, .max_len = 40},
    {.name = "area", .type = PARAM_CODE, .max_len = 40},
    {.name = "answer", .type = PARAM_STRING, .max_len = 250},
    {.name = "overdue", .type = PARAM_ENUM, .enum_values = "true|false"},
    {0}};

void community_register_routes(void)
{
    community_dashboard_register(); /* first: /api/v1/concerns/dashboard precedes .../{code} */
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/api/v1/services", .handler = services_handler},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/concerns",
         .handler = list_handler,
         .params = list_params},
        {.methods = HTTP_POST, .pattern = "/api/v1/concerns", .handler = create_handler},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/concerns/{code}",
         .handler = show_handler,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/api/v1/concerns/{code}/events",
         .handler = step_handler,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/api/v1/public/concerns",
         .handler = public_create_handler},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/public/concerns/{code}",
         .handler = public_show_handler,
         .params = code_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
    community_public_pages_register();
    community_officer_pages_register();
    community_sms_register();
    community_forums_register();
    community_forum_pages_register();
    community_visits_register();
    community_services_register();
    community_scopes_register();
    community_places_register();
    community_admin_pages_register();
}
