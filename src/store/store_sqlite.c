/* store_sqlite.c: the SQLite engine behind store.h: a prepared-statement cache keyed by
 * SQL text, WAL, foreign keys, busy timeout; BEGIN IMMEDIATE for writers. */
#include "store/engine.h"
#include "core/mem.h"
#include "store/fts5_polis.h"
#include "store/writer_lock.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The statement cache: a power of two. When it holds CACHE_EVICT_AT statements, those no
 * caller is stepping are finalized and the cache starts again, so the modules' dynamic SQL
 * (one shape per combination of filters) can never fill it. */
#define STMT_CACHE_SLOTS 1024
#define CACHE_EVICT_AT   768
#define BUSY_TIMEOUT_MS  5000

struct lite_stmt {
    struct store_stmt base; /* first: store.c sees only this */
    sqlite3_stmt *stmt;
};

/* A cached statement lives on the heap, so a caller's pointer to it stays valid when the
 * table is rebuilt around it. */
struct cache_entry {
    char *sql;
    uint64_t hash;
    struct lite_stmt st;
};

struct lite_store {
    struct store base; /* first */
    sqlite3 *db;
    struct cache_entry *cache[STMT_CACHE_SLOTS];
    int cached;
    struct writer_lock *writers; /* this file's writers' mutex (NULL: in memory) */
    bool writing;                /* between lite_begin and commit or rollback: holds it */
};

static struct lite_store *lite(store *s)
{
    return (struct lite_store *)s;
}

static sqlite3_stmt *raw(store_stmt *st)
{
    return ((struct lite_stmt *)st)->stmt;
}

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

/* Reads of a large database go through a memory map of the file (shared by every
 * connection through the OS page cache, so no copy per page read). A small one is read
 * through the page cache instead: SQLite drops a connection's whole map whenever another
 * connection has committed since its last read, and mapping it again (munmap, TLB
 * shootdowns, page faults) cost more per request than the copies it saves when writes are
 * frequent. The size is the file's at open. */
#define MMAP_MIN_FILE_BYTES (256LL << 20)

static const char *mmap_pragma(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (long long)st.st_size >= MMAP_MIN_FILE_BYTES)
        return "PRAGMA mmap_size=2147418112";
    return "PRAGMA mmap_size=0";
}

static int lite_open(const char *path, store **out, p_error *err)
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
    /* Each connection keeps up to 32 MiB of pages, so a large write transaction such as a
     * bulk import spills to the WAL late. */
    const char *pragmas = "PRAGMA journal_mode=WAL;"
                          "PRAGMA synchronous=FULL;"
                          "PRAGMA foreign_keys=ON;"
                          "PRAGMA temp_store=MEMORY;"
                          "PRAGMA cache_size=-32768;";
    char *msg = NULL;
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, mmap_pragma(path), NULL, NULL, &msg) != SQLITE_OK) {
        p_fail(err, P_ESTORE, NULL, "cannot configure database %s: %s", path,
               msg ? msg : "unknown error");
        sqlite3_free(msg);
        sqlite3_close(db);
        return P_ESTORE;
    }
    if (fts5_polis_register(db) != SQLITE_OK) {
        p_fail(err, P_ESTORE, NULL, "cannot register the search tokenizer: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return P_ESTORE;
    }
    struct lite_store *s = xcalloc(1, sizeof *s);
    s->base.ops = &store_sqlite_ops;
    s->db = db;
    s->writers = writer_lock_get(path);
    *out = &s->base;
    return P_OK;
}

static void lite_rollback(store *s);

static void lite_close(store *base)
{
    struct lite_store *s = lite(base);
    lite_rollback(base); /* a transaction left open ends here, and the writers' mutex too */
    writer_lock_put(s->writers);
    for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
        if (s->cache[i]) {
            sqlite3_finalize(s->cache[i]->st.stmt);
            free(s->cache[i]->sql);
            free(s->cache[i]);
        }
    }
    sqlite3_close(s->db);
    free(s);
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

