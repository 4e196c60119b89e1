/* pages_admin_forum.c (community): who belongs where — a forum's administration page (its
 * members, added by name with an optional user login, and the areas it covers) for
 * co-ordinators and administrators, and a user's areas and station for administrators —
 * and the form helpers these pages and the setup page (pages_admin.c) share. The forms call
 * the service functions the API calls (community_forum_add_member, community_forum_set_areas,
 * community_scope_set) under the same permissions. */
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
#include <strings.h>

#define ADMIN_PATH "/admin/community"

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* ---- form helpers shared with pages_admin.c ------------------------------------------------- */

static bool about(const p_error *err, const char *name)
{
    return err && err->status != P_OK && strcmp(err->field, name) == 0;
}

/* The opening of a labelled field: its <div> and <label>; fills id and err_id. */
static void field_open(struct page *p, const char *form_id, const char *label, const char *name,
                       bool bad, char id[static 96], char err_id[static 104])
{
    snprintf(id, 96, "f-%s-%s", form_id, name);
    snprintf(err_id, 104, "%s-error", id);
    html_open(&p->h, "div", "class", bad ? "field invalid" : "field", NULL);
    html_elem(&p->h, "label", label, "for", id, NULL);
}

static void field_close(struct page *p, const p_error *err, bool bad, const char *err_id)
{
    if (bad) html_elem(&p->h, "p", err->message, "class", "field-error", "id", err_id, NULL);
    html_close(&p->h, "div");
}

void community_admin_input(struct page *p, const char *form_id, const char *label, const char *type,
                           const char *name, const char *value, const p_error *err)
{
    bool bad = about(err, name);
    char id[96], err_id[104];
    field_open(p, form_id, label, name, bad, id, err_id);
    if (bad)
        html_void(&p->h, "input", "type", type, "name", name, "id", id, "value", value ? value : "",
                  "aria-invalid", "true", "aria-describedby", err_id, NULL);
    else
        html_void(&p->h, "input", "type", type, "name", name, "id", id, "value", value ? value : "",
                  NULL);
    field_close(p, err, bad, err_id);
}

void community_admin_select(struct page *p, const char *form_id, const char *label,
                            const char *name, json_t *options, const char *none,
                            const char *selected, const p_error *err)
{
    bool bad = about(err, name);
    char id[96], err_id[104];
    field_open(p, form_id, label, name, bad, id, err_id);
    html *h = &p->h;
    if (bad)
        html_open(h, "select", "name", name, "id", id, "aria-invalid", "true", "aria-describedby",
                  err_id, NULL);
    else
        html_open(h, "select", "name", name, "id", id, NULL);
    if (none) html_elem(h, "option", none, "value", "", NULL);
    size_t i;
    json_t *o;
    json_array_foreach(options, i, o)
    {
        const char *code = str(o, "code");
        char text[200];
        if (*str(o, "label"))
            snprintf(text, sizeof text, "%s", str(o, "label"));
        else if (strcmp(p->lang, "ru") == 0 && *str(o, "name_ru"))
            snprintf(text, sizeof text, "%s (%s)", str(o, "name_ru"), code);
        else if (*str(o, "name"))
            snprintf(text, sizeof text, "%s (%s)", str(o, "name"), code);
        else
            snprintf(text, sizeof text, "%s", code);
        if (selected && strcmp(selected, code) == 0)
            html_elem(h, "option", text, "value", code, "selected", "selected", NULL);
        else
            html_elem(h, "option", text, "value", code, NULL);
    }
    html_close(h, "select");
    field_close(p, err, bad, err_id);
}

