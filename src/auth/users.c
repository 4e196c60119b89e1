/* users.c: the users table. */
#include "auth/users.h"
#include "auth/audit.h"
#include "auth/password.h"
#include "core/text.h"
#include "framework/framework.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

const char USERS_ROLES[] = "admin|coordinator|programme_officer|librarian|police_officer|"
                           "forum_member|case_worker|provider|auditor";

bool users_role_valid(const char *role)
{
    if (!role || !*role || strchr(role, '|')) return false;
    size_t n = strlen(role);
    for (const char *p = USERS_ROLES; p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, role, n) == 0) return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

int users_check_login(const char *login, p_error *err)
{
    size_t n = login ? strlen(login) : 0;
    if (n < 3 || n > 64)
        return p_fail(err, P_EUNPROC, "login", "login must have 3 to 64 characters");
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (i > 0 && (c == '.' || c == '_' || c == '-'));
        if (!ok)
            return p_fail(
                err, P_EUNPROC, "login",
                "login may use a-z, 0-9, '.', '_' and '-' and must start with a letter or digit");
    }
    return P_OK;
}

static int check_fields(store *s, const char *role, const char *org, const char *display_name,
                        const char *lang, p_error *err)
{
    if (role && !users_role_valid(role))
        return p_fail(err, P_EUNPROC, "role", "role must be one of: %s", USERS_ROLES);
    if (org && *org) {
        bool exists = false;
        int rc = framework_organisation_exists(s, org, &exists, err);
        if (rc != P_OK) return rc;
        if (!exists) return p_fail(err, P_EUNPROC, "org", "no organisation has code '%s'", org);
    }
    if (display_name && (!text_utf8_valid(display_name, strlen(display_name)) ||
                         text_utf8_len(display_name, strlen(display_name)) > 128))
        return p_fail(err, P_EUNPROC, "display_name",
                      "display name must be UTF-8 of at most 128 characters");
    if (lang && strcmp(lang, "en") != 0 && strcmp(lang, "ru") != 0)
        return p_fail(err, P_EUNPROC, "lang", "lang must be 'en' or 'ru'");
    return P_OK;
}

static void row_to_user(store_stmt *st, struct user *u)
{
    memset(u, 0, sizeof *u);
    u->id = store_col_int(st, 0);
    snprintf(u->login, sizeof u->login, "%s", store_col_text(st, 1));
    snprintf(u->display_name, sizeof u->display_name, "%s", store_col_text(st, 2));
    snprintf(u->role, sizeof u->role, "%s", store_col_text(st, 3));
    snprintf(u->org, sizeof u->org, "%s", store_col_text(st, 4));
    snprintf(u->lang, sizeof u->lang, "%s", store_col_text(st, 5));
    u->disabled = store_col_int(st, 6) != 0;
    snprintf(u->created_at, sizeof u->created_at, "%s", store_col_text(st, 7));
    snprintf(u->updated_at, sizeof u->updated_at, "%s", store_col_text(st, 8));
}

#define USER_COLUMNS                                                                               \
    "id, login, display_name, role, COALESCE(org_code, ''), lang, disabled, created_at, "          \
    "updated_at"

json_t *users_to_json(const struct user *u)
{
    return json_pack("{s:s, s:s, s:s, s:o, s:s, s:b, s:s, s:s}", "login", u->login, "display_name",
                     u->display_name, "role", u->role, "org",
                     u->org[0] ? json_string(u->org) : json_null(), "lang", u->lang, "disabled",
                     u->disabled, "created_at", u->created_at, "updated_at", u->updated_at);
}

int users_find(store *s, const char *login, struct user *out, char *hash_out, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT " USER_COLUMNS ", password_hash FROM users WHERE login = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, login);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_ENOTFOUND, "login", "no user has login '%s'", login);
    }
    row_to_user(st, out);
    if (hash_out) snprintf(hash_out, PASSWORD_HASH_MAX, "%s", store_col_text(st, 9));
    store_reset(st);
    return P_OK;
}

int users_get(store *s, int64_t id, struct user *out, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_ENOTFOUND, NULL, "no such user");
    }
    row_to_user(st, out);
    store_reset(st);
    return P_OK;
}

