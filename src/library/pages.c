/* pages.c (library): the search page (a search box, filters, results with highlighted
 * snippets, facet counts and a pager; the catalogue by series when nothing is searched)
 * and the document page (catalogue data, editions with their files, similar documents).
 * Everyone signed in reads; librarians see the editing actions (pages_form.c). */
#include "auth/authz.h"
#include "core/text.h"
#include "framework/service.h"
#include "http/response.h"
#include "http/router.h"
#include "library/internal.h"
#include "library/pages.h"
#include "web/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The library's languages in their own names, for selects and badges. */
static const struct {
    const char *code, *name;
} languages[] = {
    {"en", "English"},    {"ru", "Русский"},    {"sr", "Srpski / Српски"}, {"sq", "Shqip"},
    {"mk", "Македонски"}, {"hy", "Հայերեն"},    {"ar", "العربية"},         {"fr", "Français"},
    {"ro", "Română"},     {"sk", "Slovenčina"},
};

const char *libp_language_name(const char *code)
{
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (strcmp(languages[i].code, code) == 0) return languages[i].name;
    return code;
}

const char *libp_str(json_t *rec, const char *key)
{
    const char *v = json_string_value(json_object_get(rec, key));
    return v ? v : "";
}

bool libp_may_edit(http_request *req)
{
    return req->who.via != AUTH_NONE && authz_role_has(req->who.role, PERM_LIBRARY_EDIT);
}

void libp_error_page(http_request *req, int rc, const p_error *err)
{
    page_refusal(req, rc, err, "/library", T(req->lang, "Library"));
}

static const char *query(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

static const char *const search_names[] = {"q", "lang", "priority", "series", "year"};
#define N_SEARCH (sizeof search_names / sizeof search_names[0])

/* /library with the current search, name set to value (NULL removes it), page set. */
static void search_url(buf *b, http_request *req, const char *name, const char *value, int page)
{
    buf_puts(b, "/library");
    char sep = '?';
    for (size_t i = 0; i < N_SEARCH; i++) {
        const char *v = query(req, search_names[i]);
        if (name && strcmp(name, search_names[i]) == 0) v = value;
        if (!v || !*v) continue;
        buf_putc(b, sep);
        sep = '&';
        buf_puts(b, search_names[i]);
        buf_putc(b, '=');
        buf_url_encode(b, v);
    }
    if (page > 1) {
        buf_putc(b, sep);
        buf_printf(b, "page=%d", page);
    }
}

static void document_link(html *h, int64_t id, const char *text)
{
    char href[64];
    snprintf(href, sizeof href, "/library/documents/%lld", (long long)id);
    html_elem(h, "a", text, "href", href, NULL);
}

/* "SPMU Publication Series, vol. 4 · 2008" */
static void catalogue_line(struct page *p, json_t *rec)
{
    buf b = BUF_INIT;
    const char *series = libp_str(rec, "series");
    if (*series) {
        buf_puts(&b, series);
        json_t *vol = json_object_get(rec, "volume");
        if (json_is_integer(vol))
            buf_printf(&b, ", %s %lld", T(p->lang, "vol."), (long long)json_integer_value(vol));
        buf_puts(&b, " · ");
    }
    buf_printf(&b, "%lld", (long long)json_integer_value(json_object_get(rec, "year")));
    html_elem(&p->h, "p", buf_str(&b), "class", "meta", NULL);
    buf_free(&b);
}

/* ---- the search form ---------------------------------------------------------------------- */

static void search_form(struct page *p, json_t *priorities, const p_error *err)
{
    html *h = &p->h;
    html_open(h, "form", "method", "get", "action", "/library", "class", "filters", "role",
              "search", NULL);
    page_input(p, T(p->lang, "Search the library"), "search", "q", query(p->req, "q"), err);
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "Language"), "for", "f-lang", NULL);
    html_open(h, "select", "name", "lang", "id", "f-lang", NULL);
    html_elem(h, "option", T(p->lang, "All"), "value", "", NULL);
    const char *cur = query(p->req, "lang");
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++) {
        if (cur && strcmp(cur, languages[i].code) == 0)
            html_elem(h, "option", languages[i].name, "value", languages[i].code, "selected", "",
                      NULL);
        else
            html_elem(h, "option", languages[i].name, "value", languages[i].code, NULL);
    }
    html_close(h, "select");
    html_close(h, "div");
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "Thematic priority"), "for", "f-priority", NULL);
    html_open(h, "select", "name", "priority", "id", "f-priority", NULL);
    html_elem(h, "option", T(p->lang, "All"), "value", "", NULL);
    cur = query(p->req, "priority");
    size_t i;
    json_t *it;
    json_array_foreach(priorities, i, it)
    {
        const char *code = libp_str(it, "code");
        const char *name = strcmp(p->lang, "ru") == 0 && *libp_str(it, "name_ru")
                               ? libp_str(it, "name_ru")
                               : libp_str(it, "name");
        if (cur && strcmp(cur, code) == 0)
            html_elem(h, "option", name, "value", code, "selected", "", NULL);
        else
            html_elem(h, "option", name, "value", code, NULL);
    }
    html_close(h, "select");
    html_close(h, "div");
    page_input(p, T(p->lang, "Year"), "number", "year", query(p->req, "year"), err);
    if (query(p->req, "series")) { /* set by a facet link: shown, with a way back */
        html_void(h, "input", "type", "hidden", "name", "series", "value", query(p->req, "series"),
                  NULL);
        buf all = BUF_INIT;
        search_url(&all, p->req, "series", NULL, 1);
        html_open(h, "p", "class", "active-filter", NULL);
        html_textf(h, "%s: %s · ", T(p->lang, "Series"), query(p->req, "series"));
        html_elem(h, "a", T(p->lang, "All series"), "href", buf_str(&all), NULL);
        html_close(h, "p");
        buf_free(&all);
    }
    html_elem(h, "button", T(p->lang, "Search"), "type", "submit", NULL);
    html_close(h, "form");
    html_elem(h, "p",
              T(p->lang, "Words find their other forms (police, policing). Use \"quotes\" for "
                         "a phrase, traffick* for a prefix, and AND, OR, NOT."),
              "class", "hint", NULL);
}

