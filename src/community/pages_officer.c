/* pages_officer.c (community): the officers' pages — the reception screen (made for a
 * minibus: record concerns one after another, each answered with its tracking code and an
 * empty form for the next person), the list of concerns the officer may see (open, overdue,
 * by status), and a concern with its events and the form for the next step. */
#include "community/internal.h"
#include "community/attributes.h"

#include "auth/authz.h"
#include "core/embed.h"
#include "core/text.h"
#include "http/assets.h"
#include "http/form.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/layout.h"

#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static const char *const statuses[] = {"received", "acknowledged", "referred", "in_progress",
                                       "resolved", "closed",       "rejected"};

static const char *status_label(const char *lang, const char *status)
{
    static const char *const labels[] = {N_("Received"),    N_("Acknowledged"), N_("Referred"),
                                         N_("In progress"), N_("Resolved"),     N_("Closed"),
                                         N_("Rejected")};
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++)
        if (strcmp(statuses[i], status) == 0) return T(lang, labels[i]);
    return status;
}

static struct concern_viewer viewer_of(http_request *req)
{
    return (struct concern_viewer){req->who.user_id, req->who.role};
}

static void error_page(http_request *req, int rc, const p_error *err)
{
    page_refusal(req, rc, err, "/officer/concerns", T(req->lang, "Concerns"));
}

/* ---- the reception screen ----------------------------------------------------------------- */

static void service_select(struct page *p, json_t *services, const char *chosen)
{
    html *h = &p->h;
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "What is it about?"), "for", "f-service", NULL);
    html_open(h, "select", "name", "service_code", "id", "f-service", NULL);
    size_t i;
    json_t *sv;
    json_array_foreach(services, i, sv)
    {
        const char *name = strcmp(p->lang, "ru") == 0 && *str(sv, "name_ru") ? str(sv, "name_ru")
                                                                             : str(sv, "name");
        if (chosen && strcmp(chosen, str(sv, "code")) == 0)
            html_elem(h, "option", name, "value", str(sv, "code"), "selected", "", NULL);
        else
            html_elem(h, "option", name, "value", str(sv, "code"), NULL);
    }
    html_close(h, "select");
    html_close(h, "div");
}

/* The planned visits to choose from: a concern raised at one takes its subdistrict. */
static void visit_select(struct page *p, store *s, const char *chosen)
{
    json_t *visits = NULL;
    p_error err;
    p_error_clear(&err);
    if (community_visits(s, NULL, NULL, "planned", &visits, &err) != P_OK ||
        json_array_size(visits) == 0) {
        json_decref(visits);
        return;
    }
    html *h = &p->h;
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "Visit"), "for", "f-visit", NULL);
    html_open(h, "select", "name", "visit", "id", "f-visit", NULL);
    html_elem(h, "option", T(p->lang, "(not at a visit)"), "value", "", NULL);
    size_t i;
    json_t *v;
    json_array_foreach(visits, i, v)
    {
        char value[24], label[200];
        snprintf(value, sizeof value, "%lld",
                 (long long)json_integer_value(json_object_get(v, "id")));
        snprintf(label, sizeof label, "%s · %s · %s", str(v, "vehicle"), str(v, "area_name"),
                 str(v, "planned_date"));
        if (chosen && strcmp(chosen, value) == 0)
            html_elem(h, "option", label, "value", value, "selected", "", NULL);
        else
            html_elem(h, "option", label, "value", value, NULL);
    }
    html_close(h, "select");
    html_close(h, "div");
    json_decref(visits);
}

