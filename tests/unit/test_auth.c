/* test_auth.c: accounts on a real SQLite file: user validation and audit, browser
 * sessions and their expiry, the CSRF rule, API tokens, login throttling and sign-in.
 * Each test gets a fresh migrated database with the reference data loaded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/authz.h"
#include "auth/login.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/throttle.h"
#include "auth/users.h"
#include "core/config.h"
#include "core/log.h"
#include "framework/framework.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PW "correct horse battery staple"

struct fixture {
    char dir[64];
    char path[128];
    store *s;
};

static const struct actor CLI = {"cli", ""};
static const struct actor ADMIN = {"admin", "192.0.2.7"};

static void remove_db_files(const struct fixture *f)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/polis-unit-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/polis.db", f->dir);
    p_error err;
    p_error_clear(&err);
    if (app_open_db(f->path, &f->s, &err) != P_OK ||
        framework_load_reference(f->s, &CLI, &err) != P_OK) {
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
    remove_db_files(f);
    free(f);
    unsetenv("POLIS_SESSION_IDLE_S");
    unsetenv("POLIS_SESSION_MAX_S");
    unsetenv("POLIS_LOGIN_MAX_ACCOUNT");
    unsetenv("POLIS_LOGIN_WINDOW_S");
    config_reload();
    return 0;
}

/* ---- small SQL helpers (tests only peek and poke through the store interface) ---- */

static store_stmt *prep(store *s, const char *sql)
{
    store_stmt *st = NULL;
    p_error err;
    if (store_prepare(s, sql, &st, &err) != P_OK) fail_msg("prepare %s: %s", sql, err.message);
    return st;
}

static void run(store_stmt *st)
{
    p_error err;
    if (store_run(st, &err) != P_OK) fail_msg("run: %s", err.message);
}

/* The first column of the first row as an integer; the query must return a row. */
static int64_t scalar(store_stmt *st)
{
    p_error err;
    int step = store_step(st, &err);
    if (step != STORE_ROW) fail_msg("scalar: no row (%d) %s", step, err.message);
    int64_t v = store_col_int(st, 0);
    store_reset(st);
    return v;
}

static int64_t count_where_text(store *s, const char *sql, const char *arg)
{
    store_stmt *st = prep(s, sql);
    store_bind_text(st, 1, arg);
    return scalar(st);
}

static int64_t audit_count(store *s)
{
    return scalar(prep(s, "SELECT COUNT(*) FROM audit"));
}

/* The newest audit entry; before and after are new references (or NULL). */
struct audit_row {
    char actor[64], action[32], entity[32], entity_id[64], client[64];
    json_t *before, *after;
};

static void last_audit(store *s, struct audit_row *r)
{
    store_stmt *st = prep(s, "SELECT actor, action, entity, entity_id, client, before, after"
                             " FROM audit ORDER BY id DESC LIMIT 1");
    p_error err;
    assert_int_equal(store_step(st, &err), STORE_ROW);
    snprintf(r->actor, sizeof r->actor, "%s", store_col_text(st, 0));
    snprintf(r->action, sizeof r->action, "%s", store_col_text(st, 1));
    snprintf(r->entity, sizeof r->entity, "%s", store_col_text(st, 2));
    snprintf(r->entity_id, sizeof r->entity_id, "%s", store_col_text(st, 3));
    snprintf(r->client, sizeof r->client, "%s", store_col_text(st, 4));
    r->before = store_col_null(st, 5) ? NULL : json_loads(store_col_text(st, 5), 0, NULL);
    r->after = store_col_null(st, 6) ? NULL : json_loads(store_col_text(st, 6), 0, NULL);
    store_reset(st);
}

static void audit_row_free(struct audit_row *r)
{
    json_decref(r->before);
    json_decref(r->after);
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "(absent)";
}

static struct user add_user(store *s, const char *login, const char *role, const char *org)
{
    struct user_new n = {.login = login,
                         .role = role,
                         .org = org,
                         .display_name = login,
                         .lang = "en",
                         .password = PW};
    struct user u;
    p_error err;
    p_error_clear(&err);
    if (users_add(s, &n, &ADMIN, &u, &err) != P_OK)
        fail_msg("users_add %s: %s", login, err.message);
    return u;
}

static void expect_add_fails(store *s, const struct user_new *n, p_status status, const char *field)
{
    p_error err;
    p_error_clear(&err);
    int rc = users_add(s, n, &ADMIN, NULL, &err);
    if (rc != (int)status || strcmp(err.field, field) != 0)
        fail_msg("users_add(%s): got %d field '%s' (%s), want %d field '%s'",
                 n->login ? n->login : "(null)", rc, err.field, err.message, status, field);
}

/* ---- users ---- */

