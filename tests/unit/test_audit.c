/* test_audit.c: the tamper-evident audit trail on a real SQLite file: the hash chain,
 * its verification after rows are edited or removed behind Polis's back, the
 * append-only triggers, and listing with filters and cursors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "app.h"
#include "auth/audit.h"
#include "core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GENESIS   "0000000000000000000000000000000000000000000000000000000000000000"
#define N_ENTRIES 6

struct fixture {
    char dir[64];
    char path[128];
    store *s;
};

/* Six entries by two actors on two kinds of entity; entry 3 has no before (NULL). */
static int append_entries(store *s)
{
    p_error err;
    for (int i = 1; i <= N_ENTRIES; i++) {
        char id[16];
        snprintf(id, sizeof id, "e%d", i);
        json_t *before = i == 3 ? NULL : json_pack("{s:i, s:s}", "n", i - 1, "name", "старое");
        json_t *after = json_pack("{s:i, s:s}", "n", i, "name", "new \"quoted\"");
        struct audit_entry e = {i % 2 ? "alice" : "bob",
                                i == 1 ? "create" : "update",
                                i <= 4 ? "user" : "organisation",
                                id,
                                before,
                                after,
                                i == 2 ? NULL : "192.0.2.1"};
        int rc = audit_append_alone(s, &e, &err);
        json_decref(before);
        json_decref(after);
        if (rc != P_OK) {
            fprintf(stderr, "append: %s\n", err.message);
            return -1;
        }
    }
    return 0;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/polis-unit-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/polis.db", f->dir);
    p_error err;
    if (app_open_db(f->path, &f->s, &err) != P_OK) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    *state = f;
    return append_entries(f->s);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static store_stmt *prep(store *s, const char *sql)
{
    store_stmt *st = NULL;
    p_error err;
    if (store_prepare(s, sql, &st, &err) != P_OK) fail_msg("prepare %s: %s", sql, err.message);
    return st;
}

static void exec(store *s, const char *sql)
{
    p_error err;
    if (store_exec_script(s, sql, &err) != P_OK) fail_msg("%s: %s", sql, err.message);
}

static void verify_ok(store *s, int64_t want_rows)
{
    int64_t checked = -1;
    p_error err;
    p_error_clear(&err);
    if (audit_verify(s, &checked, &err) != P_OK) fail_msg("verify: %s", err.message);
    assert_int_equal(checked, want_rows);
}

/* audit_verify must fail with P_EINTEGRITY and name entry id in its message, after
 * having passed want_checked intact entries. */
static void verify_broken_at(store *s, int64_t id, int64_t want_checked, const char *what)
{
    int64_t checked = -1;
    p_error err;
    p_error_clear(&err);
    int rc = audit_verify(s, &checked, &err);
    if (rc != P_EINTEGRITY) fail_msg("not detected (%d): %s", rc, what);
    assert_int_equal(err.status, P_EINTEGRITY);
    char a[32], b[32];
    snprintf(a, sizeof a, "entry %lld ", (long long)id);
    snprintf(b, sizeof b, "entry %lld:", (long long)id);
    if (!strstr(err.message, a) && !strstr(err.message, b))
        fail_msg("message does not name entry %lld: %s", (long long)id, err.message);
    assert_int_equal(checked, want_checked);
}

static void drop_triggers(store *s)
{
    exec(s, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;");
}

static void test_chain_links(void **state)
{
    struct fixture *f = *state;
    store_stmt *st = prep(f->s, "SELECT id, prev_hash, hash FROM audit ORDER BY id");
    p_error err;
    char prev[65] = GENESIS;
    int64_t rows = 0, last_id = 0;
    while (store_step(st, &err) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        const char *p = store_col_text(st, 1), *h = store_col_text(st, 2);
        assert_true(id > last_id);
        assert_string_equal(p, prev); /* entry n points at entry n-1; the first at zeros */
        assert_int_equal(strlen(h), 64);
        assert_int_equal(strspn(h, "0123456789abcdef"), 64);
        assert_string_not_equal(h, p);
        snprintf(prev, sizeof prev, "%s", h);
        last_id = id;
        rows++;
    }
    store_reset(st);
    assert_int_equal(rows, N_ENTRIES);
    assert_string_not_equal(prev, GENESIS);
    verify_ok(f->s, N_ENTRIES);

    /* The chain keeps growing correctly after verification. */
    struct audit_entry e = {"cli", "backup", "database", "polis.db", NULL, NULL, ""};
    assert_int_equal(audit_append_alone(f->s, &e, &err), P_OK);
    verify_ok(f->s, N_ENTRIES + 1);

    /* An empty trail verifies trivially. */
    drop_triggers(f->s);
    exec(f->s, "DELETE FROM audit");
    verify_ok(f->s, 0);
}

static void test_triggers_refuse_changes(void **state)
{
    struct fixture *f = *state;
    p_error err;
    static const char *const attempts[] = {
        "UPDATE audit SET actor = 'mallory' WHERE id = 3",
        "UPDATE audit SET before = NULL",
        "DELETE FROM audit WHERE id = 3",
        "DELETE FROM audit",
    };
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        store_stmt *st = prep(f->s, attempts[i]);
        p_error_clear(&err);
        int step = store_step(st, &err);
        store_reset(st);
        if (step >= 0) fail_msg("\"%s\" was allowed", attempts[i]);
        assert_true(err.status != P_OK);
        assert_non_null(strstr(err.message, "append-only"));
    }
    store_stmt *st = prep(f->s, "SELECT COUNT(*), SUM(actor = 'mallory') FROM audit");
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_int_equal(store_col_int(st, 0), N_ENTRIES);
    assert_int_equal(store_col_int(st, 1), 0);
    store_reset(st);
    verify_ok(f->s, N_ENTRIES);
}

static void test_edit_any_column_detected(void **state)
{
    struct fixture *f = *state;
    drop_triggers(f->s);
    /* One column at a time in the middle row (3), each put back before the next. */
    static const char *const edits[] = {
        "UPDATE audit SET at = '2001-01-01T00:00:00Z' WHERE id = 3",
        "UPDATE audit SET actor = 'mallory' WHERE id = 3",
        "UPDATE audit SET action = 'delete' WHERE id = 3",
        "UPDATE audit SET entity = 'country' WHERE id = 3",
        "UPDATE audit SET entity_id = 'e9' WHERE id = 3",
        "UPDATE audit SET after = '{\"n\":333}' WHERE id = 3",
        "UPDATE audit SET after = NULL WHERE id = 3",
        "UPDATE audit SET before = '{\"n\":2}' WHERE id = 3",
        /* NULL and the empty string are different values. */
        "UPDATE audit SET before = '' WHERE id = 3",
        "UPDATE audit SET client = '203.0.113.66' WHERE id = 3",
        "UPDATE audit SET client = '' WHERE id = 3",
        "UPDATE audit SET prev_hash = '" GENESIS "' WHERE id = 3",
        "UPDATE audit SET hash = prev_hash WHERE id = 3",
    };
    exec(f->s, "CREATE TABLE pristine AS SELECT * FROM audit");
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        exec(f->s, edits[i]);
        verify_broken_at(f->s, 3, 2, edits[i]);
        exec(f->s, "DELETE FROM audit; INSERT INTO audit SELECT * FROM pristine");
        verify_ok(f->s, N_ENTRIES);
    }
    /* Editing the first or the last entry is caught as well. */
    exec(f->s, "UPDATE audit SET actor = 'mallory' WHERE id = 1");
    verify_broken_at(f->s, 1, 0, "first entry edited");
    exec(f->s, "DELETE FROM audit; INSERT INTO audit SELECT * FROM pristine");
    exec(f->s, "UPDATE audit SET after = '{}' WHERE id = 6");
    verify_broken_at(f->s, 6, 5, "last entry edited");
}

