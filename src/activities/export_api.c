/* export_api.c (activities): the export routes /api/v1/activities.csv,
 * /api/v1/activities.export.json and /api/v1/activities.iati.xml. They take the filters
 * of GET /api/v1/activities, need a signed-in user and answer as a file download. */
#include "activities/export.h"
#include "activities/iati.h"
#include "activities/internal.h"
#include "auth/authz.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <libxml/parser.h>

#define BASE "/api/v1/activities"

static const struct param_spec filter_params[] = {
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

const struct param_spec *export_filter_params(void)
{
    return filter_params;
}

typedef int (*export_fn)(store *s, const struct activities_filter *f, buf *out, p_error *err);

/* Runs one export with the request's filters and replies with it as an attachment. */
static void reply_export(http_request *req, export_fn run, const char *content_type,
                         const char *filename)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct activities_filter f;
    activities_filter_from_query(req, &f);
    buf body = BUF_INIT;
    int rc = run(s, &f, &body, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
    } else {
        http_add_header(req, "Content-Disposition", filename);
        http_reply_bytes(req, 200, content_type, buf_str(&body), body.len);
    }
    buf_free(&body);
}

static void csv_handler(http_request *req)
{
    reply_export(req, export_csv, "text/csv; charset=utf-8; header=present",
                 "attachment; filename=\"activities.csv\"");
}

static void json_handler(http_request *req)
{
    reply_export(req, export_json, "application/json; charset=utf-8",
                 "attachment; filename=\"activities.json\"");
}

static void iati_handler(http_request *req)
{
    reply_export(req, iati_export, "application/xml; charset=utf-8",
                 "attachment; filename=\"activities-iati.xml\"");
}

void export_register_routes(void)
{
    /* libxml2 initialises its globals here, before the server's threads start. */
    xmlInitParser();
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = BASE ".csv",
         .handler = csv_handler,
         .params = filter_params},
        {.methods = HTTP_GET,
         .pattern = BASE ".export.json",
         .handler = json_handler,
         .params = filter_params},
        {.methods = HTTP_GET,
         .pattern = BASE ".iati.xml",
         .handler = iati_handler,
         .params = filter_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
