/* store_sqlite.c: the SQLite implementation of store.h: one connection per thread,
 * a prepared-statement cache keyed by SQL text, WAL, foreign keys, busy timeout. */
#include "store/store.h"
#include "core/mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE_SLOTS 256 /* power of two; more statements than this is a design smell */
#define BUSY_TIMEOUT_MS  5000

struct store_stmt {
    sqlite3_stmt *stmt;
    store *owner;
};

struct cache_slot {
    char *sql;
    uint64_t hash;
    struct store_stmt st;
};

struct store {
    sqlite3 *db;
    struct cache_slot cache[STMT_CACHE_SLOTS];
    int cached;
    struct store *next_open; /* list of thread connections, for store_close_all */
};

static char *configured_path;
static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static store *open_list;
static _Thread_local store *thread_conn;

static int fail_sqlite(sqlite3 *db, p_error *err, const char *what)
{
    int code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    const char *msg = db ? sqlite3_errmsg(db) : "no database";
    if ((code & 0xff) == SQLITE_CONSTRAINT)
        return -p_fail(err, P_ECONFLICT, NULL, "%s: %s", what, msg);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return -p_fail(err, P_EUNAVAIL, NULL, "%s: database busy", what);
    return -p_fail(err, P_ESTORE, NULL, "%s: %s", what, msg);
}

int store_open(const char *path, store **out, p_error *err)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        p_fail(err, P_ESTORE, NULL, "cannot open database %s: %s", path,
               db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return P_ESTORE;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db, 1);
    const char *pragmas = "PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=FULL;"
                          "PRAGMA foreign_keys=ON;"
                          "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
        p_fail(err, P_ESTORE, NULL, "cannot configure database %s: %s", path,
               msg ? msg : "unknown error");
        sqlite3_free(msg);
        sqlite3_close(db);
        return P_ESTORE;
    }
    store *s = xcalloc(1, sizeof *s);
    s->db = db;
    *out = s;
    return P_OK;
}

void store_close(store *s)
{
    if (!s) return;
    for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
        if (s->cache[i].sql) {
            sqlite3_finalize(s->cache[i].st.stmt);
            free(s->cache[i].sql);
        }
    }
    sqlite3_close(s->db);
    free(s);
}

void store_config(const char *path)
{
    pthread_mutex_lock(&open_lock);
    free(configured_path);
    configured_path = xstrdup(path);
    pthread_mutex_unlock(&open_lock);
}

const char *store_config_path(void)
{
    return configured_path;
}

store *store_thread(p_error *err)
{
    if (thread_conn) return thread_conn;
    if (!configured_path) {
        p_fail(err, P_ESTORE, NULL, "no database configured");
        return NULL;
    }
    store *s = NULL;
    if (store_open(configured_path, &s, err) != P_OK) return NULL;
    pthread_mutex_lock(&open_lock);
    s->next_open = open_list;
    open_list = s;
    pthread_mutex_unlock(&open_lock);
    thread_conn = s;
    return s;
}

static void unlink_open(store *s)
{
    for (store **p = &open_list; *p; p = &(*p)->next_open) {
        if (*p == s) {
            *p = s->next_open;
            return;
        }
    }
}

void store_thread_release(void)
{
    if (!thread_conn) return;
    pthread_mutex_lock(&open_lock);
    unlink_open(thread_conn);
    pthread_mutex_unlock(&open_lock);
    store_close(thread_conn);
    thread_conn = NULL;
}

void store_close_all(void)
{
    pthread_mutex_lock(&open_lock);
    while (open_list) {
        store *s = open_list;
        open_list = s->next_open;
        store_close(s);
    }
    pthread_mutex_unlock(&open_lock);
    thread_conn = NULL;
}

static uint64_t sql_hash(const char *sql)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)sql; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

int store_prepare(store *s, const char *sql, store_stmt **out, p_error *err)
{
    uint64_t h = sql_hash(sql);
    unsigned i = (unsigned)h & (STMT_CACHE_SLOTS - 1);
    for (unsigned probe = 0; probe < STMT_CACHE_SLOTS;
         probe++, i = (i + 1) & (STMT_CACHE_SLOTS - 1)) {
        struct cache_slot *slot = &s->cache[i];
        if (!slot->sql) break;
        if (slot->hash == h && strcmp(slot->sql, sql) == 0) {
            sqlite3_reset(slot->st.stmt);
            sqlite3_clear_bindings(slot->st.stmt);
            *out = &slot->st;
            return P_OK;
        }
    }
    if (s->cached >= STMT_CACHE_SLOTS - 1)
        return p_fail(err, P_ESTORE, NULL, "statement cache full");
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        return -fail_sqlite(s->db, err, "prepare");
    struct cache_slot *slot = &s->cache[i];
    slot->sql = xstrdup(sql);
    slot->hash = h;
    slot->st.stmt = stmt;
    slot->st.owner = s;
    s->cached++;
    *out = &slot->st;
    return P_OK;
}

