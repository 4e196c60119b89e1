/* pages_account.c (auth): the signed-in user's own account page: details, display name
 * and language, password change, and personal API tokens (a new token is shown once, on
 * the page that answers its creation). */
#include "auth/authn.h"
#include "auth/login.h"
#include "auth/pages_internal.h"
#include "auth/password.h"
#include "auth/throttle.h"
#include "core/config.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* What the account page shows besides the stored data: values and errors of a form that
 * was refused, a token just created, a notice after a redirect. */
struct account_view {
    const char *display_name, *lang; /* the profile form's values when it was refused */
    const p_error *profile_err, *password_err, *token_err;
    const char *new_token, *new_token_name;
    const char *notice;
};

static const char *const lang_values[] = {"en", "ru", NULL};
static const char *const lang_labels[] = {"English", "Русский", NULL};

static void write_details(struct page *p, const struct user *u)
{
    html *h = &p->h;
    html_open(h, "dl", "class", "details", NULL);
    html_elem(h, "dt", T(p->lang, "Login"), NULL);
    html_elem(h, "dd", u->login, NULL);
    html_elem(h, "dt", T(p->lang, "Name"), NULL);
    html_elem(h, "dd", u->display_name, NULL);
    html_elem(h, "dt", T(p->lang, "Role"), NULL);
    html_elem(h, "dd", pages_role_label(p->lang, u->role), NULL);
    html_elem(h, "dt", T(p->lang, "Organisation"), NULL);
    html_elem(h, "dd", u->org[0] ? u->org : "—", NULL);
    html_elem(h, "dt", T(p->lang, "Account created"), NULL);
    html_elem(h, "dd", u->created_at, NULL);
    html_close(h, "dl");
}