static void test_users_add_validations(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    int64_t audits = audit_count(s);
    struct user_new base = {.login = "officer.bishkek",
                            .role = "programme_officer",
                            .org = "BISHKEK",
                            .display_name = "Айгуль",
                            .lang = "ru",
                            .password = PW};
    struct user_new n;

    static const char *const bad_logins[] = {"ab",    "Officer",      ".officer", "-x1",
                                             "a b c", "officer@osce", "офицер",   ""};
    for (size_t i = 0; i < sizeof bad_logins / sizeof bad_logins[0]; i++) {
        n = base;
        n.login = bad_logins[i];
        expect_add_fails(s, &n, P_EUNPROC, "login");
    }
    char long_login[66];
    memset(long_login, 'a', 65);
    long_login[65] = '\0';
    n = base;
    n.login = long_login;
    expect_add_fails(s, &n, P_EUNPROC, "login");
    n.login = NULL;
    expect_add_fails(s, &n, P_EUNPROC, "login");

    n = base;
    n.role = NULL;
    expect_add_fails(s, &n, P_EUNPROC, "role");
    n.role = "root";
    expect_add_fails(s, &n, P_EUNPROC, "role");
    n.role = "admin|auditor";
    expect_add_fails(s, &n, P_EUNPROC, "role");

    n = base;
    n.org = "NO-SUCH-ORG";
    expect_add_fails(s, &n, P_EUNPROC, "org");
    n.org = "bishkek"; /* codes are exact */
    expect_add_fails(s, &n, P_EUNPROC, "org");

    n = base;
    n.display_name = "bad \xff name";
    expect_add_fails(s, &n, P_EUNPROC, "display_name");
    char long_name[260];
    memset(long_name, 'n', 129);
    long_name[129] = '\0';
    n.display_name = long_name;
    expect_add_fails(s, &n, P_EUNPROC, "display_name");

    n = base;
    n.lang = "de";
    expect_add_fails(s, &n, P_EUNPROC, "lang");

    n = base;
    n.password = "short";
    expect_add_fails(s, &n, P_EUNPROC, "password");
    n.password = "long enough but \xc0\xaf";
    expect_add_fails(s, &n, P_EINVAL, "password");

    /* Nothing was written by any refused attempt. */
    assert_int_equal(scalar(prep(s, "SELECT COUNT(*) FROM users")), 0);
    assert_int_equal(audit_count(s), audits);

    /* 128 characters of Cyrillic (256 bytes) is a legal display name. */
    char cyr[300] = "";
    for (int i = 0; i < 128; i++)
        memcpy(cyr + 2 * i, "ж", 3);
    n = base;
    n.display_name = cyr;
    struct user u;
    p_error err;
    assert_int_equal(users_add(s, &n, &ADMIN, &u, &err), P_OK);
    assert_true(u.id > 0);
    assert_string_equal(u.login, "officer.bishkek");
    assert_string_equal(u.role, "programme_officer");
    assert_string_equal(u.org, "BISHKEK");
    assert_string_equal(u.lang, "ru");
    assert_string_equal(u.display_name, cyr);
    assert_false(u.disabled);
    /* An odd byte count must not be cut inside a character either: the JSON form of the
     * user (API replies, audit) needs valid UTF-8. */
    char odd[300] = "a";
    for (int i = 0; i < 127; i++)
        memcpy(odd + 1 + 2 * i, "ж", 3);
    struct user_new n2 = {
        .login = "odd.name", .role = "librarian", .display_name = odd, .password = PW};
    struct user u2;
    assert_int_equal(users_add(s, &n2, &ADMIN, &u2, &err), P_OK);
    assert_string_equal(u2.display_name, odd);
    json_t *j = users_to_json(&u2);
    assert_non_null(j);
    assert_string_equal(jstr(j, "display_name"), odd);
    json_decref(j);
    struct audit_row r2;
    last_audit(s, &r2);
    assert_non_null(r2.after);
    assert_string_equal(jstr(r2.after, "display_name"), odd);
    audit_row_free(&r2);
    assert_int_equal(strlen(u.created_at), 20);
    assert_int_equal(u.created_at[10], 'T');

    /* The store keeps an argon2id hash, never the password. */
    assert_int_equal(
        count_where_text(
            s, "SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$%' AND login = ?",
            "officer.bishkek"),
        1);
    assert_int_equal(count_where_text(s, "SELECT COUNT(*) FROM users WHERE password_hash = ?", PW),
                     0);

    /* Audited as a create, with the public form only. */
    assert_int_equal(audit_count(s), audits + 2);
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM audit WHERE entity_id = ?", "officer.bishkek"),
        1);
    struct audit_row r;
    {
        store_stmt *st = prep(s, "SELECT actor, action, entity, entity_id, client, before, after"
                                 " FROM audit WHERE entity_id = 'officer.bishkek'");
        assert_int_equal(store_step(st, &err), STORE_ROW);
        snprintf(r.actor, sizeof r.actor, "%s", store_col_text(st, 0));
        snprintf(r.action, sizeof r.action, "%s", store_col_text(st, 1));
        snprintf(r.entity, sizeof r.entity, "%s", store_col_text(st, 2));
        snprintf(r.entity_id, sizeof r.entity_id, "%s", store_col_text(st, 3));
        snprintf(r.client, sizeof r.client, "%s", store_col_text(st, 4));
        r.before = store_col_null(st, 5) ? NULL : json_loads(store_col_text(st, 5), 0, NULL);
        r.after = store_col_null(st, 6) ? NULL : json_loads(store_col_text(st, 6), 0, NULL);
        store_reset(st);
    }
    assert_string_equal(r.actor, "admin");
    assert_string_equal(r.action, "create");
    assert_string_equal(r.entity, "user");
    assert_string_equal(r.entity_id, "officer.bishkek");
    assert_string_equal(r.client, "192.0.2.7");
    assert_null(r.before);
    assert_non_null(r.after);
    assert_string_equal(jstr(r.after, "role"), "programme_officer");
    assert_string_equal(jstr(r.after, "org"), "BISHKEK");
    assert_null(json_object_get(r.after, "password_hash"));
    assert_null(json_object_get(r.after, "password"));
    audit_row_free(&r);

    /* A taken login is a conflict, and the failed attempt leaves no trace. */
    n = base;
    n.role = "librarian";
    n.org = NULL;
    expect_add_fails(s, &n, P_ECONFLICT, "login");
    assert_int_equal(scalar(prep(s, "SELECT COUNT(*) FROM users")), 2);
    assert_int_equal(audit_count(s), audits + 2);

    /* No organisation and no language: stored as none and "en". */
    struct user_new plain = {.login = "lib1", .role = "librarian", .password = PW};
    assert_int_equal(users_add(s, &plain, &CLI, &u, &err), P_OK);
    assert_string_equal(u.org, "");
    assert_string_equal(u.lang, "en");
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM users WHERE org_code IS NULL AND login = ?",
                         "lib1"),
        1);
}