void community_admin_area_checks(struct page *p, const char *form_id, const char *legend,
                                 json_t *areas, json_t *chosen, const p_error *err)
{
    html *h = &p->h;
    bool bad = about(err, "areas");
    html_open(h, "fieldset", "class", bad ? "field invalid" : "field", "id", form_id, NULL);
    html_elem(h, "legend", legend, NULL);
    size_t i, j;
    json_t *a, *c;
    json_array_foreach(areas, i, a)
    {
        const char *code = str(a, "code");
        bool on = false;
        json_array_foreach(chosen, j, c) on = on || strcmp(json_string_value(c), code) == 0;
        char id[96], text[200];
        snprintf(id, sizeof id, "f-%s-%s", form_id, code);
        snprintf(text, sizeof text, "%s (%s)",
                 strcmp(p->lang, "ru") == 0 && *str(a, "name_ru") ? str(a, "name_ru")
                                                                  : str(a, "name"),
                 code);
        html_open(h, "div", "class", "field check", NULL);
        if (on)
            html_void(h, "input", "type", "checkbox", "name", "areas", "value", code, "id", id,
                      "checked", "checked", NULL);
        else
            html_void(h, "input", "type", "checkbox", "name", "areas", "value", code, "id", id,
                      NULL);
        html_elem(h, "label", text, "for", id, NULL);
        html_close(h, "div");
    }
    if (bad) html_elem(h, "p", err->message, "class", "field-error", NULL);
    html_close(h, "fieldset");
}

void community_admin_localize(const char *lang, p_error *err)
{
    const char *m = err->message, *f = err->field, *text = NULL;
    if (err->status == P_ECONFLICT && strcmp(f, "code") == 0)
        text = T(lang, "A record with this code already exists.");
    else if (strstr(m, " is required"))
        text = T(lang, "This field is required.");
    else if (strstr(m, " is longer than "))
        text = T(lang, "This text is too long.");
    else if (strcmp(f, "due_days") == 0)
        text = T(lang, "Enter a number of days from 1 to 365.");
    else if (strcmp(f, "code") == 0 && strstr(m, "a-z, 0-9 and _"))
        text = T(lang, "A service's code is 1 to 40 small letters, digits and _.");
    else if (strstr(m, "must be a code"))
        text = T(lang, "A code is at most 40 letters, digits, - and _.");
    else if (strstr(m, "must be one of"))
        text = T(lang, "Choose one of the options.");
    else if (strstr(m, "a country has no parent"))
        text = T(lang, "A country is not inside another area.");
    else if (strstr(m, "needs its parent area"))
        text = T(lang, "Choose the area this one is part of.");
    else if (strstr(m, "the parent of a"))
        text = T(lang, "The area it is part of must be one level above it.");
    else if (strcmp(f, "name") == 0 && strstr(m, "1 to 120"))
        text = T(lang, "Enter a name of 1 to 120 characters.");
    else if (strcmp(f, "user") == 0 && strncmp(m, "no user ", 8) == 0)
        text = T(lang, "There is no user with this login.");
    else if (strncmp(m, "no ", 3) == 0 && f[0])
        text = T(lang, "There is no record with this code.");
    if (text) snprintf(err->message, sizeof err->message, "%s", text);
}

bool community_admin_read_form(http_request *req, form *f)
{
    memset(f, 0, sizeof *f);
    const char *ct = http_header(req, "Content-Type");
    p_error err;
    p_error_clear(&err);
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
        form_parse(buf_str(&req->body), req->body.len, f, &err) == P_OK)
        return true;
    if (err.status == P_OK)
        p_fail(&err, P_EINVAL, NULL, "%s",
               T(req->lang, "The form was not sent as expected. Reload the page and try again."));
    page_refusal(req, P_EINVAL, &err, ADMIN_PATH, T(req->lang, "Community setup"));
    return false;
}

/* The values of the "areas" checkboxes of a form, as an array of codes. */
static json_t *areas_of(const form *f)
{
    json_t *out = json_array();
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, "areas") == 0)
            json_array_append_new(out, json_string(f->fields[i].value));
    return out;
}

/* What a refused form brings back: which form ("member" or "areas"), its values, the error. */
struct refused {
    const char *form_id;
    const form *values;
    const p_error *err;
};

static const char *value_for(const struct refused *r, const char *form_id, const char *name)
{
    const char *v = r && strcmp(r->form_id, form_id) == 0 ? form_get(r->values, name) : NULL;
    return v ? v : "";
}

static const p_error *err_for(const struct refused *r, const char *form_id)
{
    return r && strcmp(r->form_id, form_id) == 0 ? r->err : NULL;
}

/* ---- a forum ----------------------------------------------------------------------------- */