/* ---- results ------------------------------------------------------------------------------ */

static void facet_list(struct page *p, json_t *facets, const char *name, const char *title,
                       json_t *priorities)
{
    json_t *counts = json_object_get(facets, name);
    if (json_object_size(counts) == 0) return;
    html *h = &p->h;
    html_open(h, "section", "class", "facet", NULL);
    html_elem(h, "h3", title, NULL);
    html_open(h, "ul", NULL);
    const char *key;
    json_t *v;
    json_object_foreach(counts, key, v)
    {
        const char *label = key;
        if (strcmp(name, "lang") == 0) label = libp_language_name(key);
        size_t i;
        json_t *it;
        if (priorities)
            json_array_foreach(priorities, i, it) if (strcmp(libp_str(it, "code"), key) == 0)
                label =
                    strcmp(p->lang, "ru") == 0 && *libp_str(it, "name_ru") ? libp_str(it, "name_ru")
                                                                           : libp_str(it, "name");
        buf href = BUF_INIT;
        search_url(&href, p->req, name, key, 1);
        html_open(h, "li", NULL);
        html_elem(h, "a", label, "href", buf_str(&href), NULL);
        html_textf(h, " (%lld)", (long long)json_integer_value(v));
        html_close(h, "li");
        buf_free(&href);
    }
    html_close(h, "ul");
    html_close(h, "section");
}

static void result_item(struct page *p, json_t *it)
{
    html *h = &p->h;
    int64_t doc = json_integer_value(json_object_get(it, "document"));
    const char *lang = libp_str(it, "lang");
    html_open(h, "li", "class", "result", "lang", lang, NULL);
    html_open(h, "h3", NULL);
    document_link(h, doc, libp_str(it, "edition_title"));
    html_close(h, "h3");
    buf b = BUF_INIT;
    buf_puts(&b, libp_language_name(lang));
    if (strcmp(libp_str(it, "edition_title"), libp_str(it, "title")) != 0) {
        buf_puts(&b, " · ");
        buf_puts(&b, libp_str(it, "title"));
    }
    html_elem(h, "p", buf_str(&b), "class", "meta", NULL);
    buf_free(&b);
    catalogue_line(p, it);
    html_open(h, "p", "class", "snippet", NULL);
    html_marked(h, libp_str(it, "snippet"));
    html_close(h, "p");
    if (json_is_true(json_object_get(it, "has_file"))) {
        char href[96];
        snprintf(href, sizeof href, "/api/v1/documents/%lld/editions/%s/file", (long long)doc,
                 lang);
        html_open(h, "p", NULL);
        html_elem(h, "a", T(p->lang, "Download"), "href", href, NULL);
        html_close(h, "p");
    }
    html_close(h, "li");
}