static void write_profile_form(struct page *p, const struct user *u, const struct account_view *v)
{
    html *h = &p->h;
    html_elem(h, "h2", T(p->lang, "Name and language"), "id", "profile", NULL);
    page_error(p, v->profile_err);
    html_open(h, "form", "method", "post", "action", "/account", "class", "stack", NULL);
    page_csrf_field(p);
    page_input(p, T(p->lang, "Display name"), "text", "display_name",
               v->display_name ? v->display_name : u->display_name, v->profile_err);
    pages_select(p, T(p->lang, "Language"), "lang", lang_values, lang_labels,
                 v->lang ? v->lang : u->lang, v->profile_err);
    html_elem(h, "button", T(p->lang, "Save"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
}

static void write_password_form(struct page *p, const struct account_view *v)
{
    html *h = &p->h;
    html_elem(h, "h2", T(p->lang, "Change password"), "id", "password", NULL);
    page_error(p, v->password_err);
    html_open(h, "form", "method", "post", "action", "/account/password", "class", "stack", NULL);
    page_csrf_field(p);
    page_input(p, T(p->lang, "Current password"), "password", "current_password", "",
               v->password_err);
    page_input(p, T(p->lang, "New password (at least 10 characters)"), "password", "new_password",
               "", v->password_err);
    page_input(p, T(p->lang, "Repeat the new password"), "password", "new_password_repeat", "",
               v->password_err);
    html_elem(h, "button", T(p->lang, "Change password"), "type", "submit", "class", "primary",
              NULL);
    html_close(h, "form");
}

static void write_token_row(struct page *p, json_t *t)
{
    html *h = &p->h;
    bool revoked = json_is_true(json_object_get(t, "revoked"));
    const char *name = json_string_value(json_object_get(t, "name"));
    html_open(h, "tr", NULL);
    html_elem(h, "td", name && *name ? name : "—", NULL);
    html_elem(h, "td", json_string_value(json_object_get(t, "created_at")), NULL);
    html_elem(h, "td", revoked ? T(p->lang, "Revoked") : T(p->lang, "Active"), NULL);
    html_open(h, "td", NULL);
    if (!revoked) {
        char action[80];
        snprintf(action, sizeof action, "/account/tokens/%lld/revoke",
                 (long long)json_integer_value(json_object_get(t, "id")));
        pages_post_button(p, action, T(p->lang, "Revoke"),
                          T(p->lang, "Revoke this token? Programs using it will stop working."));
    }
    html_close(h, "td");
    html_close(h, "tr");
}

static void write_tokens(struct page *p, json_t *tokens, const struct account_view *v)
{
    html *h = &p->h;
    html_elem(h, "h2", T(p->lang, "API tokens"), "id", "tokens", NULL);
    html_elem(h, "p",
              T(p->lang, "Programs use an API token to act on your behalf through the JSON API."),
              NULL);
    if (v->new_token) {
        html_open(h, "div", "class", "token-once", "role", "status", NULL);
        html_elem(h, "p",
                  T(p->lang, "Your new token is below. Copy it now: it will not be shown again."),
                  NULL);
        html_elem(h, "code", v->new_token, "id", "new-token", NULL);
        html_close(h, "div");
    }
    if (json_array_size(tokens) > 0) {
        html_open(h, "div", "class", "table-wrap", NULL);
        html_open(h, "table", NULL);
        html_open(h, "thead", NULL);
        html_open(h, "tr", NULL);
        html_elem(h, "th", T(p->lang, "Name"), "scope", "col", NULL);
        html_elem(h, "th", T(p->lang, "Created"), "scope", "col", NULL);
        html_elem(h, "th", T(p->lang, "Status"), "scope", "col", NULL);
        html_elem(h, "th", T(p->lang, "Actions"), "scope", "col", NULL);
        html_close(h, "tr");
        html_close(h, "thead");
        html_open(h, "tbody", NULL);
        size_t i;
        json_t *t;
        json_array_foreach(tokens, i, t) write_token_row(p, t);
        html_close(h, "tbody");
        html_close(h, "table");
        html_close(h, "div");
    } else {
        html_elem(h, "p", T(p->lang, "You have no API tokens."), NULL);
    }
    page_error(p, v->token_err);
    html_open(h, "form", "method", "post", "action", "/account/tokens", "class", "stack", NULL);
    page_csrf_field(p);
    page_input(p, T(p->lang, "Token name (what it is for)"), "text", "name",
               v->new_token ? "" : v->new_token_name, v->token_err);
    html_elem(h, "button", T(p->lang, "Create token"), "type", "submit", NULL);
    html_close(h, "form");
}

static void render_account(http_request *req, int status, const struct account_view *v)
{
    store *s = pages_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct user u;
    json_t *tokens = NULL;
    int rc = users_get(s, req->who.user_id, &u, &err);
    if (rc == P_OK) rc = token_list(s, u.login, &tokens, &err);
    if (rc != P_OK) {
        pages_fail(req, &err);
        return;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Your account"));
    if (v->notice) pages_notice(&p, v->notice);
    write_details(&p, &u);
    write_profile_form(&p, &u, v);
    write_password_form(&p, v);
    write_tokens(&p, tokens, v);
    json_decref(tokens);
    page_finish(&p, status);
}

static void account_show_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    const char *done = http_query(req, "done");
    struct account_view v = {0};
    if (done && strcmp(done, "profile") == 0) v.notice = T(req->lang, "Your changes were saved.");
    if (done && strcmp(done, "password") == 0)
        v.notice = T(req->lang, "Your password was changed.");
    if (done && strcmp(done, "revoked") == 0) v.notice = T(req->lang, "The token was revoked.");
    render_account(req, 200, &v);
}

/* Status for a refused form: validation errors are the user's to fix (422 or 409); others
 * are not about the form and go to pages_fail. */
static bool is_form_error(int rc)
{
    return rc == P_EINVAL || rc == P_EUNPROC || rc == P_ECONFLICT;
}

static void account_update_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    form f;
    if (!pages_read_form(req, &f)) return;
    struct user_patch patch = {
        .display_name = form_get(&f, "display_name"), .lang = form_get(&f, "lang"), .disabled = -1};
    store *s = pages_store(req);
    p_error err;
    p_error_clear(&err);
    struct actor by = {req->who.login, http_client(req)};
    int rc = s ? users_update(s, req->who.login, &patch, &by, NULL, &err) : P_EUNAVAIL;
    if (!s) {
        /* pages_store replied */
    } else if (rc == P_OK) {
        /* The language cookie outranks the account setting, so it follows the change. */
        if (patch.lang) http_set_cookie(req, LANG_COOKIE, patch.lang, 365L * 86400, false);
        http_redirect(req, "/account?done=profile");
    } else if (is_form_error(rc)) {
        pages_localize(req->lang, &err);
        struct account_view v = {
            .display_name = patch.display_name, .lang = patch.lang, .profile_err = &err};
        render_account(req, 422, &v);
    } else {
        pages_fail(req, &err);
    }
    form_free(&f);
}

/* Checks the current password, counting wrong ones like failed sign-ins so that a
 * borrowed session cannot be used to guess it. */
static int check_current_password(store *s, const char *login, const char *password, p_error *err)
{
    const struct polis_config *cfg = config_get();
    char key[96];
    long retry_after_s = 0;
    snprintf(key, sizeof key, "login:%.80s", login);
    int rc = throttle_check(s, key, cfg->login_max_per_account, cfg->login_window_s, &retry_after_s,
                            err);
    if (rc != P_OK) return rc;
    struct user u;
    char hash[PASSWORD_HASH_MAX];
    rc = users_find(s, login, &u, hash, err);
    if (rc != P_OK) return rc;
    bool ok = password && password_verify(hash, password);
    sodium_memzero(hash, sizeof hash);
    if (ok) return P_OK;
    rc = throttle_fail(s, key, cfg->login_window_s, err);
    if (rc != P_OK) return rc;
    return p_fail(err, P_EUNPROC, "current_password", "current password is wrong");
}

static void password_change_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    form f;
    if (!pages_read_form(req, &f)) return;
    const char *current = form_get(&f, "current_password");
    const char *fresh = form_get(&f, "new_password"), *repeat = form_get(&f, "new_password_repeat");
    p_error err;
    p_error_clear(&err);
    int rc = P_OK;
    if (!fresh || !*fresh)
        rc = p_fail(&err, P_EUNPROC, "new_password", "%s", T(req->lang, "Enter the new password."));
    else if (!repeat || strcmp(fresh, repeat) != 0)
        rc = p_fail(&err, P_EUNPROC, "new_password_repeat", "%s",
                    T(req->lang, "The two new passwords are not the same."));
    store *s = pages_store(req);
    if (!s) goto done;
    if (rc == P_OK) rc = check_current_password(s, req->who.login, current, &err);
    struct actor by = {req->who.login, http_client(req)};
    struct user_patch patch = {.disabled = -1, .password = fresh};
    if (rc == P_OK) {
        rc = users_update(s, req->who.login, &patch, &by, NULL, &err);
        if (rc != P_OK && strcmp(err.field, "password") == 0)
            snprintf(err.field, sizeof err.field, "new_password");
    }
    if (rc == P_OK) {
        /* A new password ends every session, this one too: sign in again with it. */
        struct login_result res;
        char login[sizeof req->who.login];
        snprintf(login, sizeof login, "%s", req->who.login);
        if (login_attempt(s, login, fresh, http_client(req), &res, &err) == P_OK) {
            http_set_cookie(req, SESSION_COOKIE, res.token, -1, true);
            http_redirect(req, "/account?done=password");
        } else {
            http_redirect(req, "/login?next=/account");
        }
        sodium_memzero(&res, sizeof res);
    } else if (is_form_error(rc) || rc == P_ELIMIT) {
        pages_localize(req->lang, &err);
        struct account_view v = {.password_err = &err};
        render_account(req, rc == P_ELIMIT ? 429 : 422, &v);
    } else {
        pages_fail(req, &err);
    }
done:
    form_free(&f);
}

