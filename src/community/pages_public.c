/* pages_public.c (community): the citizens' pages, without signing in — raise a concern
 * (the form carries a double-submit token against cross-site posts, and a client id so a
 * double click records it once) and follow it by tracking code, seeing public events only.
 * English and Russian like every page. */
#include "community/internal.h"

#include "core/text.h"
#include "http/form.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/form_token.h"
#include "web/layout.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CONCERN_FORM_COOKIE    "polis_concern_form"
#define CONCERN_FORM_MAX_AGE_S 7200L

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* "ABCDE-FGHJK": easier to read aloud and to copy. */
static void spaced_code(const char *code, char out[static CONCERN_TRACKING_LEN + 2])
{
    snprintf(out, CONCERN_TRACKING_LEN + 2, "%.5s-%s", code, code + 5);
}

static const char *status_label(const char *lang, const char *status)
{
    static const struct {
        const char *code, *label;
    } labels[] = {{"received", N_("Received")}, {"acknowledged", N_("Acknowledged")},
                  {"referred", N_("Referred")}, {"in_progress", N_("In progress")},
                  {"resolved", N_("Resolved")}, {"closed", N_("Closed")},
                  {"rejected", N_("Rejected")}};
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (strcmp(labels[i].code, status) == 0) return T(lang, labels[i].label);
    return status;
}

static void field_error(struct page *p, const p_error *err, const char *name)
{
    if (err && err->status != P_OK && strcmp(err->field, name) == 0)
        html_elem(&p->h, "p", err->message, "class", "field-error", NULL);
}

/* The form, filled from values (a submitted form, or NULL for a new one). */
static void concern_form(http_request *req, const form *values, const p_error *err, int status)
{
    store *s = api_store(req);
    if (!s) return;
    json_t *services = NULL;
    p_error lerr;
    p_error_clear(&lerr);
    if (community_services(s, &services, &lerr) != P_OK) {
        http_reply_fail(req, P_ESTORE, NULL, "the services could not be read");
        return;
    }
    char token[FORM_TOKEN_HEX + 1];
    form_token_issue(req, CONCERN_FORM_COOKIE, CONCERN_FORM_MAX_AGE_S, token);
    char client_id[33];
    const char *kept = values ? form_get(values, "client_id") : NULL;
    if (kept && strlen(kept) == 32) {
        snprintf(client_id, sizeof client_id, "%s", kept);
    } else {
        unsigned char raw[16];
        randombytes_buf(raw, sizeof raw);
        text_hex(raw, sizeof raw, client_id);
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Raise a concern"));
    html *h = &p.h;
    html_elem(h, "p",
              T(p.lang, "Tell the police and your community safety forum what worries you. "
                        "You will get a tracking code to follow what is done."),
              NULL);
    if (err && err->status != P_OK && !err->field[0]) page_error(&p, err);
    html_open(h, "form", "method", "post", "action", "/concerns/new", "class", "record-form", NULL);
    html_void(h, "input", "type", "hidden", "name", "form_token", "value", token, NULL);
    html_void(h, "input", "type", "hidden", "name", "client_id", "value", client_id, NULL);
    const char *chosen = values ? form_get(values, "service_code") : NULL;
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p.lang, "What is it about?"), "for", "f-service", NULL);
    html_open(h, "select", "name", "service_code", "id", "f-service", NULL);
    size_t i;
    json_t *sv;
    json_array_foreach(services, i, sv)
    {
        const char *name =
            strcmp(p.lang, "ru") == 0 && *str(sv, "name_ru") ? str(sv, "name_ru") : str(sv, "name");
        if (chosen && strcmp(chosen, str(sv, "code")) == 0)
            html_elem(h, "option", name, "value", str(sv, "code"), "selected", "", NULL);
        else
            html_elem(h, "option", name, "value", str(sv, "code"), NULL);
    }
    html_close(h, "select");
    field_error(&p, err, "service_code");
    html_close(h, "div");
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p.lang, "Your concern"), "for", "f-description", NULL);
    const char *desc = values ? form_get(values, "description") : NULL;
    html_elem(h, "textarea", desc ? desc : "", "name", "description", "id", "f-description", "rows",
              "6", "maxlength", "4000", "required", "", NULL);
    field_error(&p, err, "description");
    html_close(h, "div");
    community_questions_fields(&p, services, values, chosen, err);
    page_input(&p, T(p.lang, "Where (street, village, landmark)"), "text", "address",
               values ? form_get(values, "address") : "", err);
    html_open(h, "div", "class", "check", NULL);
    if (values && form_get(values, "anonymous"))
        html_void(h, "input", "type", "checkbox", "name", "anonymous", "value", "1", "id", "f-anon",
                  "checked", "", NULL);
    else
        html_void(h, "input", "type", "checkbox", "name", "anonymous", "value", "1", "id", "f-anon",
                  NULL);
    html_elem(h, "label", T(p.lang, "Stay anonymous (leave the contact details empty)"), "for",
              "f-anon", NULL);
    field_error(&p, err, "anonymous");
    html_close(h, "div");
    html_elem(h, "p",
              T(p.lang, "Contact details are optional and are seen only by the officers "
                        "handling your concern."),
              "class", "hint", NULL);
    page_input(&p, T(p.lang, "Name"), "text", "contact_name",
               values ? form_get(values, "contact_name") : "", err);
    page_input(&p, T(p.lang, "Phone"), "tel", "contact_phone",
               values ? form_get(values, "contact_phone") : "", err);
    page_input(&p, T(p.lang, "E-mail"), "email", "contact_email",
               values ? form_get(values, "contact_email") : "", err);
    html_elem(h, "button", T(p.lang, "Send"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "Follow a concern you raised"), "href", "/concerns/status", NULL);
    html_close(h, "p");
    json_decref(services);
    page_finish(&p, status);
}