static void results(struct page *p, json_t *out, json_t *priorities)
{
    html *h = &p->h;
    int64_t total = json_integer_value(json_object_get(out, "total"));
    int page = (int)json_integer_value(json_object_get(out, "page"));
    int limit = (int)json_integer_value(json_object_get(out, "limit"));
    html_open(h, "div", "class", "with-facets", NULL);
    html_open(h, "aside", "class", "facets", NULL);
    json_t *facets = json_object_get(out, "facets");
    facet_list(p, facets, "lang", T(p->lang, "Language"), NULL);
    facet_list(p, facets, "priority", T(p->lang, "Thematic priority"), priorities);
    facet_list(p, facets, "series", T(p->lang, "Series"), NULL);
    facet_list(p, facets, "year", T(p->lang, "Year"), NULL);
    html_close(h, "aside");
    html_open(h, "section", "class", "results", NULL);
    html_open(h, "p", "class", "count", "role", "status", NULL);
    html_textf(h, "%s: %lld", T(p->lang, "Results"), (long long)total);
    html_close(h, "p");
    if (total == 0) html_elem(h, "p", T(p->lang, "No documents match."), "class", "empty", NULL);
    html_open(h, "ol", "class", "results", NULL);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(out, "items"), i, it) result_item(p, it);
    html_close(h, "ol");
    html_open(h, "nav", "class", "pager", NULL);
    if (page > 1) {
        buf href = BUF_INIT;
        search_url(&href, p->req, NULL, NULL, page - 1);
        html_elem(h, "a", T(p->lang, "Previous"), "href", buf_str(&href), "rel", "prev", NULL);
        buf_free(&href);
    }
    if ((int64_t)page * limit < total && page < 100) {
        buf href = BUF_INIT;
        search_url(&href, p->req, NULL, NULL, page + 1);
        html_elem(h, "a", T(p->lang, "Next"), "href", buf_str(&href), "rel", "next", NULL);
        buf_free(&href);
    }
    html_close(h, "nav");
    html_close(h, "section");
    html_close(h, "div");
}

/* The catalogue: every document by series and volume, with the filters of the form. */
static void catalogue(struct page *p, store *s, int year)
{
    html *h = &p->h;
    struct library_list_filter f = {.lang = query(p->req, "lang"),
                                    .priority = query(p->req, "priority"),
                                    .series = query(p->req, "series"),
                                    .year = year,
                                    .cursor = query(p->req, "cursor"),
                                    .limit = 50};
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    if (library_document_list(s, &f, &items, next, &err) != P_OK) {
        page_error(p, &err);
        return;
    }
    html_elem(h, "h2", T(p->lang, "Catalogue"), NULL);
    html_open(h, "ul", "class", "catalogue", NULL);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        html_open(h, "li", NULL);
        document_link(h, json_integer_value(json_object_get(it, "id")), libp_str(it, "title"));
        catalogue_line(p, it);
        html_close(h, "li");
    }
    html_close(h, "ul");
    if (next[0]) { /* the next page keeps the filters */
        buf href = BUF_INIT;
        search_url(&href, p->req, NULL, NULL, 1);
        buf_puts(&href, strchr(buf_str(&href), '?') ? "&cursor=" : "?cursor=");
        buf_url_encode(&href, next);
        html_elem(h, "a", T(p->lang, "Next"), "href", buf_str(&href), "rel", "next", NULL);
        buf_free(&href);
    }
    json_decref(items);
}

/* The query parser's messages (search/query.c) in the page's language: "<what> (at
 * character N)" with what translated; a message without a translation stays as it is. */
