/* limits.c (community): per-address limits on what citizens may do without signing in —
 * raise concerns, and try tracking codes that do not exist — counted in the store through
 * the throttle that also guards signing in. */
#include "community/internal.h"

#include "auth/throttle.h"
#include "core/log.h"

#include <stdio.h>

static void client_key(http_request *req, const char *kind, char key[static 160])
{
    snprintf(key, 160, "%s:%s", kind, http_client(req));
}

int community_limit_check(http_request *req, store *s, const char *kind, long max, long window_s,
                          long *retry_after_s, p_error *err)
{
    char key[160];
    client_key(req, kind, key);
    return throttle_check(s, key, max, window_s, retry_after_s, err);
}

int community_limit_check_at_head(http_request *req, store *s, const char *kind, long max,
                                  long window_s, long *retry_after_s, int64_t *head_id,
                                  char head_hash[static 65], p_error *err)
{
    char key[160];
    client_key(req, kind, key);
    return throttle_check_at_head(s, key, max, window_s, retry_after_s, head_id, head_hash, err);
}

void community_limit_count(http_request *req, store *s, const char *kind, long window_s)
{
    char key[160];
    client_key(req, kind, key);
    p_error err;
    p_error_clear(&err);
    if (throttle_fail(s, key, window_s, &err) != P_OK)
        log_error("community: could not count %s: %s", kind, err.message);
}