void store_bind_text(store_stmt *st, int idx, const char *v)
{
    if (v)
        sqlite3_bind_text(st->stmt, idx, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st->stmt, idx);
}

void store_bind_textn(store_stmt *st, int idx, const char *v, size_t n)
{
    sqlite3_bind_text64(st->stmt, idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void store_bind_int(store_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(st->stmt, idx, v);
}

void store_bind_null(store_stmt *st, int idx)
{
    sqlite3_bind_null(st->stmt, idx);
}

void store_bind_blob(store_stmt *st, int idx, const void *v, size_t n)
{
    sqlite3_bind_blob64(st->stmt, idx, v, n, SQLITE_TRANSIENT);
}

int store_step(store_stmt *st, p_error *err)
{
    int rc = sqlite3_step(st->stmt);
    if (rc == SQLITE_ROW) return STORE_ROW;
    if (rc == SQLITE_DONE) return STORE_DONE;
    int r = fail_sqlite(st->owner->db, err, "step");
    sqlite3_reset(st->stmt);
    return r;
}

void store_reset(store_stmt *st)
{
    sqlite3_reset(st->stmt);
    sqlite3_clear_bindings(st->stmt);
}

int store_run(store_stmt *st, p_error *err)
{
    int rc = store_step(st, err);
    store_reset(st);
    return rc < 0 ? -rc : P_OK;
}

int store_column_count(store_stmt *st)
{
    return sqlite3_column_count(st->stmt);
}

const char *store_col_name(store_stmt *st, int i)
{
    return sqlite3_column_name(st->stmt, i);
}

const char *store_col_text(store_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st->stmt, i);
    return t ? (const char *)t : "";
}

size_t store_col_bytes(store_stmt *st, int i)
{
    return (size_t)sqlite3_column_bytes(st->stmt, i);
}

const void *store_col_blob(store_stmt *st, int i)
{
    return sqlite3_column_blob(st->stmt, i);
}

int64_t store_col_int(store_stmt *st, int i)
{
    return sqlite3_column_int64(st->stmt, i);
}

bool store_col_null(store_stmt *st, int i)
{
    return sqlite3_column_type(st->stmt, i) == SQLITE_NULL;
}

static int exec_simple(store *s, const char *sql, p_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = (sqlite3_errcode(s->db) == SQLITE_BUSY) ? P_EUNAVAIL : P_ESTORE;
        p_fail(err, rc, NULL, "%s", msg ? msg : "statement failed");
        sqlite3_free(msg);
        return rc;
    }
    return P_OK;
}

int store_begin(store *s, p_error *err)
{
    return exec_simple(s, "BEGIN IMMEDIATE", err);
}

int store_commit(store *s, p_error *err)
{
    int rc = exec_simple(s, "COMMIT", err);
    if (rc != P_OK) store_rollback(s);
    return rc;
}

void store_rollback(store *s)
{
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int store_exec_script(store *s, const char *sql, p_error *err)
{
    return exec_simple(s, sql, err);
}

int64_t store_last_insert_id(store *s)
{
    return sqlite3_last_insert_rowid(s->db);
}

int store_changes(store *s)
{
    return sqlite3_changes(s->db);
}

int store_backup(store *s, const char *out_path, p_error *err)
{
    sqlite3 *dst = NULL;
    if (sqlite3_open(out_path, &dst) != SQLITE_OK) {
        p_fail(err, P_EIO, NULL, "cannot create %s: %s", out_path, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return P_EIO;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", s->db, "main");
    if (!b) {
        p_fail(err, P_ESTORE, NULL, "backup failed: %s", sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return P_ESTORE;
    }
    int rc;
    /* Copy in steps so a running server is blocked for short moments only. */
    while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED)
        sqlite3_sleep(5);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        p_fail(err, P_ESTORE, NULL, "backup failed: %s", sqlite3_errstr(rc));
        sqlite3_close(dst);
        return P_ESTORE;
    }
    int close_rc = sqlite3_close(dst);
    if (close_rc != SQLITE_OK) return p_fail(err, P_EIO, NULL, "backup close failed");
    return P_OK;
}

int store_check_integrity(store *s, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "PRAGMA integrity_check", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_ROW && strcmp(store_col_text(st, 0), "ok") != 0) {
        p_fail(err, P_EINTEGRITY, NULL, "integrity_check: %s", store_col_text(st, 0));
        store_reset(st);
        return P_EINTEGRITY;
    }
    store_reset(st);
    rc = store_prepare(s, "PRAGMA foreign_key_check", &st, err);
    if (rc != P_OK) return rc;
    step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_ROW) {
        p_fail(err, P_EINTEGRITY, NULL, "foreign key violation: table %s row %lld refers to %s",
               store_col_text(st, 0), (long long)store_col_int(st, 1), store_col_text(st, 2));
        store_reset(st);
        return P_EINTEGRITY;
    }
    store_reset(st);
    return P_OK;
}

const char *store_engine_version(void)
{
    return sqlite3_libversion();
}