static void localize_query_error(const char *lang, p_error *err)
{
    if (strcmp(err->field, "q") != 0) return;
    char what[sizeof err->message];
    snprintf(what, sizeof what, "%s", err->message);
    char *at = strstr(what, " (at character ");
    long chars = 0;
    if (at) {
        chars = strtol(at + strlen(" (at character "), NULL, 10);
        *at = '\0';
    }
    const char *text = T(lang, what);
    if (text == what || strcmp(text, what) == 0) return;
    if (at)
        snprintf(err->message, sizeof err->message, "%s (%s %ld)", text, T(lang, "at character"),
                 chars);
    else
        snprintf(err->message, sizeof err->message, "%s", text);
}

static void search_page(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *priorities = NULL;
    if (framework_priorities_list(s, &priorities, &err) != P_OK) {
        libp_error_page(req, P_ESTORE, &err);
        return;
    }
    json_t *out = NULL;
    int rc = P_OK;
    int64_t year = 0;
    if (query(req, "year") && !text_parse_int64(query(req, "year"), 1900, 2100, &year))
        rc = p_fail(&err, P_EINVAL, "year", "%s",
                    T(req->lang, "Enter a year between 1900 and 2100."));
    if (rc == P_OK && query(req, "q")) {
        int64_t page = 1;
        if (query(req, "page")) (void)text_parse_int64(query(req, "page"), 1, 100, &page);
        struct library_query lq = {.q = query(req, "q"),
                                   .lang = query(req, "lang"),
                                   .priority = query(req, "priority"),
                                   .series = query(req, "series"),
                                   .year = (int)year,
                                   .page = (int)page,
                                   .limit = 20};
        char *body = NULL;
        size_t len = 0;
        rc = library_search_json(s, &lq, &body, &len, &err);
        if (rc == P_OK && !(out = json_loadb(body, len, 0, NULL)))
            rc = p_fail(&err, P_EIO, NULL, "cannot read the search result");
        free(body);
        if (rc != P_OK) localize_query_error(req->lang, &err);
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Library"));
    if (libp_may_edit(req)) {
        html_open(&p.h, "p", "class", "actions", NULL);
        html_elem(&p.h, "a", T(p.lang, "New document"), "href", "/library/documents/new", "class",
                  "button", NULL);
        html_close(&p.h, "p");
    }
    search_form(&p, priorities, rc == P_OK ? NULL : &err);
    /* q and year show their error next to the box; others (lang, priority) above */
    if (rc != P_OK && strcmp(err.field, "q") != 0 && strcmp(err.field, "year") != 0)
        page_error(&p, &err);
    if (out)
        results(&p, out, priorities);
    else if (rc == P_OK)
        catalogue(&p, s, (int)year);
    json_decref(out);
    json_decref(priorities);
    page_finish(&p, rc == P_OK ? 200 : p_status_http((p_status)rc));
}

/* ---- the document page -------------------------------------------------------------------- */

static void dl_row(html *h, const char *term, const char *value)
{
    if (!value || !*value) return;
    html_elem(h, "dt", term, NULL);
    html_elem(h, "dd", value, NULL);
}

static const char *text_status_label(const char *lang, const char *status)
{
    if (strcmp(status, "extracted") == 0) return T(lang, "Searchable");
    if (strcmp(status, "pending") == 0) return T(lang, "Text being extracted");
    if (strcmp(status, "unavailable") == 0) return T(lang, "Text unavailable");
    return T(lang, "No file");
}

static void editions_table(struct page *p, json_t *doc)
{
    html *h = &p->h;
    int64_t id = json_integer_value(json_object_get(doc, "id"));
    html_elem(h, "h2", T(p->lang, "Editions"), NULL);
    html_open(h, "table", "class", "editions", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Language"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Title"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "File"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Text"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "editions"), i, e)
    {
        const char *lang = libp_str(e, "lang");
        html_open(h, "tr", NULL);
        html_elem(h, "td", libp_language_name(lang), NULL);
        html_elem(h, "td", libp_str(e, "title"), "lang", lang, NULL);
        html_open(h, "td", NULL);
        json_t *file = json_object_get(e, "file");
        if (json_is_object(file)) {
            html_elem(h, "a", libp_str(file, "name"), "href", libp_str(file, "url"), "download", "",
                      NULL);
            html_textf(h, " (%s, %lld KB)", libp_str(file, "type"),
                       (long long)(json_integer_value(json_object_get(file, "size")) + 1023) /
                           1024);
        } else {
            html_text(h, "—");
        }
        html_close(h, "td");
        html_open(h, "td", NULL);
        html_text(h, text_status_label(p->lang, libp_str(e, "text")));
        if (libp_may_edit(p->req) && *libp_str(e, "text_error")) {
            html_text(h, ": ");
            html_text(h, libp_str(e, "text_error"));
        }
        html_close(h, "td");
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    if (libp_may_edit(p->req)) libp_edition_forms(p, id, doc);
}

static void similar_list(struct page *p, store *s, int64_t id)
{
    json_t *items = NULL;
    p_error err;
    p_error_clear(&err);
    if (library_similar(s, id, 5, &items, &err) != P_OK || json_array_size(items) == 0) {
        json_decref(items);
        return;
    }
    html *h = &p->h;
    html_open(h, "section", "class", "similar", NULL);
    html_elem(h, "h2", T(p->lang, "Similar documents"), NULL);
    html_open(h, "ul", NULL);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        html_open(h, "li", NULL);
        document_link(h, json_integer_value(json_object_get(it, "id")), libp_str(it, "title"));
        html_close(h, "li");
    }
    html_close(h, "ul");
    html_close(h, "section");
    json_decref(items);
}

static void document_page(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    store *s = api_store(req);
    if (!s) return;
    int64_t id = 0;
    (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
    p_error err;
    p_error_clear(&err);
    json_t *doc = NULL;
    int rc = library_document_get(s, id, &doc, &err);
    if (rc != P_OK) {
        libp_error_page(req, rc, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, libp_str(doc, "title"));
    html *h = &p.h;
    if (*libp_str(doc, "subtitle"))
        html_elem(h, "p", libp_str(doc, "subtitle"), "class", "subtitle", NULL);
    html_open(h, "dl", "class", "record", NULL);
    dl_row(h, T(p.lang, "Series"), libp_str(doc, "series"));
    json_t *vol = json_object_get(doc, "volume");
    char num[32];
    if (json_is_integer(vol)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(vol));
        dl_row(h, T(p.lang, "Volume"), num);
    }
    dl_row(h, T(p.lang, "Edition"), libp_str(doc, "edition_note"));
    snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(doc, "year")));
    dl_row(h, T(p.lang, "Year"), num);
    dl_row(h, T(p.lang, "Published"), libp_str(doc, "published"));
    dl_row(h, T(p.lang, "Place"), libp_str(doc, "place"));
    dl_row(h, T(p.lang, "Authoring unit"), libp_str(doc, "authoring_unit"));
    dl_row(h, T(p.lang, "Status"),
           strcmp(libp_str(doc, "status"), "in_preparation") == 0 ? T(p.lang, "In preparation")
                                                                  : T(p.lang, "Published"));
    html_close(h, "dl");
    if (*libp_str(doc, "abstract"))
        html_elem(h, "p", libp_str(doc, "abstract"), "class", "abstract", NULL);
    editions_table(&p, doc);
    similar_list(&p, s, id);
    if (libp_may_edit(req)) libp_document_actions(&p, id);
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "Library"), "href", "/library", NULL);
    html_close(h, "p");
    json_decref(doc);
    page_finish(&p, 200);
}

static const struct param_spec search_params[] = {
    {.name = "q", .type = PARAM_STRING, .max_len = 512},
    {.name = "lang", .type = PARAM_STRING, .max_len = 2},
    {.name = "priority", .type = PARAM_STRING, .max_len = 16},
    {.name = "series", .type = PARAM_STRING, .max_len = 120},
    {.name = "year", .type = PARAM_STRING, .max_len = 4},
    {.name = "page", .type = PARAM_STRING, .max_len = 3},
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255},
    {0}};
static const struct param_spec doc_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};

void library_pages_register(void)
{
    libp_forms_register(); /* first: /library/documents/new precedes /library/documents/{id} */
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/library",
         .handler = search_page,
         .params = search_params},
        {.methods = HTTP_GET,
         .pattern = "/library/documents/{id}",
         .handler = document_page,
         .params = doc_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
