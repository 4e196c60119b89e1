/* store_pg.c: the PostgreSQL engine behind store.h, on libpq. One connection per thread
 * (store.c), server-side prepared statements cached per connection and keyed by the SQL the
 * module wrote (`?`/`?N` rewritten to `$N`), parameters sent as text with types inferred by
 * the server (blobs as binary bytea), writers serialised by one advisory lock. */
#include "store/engine.h"
#include "core/log.h"
#include "core/mem.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The statement cache, as in the SQLite engine: at CACHE_EVICT_AT statements, those not
 * being read are deallocated and the cache starts again. */
#define STMT_CACHE_SLOTS  1024
#define CACHE_EVICT_AT    768
#define TEXT_OID          25
#define BOOL_OID          16
#define BYTEA_OID         17
#define CONNECT_TIMEOUT_S "5"
/* Every writer takes this transaction-scoped lock at BEGIN, so read-modify-write sequences
 * (the audit hash chain) serialise exactly as under SQLite's BEGIN IMMEDIATE. */
#define WRITE_LOCK_SQL "BEGIN; SELECT pg_advisory_xact_lock(7310589063016063347)"

struct pg_stmt {
    struct store_stmt base; /* first: store.c sees only this */
    char *sql;              /* the cache key: the SQL as the module wrote it */
    char *pg_sql;           /* the same with $N placeholders */
    uint64_t hash;
    char name[16];
    bool prepared; /* exists on the current server session */
    int nparams;
    unsigned *types; /* 0 = inferred; TEXT_OID where the server could not infer one */
    char **values;
    int *lengths, *formats;
    PGresult *res; /* rows of the current execution */
    int row, nrows;
    bool done;
    unsigned char *blob; /* unescaped bytea of (blob_row, blob_col) */
    size_t blob_n;
    int blob_row, blob_col;
};

struct pg_store {
    struct store base; /* first */
    PGconn *conn;
    struct pg_stmt *cache[STMT_CACHE_SLOTS];
    int cached;
    int named; /* statements ever prepared on this session: names never repeat */
    int changes;
    bool inserted; /* an INSERT ran on this session, so lastval() may be defined */
};

static struct pg_store *pg(store *s)
{
    return (struct pg_store *)s;
}

static struct pg_stmt *pst(store_stmt *st)
{
    return (struct pg_stmt *)st;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The first line of libpq's message, for errors; it names host and port, never a password. */
static void first_line(const char *msg, char *out, size_t size)
{
    size_t n = strcspn(msg ? msg : "", "\n");
    snprintf(out, size, "%.*s", (int)n, msg ? msg : "");
}

static int unavailable(struct pg_store *s, p_error *err, const char *detail)
{
    char line[160];
    first_line(detail ? detail : PQerrorMessage(s->conn), line, sizeof line);
    log_error("store: the PostgreSQL server is not available: %s", line);
    p_fail(err, P_EUNAVAIL, NULL, "the database is not available; try again in a moment");
    p_error_code(err, "database_unavailable");
    return P_EUNAVAIL;
}

/* Maps a failed result (or none) to a status: constraint violations are conflicts, a lost
 * connection or a server shutting down is unavailability, the rest a store error. */
static int fail_pg(struct pg_store *s, const PGresult *res, p_error *err, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (PQstatus(s->conn) == CONNECTION_BAD || !state || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P", 3) == 0)
        return unavailable(s, err, res ? PQresultErrorMessage(res) : NULL);
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (!primary) primary = "unknown error";
    if (strncmp(state, "23", 2) == 0)
        return p_fail(err, P_ECONFLICT, NULL, "%s: %s", what, primary);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return p_fail(err, P_EUNAVAIL, NULL, "%s: database busy", what);
    return p_fail(err, P_ESTORE, NULL, "%s: %s (SQLSTATE %s)", what, primary, state);
}

/* Runs sql (one or more statements, no parameters); P_OK if the last one succeeded. */
static int exec_plain(struct pg_store *s, const char *sql, p_error *err, const char *what)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType t = PQresultStatus(res);
    int rc = P_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) rc = fail_pg(s, res, err, what);
    PQclear(res);
    return rc;
}