/* The forum's current members, each with a button that records that they left. */
static void members_table(struct page *p, const char *code, json_t *members)
{
    html *h = &p->h;
    if (json_array_size(members) == 0) {
        html_elem(h, "p", T(p->lang, "No members yet."), NULL);
        return;
    }
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "id", "members-list", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Name"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Role in the forum"), "scope", "col", NULL);
    html_elem(h, "th", "", "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *m;
    json_array_foreach(members, i, m)
    {
        html_open(h, "tr", NULL);
        html_elem(h, "td", str(m, "name"), NULL);
        html_elem(h, "td", *str(m, "role") ? str(m, "role") : "—", NULL);
        html_open(h, "td", NULL);
        char action[160];
        snprintf(action, sizeof action, ADMIN_PATH "/forums/%s/members/%lld/remove#members", code,
                 (long long)json_integer_value(json_object_get(m, "id")));
        html_open(h, "form", "method", "post", "action", action, "class", "inline", NULL);
        page_csrf_field(p);
        html_elem(h, "button", T(p->lang, "Remove"), "type", "submit", "class", "danger",
                  "data-confirm",
                  T(p->lang, "Remove this member? They stay in past meetings and lose the forum's "
                             "pages."),
                  NULL);
        html_close(h, "form");
        html_close(h, "td");
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
}

static void forum_page(http_request *req, const struct refused *r, int status)
{
    store *s = api_store(req);
    if (!s) return;
    const char *code = http_path_param(req, "code");
    p_error err;
    p_error_clear(&err);
    json_t *forum = NULL, *areas = NULL, *chosen = NULL;
    int rc = community_forum_get(s, code, &forum, &err);
    if (rc == P_OK) rc = community_places(s, "area", &areas, &err);
    if (rc != P_OK) {
        page_refusal(req, rc, &err, ADMIN_PATH "#forums", T(req->lang, "Community setup"));
        goto done;
    }
    struct page p;
    char title[200];
    snprintf(title, sizeof title, "%s: %s", T(req->lang, "Forum"),
             strcmp(req->lang, "ru") == 0 && *str(forum, "name_ru") ? str(forum, "name_ru")
                                                                    : str(forum, "name"));
    page_begin(&p, req, title);
    html *h = &p.h;
    const char *done = r ? NULL : http_query(req, "done");
    if (done)
        html_elem(h, "p",
                  strcmp(done, "member") == 0    ? T(p.lang, "The member was added.")
                  : strcmp(done, "removed") == 0 ? T(p.lang, "The member was removed.")
                                                 : T(p.lang, "Your changes were saved."),
                  "class", "notice", "role", "status", NULL);
    if (r) page_error(&p, r->err);
    char href[96], action[112];
    snprintf(href, sizeof href, "/forums/%s", code);
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "The forum's agenda and meetings"), "href", href, NULL);
    html_text(h, " · ");
    html_elem(h, "a", T(p.lang, "Back to community setup"), "href", ADMIN_PATH "#forums", NULL);
    html_close(h, "p");

    html_open(h, "section", "id", "members", "class", "admin-section", NULL);
    html_elem(h, "h2", T(p.lang, "Members"), NULL);
    members_table(&p, code, json_object_get(forum, "members"));
    const p_error *merr = err_for(r, "member");
    html_elem(h, "h3", T(p.lang, "Add a member"), NULL);
    snprintf(action, sizeof action, ADMIN_PATH "/forums/%s/members#members", code);
    html_open(h, "form", "method", "post", "action", action, "class", "stack", "id", "member",
              NULL);
    page_csrf_field(&p);
    community_admin_input(&p, "member", T(p.lang, "Name"), "text", "name",
                          value_for(r, "member", "name"), merr);
    community_admin_input(&p, "member", T(p.lang, "Role in the forum"), "text", "role",
                          value_for(r, "member", "role"), merr);
    community_admin_input(&p, "member", T(p.lang, "User login (optional: links a Polis account)"),
                          "text", "user", value_for(r, "member", "user"), merr);
    html_elem(h, "button", T(p.lang, "Add"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    html_close(h, "section");

    html_open(h, "section", "id", "areas", "class", "admin-section", NULL);
    html_elem(h, "h2", T(p.lang, "Areas the forum covers"), NULL);
    snprintf(action, sizeof action, ADMIN_PATH "/forums/%s/areas#areas", code);
    html_open(h, "form", "method", "post", "action", action, "class", "stack", NULL);
    page_csrf_field(&p);
    if (r && strcmp(r->form_id, "areas") == 0) {
        chosen = areas_of(r->values);
    } else {
        chosen = json_array();
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(forum, "areas"), i, a)
            json_array_append(chosen, json_object_get(a, "code"));
    }
    community_admin_area_checks(&p, "forum-areas", T(p.lang, "Areas"), areas, chosen,
                                err_for(r, "areas"));
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    html_close(h, "section");
    page_finish(&p, status);
done:
    json_decref(forum);
    json_decref(areas);
    json_decref(chosen);
}

