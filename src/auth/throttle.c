/* throttle.c: fixed-window failure counters in login_failures. */
#include "auth/throttle.h"

#include <stdio.h>
#include <time.h>

/* P_ELIMIT (with *retry_after_s) when a window that started at start still runs at now and
 * holds max or more failures. */
static int verdict(int64_t start, int64_t failures, int64_t now, long max, long window_s,
                   long *retry_after_s, p_error *err)
{
    if (start + window_s > now && failures >= max) {
        *retry_after_s = (long)(start + window_s - now);
        return p_fail(err, P_ELIMIT, NULL, "too many failed sign-ins; try again in %ld seconds",
                      *retry_after_s);
    }
    return P_OK;
}

int throttle_check(store *s, const char *key, long max, long window_s, long *retry_after_s,
                   p_error *err)
{
    int64_t now = (int64_t)time(NULL);
    store_stmt *st;
    int rc = store_prepare(s, "SELECT window_start, failures FROM login_failures WHERE key = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, key);
    int step = store_step(st, err);
    if (step < 0) return -step;
    rc = P_OK;
    if (step == STORE_ROW)
        rc = verdict(store_col_int(st, 0), store_col_int(st, 1), now, max, window_s, retry_after_s,
                     err);
    store_reset(st);
    return rc;
}

int throttle_check_at_head(store *s, const char *key, long max, long window_s, long *retry_after_s,
                           int64_t *head_id, char head_hash[static 65], p_error *err)
{
    int64_t now = (int64_t)time(NULL);
    *head_id = 0;
    head_hash[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT f.window_start, f.failures, a.id, a.hash"
                           " FROM (SELECT 1 AS one) o"
                           " LEFT JOIN login_failures f ON f.key = ?"
                           " LEFT JOIN audit a ON a.id = (SELECT max(id) FROM audit)",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, key);
    int step = store_step(st, err);
    if (step < 0) return -step;
    rc = P_OK;
    if (step == STORE_ROW) {
        if (!store_col_null(st, 2)) {
            *head_id = store_col_int(st, 2);
            snprintf(head_hash, 65, "%s", store_col_text(st, 3));
        }
        if (!store_col_null(st, 0))
            rc = verdict(store_col_int(st, 0), store_col_int(st, 1), now, max, window_s,
                         retry_after_s, err);
    }
    store_reset(st);
    return rc;
}

int throttle_fail(store *s, const char *key, long window_s, p_error *err)
{
    int64_t now = (int64_t)time(NULL);
    store_stmt *st;
    int rc = store_prepare(
        s,
        "INSERT INTO login_failures(key, window_start, failures) VALUES (?1, ?2, 1)"
        " ON CONFLICT(key) DO UPDATE SET" /* columns qualified: PostgreSQL requires it */
        " failures = CASE WHEN login_failures.window_start + ?3 <= ?2 THEN 1"
        " ELSE login_failures.failures + 1 END,"
        " window_start = CASE WHEN login_failures.window_start + ?3 <= ?2 THEN ?2"
        " ELSE login_failures.window_start END",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, key);
    store_bind_int(st, 2, now);
    store_bind_int(st, 3, window_s);
    return store_run(st, err);
}

int throttle_clear(store *s, const char *key, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "DELETE FROM login_failures WHERE key = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, key);
    return store_run(st, err);
}
