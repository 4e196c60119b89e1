/* report_api.c (activities): the annual report's routes: GET /api/v1/reports/annual (the
 * JSON of report.h) and the page GET /reports/annual with tables, SVG charts, a year
 * picker and print styles, both for signed-in users. */
#include "activities/report.h"
#include "activities/report_format.h"
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/layout.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The requested year: ?year= (already range-checked by the route), else the latest year
 * with activities, else the current year. */
static int requested_year(http_request *req, store *s, int *year, p_error *err)
{
    int64_t y;
    const char *v = http_query(req, "year");
    if (v && *v) {
        if (!text_parse_int64(v, REPORT_YEAR_MIN, REPORT_YEAR_MAX, &y))
            return p_fail(err, P_EINVAL, "year", "year must be %d to %d", REPORT_YEAR_MIN,
                          REPORT_YEAR_MAX);
        *year = (int)y;
        return P_OK;
    }
    int rc = report_latest_year(s, year, err);
    if (rc == P_OK && (*year < REPORT_YEAR_MIN || *year > REPORT_YEAR_MAX)) {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        *year = tm.tm_year + 1900;
    }
    return rc;
}

/* Builds the report the request asks for into *out. */
static int build(http_request *req, store *s, json_t **out, p_error *err)
{
    int year = 0;
    int rc = requested_year(req, s, &year, err);
    if (rc == P_OK) rc = report_annual(s, year, out, err);
    const char *sup = http_query(req, "suppress");
    if (rc == P_OK && sup && strcmp(sup, "1") == 0) report_suppress(*out, report_min_count());
    return rc;
}

static void api_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *report = NULL;
    int rc = build(req, s, &report, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_json(req, 200, report);
}

static void year_form(struct page *p, int year, bool suppressed)
{
    html *h = &p->h;
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    html_open(h, "form", "method", "get", "action", "/reports/annual", "class",
              "filters report-form", NULL);
    html_elem(h, "label", T(p->lang, "Year"), "for", "report-year", NULL);
    html_void(h, "input", "type", "number", "id", "report-year", "name", "year", "min", "1990",
              "max", "2100", "value", y, "required", "", NULL);
    html_open(h, "label", NULL);
    if (suppressed)
        html_void(h, "input", "type", "checkbox", "name", "suppress", "value", "1", "checked", "",
                  NULL);
    else
        html_void(h, "input", "type", "checkbox", "name", "suppress", "value", "1", NULL);
    html_text(h, " ");
    html_text(h, T(p->lang, "Hide small counts (for publication)"));
    html_close(h, "label");
    html_elem(h, "button", T(p->lang, "Show"), "type", "submit", NULL);
    html_close(h, "form");
}

static void page_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *report = NULL;
    int rc = build(req, s, &report, &err);
    struct page p;
    if (rc != P_OK) {
        page_begin(&p, req, T(req->lang, "Annual report"));
        page_error(&p, &err);
        page_finish(&p, p_status_http((p_status)rc));
        return;
    }
    int year = (int)json_integer_value(json_object_get(report, "year"));
    char title[128];
    snprintf(title, sizeof title, "%s %d", T(req->lang, "Annual report"), year);
    page_begin(&p, req, title); /* writes the title as the page's h1 */
    html_elem(&p.h, "p",
              T(p.lang, "Activities whose planned period touches the year, by the Strategic "
                        "Framework's priorities, lines of action, organisations and countries."),
              "class", "lead", NULL);
    year_form(&p, year, json_object_get(report, "suppressed") != NULL);
    html_elem(&p.h, "p",
              T(p.lang, "To print the report or save it as PDF, use the browser's print "
                        "command: the page is laid out for paper."),
              "class", "print-hint", NULL);
    report_format_html(&p.h, report, p.lang);
    json_decref(report);
    page_finish(&p, 200);
}

/* Literal bounds: api/openapi.json is checked against these declarations as written. */
_Static_assert(REPORT_YEAR_MIN == 1990 && REPORT_YEAR_MAX == 2100, "report_params year bounds");
static const struct param_spec report_params[] = {
    {.name = "year", .type = PARAM_INT, .min = 1990, .max = 2100},
    {.name = "suppress", .type = PARAM_ENUM, .enum_values = "0|1"},
    {0}};

void report_register_routes(void)
{
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/api/v1/reports/annual",
                               .handler = api_handler,
                               .params = report_params});
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/reports/annual",
                               .handler = page_handler,
                               .params = report_params});
}