/* The reception form; last is the tracking code of the concern just recorded, or NULL. */
static void reception_page(http_request *req, const form *values, const char *last,
                           const p_error *err, int status)
{
    store *s = api_store(req);
    if (!s) return;
    json_t *services = NULL;
    p_error lerr;
    p_error_clear(&lerr);
    if (community_services(s, &services, &lerr) != P_OK) {
        error_page(req, P_ESTORE, &lerr);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Reception"));
    html *h = &p.h;
    if (last) {
        char spaced[CONCERN_TRACKING_LEN + 2];
        snprintf(spaced, sizeof spaced, "%.5s-%s", last, last + 5);
        html_open(h, "p", "class", "notice", "role", "status", NULL);
        html_text(h, T(p.lang, "Recorded. Give the citizen this tracking code:"));
        html_text(h, " ");
        html_elem(h, "strong", spaced, "class", "tracking-code", NULL);
        html_close(h, "p");
    }
    if (err && err->status != P_OK) page_error(&p, err);
    /* With script (assets/reception.js) the form queues concerns in the browser and sends
     * them when it can, so the screen works in a minibus without a network. */
    html_open(h, "p", "id", "queue-status", "class", "queue-status", "aria-live", "polite",
              "data-label", T(p.lang, "Not sent yet"), NULL);
    html_close(h, "p");
    html_open(h, "ul", "id", "queue-sent", "class", "queue-sent", NULL);
    html_close(h, "ul");
    html_open(h, "form", "method", "post", "action", "/officer/reception", "class",
              "record-form reception", "data-sw", "/officer/reception-sw.js", NULL);
    page_csrf_field(&p);
    html_void(h, "input", "type", "hidden", "name", "channel", "value", "reception", NULL);
    visit_select(&p, s, values ? form_get(values, "visit") : NULL);
    service_select(&p, services, values ? form_get(values, "service_code") : NULL);
    page_input(&p, T(p.lang, "Area code"), "text", "area", values ? form_get(values, "area") : "",
               err);
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p.lang, "Concern"), "for", "f-description", NULL);
    const char *desc = values ? form_get(values, "description") : NULL;
    html_elem(h, "textarea", desc ? desc : "", "name", "description", "id", "f-description", "rows",
              "4", "maxlength", "4000", "required", "", "autofocus", "", NULL);
    html_close(h, "div");
    community_questions_fields(&p, services, values,
                               values ? form_get(values, "service_code") : NULL, err);
    page_input(&p, T(p.lang, "Name"), "text", "contact_name",
               values ? form_get(values, "contact_name") : "", err);
    page_input(&p, T(p.lang, "Phone"), "tel", "contact_phone",
               values ? form_get(values, "contact_phone") : "", err);
    html_elem(h, "button", T(p.lang, "Record and next"), "type", "submit", "class", "primary",
              NULL);
    html_close(h, "form");
    const char *script = assets_url("reception.js");
    if (script) {
        html_open(h, "script", "src", script, "defer", "defer", NULL);
        html_close(h, "script");
    }
    json_decref(services);
    page_finish(&p, status);
}

static void reception_show(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return;
    reception_page(req, NULL, NULL, NULL, 200);
}

static void reception_submit(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return;
    form f;
    memset(&f, 0, sizeof f);
    p_error err;
    p_error_clear(&err);
    if (form_parse(buf_str(&req->body), req->body.len, &f, &err) != P_OK) {
        reception_page(req, NULL, NULL, &err, 400);
        return;
    }
    store *s = api_store(req);
    if (s) {
        const char *area = form_get(&f, "area");
        struct concern_new c = {.channel = "reception",
                                .service_code = form_get(&f, "service_code"),
                                .description = form_get(&f, "description"),
                                .area_code = area && *area ? area : NULL,
                                .contact_name = form_get(&f, "contact_name"),
                                .contact_phone = form_get(&f, "contact_phone"),
                                .created_by = req->who.user_id};
        int64_t visit = 0;
        const char *vt = form_get(&f, "visit");
        if (vt && *vt && text_parse_int64(vt, 1, INT64_MAX, &visit)) c.visit_id = visit;
        c.attributes = community_questions_answers(&f, c.service_code);
        json_t *rec = NULL;
        bool created = false;
        struct actor by = api_actor(req);
        int rc = concern_create(s, &c, &by, &rec, &created, &err);
        json_decref(c.attributes);
        if (rc == P_OK)
            reception_page(req, NULL, str(rec, "tracking_code"), NULL, 201);
        else if (rc == P_EINVAL || rc == P_EUNPROC || rc == P_ENOTFOUND) {
            community_questions_localize(req->lang, &err);
            reception_page(req, &f, NULL, &err, 422);
        } else
            error_page(req, rc, &err);
        json_decref(rec);
    }
    form_free(&f);
}

