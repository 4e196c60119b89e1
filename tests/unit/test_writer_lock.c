/* test_writer_lock.c: writers of one process on one SQLite file queue on its writers' mutex:
 * threads with a connection each, all writing at once, never get "database busy" and lose
 * no row; a connection closed inside its transaction gives the mutex back; two files have
 * two mutexes (a copy holding one file's transaction can write the other). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

enum { THREADS = 4, WRITES = 150 };

struct writer {
    const char *path;
    int id;
    int failures;
};

/* Opens its own connection and writes WRITES rows, one transaction each. */
static void *write_rows(void *arg)
{
    struct writer *w = arg;
    store *s = NULL;
    p_error err;
    if (store_open(w->path, &s, &err) != P_OK) {
        w->failures = WRITES;
        return NULL;
    }
    for (int i = 0; i < WRITES; i++) {
        store_stmt *st;
        int rc = store_begin(s, &err);
        if (rc == P_OK)
            rc = store_prepare(s, "INSERT INTO lock_t(writer, n) VALUES (?, ?)", &st, &err);
        if (rc == P_OK) {
            store_bind_int(st, 1, w->id);
            store_bind_int(st, 2, i);
            rc = store_run(st, &err);
        }
        if (rc == P_OK) rc = store_commit(s, &err);
        if (rc != P_OK) {
            store_rollback(s);
            w->failures++;
        }
    }
    store_close(s);
    return NULL;
}

static int64_t count_rows(store *s, const char *sql)
{
    p_error err;
    store_stmt *st;
    assert_int_equal(store_prepare(s, sql, &st, &err), P_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_reset(st);
    return n;
}

static void test_concurrent_writers_queue_and_lose_nothing(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "wlock"), 0);
    p_error err;
    assert_int_equal(
        store_exec_script(fx.s, "CREATE TABLE lock_t(writer INTEGER, n INTEGER);", &err), P_OK);
    pthread_t t[THREADS];
    struct writer w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct writer){.path = fx.path, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, write_rows, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
    assert_int_equal(count_rows(fx.s, "SELECT count(*) FROM lock_t"), THREADS * WRITES);
    assert_int_equal(count_rows(fx.s, "SELECT count(DISTINCT writer * 1000 + n) FROM lock_t"),
                     THREADS * WRITES);
    fixture_close(&fx);
}

static void *begin_and_commit(void *arg)
{
    struct writer *w = arg;
    store *s = NULL;
    p_error err;
    w->failures = 1;
    if (store_open(w->path, &s, &err) != P_OK) return NULL;
    if (store_begin(s, &err) == P_OK && store_commit(s, &err) == P_OK) w->failures = 0;
    store_close(s);
    return NULL;
}

static void test_closing_inside_a_transaction_frees_the_lock(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "wlock2"), 0);
    p_error err;
    store *s = NULL;
    assert_int_equal(store_open(fx.path, &s, &err), P_OK);
    assert_int_equal(store_begin(s, &err), P_OK);
    store_close(s); /* never committed */
    pthread_t t;
    struct writer w = {.path = fx.path};
    assert_int_equal(pthread_create(&t, NULL, begin_and_commit, &w), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.failures, 0);
    fixture_close(&fx);
}

static void test_two_files_two_locks(void **state)
{
    (void)state;
    struct fixture a, b;
    assert_int_equal(fixture_open(&a, "wlocka"), 0);
    assert_int_equal(fixture_open(&b, "wlockb"), 0);
    p_error err;
    assert_int_equal(store_begin(a.s, &err), P_OK);
    pthread_t t;
    struct writer w = {.path = b.path};
    assert_int_equal(pthread_create(&t, NULL, begin_and_commit, &w), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.failures, 0);
    assert_int_equal(store_commit(a.s, &err), P_OK);
    fixture_close(&a);
    fixture_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_writers_queue_and_lose_nothing),
        cmocka_unit_test(test_closing_inside_a_transaction_frees_the_lock),
        cmocka_unit_test(test_two_files_two_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
