/* open311.c (community): the Open311 GeoReport v2 routes, their parameters (query string or
 * form body, validated against one declared table, errors in the spec's envelope), the
 * discovery, service and token resources, and the admins' JSON API for client keys. */
#include "community/community.h"
#include "community/open311_internal.h"

#include "auth/authz.h"
#include "core/config.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/layout.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- parameters ------------------------------------------------------------------------- */

/* Every parameter an Open311 resource reads, with its bounds. Others (attribute[CODE],
 * jurisdiction_id of a single jurisdiction) are accepted and ignored, as the spec allows. */
static const struct param_spec o311_specs[] = {
    {.name = "api_key", .type = PARAM_STRING, .max_len = 100},
    {.name = "jurisdiction_id", .type = PARAM_STRING, .max_len = 200},
    {.name = "service_code", .type = PARAM_STRING, .max_len = 500},
    {.name = "lat", .type = PARAM_STRING, .max_len = 40},
    {.name = "long", .type = PARAM_STRING, .max_len = 40},
    {.name = "address_string", .type = PARAM_STRING, .max_len = 300},
    {.name = "address_id", .type = PARAM_STRING, .max_len = 100},
    {.name = "email", .type = PARAM_STRING, .max_len = 200},
    {.name = "device_id", .type = PARAM_STRING, .max_len = 200},
    {.name = "account_id", .type = PARAM_STRING, .max_len = 200},
    {.name = "first_name", .type = PARAM_STRING, .max_len = 59},
    {.name = "last_name", .type = PARAM_STRING, .max_len = 60},
    {.name = "phone", .type = PARAM_STRING, .max_len = 40},
    {.name = "description", .type = PARAM_STRING, .max_len = CONCERN_DESCRIPTION_MAX},
    {.name = "media_url", .type = PARAM_STRING, .max_len = 2000},
    {.name = "token", .type = PARAM_STRING, .max_len = 200},
    {.name = "service_request_id", .type = PARAM_STRING, .max_len = 1500},
    {.name = "start_date", .type = PARAM_STRING, .max_len = 40},
    {.name = "end_date", .type = PARAM_STRING, .max_len = 40},
    {.name = "updated_datetime", .type = PARAM_STRING, .max_len = 40},
    {.name = "status", .type = PARAM_STRING, .max_len = 40},
    {.name = "update_id", .type = PARAM_STRING, .max_len = 100},
    {.name = "page", .type = PARAM_INT, .min = 1, .max = 100000},
    {.name = "page_size", .type = PARAM_INT, .min = 1, .max = O311_LIST_MAX},
    {0},
};

static bool form_content_type(const char *ct)
{
    static const char want[] = "application/x-www-form-urlencoded";
    if (!ct || strncasecmp(ct, want, sizeof want - 1) != 0) return false;
    char next = ct[sizeof want - 1];
    return next == '\0' || next == ';' || next == ' ';
}

bool o311_params(http_request *req, enum o311_format fmt, form *f)
{
    memset(f, 0, sizeof *f);
    p_error err;
    p_error_clear(&err);
    int rc;
    if (req->method == HTTP_POST) {
        if (!form_content_type(http_header(req, "Content-Type"))) {
            o311_reply_error(req, fmt, 400,
                             "send the parameters as application/x-www-form-urlencoded");
            return false;
        }
        rc = form_parse(buf_str(&req->body), req->body.len, f, &err);
    } else {
        buf target = BUF_INIT;
        http_request_target(req, &target);
        const char *q = strchr(buf_str(&target), '?');
        rc = q ? form_parse(q + 1, strlen(q + 1), f, &err) : P_OK;
        buf_free(&target);
    }
    for (int i = 0; rc == P_OK && i < f->n; i++) {
        if (!f->fields[i].value[0]) continue; /* present but empty is absent */
        for (const struct param_spec *p = o311_specs; p->name; p++)
            if (strcmp(p->name, f->fields[i].name) == 0) {
                rc = router_check_value(p, f->fields[i].value, &err);
                break;
            }
    }
    if (rc != P_OK) {
        form_free(f);
        o311_reply_error(req, fmt, 400, err.message);
        return false;
    }
    return true;
}

const char *o311_param(const form *f, const char *name)
{
    const char *v = form_get(f, name);
    return v && *v ? v : NULL;
}

/* Reads exactly n digits at *p into *out. */
static bool digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return false;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

bool o311_parse_time(const char *s, time_t *t)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    const char *p = s;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d) || *p++ != 'T' || !digits(&p, 2, &h) || *p++ != ':' ||
        !digits(&p, 2, &mi) || *p++ != ':' || !digits(&p, 2, &sec))
        return false;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '-' ? -1 : 1;
        if (!digits(&p, 2, &oh)) return false;
        if (*p == ':') p++;
        if (!digits(&p, 2, &om) || oh > 23 || om > 59) return false;
    } else {
        return false; /* the spec requires a timezone */
    }
    if (*p || h > 23 || mi > 59 || sec > 59) return false;
    char date[32]; /* the digits read bound every field: y < 10000, mo and d < 100 */
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, mo, d);
    if (!text_is_date(date)) return false;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    *t = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
    return true;
}

