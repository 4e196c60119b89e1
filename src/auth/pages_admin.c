/* pages_admin.c (auth): pages for administrators and auditors: the users list with its
 * create form, one user's edit page (role, organisation, disabled, password reset), and
 * the audit trail with filters and keyset paging. */
#include "auth/audit.h"
#include "auth/pages_internal.h"
#include "auth/users.h"
#include "http/response.h"
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USERS_PAGE_SIZE 50
#define AUDIT_PAGE_SIZE 50

static const char *const lang_values[] = {"en", "ru", NULL};
static const char *const lang_labels[] = {"English", "Русский", NULL};

static void write_role_select(struct page *p, const char *selected, const p_error *err)
{
    const char *labels[PAGES_ROLE_COUNT + 1];
    size_t i = 0;
    for (; pages_roles[i]; i++)
        labels[i] = pages_role_label(p->lang, pages_roles[i]);
    labels[i] = NULL;
    pages_select(p, T(p->lang, "Role"), "role", pages_roles, labels, selected, err);
}

/* Puts a refused user form's error in the page's language; the service's messages that
 * embed a value have no catalogue entry, so the common ones are replaced here. */
static void localize_user_error(const char *lang, p_error *err)
{
    if (err->status == P_ECONFLICT && strcmp(err->field, "login") == 0)
        snprintf(err->message, sizeof err->message, "%s", T(lang, "This login is already taken."));
    else if (strcmp(err->field, "org") == 0)
        snprintf(err->message, sizeof err->message, "%s",
                 T(lang, "There is no organisation with this code."));
    else
        pages_localize(lang, err);
}

/* ---- users list and create ----------------------------------------------------- */

/* The values of a refused create form, shown again with its error. */
struct user_form {
    const char *login, *display_name, *role, *org, *lang;
    const p_error *err;
};

