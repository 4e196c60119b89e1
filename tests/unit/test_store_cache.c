/* test_store_cache.c: the engines' statement caches never fill: thousands of distinct
 * statements (as the modules' dynamic SQL makes over a server's life) all prepare and run,
 * and a statement a caller is stepping through survives the evictions around it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include <stdio.h>
#include <stdlib.h>

/* The cases on store s, which has a table cache_t(n) holding 1..5. */
static void run_cases(store *s)
{
    p_error err;
    store_stmt *outer;
    assert_int_equal(store_prepare(s, "SELECT n FROM cache_t ORDER BY n", &outer, &err), P_OK);
    assert_int_equal(store_step(outer, &err), STORE_ROW);
    assert_int_equal(store_col_int(outer, 0), 1);
    for (int i = 0; i < 3000; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + n FROM cache_t WHERE n = 1", i);
        store_stmt *st;
        assert_int_equal(store_prepare(s, sql, &st, &err), P_OK);
        assert_int_equal(store_step(st, &err), STORE_ROW);
        assert_int_equal(store_col_int(st, 0), i + 1);
        store_reset(st);
        if (i % 1000 == 999) { /* the outer statement, mid-way, still reads its rows */
            assert_int_equal(store_step(outer, &err), STORE_ROW);
        }
    }
    assert_int_equal(store_col_int(outer, 0), 4);
    assert_int_equal(store_step(outer, &err), STORE_ROW);
    assert_int_equal(store_step(outer, &err), STORE_DONE);
    /* a statement seen before is still found after the evictions */
    store_stmt *again;
    assert_int_equal(store_prepare(s, "SELECT 2999 + n FROM cache_t WHERE n = 1", &again, &err),
                     P_OK);
    assert_int_equal(store_step(again, &err), STORE_ROW);
    assert_int_equal(store_col_int(again, 0), 3000);
    store_reset(again);
}

static const char create_table[] = "CREATE TABLE cache_t(n INTEGER);"
                                   "INSERT INTO cache_t VALUES (1), (2), (3), (4), (5);";

static void test_sqlite(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "cache"), 0);
    p_error err;
    assert_int_equal(store_exec_script(fx.s, create_table, &err), P_OK);
    run_cases(fx.s);
    fixture_close(&fx);
}

/* The same on PostgreSQL when POLIS_TEST_PG names a server (scripts/pg.sh prints one). */
static void test_postgres(void **state)
{
    (void)state;
    const char *url = getenv("POLIS_TEST_PG");
    store *s = NULL;
    p_error err;
    assert_int_equal(store_open(url, &s, &err), P_OK);
    assert_int_equal(store_exec_script(s, "DROP TABLE IF EXISTS cache_t", &err), P_OK);
    assert_int_equal(store_exec_script(s, create_table, &err), P_OK);
    run_cases(s);
    assert_int_equal(store_exec_script(s, "DROP TABLE cache_t", &err), P_OK);
    store_close(s);
}

int main(void)
{
    /* The PostgreSQL case runs only when a server is named, as in test_store.c. */
    const char *pg = getenv("POLIS_TEST_PG");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite),
        cmocka_unit_test(test_postgres),
    };
    return _cmocka_run_group_tests("store_cache", tests, pg && *pg ? 2 : 1, NULL, NULL);
}