/* ---- the list ----------------------------------------------------------------------------- */

static void list_page(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return;
    store *s = api_store(req);
    if (!s) return;
    const char *status = http_query(req, "status");
    const char *overdue = http_query(req, "overdue");
    const char *service = http_query(req, "service_code"), *answer = http_query(req, "answer");
    struct concern_filter f = {.status = status && *status ? status : NULL,
                               .service_code = service && *service ? service : NULL,
                               .answer = answer && *answer ? answer : NULL,
                               .overdue = overdue && strcmp(overdue, "true") == 0,
                               .cursor = http_query(req, "cursor"),
                               .limit = 50};
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    struct concern_viewer v = viewer_of(req);
    int rc = concern_list(s, &v, &f, &items, next, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Concerns"));
    html *h = &p.h;
    html_open(h, "p", "class", "actions", NULL);
    html_elem(h, "a", T(p.lang, "Reception"), "href", "/officer/reception", "class", "button",
              NULL);
    html_text(h, " ");
    html_elem(h, "a", T(p.lang, "Dashboard"), "href", "/officer/dashboard", NULL);
    html_text(h, " · ");
    html_elem(h, "a", T(p.lang, "Overdue"), "href", "/officer/concerns?overdue=true", NULL);
    for (size_t i = 0; i < sizeof statuses / sizeof *statuses; i++) {
        char href[64];
        snprintf(href, sizeof href, "/officer/concerns?status=%s", statuses[i]);
        html_text(h, " · ");
        html_elem(h, "a", status_label(p.lang, statuses[i]), "href", href, NULL);
    }
    html_close(h, "p");
    html_open(h, "table", "class", "concerns", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p.lang, "Tracking code"), "scope", "col", NULL);
    html_elem(h, "th", T(p.lang, "About"), "scope", "col", NULL);
    html_elem(h, "th", T(p.lang, "Status"), "scope", "col", NULL);
    html_elem(h, "th", T(p.lang, "Received"), "scope", "col", NULL);
    html_elem(h, "th", T(p.lang, "Due"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *c;
    char now[21];
    text_now_iso(now);
    json_array_foreach(items, i, c)
    {
        char href[64];
        snprintf(href, sizeof href, "/officer/concerns/%s", str(c, "tracking_code"));
        bool late = strcmp(str(c, "due_at"), now) < 0 &&
                    !json_string_value(json_object_get(c, "resolved_at"));
        html_open(h, "tr", "class", late ? "overdue" : "", NULL);
        html_open(h, "td", NULL);
        html_elem(h, "a", str(c, "tracking_code"), "href", href, NULL);
        html_close(h, "td");
        html_elem(h, "td", str(c, "service_name"), NULL);
        html_elem(h, "td", status_label(p.lang, str(c, "status")), NULL);
        html_elem(h, "td", str(c, "received_at"), NULL);
        html_elem(h, "td", str(c, "due_at"), NULL);
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    if (next[0]) {
        buf href = BUF_INIT;
        buf_puts(&href, "/officer/concerns?cursor=");
        buf_url_encode(&href, next);
        const char *kept[][2] = {{"status", f.status},
                                 {"overdue", f.overdue ? "true" : NULL},
                                 {"service_code", f.service_code},
                                 {"answer", f.answer}};
        for (size_t k = 0; k < sizeof kept / sizeof *kept; k++) {
            if (!kept[k][1]) continue;
            buf_printf(&href, "&%s=", kept[k][0]);
            buf_url_encode(&href, kept[k][1]);
        }
        html_elem(h, "a", T(p.lang, "Next"), "href", buf_str(&href), "rel", "next", NULL);
        buf_free(&href);
    }
    json_decref(items);
    page_finish(&p, 200);
}

/* ---- one concern -------------------------------------------------------------------------- */

static void dl_row(html *h, const char *term, const char *value)
{
    if (!value || !*value) return;
    html_elem(h, "dt", term, NULL);
    html_elem(h, "dd", value, NULL);
}

static void concern_page(http_request *req, const p_error *step_err, int status)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL;
    struct concern_viewer v = viewer_of(req);
    struct actor by = api_actor(req);
    int rc = concern_get(s, http_path_param(req, "code"), &v, &by, &rec, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, str(rec, "tracking_code"));
    html *h = &p.h;
    html_open(h, "dl", "class", "record", NULL);
    dl_row(h, T(p.lang, "About"), str(rec, "service_name"));
    dl_row(h, T(p.lang, "Status"), status_label(p.lang, str(rec, "status")));
    dl_row(h, T(p.lang, "Received"), str(rec, "received_at"));
    dl_row(h, T(p.lang, "Due"), str(rec, "due_at"));
    dl_row(h, T(p.lang, "Area"), str(rec, "area"));
    dl_row(h, T(p.lang, "Where"), str(rec, "address"));
    dl_row(h, T(p.lang, "Concern"), str(rec, "description"));
    json_t *contact = json_object_get(rec, "contact");
    dl_row(h, T(p.lang, "Name"), str(contact, "name"));
    dl_row(h, T(p.lang, "Phone"), str(contact, "phone"));
    dl_row(h, T(p.lang, "E-mail"), str(contact, "email"));
    if (*str(rec, "forum")) { /* the forum's page: its agenda and meetings */
        char href[64];
        snprintf(href, sizeof href, "/forums/%s", str(rec, "forum"));
        html_elem(h, "dt", T(p.lang, "Forum"), NULL);
        html_open(h, "dd", NULL);
        html_elem(h, "a", str(rec, "forum"), "href", href, NULL);
        html_close(h, "dd");
    }
    dl_row(h, T(p.lang, "Agency"), str(rec, "agency"));
    if (*str(rec, "media_url")) { /* checked http(s) at intake; the builder escapes it */
        html_elem(h, "dt", T(p.lang, "Photo or file"), NULL);
        html_open(h, "dd", NULL);
        html_elem(h, "a", str(rec, "media_url"), "href", str(rec, "media_url"), "rel",
                  "noopener noreferrer nofollow", NULL);
        html_close(h, "dd");
    }
    html_close(h, "dl");
    json_t *questions = NULL;
    p_error qerr;
    p_error_clear(&qerr);
    if (attributes_of_service(s, str(rec, "service_code"), &questions, &qerr) == P_OK)
        community_questions_answered(&p, questions, json_object_get(rec, "attributes"));
    json_decref(questions);
    html_elem(h, "h2", T(p.lang, "Events"), NULL);
    html_open(h, "ol", "class", "events", NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rec, "events"), i, e)
    {
        html_open(h, "li", "class",
                  json_is_true(json_object_get(e, "public")) ? "public" : "internal", NULL);
        html_elem(h, "time", str(e, "at"), NULL);
        html_text(h, " ");
        html_text(h, str(e, "actor"));
        const char *st = json_string_value(json_object_get(e, "status"));
        if (st) {
            html_text(h, " — ");
            html_elem(h, "strong", status_label(p.lang, st), NULL);
        }
        if (*str(e, "note")) {
            html_text(h, ": ");
            html_text(h, str(e, "note"));
        }
        if (!json_is_true(json_object_get(e, "public"))) {
            html_text(h, " ");
            html_elem(h, "em", T(p.lang, "(internal)"), NULL);
        }
        html_close(h, "li");
    }
    html_close(h, "ol");
    html_elem(h, "h2", T(p.lang, "Next step"), NULL);
    if (step_err) page_error(&p, step_err);
    char action[64];
    snprintf(action, sizeof action, "/officer/concerns/%s", str(rec, "tracking_code"));
    html_open(h, "form", "method", "post", "action", action, "class", "record-form", NULL);
    page_csrf_field(&p);
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p.lang, "New status"), "for", "f-status", NULL);
    html_open(h, "select", "name", "status", "id", "f-status", NULL);
    html_elem(h, "option", T(p.lang, "(a note only)"), "value", "", NULL);
    for (size_t k = 0; k < sizeof statuses / sizeof *statuses; k++)
        if (concern_transition_allowed(str(rec, "status"), statuses[k]))
            html_elem(h, "option", status_label(p.lang, statuses[k]), "value", statuses[k], NULL);
    html_close(h, "select");
    html_close(h, "div");
    page_input(&p, T(p.lang, "Forum code (for a referral)"), "text", "forum", "", step_err);
    page_input(&p, T(p.lang, "Agency (for a referral)"), "text", "agency", "", step_err);
    page_input(&p, T(p.lang, "Note"), "text", "note", "", step_err);
    html_open(h, "div", "class", "check", NULL);
    html_void(h, "input", "type", "checkbox", "name", "public", "value", "1", "id", "f-public",
              NULL);
    html_elem(h, "label", T(p.lang, "The citizen may see this step"), "for", "f-public", NULL);
    html_close(h, "div");
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", NULL);
    html_close(h, "form");
    json_decref(rec);
    page_finish(&p, status);
}

