/* test_status_cache.c: the citizens' status cache (community/status_cache.c) — its bounds
 * in entries and bytes, the least recently used of a set making room, versions (a newer
 * one empties it, an older one is neither served nor kept, the same id with another hash
 * is another version), and threads looking up and keeping views at once; then, on a real
 * temporary database, the throttle's check that reads the cache's version in the same
 * statement: the same verdict as throttle_check, the same head as audit_head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/audit.h"
#include "auth/throttle.h"
#include "community/status_cache.h"
#include "fixture_db.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct status_cache_version version(int64_t id, char h)
{
    struct status_cache_version v = {.id = id};
    memset(v.hash, h, 64);
    v.hash[64] = '\0';
    return v;
}

static bool cached(const struct status_cache_version *v, const char *code, const char *want)
{
    char body[STATUS_CACHE_BODY_MAX];
    size_t len = 0;
    bool hit = status_cache_get(v, code, body, &len);
    if (hit && want) {
        assert_int_equal(len, strlen(want));
        assert_memory_equal(body, want, len);
    }
    return hit;
}

static void put(const struct status_cache_version *v, const char *code, const char *body)
{
    status_cache_put(v, code, body, strlen(body));
}

static void test_versions(void **state)
{
    (void)state;
    status_cache_configure(64, 1 << 20);
    struct status_cache_version v1 = version(1, 'a'), v2 = version(2, 'b'), v2x = version(2, 'c');
    assert_false(cached(&v1, "AAAAAAAAAA", NULL));
    put(&v1, "AAAAAAAAAA", "{\"status\":\"received\"}");
    assert_true(cached(&v1, "AAAAAAAAAA", "{\"status\":\"received\"}"));
    assert_false(cached(&v1, "BBBBBBBBBB", NULL));
    /* a step moved the head: nothing read before it is served */
    assert_false(cached(&v2, "AAAAAAAAAA", NULL));
    struct status_cache_stats st;
    status_cache_stats(&st);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.flushes, 1);
    /* a view read at the older head (a slow request) is not kept, nor served */
    put(&v1, "AAAAAAAAAA", "old");
    assert_false(cached(&v1, "AAAAAAAAAA", NULL));
    assert_false(cached(&v2, "AAAAAAAAAA", NULL));
    put(&v2, "AAAAAAAAAA", "{\"status\":\"acknowledged\"}");
    assert_true(cached(&v2, "AAAAAAAAAA", "{\"status\":\"acknowledged\"}"));
    /* the same id with another hash: the newest entries were removed and others appended */
    assert_false(cached(&v2x, "AAAAAAAAAA", NULL));
    put(&v2x, "AAAAAAAAAA", "x");
    assert_true(cached(&v2x, "AAAAAAAAAA", "x"));
    /* a view too large to keep is not kept */
    static char big[STATUS_CACHE_BODY_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    put(&v2x, "CCCCCCCCCC", big);
    assert_false(cached(&v2x, "CCCCCCCCCC", NULL));
    /* off */
    status_cache_configure(0, 1 << 20);
    assert_false(status_cache_enabled());
    put(&v2x, "AAAAAAAAAA", "x");
    assert_false(cached(&v2x, "AAAAAAAAAA", NULL));
}

static void test_bounds(void **state)
{
    (void)state;
    struct status_cache_version v = version(7, 'd');
    struct status_cache_stats st;
    /* entries: 1,000 codes into 64 entries never hold more than 64 */
    status_cache_configure(64, 1 << 20);
    char code[16];
    for (int i = 0; i < 1000; i++) {
        snprintf(code, sizeof code, "%010d", i);
        put(&v, code, "{}");
        status_cache_stats(&st);
        assert_true(st.entries <= 64);
    }
    assert_true(st.entries > 32); /* the sets fill, not one of them */
    assert_true(st.evictions >= 1000 - 64);
    /* the last put is there; within a set of 4 the least recently used goes */
    assert_true(cached(&v, code, "{}"));
    status_cache_configure(4, 1 << 20); /* one set of four */
    put(&v, "A000000000", "a");
    put(&v, "B000000000", "b");
    put(&v, "C000000000", "c");
    put(&v, "D000000000", "d");
    assert_true(cached(&v, "A000000000", "a")); /* A is now the most recently used */
    put(&v, "E000000000", "e");                 /* B, the least recently used, goes */
    assert_false(cached(&v, "B000000000", NULL));
    assert_true(cached(&v, "A000000000", "a"));
    assert_true(cached(&v, "E000000000", "e"));
    /* bytes: views of 1,000 bytes under a bound of 3,000 */
    status_cache_configure(4, 3000);
    char body[1001];
    memset(body, 'y', 1000);
    body[1000] = '\0';
    for (int i = 0; i < 10; i++) {
        snprintf(code, sizeof code, "%010d", i);
        put(&v, code, body);
        status_cache_stats(&st);
        assert_true(st.bytes <= 3000);
        assert_true(cached(&v, code, body));
    }
    assert_int_equal(st.entries, 3);
}

