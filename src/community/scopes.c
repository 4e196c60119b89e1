/* scopes.c (community): where each user works — the areas whose concerns they handle (and
 * the areas below them) and their station. Administrators set them (PERM_USERS_ADMIN); the
 * visibility rules of concerns.c and list.c read them. Audited. */
#include "community/internal.h"

#include "auth/audit.h"
#include "auth/authz.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

enum { SCOPE_AREAS_MAX = 50 };

static int user_id(store *s, const char *login, int64_t *id, p_error *err)
{
    *id = 0;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT id FROM users WHERE login = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, login ? login : "");
    int step = store_step(st, err);
    if (step == STORE_ROW) *id = store_col_int(st, 0);
    store_reset(st);
    if (step < 0) return -step;
    if (!*id) return p_fail(err, P_ENOTFOUND, NULL, "no user %s", login ? login : "");
    return P_OK;
}

int community_scope_get(store *s, const char *login, json_t **out, p_error *err)
{
    *out = NULL;
    int64_t id = 0;
    int rc = user_id(s, login, &id, err);
    if (rc != P_OK) return rc;
    json_t *areas = json_array();
    store_stmt *st;
    rc = store_prepare(s,
                       "SELECT a.code FROM user_areas ua JOIN areas a ON a.id = ua.area_id"
                       " WHERE ua.user_id = ? ORDER BY a.code",
                       &st, err);
    int step = STORE_DONE;
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        while ((step = store_step(st, err)) == STORE_ROW)
            json_array_append_new(areas, json_string(store_col_text(st, 0)));
        store_reset(st);
        if (step < 0) rc = -step;
    }
    json_t *site = json_null();
    if (rc == P_OK)
        rc = store_prepare(s,
                           "SELECT si.code FROM user_sites us JOIN sites si ON si.id = us.site_id"
                           " WHERE us.user_id = ?",
                           &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        step = store_step(st, err);
        if (step == STORE_ROW) site = json_string(store_col_text(st, 0));
        store_reset(st);
        if (step < 0) rc = -step;
    }
    if (rc != P_OK) {
        json_decref(areas);
        json_decref(site);
        return rc;
    }
    *out = json_pack("{s:s, s:o, s:o}", "login", login, "areas", areas, "site", site);
    return P_OK;
}

static int check_scope(json_t *body, p_error *err)
{
    json_t *areas = json_object_get(body, "areas"), *site = json_object_get(body, "site");
    if (!json_is_array(areas) || json_array_size(areas) > SCOPE_AREAS_MAX)
        return p_fail(err, P_EINVAL, "areas", "areas must be an array of at most %d area codes",
                      SCOPE_AREAS_MAX);
    size_t i, j;
    json_t *a;
    json_array_foreach(areas, i, a)
    {
        if (!json_is_string(a) || json_string_length(a) == 0 || json_string_length(a) > 40)
            return p_fail(err, P_EINVAL, "areas", "areas must be an array of area codes");
        for (j = 0; j < i; j++)
            if (json_equal(json_array_get(areas, j), a))
                return p_fail(err, P_EUNPROC, "areas", "areas lists %s twice",
                              json_string_value(a));
    }
    if (site && !json_is_null(site) && (!json_is_string(site) || json_string_length(site) > 40))
        return p_fail(err, P_EINVAL, "site", "site must be a station's code or null");
    return P_OK;
}

int community_scope_set(store *s, const char *login, json_t *body, const struct actor *by,
                        json_t **out, p_error *err)
{
    *out = NULL;
    int rc = check_scope(body, err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    int64_t id = 0;
    json_t *before = NULL, *after = NULL;
    rc = user_id(s, login, &id, err);
    if (rc == P_OK) rc = community_scope_get(s, login, &before, err);
    store_stmt *st;
    static const char *const clear[] = {"DELETE FROM user_areas WHERE user_id = ?",
                                        "DELETE FROM user_sites WHERE user_id = ?"};
    for (int i = 0; rc == P_OK && i < 2; i++) {
        rc = store_prepare(s, clear[i], &st, err);
        if (rc == P_OK) {
            store_bind_int(st, 1, id);
            rc = store_run(st, err);
        }
    }
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(body, "areas"), i, a)
    {
        if (rc == P_OK)
            rc = store_prepare(s,
                               "INSERT INTO user_areas(user_id, area_id) SELECT ?, id FROM areas"
                               " WHERE code = ?",
                               &st, err);
        if (rc != P_OK) break;
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, json_string_value(a));
        rc = store_run(st, err);
        if (rc == P_OK && store_changes(s) == 0)
            rc = p_fail(err, P_EUNPROC, "areas", "no area %s", json_string_value(a));
    }
    const char *site = json_string_value(json_object_get(body, "site"));
    if (rc == P_OK && site) {
        rc = store_prepare(s,
                           "INSERT INTO user_sites(user_id, site_id) SELECT ?, id FROM sites"
                           " WHERE code = ?",
                           &st, err);
        if (rc == P_OK) {
            store_bind_int(st, 1, id);
            store_bind_text(st, 2, site);
            rc = store_run(st, err);
            if (rc == P_OK && store_changes(s) == 0)
                rc = p_fail(err, P_EUNPROC, "site", "no station %s", site);
        }
    }
    if (rc == P_OK) rc = community_scope_get(s, login, &after, err);
    struct audit_entry e = {by->login, "update", "user_scope", login, before, after, by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    json_decref(before);
    if (rc != P_OK) {
        store_rollback(s);
        json_decref(after);
        return rc;
    }
    *out = after;
    return P_OK;
}

static void get_handler(http_request *req)
{
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *out = NULL;
    int rc = community_scope_get(s, http_path_param(req, "login"), &out, &err);
    if (rc != P_OK)
        api_reply_status(req, rc, &err);
    else
        http_reply_json(req, 200, out);
}

static void put_handler(http_request *req)
{
    static const char *const members[] = {"areas", "site", NULL};
    if (!authz_require(req, PERM_USERS_ADMIN, NULL)) return;
    json_t *body = api_object_body(req, members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_scope_set(s, http_path_param(req, "login"), body, &by, &out, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 200, out);
    }
    json_decref(body);
}

static const struct param_spec login_params[] = {
    {.name = "login", .type = PARAM_STRING, .max_len = 64}, {0}};

void community_scopes_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/api/v1/users/{login}/scope",
         .handler = get_handler,
         .params = login_params},
        {.methods = HTTP_PUT,
         .pattern = "/api/v1/users/{login}/scope",
         .handler = put_handler,
         .params = login_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