static void write_users_table(struct page *p, json_t *items)
{
    html *h = &p->h;
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "id", "users", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Login"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Name"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Role"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Organisation"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Status"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *u;
    json_array_foreach(items, i, u)
    {
        const char *login = json_string_value(json_object_get(u, "login"));
        const char *org = json_string_value(json_object_get(u, "org"));
        char href[100];
        snprintf(href, sizeof href, "/admin/users/%s", login);
        html_open(h, "tr", NULL);
        html_open(h, "td", NULL);
        html_elem(h, "a", login, "href", href, NULL);
        html_close(h, "td");
        html_elem(h, "td", json_string_value(json_object_get(u, "display_name")), NULL);
        html_elem(h, "td", pages_role_label(p->lang, json_string_value(json_object_get(u, "role"))),
                  NULL);
        html_elem(h, "td", org ? org : "—", NULL);
        html_elem(h, "td",
                  json_is_true(json_object_get(u, "disabled")) ? T(p->lang, "Disabled")
                                                               : T(p->lang, "Active"),
                  NULL);
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
}

static void write_create_form(struct page *p, const struct user_form *v)
{
    html *h = &p->h;
    html_elem(h, "h2", T(p->lang, "New user"), "id", "new-user", NULL);
    page_error(p, v->err);
    html_open(h, "form", "method", "post", "action", "/admin/users", "class", "stack", NULL);
    page_csrf_field(p);
    page_input(p, T(p->lang, "Login (a-z, 0-9, . _ -)"), "text", "login", v->login, v->err);
    page_input(p, T(p->lang, "Display name"), "text", "display_name", v->display_name, v->err);
    write_role_select(p, v->role ? v->role : "programme_officer", v->err);
    page_input(p, T(p->lang, "Organisation code (empty for none)"), "text", "org", v->org, v->err);
    pages_select(p, T(p->lang, "Language"), "lang", lang_values, lang_labels, v->lang, v->err);
    page_input(p, T(p->lang, "Password (at least 10 characters)"), "password", "password", "",
               v->err);
    html_elem(h, "button", T(p->lang, "Create user"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
}

static void render_users(http_request *req, int status, const char *cursor,
                         const struct user_form *v)
{
    store *s = pages_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    if (users_list(s, cursor, USERS_PAGE_SIZE, &items, next, &err) != P_OK) {
        pages_fail(req, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Users"));
    html *h = &p.h;
    write_users_table(&p, items);
    json_decref(items);
    if (next[0] || cursor) {
        html_open(h, "nav", "class", "pager", "aria-label", T(p.lang, "Pages"), NULL);
        if (cursor) html_elem(h, "a", T(p.lang, "First page"), "href", "/admin/users", NULL);
        if (next[0]) {
            buf href = BUF_INIT;
            buf_puts(&href, "/admin/users?cursor=");
            pages_urlencode(&href, next);
            html_elem(h, "a", T(p.lang, "Next page"), "href", buf_str(&href), "rel", "next", NULL);
            buf_free(&href);
        }
        html_close(h, "nav");
    }
    write_create_form(&p, v);
    page_finish(&p, status);
}

static void users_list_handler(http_request *req)
{
    if (!page_require(req, PERM_USERS_ADMIN)) return;
    struct user_form v = {0};
    render_users(req, 200, http_query(req, "cursor"), &v);
}

static void users_create_handler(http_request *req)
{
    if (!page_require(req, PERM_USERS_ADMIN)) return;
    form f;
    if (!pages_read_form(req, &f)) return;
    struct user_new u = {.login = form_get(&f, "login"),
                         .role = form_get(&f, "role"),
                         .org = form_get(&f, "org"),
                         .display_name = form_get(&f, "display_name"),
                         .lang = form_get(&f, "lang"),
                         .password = form_get(&f, "password")};
    store *s = pages_store(req);
    if (!s) goto done;
    p_error err;
    p_error_clear(&err);
    struct actor by = {req->who.login, http_client(req)};
    struct user created;
    int rc = users_add(s, &u, &by, &created, &err);
    if (rc == P_OK) {
        char to[120];
        snprintf(to, sizeof to, "/admin/users/%s?done=created", created.login);
        http_redirect(req, to);
    } else if (rc == P_EINVAL || rc == P_EUNPROC || rc == P_ECONFLICT) {
        localize_user_error(req->lang, &err);
        struct user_form v = {u.login, u.display_name, u.role, u.org, u.lang, &err};
        render_users(req, rc == P_ECONFLICT ? 409 : 422, NULL, &v);
    } else {
        pages_fail(req, &err);
    }
done:
    form_free(&f);
}

/* ---- one user -------------------------------------------------------------------- */

/* Loads the user named by the path, or replies a 404 page and returns false. */
static bool load_path_user(http_request *req, store *s, struct user *u)
{
    p_error err;
    p_error_clear(&err);
    const char *login = http_path_param(req, "login");
    int rc = users_check_login(login, &err);
    if (rc == P_OK) rc = users_find(s, login, u, NULL, &err);
    if (rc == P_OK) return true;
    if (rc != P_ESTORE && rc != P_EIO) {
        p_fail(&err, P_ENOTFOUND, NULL, "%s", T(req->lang, "There is no user with this login."));
    }
    pages_fail(req, &err);
    return false;
}

static void write_checkbox(struct page *p, const char *label, const char *name, bool checked)
{
    html *h = &p->h;
    char id[80];
    snprintf(id, sizeof id, "f-%s", name);
    html_open(h, "div", "class", "field check", NULL);
    if (checked)
        html_void(h, "input", "type", "checkbox", "name", name, "id", id, "value", "1", "checked",
                  "checked", NULL);
    else
        html_void(h, "input", "type", "checkbox", "name", name, "id", id, "value", "1", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    html_close(h, "div");
}

static void render_user(http_request *req, int status, const struct user *u, const char *notice,
                        const p_error *err)
{
    struct page p;
    char title[160];
    snprintf(title, sizeof title, "%s: %s", T(req->lang, "User"), u->login);
    page_begin(&p, req, title);
    html *h = &p.h;
    if (notice) pages_notice(&p, notice);
    html_open(h, "dl", "class", "details", NULL);
    html_elem(h, "dt", T(p.lang, "Login"), NULL);
    html_elem(h, "dd", u->login, NULL);
    html_elem(h, "dt", T(p.lang, "Account created"), NULL);
    html_elem(h, "dd", u->created_at, NULL);
    html_elem(h, "dt", T(p.lang, "Last changed"), NULL);
    html_elem(h, "dd", u->updated_at, NULL);
    html_close(h, "dl");
    page_error(&p, err);
    char action[100];
    snprintf(action, sizeof action, "/admin/users/%s", u->login);
    html_open(h, "form", "method", "post", "action", action, "class", "stack", NULL);
    page_csrf_field(&p);
    page_input(&p, T(p.lang, "Display name"), "text", "display_name", u->display_name, err);
    write_role_select(&p, u->role, err);
    page_input(&p, T(p.lang, "Organisation code (empty for none)"), "text", "org", u->org, err);
    pages_select(&p, T(p.lang, "Language"), "lang", lang_values, lang_labels, u->lang, err);
    write_checkbox(&p, T(p.lang, "Disabled (cannot sign in)"), "disabled", u->disabled);
    page_input(&p, T(p.lang, "New password (leave empty to keep the current one)"), "password",
               "password", "", err);
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    html_open(h, "p", NULL);
    snprintf(action, sizeof action, "/admin/users/%s/scope", u->login);
    html_elem(h, "a", T(p.lang, "Areas and station (community policing)"), "href", action, NULL);
    html_close(h, "p");
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "Back to the users"), "href", "/admin/users", NULL);
    html_close(h, "p");
    page_finish(&p, status);
}

static void user_show_handler(http_request *req)
{
    if (!page_require(req, PERM_USERS_ADMIN)) return;
    store *s = pages_store(req);
    struct user u;
    if (!s || !load_path_user(req, s, &u)) return;
    const char *done = http_query(req, "done");
    const char *notice = !done                          ? NULL
                         : strcmp(done, "created") == 0 ? T(req->lang, "The user was created.")
                                                        : T(req->lang, "Your changes were saved.");
    render_user(req, 200, &u, notice, NULL);
}

static void user_update_handler(http_request *req)
{
    if (!page_require(req, PERM_USERS_ADMIN)) return;
    store *s = pages_store(req);
    struct user u;
    if (!s || !load_path_user(req, s, &u)) return;
    form f;
    if (!pages_read_form(req, &f)) return;
    const char *password = form_get(&f, "password");
    struct user_patch patch = {.display_name = form_get(&f, "display_name"),
                               .role = form_get(&f, "role"),
                               .org = form_get(&f, "org"),
                               .lang = form_get(&f, "lang"),
                               .disabled = form_get(&f, "disabled") ? 1 : 0,
                               .password = password && *password ? password : NULL};
    p_error err;
    p_error_clear(&err);
    int rc = P_OK;
    /* An administrator who locks themselves out leaves nobody to undo it. */
    if (strcmp(u.login, req->who.login) == 0 && patch.disabled == 1)
        rc = p_fail(&err, P_EUNPROC, "disabled", "%s",
                    T(req->lang, "You cannot disable your own account."));
    else if (strcmp(u.login, req->who.login) == 0 && patch.role && strcmp(patch.role, "admin") != 0)
        rc = p_fail(&err, P_EUNPROC, "role", "%s",
                    T(req->lang, "You cannot take the administrator role from yourself."));
    struct actor by = {req->who.login, http_client(req)};
    if (rc == P_OK) rc = users_update(s, u.login, &patch, &by, NULL, &err);
    if (rc == P_OK) {
        char to[120];
        snprintf(to, sizeof to, "/admin/users/%s?done=saved", u.login);
        http_redirect(req, to);
    } else if (rc == P_EINVAL || rc == P_EUNPROC) {
        localize_user_error(req->lang, &err);
        render_user(req, 422, &u, NULL, &err);
    } else {
        pages_fail(req, &err);
    }
    form_free(&f);
}

/* ---- audit trail ----------------------------------------------------------------- */

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static void write_audit_filter(struct page *p, const struct audit_filter *f)
{
    html *h = &p->h;
    html_open(h, "form", "method", "get", "action", "/audit", "class", "filters", "role", "search",
              NULL);
    page_input(p, T(p->lang, "Who (login)"), "text", "actor", f->actor, NULL);
    page_input(p, T(p->lang, "Record kind (e.g. user)"), "text", "entity", f->entity, NULL);
    page_input(p, T(p->lang, "Action (e.g. update)"), "text", "action", f->action, NULL);
    html_elem(h, "button", T(p->lang, "Filter"), "type", "submit", NULL);
    html_close(h, "form");
}

static void write_change(html *h, const char *label, json_t *value)
{
    if (!value || json_is_null(value)) return;
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    if (!text) return;
    html_open(h, "p", NULL);
    html_elem(h, "strong", label, NULL);
    html_text(h, " ");
    html_elem(h, "code", text, NULL);
    html_close(h, "p");
    free(text);
}

static void write_audit_row(struct page *p, json_t *e)
{
    html *h = &p->h;
    html_open(h, "tr", NULL);
    html_elem(h, "td", json_string_value(json_object_get(e, "at")), NULL);
    html_elem(h, "td", json_string_value(json_object_get(e, "actor")), NULL);
    html_elem(h, "td", json_string_value(json_object_get(e, "action")), NULL);
    html_open(h, "td", NULL);
    html_text(h, json_string_value(json_object_get(e, "entity")));
    html_text(h, " ");
    html_elem(h, "code", json_string_value(json_object_get(e, "entity_id")), NULL);
    html_close(h, "td");
    html_elem(h, "td", json_string_value(json_object_get(e, "client")), NULL);
    html_open(h, "td", NULL);
    json_t *before = json_object_get(e, "before"), *after = json_object_get(e, "after");
    if ((before && !json_is_null(before)) || (after && !json_is_null(after))) {
        html_open(h, "details", NULL);
        html_elem(h, "summary", T(p->lang, "Changes"), NULL);
        write_change(h, T(p->lang, "Before:"), before);
        write_change(h, T(p->lang, "After:"), after);
        html_close(h, "details");
    }
    html_close(h, "td");
    html_close(h, "tr");
}

static void audit_next_link(struct page *p, const struct audit_filter *f, const char *next)
{
    buf href = BUF_INIT;
    buf_puts(&href, "/audit?");
    const char *names[] = {"actor", "entity", "action"};
    const char *values[] = {f->actor, f->entity, f->action};
    for (int i = 0; i < 3; i++) {
        if (!values[i]) continue;
        buf_printf(&href, "%s=", names[i]);
        pages_urlencode(&href, values[i]);
        buf_putc(&href, '&');
    }
    buf_puts(&href, "cursor=");
    pages_urlencode(&href, next);
    html_open(&p->h, "nav", "class", "pager", "aria-label", T(p->lang, "Pages"), NULL);
    html_elem(&p->h, "a", T(p->lang, "Next page"), "href", buf_str(&href), "rel", "next", NULL);
    html_close(&p->h, "nav");
    buf_free(&href);
}

static void audit_handler(http_request *req)
{
    if (!page_require(req, PERM_AUDIT_READ)) return;
    store *s = pages_store(req);
    if (!s) return;
    struct audit_filter f = {.actor = nonempty(http_query(req, "actor")),
                             .entity = nonempty(http_query(req, "entity")),
                             .action = nonempty(http_query(req, "action")),
                             .cursor = nonempty(http_query(req, "cursor")),
                             .limit = AUDIT_PAGE_SIZE};
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    if (audit_list(s, &f, &items, next, &err) != P_OK) {
        pages_fail(req, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Audit trail"));
    html *h = &p.h;
    write_audit_filter(&p, &f);
    if (json_array_size(items) == 0) {
        html_elem(h, "p", T(p.lang, "No entries match."), NULL);
    } else {
        html_open(h, "div", "class", "table-wrap", NULL);
        html_open(h, "table", "id", "audit", NULL);
        html_open(h, "thead", NULL);
        html_open(h, "tr", NULL);
        static const char *const heads[] = {N_("When (UTC)"), N_("Who"),    N_("Action"),
                                            N_("Record"),     N_("Client"), N_("Details")};
        for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
            html_elem(h, "th", T(p.lang, heads[i]), "scope", "col", NULL);
        html_close(h, "tr");
        html_close(h, "thead");
        html_open(h, "tbody", NULL);
        size_t i;
        json_t *e;
        json_array_foreach(items, i, e) write_audit_row(&p, e);
        html_close(h, "tbody");
        html_close(h, "table");
        html_close(h, "div");
    }
    json_decref(items);
    if (next[0]) audit_next_link(&p, &f, next);
    page_finish(&p, 200);
}

static const struct param_spec users_params[] = {
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255}, {0}};
static const struct param_spec user_params[] = {
    {.name = "login", .type = PARAM_STRING, .max_len = 64},
    {.name = "done", .type = PARAM_ENUM, .enum_values = "created|saved"},
    {0}};
static const struct param_spec audit_params[] = {
    {.name = "actor", .type = PARAM_STRING, .max_len = 64},
    {.name = "entity", .type = PARAM_STRING, .max_len = 40},
    {.name = "action", .type = PARAM_STRING, .max_len = 40},
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255},
    {0}};

void pages_admin_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/admin/users",
         .handler = users_list_handler,
         .params = users_params},
        {.methods = HTTP_POST,
         .pattern = "/admin/users",
         .handler = users_create_handler,
         .body_limit = 8192,
         .name = "POST /admin/users"},
        {.methods = HTTP_GET,
         .pattern = "/admin/users/{login}",
         .handler = user_show_handler,
         .params = user_params},
        {.methods = HTTP_POST,
         .pattern = "/admin/users/{login}",
         .handler = user_update_handler,
         .params = user_params,
         .body_limit = 8192,
         .name = "POST /admin/users/{login}"},
        {.methods = HTTP_GET,
         .pattern = "/audit",
         .handler = audit_handler,
         .params = audit_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
