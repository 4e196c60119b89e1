/* pages_forum.c (community): a forum's page — its members and areas, the agenda of the
 * concerns relayed to it, its meetings with their decisions — and the form that records a
 * meeting: attendance, and a decision (public or not, with an optional step) per concern on
 * the agenda. Only the forum's members, co-ordinators and administrators. */
#include "community/internal.h"

#include "auth/authz.h"
#include "core/text.h"
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

/* The forum in the path when the user may act for it; otherwise replies and returns NULL. */
static store *forum_store(http_request *req)
{
    if (!page_require(req, PERM_CONCERNS)) return NULL;
    store *s = api_store(req);
    if (!s) return NULL;
    p_error err;
    p_error_clear(&err);
    json_t *f = NULL;
    bool ok = false;
    int rc = community_forum_get(s, http_path_param(req, "code"), &f, &err);
    json_decref(f);
    if (rc == P_OK)
        rc = community_forum_member(s, http_path_param(req, "code"), &req->who, &ok, &err);
    if (rc == P_OK && !ok)
        rc = p_fail(&err, P_EFORBIDDEN, NULL, "%s",
                    T(req->lang, "Only the forum's members may open its page."));
    if (rc != P_OK) {
        page_refusal(req, rc, &err, "/officer/concerns", T(req->lang, "Concerns"));
        return NULL;
    }
    return s;
}

