/* pages_form.c (library): the librarian's forms — a document's create and edit form
 * (values kept as typed, the service's message next to its field), deleting a document,
 * and adding, renaming and deleting editions. Every submit checks the permission and the
 * session's CSRF token again; the service validates as it does for the API. */
#include "auth/authz.h"
#include "core/text.h"
#include "framework/service.h"
#include "http/form.h"
#include "http/response.h"
#include "http/router.h"
#include "library/internal.h"
#include "library/pages.h"
#include "search/analyze.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

static const char *const text_fields[] = {"title",        "subtitle", "series",
                                          "edition_note", "place",    "abstract"};
static const char *const nullable_fields[] = {"published", "authoring_unit"};
static const char *const int_fields[] = {"year", "volume"};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int64_t path_id(http_request *req)
{
    int64_t id = 0;
    (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
    return id;
}

/* The body of a document from a submitted form; *values keeps the strings as typed. */
static json_t *document_from_form(const form *f, json_t **values)
{
    json_t *body = json_object(), *shown = json_object();
    for (size_t i = 0; i < COUNT_OF(text_fields); i++) {
        const char *v = form_get(f, text_fields[i]);
        json_object_set_new(body, text_fields[i], json_string(v ? v : ""));
        json_object_set_new(shown, text_fields[i], json_string(v ? v : ""));
    }
    for (size_t i = 0; i < COUNT_OF(nullable_fields); i++) {
        const char *v = form_get(f, nullable_fields[i]);
        json_object_set_new(body, nullable_fields[i], v && *v ? json_string(v) : json_null());
        json_object_set_new(shown, nullable_fields[i], json_string(v ? v : ""));
    }
    for (size_t i = 0; i < COUNT_OF(int_fields); i++) {
        const char *v = form_get(f, int_fields[i]);
        int64_t n = 0;
        json_object_set_new(shown, int_fields[i], json_string(v ? v : ""));
        if (!v || !*v)
            json_object_set_new(body, int_fields[i], json_null());
        else if (text_parse_int64(v, INT32_MIN, INT32_MAX, &n))
            json_object_set_new(body, int_fields[i], json_integer(n));
        else /* the service names the field: "must be a whole number" */
            json_object_set_new(body, int_fields[i], json_string(v));
    }
    const char *status = form_get(f, "status");
    json_object_set_new(body, "status", json_string(status && *status ? status : "published"));
    json_object_set_new(shown, "status", json_string(status ? status : "published"));
    json_t *pri = json_array();
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, "priorities") == 0 && *f->fields[i].value)
            json_array_append_new(pri, json_string(f->fields[i].value));
    json_object_set_new(body, "priorities", pri);
    json_object_set(shown, "priorities", pri);
    *values = shown;
    return body;
}

/* The form's strings from a stored record. */
static json_t *values_of(json_t *doc)
{
    json_t *v = json_object();
    for (size_t i = 0; i < COUNT_OF(text_fields); i++)
        json_object_set_new(v, text_fields[i], json_string(libp_str(doc, text_fields[i])));
    for (size_t i = 0; i < COUNT_OF(nullable_fields); i++)
        json_object_set_new(v, nullable_fields[i], json_string(libp_str(doc, nullable_fields[i])));
    for (size_t i = 0; i < COUNT_OF(int_fields); i++) {
        json_t *n = json_object_get(doc, int_fields[i]);
        char s[24] = "";
        if (json_is_integer(n)) snprintf(s, sizeof s, "%lld", (long long)json_integer_value(n));
        json_object_set_new(v, int_fields[i], json_string(s));
    }
    json_object_set_new(v, "status", json_string(libp_str(doc, "status")));
    json_object_set(v, "priorities", json_object_get(doc, "priorities"));
    return v;
}

