/* pages.c (framework): the server-rendered pages of the reference data: the framework
 * overview (priorities with their focus areas, lines of action, principles), the
 * organisations and countries with their filters and detail pages, and for coordinators
 * and admins the forms that create and edit organisations and countries. Names show in
 * Russian when the page language is ru and one exists. */
#include "framework/framework.h"
#include "auth/authz.h"
#include "framework/service.h"
#include "http/form.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/layout.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PAGE_LIMIT 50

/* The record's name in lang: name_ru for Russian when it is not empty, else name. */
static const char *local_name(const char *lang, json_t *rec)
{
    const char *ru = json_string_value(json_object_get(rec, "name_ru"));
    if (strcmp(lang, "ru") == 0 && ru && *ru) return ru;
    const char *en = json_string_value(json_object_get(rec, "name"));
    return en ? en : "";
}

/* A query parameter, NULL when absent or empty (a filter form sends "" for "all"). */
static const char *query(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

static const char *str(json_t *rec, const char *key)
{
    const char *v = json_string_value(json_object_get(rec, key));
    return v ? v : "";
}

static const char *kind_label(const char *lang, const char *kind)
{
    static const struct {
        const char *kind, *label;
    } labels[] = {
        {"secretariat", N_("Secretariat department")},
        {"unit", N_("Secretariat unit")},
        {"institution", N_("Institution")},
        {"field_operation", N_("Field operation")},
        {"partner", N_("Partner organisation")},
        {"national", N_("National agency")},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(kind, labels[i].kind) == 0) return T(lang, labels[i].label);
    return kind;
}

static const char *status_label(const char *lang, const char *status)
{
    if (strcmp(status, "participating") == 0) return T(lang, "Participating State");
    if (strcmp(status, "partner") == 0) return T(lang, "Partner for Co-operation");
    return status;
}

/* Appends "&name=value" (or "?name=value" first) when value is set. */
static void add_query(buf *b, const char *name, const char *value)
{
    if (!value || !*value) return;
    buf_putc(b, b->len && strchr(buf_str(b), '?') ? '&' : '?');
    buf_puts(b, name);
    buf_putc(b, '=');
    buf_url_encode(b, value);
}

/* <a href="PREFIX/code">text</a> */
static void record_link(html *h, const char *prefix, const char *code, const char *text)
{
    char href[96];
    snprintf(href, sizeof href, "%s/%s", prefix, code);
    html_elem(h, "a", text, "href", href, NULL);
}

/* A page that explains a failure: 404 for an unknown code, 400 for bad input, 500 else. */
static void error_page(http_request *req, int rc, const p_error *err)
{
    struct page p;
    bool not_found = rc == P_ENOTFOUND;
    page_begin(&p, req,
               not_found ? T(req->lang, "Not found") : T(req->lang, "Something went wrong"));
    if (rc == P_ESTORE || rc == P_EIO) {
        html_elem(&p.h, "p", T(p.lang, "The request could not be completed. Please try again."),
                  NULL);
    } else {
        page_error(&p, err);
    }
    page_finish(&p, p_status_http((p_status)rc));
}

/* True when the signed-in user may create and edit reference data. */
static bool can_edit(http_request *req)
{
    return req->who.via != AUTH_NONE && authz_role_has(req->who.role, PERM_REFERENCE_EDIT);
}

/* A button-styled link to a create or edit form, for users who may use it. */
static void action_link(struct page *p, const char *href, const char *label)
{
    if (!can_edit(p->req)) return;
    html_open(&p->h, "p", "class", "actions", NULL);
    html_elem(&p->h, "a", label, "href", href, "class", "button", NULL);
    html_close(&p->h, "p");
}

/* ---- /framework ------------------------------------------------------------------------- */

static void write_priorities(struct page *p, json_t *priorities)
{
    html *h = &p->h;
    html_open(h, "section", "id", "priorities", NULL);
    html_elem(h, "h2", T(p->lang, "Thematic priorities"), NULL);
    size_t i, j;
    json_t *pr, *fa;
    json_array_foreach(priorities, i, pr)
    {
        char id[48];
        snprintf(id, sizeof id, "priority-%s", str(pr, "code"));
        html_open(h, "article", "class", "priority", "id", id, NULL);
        html_elem(h, "h3", local_name(p->lang, pr), NULL);
        if (*str(pr, "description"))
            html_elem(h, "p", str(pr, "description"), "class", "description", "lang", "en", NULL);
        html_elem(h, "h4", T(p->lang, "Focus areas"), NULL);
        html_open(h, "ul", "class", "focus-areas", NULL);
        json_array_foreach(json_object_get(pr, "focus_areas"), j, fa)
        {
            char fid[48];
            snprintf(fid, sizeof fid, "focus-area-%s", str(fa, "code"));
            html_elem(h, "li", local_name(p->lang, fa), "class", "focus-area", "id", fid, NULL);
        }
        html_close(h, "ul");
        html_close(h, "article");
    }
    html_close(h, "section");
}

/* A section of described records (lines of action, principles) as a list. */
static void write_described(struct page *p, json_t *items, const char *section_id,
                            const char *heading, const char *list_tag, const char *item_class)
{
    html *h = &p->h;
    html_open(h, "section", "id", section_id, NULL);
    html_elem(h, "h2", heading, NULL);
    html_open(h, list_tag, "class", section_id, NULL);
    size_t i;
    json_t *rec;
    json_array_foreach(items, i, rec)
    {
        char id[48];
        snprintf(id, sizeof id, "%s-%s", item_class, str(rec, "code"));
        html_open(h, "li", "class", item_class, "id", id, NULL);
        html_elem(h, "strong", local_name(p->lang, rec), NULL);
        if (*str(rec, "description"))
            html_elem(h, "p", str(rec, "description"), "class", "description", "lang", "en", NULL);
        html_close(h, "li");
    }
    html_close(h, list_tag);
    html_close(h, "section");
}

static void framework_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *priorities = NULL, *lines = NULL, *principles = NULL;
    int rc = framework_priorities_list(s, &priorities, &err);
    if (rc == P_OK) rc = framework_lines_list(s, &lines, &err);
    if (rc == P_OK) rc = framework_principles_list(s, &principles, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
    } else {
        struct page p;
        page_begin(&p, req, T(req->lang, "Strategic Framework"));
        html_elem(&p.h, "p",
                  T(p.lang,
                    "The OSCE Strategic Framework for Police-Related Activities (2012) sets "
                    "out thematic priorities with their focus areas, lines of action and "
                    "the principles that guide them."),
                  "class", "lead", NULL);
        write_priorities(&p, priorities);
        write_described(&p, lines, "lines-of-action", T(p.lang, "Lines of action"), "ol", "line");
        write_described(&p, principles, "principles", T(p.lang, "Guiding principles"), "ul",
                        "principle");
        page_finish(&p, 200);
    }
    json_decref(priorities);
    json_decref(lines);
    json_decref(principles);
}

