/* api.c (auth): handlers for accounts, sessions, tokens and the audit trail. Each one
 * checks permission through authz_require before touching anything. */
#include "auth/api.h"
#include "auth/audit.h"
#include "auth/authz.h"
#include "auth/login.h"
#include "auth/password.h"
#include "auth/session.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static json_t *principal_json(const principal *p)
{
    return json_pack("{s:s, s:s, s:o, s:s}", "login", p->login, "role", p->role, "org",
                     p->org[0] ? json_string(p->org) : json_null(), "lang", p->lang);
}

static void session_create_handler(http_request *req)
{
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    const char *login = NULL, *password = NULL;
    static const char *const allowed[] = {"login", "password", NULL};
    int rc = api_only_fields(body, allowed, &err);
    if (rc == P_OK) rc = api_get_string(body, "login", 64, &login, &err);
    if (rc == P_OK) rc = api_get_string(body, "password", 1024, &password, &err);
    if (rc == P_OK && !login) rc = p_fail(&err, P_EINVAL, "login", "login is required");
    if (rc == P_OK && !password) rc = p_fail(&err, P_EINVAL, "password", "password is required");
    store *s = rc == P_OK ? api_store(req) : NULL;
    if (rc != P_OK) {
        http_reply_error(req, &err);
    } else if (s) {
        struct login_result res;
        rc = login_attempt(s, login, password, http_client(req), &res, &err);
        if (rc == P_OK) {
            http_set_cookie(req, SESSION_COOKIE, res.token, -1, true);
            json_t *user = users_to_json(&res.user);
            http_reply_json(req, 200, json_pack("{s:o, s:s}", "user", user, "csrf", res.csrf));
        } else {
            if (rc == P_ELIMIT) {
                char ra[24];
                snprintf(ra, sizeof ra, "%ld", res.retry_after_s);
                http_add_header(req, "Retry-After", ra);
            }
            api_reply_status(req, rc, &err);
        }
        sodium_memzero(&res, sizeof res);
    }
    json_decref(body);
}

static void session_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    json_t *out = json_pack("{s:o, s:s}", "user", principal_json(&req->who), "via",
                            req->who.via == AUTH_SESSION ? "session" : "token");
    if (req->who.via == AUTH_SESSION) json_object_set_new(out, "csrf", json_string(req->who.csrf));
    http_reply_json(req, 200, out);
}

static void session_delete_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    if (req->who.via != AUTH_SESSION) {
        http_reply_fail(req, P_EINVAL, NULL, "this request is not signed in with a session cookie");
        return;
    }
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    int rc = login_end(s, req->who.session_hash, req->who.login, http_client(req), &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_set_cookie(req, SESSION_COOKIE, "", 0, true);
    http_reply_empty(req);
}

static int read_patch(json_t *body, struct user_patch *p, bool admin, p_error *err)
{
    static const char *const admin_fields[] = {
        "role", "org", "display_name", "lang", "disabled", "password", NULL};
    static const char *const self_fields[] = {"display_name", "lang", "password",
                                              "current_password", NULL};
    memset(p, 0, sizeof *p);
    p->disabled = -1;
    int rc = api_only_fields(body, admin ? admin_fields : self_fields, err);
    if (rc == P_OK) rc = api_get_string(body, "role", 24, &p->role, err);
    if (rc == P_OK) rc = api_get_string(body, "org", 16, &p->org, err);
    if (rc == P_OK) rc = api_get_string(body, "display_name", 128, &p->display_name, err);
    if (rc == P_OK) rc = api_get_string(body, "lang", 2, &p->lang, err);
    if (rc == P_OK) rc = api_get_string(body, "password", 1024, &p->password, err);
    json_t *d = json_object_get(body, "disabled");
    if (rc == P_OK && d) {
        if (!json_is_boolean(d))
            return p_fail(err, P_EINVAL, "disabled", "disabled must be true or false");
        p->disabled = json_is_true(d);
    }
    if (rc == P_OK && admin && json_object_get(body, "org") &&
        json_is_null(json_object_get(body, "org")))
        p->org = "";
    return rc;
}

static void account_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct user u;
    int rc = users_get(s, req->who.user_id, &u, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_json(req, 200, users_to_json(&u));
}

