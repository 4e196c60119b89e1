/* audit.c: the hash-chained audit log. The hash covers every column of the entry,
 * each length-prefixed, plus the previous entry's hash. */
#include "auth/audit.h"
#include "core/mem.h"
#include "core/text.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* NULL is hashed as a length no string can have, so that changing a NULL before/after
 * into "" (or back) breaks the hash like any other edit. */
static void hash_field(crypto_hash_sha256_state *st, const char *s)
{
    uint64_t n = s ? (uint64_t)strlen(s) : UINT64_MAX;
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(n >> (8 * i));
    crypto_hash_sha256_update(st, len, sizeof len);
    if (s && n) crypto_hash_sha256_update(st, (const unsigned char *)s, (size_t)n);
}

static void entry_hash(const char *fields[9], char out[65])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (int i = 0; i < 9; i++)
        hash_field(&st, fields[i]);
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    text_hex(h, sizeof h, out);
}

static char *dump_or_null(const json_t *j)
{
    return j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
}

int audit_append(store *s, const struct audit_entry *e, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1", &st, err);
    if (rc != P_OK) return rc;
    char prev[65] = GENESIS_HASH;
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_ROW) snprintf(prev, sizeof prev, "%s", store_col_text(st, 0));
    store_reset(st);

    char at[21];
    text_now_iso(at);
    char *before = dump_or_null(e->before), *after = dump_or_null(e->after);
    const char *fields[9] = {prev,      at,        e->actor,
                             e->action, e->entity, e->entity_id,
                             before,    after,     e->client ? e->client : ""};
    char hash[65];
    entry_hash(fields, hash);
    rc = store_prepare(s,
                       "INSERT INTO audit(at, actor, action, entity, entity_id, before, after,"
                       " client, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       &st, err);
    if (rc == P_OK) {
        store_bind_text(st, 1, at);
        store_bind_text(st, 2, e->actor);
        store_bind_text(st, 3, e->action);
        store_bind_text(st, 4, e->entity);
        store_bind_text(st, 5, e->entity_id);
        store_bind_text(st, 6, before);
        store_bind_text(st, 7, after);
        store_bind_text(st, 8, e->client ? e->client : "");
        store_bind_text(st, 9, prev);
        store_bind_text(st, 10, hash);
        rc = store_run(st, err);
    }
    free(before);
    free(after);
    return rc;
}

int audit_append_alone(store *s, const struct audit_entry *e, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    rc = audit_append(s, e, err);
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    return store_commit(s, err);
}

int audit_verify(store *s, int64_t *checked, p_error *err)
{
    store_stmt *st;
    *checked = 0;
    int rc = store_prepare(s,
                           "SELECT id, at, actor, action, entity, entity_id, before, after, client,"
                           " prev_hash, hash FROM audit ORDER BY id",
                           &st, err);
    if (rc != P_OK) return rc;
    char expected_prev[65] = GENESIS_HASH;
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        const char *prev = store_col_text(st, 9);
        if (strcmp(prev, expected_prev) != 0) {
            store_reset(st);
            return p_fail(
                err, P_EINTEGRITY, NULL,
                "audit chain broken at entry %lld: an earlier entry was changed or removed",
                (long long)id);
        }
        const char *fields[9];
        for (int i = 0; i < 8; i++)
            fields[i + 1] = store_col_null(st, i + 1) ? NULL : store_col_text(st, i + 1);
        fields[0] = prev;
        char hash[65];
        entry_hash(fields, hash);
        if (strcmp(hash, store_col_text(st, 10)) != 0) {
            store_reset(st);
            return p_fail(err, P_EINTEGRITY, NULL, "audit entry %lld was altered (hash mismatch)",
                          (long long)id);
        }
        memcpy(expected_prev, hash, sizeof expected_prev);
        (*checked)++;
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int audit_head(store *s, int64_t *id, char hash[static 65], p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step < 0) return -step;
    *id = step == STORE_ROW ? store_col_int(st, 0) : 0;
    snprintf(hash, 65, "%s", step == STORE_ROW ? store_col_text(st, 1) : GENESIS_HASH);
    store_reset(st);
    return P_OK;
}

int audit_contains(store *s, const char *hash, bool *found, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT 1 FROM audit WHERE hash = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, hash);
    int step = store_step(st, err);
    if (step < 0) return -step;
    *found = step == STORE_ROW;
    store_reset(st);
    return P_OK;
}

static json_t *json_or_null(const char *text)
{
    if (!text) return json_null();
    json_t *j = json_loads(text, 0, NULL);
    return j ? j : json_string(text);
}

int audit_list(store *s, const struct audit_filter *f, json_t **items, char next[static CURSOR_MAX],
               p_error *err)
{
    next[0] = '\0';
    int64_t before_id = INT64_MAX;
    if (f->cursor) {
        char key[CURSOR_MAX];
        int rc = cursor_decode(f->cursor, key, err);
        if (rc != P_OK) return rc;
        if (!text_parse_int64(key, 1, INT64_MAX, &before_id))
            return p_fail(err, P_EINVAL, "cursor", "cursor is not valid");
    }
    store_stmt *st;
    int rc = store_prepare(
        s,
        "SELECT id, at, actor, action, entity, entity_id, before, after, client, hash FROM audit"
        " WHERE id < ?1 AND (?2 IS NULL OR actor = ?2) AND (?3 IS NULL OR entity = ?3)"
        " AND (?4 IS NULL OR entity_id = ?4) AND (?5 IS NULL OR action = ?5)"
        " AND (?6 IS NULL OR at >= ?6) AND (?7 IS NULL OR at <= ?7)"
        " ORDER BY id DESC LIMIT ?8",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, before_id);
    store_bind_text(st, 2, f->actor);
    store_bind_text(st, 3, f->entity);
    store_bind_text(st, 4, f->entity_id);
    store_bind_text(st, 5, f->action);
    /* A bare date covers the whole day: from its first second to its last. */
    char from[21], to[21];
    if (f->from)
        snprintf(from, sizeof from, "%.10s%s", f->from,
                 strlen(f->from) == 10 ? "T00:00:00Z" : f->from + 10);
    if (f->to)
        snprintf(to, sizeof to, "%.10s%s", f->to, strlen(f->to) == 10 ? "T23:59:59Z" : f->to + 10);
    store_bind_text(st, 6, f->from ? from : NULL);
    store_bind_text(st, 7, f->to ? to : NULL);
    store_bind_int(st, 8, f->limit + 1);
    json_t *arr = json_array();
    int step, n = 0;
    int64_t last_id = 0;
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (n == f->limit) {
            char key[32];
            snprintf(key, sizeof key, "%lld", (long long)last_id);
            cursor_encode(key, next);
            break;
        }
        last_id = store_col_int(st, 0);
        json_array_append_new(
            arr,
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:s}", "id",
                      (json_int_t)last_id, "at", store_col_text(st, 1), "actor",
                      store_col_text(st, 2), "action", store_col_text(st, 3), "entity",
                      store_col_text(st, 4), "entity_id", store_col_text(st, 5), "before",
                      json_or_null(store_col_null(st, 6) ? NULL : store_col_text(st, 6)), "after",
                      json_or_null(store_col_null(st, 7) ? NULL : store_col_text(st, 7)), "client",
                      store_col_text(st, 8), "hash", store_col_text(st, 9)));
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