static void textarea(struct page *p, const char *label, const char *name, const char *value,
                     const p_error *err)
{
    html *h = &p->h;
    bool bad = err && err->status != P_OK && strcmp(err->field, name) == 0;
    html_open(h, "div", "class", bad ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", "f-abstract", NULL);
    html_elem(h, "textarea", value, "name", name, "id", "f-abstract", "rows", "6", NULL);
    if (bad) html_elem(h, "p", err->message, "class", "field-error", NULL);
    html_close(h, "div");
}

static void priority_boxes(struct page *p, json_t *priorities, json_t *checked, const p_error *err)
{
    html *h = &p->h;
    bool bad = err && err->status != P_OK && strcmp(err->field, "priorities") == 0;
    html_open(h, "fieldset", "class", bad ? "field invalid" : "field", NULL);
    html_elem(h, "legend", T(p->lang, "Thematic priorities"), NULL);
    size_t i, j;
    json_t *it, *c;
    json_array_foreach(priorities, i, it)
    {
        const char *code = libp_str(it, "code");
        bool on = false;
        json_array_foreach(checked, j, c) on = on || strcmp(json_string_value(c), code) == 0;
        char id[32];
        snprintf(id, sizeof id, "f-pri-%s", code);
        html_open(h, "div", "class", "check", NULL);
        if (on)
            html_void(h, "input", "type", "checkbox", "name", "priorities", "value", code, "id", id,
                      "checked", "", NULL);
        else
            html_void(h, "input", "type", "checkbox", "name", "priorities", "value", code, "id", id,
                      NULL);
        html_elem(h, "label",
                  strcmp(p->lang, "ru") == 0 && *libp_str(it, "name_ru") ? libp_str(it, "name_ru")
                                                                         : libp_str(it, "name"),
                  "for", id, NULL);
        html_close(h, "div");
    }
    if (bad) html_elem(h, "p", err->message, "class", "field-error", NULL);
    html_close(h, "fieldset");
}

/* Whether the form shows name with a place for its error (else the error goes on top). */
static bool form_has_field(const char *name)
{
    static const char *const shown[] = {"title",          "subtitle", "series",    "volume",
                                        "edition_note",   "year",     "published", "place",
                                        "authoring_unit", "abstract", "priorities"};
    for (size_t i = 0; i < COUNT_OF(shown); i++)
        if (strcmp(shown[i], name) == 0) return true;
    return false;
}

/* Puts a refused form's error in the page's language. The service's messages name
 * members and values (document.c), so the common ones get a sentence a reader understands;
 * others stay as they are. */
static void localize_error(const char *lang, p_error *err)
{
    const char *m = err->message, *text = NULL;
    if (strstr(m, " is required"))
        text = T(lang, "This field is required.");
    else if (strstr(m, "must be a whole number"))
        text = T(lang, "Enter a whole number.");
    else if (strcmp(err->field, "year") == 0 && strstr(m, "must be between"))
        text = T(lang, "Enter a year between 1900 and 2100.");
    else if (strcmp(err->field, "volume") == 0 && strstr(m, "must be between"))
        text = T(lang, "Enter a volume from 1 to 9999.");
    else if (strstr(m, "a volume needs a series"))
        text = T(lang, "A volume needs a series.");
    else if (strstr(m, "must be YYYY-MM"))
        text = T(lang, "Enter the month of publication as YYYY-MM.");
    else if (strstr(m, "is not in year"))
        text = T(lang, "The month of publication is not in the year of the document.");
    else if (strstr(m, " is longer than "))
        text = T(lang, "This text is too long.");
    else if (strncmp(m, "organisation ", 13) == 0 && strstr(m, " does not exist"))
        text = T(lang, "There is no organisation with this code.");
    if (text) snprintf(err->message, sizeof err->message, "%s", text);
}

/* The document form at action, filled from values, with err next to its field. */
static void document_form(http_request *req, const char *title, const char *action, json_t *values,
                          const p_error *err, int status)
{
    store *s = api_store(req);
    if (!s) return;
    json_t *priorities = NULL;
    p_error lerr;
    p_error_clear(&lerr);
    if (framework_priorities_list(s, &priorities, &lerr) != P_OK) {
        libp_error_page(req, P_ESTORE, &lerr);
        return;
    }
    p_error shown;
    p_error_clear(&shown);
    if (err) {
        shown = *err;
        localize_error(req->lang, &shown);
        err = &shown;
    }
    struct page p;
    page_begin(&p, req, title);
    if (err && err->status != P_OK && !form_has_field(err->field)) page_error(&p, err);
    html *h = &p.h;
    html_open(h, "form", "method", "post", "action", action, "class", "record-form", NULL);
    page_csrf_field(&p);
    page_input(&p, T(p.lang, "Title"), "text", "title", libp_str(values, "title"), err);
    page_input(&p, T(p.lang, "Subtitle"), "text", "subtitle", libp_str(values, "subtitle"), err);
    page_input(&p, T(p.lang, "Series"), "text", "series", libp_str(values, "series"), err);
    page_input(&p, T(p.lang, "Volume"), "text", "volume", libp_str(values, "volume"), err);
    page_input(&p, T(p.lang, "Edition"), "text", "edition_note", libp_str(values, "edition_note"),
               err);
    page_input(&p, T(p.lang, "Year"), "text", "year", libp_str(values, "year"), err);
    page_input(&p, T(p.lang, "Published (YYYY-MM)"), "text", "published",
               libp_str(values, "published"), err);
    page_input(&p, T(p.lang, "Place"), "text", "place", libp_str(values, "place"), err);
    page_input(&p, T(p.lang, "Authoring unit (organisation code)"), "text", "authoring_unit",
               libp_str(values, "authoring_unit"), err);
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p.lang, "Status"), "for", "f-status", NULL);
    html_open(h, "select", "name", "status", "id", "f-status", NULL);
    bool prep = strcmp(libp_str(values, "status"), "in_preparation") == 0;
    if (prep) {
        html_elem(h, "option", T(p.lang, "Published"), "value", "published", NULL);
        html_elem(h, "option", T(p.lang, "In preparation"), "value", "in_preparation", "selected",
                  "", NULL);
    } else {
        html_elem(h, "option", T(p.lang, "Published"), "value", "published", "selected", "", NULL);
        html_elem(h, "option", T(p.lang, "In preparation"), "value", "in_preparation", NULL);
    }
    html_close(h, "select");
    html_close(h, "div");
    textarea(&p, T(p.lang, "Abstract"), "abstract", libp_str(values, "abstract"), err);
    priority_boxes(&p, priorities, json_object_get(values, "priorities"), err);
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", NULL);
    html_close(h, "form");
    json_decref(priorities);
    page_finish(&p, status);
}