static void forum_show(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    forum_page(req, NULL, 200);
}

/* After a service call: 303 to to on success, page() with the form's values and error on a
 * refusal the form can fix, an error page otherwise. */
static void answer(http_request *req, int rc, p_error *err, const struct refused *r, const char *to,
                   void (*page)(http_request *, const struct refused *, int))
{
    if (rc == P_OK) {
        http_redirect(req, to);
    } else if (rc == P_EINVAL || rc == P_EUNPROC || rc == P_ECONFLICT) {
        community_admin_localize(req->lang, err);
        page(req, r, rc == P_ECONFLICT ? 409 : 422);
    } else {
        page_refusal(req, rc, err, ADMIN_PATH, T(req->lang, "Community setup"));
    }
}

static void member_submit(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        const char *code = http_path_param(req, "code"), *name = form_get(&f, "name"),
                   *role = form_get(&f, "role"), *user = form_get(&f, "user");
        json_t *body = json_pack("{s:s, s:s}", "name", name ? name : "", "role", role ? role : "");
        if (user && *user) json_object_set_new(body, "user", json_string(user));
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_forum_add_member(s, code, body, &by, &out, &err);
        char to[112];
        snprintf(to, sizeof to, ADMIN_PATH "/forums/%s?done=member#members", code);
        struct refused r = {"member", &f, &err};
        answer(req, rc, &err, &r, to, forum_page);
        json_decref(out);
        json_decref(body);
    }
    form_free(&f);
}

static void member_remove(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        const char *code = http_path_param(req, "code");
        int64_t id = 0;
        (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = community_forum_remove_member(s, code, id, &by, &err);
        char to[112];
        snprintf(to, sizeof to, ADMIN_PATH "/forums/%s?done=removed#members", code);
        answer(req, rc, &err, NULL, to, forum_page);
    }
    form_free(&f);
}

static void areas_submit(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        const char *code = http_path_param(req, "code");
        json_t *areas = areas_of(&f);
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = community_forum_set_areas(s, code, areas, &by, &err);
        char to[112];
        snprintf(to, sizeof to, ADMIN_PATH "/forums/%s?done=areas#areas", code);
        struct refused r = {"areas", &f, &err};
        answer(req, rc, &err, &r, to, forum_page);
        json_decref(areas);
    }
    form_free(&f);
}

/* ---- a user's areas and station ------------------------------------------------------------ */

