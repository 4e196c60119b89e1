/* open311_keys.c (community): the keys Open311 clients send as api_key. A key is shown once
 * when issued; the store keeps its SHA-256 only, so a copy of the database gives no client
 * access. Issuing and revoking are audited; a revoked key fails its next request. */
#include "community/open311.h"

#include "auth/audit.h"
#include "auth/session.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void new_key(char out[static OPEN311_KEY_TEXT_MAX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    memcpy(out, "o311_", 5);
    sodium_bin2base64(out + 5, OPEN311_KEY_TEXT_MAX - 5, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

int open311_key_create(store *s, const char *name, const struct actor *by,
                       char key_out[static OPEN311_KEY_TEXT_MAX], int64_t *id_out, p_error *err)
{
    key_out[0] = '\0';
    size_t n = name ? strlen(name) : 0;
    if (n == 0) return p_fail(err, P_EINVAL, "name", "name is required");
    if (!text_utf8_valid(name, n) || text_utf8_len(name, n) > OPEN311_KEY_NAME_MAX)
        return p_fail(err, P_EINVAL, "name", "name must be UTF-8 of at most %d characters",
                      OPEN311_KEY_NAME_MAX);
    char hash[65], now[21];
    new_key(key_out);
    secret_hash(key_out, hash);
    text_now_iso(now);
    int rc = store_begin(s, err);
    if (rc != P_OK) {
        sodium_memzero(key_out, OPEN311_KEY_TEXT_MAX);
        return rc;
    }
    store_stmt *st;
    rc = store_prepare(s, "INSERT INTO open311_keys(name, key_hash, created_at) VALUES (?, ?, ?)",
                       &st, err);
    if (rc == P_OK) {
        store_bind_text(st, 1, name);
        store_bind_text(st, 2, hash);
        store_bind_text(st, 3, now);
        rc = store_run(st, err);
    }
    int64_t id = store_last_insert_id(s);
    if (rc == P_OK) {
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%lld", (long long)id);
        json_t *after =
            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "created_at", now);
        struct audit_entry e = {by->login, "create", "open311_key", idtext,
                                NULL,      after,    by->client};
        rc = audit_append(s, &e, err);
        json_decref(after);
    }
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) {
        store_rollback(s);
        sodium_memzero(key_out, OPEN311_KEY_TEXT_MAX);
        return rc;
    }
    if (id_out) *id_out = id;
    return P_OK;
}

int open311_key_list(store *s, json_t **items, p_error *err)
{
    *items = NULL;
    store_stmt *st;
    int rc = store_prepare(
        s, "SELECT id, name, created_at, revoked_at FROM open311_keys ORDER BY id DESC", &st, err);
    if (rc != P_OK) return rc;
    json_t *out = json_array();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        bool revoked = !store_col_null(st, 3);
        json_array_append_new(
            out, json_pack("{s:I, s:s, s:s, s:o, s:b}", "id", (json_int_t)store_col_int(st, 0),
                           "name", store_col_text(st, 1), "created_at", store_col_text(st, 2),
                           "revoked_at", revoked ? json_string(store_col_text(st, 3)) : json_null(),
                           "revoked", revoked));
    }
    store_reset(st);
    if (step < 0) {
        json_decref(out);
        return -step;
    }
    *items = out;
    return P_OK;
}

int open311_key_revoke(store *s, int64_t id, const struct actor *by, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    store_stmt *st;
    char name[OPEN311_KEY_NAME_MAX * 4 + 1] = "";
    bool found = false, revoked = false;
    rc = store_prepare(s, "SELECT name, revoked_at FROM open311_keys WHERE id = ?", &st, err);
    if (rc == P_OK) {
        store_bind_int(st, 1, id);
        int step = store_step(st, err);
        if (step == STORE_ROW) {
            found = true;
            revoked = !store_col_null(st, 1);
            snprintf(name, sizeof name, "%s", store_col_text(st, 0));
        }
        store_reset(st);
        if (step < 0) rc = -step;
    }
    if (rc == P_OK && !found)
        rc = p_fail(err, P_ENOTFOUND, "id", "no Open311 key %lld", (long long)id);
    if (rc != P_OK || revoked) {
        store_rollback(s);
        return rc;
    }
    char now[21];
    text_now_iso(now);
    rc = store_prepare(s, "UPDATE open311_keys SET revoked_at = ? WHERE id = ?", &st, err);
    if (rc == P_OK) {
        store_bind_text(st, 1, now);
        store_bind_int(st, 2, id);
        rc = store_run(st, err);
    }
    if (rc == P_OK) {
        char idtext[24];
        snprintf(idtext, sizeof idtext, "%lld", (long long)id);
        json_t *after =
            json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "revoked_at", now);
        struct audit_entry e = {by->login, "revoke", "open311_key", idtext,
                                NULL,      after,    by->client};
        rc = audit_append(s, &e, err);
        json_decref(after);
    }
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) store_rollback(s);
    return rc;
}

int open311_key_check(store *s, const char *key, int64_t *id_out, char *name_out, p_error *err)
{
    if (name_out) name_out[0] = '\0';
    *id_out = 0;
    if (!key || !*key)
        return p_fail(err, P_EFORBIDDEN, "api_key", "api_key is required to do this");
    if (strlen(key) >= OPEN311_KEY_TEXT_MAX || strncmp(key, "o311_", 5) != 0)
        return p_fail(err, P_EFORBIDDEN, "api_key", "invalid api_key");
    char hash[65];
    secret_hash(key, hash);
    store_stmt *st;
    int rc = store_prepare(
        s, "SELECT id, name FROM open311_keys WHERE key_hash = ? AND revoked_at IS NULL", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, hash);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        *id_out = store_col_int(st, 0);
        if (name_out) snprintf(name_out, OPEN311_KEY_NAME_MAX * 4 + 1, "%s", store_col_text(st, 1));
    }
    store_reset(st);
    if (step < 0) return -step;
    if (!*id_out) return p_fail(err, P_EFORBIDDEN, "api_key", "invalid or revoked api_key");
    return P_OK;
}
