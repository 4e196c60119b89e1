/* throttle.c: fixed-window failure counters in login_failures. */
#include "auth/throttle.h"

#include <time.h>

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
    if (step == STORE_ROW) {
        int64_t start = store_col_int(st, 0), failures = store_col_int(st, 1);
        if (start + window_s > now && failures >= max) {
            *retry_after_s = (long)(start + window_s - now);
            rc = p_fail(err, P_ELIMIT, NULL, "too many failed sign-ins; try again in %ld seconds",
                        *retry_after_s);
        }
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