/* ---- discovery, services, tokens -------------------------------------------------------- */

/* The format of a route whose pattern ends in ".{fmt}"; replies 400 when unknown. */
static bool route_format(http_request *req, enum o311_format *fmt)
{
    const char *v = http_path_param(req, "fmt");
    if (v && o311_format_parse(v, fmt)) return true;
    *fmt = O311_XML;
    o311_reply_error(req, O311_XML, 400, "the format must be .xml or .json");
    return false;
}

/* Splits the {file} of a route into name and format; replies 400 or 404 when it cannot. */
static bool route_file(http_request *req, char *name, size_t size, enum o311_format *fmt)
{
    bool known = false; /* without a segment there is no format either */
    const char *seg = http_path_param(req, "file");
    if (seg && o311_split_segment(seg, name, size, fmt, &known)) return true;
    if (!known)
        o311_reply_error(req, O311_XML, 400, "the format must be .xml or .json");
    else
        o311_reply_error(req, *fmt, 404, "no such resource");
    return false;
}

static bool host_ok(const char *h)
{
    if (!h || !*h || strlen(h) > 255) return false;
    for (const char *p = h; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p)) return false;
    return true;
}

/* The discovery document: the endpoint's address (the configured public address, else the
 * request's Host), specification, formats and how to get a key. The caller releases it. */
static json_t *discovery_doc(http_request *req)
{
    static const char changeset[] = "2026-11-28T00:00:00Z";
    buf url = BUF_INIT;
    /* The configured public address wins: behind a proxy the Host header names the proxy's
     * upstream, and it is the client's to choose. */
    const char *host = http_header(req, "Host");
    if (*config_get()->public_url)
        buf_puts(&url, config_get()->public_url);
    else if (host_ok(host))
        buf_printf(&url, "%s://%s", req->tls ? "https" : "http", host);
    buf_puts(&url, "/open311/v2");
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}]}", "changeset", changeset, "contact",
        "The community policing unit that runs this server.", "key_service",
        "Ask the administrator of this server for a key (polis open311-key create).", "endpoints",
        "specification", "http://wiki.open311.org/GeoReport_v2", "url", buf_str(&url), "changeset",
        changeset, "type", "production", "formats", "text/xml", "application/json");
    buf_free(&url);
    return doc;
}

/* discovery.html, which the spec recommends beside the XML and JSON: the same facts for
 * the people who set up a client, in the reader's language. */
