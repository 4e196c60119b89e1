/* test_store_cache.c: the SQLite engine's statement cache never fills: thousands of distinct
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

static void test_thousands_of_statements_and_a_busy_one_survives(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "cache"), 0);
    p_error err;
    assert_int_equal(store_exec_script(fx.s,
                                       "CREATE TABLE t(n INTEGER);"
                                       "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1"
                                       " FROM c WHERE x < 5) INSERT INTO t SELECT x FROM c;",
                                       &err),
                     P_OK);
    store_stmt *outer;
    assert_int_equal(store_prepare(fx.s, "SELECT n FROM t ORDER BY n", &outer, &err), P_OK);
    assert_int_equal(store_step(outer, &err), STORE_ROW);
    assert_int_equal(store_col_int(outer, 0), 1);
    for (int i = 0; i < 3000; i++) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT %d + n FROM t WHERE n = 1", i);
        store_stmt *st;
        assert_int_equal(store_prepare(fx.s, sql, &st, &err), P_OK);
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
    assert_int_equal(store_prepare(fx.s, "SELECT 2999 + n FROM t WHERE n = 1", &again, &err), P_OK);
    assert_int_equal(store_step(again, &err), STORE_ROW);
    assert_int_equal(store_col_int(again, 0), 3000);
    store_reset(again);
    fixture_close(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousands_of_statements_and_a_busy_one_survives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