/* ---- filters and tables ----------------------------------------------------------------- */

/* A <select name=name> with one option per '|'-separated value, after an "All" option
 * (value "") when with_all; marked invalid when err is about name. */
static void enum_select(struct page *p, const char *label, const char *name, const char *values,
                        const char *current, const char *(*label_of)(const char *, const char *),
                        bool with_all, const p_error *err)
{
    html *h = &p->h;
    bool bad = err && err->status != P_OK && strcmp(err->field, name) == 0;
    char id[40];
    snprintf(id, sizeof id, "f-%s", name);
    html_open(h, "div", "class", bad ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    if (bad)
        html_open(h, "select", "name", name, "id", id, "aria-invalid", "true", NULL);
    else
        html_open(h, "select", "name", name, "id", id, NULL);
    if (with_all) html_elem(h, "option", T(p->lang, "All"), "value", "", NULL);
    for (const char *v = values; v && *v;) {
        const char *bar = strchr(v, '|');
        char value[40];
        snprintf(value, sizeof value, "%.*s", (int)(bar ? bar - v : (long)strlen(v)), v);
        if (current && strcmp(current, value) == 0)
            html_elem(h, "option", label_of(p->lang, value), "value", value, "selected", "selected",
                      NULL);
        else
            html_elem(h, "option", label_of(p->lang, value), "value", value, NULL);
        v = bar ? bar + 1 : NULL;
    }
    html_close(h, "select");
    if (bad) html_elem(h, "p", err->message, "class", "field-error", NULL);
    html_close(h, "div");
}

static void filter_form(struct page *p, const char *action, const char *enum_name,
                        const char *enum_label, const char *values,
                        const char *(*label_of)(const char *, const char *))
{
    html *h = &p->h;
    html_open(h, "form", "method", "get", "action", action, "class", "filters", "role", "search",
              NULL);
    page_input(p, T(p->lang, "Search"), "search", "q", http_query(p->req, "q"), NULL);
    enum_select(p, enum_label, enum_name, values, http_query(p->req, enum_name), label_of, true,
                NULL);
    html_elem(h, "button", T(p->lang, "Filter"), "type", "submit", NULL);
    html_close(h, "form");
}

/* The "Next" link of a paginated table, keeping the filters. */
static void next_link(struct page *p, const char *path, const char *enum_name, const char *next)
{
    if (!next[0]) return;
    buf href = BUF_INIT;
    buf_puts(&href, path);
    add_query(&href, "q", http_query(p->req, "q"));
    add_query(&href, enum_name, http_query(p->req, enum_name));
    add_query(&href, "cursor", next);
    html_open(&p->h, "nav", "class", "pager", "aria-label", T(p->lang, "Pages"), NULL);
    html_elem(&p->h, "a", T(p->lang, "Next"), "href", buf_str(&href), "rel", "next", "class",
              "next", NULL);
    html_close(&p->h, "nav");
    buf_free(&href);
}

static void organisations_table(struct page *p, json_t *items, const char *id)
{
    html *h = &p->h;
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "id", id, "class", "data", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Code"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Name"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Kind"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Country"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        html_open(h, "tr", "class", "organisation", NULL);
        html_open(h, "td", "class", "code", NULL);
        record_link(h, "/organisations", str(o, "code"), str(o, "code"));
        html_close(h, "td");
        html_elem(h, "td", local_name(p->lang, o), NULL);
        html_elem(h, "td", kind_label(p->lang, str(o, "kind")), NULL);
        html_open(h, "td", NULL);
        if (*str(o, "country")) record_link(h, "/countries", str(o, "country"), str(o, "country"));
        html_close(h, "td");
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
}

/* ---- /organisations --------------------------------------------------------------------- */

static void organisations_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct framework_filter f = {.q = query(req, "q"),
                                 .kind = query(req, "kind"),
                                 .cursor = query(req, "cursor"),
                                 .limit = PAGE_LIMIT};
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = framework_organisations_list(s, &f, &items, next, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Organisations"));
    action_link(&p, "/organisations/new", T(p.lang, "New organisation"));
    filter_form(&p, "/organisations", "kind", T(p.lang, "Kind"), FRAMEWORK_ORG_KINDS, kind_label);
    if (json_array_size(items) == 0)
        html_elem(&p.h, "p", T(p.lang, "No organisations match."), "class", "empty", NULL);
    else
        organisations_table(&p, items, "organisations");
    next_link(&p, "/organisations", "kind", next);
    page_finish(&p, 200);
    json_decref(items);
}

/* <dt>label</dt><dd>text</dd> */
static void dl_row(html *h, const char *label, const char *text)
{
    html_elem(h, "dt", label, NULL);
    html_elem(h, "dd", text, NULL);
}

static void organisation_detail_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *o = NULL, *parent = NULL, *country = NULL;
    int rc = framework_get(s, FRAMEWORK_ORGANISATION, http_path_param(req, "code"), &o, &err);
    if (rc == P_OK && *str(o, "parent"))
        rc = framework_get(s, FRAMEWORK_ORGANISATION, str(o, "parent"), &parent, &err);
    if (rc == P_OK && *str(o, "country"))
        rc = framework_get(s, FRAMEWORK_COUNTRY, str(o, "country"), &country, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
    } else {
        struct page p;
        page_begin(&p, req, local_name(req->lang, o));
        html *h = &p.h;
        html_open(h, "dl", "class", "details", "id", "organisation", NULL);
        dl_row(h, T(p.lang, "Code"), str(o, "code"));
        dl_row(h, T(p.lang, "Name in English"), str(o, "name"));
        dl_row(h, T(p.lang, "Name in Russian"), str(o, "name_ru"));
        dl_row(h, T(p.lang, "Kind"), kind_label(p.lang, str(o, "kind")));
        html_elem(h, "dt", T(p.lang, "Part of"), NULL);
        html_open(h, "dd", "class", "parent", NULL);
        if (parent)
            record_link(h, "/organisations", str(parent, "code"), local_name(p.lang, parent));
        else
            html_text(h, "—");
        html_close(h, "dd");
        html_elem(h, "dt", T(p.lang, "Country"), NULL);
        html_open(h, "dd", "class", "country", NULL);
        if (country)
            record_link(h, "/countries", str(country, "code"), local_name(p.lang, country));
        else
            html_text(h, "—");
        html_close(h, "dd");
        html_close(h, "dl");
        json_t *children = json_object_get(o, "children");
        if (json_array_size(children) > 0) {
            html_open(h, "section", "id", "children", NULL);
            html_elem(h, "h2", T(p.lang, "Units"), NULL);
            html_open(h, "ul", NULL);
            size_t i;
            json_t *c;
            json_array_foreach(children, i, c)
            {
                html_open(h, "li", NULL);
                record_link(h, "/organisations", json_string_value(c), json_string_value(c));
                html_close(h, "li");
            }
            html_close(h, "ul");
            html_close(h, "section");
        }
        char edit[64];
        snprintf(edit, sizeof edit, "/organisations/%s/edit", str(o, "code"));
        action_link(&p, edit, T(p.lang, "Edit"));
        html_open(h, "p", NULL);
        html_elem(h, "a", T(p.lang, "All organisations"), "href", "/organisations", NULL);
        html_close(h, "p");
        page_finish(&p, 200);
    }
    json_decref(o);
    json_decref(parent);
    json_decref(country);
}