static void new_page(http_request *req)
{
    concern_form(req, NULL, NULL, 200);
}

static void received_page(http_request *req, json_t *rec, bool created)
{
    char code[CONCERN_TRACKING_LEN + 2], href[64];
    spaced_code(str(rec, "tracking_code"), code);
    snprintf(href, sizeof href, "/concerns/status?code=%s", str(rec, "tracking_code"));
    struct page p;
    page_begin(&p, req, T(req->lang, "Your concern is received"));
    html *h = &p.h;
    html_elem(h, "p", T(p.lang, "Keep this tracking code to follow what is done:"), NULL);
    html_elem(h, "p", code, "class", "tracking-code", NULL);
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "See its status"), "href", href, NULL);
    html_close(h, "p");
    page_finish(&p, created ? 201 : 200);
}

static void create_submit(http_request *req)
{
    form f;
    memset(&f, 0, sizeof f);
    p_error err;
    p_error_clear(&err);
    if (form_parse(buf_str(&req->body), req->body.len, &f, &err) != P_OK) {
        concern_form(req, NULL, &err, 400);
        return;
    }
    store *s = api_store(req);
    if (!s) goto done;
    if (!form_token_ok(req, CONCERN_FORM_COOKIE, form_get(&f, "form_token"))) {
        p_fail(&err, P_EFORBIDDEN, NULL, "%s",
               T(req->lang, "This form has expired. Please check it and send it again."));
        concern_form(req, &f, &err, 403);
        goto done;
    }
    long retry = 0;
    int rc = community_limit_check(req, s, "submit", PUBLIC_SUBMISSIONS_PER_HOUR,
                                   PUBLIC_SUBMIT_WINDOW_S, &retry, &err);
    if (rc != P_OK) {
        if (rc == P_ELIMIT)
            p_fail(&err, P_ELIMIT, NULL, "%s",
                   T(req->lang, "Too many concerns were sent from here. Please try again later."));
        concern_form(req, &f, &err, p_status_http((p_status)rc));
        goto done;
    }
    bool anonymous = form_get(&f, "anonymous") != NULL;
    struct concern_new c = {.channel = "web",
                            .service_code = form_get(&f, "service_code"),
                            .description = form_get(&f, "description"),
                            .address = form_get(&f, "address"),
                            .anonymous = anonymous,
                            .contact_name = form_get(&f, "contact_name"),
                            .contact_phone = form_get(&f, "contact_phone"),
                            .contact_email = form_get(&f, "contact_email"),
                            .client_id = form_get(&f, "client_id")};
    if (anonymous && c.contact_name && !*c.contact_name) c.contact_name = NULL;
    if (anonymous && c.contact_phone && !*c.contact_phone) c.contact_phone = NULL;
    if (anonymous && c.contact_email && !*c.contact_email) c.contact_email = NULL;
    c.attributes = community_questions_answers(&f, c.service_code);
    json_t *rec = NULL;
    bool created = false;
    struct actor by = {"citizen", http_client(req)};
    rc = concern_create(s, &c, &by, &rec, &created, &err);
    json_decref(c.attributes);
    if (rc == P_OK) {
        if (created) community_limit_count(req, s, "submit", PUBLIC_SUBMIT_WINDOW_S);
        received_page(req, rec, created);
    } else if (rc == P_EINVAL || rc == P_EUNPROC || rc == P_ENOTFOUND) {
        community_questions_localize(req->lang, &err);
        concern_form(req, &f, &err, rc == P_ENOTFOUND ? 422 : p_status_http((p_status)rc));
    } else {
        p_fail(&err, (p_status)rc, NULL, "%s",
               T(req->lang, "Your concern could not be saved. Please try again."));
        concern_form(req, &f, &err, p_status_http((p_status)rc));
    }
    json_decref(rec);
done:
    form_free(&f);
}