static void discovery_page(http_request *req, json_t *doc)
{
    json_t *ep = json_array_get(json_object_get(doc, "endpoints"), 0);
    struct page p;
    page_begin(&p, req, T(req->lang, "Open311 GeoReport v2"));
    html *h = &p.h;
    html_elem(h, "p",
              T(p.lang, "Citizens' concerns can be raised and followed from other applications "
                        "through the Open311 GeoReport v2 standard."),
              NULL);
    html_open(h, "dl", "class", "record", NULL);
    html_elem(h, "dt", T(p.lang, "Address"), NULL);
    html_open(h, "dd", NULL);
    html_elem(h, "code", json_string_value(json_object_get(ep, "url")), NULL);
    html_close(h, "dd");
    html_elem(h, "dt", T(p.lang, "Specification"), NULL);
    html_open(h, "dd", NULL);
    const char *spec = json_string_value(json_object_get(ep, "specification"));
    html_elem(h, "a", spec, "href", spec, "rel", "noopener noreferrer", NULL);
    html_close(h, "dd");
    html_elem(h, "dt", T(p.lang, "Formats"), NULL);
    html_elem(h, "dd", "text/xml, application/json", NULL);
    html_elem(h, "dt", T(p.lang, "Changed"), NULL);
    html_elem(h, "dd", json_string_value(json_object_get(doc, "changeset")), NULL);
    html_elem(h, "dt", T(p.lang, "API key"), NULL);
    html_elem(h, "dd",
              T(p.lang, "Ask the administrator of this server for a key: it is needed to "
                        "send requests and updates, not to read them."),
              NULL);
    html_close(h, "dl");
    html_open(h, "ul", NULL);
    static const char *const links[][2] = {{"/open311/v2/discovery.xml", "discovery.xml"},
                                           {"/open311/v2/discovery.json", "discovery.json"},
                                           {"/open311/v2/services.xml", "services.xml"},
                                           {"/open311/v2/services.json", "services.json"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        html_open(h, "li", NULL);
        html_elem(h, "a", links[i][1], "href", links[i][0], NULL);
        html_close(h, "li");
    }
    html_close(h, "ul");
    page_finish(&p, 200);
}

static void discovery_handler(http_request *req)
{
    const char *suffix = http_path_param(req, "fmt");
    if (suffix && strcmp(suffix, "html") == 0) {
        json_t *doc = discovery_doc(req);
        discovery_page(req, doc);
        json_decref(doc);
        return;
    }
    enum o311_format fmt;
    if (!route_format(req, &fmt)) return;
    o311_reply(req, fmt, 200, "discovery", NULL, discovery_doc(req));
}

static void services_handler(http_request *req)
{
    enum o311_format fmt;
    if (!route_format(req, &fmt)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *list = NULL;
    int rc = o311_services(s, &list, &err);
    if (rc != P_OK)
        o311_reply_status(req, fmt, rc, &err);
    else
        o311_reply(req, fmt, 200, "services", "service", list);
}

static void service_definition_handler(http_request *req)
{
    char code[64];
    enum o311_format fmt;
    if (!route_file(req, code, sizeof code, &fmt)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *def = NULL;
    int rc = o311_service_definition(s, code, &def, &err);
    if (rc != P_OK)
        o311_reply_status(req, fmt, rc, &err);
    else
        o311_reply(req, fmt, 200, "service_definition", NULL, def);
}

static void requests_handler(http_request *req)
{
    enum o311_format fmt;
    if (!route_format(req, &fmt)) return;
    if (req->method == HTTP_POST)
        o311_requests_post(req, fmt);
    else
        o311_requests_get(req, fmt);
}

static void request_handler(http_request *req)
{
    char id[64];
    enum o311_format fmt;
    if (route_file(req, id, sizeof id, &fmt)) o311_request_one(req, id, fmt);
}

static void token_handler(http_request *req)
{
    char token[256];
    enum o311_format fmt;
    if (route_file(req, token, sizeof token, &fmt)) o311_token_get(req, token, fmt);
}

static void updates_handler(http_request *req)
{
    enum o311_format fmt;
    if (!route_format(req, &fmt)) return;
    if (req->method == HTTP_POST)
        o311_updates_post(req, fmt);
    else
        o311_updates_get(req, fmt);
}

/* ---- the admins' keys API --------------------------------------------------------------- */

static void keys_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = open311_key_list(s, &items, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        api_reply_page(req, items, NULL);
}

static void keys_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    const char *name = NULL;
    static const char *const allowed[] = {"name", NULL};
    int rc = api_only_fields(body, allowed, &err);
    if (rc == P_OK) rc = api_get_string(body, "name", OPEN311_KEY_NAME_MAX, &name, &err);
    if (rc == P_OK && !name) rc = p_fail(&err, P_EINVAL, "name", "name is required");
    store *s = rc == P_OK ? api_store(req) : NULL;
    if (rc != P_OK) {
        http_reply_error(req, &err);
    } else if (s) {
        char key[OPEN311_KEY_TEXT_MAX];
        int64_t id = 0;
        struct actor by = api_actor(req);
        rc = open311_key_create(s, name, &by, key, &id, &err);
        if (rc == P_OK)
            http_reply_json(
                req, 201,
                json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "key", key));
        else
            api_reply_status(req, rc, &err);
        sodium_memzero(key, sizeof key);
    }
    json_decref(body);
}

static void keys_revoke_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    int64_t id = 0;
    if (!text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id)) {
        http_reply_fail(req, P_ENOTFOUND, "id", "no such Open311 key");
        return;
    }
    struct actor by = api_actor(req);
    int rc = open311_key_revoke(s, id, &by, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_empty(req);
}

void community_open311_register(void)
{
    static const struct param_spec fmt_params[] = {
        {.name = "fmt", .type = PARAM_STRING, .max_len = 300}, {0}};
    static const struct param_spec file_params[] = {
        {.name = "file", .type = PARAM_STRING, .max_len = 300}, {0}};
    static const struct param_spec key_params[] = {
        {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/open311/v2/discovery.{fmt}",
         .handler = discovery_handler,
         .params = fmt_params},
        {.methods = HTTP_GET,
         .pattern = "/open311/v2/services.{fmt}",
         .handler = services_handler,
         .params = fmt_params},
        {.methods = HTTP_GET,
         .pattern = "/open311/v2/services/{file}",
         .handler = service_definition_handler,
         .params = file_params},
        {.methods = HTTP_GET | HTTP_POST,
         .pattern = "/open311/v2/requests.{fmt}",
         .handler = requests_handler,
         .params = fmt_params},
        {.methods = HTTP_GET,
         .pattern = "/open311/v2/requests/{file}",
         .handler = request_handler,
         .params = file_params},
        {.methods = HTTP_GET,
         .pattern = "/open311/v2/tokens/{file}",
         .handler = token_handler,
         .params = file_params},
        {.methods = HTTP_GET | HTTP_POST,
         .pattern = "/open311/v2/servicerequestupdates.{fmt}",
         .handler = updates_handler,
         .params = fmt_params},
        {.methods = HTTP_GET, .pattern = "/api/v1/open311/keys", .handler = keys_list_handler},
        {.methods = HTTP_POST, .pattern = "/api/v1/open311/keys", .handler = keys_create_handler},
        {.methods = HTTP_DELETE,
         .pattern = "/api/v1/open311/keys/{id}",
         .handler = keys_revoke_handler,
         .params = key_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