/* ---- /countries ------------------------------------------------------------------------- */

static void countries_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct framework_filter f = {.q = query(req, "q"),
                                 .status = query(req, "status"),
                                 .cursor = query(req, "cursor"),
                                 .limit = PAGE_LIMIT};
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = framework_countries_list(s, &f, &items, next, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Countries"));
    action_link(&p, "/countries/new", T(p.lang, "New country"));
    html *h = &p.h;
    filter_form(&p, "/countries", "status", T(p.lang, "Status"), FRAMEWORK_COUNTRY_STATUSES,
                status_label);
    if (json_array_size(items) == 0) {
        html_elem(h, "p", T(p.lang, "No countries match."), "class", "empty", NULL);
    } else {
        html_open(h, "div", "class", "table-wrap", NULL);
        html_open(h, "table", "id", "countries", "class", "data", NULL);
        html_open(h, "thead", NULL);
        html_open(h, "tr", NULL);
        html_elem(h, "th", T(p.lang, "Code"), "scope", "col", NULL);
        html_elem(h, "th", T(p.lang, "Name"), "scope", "col", NULL);
        html_elem(h, "th", T(p.lang, "Status"), "scope", "col", NULL);
        html_close(h, "tr");
        html_close(h, "thead");
        html_open(h, "tbody", NULL);
        size_t i;
        json_t *c;
        json_array_foreach(items, i, c)
        {
            html_open(h, "tr", "class", "country", NULL);
            html_open(h, "td", "class", "code", NULL);
            record_link(h, "/countries", str(c, "code"), str(c, "code"));
            html_close(h, "td");
            html_elem(h, "td", local_name(p.lang, c), NULL);
            html_elem(h, "td", status_label(p.lang, str(c, "status")), NULL);
            html_close(h, "tr");
        }
        html_close(h, "tbody");
        html_close(h, "table");
        html_close(h, "div");
    }
    next_link(&p, "/countries", "status", next);
    page_finish(&p, 200);
    json_decref(items);
}