static void test_users_find(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    struct user added = add_user(s, "coord", "coordinator", "SPMU");
    struct user u;
    char hash[PASSWORD_HASH_MAX];
    p_error err;
    assert_int_equal(users_find(s, "coord", &u, hash, &err), P_OK);
    assert_int_equal(u.id, added.id);
    assert_string_equal(u.role, "coordinator");
    assert_string_equal(u.org, "SPMU");
    assert_true(password_verify(hash, PW));
    assert_false(password_verify(hash, "wrong password"));
    assert_int_equal(users_find(s, "coord", &u, NULL, &err), P_OK);

    p_error_clear(&err);
    assert_int_equal(users_find(s, "nobody", &u, NULL, &err), P_ENOTFOUND);
    assert_string_equal(err.field, "login");
    assert_int_equal(users_find(s, "COORD", &u, NULL, &err), P_ENOTFOUND);
    assert_int_equal(users_find(s, "coord' OR '1'='1", &u, NULL, &err), P_ENOTFOUND);

    assert_int_equal(users_get(s, added.id, &u, &err), P_OK);
    assert_string_equal(u.login, "coord");
    assert_int_equal(users_get(s, added.id + 1000, &u, &err), P_ENOTFOUND);

    /* Listing pages through logins in order with cursors. */
    add_user(s, "alpha", "librarian", NULL);
    add_user(s, "zulu", "auditor", NULL);
    json_t *items = NULL;
    char next[CURSOR_MAX];
    assert_int_equal(users_list(s, NULL, 2, &items, next, &err), P_OK);
    assert_int_equal(json_array_size(items), 2);
    assert_string_equal(jstr(json_array_get(items, 0), "login"), "alpha");
    assert_string_equal(jstr(json_array_get(items, 1), "login"), "coord");
    assert_null(json_object_get(json_array_get(items, 0), "password_hash"));
    assert_true(next[0] != '\0');
    json_decref(items);
    char next2[CURSOR_MAX];
    assert_int_equal(users_list(s, next, 2, &items, next2, &err), P_OK);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(jstr(json_array_get(items, 0), "login"), "zulu");
    assert_string_equal(next2, "");
    json_decref(items);
    assert_int_equal(users_list(s, "not a cursor!", 2, &items, next2, &err), P_EINVAL);
}