static int pg_open(const char *target, store **out, p_error *err)
{
    /* Defaults first: what the URL says overrides them. */
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *vals[] = {CONNECT_TIMEOUT_S, "polis", target, NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (!conn) return p_fail(err, P_EUNAVAIL, NULL, "out of memory connecting to PostgreSQL");
    if (PQstatus(conn) != CONNECTION_OK) {
        char where[200], line[200];
        store_redact_target(target, where, sizeof where);
        first_line(PQerrorMessage(conn), line, sizeof line);
        PQfinish(conn);
        p_fail(err, P_EUNAVAIL, NULL, "cannot connect to %s: %s", where, line);
        p_error_code(err, "database_unavailable");
        return P_EUNAVAIL;
    }
    PQsetNoticeProcessor(conn, ignore_notice, NULL);
    struct pg_store *s = xcalloc(1, sizeof *s);
    s->base.ops = &store_pg_ops;
    s->conn = conn;
    *out = &s->base;
    return P_OK;
}

static void clear_result(struct pg_stmt *st)
{
    PQclear(st->res);
    st->res = NULL;
    if (st->blob) PQfreemem(st->blob);
    st->blob = NULL;
    st->row = st->nrows = 0;
    st->done = false;
}

static void clear_params(struct pg_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        free(st->values[i]);
        st->values[i] = NULL;
        st->lengths[i] = 0;
        st->formats[i] = 0;
    }
}

static void stmt_free(struct pg_stmt *st)
{
    clear_result(st);
    clear_params(st);
    free(st->sql);
    free(st->pg_sql);
    free(st->types);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st);
}

static void pg_close(store *base)
{
    struct pg_store *s = pg(base);
    for (int i = 0; i < STMT_CACHE_SLOTS; i++)
        if (s->cache[i]) stmt_free(s->cache[i]);
    PQfinish(s->conn);
    free(s);
}

static int pg_revive(store *base, p_error *err)
{
    struct pg_store *s = pg(base);
    if (PQstatus(s->conn) == CONNECTION_OK) {
        /* A transaction left open by an earlier request on this thread ends here. */
        if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
            PGresult *res = PQexec(s->conn, "ROLLBACK");
            PQclear(res);
        }
        if (PQstatus(s->conn) == CONNECTION_OK) return P_OK;
    }
    PQreset(s->conn);
    if (PQstatus(s->conn) != CONNECTION_OK) return unavailable(s, err, NULL);
    /* A new server session: its prepared statements are gone; prepare them again lazily. */
    for (int i = 0; i < STMT_CACHE_SLOTS; i++)
        if (s->cache[i]) {
            clear_result(s->cache[i]);
            s->cache[i]->prepared = false;
        }
    s->inserted = false;
    log_info("store: reconnected to PostgreSQL");
    return P_OK;
}

/* Rewrites `?` and `?N` to `$N` outside string literals, quoted identifiers and comments.
 * A bare `?` takes the number after the largest used so far, as SQLite numbers it.
 * Returns a new string (caller frees) and the number of parameters. */
static char *rewrite_placeholders(const char *sql, int *nparams_out)
{
    size_t len = strlen(sql);
    char *out = xmalloc(len * 6 + 1); /* "?" -> "$NNNNN" at worst */
    size_t o = 0;
    int max = 0;
    for (size_t i = 0; i < len;) {
        char c = sql[i];
        if (c == '\'' || c == '"') {
            size_t j = i + 1;
            while (j < len && !(sql[j] == c && !(j + 1 < len && sql[j + 1] == c)))
                j += (sql[j] == c) ? 2 : 1;
            if (j < len) j++;
            memcpy(out + o, sql + i, j - i);
            o += j - i;
            i = j;
        } else if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
            size_t j = i + strcspn(sql + i, "\n");
            memcpy(out + o, sql + i, j - i);
            o += j - i;
            i = j;
        } else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
            const char *end = strstr(sql + i + 2, "*/");
            size_t j = end ? (size_t)(end - sql) + 2 : len;
            memcpy(out + o, sql + i, j - i);
            o += j - i;
            i = j;
        } else if (c == '?') {
            int n = 0;
            size_t j = i + 1;
            while (j < len && sql[j] >= '0' && sql[j] <= '9' && n < 10000)
                n = n * 10 + (sql[j++] - '0');
            if (j == i + 1) n = max + 1;
            if (n > max) max = n;
            o += (size_t)snprintf(out + o, 7, "$%d", n);
            i = j;
        } else {
            out[o++] = c;
            i++;
        }
    }
    out[o] = '\0';
    *nparams_out = max;
    return out;
}

/* The parameter number in "could not determine data type of parameter $N", or 0. */
static int undetermined_param(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (!state || (strcmp(state, "42P18") != 0 && strcmp(state, "42P08") != 0) || !msg) return 0;
    const char *p = strstr(msg, "parameter $");
    return p ? atoi(p + 11) : 0;
}

