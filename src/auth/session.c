/* session.c: sessions and API tokens stored as hashes. */
#include "auth/session.h"
#include "auth/audit.h"
#include "core/config.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SESSION_TOUCH_EVERY_S 60 /* refresh last_seen at most once a minute per session */

void secret_hash(const char *secret, char out[static 65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    text_hex(h, sizeof h, out);
}

static void random_secret(const char *prefix, char out[static SECRET_TEXT_MAX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    sodium_bin2base64(out + p, SECRET_TEXT_MAX - p, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

int session_create(store *s, int64_t user_id, char token_out[static SECRET_TEXT_MAX],
                   char csrf_out[static SECRET_TEXT_MAX], p_error *err)
{
    random_secret("", token_out);
    random_secret("", csrf_out);
    char hash[65];
    secret_hash(token_out, hash);
    const struct polis_config *cfg = config_get();
    int64_t now = (int64_t)time(NULL);
    store_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at,"
                           " last_seen, expires_at) VALUES (?,?,?,?,?,?)",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, hash);
    store_bind_int(st, 2, user_id);
    store_bind_text(st, 3, csrf_out);
    store_bind_int(st, 4, now);
    store_bind_int(st, 5, now);
    store_bind_int(st, 6, now + cfg->session_absolute_s);
    return store_run(st, err);
}

static int load_user_row(store_stmt *st, struct user *u)
{
    memset(u, 0, sizeof *u);
    u->id = store_col_int(st, 0);
    text_copy(u->login, sizeof u->login, store_col_text(st, 1));
    text_copy(u->role, sizeof u->role, store_col_text(st, 2));
    text_copy(u->org, sizeof u->org, store_col_text(st, 3));
    text_copy(u->lang, sizeof u->lang, store_col_text(st, 4));
    u->disabled = store_col_int(st, 5) != 0;
    return P_OK;
}

int session_lookup(store *s, const char *token, struct user *u,
                   char csrf_out[static SECRET_TEXT_MAX], char hash_out[static 65], p_error *err)
{
    if (!token || strlen(token) >= SECRET_TEXT_MAX)
        return p_fail(err, P_EAUTH, NULL, "session is not valid");
    secret_hash(token, hash_out);
    const struct polis_config *cfg = config_get();
    int64_t now = (int64_t)time(NULL);
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT u.id, u.login, u.role, COALESCE(u.org_code, ''), u.lang,"
                           " u.disabled, s.csrf_token, s.last_seen FROM sessions s"
                           " JOIN users u ON u.id = s.user_id"
                           " WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen > ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, hash_out);
    store_bind_int(st, 2, now);
    store_bind_int(st, 3, now - cfg->session_idle_s);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_EAUTH, NULL, "session expired or unknown; sign in again");
    }
    load_user_row(st, u);
    snprintf(csrf_out, SECRET_TEXT_MAX, "%s", store_col_text(st, 6));
    int64_t last_seen = store_col_int(st, 7);
    store_reset(st);
    if (u->disabled) return p_fail(err, P_EAUTH, NULL, "account is disabled");
    /* Touch often enough that a session in use never looks idle, even with a short idle limit. */
    long touch_every_s = cfg->session_idle_s / 2 < SESSION_TOUCH_EVERY_S ? cfg->session_idle_s / 2
                                                                         : SESSION_TOUCH_EVERY_S;
    if (now - last_seen < touch_every_s) return P_OK;
    rc = store_prepare(s, "UPDATE sessions SET last_seen = ? WHERE token_hash = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, now);
    store_bind_text(st, 2, hash_out);
    return store_run(st, err);
}

int session_end(store *s, const char *token_hash, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "DELETE FROM sessions WHERE token_hash = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, token_hash);
    return store_run(st, err);
}

int token_create(store *s, const char *login, const char *name, const struct actor *by,
                 char token_out[static SECRET_TEXT_MAX], int64_t *id_out, p_error *err)
{
    if (name && (strlen(name) > 100 || !text_utf8_valid(name, strlen(name))))
        return p_fail(err, P_EUNPROC, "name", "token name must be UTF-8 of at most 100 bytes");
    struct user u;
    int rc = users_find(s, login, &u, NULL, err);
    if (rc != P_OK) return rc;
    if (u.disabled) return p_fail(err, P_EUNPROC, "login", "user '%s' is disabled", login);
    random_secret("polis_", token_out);
    char hash[65], now[21];
    secret_hash(token_out, hash);
    text_now_iso(now);
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_prepare(
        s, "INSERT INTO api_tokens(token_hash, user_id, name, created_at) VALUES (?,?,?,?)", &st,
        err);
    if (rc == P_OK) {
        store_bind_text(st, 1, hash);
        store_bind_int(st, 2, u.id);
        store_bind_text(st, 3, name ? name : "");
        store_bind_text(st, 4, now);
        rc = store_run(st, err);
    }
    int64_t id = store_last_insert_id(s);
    if (rc == P_OK) {
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%lld", (long long)id);
        json_t *after = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "login", login, "name",
                                  name ? name : "");
        struct audit_entry e = {by->login, "create", "api_token", idtext, NULL, after, by->client};
        rc = audit_append(s, &e, err);
        json_decref(after);
    }
    if (rc != P_OK) {
        store_rollback(s);
        sodium_memzero(token_out, SECRET_TEXT_MAX);
        return rc;
    }
    rc = store_commit(s, err);
    if (rc == P_OK && id_out) *id_out = id;
    return rc;
}

int token_lookup(store *s, const char *token, struct user *u, p_error *err)
{
    int64_t head;
    return token_lookup_at_head(s, token, u, &head, err);
}

int token_lookup_at_head(store *s, const char *token, struct user *u, int64_t *audit_head,
                         p_error *err)
{
    if (!token || strlen(token) >= SECRET_TEXT_MAX || strncmp(token, "polis_", 6) != 0)
        return p_fail(err, P_EAUTH, NULL, "API token is not valid");
    char hash[65];
    secret_hash(token, hash);
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT u.id, u.login, u.role, COALESCE(u.org_code, ''), u.lang,"
                           " u.disabled, COALESCE((SELECT max(id) FROM audit), 0)"
                           " FROM api_tokens t JOIN users u ON u.id = t.user_id"
                           " WHERE t.token_hash = ? AND t.revoked = 0",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, hash);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_EAUTH, NULL, "API token is not valid or was revoked");
    }
    load_user_row(st, u);
    *audit_head = store_col_int(st, 6);
    store_reset(st);
    if (u->disabled) return p_fail(err, P_EAUTH, NULL, "account is disabled");
    return P_OK;
}