static void test_users_update_audited(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    add_user(s, "officer", "programme_officer", "BISHKEK");
    int64_t audits = audit_count(s);
    p_error err;
    struct user u;

    struct user_patch p = {.role = "coordinator",
                           .org = "SPMU",
                           .display_name = "Новое имя",
                           .lang = "ru",
                           .disabled = -1};
    assert_int_equal(users_update(s, "officer", &p, &ADMIN, &u, &err), P_OK);
    assert_string_equal(u.role, "coordinator");
    assert_string_equal(u.org, "SPMU");
    assert_string_equal(u.display_name, "Новое имя");
    assert_string_equal(u.lang, "ru");
    assert_int_equal(audit_count(s), audits + 1);
    struct audit_row r;
    last_audit(s, &r);
    assert_string_equal(r.action, "update");
    assert_string_equal(r.entity, "user");
    assert_string_equal(r.entity_id, "officer");
    assert_string_equal(r.actor, "admin");
    assert_non_null(r.before);
    assert_non_null(r.after);
    assert_string_equal(jstr(r.before, "role"), "programme_officer");
    assert_string_equal(jstr(r.after, "role"), "coordinator");
    assert_string_equal(jstr(r.before, "org"), "BISHKEK");
    assert_string_equal(jstr(r.after, "org"), "SPMU");
    assert_string_equal(jstr(r.before, "lang"), "en");
    assert_string_equal(jstr(r.after, "lang"), "ru");
    assert_null(json_object_get(r.after, "password_changed"));
    audit_row_free(&r);

    /* NULL fields stay as they are; "" clears the organisation. */
    struct user_patch clear_org = {.org = "", .disabled = -1};
    assert_int_equal(users_update(s, "officer", &clear_org, &ADMIN, &u, &err), P_OK);
    assert_string_equal(u.org, "");
    assert_string_equal(u.role, "coordinator");
    assert_string_equal(u.display_name, "Новое имя");
    last_audit(s, &r);
    assert_string_equal(jstr(r.before, "org"), "SPMU");
    assert_true(json_is_null(json_object_get(r.after, "org")));
    audit_row_free(&r);

    /* Refused patches change nothing and are not audited. */
    int64_t before_refusals = audit_count(s);
    struct user_patch bad_role = {.role = "superuser", .disabled = -1};
    p_error_clear(&err);
    assert_int_equal(users_update(s, "officer", &bad_role, &ADMIN, &u, &err), P_EUNPROC);
    assert_string_equal(err.field, "role");
    struct user_patch bad_org = {.org = "NOWHERE", .disabled = -1};
    assert_int_equal(users_update(s, "officer", &bad_org, &ADMIN, &u, &err), P_EUNPROC);
    assert_string_equal(err.field, "org");
    struct user_patch bad_pw = {.password = "short", .disabled = -1};
    assert_int_equal(users_update(s, "officer", &bad_pw, &ADMIN, &u, &err), P_EUNPROC);
    assert_string_equal(err.field, "password");
    struct user_patch fine = {.lang = "en", .disabled = -1};
    assert_int_equal(users_update(s, "ghost", &fine, &ADMIN, &u, &err), P_ENOTFOUND);
    assert_int_equal(audit_count(s), before_refusals);
    assert_int_equal(users_find(s, "officer", &u, NULL, &err), P_OK);
    assert_string_equal(u.role, "coordinator");
    assert_string_equal(u.lang, "ru");

    /* A password change is audited without the password, and ends the user's sessions. */
    char token[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], hash[65];
    assert_int_equal(session_create(s, u.id, token, csrf, &err), P_OK);
    struct user_patch pw = {.password = "another long passphrase", .disabled = -1};
    assert_int_equal(users_update(s, "officer", &pw, &ADMIN, &u, &err), P_OK);
    last_audit(s, &r);
    assert_true(json_is_true(json_object_get(r.after, "password_changed")));
    char *dump = json_dumps(r.after, 0);
    assert_null(strstr(dump, "another long passphrase"));
    free(dump);
    audit_row_free(&r);
    char stored[PASSWORD_HASH_MAX];
    assert_int_equal(users_find(s, "officer", &u, stored, &err), P_OK);
    assert_true(password_verify(stored, "another long passphrase"));
    assert_false(password_verify(stored, PW));
    struct user who;
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_EAUTH);
}

/* ---- sessions ---- */

static void set_session_times(store *s, const char *hash, int64_t created, int64_t last_seen,
                              int64_t expires)
{
    store_stmt *st = prep(s, "UPDATE sessions SET created_at = ?, last_seen = ?, expires_at = ?"
                             " WHERE token_hash = ?");
    store_bind_int(st, 1, created);
    store_bind_int(st, 2, last_seen);
    store_bind_int(st, 3, expires);
    store_bind_text(st, 4, hash);
    run(st);
    assert_int_equal(store_changes(s), 1);
}

static int64_t session_col(store *s, const char *col_sql, const char *hash)
{
    return count_where_text(s, col_sql, hash);
}