static void country_detail_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *c = NULL;
    int rc = framework_get(s, FRAMEWORK_COUNTRY, http_path_param(req, "code"), &c, &err);
    if (rc != P_OK) {
        error_page(req, rc, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, local_name(req->lang, c));
    html *h = &p.h;
    html_open(h, "dl", "class", "details", "id", "country", NULL);
    dl_row(h, T(p.lang, "Code"), str(c, "code"));
    dl_row(h, T(p.lang, "Name in English"), str(c, "name"));
    dl_row(h, T(p.lang, "Name in Russian"), str(c, "name_ru"));
    dl_row(h, T(p.lang, "Status"), status_label(p.lang, str(c, "status")));
    html_close(h, "dl");
    html_open(h, "section", "id", "located-organisations", NULL);
    html_elem(h, "h2", T(p.lang, "Organisations located here"), NULL);
    json_t *orgs = json_object_get(c, "organisations");
    if (json_array_size(orgs) == 0)
        html_elem(h, "p", T(p.lang, "None recorded."), "class", "empty", NULL);
    else
        organisations_table(&p, orgs, "country-organisations");
    html_close(h, "section");
    char edit[64];
    snprintf(edit, sizeof edit, "/countries/%s/edit", str(c, "code"));
    action_link(&p, edit, T(p.lang, "Edit"));
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "All countries"), "href", "/countries", NULL);
    html_close(h, "p");
    page_finish(&p, 200);
    json_decref(c);
}