static void cache_insert(struct lite_store *s, struct cache_entry *e)
{
    unsigned i = (unsigned)e->hash & (STMT_CACHE_SLOTS - 1);
    while (s->cache[i])
        i = (i + 1) & (STMT_CACHE_SLOTS - 1);
    s->cache[i] = e;
    s->cached++;
}

/* Finalizes every cached statement that is not in the middle of a step (a caller may be
 * reading its rows) and rebuilds the table around those that are. */
static void cache_evict(struct lite_store *s)
{
    struct cache_entry *kept[STMT_CACHE_SLOTS];
    int n = 0;
    for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
        struct cache_entry *e = s->cache[i];
        s->cache[i] = NULL;
        if (!e) continue;
        if (sqlite3_stmt_busy(e->st.stmt)) {
            kept[n++] = e;
        } else {
            sqlite3_finalize(e->st.stmt);
            free(e->sql);
            free(e);
        }
    }
    s->cached = 0;
    for (int i = 0; i < n; i++)
        cache_insert(s, kept[i]);
}

static int lite_prepare(store *base, const char *sql, store_stmt **out, p_error *err)
{
    struct lite_store *s = lite(base);
    uint64_t h = sql_hash(sql);
    unsigned i = (unsigned)h & (STMT_CACHE_SLOTS - 1);
    for (unsigned probe = 0; probe < STMT_CACHE_SLOTS;
         probe++, i = (i + 1) & (STMT_CACHE_SLOTS - 1)) {
        struct cache_entry *e = s->cache[i];
        if (!e) break;
        if (e->hash == h && strcmp(e->sql, sql) == 0) {
            sqlite3_reset(e->st.stmt);
            sqlite3_clear_bindings(e->st.stmt);
            *out = &e->st.base;
            return P_OK;
        }
    }
    if (s->cached >= CACHE_EVICT_AT) cache_evict(s);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
        return -fail_sqlite(s->db, err, "prepare");
    struct cache_entry *e = xcalloc(1, sizeof *e);
    e->sql = xstrdup(sql);
    e->hash = h;
    e->st.stmt = stmt;
    e->st.base.owner = base;
    cache_insert(s, e);
    *out = &e->st.base;
    return P_OK;
}

static void lite_bind_text(store_stmt *st, int idx, const char *v, size_t n)
{
    if (v)
        sqlite3_bind_text64(raw(st), idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
    else
        sqlite3_bind_null(raw(st), idx);
}

static void lite_bind_int(store_stmt *st, int idx, int64_t v)
{
    sqlite3_bind_int64(raw(st), idx, v);
}

static void lite_bind_null(store_stmt *st, int idx)
{
    sqlite3_bind_null(raw(st), idx);
}

static void lite_bind_blob(store_stmt *st, int idx, const void *v, size_t n)
{
    sqlite3_bind_blob64(raw(st), idx, v, n, SQLITE_TRANSIENT);
}

static int lite_step(store_stmt *st, p_error *err)
{
    int rc = sqlite3_step(raw(st));
    if (rc == SQLITE_ROW) return STORE_ROW;
    if (rc == SQLITE_DONE) return STORE_DONE;
    int r = fail_sqlite(lite(st->owner)->db, err, "step");
    sqlite3_reset(raw(st));
    return r;
}

static void lite_reset(store_stmt *st)
{
    sqlite3_reset(raw(st));
    sqlite3_clear_bindings(raw(st));
}

static int lite_column_count(store_stmt *st)
{
    return sqlite3_column_count(raw(st));
}

static const char *lite_col_name(store_stmt *st, int i)
{
    return sqlite3_column_name(raw(st), i);
}

static const char *lite_col_text(store_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(raw(st), i);
    return t ? (const char *)t : "";
}

static size_t lite_col_bytes(store_stmt *st, int i)
{
    return (size_t)sqlite3_column_bytes(raw(st), i);
}

static const void *lite_col_blob(store_stmt *st, int i)
{
    return sqlite3_column_blob(raw(st), i);
}

static int64_t lite_col_int(store_stmt *st, int i)
{
    return sqlite3_column_int64(raw(st), i);
}

static bool lite_col_null(store_stmt *st, int i)
{
    return sqlite3_column_type(raw(st), i) == SQLITE_NULL;
}

static int lite_prepare(store *base, const char *sql, store_stmt **out, p_error *err);

/* Runs one statement without parameters from the statement cache: BEGIN, COMMIT and the
 * savepoints come with every write, and parsing them each time showed in profiles. */
static int exec_cached(struct lite_store *s, const char *sql, p_error *err)
{
    store_stmt *st;
    int rc = lite_prepare(&s->base, sql, &st, err);
    if (rc != P_OK) return rc;
    int step = sqlite3_step(raw(st));
    sqlite3_reset(raw(st));
    if (step == SQLITE_DONE || step == SQLITE_ROW) return P_OK;
    rc = (step & 0xff) == SQLITE_BUSY ? P_EUNAVAIL : P_ESTORE;
    return p_fail(err, rc, NULL, "%s", sqlite3_errmsg(s->db));
}

/* Runs sql, one statement or a script of several, without parameters. */
static int exec_simple(struct lite_store *s, const char *sql, p_error *err)
{
    if (!strchr(sql, ';')) return exec_cached(s, sql, err);
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = (sqlite3_errcode(s->db) == SQLITE_BUSY) ? P_EUNAVAIL : P_ESTORE;
        p_fail(err, rc, NULL, "%s", msg ? msg : "statement failed");
        sqlite3_free(msg);
        return rc;
    }
    return P_OK;
}

