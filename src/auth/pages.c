/* pages.c (auth): the sign-in and sign-out pages and the helpers every account page
 * shares (pages_internal.h). The login form is protected against login CSRF with a
 * double-submit token, since there is no session yet to hold one. */
#include "auth/pages.h"
#include "auth/authn.h"
#include "auth/login.h"
#include "auth/pages_internal.h"
#include "core/log.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/form_token.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LOGIN_CSRF_COOKIE    "polis_login_csrf"
#define LOGIN_CSRF_MAX_AGE_S 3600L

/* ---- shared helpers ------------------------------------------------------------- */

const char *const pages_roles[PAGES_ROLE_COUNT + 1] = {
    "admin",        "coordinator", "programme_officer", "librarian", "police_officer",
    "forum_member", "case_worker", "provider",          "auditor",   NULL};

const char *pages_role_label(const char *lang, const char *role)
{
    static const struct {
        const char *role, *label;
    } labels[] = {
        {"admin", N_("Administrator")},
        {"coordinator", N_("Co-ordinator")},
        {"programme_officer", N_("Programme officer")},
        {"librarian", N_("Librarian")},
        {"police_officer", N_("Police officer")},
        {"forum_member", N_("Forum member")},
        {"case_worker", N_("Referral case worker")},
        {"provider", N_("Service provider")},
        {"auditor", N_("Auditor")},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(labels[i].role, role) == 0) return T(lang, labels[i].label);
    return role;
}

bool pages_local_path(const char *s)
{
    return s && s[0] == '/' && s[1] != '/' && s[1] != '\\';
}

void pages_urlencode(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.' || *c == '~') {
            buf_putc(b, (char)*c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*c >> 4]);
            buf_putc(b, hex[*c & 15]);
        }
    }
}

void pages_localize(const char *lang, p_error *err)
{
    const char *t = T(lang, err->message);
    if (t != err->message) snprintf(err->message, sizeof err->message, "%s", t);
}

static void error_page(http_request *req, int status, const char *title, const char *message)
{
    struct page p;
    page_begin(&p, req, title);
    html_elem(&p.h, "p", message, "class", "error", "role", "alert", NULL);
    html_open(&p.h, "p", NULL);
    html_elem(&p.h, "a", T(p.lang, "Go to the home page"), "href", "/", NULL);
    html_close(&p.h, "p");
    page_finish(&p, status);
}

bool pages_read_form(http_request *req, form *f)
{
    memset(f, 0, sizeof *f);
    const char *ct = http_header(req, "Content-Type");
    p_error err;
    p_error_clear(&err);
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
        form_parse(buf_str(&req->body), req->body.len, f, &err) == P_OK)
        return true;
    error_page(req, 400, T(req->lang, "The form could not be read"),
               T(req->lang, "The form was not sent as expected. Reload the page and try again."));
    return false;
}

store *pages_store(http_request *req)
{
    p_error err;
    p_error_clear(&err);
    store *s = store_thread(&err);
    if (!s) {
        log_error("request %s: %s", req->request_id, err.message);
        error_page(req, 503, T(req->lang, "Service unavailable"),
                   T(req->lang, "The database is not available. Try again in a moment."));
    }
    return s;
}

void pages_fail(http_request *req, const p_error *err)
{
    int status = p_status_http(err->status);
    if (status >= 500) {
        log_error("request %s: %s", req->request_id, err->message);
        char msg[200];
        snprintf(msg, sizeof msg, "%s %s", T(req->lang, "Something went wrong. Request id:"),
                 req->request_id);
        error_page(req, status, T(req->lang, "Error"), msg);
        return;
    }
    p_error local = *err;
    pages_localize(req->lang, &local);
    const char *title = status == 404   ? T(req->lang, "Not found")
                        : status == 403 ? T(req->lang, "Not allowed")
                                        : T(req->lang, "The request was refused");
    error_page(req, status, title, local.message);
}

