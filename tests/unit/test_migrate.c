/* test_migrate.c: the store on a real SQLite file: migrations from empty to the latest
 * version and their record, the connection settings (WAL, foreign keys), constraint
 * errors mapped to P_ECONFLICT, integrity checks and online backup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "auth/users.h"
#include "core/embed.h"
#include "core/log.h"
#include "framework/framework.h"
#include "store/migrate.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char path[128];
    char backup[128];
    store *s;
};

static const struct actor CLI = {"cli", ""};

static void unlink_db(const char *path)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", path, suffixes[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/polis-unit-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/polis.db", f->dir);
    snprintf(f->backup, sizeof f->backup, "%s/backup.db", f->dir);
    p_error err;
    if (store_open(f->path, &f->s, &err) != P_OK) {
        fprintf(stderr, "setup: %s\n", err.message);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    unlink_db(f->path);
    unlink_db(f->backup);
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

static int64_t scalar(store *s, const char *sql)
{
    store_stmt *st = prep(s, sql);
    p_error err;
    if (store_step(st, &err) != STORE_ROW) fail_msg("%s: no row", sql);
    int64_t v = store_col_int(st, 0);
    store_reset(st);
    return v;
}

static void migrate(store *s)
{
    p_error err;
    int applied = -1;
    if (migrate_apply(s, &applied, &err) != P_OK) fail_msg("migrate: %s", err.message);
}

static int embedded_migrations(void)
{
    int n = 0;
    for (const struct embed_file *f = schema_files; f->name; f++)
        if (strlen(f->name) > 5 && f->name[4] == '_' && strspn(f->name, "0123456789") == 4) n++;
    return n;
}

static void test_fresh_database_migrates(void **state)
{
    struct fixture *f = *state;
    p_error err;
    int version = -1, applied = -1;
    assert_int_equal(migrate_current_version(f->s, &version, &err), P_OK);
    assert_int_equal(version, 0);

    int latest = migrate_latest_version();
    assert_true(latest >= 2);
    int n = embedded_migrations();
    assert_true(n >= 2);

    assert_int_equal(migrate_apply(f->s, &applied, &err), P_OK);
    assert_int_equal(applied, n);
    assert_int_equal(migrate_current_version(f->s, &version, &err), P_OK);
    assert_int_equal(version, latest);

    /* Every embedded migration is recorded once, by number and file name. */
    assert_int_equal(scalar(f->s, "SELECT COUNT(*) FROM schema_migrations"), n);
    assert_int_equal(scalar(f->s, "SELECT MAX(version) FROM schema_migrations"), latest);
    assert_int_equal(
        scalar(
            f->s,
            "SELECT COUNT(*) FROM schema_migrations WHERE applied_at LIKE '____-__-__T__:__:__Z'"),
        n);
    for (const struct embed_file *e = schema_files; e->name; e++) {
        if (strspn(e->name, "0123456789") != 4) continue;
        store_stmt *st = prep(f->s, "SELECT version FROM schema_migrations WHERE name = ?");
        store_bind_text(st, 1, e->name);
        int step = store_step(st, &err);
        if (step != STORE_ROW) fail_msg("%s is not recorded", e->name);
        assert_int_equal(store_col_int(st, 0), strtol(e->name, NULL, 10));
        store_reset(st);
    }

    /* The tables of every migration exist. */
    assert_int_equal(
        scalar(f->s, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                     " ('users', 'sessions', 'api_tokens', 'audit', 'organisations', 'countries')"),
        6);

    /* Applying again does nothing. */
    applied = -1;
    assert_int_equal(migrate_apply(f->s, &applied, &err), P_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(scalar(f->s, "SELECT COUNT(*) FROM schema_migrations"), n);
    assert_int_equal(migrate_apply(f->s, NULL, &err), P_OK);

    assert_int_equal(store_check_integrity(f->s, &err), P_OK);

    /* Reopening finds the same version and nothing to do. */
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(f->path, &f->s, &err), P_OK);
    assert_int_equal(migrate_current_version(f->s, &version, &err), P_OK);
    assert_int_equal(version, latest);
    assert_int_equal(migrate_apply(f->s, &applied, &err), P_OK);
    assert_int_equal(applied, 0);
}

static void test_connection_settings(void **state)
{
    struct fixture *f = *state;
    migrate(f->s);
    p_error err;
    store_stmt *st = prep(f->s, "PRAGMA journal_mode");
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "wal");
    store_reset(st);
    assert_int_equal(scalar(f->s, "PRAGMA foreign_keys"), 1);
    assert_int_equal(scalar(f->s, "PRAGMA synchronous"),
                     2); /* FULL: acknowledged writes survive a crash */
    assert_true(scalar(f->s, "PRAGMA busy_timeout") > 0);
    /* WAL leaves its file beside the database. */
    char wal[160];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    struct stat sb;
    assert_int_equal(stat(wal, &sb), 0);
}