/* Parses the submitted form; on failure replies 400 and returns false. */
static bool read_form(http_request *req, form *f)
{
    p_error err;
    p_error_clear(&err);
    memset(f, 0, sizeof *f);
    if (form_parse(buf_str(&req->body), req->body.len, f, &err) == P_OK) return true;
    libp_error_page(req, P_EINVAL, &err);
    return false;
}

static void redirect_to_document(http_request *req, int64_t id)
{
    char to[64];
    snprintf(to, sizeof to, "/library/documents/%lld", (long long)id);
    http_redirect(req, to);
}

static void new_form(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    json_t *values = json_pack("{s:s, s:[]}", "status", "published", "priorities");
    document_form(req, T(req->lang, "New document"), "/library/documents/new", values, NULL, 200);
    json_decref(values);
}

static void create_submit(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    form f;
    if (!read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        json_t *values = NULL, *body = document_from_form(&f, &values), *rec = NULL;
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = library_document_create(s, body, &by, &rec, &err);
        if (rc == P_OK)
            redirect_to_document(req, json_integer_value(json_object_get(rec, "id")));
        else if (rc == P_EINVAL || rc == P_EUNPROC)
            document_form(req, T(req->lang, "New document"), "/library/documents/new", values, &err,
                          422);
        else
            libp_error_page(req, rc, &err);
        json_decref(rec);
        json_decref(body);
        json_decref(values);
    }
    form_free(&f);
}