int token_revoke(store *s, int64_t id, const char *owner, const struct actor *by, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_prepare(s,
                       "UPDATE api_tokens SET revoked = 1 WHERE id = ? AND revoked = 0 AND"
                       " (? IS NULL OR user_id = (SELECT id FROM users WHERE login = ?))",
                       &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, owner);
        store_bind_text(st, 3, owner);
        rc = store_run(st, err);
    }
    if (rc == P_OK && store_changes(s) == 0)
        rc = p_fail(err, P_ENOTFOUND, "id", "no active token with id %lld", (long long)id);
    if (rc == P_OK) {
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%lld", (long long)id);
        json_t *after = json_pack("{s:b}", "revoked", 1);
        struct audit_entry e = {by->login, "revoke", "api_token", idtext, NULL, after, by->client};
        rc = audit_append(s, &e, err);
        json_decref(after);
    }
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int token_list(store *s, const char *login, json_t **items, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT t.id, u.login, t.name, t.created_at, t.revoked FROM api_tokens t"
                           " JOIN users u ON u.id = t.user_id WHERE (? IS NULL OR u.login = ?)"
                           " ORDER BY t.id LIMIT 1000",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, login);
    store_bind_text(st, 2, login);
    json_t *arr = json_array();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:b}", "id",
                                             (json_int_t)store_col_int(st, 0), "login",
                                             store_col_text(st, 1), "name", store_col_text(st, 2),
                                             "created_at", store_col_text(st, 3), "revoked",
                                             (int)store_col_int(st, 4)));
    store_reset(st);
    if (step < 0) {
        json_decref(arr);
        return -step;
    }
    *items = arr;
    return P_OK;
}