/* Prepares st on the server. Inside a transaction a failed PREPARE would abort it, so the
 * attempt is wrapped in a savepoint. A parameter whose type the server cannot infer (as in
 * `? IS NULL`) is declared text and the statement prepared again. */
static int prepare_on_server(struct pg_store *s, struct pg_stmt *st, p_error *err)
{
    bool in_tx = PQtransactionStatus(s->conn) == PQTRANS_INTRANS;
    for (int attempt = 0; attempt <= st->nparams; attempt++) {
        int rc = in_tx ? exec_plain(s, "SAVEPOINT polis_prepare", err, "prepare") : P_OK;
        if (rc != P_OK) return rc;
        PGresult *res =
            PQprepare(s->conn, st->name, st->pg_sql, st->nparams, (const Oid *)st->types);
        if (PQresultStatus(res) == PGRES_COMMAND_OK) {
            PQclear(res);
            st->prepared = true;
            return in_tx ? exec_plain(s, "RELEASE SAVEPOINT polis_prepare", err, "prepare") : P_OK;
        }
        int n = undetermined_param(res);
        if (in_tx && PQstatus(s->conn) == CONNECTION_OK)
            PQclear(PQexec(s->conn, "ROLLBACK TO SAVEPOINT polis_prepare; "
                                    "RELEASE SAVEPOINT polis_prepare"));
        if (n < 1 || n > st->nparams || st->types[n - 1] == TEXT_OID) {
            rc = fail_pg(s, res, err, "prepare");
            PQclear(res);
            return rc;
        }
        PQclear(res);
        st->types[n - 1] = TEXT_OID;
    }
    return p_fail(err, P_ESTORE, NULL, "prepare: parameter types could not be determined");
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

/* Deallocates every cached statement whose rows nobody is reading and rebuilds the table
 * around the others (their entries live on the heap, so callers' pointers stay valid). */
static void cache_evict(struct pg_store *s)
{
    struct pg_stmt *kept[STMT_CACHE_SLOTS];
    int n = 0;
    bool can_deallocate =
        PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_INERROR;
    for (int i = 0; i < STMT_CACHE_SLOTS; i++) {
        struct pg_stmt *st = s->cache[i];
        s->cache[i] = NULL;
        if (!st) continue;
        if (st->res && !st->done) {
            kept[n++] = st;
            continue;
        }
        if (st->prepared && can_deallocate) {
            char q[40];
            snprintf(q, sizeof q, "DEALLOCATE %s", st->name);
            PQclear(PQexec(s->conn, q));
        }
        stmt_free(st);
    }
    s->cached = 0;
    for (int k = 0; k < n; k++) {
        unsigned i = (unsigned)kept[k]->hash & (STMT_CACHE_SLOTS - 1);
        while (s->cache[i])
            i = (i + 1) & (STMT_CACHE_SLOTS - 1);
        s->cache[i] = kept[k];
        s->cached++;
    }
}

static int pg_prepare(store *base, const char *sql, store_stmt **out, p_error *err)
{
    struct pg_store *s = pg(base);
    uint64_t h = sql_hash(sql);
    unsigned i = (unsigned)h & (STMT_CACHE_SLOTS - 1);
    for (unsigned probe = 0; probe < STMT_CACHE_SLOTS;
         probe++, i = (i + 1) & (STMT_CACHE_SLOTS - 1)) {
        struct pg_stmt *st = s->cache[i];
        if (!st) break;
        if (st->hash == h && strcmp(st->sql, sql) == 0) {
            clear_result(st);
            clear_params(st);
            *out = &st->base;
            return P_OK;
        }
    }
    if (s->cached >= CACHE_EVICT_AT) { /* then find this statement's free slot again */
        cache_evict(s);
        i = (unsigned)h & (STMT_CACHE_SLOTS - 1);
        while (s->cache[i])
            i = (i + 1) & (STMT_CACHE_SLOTS - 1);
    }
    struct pg_stmt *st = xcalloc(1, sizeof *st);
    st->base.owner = base;
    st->sql = xstrdup(sql);
    st->hash = h;
    st->pg_sql = rewrite_placeholders(sql, &st->nparams);
    snprintf(st->name, sizeof st->name, "p%d", ++s->named);
    size_t n = (size_t)(st->nparams ? st->nparams : 1);
    st->types = xcalloc(n, sizeof *st->types);
    st->values = xcalloc(n, sizeof *st->values);
    st->lengths = xcalloc(n, sizeof *st->lengths);
    st->formats = xcalloc(n, sizeof *st->formats);
    int rc = prepare_on_server(s, st, err);
    if (rc != P_OK) {
        stmt_free(st);
        return rc;
    }
    s->cache[i] = st;
    s->cached++;
    *out = &st->base;
    return P_OK;
}

static void set_param(store_stmt *base, int idx, char *v, int len, int format)
{
    struct pg_stmt *st = pst(base);
    if (idx < 1 || idx > st->nparams) {
        free(v);
        return;
    }
    free(st->values[idx - 1]);
    st->values[idx - 1] = v;
    st->lengths[idx - 1] = len;
    st->formats[idx - 1] = format;
}

static void pg_bind_text(store_stmt *st, int idx, const char *v, size_t n)
{
    set_param(st, idx, v ? xstrndup(v, n) : NULL, 0, 0);
}

static void pg_bind_int(store_stmt *st, int idx, int64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    set_param(st, idx, xstrdup(buf), 0, 0);
}

static void pg_bind_null(store_stmt *st, int idx)
{
    set_param(st, idx, NULL, 0, 0);
}

static void pg_bind_blob(store_stmt *st, int idx, const void *v, size_t n)
{
    char *copy = xmalloc(n ? n : 1);
    if (n) memcpy(copy, v, n);
    set_param(st, idx, copy, (int)n, 1);
}

/* Records what an INSERT, UPDATE or DELETE changed, for store_changes(). */
static void note_command(struct pg_store *s, const PGresult *res)
{
    const char *cmd = PQcmdStatus((PGresult *)res);
    bool insert = strncmp(cmd, "INSERT", 6) == 0;
    if (insert || strncmp(cmd, "UPDATE", 6) == 0 || strncmp(cmd, "DELETE", 6) == 0 ||
        strncmp(cmd, "MERGE", 5) == 0)
        s->changes = atoi(PQcmdTuples((PGresult *)res));
    if (insert) s->inserted = true;
}

static int execute(struct pg_store *s, struct pg_stmt *st, p_error *err)
{
    if (!st->prepared) {
        int rc = prepare_on_server(s, st, err);
        if (rc != P_OK) return rc;
    }
    PGresult *res = PQexecPrepared(s->conn, st->name, st->nparams, (const char *const *)st->values,
                                   st->lengths, st->formats, 0);
    ExecStatusType t = PQresultStatus(res);
    if (t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK) {
        int rc = fail_pg(s, res, err, "step");
        PQclear(res);
        return rc;
    }
    note_command(s, res);
    if (t == PGRES_COMMAND_OK) {
        PQclear(res);
        st->done = true;
        return P_OK;
    }
    st->res = res;
    st->nrows = PQntuples(res);
    st->row = -1;
    return P_OK;
}

static int pg_step(store_stmt *base, p_error *err)
{
    struct pg_stmt *st = pst(base);
    struct pg_store *s = pg(base->owner);
    if (!st->res && !st->done) {
        int rc = execute(s, st, err);
        if (rc != P_OK) return -rc;
    }
    if (st->done) return STORE_DONE;
    if (++st->row < st->nrows) return STORE_ROW;
    clear_result(st);
    st->done = true;
    return STORE_DONE;
}

static void pg_reset(store_stmt *base)
{
    clear_result(pst(base));
    clear_params(pst(base));
}

static bool has_value(struct pg_stmt *st, int i)
{
    return st->res && st->row >= 0 && st->row < st->nrows && i >= 0 && i < PQnfields(st->res);
}

static int pg_column_count(store_stmt *base)
{
    struct pg_stmt *st = pst(base);
    return st->res ? PQnfields(st->res) : 0;
}

static const char *pg_col_name(store_stmt *base, int i)
{
    struct pg_stmt *st = pst(base);
    const char *n = st->res ? PQfname(st->res, i) : NULL;
    return n ? n : "";
}

static const char *pg_col_text(store_stmt *base, int i)
{
    struct pg_stmt *st = pst(base);
    if (!has_value(st, i)) return "";
    const char *v = PQgetvalue(st->res, st->row, i);
    /* A comparison in a select list reads as SQLite gives it: 1 or 0, not t or f. */
    if (PQftype(st->res, i) == BOOL_OID && !PQgetisnull(st->res, st->row, i))
        return v[0] == 't' ? "1" : "0";
    return v;
}

static const unsigned char *unescaped(struct pg_stmt *st, int i, size_t *n)
{
    if (st->blob && st->blob_row == st->row && st->blob_col == i) {
        *n = st->blob_n;
        return st->blob;
    }
    if (st->blob) PQfreemem(st->blob);
    st->blob = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, i), &st->blob_n);
    st->blob_row = st->row;
    st->blob_col = i;
    *n = st->blob ? st->blob_n : 0;
    return st->blob;
}