static void account_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    json_t *body = http_json_body(req);
    if (!body) return;
    store *s = api_store(req);
    p_error err;
    p_error_clear(&err);
    struct user_patch patch;
    int rc = s ? read_patch(body, &patch, false, &err) : P_EUNAVAIL;
    if (s && rc == P_OK && patch.password) {
        /* Changing one's own password needs the current one: a stolen session alone is not enough.
         */
        const char *current = NULL;
        char hash[PASSWORD_HASH_MAX];
        struct user u;
        rc = api_get_string(body, "current_password", 1024, &current, &err);
        if (rc == P_OK && !current)
            rc = p_fail(&err, P_EUNPROC, "current_password",
                        "current_password is required to change the password");
        if (rc == P_OK) rc = users_find(s, req->who.login, &u, hash, &err);
        if (rc == P_OK && !password_verify(hash, current))
            rc = p_fail(&err, P_EUNPROC, "current_password", "current password is wrong");
        sodium_memzero(hash, sizeof hash);
    }
    struct user out;
    struct actor by = api_actor(req);
    if (s && rc == P_OK) rc = users_update(s, req->who.login, &patch, &by, &out, &err);
    if (!s) {
        /* api_store replied */
    } else if (rc != P_OK) {
        api_reply_status(req, rc, &err);
    } else {
        http_reply_json(req, 200, users_to_json(&out));
    }
    json_decref(body);
}

static void users_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = users_list(s, http_query(req, "cursor"), api_limit(req), &items, next, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    api_reply_page(req, items, next);
}

static void users_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    struct user_new u = {0};
    static const char *const allowed[] = {"login", "role",     "org", "display_name",
                                          "lang",  "password", NULL};
    int rc = api_only_fields(body, allowed, &err);
    if (rc == P_OK) rc = api_get_string(body, "login", 64, &u.login, &err);
    if (rc == P_OK) rc = api_get_string(body, "role", 24, &u.role, &err);
    if (rc == P_OK) rc = api_get_string(body, "org", 16, &u.org, &err);
    if (rc == P_OK) rc = api_get_string(body, "display_name", 128, &u.display_name, &err);
    if (rc == P_OK) rc = api_get_string(body, "lang", 2, &u.lang, &err);
    if (rc == P_OK) rc = api_get_string(body, "password", 1024, &u.password, &err);
    if (rc == P_OK && !u.login) rc = p_fail(&err, P_EUNPROC, "login", "login is required");
    if (rc == P_OK && !u.password) rc = p_fail(&err, P_EUNPROC, "password", "password is required");
    store *s = rc == P_OK ? api_store(req) : NULL;
    struct user created;
    struct actor by = api_actor(req);
    if (rc != P_OK) {
        http_reply_error(req, &err);
    } else if (s) {
        rc = users_add(s, &u, &by, &created, &err);
        if (rc == P_OK) {
            char loc[128];
            snprintf(loc, sizeof loc, "/api/v1/users/%s", created.login);
            http_add_header(req, "Location", loc);
            http_reply_json(req, 201, users_to_json(&created));
        } else {
            api_reply_status(req, rc, &err);
        }
    }
    json_decref(body);
}

static void users_show_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct user u;
    int rc = users_find(s, http_path_param(req, "login"), &u, NULL, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_json(req, 200, users_to_json(&u));
}

static void users_update_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    struct user_patch patch;
    int rc = read_patch(body, &patch, true, &err);
    store *s = rc == P_OK ? api_store(req) : NULL;
    struct user out;
    struct actor by = api_actor(req);
    if (rc != P_OK) {
        http_reply_error(req, &err);
    } else if (s) {
        rc = users_update(s, http_path_param(req, "login"), &patch, &by, &out, &err);
        if (rc == P_OK)
            http_reply_json(req, 200, users_to_json(&out));
        else
            api_reply_status(req, rc, &err);
    }
    json_decref(body);
}

static void tokens_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    bool all = authz_role_has(req->who.role, PERM_USERS_ADMIN) && http_query(req, "all");
    int rc = token_list(s, all ? NULL : req->who.login, &items, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    api_reply_page(req, items, NULL);
}

