/* dashboard.c (community): what has been received and done, per area (and the areas below
 * it) or per station: counts, overdue, the median days to resolution, concerns by category,
 * and twelve months of receipts — as JSON and as a page with server-drawn charts. Only
 * aggregates: no concern's content shows here. */
#include "community/internal.h"
#include "community/attributes.h"

#include "auth/authz.h"
#include "core/buf.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/layout.h"
#include "web/svg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The scope as SQL over concerns c: ?1 area code (its subtree), ?2 site code, ?3 service
 * code; a statement's own parameters start at ?4. */
#define SCOPE                                                                                      \
    " FROM concerns c WHERE (?1 IS NULL OR c.area_id IN (WITH RECURSIVE sub(id) AS"                \
    " (SELECT id FROM areas WHERE code = ?1 UNION SELECT a.id FROM areas a JOIN sub"               \
    " ON a.parent_id = sub.id) SELECT id FROM sub)) AND (?2 IS NULL OR c.site_id ="                \
    " (SELECT id FROM sites WHERE code = ?2)) AND (?3 IS NULL OR c.service_code = ?3)"

struct scope {
    const char *area, *site, *service; /* each NULL: not narrowed by it */
};

static void bind_scope(store_stmt *st, const struct scope *sc)
{
    const char *v[] = {sc->area, sc->site, sc->service};
    for (int i = 0; i < 3; i++) {
        if (v[i])
            store_bind_text(st, i + 1, v[i]);
        else
            store_bind_null(st, i + 1);
    }
}

static int64_t iso_seconds(const char *s)
{
    struct tm tm = {0};
    if (!s || strlen(s) < 19) return 0;
    char part[5];
    int64_t v;
    snprintf(part, sizeof part, "%.4s", s);
    tm.tm_year = text_parse_int64(part, 1970, 9999, &v) ? (int)v - 1900 : 70;
    snprintf(part, sizeof part, "%.2s", s + 5);
    tm.tm_mon = text_parse_int64(part, 1, 12, &v) ? (int)v - 1 : 0;
    snprintf(part, sizeof part, "%.2s", s + 8);
    tm.tm_mday = text_parse_int64(part, 1, 31, &v) ? (int)v : 1;
    snprintf(part, sizeof part, "%.2s", s + 11);
    tm.tm_hour = text_parse_int64(part, 0, 23, &v) ? (int)v : 0;
    snprintf(part, sizeof part, "%.2s", s + 14);
    tm.tm_min = text_parse_int64(part, 0, 59, &v) ? (int)v : 0;
    snprintf(part, sizeof part, "%.2s", s + 17);
    tm.tm_sec = text_parse_int64(part, 0, 60, &v) ? (int)v : 0;
    return (int64_t)timegm(&tm);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int counts(store *s, const struct scope *sc, json_t *out, p_error *err)
{
    char now[21];
    text_now_iso(now);
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT count(*),"
                           " sum(CASE WHEN c.status IN ('resolved', 'closed') THEN 1 ELSE 0 END),"
                           " sum(CASE WHEN c.status = 'rejected' THEN 1 ELSE 0 END),"
                           " sum(CASE WHEN c.status NOT IN ('resolved', 'closed', 'rejected')"
                           " THEN 1 ELSE 0 END),"
                           " sum(CASE WHEN c.status NOT IN ('resolved', 'closed', 'rejected')"
                           " AND c.due_at < ?4 THEN 1 ELSE 0 END)" SCOPE,
                           &st, err);
    if (rc != P_OK) return rc;
    bind_scope(st, sc);
    store_bind_text(st, 4, now);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        static const char *const names[] = {"received", "resolved", "rejected", "open", "overdue"};
        for (int i = 0; i < 5; i++)
            json_object_set_new(out, names[i], json_integer(store_col_int(st, i)));
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* The median of days from receipt to resolution, null when nothing was resolved. */
static int median_days(store *s, const struct scope *sc, json_t *out, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT c.received_at, c.resolved_at" SCOPE
                           " AND c.status IN ('resolved', 'closed') AND c.resolved_at IS NOT NULL"
                           " LIMIT 100000",
                           &st, err);
    if (rc != P_OK) return rc;
    bind_scope(st, sc);
    size_t n = 0, cap = 256;
    int64_t *d = malloc(cap * sizeof *d);
    if (!d) abort();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (n == cap) {
            cap *= 2;
            d = realloc(d, cap * sizeof *d);
            if (!d) abort();
        }
        d[n++] = iso_seconds(store_col_text(st, 1)) - iso_seconds(store_col_text(st, 0));
    }
    store_reset(st);
    if (step >= 0) {
        if (n == 0) {
            json_object_set_new(out, "median_days_to_resolution", json_null());
        } else {
            qsort(d, n, sizeof *d, cmp_i64);
            double mid = n % 2 ? (double)d[n / 2] : ((double)d[n / 2 - 1] + (double)d[n / 2]) / 2.0;
            json_object_set_new(out, "median_days_to_resolution", json_real(mid / 86400.0));
        }
    }
    free(d);
    return step < 0 ? -step : P_OK;
}