/* Writers of this process queue on the file's mutex first (writer_lock.h), then take
 * SQLite's write lock, which only other processes can still be holding. */
static int lite_begin(store *base, p_error *err)
{
    struct lite_store *s = lite(base);
    writer_lock_acquire(s->writers);
    int rc = exec_simple(s, "BEGIN IMMEDIATE", err);
    if (rc == P_OK)
        s->writing = true;
    else
        writer_lock_release(s->writers);
    return rc;
}

static void lite_rollback(store *base)
{
    struct lite_store *s = lite(base);
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (s->writing) {
        s->writing = false;
        writer_lock_release(s->writers);
    }
}

static int lite_commit(store *base, p_error *err)
{
    struct lite_store *s = lite(base);
    int rc = exec_simple(s, "COMMIT", err);
    if (rc != P_OK) {
        lite_rollback(base);
        return rc;
    }
    if (s->writing) {
        s->writing = false;
        writer_lock_release(s->writers);
    }
    return P_OK;
}

static int lite_exec_script(store *s, const char *sql, p_error *err)
{
    return exec_simple(lite(s), sql, err);
}

static int64_t lite_last_insert_id(store *s)
{
    return sqlite3_last_insert_rowid(lite(s)->db);
}

static int lite_changes(store *s)
{
    return sqlite3_changes(lite(s)->db);
}

static int lite_backup(store *s, const char *out_path, p_error *err)
{
    sqlite3 *dst = NULL;
    if (sqlite3_open(out_path, &dst) != SQLITE_OK) {
        p_fail(err, P_EIO, NULL, "cannot create %s: %s", out_path, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return P_EIO;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", lite(s)->db, "main");
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

static int lite_check_integrity(store *s, p_error *err)
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

const struct store_ops store_sqlite_ops = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .revive = NULL,
    .prepare = lite_prepare,
    .bind_text = lite_bind_text,
    .bind_int = lite_bind_int,
    .bind_null = lite_bind_null,
    .bind_blob = lite_bind_blob,
    .step = lite_step,
    .reset = lite_reset,
    .column_count = lite_column_count,
    .col_name = lite_col_name,
    .col_text = lite_col_text,
    .col_bytes = lite_col_bytes,
    .col_blob = lite_col_blob,
    .col_int = lite_col_int,
    .col_null = lite_col_null,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .exec_script = lite_exec_script,
    .last_insert_id = lite_last_insert_id,
    .changes = lite_changes,
    .backup = lite_backup,
    .check_integrity = lite_check_integrity,
};