static void test_constraints_are_conflicts(void **state)
{
    struct fixture *f = *state;
    migrate(f->s);
    p_error err;

    /* A session for a user that does not exist. */
    store_stmt *st = prep(f->s, "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at,"
                                " last_seen, expires_at) VALUES ('h', 4242, 'c', 0, 0, 0)");
    p_error_clear(&err);
    assert_int_equal(store_run(st, &err), P_ECONFLICT);
    assert_int_equal(err.status, P_ECONFLICT);
    assert_int_equal(p_status_http(err.status), 409);
    assert_non_null(strstr(err.message, "FOREIGN KEY"));
    assert_int_equal(scalar(f->s, "SELECT COUNT(*) FROM sessions"), 0);

    /* An organisation under a parent that does not exist. */
    st = prep(f->s, "INSERT INTO organisations(code, name, kind, parent_code) VALUES ('X', 'X', "
                    "'unit', 'NOPE')");
    assert_int_equal(store_run(st, &err), P_ECONFLICT);

    /* store_step itself reports the negated status. */
    st = prep(f->s, "INSERT INTO organisations(code, name, kind, country_code) VALUES ('Y', 'Y', "
                    "'unit', 'ZZ')");
    assert_int_equal(store_step(st, &err), -P_ECONFLICT);
    store_reset(st);

    /* Unique and check constraints are conflicts as well; other failures are store errors. */
    st =
        prep(f->s, "INSERT INTO countries(code, name, status) VALUES ('AA', 'A', 'participating')");
    assert_int_equal(store_run(st, &err), P_OK);
    st =
        prep(f->s,
             "INSERT INTO countries(code, name, status) VALUES ('AA', 'A again', 'participating')");
    assert_int_equal(store_run(st, &err), P_ECONFLICT);
    st = prep(f->s, "INSERT INTO countries(code, name, status) VALUES ('BB', 'B', 'observer')");
    assert_int_equal(store_run(st, &err), P_ECONFLICT);
    p_error_clear(&err);
    assert_int_equal(store_prepare(f->s, "SELECT * FROM no_such_table", &st, &err), P_ESTORE);
    assert_int_equal(err.status, P_ESTORE);

    /* A valid reference is accepted. */
    st = prep(f->s, "INSERT INTO organisations(code, name, kind, country_code) VALUES ('Z', 'Z', "
                    "'national', 'AA')");
    assert_int_equal(store_run(st, &err), P_OK);
    assert_int_equal(store_check_integrity(f->s, &err), P_OK);
}

static void test_integrity_check_finds_dangling_reference(void **state)
{
    struct fixture *f = *state;
    migrate(f->s);
    p_error err;
    /* Written with enforcement off, as another tool might: the check still finds it. */
    assert_int_equal(store_exec_script(f->s,
                                       "PRAGMA foreign_keys = OFF;"
                                       " INSERT INTO organisations(code, name, kind, parent_code)"
                                       " VALUES ('ORPHAN', 'O', 'unit', 'GONE');"
                                       " PRAGMA foreign_keys = ON;",
                                       &err),
                     P_OK);
    p_error_clear(&err);
    assert_int_equal(store_check_integrity(f->s, &err), P_EINTEGRITY);
    assert_non_null(strstr(err.message, "organisations"));
}

/* Row count of every table in s, as "name=count;" text. */
static void table_counts(store *s, char *out, size_t size)
{
    char names[96][64];
    int n = 0;
    store_stmt *st = prep(s, "SELECT name FROM sqlite_master WHERE type = 'table'"
                             " AND name NOT LIKE 'sqlite_%' ORDER BY name");
    p_error err;
    while (store_step(st, &err) == STORE_ROW && n < 96)
        snprintf(names[n++], sizeof names[0], "%s", store_col_text(st, 0));
    store_reset(st);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        char sql[128];
        int q = snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%.63s\"", names[i]);
        assert_true(q > 0 && (size_t)q < sizeof sql);
        int w = snprintf(out + used, size - used, "%s=%lld;", names[i], (long long)scalar(s, sql));
        assert_true(w > 0 && (size_t)w < size - used);
        used += (size_t)w;
    }
}

static void test_backup(void **state)
{
    struct fixture *f = *state;
    migrate(f->s);
    p_error err;
    assert_int_equal(framework_load_reference(f->s, &CLI, &err), P_OK);
    struct user_new u = {
        .login = "backup.check", .role = "auditor", .password = "correct horse battery staple"};
    assert_int_equal(users_add(f->s, &u, &CLI, NULL, &err), P_OK);
    /* Uncommitted work is not part of a backup. */
    assert_int_equal(store_begin(f->s, &err), P_OK);
    store_stmt *st =
        prep(f->s, "INSERT INTO countries(code, name, status) VALUES ('QQ', 'Q', 'partner')");
    assert_int_equal(store_run(st, &err), P_OK);
    store_rollback(f->s);

    char before[8192];
    table_counts(f->s, before, sizeof before);
    assert_non_null(strstr(before, "users=1;"));
    assert_null(strstr(before, "organisations=0;"));

    assert_int_equal(store_backup(f->s, f->backup, &err), P_OK);
    store *b = NULL;
    assert_int_equal(store_open(f->backup, &b, &err), P_OK);
    char after[8192];
    table_counts(b, after, sizeof after);
    assert_string_equal(after, before);
    int version = -1;
    assert_int_equal(migrate_current_version(b, &version, &err), P_OK);
    assert_int_equal(version, migrate_latest_version());
    assert_int_equal(store_check_integrity(b, &err), P_OK);
    st = prep(b, "SELECT role FROM users WHERE login = 'backup.check'");
    assert_int_equal(store_step(st, &err), STORE_ROW);
    assert_string_equal(store_col_text(st, 0), "auditor");
    store_reset(st);
    store_close(b);

    /* The original is untouched and still writable. */
    char again[4096];
    table_counts(f->s, again, sizeof again);
    assert_string_equal(again, before);
    st = prep(f->s, "INSERT INTO countries(code, name, status) VALUES ('QQ', 'Q', 'partner')");
    assert_int_equal(store_run(st, &err), P_OK);

    /* A destination that cannot be created is an error, not a crash. */
    p_error_clear(&err);
    assert_true(store_backup(f->s, "/nonexistent-dir/sub/backup.db", &err) != P_OK);
    assert_true(err.message[0] != '\0');
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_database_migrates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraints_are_conflicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_integrity_check_finds_dangling_reference, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