static size_t pg_col_bytes(store_stmt *base, int i)
{
    struct pg_stmt *st = pst(base);
    if (!has_value(st, i) || PQgetisnull(st->res, st->row, i)) return 0;
    size_t n = (size_t)PQgetlength(st->res, st->row, i);
    if (PQftype(st->res, i) == BYTEA_OID) unescaped(st, i, &n);
    return n;
}

static const void *pg_col_blob(store_stmt *base, int i)
{
    struct pg_stmt *st = pst(base);
    if (!has_value(st, i) || PQgetisnull(st->res, st->row, i)) return NULL;
    size_t n;
    if (PQftype(st->res, i) == BYTEA_OID) return unescaped(st, i, &n);
    return PQgetvalue(st->res, st->row, i);
}

static int64_t pg_col_int(store_stmt *base, int i)
{
    struct pg_stmt *st = pst(base);
    if (!has_value(st, i)) return 0;
    const char *v = PQgetvalue(st->res, st->row, i);
    if (PQftype(st->res, i) == BOOL_OID) return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static bool pg_col_null(store_stmt *base, int i)
{
    struct pg_stmt *st = pst(base);
    return !has_value(st, i) || PQgetisnull(st->res, st->row, i);
}

static int pg_begin(store *s, p_error *err)
{
    return exec_plain(pg(s), WRITE_LOCK_SQL, err, "begin");
}

static void pg_rollback(store *base)
{
    struct pg_store *s = pg(base);
    if (PQstatus(s->conn) == CONNECTION_OK && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
}

static int pg_commit(store *base, p_error *err)
{
    struct pg_store *s = pg(base);
    PGresult *res = PQexec(s->conn, "COMMIT");
    int rc = P_OK;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = fail_pg(s, res, err, "commit");
    else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) /* an earlier statement failed */
        rc = p_fail(err, P_ESTORE, NULL,
                    "commit: the transaction was rolled back after an "
                    "earlier error");
    PQclear(res);
    if (rc != P_OK) pg_rollback(base);
    return rc;
}

static int pg_exec_script(store *s, const char *sql, p_error *err)
{
    return exec_plain(pg(s), sql, err, "script");
}

static int64_t pg_last_insert_id(store *base)
{
    struct pg_store *s = pg(base);
    /* lastval() fails (and would abort a transaction) before any sequence was used. */
    if (!s->inserted || PQtransactionStatus(s->conn) == PQTRANS_INERROR) return 0;
    PGresult *res = PQexec(s->conn, "SELECT lastval()");
    int64_t id = 0;
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return id;
}

static int pg_changes(store *s)
{
    return pg(s)->changes;
}

static int pg_backup(store *s, const char *out_path, p_error *err)
{
    (void)s;
    (void)out_path;
    return p_fail(err, P_EINVAL, "db",
                  "polis backup copies SQLite databases; back up PostgreSQL with pg_dump "
                  "(or pg_basebackup for the whole cluster)");
}

/* PostgreSQL enforces constraints as it writes; what can still be wrong is an index or a
 * constraint left invalid (an interrupted CREATE INDEX CONCURRENTLY, NOT VALID). */
static int pg_check_integrity(store *base, p_error *err)
{
    struct pg_store *s = pg(base);
    PGresult *res = PQexec(s->conn, "SELECT 'index ' || indexrelid::regclass::text FROM pg_index "
                                    "WHERE NOT indisvalid OR NOT indisready UNION ALL "
                                    "SELECT 'constraint ' || conname FROM pg_constraint "
                                    "WHERE NOT convalidated LIMIT 1");
    int rc = P_OK;
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = fail_pg(s, res, err, "check");
    else if (PQntuples(res) > 0)
        rc = p_fail(err, P_EINTEGRITY, NULL, "%s is not valid", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

const char *store_pg_library_version(void)
{
    static char text[16];
    int v = PQlibVersion();
    snprintf(text, sizeof text, "%d.%d", v / 10000, v % 10000);
    return text;
}

const struct store_ops store_pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .revive = pg_revive,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int = pg_bind_int,
    .bind_null = pg_bind_null,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .reset = pg_reset,
    .column_count = pg_column_count,
    .col_name = pg_col_name,
    .col_text = pg_col_text,
    .col_bytes = pg_col_bytes,
    .col_blob = pg_col_blob,
    .col_int = pg_col_int,
    .col_null = pg_col_null,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec_script = pg_exec_script,
    .last_insert_id = pg_last_insert_id,
    .changes = pg_changes,
    .backup = pg_backup,
    .check_integrity = pg_check_integrity,
};