static void agenda_rows(struct page *p, json_t *agenda)
{
    html *h = &p->h;
    html_open(h, "table", "class", "agenda", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Tracking code"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "About"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Concern"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Due"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *c;
    json_array_foreach(agenda, i, c)
    {
        html_open(h, "tr", NULL);
        html_elem(h, "td", str(c, "tracking_code"), NULL);
        html_elem(h, "td", str(c, "service_name"), NULL);
        html_elem(h, "td", str(c, "description"), NULL);
        html_elem(h, "td", str(c, "due_at"), NULL);
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
}

static void meeting_form(struct page *p, const char *code, json_t *forum, json_t *agenda)
{
    html *h = &p->h;
    char action[96];
    snprintf(action, sizeof action, "/forums/%s/meetings", code);
    html_elem(h, "h2", T(p->lang, "Record a meeting"), NULL);
    html_open(h, "form", "method", "post", "action", action, "class", "record-form", NULL);
    page_csrf_field(p);
    page_input(p, T(p->lang, "Held on (YYYY-MM-DD)"), "date", "held_on", "", NULL);
    page_input(p, T(p->lang, "Place"), "text", "place", "", NULL);
    html_open(h, "fieldset", "class", "field", NULL);
    html_elem(h, "legend", T(p->lang, "Present"), NULL);
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(forum, "members"), i, m)
    {
        char id[32], value[24];
        snprintf(value, sizeof value, "%lld",
                 (long long)json_integer_value(json_object_get(m, "id")));
        snprintf(id, sizeof id, "f-att-%s", value);
        html_open(h, "div", "class", "check", NULL);
        html_void(h, "input", "type", "checkbox", "name", "attendee", "value", value, "id", id,
                  NULL);
        html_elem(h, "label", str(m, "name"), "for", id, NULL);
        html_close(h, "div");
    }
    html_close(h, "fieldset");
    json_t *c;
    json_array_foreach(agenda, i, c)
    {
        const char *tc = str(c, "tracking_code");
        char name[48], id[56];
        html_open(h, "fieldset", "class", "field decision", NULL);
        html_elem(h, "legend", tc, NULL);
        snprintf(name, sizeof name, "decision_%s", tc);
        snprintf(id, sizeof id, "f-%s", name);
        html_elem(h, "label", T(p->lang, "Decision (leave empty for none)"), "for", id, NULL);
        html_elem(h, "textarea", "", "name", name, "id", id, "rows", "2", NULL);
        snprintf(name, sizeof name, "status_%s", tc);
        html_open(h, "select", "name", name, "aria-label", T(p->lang, "New status"), NULL);
        html_elem(h, "option", T(p->lang, "(status unchanged)"), "value", "", NULL);
        static const char *const steps[] = {"in_progress", "resolved", "closed"};
        for (size_t k = 0; k < 3; k++)
            if (concern_transition_allowed(str(c, "status"), steps[k]))
                html_elem(h, "option", steps[k], "value", steps[k], NULL);
        html_close(h, "select");
        snprintf(name, sizeof name, "public_%s", tc);
        snprintf(id, sizeof id, "f-%s", name);
        html_open(h, "div", "class", "check", NULL);
        html_void(h, "input", "type", "checkbox", "name", name, "value", "1", "id", id, "checked",
                  "", NULL);
        html_elem(h, "label", T(p->lang, "The citizen may see this step"), "for", id, NULL);
        html_close(h, "div");
        html_close(h, "fieldset");
    }
    html_elem(h, "button", T(p->lang, "Save"), "type", "submit", NULL);
    html_close(h, "form");
}

static void forum_page(http_request *req, const p_error *form_err, int status)
{
    store *s = forum_store(req);
    if (!s) return;
    const char *code = http_path_param(req, "code");
    p_error err;
    p_error_clear(&err);
    json_t *forum = NULL, *agenda = NULL, *meetings = NULL;
    int rc = community_forum_get(s, code, &forum, &err);
    if (rc == P_OK) rc = community_forum_agenda(s, code, &agenda, &err);
    if (rc == P_OK) rc = community_meetings(s, code, &meetings, &err);
    if (rc != P_OK) {
        page_refusal(req, rc, &err, "/officer/concerns", T(req->lang, "Concerns"));
        goto done;
    }
    struct page p;
    page_begin(&p, req,
               strcmp(req->lang, "ru") == 0 && *str(forum, "name_ru") ? str(forum, "name_ru")
                                                                      : str(forum, "name"));
    html *h = &p.h;
    if (form_err) page_error(&p, form_err);
    html_elem(h, "h2", T(p.lang, "Agenda"), NULL);
    agenda_rows(&p, agenda);
    html_elem(h, "h2", T(p.lang, "Meetings"), NULL);
    html_open(h, "ul", "class", "meetings", NULL);
    size_t i, j;
    json_t *m, *d;
    json_array_foreach(meetings, i, m)
    {
        html_open(h, "li", NULL);
        html_elem(h, "strong", str(m, "held_on"), NULL);
        html_textf(h, " — %s: %lld", T(p.lang, "present"),
                   (long long)json_integer_value(json_object_get(m, "attendance")));
        html_open(h, "ul", NULL);
        json_array_foreach(json_object_get(m, "decisions"), j, d)
        {
            html_open(h, "li", NULL);
            html_text(h, str(d, "tracking_code"));
            html_text(h, ": ");
            html_text(h, str(d, "decision"));
            html_close(h, "li");
        }
        html_close(h, "ul");
        html_close(h, "li");
    }
    html_close(h, "ul");
    meeting_form(&p, code, forum, agenda);
    page_finish(&p, status);
done:
    json_decref(forum);
    json_decref(agenda);
    json_decref(meetings);
}

static void show(http_request *req)
{
    forum_page(req, NULL, 200);
}

/* The meeting body from the form: attendees, and a decision per agenda item with one. */
static json_t *meeting_body(const form *f)
{
    json_t *att = json_array(), *dec = json_array();
    for (int i = 0; i < f->n; i++) {
        const char *name = f->fields[i].name, *value = f->fields[i].value;
        int64_t id = 0;
        if (strcmp(name, "attendee") == 0 && text_parse_int64(value, 1, INT64_MAX, &id))
            json_array_append_new(att, json_integer(id));
        if (strncmp(name, "decision_", 9) == 0 && *value) {
            char other[64];
            snprintf(other, sizeof other, "status_%s", name + 9);
            const char *st = form_get(f, other);
            snprintf(other, sizeof other, "public_%s", name + 9);
            json_array_append_new(dec,
                                  json_pack("{s:s, s:s, s:b, s:s?}", "tracking_code", name + 9,
                                            "decision", value, "public", form_get(f, other) != NULL,
                                            "status", st && *st ? st : NULL));
        }
    }
    const char *held = form_get(f, "held_on"), *place = form_get(f, "place");
    return json_pack("{s:s, s:s, s:o, s:o}", "held_on", held ? held : "", "place",
                     place ? place : "", "attendees", att, "decisions", dec);
}

static void submit(http_request *req)
{
    store *s = forum_store(req);
    if (!s) return;
    form f;
    memset(&f, 0, sizeof f);
    p_error err;
    p_error_clear(&err);
    if (form_parse(buf_str(&req->body), req->body.len, &f, &err) != P_OK) {
        forum_page(req, &err, 400);
        return;
    }
    json_t *body = meeting_body(&f), *out = NULL;
    struct actor by = api_actor(req);
    int rc = community_meeting_record(s, http_path_param(req, "code"), body, &by, &out, &err);
    if (rc == P_OK) {
        char to[96];
        snprintf(to, sizeof to, "/forums/%s", http_path_param(req, "code"));
        http_redirect(req, to);
    } else if (rc == P_EINVAL || rc == P_EUNPROC) {
        forum_page(req, &err, p_status_http((p_status)rc));
    } else {
        page_refusal(req, rc, &err, "/officer/concerns", T(req->lang, "Concerns"));
    }
    json_decref(out);
    json_decref(body);
    form_free(&f);
}

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 40},
                                                {0}};

void community_forum_pages_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/forums/{code}", .handler = show, .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/forums/{code}/meetings",
         .handler = submit,
         .params = code_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