static void test_session_create_lookup_end(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    struct user u = add_user(s, "inspector.osh", "police_officer", "BISHKEK");
    char token[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], csrf2[SECRET_TEXT_MAX], hash[65];
    p_error err;
    assert_int_equal(session_create(s, u.id, token, csrf, &err), P_OK);
    assert_true(strlen(token) >= 43); /* 32 random bytes */
    assert_true(strlen(csrf) >= 43);
    assert_string_not_equal(token, csrf);

    struct user who;
    assert_int_equal(session_lookup(s, token, &who, csrf2, hash, &err), P_OK);
    assert_int_equal(who.id, u.id);
    assert_string_equal(who.login, "inspector.osh");
    assert_string_equal(who.role, "police_officer");
    assert_string_equal(who.org, "BISHKEK");
    assert_string_equal(csrf2, csrf);
    char expect_hash[65];
    secret_hash(token, expect_hash);
    assert_string_equal(hash, expect_hash);

    /* Only the hash is stored: the database cannot be used to log in. */
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", token), 0);
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", hash), 1);
    /* Looking up by the stored hash does not work either. */
    assert_int_equal(session_lookup(s, hash, &who, csrf2, expect_hash, &err), P_EAUTH);

    /* Two sessions of one user are independent. */
    char token2[SECRET_TEXT_MAX], csrf_b[SECRET_TEXT_MAX], hash2[65];
    assert_int_equal(session_create(s, u.id, token2, csrf_b, &err), P_OK);
    assert_string_not_equal(token, token2);
    assert_string_not_equal(csrf, csrf_b);

    assert_int_equal(session_end(s, hash, &err), P_OK);
    p_error_clear(&err);
    assert_int_equal(session_lookup(s, token, &who, csrf2, hash, &err), P_EAUTH);
    assert_string_equal(err.code, "unauthenticated");
    assert_int_equal(session_lookup(s, token2, &who, csrf2, hash2, &err), P_OK);

    /* Junk tokens. */
    assert_int_equal(session_lookup(s, "", &who, csrf2, hash2, &err), P_EAUTH);
    assert_int_equal(session_lookup(s, NULL, &who, csrf2, hash2, &err), P_EAUTH);
    char huge[200];
    memset(huge, 'A', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    assert_int_equal(session_lookup(s, huge, &who, csrf2, hash2, &err), P_EAUTH);
}

static void test_session_idle_expiry(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    setenv("POLIS_SESSION_IDLE_S", "300", 1);
    setenv("POLIS_SESSION_MAX_S", "3600", 1);
    config_reload();
    assert_int_equal(config_get()->session_idle_s, 300);
    struct user u = add_user(s, "idle", "librarian", NULL);
    char token[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], hash[65];
    p_error err;
    assert_int_equal(session_create(s, u.id, token, csrf, &err), P_OK);
    secret_hash(token, hash);
    struct user who;
    int64_t now = (int64_t)time(NULL);

    /* Idle for just under the limit: still valid, and the use refreshes last_seen. */
    set_session_times(s, hash, now - 1000, now - 290, now + 2600);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_OK);
    int64_t seen = session_col(s, "SELECT last_seen FROM sessions WHERE token_hash = ?", hash);
    assert_true(seen >= now && seen <= (int64_t)time(NULL));
    /* The refresh never extends the absolute limit. */
    assert_int_equal(session_col(s, "SELECT expires_at FROM sessions WHERE token_hash = ?", hash),
                     now + 2600);

    /* Idle for longer than the limit: refused, and not revived by the attempt. */
    set_session_times(s, hash, now - 1000, now - 310, now + 2600);
    p_error_clear(&err);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_EAUTH);
    assert_int_equal(session_col(s, "SELECT last_seen FROM sessions WHERE token_hash = ?", hash),
                     now - 310);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_EAUTH);

    /* The idle limit follows the configuration. */
    setenv("POLIS_SESSION_IDLE_S", "600", 1);
    config_reload();
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_OK);
}

static void test_session_absolute_expiry(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    setenv("POLIS_SESSION_IDLE_S", "300", 1);
    setenv("POLIS_SESSION_MAX_S", "3600", 1);
    config_reload();
    struct user u = add_user(s, "absolute", "librarian", NULL);
    char token[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], hash[65];
    p_error err;
    int64_t t0 = (int64_t)time(NULL);
    assert_int_equal(session_create(s, u.id, token, csrf, &err), P_OK);
    secret_hash(token, hash);
    /* The absolute lifetime is fixed at creation from the configuration. */
    int64_t created = session_col(s, "SELECT created_at FROM sessions WHERE token_hash = ?", hash);
    assert_true(created >= t0 && created <= (int64_t)time(NULL));
    assert_int_equal(
        session_col(s, "SELECT expires_at - created_at FROM sessions WHERE token_hash = ?", hash),
        3600);

    /* Busy all along (never idle), but past the absolute limit: refused. */
    struct user who;
    int64_t now = (int64_t)time(NULL);
    set_session_times(s, hash, now - 3601, now, now - 1);
    p_error_clear(&err);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_EAUTH);
    /* One second before the limit it still works. */
    set_session_times(s, hash, now - 3599, now, now + 5);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_OK);

    /* A different maximum applies to sessions created after the change. */
    setenv("POLIS_SESSION_MAX_S", "120", 1);
    config_reload();
    char token2[SECRET_TEXT_MAX], hash2[65];
    assert_int_equal(session_create(s, u.id, token2, csrf, &err), P_OK);
    secret_hash(token2, hash2);
    assert_int_equal(
        session_col(s, "SELECT expires_at - created_at FROM sessions WHERE token_hash = ?", hash2),
        120);
}

static void set_disabled(store *s, int64_t id, int disabled)
{
    store_stmt *st = prep(s, "UPDATE users SET disabled = ? WHERE id = ?");
    store_bind_int(st, 1, disabled);
    store_bind_int(st, 2, id);
    run(st);
}