/* ---- create and edit forms -------------------------------------------------------------- */

/* What a form edits: organisations or countries. */
struct form_target {
    enum framework_kind kind;
    const char *path;       /* the list page; records at PATH/{code} */
    const char *new_title;  /* msgid */
    const char *edit_title; /* msgid */
};

static const struct form_target org_target = {FRAMEWORK_ORGANISATION, "/organisations",
                                              N_("New organisation"), N_("Edit organisation")};
static const struct form_target country_target = {FRAMEWORK_COUNTRY, "/countries",
                                                  N_("New country"), N_("Edit country")};

/* Puts a refused form's error in the page's language. The service's messages embed
 * values and have no catalogue entries, so the ones a form can cause are replaced. */
static void localize_error(const char *lang, enum framework_kind kind, p_error *err)
{
    const char *text = NULL;
    if (err->status == P_ECONFLICT && strcmp(err->field, "code") == 0)
        text = T(lang, "A record with this code already exists.");
    else if (strstr(err->message, " is required"))
        text = T(lang, "This field is required.");
    else if (strstr(err->message, " is longer than "))
        text = T(lang, "This text is too long.");
    else if (strcmp(err->field, "code") == 0)
        text = kind == FRAMEWORK_COUNTRY
                   ? T(lang, "A country code is two capital letters (ISO 3166-1).")
                   : T(lang, "A code is 1 to 16 capital letters, digits and hyphens.");
    else if (strcmp(err->field, "parent") == 0 && strncmp(err->message, "no ", 3) != 0)
        text = T(lang, "An organisation cannot be placed under itself or its own units.");
    else if (strncmp(err->message, "no ", 3) == 0 && err->field[0])
        text = T(lang, "There is no record with this code.");
    if (text) snprintf(err->message, sizeof err->message, "%s", text);
}