static void edit_form(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *doc = NULL;
    int rc = library_document_get(s, path_id(req), &doc, &err);
    if (rc != P_OK) {
        libp_error_page(req, rc, &err);
        return;
    }
    char action[80];
    snprintf(action, sizeof action, "/library/documents/%lld/edit", (long long)path_id(req));
    json_t *values = values_of(doc);
    document_form(req, T(req->lang, "Edit document"), action, values, NULL, 200);
    json_decref(values);
    json_decref(doc);
}

static void edit_submit(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    form f;
    if (!read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        json_t *values = NULL, *body = document_from_form(&f, &values), *rec = NULL;
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = library_document_update(s, path_id(req), body, &by, &rec, &err);
        char action[80];
        snprintf(action, sizeof action, "/library/documents/%lld/edit", (long long)path_id(req));
        if (rc == P_OK)
            redirect_to_document(req, path_id(req));
        else if (rc == P_EINVAL || rc == P_EUNPROC)
            document_form(req, T(req->lang, "Edit document"), action, values, &err, 422);
        else
            libp_error_page(req, rc, &err);
        json_decref(rec);
        json_decref(body);
        json_decref(values);
    }
    form_free(&f);
}

static void delete_submit(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct actor by = api_actor(req);
    json_t *orphans = json_array();
    int rc = library_document_delete(s, path_id(req), &by, orphans, &err);
    if (rc == P_OK) library_remove_orphans(orphans);
    json_decref(orphans);
    if (rc == P_OK)
        http_redirect(req, "/library");
    else
        libp_error_page(req, rc, &err);
}

static void edition_submit(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    form f;
    if (!read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        const char *lang = form_get(&f, "lang");
        const char *title = form_get(&f, "title");
        json_t *body = json_pack("{s:s?}", "title", title && *title ? title : NULL), *rec = NULL;
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = library_edition_put(s, path_id(req), lang ? lang : "", body, &by, &rec, &err);
        if (rc == P_OK)
            redirect_to_document(req, path_id(req));
        else
            libp_error_page(req, rc, &err);
        json_decref(rec);
        json_decref(body);
    }
    form_free(&f);
}

static void edition_delete_submit(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct actor by = api_actor(req);
    json_t *orphans = json_array();
    int rc =
        library_edition_delete(s, path_id(req), http_path_param(req, "lang"), &by, orphans, &err);
    if (rc == P_OK) library_remove_orphans(orphans);
    json_decref(orphans);
    if (rc == P_OK)
        redirect_to_document(req, path_id(req));
    else
        libp_error_page(req, rc, &err);
}

/* ---- pieces of the document page ---------------------------------------------------------- */

/* A form posting to action with one button that asks question first (app.js). */
static void post_button(struct page *p, const char *action, const char *label, const char *question)
{
    html_open(&p->h, "form", "method", "post", "action", action, "class", "inline", NULL);
    page_csrf_field(p);
    html_elem(&p->h, "button", label, "type", "submit", "class", "danger", "data-confirm", question,
              NULL);
    html_close(&p->h, "form");
}

/* A text input with its own id: the document page has two forms with a "title" field. */
static void text_input(struct page *p, const char *label, const char *id, const char *name)
{
    html_open(&p->h, "div", "class", "field", NULL);
    html_elem(&p->h, "label", label, "for", id, NULL);
    html_void(&p->h, "input", "type", "text", "name", name, "id", id, "value", "", NULL);
    html_close(&p->h, "div");
}

static void language_select(struct page *p, const char *id)
{
    html *h = &p->h;
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "Language"), "for", id, NULL);
    html_open(h, "select", "name", "lang", "id", id, NULL);
    for (const char *const *c = search_languages(); *c; c++)
        html_elem(h, "option", libp_language_name(*c), "value", *c, NULL);
    html_close(h, "select");
    html_close(h, "div");
}