static void test_session_disabled_user(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    struct user u = add_user(s, "disabled", "forum_member", NULL);
    char token[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX], hash[65];
    p_error err;
    struct user who;
    assert_int_equal(session_create(s, u.id, token, csrf, &err), P_OK);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_OK);

    /* A disabled account's live session is refused at once. */
    set_disabled(s, u.id, 1);
    p_error_clear(&err);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_EAUTH);
    assert_non_null(strstr(err.message, "disabled"));
    set_disabled(s, u.id, 0);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_OK);

    /* Disabling through users_update ends the sessions for good. */
    struct user_patch p = {.disabled = 1};
    assert_int_equal(users_update(s, "disabled", &p, &ADMIN, &who, &err), P_OK);
    assert_true(who.disabled);
    assert_int_equal(scalar(prep(s, "SELECT COUNT(*) FROM sessions")), 0);
    p.disabled = 0;
    assert_int_equal(users_update(s, "disabled", &p, &ADMIN, &who, &err), P_OK);
    assert_int_equal(session_lookup(s, token, &who, csrf, hash, &err), P_EAUTH);
}

/* ---- CSRF through authorization ---- */

static void principal_from_session(store *s, const char *token, principal *p)
{
    struct user u;
    char csrf[SECRET_TEXT_MAX], hash[65];
    p_error err;
    if (session_lookup(s, token, &u, csrf, hash, &err) != P_OK) fail_msg("lookup: %s", err.message);
    memset(p, 0, sizeof *p);
    p->via = AUTH_SESSION;
    p->user_id = u.id;
    snprintf(p->login, sizeof p->login, "%s", u.login);
    snprintf(p->role, sizeof p->role, "%s", u.role);
    snprintf(p->org, sizeof p->org, "%s", u.org);
    snprintf(p->csrf, sizeof p->csrf, "%s", csrf);
    snprintf(p->session_hash, sizeof p->session_hash, "%s", hash);
}

static void test_csrf_rule(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    struct user u = add_user(s, "boss", "admin", NULL);
    char token[SECRET_TEXT_MAX], csrf[SECRET_TEXT_MAX];
    p_error err;
    assert_int_equal(session_create(s, u.id, token, csrf, &err), P_OK);
    principal p;
    principal_from_session(s, token, &p);
    assert_string_equal(p.csrf, csrf);

    for (int perm = 0; perm < PERM_COUNT; perm++) {
        /* A cookie-authenticated write without the token is refused with code "csrf". */
        p.csrf_ok = false;
        p_error_clear(&err);
        assert_int_equal(authz_check(&p, (enum permission)perm, "SPMU", true, &err), P_EFORBIDDEN);
        assert_string_equal(err.code, "csrf");
        assert_int_equal(p_status_http(err.status), 403);
        /* With it, allowed. */
        p.csrf_ok = true;
        assert_int_equal(authz_check(&p, (enum permission)perm, "SPMU", true, &err), P_OK);
        /* Reads never need it. */
        p.csrf_ok = false;
        assert_int_equal(authz_check(&p, (enum permission)perm, "SPMU", false, &err), P_OK);
    }

    /* Bearer tokens are not sent by browsers on their own, so they never need it. */
    char api[SECRET_TEXT_MAX];
    int64_t id;
    assert_int_equal(token_create(s, "boss", "ci", &ADMIN, api, &id, &err), P_OK);
    struct user tu;
    assert_int_equal(token_lookup(s, api, &tu, &err), P_OK);
    principal t;
    memset(&t, 0, sizeof t);
    t.via = AUTH_TOKEN;
    t.user_id = tu.id;
    snprintf(t.role, sizeof t.role, "%s", tu.role);
    t.csrf_ok = false;
    assert_int_equal(authz_check(&t, PERM_USERS_ADMIN, NULL, true, &err), P_OK);

    /* The CSRF rule comes before the role check, but does not replace it. */
    struct user lib = add_user(s, "reader", "librarian", NULL);
    char lt[SECRET_TEXT_MAX], lc[SECRET_TEXT_MAX];
    assert_int_equal(session_create(s, lib.id, lt, lc, &err), P_OK);
    principal_from_session(s, lt, &p);
    p.csrf_ok = true;
    p_error_clear(&err);
    assert_int_equal(authz_check(&p, PERM_USERS_ADMIN, NULL, true, &err), P_EFORBIDDEN);
    assert_string_equal(err.code, "forbidden");
}

/* ---- API tokens ---- */

