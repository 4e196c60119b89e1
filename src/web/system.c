/* system.c: /healthz, /metrics and the API's OpenAPI description. /healthz is the
 * cheapest reply the server makes: it proves the process accepts and answers requests. */
#include "web/system.h"
#include "core/embed.h"
#include "http/assets.h"
#include "http/metrics.h"
#include "http/response.h"
#include "http/router.h"

/* api/openapi.json as embedded at build time, and its ETag (set once at start-up). */
static const struct embed_file *openapi_file;
static char openapi_etag[ASSETS_ETAG_SIZE];

static void healthz_handler(http_request *req)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    http_reply_static(req, 200, "application/json", ok, sizeof ok - 1);
}

static void metrics_handler(http_request *req)
{
    buf out = BUF_INIT;
    metrics_render(&out);
    http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf_str(&out), out.len);
    buf_free(&out);
}

/* No authentication on purpose: the description names routes, parameters and shapes, all
 * public in the source, and holds no data; clients need it before they can sign in. */
static void openapi_handler(http_request *req)
{
    if (!openapi_file) {
        http_reply_fail(req, P_ENOTFOUND, NULL, "this build carries no API description");
        return;
    }
    assets_reply_cached(req, openapi_etag, "public, max-age=3600", "application/json",
                        openapi_file->data, openapi_file->size);
}

void system_register_routes(void)
{
    openapi_file = embed_find(api_files, "openapi.json");
    if (openapi_file) assets_etag(openapi_file->data, openapi_file->size, openapi_etag);
    router_add(
        &(struct route){.methods = HTTP_GET, .pattern = "/healthz", .handler = healthz_handler});
    router_add(
        &(struct route){.methods = HTTP_GET, .pattern = "/metrics", .handler = metrics_handler});
    router_add(&(struct route){
        .methods = HTTP_GET, .pattern = "/api/v1/openapi.json", .handler = openapi_handler});
}