/* The create form (code NULL) or the edit form of record code, filled with values. */
static void form_page(http_request *req, const struct form_target *t, json_t *values,
                      const char *code, const p_error *err, int status)
{
    struct page p;
    page_begin(&p, req, T(req->lang, code ? t->edit_title : t->new_title));
    html *h = &p.h;
    char action[64];
    if (code) {
        snprintf(action, sizeof action, "%s/%s/edit", t->path, code);
        html_open(h, "p", "class", "record-code", NULL);
        html_text(h, T(p.lang, "Code"));
        html_text(h, ": ");
        html_elem(h, "code", code, NULL);
        html_close(h, "p");
    } else {
        snprintf(action, sizeof action, "%s/new", t->path);
    }
    page_error(&p, err);
    html_open(h, "form", "method", "post", "action", action, "class", "stack", "id", "record-form",
              NULL);
    page_csrf_field(&p);
    if (!code) page_input(&p, T(p.lang, "Code"), "text", "code", str(values, "code"), err);
    page_input(&p, T(p.lang, "Name in English"), "text", "name", str(values, "name"), err);
    page_input(&p, T(p.lang, "Name in Russian"), "text", "name_ru", str(values, "name_ru"), err);
    if (t->kind == FRAMEWORK_ORGANISATION) {
        enum_select(&p, T(p.lang, "Kind"), "kind", FRAMEWORK_ORG_KINDS, str(values, "kind"),
                    kind_label, false, err);
        page_input(&p, T(p.lang, "Parent organisation code (empty for none)"), "text", "parent",
                   str(values, "parent"), err);
        page_input(&p, T(p.lang, "Country code (empty for none)"), "text", "country",
                   str(values, "country"), err);
    } else {
        enum_select(&p, T(p.lang, "Status"), "status", FRAMEWORK_COUNTRY_STATUSES,
                    str(values, "status"), status_label, false, err);
    }
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    page_finish(&p, status);
}

/* The submitted form's members of kind as a JSON object (*out new); the code only when
 * with_code. P_EMEDIA when the body is not a form. */
static int read_form(http_request *req, enum framework_kind kind, bool with_code, json_t **out,
                     p_error *err)
{
    *out = NULL;
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return p_fail(err, P_EMEDIA, NULL, "expected an HTML form");
    if (req->body_too_large) return p_fail(err, P_ETOOBIG, NULL, "the form is too large");
    form f;
    int rc = form_parse(buf_str(&req->body), req->body.len, &f, err);
    if (rc != P_OK) return rc;
    json_t *o = json_object();
    for (const char *const *name = framework_fields(kind); *name; name++) {
        if (!with_code && strcmp(*name, "code") == 0) continue;
        const char *v = form_get(&f, *name);
        if (v) json_object_set_new(o, *name, json_string(v));
    }
    form_free(&f);
    *out = o;
    return P_OK;
}

/* Errors a form shows next to its fields, rather than on an error page. */
static bool is_form_error(int rc)
{
    return rc == P_EINVAL || rc == P_EUNPROC || rc == P_ECONFLICT;
}

static void redirect_to_record(http_request *req, const struct form_target *t, const char *code)
{
    char to[64];
    snprintf(to, sizeof to, "%s/%s", t->path, code);
    http_redirect(req, to);
}

static void create_submit(http_request *req, const struct form_target *t)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *values = NULL, *rec = NULL;
    int rc = read_form(req, t->kind, true, &values, &err);
    if (rc == P_OK) {
        struct actor by = api_actor(req);
        rc = framework_create(s, t->kind, values, &by, &rec, &err);
    }
    if (rc == P_OK) {
        redirect_to_record(req, t, str(rec, "code"));
    } else if (values && is_form_error(rc)) {
        localize_error(req->lang, t->kind, &err);
        form_page(req, t, values, NULL, &err, p_status_http((p_status)rc));
    } else {
        error_page(req, rc, &err);
    }
    json_decref(values);
    json_decref(rec);
}