static void scope_page(http_request *req, const struct refused *r, int status)
{
    store *s = api_store(req);
    if (!s) return;
    const char *login = http_path_param(req, "login");
    p_error err;
    p_error_clear(&err);
    json_t *scope = NULL, *areas = NULL, *sites = NULL, *chosen = NULL;
    int rc = community_scope_get(s, login, &scope, &err);
    if (rc == P_ENOTFOUND)
        p_fail(&err, P_ENOTFOUND, NULL, "%s", T(req->lang, "There is no user with this login."));
    if (rc == P_OK) rc = community_places(s, "area", &areas, &err);
    if (rc == P_OK) rc = community_places(s, "site", &sites, &err);
    if (rc != P_OK) {
        page_refusal(req, rc, &err, "/admin/users", T(req->lang, "Back to the users"));
        goto done;
    }
    struct page p;
    char title[160], back[100], action[120];
    snprintf(title, sizeof title, "%s: %s", T(req->lang, "Areas and station"), login);
    page_begin(&p, req, title);
    html *h = &p.h;
    if (!r && http_query(req, "done"))
        html_elem(h, "p", T(p.lang, "Your changes were saved."), "class", "notice", "role",
                  "status", NULL);
    if (r) page_error(&p, r->err);
    html_elem(h, "p",
              T(p.lang, "An officer handles the concerns of these areas (and of the areas inside "
                        "them) and of this station."),
              NULL);
    snprintf(action, sizeof action, "/admin/users/%s/scope", login);
    html_open(h, "form", "method", "post", "action", action, "class", "stack", "id", "scope", NULL);
    page_csrf_field(&p);
    if (r) {
        chosen = areas_of(r->values);
    } else {
        chosen = json_incref(json_object_get(scope, "areas"));
    }
    community_admin_area_checks(&p, "scope-areas", T(p.lang, "Areas"), areas, chosen,
                                r ? r->err : NULL);
    const char *site = r ? value_for(r, "scope", "site") : str(scope, "site");
    community_admin_select(&p, "scope", T(p.lang, "Station"), "site", sites, T(p.lang, "(none)"),
                           site, r ? r->err : NULL);
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    snprintf(back, sizeof back, "/admin/users/%s", login);
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "Back to the user"), "href", back, NULL);
    html_close(h, "p");
    page_finish(&p, status);
done:
    json_decref(scope);
    json_decref(areas);
    json_decref(sites);
    json_decref(chosen);
}

/* True when the path names a well-formed login (it goes into links); else replies 404. */
static bool path_login_ok(http_request *req)
{
    p_error err;
    p_error_clear(&err);
    if (users_check_login(http_path_param(req, "login"), &err) == P_OK) return true;
    p_fail(&err, P_ENOTFOUND, NULL, "%s", T(req->lang, "There is no user with this login."));
    page_refusal(req, P_ENOTFOUND, &err, "/admin/users", T(req->lang, "Back to the users"));
    return false;
}

static void scope_show(http_request *req)
{
    if (!page_require(req, PERM_USERS_ADMIN) || !path_login_ok(req)) return;
    scope_page(req, NULL, 200);
}

static void scope_submit(http_request *req)
{
    if (!page_require(req, PERM_USERS_ADMIN) || !path_login_ok(req)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        const char *login = http_path_param(req, "login"), *site = form_get(&f, "site");
        json_t *body = json_pack("{s:o, s:o}", "areas", areas_of(&f), "site",
                                 site && *site ? json_string(site) : json_null());
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_scope_set(s, login, body, &by, &out, &err);
        if (rc == P_ENOTFOUND)
            p_fail(&err, P_ENOTFOUND, NULL, "%s",
                   T(req->lang, "There is no user with this login."));
        char to[120];
        snprintf(to, sizeof to, "/admin/users/%s/scope?done=saved", login);
        struct refused r = {"scope", &f, &err};
        answer(req, rc, &err, &r, to, scope_page);
        json_decref(out);
        json_decref(body);
    }
    form_free(&f);
}

static const struct param_spec forum_params[] = {
    {.name = "code", .type = PARAM_CODE, .max_len = 40},
    {.name = "done", .type = PARAM_ENUM, .enum_values = "member|removed|areas"},
    {0}};
static const struct param_spec member_params[] = {
    {.name = "code", .type = PARAM_CODE, .max_len = 40},
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {0}};
static const struct param_spec scope_params[] = {
    {.name = "login", .type = PARAM_STRING, .max_len = 64},
    {.name = "done", .type = PARAM_ENUM, .enum_values = "saved"},
    {0}};

void community_admin_forum_pages_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = ADMIN_PATH "/forums/{code}",
         .handler = forum_show,
         .params = forum_params},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/forums/{code}/members",
         .handler = member_submit,
         .params = forum_params,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/forums/{code}/members/{id}/remove",
         .handler = member_remove,
         .params = member_params,
         .body_limit = 4096},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/forums/{code}/areas",
         .handler = areas_submit,
         .params = forum_params,
         .body_limit = 16384},
        {.methods = HTTP_GET,
         .pattern = "/admin/users/{login}/scope",
         .handler = scope_show,
         .params = scope_params},
        {.methods = HTTP_POST,
         .pattern = "/admin/users/{login}/scope",
         .handler = scope_submit,
         .params = scope_params,
         .body_limit = 16384},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
