/* import_api.c (activities): POST /api/v1/activities/import, the bulk import over HTTP.
 * The body is the file (text/csv or application/json, up to import_limit() bytes); a
 * programme officer may import rows of their own organisation only. */
#include "activities/import.h"
#include "auth/authz.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <string.h>
#include <strings.h>

/* True when the Content-Type header is type, with or without parameters. */
static bool media_is(const char *header, const char *type)
{
    size_t n = strlen(type);
    if (!header || strncasecmp(header, type, n) != 0) return false;
    return header[n] == '\0' || header[n] == ';' || header[n] == ' ';
}

static int allow_org(const char *lead_org, void *ctx, p_error *err)
{
    http_request *req = ctx;
    return authz_check(&req->who, PERM_ORG_WRITE, lead_org, true, err);
}

static void import_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    if (!authz_role_has(req->who.role, PERM_ORG_WRITE)) {
        (void)authz_require(req, PERM_ORG_WRITE, NULL); /* replies 403 */
        return;
    }
    const char *ct = http_header(req, "Content-Type");
    enum import_format fmt;
    if (media_is(ct, "text/csv"))
        fmt = IMPORT_CSV;
    else if (media_is(ct, "application/json"))
        fmt = IMPORT_JSON;
    else {
        http_reply_fail(req, P_EMEDIA, NULL, "send text/csv or application/json");
        return;
    }
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct actor by = api_actor(req);
    struct import_hooks hooks = {.allow_org = allow_org, .ctx = req};
    struct import_report rep = {0};
    int rc = import_activities(s, buf_str(&req->body), req->body.len, fmt, &by, &hooks, &rep, &err);
    if (rc == P_OK)
        http_reply_json(req, 201, import_report_json(&rep));
    else if (rc == P_EUNPROC || rc == P_ETOOBIG)
        http_reply_json(req, p_status_http(rc), import_report_json(&rep));
    else
        api_reply_status(req, rc, &err);
    import_report_free(&rep);
}

void import_register_routes(void)
{
    const struct route r = {.methods = HTTP_POST,
                            .pattern = "/api/v1/activities/import",
                            .handler = import_handler,
                            .body_limit = import_limit()};
    router_add(&r);
}
