/* system.c: /healthz and /metrics. /healthz is the cheapest reply the server makes:
 * it proves the process accepts and answers requests. */
#include "web/system.h"
#include "http/metrics.h"
#include "http/response.h"
#include "http/router.h"

static void healthz_handler(http_request *req)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    http_reply_bytes(req, 200, "application/json", ok, sizeof ok - 1);
}

static void metrics_handler(http_request *req)
{
    buf out = BUF_INIT;
    metrics_render(&out);
    http_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", buf_str(&out), out.len);
    buf_free(&out);
}

void system_register_routes(void)
{
    router_add(&(struct route){.methods = HTTP_GET, .pattern = "/healthz", .handler = healthz_handler});
    router_add(&(struct route){.methods = HTTP_GET, .pattern = "/metrics", .handler = metrics_handler});
}
