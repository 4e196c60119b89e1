/* throttle.h: counts failed logins per account and per client address in the store (so
 * several servers share the counts) and refuses further attempts past a limit. */
#ifndef POLIS_THROTTLE_H
#define POLIS_THROTTLE_H

#include "store/store.h"

/* P_ELIMIT with *retry_after_s when key has max or more failures in the current window. */
MUST_CHECK int throttle_check(store *s, const char *key, long max, long window_s,
                              long *retry_after_s, p_error *err);
/* throttle_check, reading in the same statement the audit trail's head (audit_head()'s id
 * and hash, 0 and "" for an empty trail) for a caller that validates a cache by it: one
 * read of the database instead of two. The head is set whatever the verdict. */
MUST_CHECK int throttle_check_at_head(store *s, const char *key, long max, long window_s,
                                      long *retry_after_s, int64_t *head_id,
                                      char head_hash[static 65], p_error *err);
/* Counts one failure for key. */
MUST_CHECK int throttle_fail(store *s, const char *key, long window_s, p_error *err);
/* Forgets key's failures (after a successful login). */
MUST_CHECK int throttle_clear(store *s, const char *key, p_error *err);

#endif