void pages_select(struct page *p, const char *label, const char *name, const char *const *values,
                  const char *const *labels, const char *selected, const p_error *err)
{
    html *h = &p->h;
    bool bad = err && err->status != P_OK && strcmp(err->field, name) == 0;
    char id[80], err_id[90];
    snprintf(id, sizeof id, "f-%s", name);
    snprintf(err_id, sizeof err_id, "f-%s-error", name);
    html_open(h, "div", "class", bad ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    if (bad)
        html_open(h, "select", "name", name, "id", id, "aria-invalid", "true", "aria-describedby",
                  err_id, NULL);
    else
        html_open(h, "select", "name", name, "id", id, NULL);
    for (size_t i = 0; values[i]; i++) {
        const char *text = labels ? labels[i] : values[i];
        if (selected && strcmp(selected, values[i]) == 0)
            html_elem(h, "option", text, "value", values[i], "selected", "selected", NULL);
        else
            html_elem(h, "option", text, "value", values[i], NULL);
    }
    html_close(h, "select");
    if (bad) html_elem(h, "p", err->message, "class", "field-error", "id", err_id, NULL);
    html_close(h, "div");
}

void pages_notice(struct page *p, const char *text)
{
    html_elem(&p->h, "p", text, "class", "notice", "role", "status", NULL);
}

void pages_post_button(struct page *p, const char *action, const char *label, const char *confirm)
{
    html *h = &p->h;
    html_open(h, "form", "method", "post", "action", action, "class", "inline", NULL);
    page_csrf_field(p);
    if (confirm)
        html_elem(h, "button", label, "type", "submit", "class", "danger", "data-confirm", confirm,
                  NULL);
    else
        html_elem(h, "button", label, "type", "submit", NULL);
    html_close(h, "form");
}

/* ---- sign-in --------------------------------------------------------------------- */

static void render_login(http_request *req, int status, const char *login, const char *next,
                         const p_error *err)
{
    char token[FORM_TOKEN_HEX + 1];
    form_token_issue(req, LOGIN_CSRF_COOKIE, LOGIN_CSRF_MAX_AGE_S, token);
    struct page p;
    page_begin(&p, req, T(req->lang, "Sign in"));
    html *h = &p.h;
    page_error(&p, err);
    html_open(h, "form", "method", "post", "action", "/login", "class", "stack narrow", NULL);
    html_void(h, "input", "type", "hidden", "name", "login_csrf", "value", token, NULL);
    if (pages_local_path(next))
        html_void(h, "input", "type", "hidden", "name", "next", "value", next, NULL);
    page_input(&p, T(p.lang, "Login"), "text", "login", login, err);
    page_input(&p, T(p.lang, "Password"), "password", "password", "", err);
    html_elem(h, "button", T(p.lang, "Sign in"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    page_finish(&p, status);
}

static void login_show_handler(http_request *req)
{
    const char *next = http_query(req, "next");
    if (req->who.via != AUTH_NONE) {
        http_redirect(req, pages_local_path(next) ? next : "/");
        return;
    }
    render_login(req, 200, "", next, NULL);
}

static void login_submit_handler(http_request *req)
{
    form f;
    if (!pages_read_form(req, &f)) return;
    const char *login = form_get(&f, "login"), *password = form_get(&f, "password");
    const char *next = form_get(&f, "next");
    if (!pages_local_path(next)) next = NULL;
    p_error err;
    p_error_clear(&err);
    if (!form_token_ok(req, LOGIN_CSRF_COOKIE, form_get(&f, "login_csrf"))) {
        p_fail(&err, P_EFORBIDDEN, NULL, "%s",
               T(req->lang, "The sign-in form has expired. Please sign in again."));
        render_login(req, 403, login && strlen(login) <= 64 ? login : "", next, &err);
        goto done;
    }
    if (!login || !*login || text_utf8_len(login, strlen(login)) > 64) {
        p_fail(&err, P_EINVAL, "login", "%s", T(req->lang, "Enter your login."));
        render_login(req, 400, "", next, &err);
        goto done;
    }
    if (!password || !*password || strlen(password) > 1024) {
        p_fail(&err, P_EINVAL, "password", "%s", T(req->lang, "Enter your password."));
        render_login(req, 400, login, next, &err);
        goto done;
    }
    store *s = pages_store(req);
    if (!s) goto done;
    struct login_result res;
    int rc = login_attempt(s, login, password, http_client(req), &res, &err);
    if (rc == P_OK) {
        http_set_cookie(req, SESSION_COOKIE, res.token, -1, true);
        http_set_cookie(req, LOGIN_CSRF_COOKIE, "", 0, true);
        http_redirect(req, next ? next : "/");
    } else if (rc == P_EAUTH) {
        p_fail(&err, P_EAUTH, NULL, "%s", T(req->lang, "Wrong login or password."));
        render_login(req, 401, login, next, &err);
    } else if (rc == P_ELIMIT) {
        char ra[24];
        snprintf(ra, sizeof ra, "%ld", res.retry_after_s);
        http_add_header(req, "Retry-After", ra);
        p_fail(&err, P_ELIMIT, NULL, "%s %ld",
               T(req->lang, "Too many failed sign-ins. Seconds until you may try again:"),
               res.retry_after_s);
        render_login(req, 429, login, next, &err);
    } else {
        pages_fail(req, &err);
    }
    sodium_memzero(&res, sizeof res);
done:
    form_free(&f);
}

static void logout_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    if (req->who.via != AUTH_SESSION) {
        p_error err;
        p_fail(&err, P_EINVAL, NULL, "%s", T(req->lang, "Only a browser session can sign out."));
        pages_fail(req, &err);
        return;
    }
    store *s = pages_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    if (login_end(s, req->who.session_hash, req->who.login, http_client(req), &err) != P_OK) {
        pages_fail(req, &err);
        return;
    }
    http_set_cookie(req, SESSION_COOKIE, "", 0, true);
    http_redirect(req, "/login");
}

static const struct param_spec login_params[] = {
    {.name = "next", .type = PARAM_STRING, .max_len = 600}, {0}};

void auth_pages_register(void)
{
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/login",
                               .handler = login_show_handler,
                               .params = login_params});
    router_add(&(struct route){.methods = HTTP_POST,
                               .pattern = "/login",
                               .handler = login_submit_handler,
                               .body_limit = 8192,
                               .name = "POST /login"});
    router_add(&(struct route){
        .methods = HTTP_POST, .pattern = "/logout", .handler = logout_handler, .body_limit = 1024});
    pages_account_register();
    pages_admin_register();
}