static void test_api_tokens(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    struct user owner = add_user(s, "robot", "coordinator", "SPMU");
    add_user(s, "other", "librarian", NULL);
    int64_t audits = audit_count(s);
    char tok[SECRET_TEXT_MAX];
    int64_t id = 0;
    p_error err;
    assert_int_equal(token_create(s, "robot", "nightly export", &ADMIN, tok, &id, &err), P_OK);
    assert_true(id > 0);
    assert_int_equal(strncmp(tok, "polis_", 6), 0);
    assert_true(strlen(tok) >= 6 + 43);
    assert_int_equal(audit_count(s), audits + 1);
    struct audit_row r;
    last_audit(s, &r);
    assert_string_equal(r.action, "create");
    assert_string_equal(r.entity, "api_token");
    char *dump = json_dumps(r.after, 0);
    assert_null(strstr(dump, tok + 6));
    free(dump);
    audit_row_free(&r);

    struct user u;
    assert_int_equal(token_lookup(s, tok, &u, &err), P_OK);
    assert_int_equal(u.id, owner.id);
    assert_string_equal(u.role, "coordinator");
    assert_string_equal(u.org, "SPMU");
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?", tok), 0);

    /* The lookup reads the audit log's head with the token: the token's creation is it. */
    int64_t seen = -1, head_id = 0;
    char head_hash[65];
    assert_int_equal(token_lookup_at_head(s, tok, &u, &seen, &err), P_OK);
    assert_int_equal(audit_head(s, &head_id, head_hash, &err), P_OK);
    assert_int_equal(seen, head_id);
    assert_int_equal(u.id, owner.id);

    /* Listed without the secret. */
    json_t *items = NULL;
    assert_int_equal(token_list(s, "robot", &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 1);
    dump = json_dumps(items, 0);
    assert_null(strstr(dump, tok + 6));
    assert_non_null(strstr(dump, "nightly export"));
    free(dump);
    json_decref(items);
    assert_int_equal(token_list(s, "other", &items, &err), P_OK);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);

    /* Junk and near misses. */
    assert_int_equal(token_lookup(s, "", &u, &err), P_EAUTH);
    assert_int_equal(token_lookup(s, NULL, &u, &err), P_EAUTH);
    assert_int_equal(token_lookup(s, tok + 6, &u, &err), P_EAUTH); /* without the prefix */
    char altered[SECRET_TEXT_MAX];
    memcpy(altered, tok, sizeof altered);
    altered[10] = altered[10] == 'a' ? 'b' : 'a';
    assert_int_equal(token_lookup(s, altered, &u, &err), P_EAUTH);

    /* Revoking someone else's token as its non-owner is "not found". */
    p_error_clear(&err);
    assert_int_equal(token_revoke(s, id, "other", &ADMIN, &err), P_ENOTFOUND);
    assert_int_equal(token_lookup(s, tok, &u, &err), P_OK);
    assert_int_equal(token_revoke(s, id, "robot", &ADMIN, &err), P_OK);
    last_audit(s, &r);
    assert_string_equal(r.action, "revoke");
    assert_string_equal(r.entity, "api_token");
    audit_row_free(&r);
    p_error_clear(&err);
    assert_int_equal(token_lookup(s, tok, &u, &err), P_EAUTH);
    assert_int_equal(token_revoke(s, id, NULL, &ADMIN, &err), P_ENOTFOUND); /* already revoked */
    assert_int_equal(token_revoke(s, id + 99, NULL, &ADMIN, &err), P_ENOTFOUND);

    /* An admin (owner NULL) can revoke any token. */
    char tok2[SECRET_TEXT_MAX];
    int64_t id2;
    assert_int_equal(token_create(s, "other", NULL, &ADMIN, tok2, &id2, &err), P_OK);
    assert_int_equal(token_revoke(s, id2, NULL, &ADMIN, &err), P_OK);
    assert_int_equal(token_lookup(s, tok2, &u, &err), P_EAUTH);

    /* Disabled users cannot get tokens, and their tokens stop working. */
    char tok3[SECRET_TEXT_MAX];
    int64_t id3;
    assert_int_equal(token_create(s, "robot", "second", &ADMIN, tok3, &id3, &err), P_OK);
    set_disabled(s, owner.id, 1);
    assert_int_equal(token_lookup(s, tok3, &u, &err), P_EAUTH);
    assert_int_equal(token_create(s, "robot", "third", &ADMIN, tok, &id, &err), P_EUNPROC);
    set_disabled(s, owner.id, 0);
    assert_int_equal(token_lookup(s, tok3, &u, &err), P_OK);

    /* Unknown owner, over-long or invalid names. */
    assert_int_equal(token_create(s, "nobody", "x", &ADMIN, tok, &id, &err), P_ENOTFOUND);
    char name[120];
    memset(name, 'n', 101);
    name[101] = '\0';
    assert_int_equal(token_create(s, "robot", name, &ADMIN, tok, &id, &err), P_EUNPROC);
    assert_string_equal(err.field, "name");
    assert_int_equal(token_create(s, "robot", "bad\xff", &ADMIN, tok, &id, &err), P_EUNPROC);
}

/* ---- throttling ---- */