static void token_create_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    form f;
    if (!pages_read_form(req, &f)) return;
    const char *name = form_get(&f, "name");
    store *s = pages_store(req);
    if (!s) goto done;
    p_error err;
    p_error_clear(&err);
    int rc = P_OK;
    if (name && text_utf8_len(name, strlen(name)) > 100)
        rc = p_fail(&err, P_EUNPROC, "name", "%s",
                    T(req->lang, "The name is longer than 100 characters."));
    char token[SECRET_TEXT_MAX] = "";
    int64_t id = 0;
    struct actor by = {req->who.login, http_client(req)};
    if (rc == P_OK) rc = token_create(s, req->who.login, name, &by, token, &id, &err);
    if (rc == P_OK) {
        struct account_view v = {.new_token = token, .new_token_name = name};
        render_account(req, 201, &v);
    } else if (is_form_error(rc)) {
        pages_localize(req->lang, &err);
        struct account_view v = {.token_err = &err, .new_token_name = name};
        render_account(req, 422, &v);
    } else {
        pages_fail(req, &err);
    }
    sodium_memzero(token, sizeof token);
done:
    form_free(&f);
}

static void token_revoke_handler(http_request *req)
{
    if (!page_require(req, PERM_SIGNED_IN)) return;
    int64_t id = 0;
    p_error err;
    p_error_clear(&err);
    if (!text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id)) {
        p_fail(&err, P_ENOTFOUND, "id", "%s", T(req->lang, "There is no such token."));
        pages_fail(req, &err);
        return;
    }
    store *s = pages_store(req);
    if (!s) return;
    struct actor by = {req->who.login, http_client(req)};
    if (token_revoke(s, id, req->who.login, &by, &err) != P_OK) {
        if (err.status == P_ENOTFOUND)
            snprintf(err.message, sizeof err.message, "%s",
                     T(req->lang, "There is no such token."));
        pages_fail(req, &err);
        return;
    }
    http_redirect(req, "/account?done=revoked");
}

static const struct param_spec account_params[] = {
    {.name = "done", .type = PARAM_ENUM, .enum_values = "profile|password|revoked"}, {0}};
static const struct param_spec token_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};

void pages_account_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/account",
         .handler = account_show_handler,
         .params = account_params},
        {.methods = HTTP_POST,
         .pattern = "/account",
         .handler = account_update_handler,
         .body_limit = 4096,
         .name = "POST /account"},
        {.methods = HTTP_POST,
         .pattern = "/account/password",
         .handler = password_change_handler,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = "/account/tokens",
         .handler = token_create_handler,
         .body_limit = 4096},
        {.methods = HTTP_POST,
         .pattern = "/account/tokens/{id}/revoke",
         .handler = token_revoke_handler,
         .params = token_params,
         .body_limit = 1024},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