enum { THREADS = 4, ROUNDS = 20000 };

static void *hammer(void *arg)
{
    intptr_t t = (intptr_t)arg;
    char code[16], body[64], got[STATUS_CACHE_BODY_MAX];
    for (int i = 0; i < ROUNDS; i++) {
        int n = (int)((i * 7 + t) % 200);
        struct status_cache_version v = version(1 + i / 5000, 'e');
        snprintf(code, sizeof code, "%010d", n);
        int len = snprintf(body, sizeof body, "{\"code\":\"%s\",\"v\":%d}", code, 1 + i / 5000);
        size_t got_len = 0;
        if (status_cache_get(&v, code, got, &got_len)) {
            /* a whole body of this code, never another's or a torn one */
            assert_true(got_len > 0 && got_len < sizeof body);
            assert_memory_equal(got, body, 19);
        } else {
            status_cache_put(&v, code, body, (size_t)len);
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    status_cache_configure(64, 1 << 20);
    pthread_t t[THREADS];
    for (intptr_t i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    struct status_cache_stats st;
    status_cache_stats(&st);
    assert_true(st.entries <= 64);
    assert_true(st.hits > 0);
}

static void expect_head(store *s, const char *key, long max, int want_rc)
{
    p_error err;
    p_error_clear(&err);
    long retry = 0, retry_plain = 0;
    int64_t id = -1, want_id = 0;
    char hash[65], want_hash[65];
    assert_int_equal(throttle_check_at_head(s, key, max, 900, &retry, &id, hash, &err), want_rc);
    p_error_clear(&err);
    assert_int_equal(throttle_check(s, key, max, 900, &retry_plain, &err), want_rc);
    assert_int_equal(retry, retry_plain);
    assert_int_equal(audit_head(s, &want_id, want_hash, &err), P_OK);
    assert_int_equal(id, want_id);
    assert_string_equal(hash, want_hash);
}

static void test_throttle_reads_the_head(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "status-cache"), 0);
    p_error err;
    p_error_clear(&err);
    expect_head(fx.s, "lookup:192.0.2.1", 3, P_OK); /* no failures yet */
    for (int i = 0; i < 3; i++)
        assert_int_equal(throttle_fail(fx.s, "lookup:192.0.2.1", 900, &err), P_OK);
    expect_head(fx.s, "lookup:192.0.2.1", 3, P_ELIMIT);
    expect_head(fx.s, "lookup:192.0.2.1", 4, P_OK);
    expect_head(fx.s, "lookup:192.0.2.2", 3, P_OK); /* another address */
    /* an audited change moves the head the check reads */
    int64_t before = 0;
    char hash[65];
    long retry = 0;
    assert_int_equal(throttle_check_at_head(fx.s, "k", 3, 900, &retry, &before, hash, &err), P_OK);
    struct audit_entry e = {"tester", "update", "concern", "AAAAAAAAAA", NULL, NULL, ""};
    assert_int_equal(audit_append_alone(fx.s, &e, &err), P_OK);
    expect_head(fx.s, "lookup:192.0.2.1", 3, P_ELIMIT);
    int64_t after = 0;
    assert_int_equal(throttle_check_at_head(fx.s, "k", 3, 900, &retry, &after, hash, &err), P_OK);
    assert_true(after > before);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_throttle_reads_the_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
