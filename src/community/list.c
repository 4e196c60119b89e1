/* list.c (community): the officers' lists of concerns — what the viewer may see, newest
 * first, filtered by status, service, area or overdue, keyset-paginated. The visibility
 * rule is the one concern_get applies, written as SQL so a page never holds a concern the
 * viewer may not see. */
#include "community/community.h"

#include "core/buf.h"
#include "core/cursor.h"
#include "core/text.h"

#include <stdio.h>
#include <string.h>

/* The WHERE part of the visibility rule for role; ?V is the viewer's user id. */
static const char *visibility(const char *role)
{
    if (strcmp(role, "admin") == 0 || strcmp(role, "coordinator") == 0) return "1 = 1";
    if (strcmp(role, "police_officer") == 0)
        return "sv.conduct = 0 AND (c.area_id IN (SELECT id FROM mine)"
               " OR c.site_id IN (SELECT site_id FROM user_sites WHERE user_id = ?))";
    if (strcmp(role, "forum_member") == 0)
        return "c.forum_id IN (SELECT forum_id FROM forum_members WHERE user_id = ?"
               " AND left_on IS NULL)";
    return "1 = 0";
}

/* The condition on c's stored answers (a JSON object of a string or a list of keys by
 * question code) that the answer to ? is, or includes, ?: one parameter each. */
static const char *answer_condition(const store *s)
{
    if (store_dialect_pg(s))
        return " AND (CAST(c.attributes AS jsonb) -> CAST(? AS text)) @> to_jsonb(CAST(? AS text))";
    return " AND EXISTS (SELECT 1 FROM json_each(c.attributes) e, json_each(CASE e.type"
           " WHEN 'array' THEN e.value ELSE json_array(e.value) END) x"
           " WHERE e.key = ? AND x.value = ?)";
}

/* Splits f->answer "CODE:VALUE" into code (a question code) and value. */
static int answer_parts(const char *answer, char code[static 41], const char **value, p_error *err)
{
    const char *colon = strchr(answer, ':');
    size_t n = colon ? (size_t)(colon - answer) : 0;
    bool ok = n > 0 && n <= 40 && colon[1];
    for (size_t i = 0; ok && i < n; i++)
        ok = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", answer[i]);
    if (!ok)
        return p_fail(err, P_EINVAL, "answer",
                      "answer must be CODE:VALUE, a question's code and an answer to it");
    memcpy(code, answer, n);
    code[n] = '\0';
    *value = colon + 1;
    return P_OK;
}

int concern_list(store *s, const struct concern_viewer *v, const struct concern_filter *f,
                 json_t **items, char next[static CURSOR_MAX], p_error *err)
{
    *items = NULL;
    next[0] = '\0';
    int64_t after = 0;
    if (f->cursor && *f->cursor) {
        char key[CURSOR_MAX];
        int rc = cursor_decode(f->cursor, key, err);
        if (rc != P_OK) return rc;
        if (strncmp(key, "c:", 2) != 0 || !text_parse_int64(key + 2, 1, INT64_MAX, &after))
            return p_fail(err, P_EINVAL, "cursor", "the cursor is not one this list made");
    }
    static const char *const statuses[] = {"received", "acknowledged", "referred", "in_progress",
                                           "resolved", "closed",       "rejected"};
    bool known = !f->status;
    for (size_t i = 0; !known && i < sizeof statuses / sizeof *statuses; i++)
        known = strcmp(statuses[i], f->status) == 0;
    if (!known)
        return p_fail(err, P_EINVAL, "status", "status must be one of %s", CONCERN_STATUSES);
    char answer_code[41];
    const char *answer_value = NULL;
    if (f->answer) {
        int rc = answer_parts(f->answer, answer_code, &answer_value, err);
        if (rc != P_OK) return rc;
    }
    bool officer = strcmp(v->role, "police_officer") == 0;
    const char *vis = visibility(v->role);
    buf sql = BUF_INIT;
    if (officer)
        buf_puts(&sql,
                 "WITH RECURSIVE mine(id) AS (SELECT area_id FROM user_areas WHERE user_id = ?"
                 " UNION SELECT a.id FROM areas a JOIN mine ON a.parent_id = mine.id) ");
    buf_puts(&sql, "SELECT c.id, c.tracking_code FROM concerns c JOIN services sv"
                   " ON sv.code = c.service_code WHERE ");
    buf_puts(&sql, vis);
    if (f->status) buf_puts(&sql, " AND c.status = ?");
    if (f->service_code) buf_puts(&sql, " AND c.service_code = ?");
    if (f->area_code)
        buf_puts(&sql, " AND c.area_id IN (WITH RECURSIVE sub(id) AS (SELECT id FROM areas WHERE"
                       " code = ? UNION SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id)"
                       " SELECT id FROM sub)");
    if (f->overdue)
        buf_puts(&sql, " AND c.status NOT IN ('resolved', 'closed', 'rejected') AND c.due_at < ?");
    if (answer_value) buf_puts(&sql, answer_condition(s));
    if (after) buf_puts(&sql, " AND c.id < ?");
    buf_puts(&sql, " ORDER BY c.id DESC LIMIT ?");
    store_stmt *st;
    int rc = store_prepare(s, buf_str(&sql), &st, err);
    buf_free(&sql);
    if (rc != P_OK) return rc;
    int at = 1;
    if (officer) store_bind_int(st, at++, v->user_id);
    if (strstr(vis, "?")) store_bind_int(st, at++, v->user_id);
    if (f->status) store_bind_text(st, at++, f->status);
    if (f->service_code) store_bind_text(st, at++, f->service_code);
    if (f->area_code) store_bind_text(st, at++, f->area_code);
    char now[21];
    text_now_iso(now);
    if (f->overdue) store_bind_text(st, at++, now);
    if (answer_value) {
        store_bind_text(st, at++, answer_code);
        store_bind_text(st, at++, answer_value);
    }
    if (after) store_bind_int(st, at++, after);
    store_bind_int(st, at, f->limit + 1);
    json_t *codes = json_array();
    int64_t last = 0;
    int n = 0, step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (n < f->limit) {
            last = store_col_int(st, 0);
            json_array_append_new(codes, json_string(store_col_text(st, 1)));
        }
        n++;
    }
    store_reset(st);
    if (step < 0) {
        json_decref(codes);
        return -step;
    }
    json_t *out = json_array();
    size_t i;
    json_t *code;
    json_array_foreach(codes, i, code)
    {
        json_t *rec = NULL;
        rc = concern_load_officers(s, json_string_value(code), &rec, err);
        if (rc != P_OK) break;
        json_object_del(rec, "contact"); /* a list shows no contact details; the record does */
        json_array_append_new(out, rec);
    }
    json_decref(codes);
    if (rc != P_OK) {
        json_decref(out);
        return rc;
    }
    if (n > f->limit) {
        char key[32];
        snprintf(key, sizeof key, "c:%lld", (long long)last);
        cursor_encode(key, next);
    }
    *items = out;
    return P_OK;
}