static int grouped(store *s, const char *sql, const struct scope *sc, const char *from,
                   json_t *into, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    bind_scope(st, sc);
    if (from) store_bind_text(st, 4, from);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(into, json_pack("{s:s, s:s, s:I}", "key", store_col_text(st, 0),
                                              "label", store_col_text(st, 1), "count",
                                              (json_int_t)store_col_int(st, 2)));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Adds one to the count of the choice key among counts ([{key, ..., count}]); an answer
 * that is no longer a choice counts nowhere. */
static void count_choice(json_t *counts, const char *key)
{
    size_t i;
    json_t *c;
    json_array_foreach(counts, i, c)
    {
        if (!key || strcmp(json_string_value(json_object_get(c, "key")), key) != 0) continue;
        json_object_set_new(c, "count",
                            json_integer(json_integer_value(json_object_get(c, "count")) + 1));
        return;
    }
}

/* The choices of each list question of service, counted among the concerns of sc:
 * [{code, question, question_ru, counts: [{key, label, label_ru, count}]}], the choices in
 * the question's order. Answers are read and counted here, one concern's at a time. */
static int answer_counts(store *s, const struct scope *sc, json_t *into, p_error *err)
{
    json_t *defs = NULL;
    int rc = attributes_of_service(s, sc->service, &defs, err);
    if (rc != P_OK) return rc;
    size_t i, k;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        const char *type = json_string_value(json_object_get(d, "datatype"));
        if (strcmp(type, "singlevaluelist") != 0 && strcmp(type, "multivaluelist") != 0) continue;
        json_t *counts = json_array(), *v;
        json_array_foreach(json_object_get(d, "values"), k, v) json_array_append_new(
            counts, json_pack("{s:O, s:O, s:O?, s:i}", "key", json_object_get(v, "key"), "label",
                              json_object_get(v, "name"), "label_ru", json_object_get(v, "name_ru"),
                              "count", 0));
        json_array_append_new(
            into, json_pack("{s:O, s:O, s:O?, s:o}", "code", json_object_get(d, "code"), "question",
                            json_object_get(d, "description"), "question_ru",
                            json_object_get(d, "description_ru"), "counts", counts));
    }
    json_decref(defs);
    if (json_array_size(into) == 0) return P_OK;
    store_stmt *st;
    rc = store_prepare(s, "SELECT c.attributes" SCOPE " AND c.attributes <> '{}'", &st, err);
    if (rc != P_OK) return rc;
    bind_scope(st, sc);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        json_t *answers = attributes_parse_stored(store_col_text(st, 0));
        json_array_foreach(into, i, d)
        {
            json_t *a = json_object_get(answers, json_string_value(json_object_get(d, "code")));
            json_t *counts = json_object_get(d, "counts"), *key;
            if (json_is_string(a)) count_choice(counts, json_string_value(a));
            json_array_foreach(json_is_array(a) ? a : NULL, k, key)
                count_choice(counts, json_string_value(key));
        }
        json_decref(answers);
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int community_dashboard(store *s, const char *area, const char *site, const char *service,
                        json_t **out, p_error *err)
{
    *out = NULL;
    struct scope sc = {area, site, service};
    json_t *d = json_pack("{s:s?, s:s?, s:s?}", "area", area, "site", site, "service", service);
    json_t *by_service = json_array(), *by_month = json_array();
    json_object_set_new(d, "by_service", by_service);
    json_object_set_new(d, "by_month", by_month);
    time_t t = time(NULL) - (time_t)365 * 86400;
    char from[21];
    text_time_iso(t, from);
    from[7] = '\0'; /* YYYY-MM */
    int rc = counts(s, &sc, d, err);
    if (rc == P_OK) rc = median_days(s, &sc, d, err);
    if (rc == P_OK)
        rc = grouped(s,
                     "SELECT c.service_code, sv.name, count(*) FROM concerns c JOIN services sv ON"
                     " sv.code = c.service_code WHERE c.id IN (SELECT c.id" SCOPE ")"
                     " GROUP BY c.service_code, sv.name ORDER BY count(*) DESC, c.service_code",
                     &sc, NULL, by_service, err);
    if (rc == P_OK)
        rc = grouped(s,
                     "SELECT substr(c.received_at, 1, 7) AS m, substr(c.received_at, 1, 7),"
                     " count(*)" SCOPE " AND substr(c.received_at, 1, 7) > ?4"
                     " GROUP BY substr(c.received_at, 1, 7) ORDER BY 1",
                     &sc, from, by_month, err);
    if (rc == P_OK && service) {
        json_t *answers = json_array();
        json_object_set_new(d, "answers", answers);
        rc = answer_counts(s, &sc, answers, err);
    }
    if (rc != P_OK) {
        json_decref(d);
        return rc;
    }
    *out = d;
    return P_OK;
}

static const char *query(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

static void dashboard_api(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *d = NULL;
    int rc = community_dashboard(s, query(req, "area"), query(req, "site"), query(req, "service"),
                                 &d, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_json(req, 200, d);
}

static void figure(html *h, const char *label, json_t *v)
{
    html_open(h, "div", "class", "figure", NULL);
    if (json_is_integer(v))
        html_textf(h, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        html_textf(h, "%.1f", json_real_value(v));
    else
        html_text(h, "—");
    html_elem(h, "span", label, NULL);
    html_close(h, "div");
}

static void chart_items(json_t *rows, struct svg_item *items, size_t *n, size_t max)
{
    size_t i;
    json_t *r;
    *n = 0;
    json_array_foreach(rows, i, r)
    {
        if (*n == max) break;
        items[*n].label = json_string_value(json_object_get(r, "label"));
        items[*n].value = json_integer_value(json_object_get(r, "count"));
        (*n)++;
    }
}

/* Each list question of service with its choices counted; a count links to the concerns
 * that gave that answer. */
static void answers_section(struct page *p, const char *service, json_t *answers)
{
    html *h = &p->h;
    html_elem(h, "h2", T(p->lang, "Answers to the service's questions"), NULL);
    if (!json_array_size(answers)) {
        html_elem(h, "p", T(p->lang, "This service asks no question with choices."), NULL);
        return;
    }
    size_t i, k;
    json_t *q, *c;
    json_array_foreach(answers, i, q)
    {
        html_open(h, "table", "class", "answers", NULL);
        html_elem(h, "caption", community_localized(q, p->lang, "question", "question_ru"), NULL);
        html_open(h, "tbody", NULL);
        json_array_foreach(json_object_get(q, "counts"), k, c)
        {
            buf href = BUF_INIT, answer = BUF_INIT;
            buf_printf(&answer, "%s:%s", json_string_value(json_object_get(q, "code")),
                       json_string_value(json_object_get(c, "key")));
            buf_puts(&href, "/officer/concerns?service_code=");
            buf_url_encode(&href, service);
            buf_puts(&href, "&answer=");
            buf_url_encode(&href, buf_str(&answer));
            html_open(h, "tr", NULL);
            html_elem(h, "th", community_localized(c, p->lang, "label", "label_ru"), "scope", "row",
                      NULL);
            html_open(h, "td", NULL);
            char n[24];
            snprintf(n, sizeof n, "%lld",
                     (long long)json_integer_value(json_object_get(c, "count")));
            html_elem(h, "a", n, "href", buf_str(&href), NULL);
            html_close(h, "td");
            html_close(h, "tr");
            buf_free(&href);
            buf_free(&answer);
        }
        html_close(h, "tbody");
        html_close(h, "table");
    }
}

static void dashboard_page(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *d = NULL;
    const char *service = query(req, "service");
    int rc = community_dashboard(s, query(req, "area"), query(req, "site"), service, &d, &err);
    if (rc != P_OK) {
        http_reply_fail(req, (p_status)rc, NULL, "%s", err.message);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Concerns dashboard"));
    html *h = &p.h;
    html_open(h, "form", "method", "get", "action", "/officer/dashboard", "class", "filters", NULL);
    page_input(&p, T(p.lang, "Area code"), "text", "area", query(req, "area"), NULL);
    page_input(&p, T(p.lang, "Station code"), "text", "site", query(req, "site"), NULL);
    page_input(&p, T(p.lang, "Service code"), "text", "service", service, NULL);
    html_elem(h, "button", T(p.lang, "Show"), "type", "submit", NULL);
    html_close(h, "form");
    html_open(h, "div", "class", "figures", NULL);
    figure(h, T(p.lang, "Received"), json_object_get(d, "received"));
    figure(h, T(p.lang, "Resolved"), json_object_get(d, "resolved"));
    figure(h, T(p.lang, "Open"), json_object_get(d, "open"));
    figure(h, T(p.lang, "Overdue"), json_object_get(d, "overdue"));
    figure(h, T(p.lang, "Median days to resolution"),
           json_object_get(d, "median_days_to_resolution"));
    html_close(h, "div");
    struct svg_item items[24];
    size_t n = 0;
    chart_items(json_object_get(d, "by_service"), items, &n, 24);
    html_elem(h, "h2", T(p.lang, "By category"), NULL);
    svg_bar_chart(h, T(p.lang, "Concerns by category"), items, n);
    chart_items(json_object_get(d, "by_month"), items, &n, 24);
    html_elem(h, "h2", T(p.lang, "Received by month"), NULL);
    svg_line_chart(h, T(p.lang, "Concerns received by month"), items, n);
    if (service) answers_section(&p, service, json_object_get(d, "answers"));
    json_decref(d);
    page_finish(&p, 200);
}

static const struct param_spec params[] = {{.name = "area", .type = PARAM_CODE, .max_len = 40},
                                           {.name = "site", .type = PARAM_CODE, .max_len = 40},
                                           {.name = "service", .type = PARAM_CODE, .max_len = 40},
                                           {0}};

void community_dashboard_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/api/v1/concerns/dashboard",
         .handler = dashboard_api,
         .params = params},
        {.methods = HTTP_GET,
         .pattern = "/officer/dashboard",
         .handler = dashboard_page,
         .params = params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
