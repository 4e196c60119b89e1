/* test_group.c: group commit (store_group_run). Threads with a connection each to one
 * SQLite file submit work at once: every piece that succeeds is there, every piece that
 * fails after writing leaves nothing, each writer gets its own result, and the audit chain
 * appended inside the batches stays whole; a store with no group runs work alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture_db.h"
#include "auth/audit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 6, JOBS = 60 };

struct row {
    int writer, n;
};

/* Inserts the row, audits it, and fails after writing when n % 7 == 3. */
static int insert_row(store *s, void *ctx, p_error *err)
{
    const struct row *r = ctx;
    store_stmt *st;
    int rc = store_prepare(s, "INSERT INTO group_t(writer, n) VALUES (?, ?)", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, r->writer);
    store_bind_int(st, 2, r->n);
    rc = store_run(st, err);
    char id[32];
    snprintf(id, sizeof id, "%d.%d", r->writer, r->n);
    struct audit_entry e = {"tester", "create", "group_row", id, NULL, NULL, ""};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK && r->n % 7 == 3) rc = p_fail(err, P_EUNPROC, "n", "row %s is refused", id);
    return rc;
}

struct writer {
    const char *path;
    int id;
    int wrong; /* results that were not what the row asked for */
};

static void *submit(void *arg)
{
    struct writer *w = arg;
    store *s = NULL;
    p_error err;
    if (store_open(w->path, &s, &err) != P_OK) {
        w->wrong = JOBS;
        return NULL;
    }
    for (int i = 0; i < JOBS; i++) {
        struct row r = {w->id, i};
        p_error_clear(&err);
        int rc = store_group_run(s, insert_row, &r, &err);
        int want = i % 7 == 3 ? P_EUNPROC : P_OK;
        if (rc != want || (rc != P_OK && strcmp(err.field, "n") != 0)) w->wrong++;
    }
    store_close(s);
    return NULL;
}

static int64_t scalar(store *s, const char *sql)
{
    p_error err;
    store_stmt *st;
    assert_int_equal(store_prepare(s, sql, &st, &err), P_OK);
    assert_int_equal(store_step(st, &err), STORE_ROW);
    int64_t n = store_col_int(st, 0);
    store_reset(st);
    return n;
}

static void test_batches_keep_each_result(void **state)
{
    (void)state;
    struct fixture fx;
    assert_int_equal(fixture_open(&fx, "group"), 0);
    p_error err;
    assert_int_equal(
        store_exec_script(fx.s, "CREATE TABLE group_t(writer INTEGER, n INTEGER);", &err), P_OK);
    int64_t audited = scalar(fx.s, "SELECT count(*) FROM audit");
    pthread_t t[THREADS];
    struct writer w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct writer){.path = fx.path, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, submit, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].wrong, 0);
    }
    int refused = 0;
    for (int i = 0; i < JOBS; i++)
        refused += i % 7 == 3;
    int64_t kept = (int64_t)THREADS * (JOBS - refused);
    assert_int_equal(scalar(fx.s, "SELECT count(*) FROM group_t"), kept);
    assert_int_equal(scalar(fx.s, "SELECT count(*) FROM group_t WHERE n % 7 = 3"), 0);
    assert_int_equal(scalar(fx.s, "SELECT count(*) FROM audit") - audited, kept);
    int64_t checked = 0;
    assert_int_equal(audit_verify(fx.s, &checked, &err), P_OK);
    fixture_close(&fx);
}

/* Inserts the row; fails after writing when n % 7 == 3. */
static int insert_plain(store *s, void *ctx, p_error *err)
{
    const struct row *r = ctx;
    store_stmt *st;
    int rc = store_prepare(s, "INSERT INTO group_t(writer, n) VALUES (?, ?)", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, r->writer);
    store_bind_int(st, 2, r->n);
    rc = store_run(st, err);
    if (rc == P_OK && r->n % 7 == 3) rc = p_fail(err, P_EUNPROC, "n", "refused");
    return rc;
}

static void test_without_a_group_work_runs_alone(void **state)
{
    (void)state;
    store *s = NULL;
    p_error err;
    assert_int_equal(store_open(":memory:", &s, &err), P_OK);
    assert_int_equal(store_exec_script(s, "CREATE TABLE group_t(writer INTEGER, n INTEGER);", &err),
                     P_OK);
    struct row ok = {1, 1}, refused = {1, 3};
    assert_int_equal(store_group_run(s, insert_plain, &ok, &err), P_OK);
    assert_int_equal(store_group_run(s, insert_plain, &refused, &err), P_EUNPROC);
    assert_string_equal(err.field, "n");
    assert_int_equal(scalar(s, "SELECT count(*) FROM group_t"), 1);
    assert_int_equal(scalar(s, "SELECT count(*) FROM group_t WHERE n = 3"), 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batches_keep_each_result),
        cmocka_unit_test(test_without_a_group_work_runs_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