static void test_throttle_window(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    const long max = 3, window = 900;
    long retry = -1;
    p_error err;
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(throttle_fail(s, "login:victim", window, &err), P_OK);
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_OK);
    assert_int_equal(throttle_fail(s, "login:victim", window, &err), P_OK);
    p_error_clear(&err);
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_ELIMIT);
    assert_int_equal(p_status_http(err.status), 429);
    assert_true(retry > 0 && retry <= window);
    /* Other keys are counted separately. */
    assert_int_equal(throttle_check(s, "login:bystander", max, window, &retry, &err), P_OK);
    assert_int_equal(throttle_check(s, "client:192.0.2.1", max, window, &retry, &err), P_OK);

    /* Near the end of the window the wait is short. */
    store_stmt *st =
        prep(s, "UPDATE login_failures SET window_start = window_start - ? WHERE key = ?");
    store_bind_int(st, 1, window - 10);
    store_bind_text(st, 2, "login:victim");
    run(st);
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_ELIMIT);
    assert_true(retry > 0 && retry <= 10);

    /* Once the window has passed the key is free, and the next failure starts a new count. */
    st = prep(s, "UPDATE login_failures SET window_start = window_start - ? WHERE key = ?");
    store_bind_int(st, 1, 11);
    store_bind_text(st, 2, "login:victim");
    run(st);
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_OK);
    assert_int_equal(throttle_fail(s, "login:victim", window, &err), P_OK);
    assert_int_equal(
        count_where_text(s, "SELECT failures FROM login_failures WHERE key = ?", "login:victim"),
        1);
    int64_t start = count_where_text(s, "SELECT window_start FROM login_failures WHERE key = ?",
                                     "login:victim");
    assert_true(start >= (int64_t)time(NULL) - 2);

    /* Clearing forgets the key. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(throttle_fail(s, "login:victim", window, &err), P_OK);
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_ELIMIT);
    assert_int_equal(throttle_clear(s, "login:victim", &err), P_OK);
    assert_int_equal(throttle_check(s, "login:victim", max, window, &retry, &err), P_OK);
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM login_failures WHERE key = ?", "login:victim"),
        0);
    assert_int_equal(throttle_clear(s, "login:never-seen", &err), P_OK);
}

/* ---- sign-in, which ties the pieces together ---- */

static void test_login_attempt(void **state)
{
    struct fixture *f = *state;
    store *s = f->s;
    setenv("POLIS_LOGIN_MAX_ACCOUNT", "3", 1);
    config_reload();
    add_user(s, "signer", "auditor", NULL);
    struct login_result res;
    p_error err;

    assert_int_equal(login_attempt(s, "signer", PW, "192.0.2.9", &res, &err), P_OK);
    assert_string_equal(res.user.login, "signer");
    struct user who;
    char csrf[SECRET_TEXT_MAX], hash[65];
    assert_int_equal(session_lookup(s, res.token, &who, csrf, hash, &err), P_OK);
    assert_string_equal(csrf, res.csrf);
    struct audit_row r;
    last_audit(s, &r);
    assert_string_equal(r.action, "login");
    assert_string_equal(r.client, "192.0.2.9");
    audit_row_free(&r);

    /* A wrong password and an unknown login get the same answer. */
    p_error e1, e2;
    p_error_clear(&e1);
    p_error_clear(&e2);
    assert_int_equal(login_attempt(s, "signer", "wrong password!", "192.0.2.9", &res, &e1),
                     P_EAUTH);
    assert_int_equal(login_attempt(s, "nosuchuser", "wrong password!", "192.0.2.9", &res, &e2),
                     P_EAUTH);
    assert_string_equal(e1.message, e2.message);
    assert_string_equal(e1.code, e2.code);
    last_audit(s, &r);
    assert_string_equal(r.action, "login_failed");
    assert_string_equal(r.entity_id, "nosuchuser");
    audit_row_free(&r);

    /* After the limit even the right password is refused until the window passes. */
    assert_int_equal(login_attempt(s, "signer", "wrong password!", "192.0.2.9", &res, &err),
                     P_EAUTH);
    assert_int_equal(login_attempt(s, "signer", "wrong password!", "192.0.2.9", &res, &err),
                     P_EAUTH);
    p_error_clear(&err);
    assert_int_equal(login_attempt(s, "signer", PW, "192.0.2.9", &res, &err), P_ELIMIT);
    assert_true(res.retry_after_s > 0);
    store_stmt *st = prep(s, "UPDATE login_failures SET window_start = window_start - 100000");
    run(st);
    assert_int_equal(login_attempt(s, "signer", PW, "192.0.2.9", &res, &err), P_OK);
    /* Success clears the account's count. */
    assert_int_equal(
        count_where_text(s, "SELECT COUNT(*) FROM login_failures WHERE key = ?", "login:signer"),
        0);

    /* A disabled account cannot sign in with the right password. */
    struct user_patch p = {.disabled = 1};
    assert_int_equal(users_update(s, "signer", &p, &ADMIN, &who, &err), P_OK);
    assert_int_equal(login_attempt(s, "signer", PW, "192.0.2.9", &res, &err), P_EAUTH);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    log_set_quiet(1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_users_add_validations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_find, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users_update_audited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_create_lookup_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_idle_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_absolute_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_disabled_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csrf_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_attempt, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