/* ---- status by tracking code -------------------------------------------------------------- */

static void status_page(http_request *req)
{
    const char *code = http_query(req, "code");
    store *s = api_store(req);
    if (!s) return;
    json_t *rec = NULL;
    p_error err;
    p_error_clear(&err);
    int rc = P_OK;
    if (code && *code) {
        long retry = 0;
        rc = community_limit_check(req, s, "lookup", PUBLIC_MISSES_PER_WINDOW, PUBLIC_WINDOW_S,
                                   &retry, &err);
        if (rc == P_OK) rc = concern_public(s, code, &rec, &err);
        if (rc == P_ENOTFOUND) {
            community_limit_count(req, s, "lookup", PUBLIC_WINDOW_S);
            p_fail(&err, P_ENOTFOUND, "code", "%s",
                   T(req->lang, "No concern has this tracking code. Check it and try again."));
        } else if (rc == P_ELIMIT) {
            p_fail(&err, P_ELIMIT, "code", "%s",
                   T(req->lang, "Too many codes were tried from here. Please try again later."));
        }
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Follow a concern"));
    html *h = &p.h;
    html_open(h, "form", "method", "get", "action", "/concerns/status", "class", "filters", NULL);
    page_input(&p, T(p.lang, "Tracking code"), "text", "code", code ? code : "",
               rc == P_OK ? NULL : &err);
    html_elem(h, "button", T(p.lang, "Show"), "type", "submit", NULL);
    html_close(h, "form");
    if (rec) {
        char spaced[CONCERN_TRACKING_LEN + 2];
        spaced_code(str(rec, "tracking_code"), spaced);
        html_elem(h, "h2", spaced, "class", "tracking-code", NULL);
        html_open(h, "dl", "class", "record", NULL);
        html_elem(h, "dt", T(p.lang, "About"), NULL);
        html_elem(h, "dd", str(rec, "service_name"), NULL);
        html_elem(h, "dt", T(p.lang, "Status"), NULL);
        html_elem(h, "dd", status_label(p.lang, str(rec, "status")), "class", "status", NULL);
        html_elem(h, "dt", T(p.lang, "Received"), NULL);
        html_elem(h, "dd", str(rec, "received_at"), NULL);
        html_close(h, "dl");
        html_elem(h, "h3", T(p.lang, "What has been done"), NULL);
        html_open(h, "ol", "class", "events", NULL);
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(rec, "events"), i, e)
        {
            html_open(h, "li", NULL);
            html_elem(h, "time", str(e, "at"), NULL);
            html_text(h, " ");
            const char *st = json_string_value(json_object_get(e, "status"));
            if (st) html_elem(h, "strong", status_label(p.lang, st), NULL);
            if (*str(e, "note")) {
                html_text(h, ": ");
                html_text(h, str(e, "note"));
            }
            html_close(h, "li");
        }
        html_close(h, "ol");
    }
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "Raise a concern"), "href", "/concerns/new", NULL);
    html_close(h, "p");
    json_decref(rec);
    page_finish(&p, rc == P_OK ? 200 : p_status_http((p_status)rc));
}

static const struct param_spec status_params[] = {
    {.name = "code", .type = PARAM_STRING, .max_len = 24}, {0}};

void community_public_pages_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/concerns/new", .handler = new_page},
        {.methods = HTTP_POST, .pattern = "/concerns/new", .handler = create_submit},
        {.methods = HTTP_GET,
         .pattern = "/concerns/status",
         .handler = status_page,
         .params = status_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