static void concern_show(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return;
    concern_page(req, NULL, 200);
}

static void concern_submit(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return;
    form f;
    memset(&f, 0, sizeof f);
    p_error err;
    p_error_clear(&err);
    if (form_parse(buf_str(&req->body), req->body.len, &f, &err) != P_OK) {
        concern_page(req, &err, 400);
        return;
    }
    store *s = api_store(req);
    if (s) {
        const char *status = form_get(&f, "status"), *forum = form_get(&f, "forum");
        const char *agency = form_get(&f, "agency");
        struct concern_step st = {status && *status ? status : NULL, form_get(&f, "note"),
                                  form_get(&f, "public") != NULL, forum && *forum ? forum : NULL,
                                  agency && *agency ? agency : NULL};
        json_t *rec = NULL;
        struct concern_viewer v = viewer_of(req);
        struct actor by = api_actor(req);
        int rc = concern_advance(s, http_path_param(req, "code"), &st, &v, &by, &rec, &err);
        json_decref(rec);
        if (rc == P_OK) {
            char to[64];
            snprintf(to, sizeof to, "/officer/concerns/%s", http_path_param(req, "code"));
            http_redirect(req, to);
        } else if (rc == P_EINVAL || rc == P_EUNPROC) {
            concern_page(req, &err, p_status_http((p_status)rc));
        } else {
            error_page(req, rc, &err);
        }
    }
    form_free(&f);
}