static void edit_form(http_request *req, const struct form_target *t)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL;
    int rc = framework_get(s, t->kind, http_path_param(req, "code"), &rec, &err);
    if (rc != P_OK)
        error_page(req, rc, &err);
    else
        form_page(req, t, rec, str(rec, "code"), NULL, 200);
    json_decref(rec);
}

static void edit_submit(http_request *req, const struct form_target *t)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *before = NULL, *patch = NULL;
    const char *code = http_path_param(req, "code");
    int rc = framework_get(s, t->kind, code, &before, &err);
    if (rc == P_OK) rc = read_form(req, t->kind, false, &patch, &err);
    if (rc == P_OK) {
        struct actor by = api_actor(req);
        rc = framework_update(s, t->kind, code, patch, &by, NULL, &err);
    }
    if (rc == P_OK) {
        redirect_to_record(req, t, code);
    } else if (patch && is_form_error(rc)) {
        json_object_update(before, patch); /* show what was submitted */
        localize_error(req->lang, t->kind, &err);
        form_page(req, t, before, code, &err, p_status_http((p_status)rc));
    } else {
        error_page(req, rc, &err);
    }
    json_decref(before);
    json_decref(patch);
}

static void organisation_new_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    json_t *empty = json_pack("{s:s}", "kind", "unit");
    form_page(req, &org_target, empty, NULL, NULL, 200);
    json_decref(empty);
}

static void organisation_create_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    create_submit(req, &org_target);
}

static void organisation_edit_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    edit_form(req, &org_target);
}

static void organisation_update_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    edit_submit(req, &org_target);
}

static void country_new_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    json_t *empty = json_pack("{s:s}", "status", "participating");
    form_page(req, &country_target, empty, NULL, NULL, 200);
    json_decref(empty);
}

static void country_create_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    create_submit(req, &country_target);
}

static void country_edit_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    edit_form(req, &country_target);
}

static void country_update_page(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    edit_submit(req, &country_target);
}

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 16},
                                                {0}};
static const struct param_spec org_page_params[] = {
    {.name = "q", .type = PARAM_STRING, .max_len = 100},
    {.name = "kind",
     .type = PARAM_ENUM,
     .enum_values = "|secretariat|unit|institution|"
                    "field_operation|partner|national"},
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255},
    {0}};
static const struct param_spec country_page_params[] = {
    {.name = "q", .type = PARAM_STRING, .max_len = 100},
    {.name = "status", .type = PARAM_ENUM, .enum_values = "|participating|partner"},
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255},
    {0}};

void framework_pages_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/framework", .handler = framework_page},
        {.methods = HTTP_GET,
         .pattern = "/organisations",
         .handler = organisations_page,
         .params = org_page_params},
        {.methods = HTTP_GET, .pattern = "/organisations/new", .handler = organisation_new_page},
        {.methods = HTTP_POST,
         .pattern = "/organisations/new",
         .handler = organisation_create_page},
        {.methods = HTTP_GET,
         .pattern = "/organisations/{code}/edit",
         .handler = organisation_edit_page,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/organisations/{code}/edit",
         .handler = organisation_update_page,
         .params = code_params},
        {.methods = HTTP_GET,
         .pattern = "/organisations/{code}",
         .handler = organisation_detail_page,
         .params = code_params},
        {.methods = HTTP_GET,
         .pattern = "/countries",
         .handler = countries_page,
         .params = country_page_params},
        {.methods = HTTP_GET, .pattern = "/countries/new", .handler = country_new_page},
        {.methods = HTTP_POST, .pattern = "/countries/new", .handler = country_create_page},
        {.methods = HTTP_GET,
         .pattern = "/countries/{code}/edit",
         .handler = country_edit_page,
         .params = code_params},
        {.methods = HTTP_POST,
         .pattern = "/countries/{code}/edit",
         .handler = country_update_page,
         .params = code_params},
        {.methods = HTTP_GET,
         .pattern = "/countries/{code}",
         .handler = country_detail_page,
         .params = code_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