static void test_delete_detected(void **state)
{
    struct fixture *f = *state;
    drop_triggers(f->s);
    exec(f->s, "CREATE TABLE pristine AS SELECT * FROM audit");
    /* Removing a middle row breaks the link of the row after it. */
    exec(f->s, "DELETE FROM audit WHERE id = 3");
    verify_broken_at(f->s, 4, 2, "middle entry deleted");
    /* So does removing the first. */
    exec(f->s, "DELETE FROM audit; INSERT INTO audit SELECT * FROM pristine");
    exec(f->s, "DELETE FROM audit WHERE id = 1");
    verify_broken_at(f->s, 2, 0, "first entry deleted");
    /* Swapping two rows' contents breaks it too. */
    exec(f->s, "DELETE FROM audit; INSERT INTO audit SELECT * FROM pristine");
    exec(f->s, "UPDATE audit SET id = 100 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = 3;"
               " UPDATE audit SET id = 3 WHERE id = 100");
    verify_broken_at(f->s, 2, 1, "entries swapped");
}

/* ---- listing ---- */

static json_t *list(store *s, struct audit_filter flt, char next[static CURSOR_MAX])
{
    json_t *items = NULL;
    p_error err;
    p_error_clear(&err);
    if (audit_list(s, &flt, &items, next, &err) != P_OK) fail_msg("audit_list: %s", err.message);
    return items;
}

static const char *item_str(json_t *items, size_t i, const char *key)
{
    const char *v = json_string_value(json_object_get(json_array_get(items, i), key));
    return v ? v : "(absent)";
}