/* The reception screen's service worker, served under /officer/ so its scope covers the
 * screen; revalidated on every load so a new version takes over at once. */
static void service_worker(http_request *req)
{
    const struct embed_file *f = embed_find(asset_files, "reception-sw.js");
    if (!f) {
        http_reply_fail(req, P_ENOTFOUND, NULL, "no service worker");
        return;
    }
    char etag[ASSETS_ETAG_SIZE];
    assets_etag(f->data, f->size, etag);
    assets_reply_cached(req, etag, "no-cache", "text/javascript; charset=utf-8", f->data, f->size);
}

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 16},
                                                {0}};
static const struct param_spec list_params[] = {
    {.name = "status", .type = PARAM_ENUM, .enum_values = CONCERN_STATUSES},
    {.name = "overdue", .type = PARAM_ENUM, .enum_values = "true|false"},
    {.name = "service_code", .type = PARAM_CODE, .max_len = 40},
    {.name = "answer", .type = PARAM_STRING, .max_len = 250},
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255},
    {0}};

void community_officer_pages_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/officer/reception", .handler = reception_show},
        {.methods = HTTP_GET, .pattern = "/officer/reception-sw.js", .handler = service_worker},
        {.methods = HTTP_POST, .pattern = "/officer/reception", .handler = reception_submit},
        {.methods = HTTP_GET,
         .pattern = "/officer/concerns",
         .handler = list_page,
         .params = list_params},
        {.methods = HTTP_GET,
         .pattern = "/officer/concerns/{code}",
         .handler = concern_show,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/officer/concerns/{code}",
         .handler = concern_submit,
         .params = code_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