int users_add(store *s, const struct user_new *u, const struct actor *by, struct user *out,
              p_error *err)
{
    int rc = users_check_login(u->login, err);
    if (rc == P_OK && !u->role) rc = p_fail(err, P_EUNPROC, "role", "role is required");
    if (rc == P_OK) rc = check_fields(s, u->role, u->org, u->display_name, u->lang, err);
    if (rc == P_OK) rc = password_check_policy(u->password, err);
    if (rc != P_OK) return rc;
    char hash[PASSWORD_HASH_MAX];
    rc = password_hash(u->password, hash, err);
    if (rc != P_OK) return rc;

    char now[21];
    text_now_iso(now);
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_prepare(s,
                       "INSERT INTO users(login, display_name, role, org_code, password_hash, lang,"
                       " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                       &st, err);
    if (rc != P_OK) goto fail;
    store_bind_text(st, 1, u->login);
    store_bind_text(st, 2, u->display_name ? u->display_name : "");
    store_bind_text(st, 3, u->role);
    store_bind_text(st, 4, (u->org && *u->org) ? u->org : NULL);
    store_bind_text(st, 5, hash);
    store_bind_text(st, 6, u->lang ? u->lang : "en");
    store_bind_text(st, 7, now);
    store_bind_text(st, 8, now);
    rc = store_run(st, err);
    if (rc == P_ECONFLICT) {
        p_fail(err, P_ECONFLICT, "login", "login '%s' is already taken", u->login);
        goto fail;
    }
    if (rc != P_OK) goto fail;
    struct user created;
    rc = users_get(s, store_last_insert_id(s), &created, err);
    if (rc != P_OK) goto fail;
    json_t *after = users_to_json(&created);
    struct audit_entry e = {by->login, "create", "user", created.login, NULL, after, by->client};
    rc = audit_append(s, &e, err);
    json_decref(after);
    if (rc != P_OK) goto fail;
    rc = store_commit(s, err);
    if (rc == P_OK && out) *out = created;
    sodium_memzero(hash, sizeof hash);
    return rc;
fail:
    store_rollback(s);
    sodium_memzero(hash, sizeof hash);
    return rc;
}

static int run_update(store *s, const char *sql, const char *value, int64_t id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, value);
    store_bind_int(st, 2, id);
    return store_run(st, err);
}

static int end_sessions(store *s, int64_t user_id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "DELETE FROM sessions WHERE user_id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, user_id);
    return store_run(st, err);
}

static int apply_patch(store *s, const struct user *u, const struct user_patch *p, const char *hash,
                       p_error *err)
{
    int rc = P_OK;
    if (p->role) rc = run_update(s, "UPDATE users SET role = ? WHERE id = ?", p->role, u->id, err);
    if (rc == P_OK && p->org)
        rc = run_update(s, "UPDATE users SET org_code = NULLIF(?, '') WHERE id = ?", p->org, u->id,
                        err);
    if (rc == P_OK && p->display_name)
        rc = run_update(s, "UPDATE users SET display_name = ? WHERE id = ?", p->display_name, u->id,
                        err);
    if (rc == P_OK && p->lang)
        rc = run_update(s, "UPDATE users SET lang = ? WHERE id = ?", p->lang, u->id, err);
    if (rc == P_OK && p->disabled >= 0)
        rc = run_update(s, "UPDATE users SET disabled = CAST(? AS INTEGER) WHERE id = ?",
                        p->disabled ? "1" : "0", u->id, err);
    if (rc == P_OK && hash)
        rc = run_update(s, "UPDATE users SET password_hash = ? WHERE id = ?", hash, u->id, err);
    if (rc == P_OK && (hash || p->disabled == 1)) rc = end_sessions(s, u->id, err);
    char now[21];
    text_now_iso(now);
    if (rc == P_OK)
        rc = run_update(s, "UPDATE users SET updated_at = ? WHERE id = ?", now, u->id, err);
    return rc;
}

int users_update(store *s, const char *login, const struct user_patch *p, const struct actor *by,
                 struct user *out, p_error *err)
{
    int rc = check_fields(s, p->role, p->org, p->display_name, p->lang, err);
    if (rc == P_OK && p->password) rc = password_check_policy(p->password, err);
    if (rc != P_OK) return rc;
    char hash[PASSWORD_HASH_MAX] = "";
    if (p->password && (rc = password_hash(p->password, hash, err)) != P_OK) return rc;

    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    struct user before, after;
    json_t *jb = NULL, *ja = NULL;
    rc = users_find(s, login, &before, NULL, err);
    if (rc == P_OK) rc = apply_patch(s, &before, p, hash[0] ? hash : NULL, err);
    if (rc == P_OK) rc = users_get(s, before.id, &after, err);
    if (rc == P_OK) {
        jb = users_to_json(&before);
        ja = users_to_json(&after);
        if (hash[0]) json_object_set_new(ja, "password_changed", json_true());
        struct audit_entry e = {by->login, "update", "user", before.login, jb, ja, by->client};
        rc = audit_append(s, &e, err);
    }
    json_decref(jb);
    json_decref(ja);
    sodium_memzero(hash, sizeof hash);
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    rc = store_commit(s, err);
    if (rc == P_OK && out) *out = after;
    return rc;
}

int users_list(store *s, const char *cursor, int limit, json_t **items,
               char next[static CURSOR_MAX], p_error *err)
{
    char after[CURSOR_MAX] = "";
    next[0] = '\0';
    if (cursor) {
        int rc = cursor_decode(cursor, after, err);
        if (rc != P_OK) return rc;
    }
    store_stmt *st;
    int rc = store_prepare(
        s, "SELECT " USER_COLUMNS " FROM users WHERE login > ? ORDER BY login LIMIT ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, after);
    store_bind_int(st, 2, limit + 1);
    json_t *arr = json_array();
    int step, n = 0;
    struct user u;
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (n == limit) {
            cursor_encode(u.login, next);
            break;
        }
        row_to_user(st, &u);
        json_array_append_new(arr, users_to_json(&u));
        n++;
    }
    store_reset(st);
    if (step < 0) {
        json_decref(arr);
        return -step;
    }
    *items = arr;
    return P_OK;
}