static void test_list_filters(void **state)
{
    struct fixture *f = *state;
    char next[CURSOR_MAX];
    json_t *items = list(f->s, (struct audit_filter){.limit = 100}, next);
    assert_int_equal(json_array_size(items), N_ENTRIES);
    assert_string_equal(next, "");
    /* Newest first, with the stored JSON given back as JSON. */
    assert_string_equal(item_str(items, 0, "entity_id"), "e6");
    assert_string_equal(item_str(items, N_ENTRIES - 1, "entity_id"), "e1");
    json_t *first = json_array_get(items, N_ENTRIES - 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(first, "after"), "n")), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(first, "before"), "name")), "старое");
    json_t *third = json_array_get(items, N_ENTRIES - 3);
    assert_true(json_is_null(json_object_get(third, "before")));
    assert_int_equal(strlen(item_str(items, 0, "hash")), 64);
    json_decref(items);

    items = list(f->s, (struct audit_filter){.actor = "alice", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(item_str(items, i, "actor"), "alice");
    json_decref(items);

    items = list(f->s, (struct audit_filter){.entity = "organisation", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);

    items =
        list(f->s, (struct audit_filter){.entity = "user", .entity_id = "e2", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(item_str(items, 0, "actor"), "bob");
    assert_string_equal(item_str(items, 0, "client"), "");
    json_decref(items);

    items = list(f->s, (struct audit_filter){.action = "create", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(item_str(items, 0, "entity_id"), "e1");
    json_decref(items);

    items = list(
        f->s, (struct audit_filter){.actor = "bob", .entity = "organisation", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(item_str(items, 0, "entity_id"), "e6");
    json_decref(items);

    items = list(f->s, (struct audit_filter){.actor = "alice' OR '1'='1", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);

    /* Time bounds are inclusive ISO-8601 text. */
    items = list(f->s,
                 (struct audit_filter){
                     .from = "2000-01-01T00:00:00Z", .to = "2999-01-01T00:00:00Z", .limit = 100},
                 next);
    assert_int_equal(json_array_size(items), N_ENTRIES);
    char at[32];
    snprintf(at, sizeof at, "%s", item_str(items, 0, "at"));
    json_decref(items);
    items = list(f->s, (struct audit_filter){.from = "2999-01-01T00:00:00Z", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    items = list(f->s, (struct audit_filter){.to = "2000-01-01T00:00:00Z", .limit = 100}, next);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    items = list(f->s,
                 (struct audit_filter){
                     .from = at, .to = at, .actor = "bob", .entity_id = "e6", .limit = 100},
                 next);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);
}

static void test_list_pages(void **state)
{
    struct fixture *f = *state;
    char cursor[CURSOR_MAX] = "", next[CURSOR_MAX];
    int64_t seen[N_ENTRIES + 1];
    size_t n_seen = 0;
    int pages = 0;
    do {
        struct audit_filter flt = {.limit = 4, .cursor = cursor[0] ? cursor : NULL};
        json_t *items = list(f->s, flt, next);
        pages++;
        assert_true(json_array_size(items) >= 1 && json_array_size(items) <= 4);
        for (size_t i = 0; i < json_array_size(items); i++) {
            int64_t id = json_integer_value(json_object_get(json_array_get(items, i), "id"));
            if (n_seen > 0) assert_true(id < seen[n_seen - 1]); /* strictly descending */
            assert_true(n_seen < N_ENTRIES);
            seen[n_seen++] = id;
        }
        json_decref(items);
        snprintf(cursor, sizeof cursor, "%s", next);
    } while (cursor[0] && pages < 10);
    assert_int_equal(pages, 2);
    assert_int_equal(n_seen, N_ENTRIES);
    assert_int_equal(seen[0], N_ENTRIES);
    assert_int_equal(seen[N_ENTRIES - 1], 1);

    /* Pages of a filtered list carry the filter on. */
    struct audit_filter flt = {.actor = "alice", .limit = 2};
    json_t *items = list(f->s, flt, next);
    assert_int_equal(json_array_size(items), 2);
    assert_true(next[0] != '\0');
    json_decref(items);
    flt.cursor = next;
    char next2[CURSOR_MAX];
    items = list(f->s, flt, next2);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(item_str(items, 0, "entity_id"), "e1");
    assert_string_equal(next2, "");
    json_decref(items);

    /* An exact fit ends without a further cursor. */
    items = list(f->s, (struct audit_filter){.limit = N_ENTRIES}, next);
    assert_int_equal(json_array_size(items), N_ENTRIES);
    assert_string_equal(next, "");
    json_decref(items);

    /* Cursors that are not ours are refused. */
    static const char *const bad[] = {"!!", "YWJj" /* "abc" */, "MA" /* "0" */, "LTE" /* "-1" */};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct audit_filter b = {.limit = 10, .cursor = bad[i]};
        if (audit_list(f->s, &b, &out, next, &err) != P_EINVAL)
            fail_msg("accepted cursor %s", bad[i]);
        assert_string_equal(err.field, "cursor");
        assert_null(out);
    }
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_triggers_refuse_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edit_any_column_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