void libp_edition_forms(struct page *p, int64_t id, json_t *doc)
{
    html *h = &p->h;
    char action[96];
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "editions"), i, e)
    {
        snprintf(action, sizeof action, "/library/documents/%lld/editions/%s/delete", (long long)id,
                 libp_str(e, "lang"));
        char label[96];
        snprintf(label, sizeof label, "%s: %s", T(p->lang, "Delete edition"),
                 libp_language_name(libp_str(e, "lang")));
        post_button(p, action, label,
                    T(p->lang, "Delete this edition and its file? This cannot be undone."));
    }
    html_elem(h, "h3", T(p->lang, "Upload a file"), NULL);
    snprintf(action, sizeof action, "/library/documents/%lld/upload", (long long)id);
    html_open(h, "form", "method", "post", "action", action, "enctype", "multipart/form-data",
              "class", "record-form", NULL);
    page_csrf_field(p);
    language_select(p, "f-up-lang");
    text_input(p, T(p->lang, "Title in that language (for a new edition)"), "f-up-title", "title");
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "File (PDF, DOCX, HTML or plain text)"), "for", "f-up-file",
              NULL);
    html_void(h, "input", "type", "file", "name", "file", "id", "f-up-file", "required", "",
              "accept", ".pdf,.docx,.html,.htm,.txt", NULL);
    html_close(h, "div");
    html_elem(h, "button", T(p->lang, "Upload"), "type", "submit", NULL);
    html_close(h, "form");
    html_elem(h, "h3", T(p->lang, "Add or rename an edition"), NULL);
    snprintf(action, sizeof action, "/library/documents/%lld/editions", (long long)id);
    html_open(h, "form", "method", "post", "action", action, "class", "record-form", NULL);
    page_csrf_field(p);
    language_select(p, "f-ed-lang");
    text_input(p, T(p->lang, "Title in that language"), "f-ed-title", "title");
    html_elem(h, "button", T(p->lang, "Save edition"), "type", "submit", NULL);
    html_close(h, "form");
}

void libp_document_actions(struct page *p, int64_t id)
{
    html *h = &p->h;
    char href[80];
    snprintf(href, sizeof href, "/library/documents/%lld/edit", (long long)id);
    html_open(h, "p", "class", "actions", NULL);
    html_elem(h, "a", T(p->lang, "Edit"), "href", href, "class", "button", NULL);
    html_close(h, "p");
    snprintf(href, sizeof href, "/library/documents/%lld/delete", (long long)id);
    post_button(p, href, T(p->lang, "Delete document"),
                T(p->lang, "Delete this document, its editions and their files? This cannot be "
                           "undone."));
}

static const struct param_spec id_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};
static const struct param_spec edition_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {.name = "lang", .type = PARAM_ENUM, .enum_values = LIBRARY_LANGS},
    {0}};

void libp_forms_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/library/documents/new", .handler = new_form},
        {.methods = HTTP_POST, .pattern = "/library/documents/new", .handler = create_submit},
        {.methods = HTTP_GET,
         .pattern = "/library/documents/{id}/edit",
         .handler = edit_form,
         .params = id_params},
        {.methods = HTTP_POST,
         .pattern = "/library/documents/{id}/edit",
         .handler = edit_submit,
         .params = id_params},
        {.methods = HTTP_POST,
         .pattern = "/library/documents/{id}/delete",
         .handler = delete_submit,
         .params = id_params},
        {.methods = HTTP_POST,
         .pattern = "/library/documents/{id}/editions",
         .handler = edition_submit,
         .params = id_params},
        {.methods = HTTP_POST,
         .pattern = "/library/documents/{id}/editions/{lang}/delete",
         .handler = edition_delete_submit,
         .params = edition_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