static void tokens_create_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    json_t *body = http_json_body(req);
    if (!body) return;
    p_error err;
    p_error_clear(&err);
    const char *name = NULL;
    static const char *const allowed[] = {"name", NULL};
    int rc = api_only_fields(body, allowed, &err);
    if (rc == P_OK) rc = api_get_string(body, "name", 100, &name, &err);
    store *s = rc == P_OK ? api_store(req) : NULL;
    if (rc != P_OK) {
        http_reply_error(req, &err);
    } else if (s) {
        char token[SECRET_TEXT_MAX];
        int64_t id = 0;
        struct actor by = api_actor(req);
        rc = token_create(s, req->who.login, name, &by, token, &id, &err);
        if (rc == P_OK)
            http_reply_json(req, 201,
                            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name",
                                      name ? name : "", "token", token));
        else
            api_reply_status(req, rc, &err);
        sodium_memzero(token, sizeof token);
    }
    json_decref(body);
}

static void tokens_revoke_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    int64_t id = 0;
    if (!text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id)) {
        http_reply_fail(req, P_ENOTFOUND, "id", "no such token");
        return;
    }
    bool admin = authz_role_has(req->who.role, PERM_USERS_ADMIN);
    struct actor by = api_actor(req);
    int rc = token_revoke(s, id, admin ? NULL : req->who.login, &by, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    http_reply_empty(req);
}

static void audit_list_handler(http_request *req)
{
    if (!authz_require(req, PERM_AUDIT_READ, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct audit_filter f = {
        .actor = http_query(req, "actor"),
        .entity = http_query(req, "entity"),
        .entity_id = http_query(req, "entity_id"),
        .action = http_query(req, "action"),
        .from = http_query(req, "from"),
        .to = http_query(req, "to"),
        .cursor = http_query(req, "cursor"),
        .limit = api_limit(req),
    };
    json_t *items = NULL;
    char next[CURSOR_MAX];
    int rc = audit_list(s, &f, &items, next, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    api_reply_page(req, items, next);
}

static const struct param_spec page_params[] = {API_PAGE_PARAMS, {0}};
/* Logins may contain '.', which PARAM_CODE refuses; users_find matches them exactly. */
static const struct param_spec user_params[] = {
    {.name = "login", .type = PARAM_STRING, .max_len = 64}, {0}};
static const struct param_spec token_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {.name = "all", .type = PARAM_ENUM, .enum_values = "1|true"},
    {0}};
static const struct param_spec audit_params[] = {
    API_PAGE_PARAMS,
    {.name = "actor", .type = PARAM_STRING, .max_len = 64},
    {.name = "entity", .type = PARAM_CODE, .max_len = 40},
    {.name = "entity_id", .type = PARAM_STRING, .max_len = 100},
    {.name = "action", .type = PARAM_CODE, .max_len = 40},
    {.name = "from", .type = PARAM_TIME, .max_len = 20},
    {.name = "to", .type = PARAM_TIME, .max_len = 20},
    {0}};

void auth_api_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_POST, .pattern = "/api/v1/session", .handler = session_create_handler},
        {.methods = HTTP_GET, .pattern = "/api/v1/session", .handler = session_show_handler},
        {.methods = HTTP_DELETE, .pattern = "/api/v1/session", .handler = session_delete_handler},
        {.methods = HTTP_GET, .pattern = "/api/v1/account", .handler = account_show_handler},
        {.methods = HTTP_PATCH, .pattern = "/api/v1/account", .handler = account_update_handler},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/users",
         .handler = users_list_handler,
         .params = page_params},
        {.methods = HTTP_POST, .pattern = "/api/v1/users", .handler = users_create_handler},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/users/{login}",
         .handler = users_show_handler,
         .params = user_params},
        {.methods = HTTP_PATCH,
         .pattern = "/api/v1/users/{login}",
         .handler = users_update_handler,
         .params = user_params},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/tokens",
         .handler = tokens_list_handler,
         .params = token_params},
        {.methods = HTTP_POST, .pattern = "/api/v1/tokens", .handler = tokens_create_handler},
        {.methods = HTTP_DELETE,
         .pattern = "/api/v1/tokens/{id}",
         .handler = tokens_revoke_handler,
         .params = token_params},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/audit",
         .handler = audit_list_handler,
         .params = audit_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
