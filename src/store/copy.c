/* copy.c: copies a whole Polis database from one store to another (SQLite or PostgreSQL,
 * either way), table by table in the order of their foreign keys, and verifies each
 * table's row count and checksum on both sides. It reads each engine's catalog, so it is
 * the one place outside the engines that knows both dialects. */
#include "store/copy.h"
#include "core/mem.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64
#define TABLES_MAX   128
#define COLS_MAX     64
#define DEPS_MAX     16

struct table {
    char name[NAME_MAX_LEN];
    char cols[COLS_MAX][NAME_MAX_LEN];
    int ncols;
    char deps[DEPS_MAX][NAME_MAX_LEN]; /* tables its foreign keys point to */
    int ndeps;
    char self_from[NAME_MAX_LEN], self_to[NAME_MAX_LEN]; /* a key to its own rows, or "" */
    bool done;
};

struct schema {
    struct table t[TABLES_MAX];
    int n;
};

static bool is_pg(store *s)
{
    return strcmp(store_engine_name(s), "postgresql") == 0;
}

/* Names come from the catalogs; anything but [a-z0-9_] is refused, so that quoting them
 * into SQL is safe. */
static bool plain_name(const char *n)
{
    if (!*n || strlen(n) >= NAME_MAX_LEN) return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

static struct table *find(struct schema *sc, const char *name)
{
    for (int i = 0; i < sc->n; i++)
        if (strcmp(sc->t[i].name, name) == 0) return &sc->t[i];
    return NULL;
}

/* ---- the catalogs ---------------------------------------------------------------------- */

/* Tables of a SQLite database that hold data: not SQLite's own, not an FTS5 table's shadow
 * tables (they follow from its rows) and not fts5vocab views; an FTS5 table is listed
 * with its rowid as first column. */
static const char sqlite_tables[] =
    "SELECT name, sql LIKE 'CREATE VIRTUAL TABLE%' FROM sqlite_master m WHERE type = 'table'"
    " AND name NOT LIKE 'sqlite!_%' ESCAPE '!' AND name <> 'schema_migrations'"
    " AND sql NOT LIKE '%USING fts5vocab%'"
    " AND NOT EXISTS (SELECT 1 FROM sqlite_master v WHERE v.sql LIKE 'CREATE VIRTUAL TABLE%'"
    "   AND m.name IN (v.name || '_data', v.name || '_idx', v.name || '_content',"
    "                  v.name || '_docsize', v.name || '_config'))"
    " ORDER BY name";
static const char sqlite_columns[] = "SELECT name FROM pragma_table_info(?) ORDER BY cid";
static const char sqlite_deps[] = "SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)";

/* A table's foreign key to its own rows (a parent): its column and the referenced one. */
static const char sqlite_self[] =
    "SELECT \"from\", \"to\" FROM pragma_foreign_key_list(?1) WHERE \"table\" = ?1";

/* PostgreSQL: base tables of the current schema; generated columns are left out (they
 * follow from the others). */
static const char pg_tables[] =
    "SELECT table_name, 0 FROM information_schema.tables WHERE table_schema = current_schema()"
    " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name";
static const char pg_columns[] =
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
    " AND table_name = ? AND is_generated = 'NEVER' ORDER BY ordinal_position";
static const char pg_deps[] =
    "SELECT DISTINCT rf.relname FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid"
    " JOIN pg_class rf ON rf.oid = c.confrelid JOIN pg_namespace n ON n.oid = cl.relnamespace"
    " WHERE c.contype = 'f' AND n.nspname = current_schema() AND cl.relname = ?";
static const char pg_self[] =
    "SELECT a.attname, af.attname FROM pg_constraint c JOIN pg_class cl ON cl.oid = c.conrelid"
    " JOIN pg_namespace n ON n.oid = cl.relnamespace"
    " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
    " JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]"
    " WHERE c.contype = 'f' AND c.conrelid = c.confrelid AND n.nspname = current_schema()"
    " AND cl.relname = ?1";

/* Reads t's key to its own rows, if it has one. */
static int read_self_key(store *s, struct table *t, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, is_pg(s) ? pg_self : sqlite_self, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, t->name);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        snprintf(t->self_from, NAME_MAX_LEN, "%s", store_col_text(st, 0));
        snprintf(t->self_to, NAME_MAX_LEN, "%s", store_col_text(st, 1));
    }
    store_reset(st);
    if (step < 0) return -step;
    if (step == STORE_ROW && (!plain_name(t->self_from) || !plain_name(t->self_to)))
        return p_fail(err, P_ESTORE, NULL, "unexpected key of table %s", t->name);
    return P_OK;
}

/* Appends the first column of every row of sql (bound to arg when not NULL) to names. */
static int read_names(store *s, const char *sql, const char *arg, char (*names)[NAME_MAX_LEN],
                      int max, int *n, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    if (arg) store_bind_text(st, 1, arg);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        const char *name = store_col_text(st, 0);
        if (!plain_name(name) || *n >= max) {
            store_reset(st);
            return p_fail(err, P_ESTORE, NULL, "unexpected name in the catalog: %.60s", name);
        }
        snprintf(names[(*n)++], NAME_MAX_LEN, "%s", name);
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Reads the tables, their columns and their foreign keys into sc. */
static int read_schema(store *s, struct schema *sc, p_error *err)
{
    bool pg = is_pg(s);
    store_stmt *st;
    int rc = store_prepare(s, pg ? pg_tables : sqlite_tables, &st, err);
    if (rc != P_OK) return rc;
    int step;
    sc->n = 0;
    while ((step = store_step(st, err)) == STORE_ROW) {
        const char *name = store_col_text(st, 0);
        if (!plain_name(name) || sc->n >= TABLES_MAX) {
            store_reset(st);
            return p_fail(err, P_ESTORE, NULL, "unexpected table in the catalog: %.60s", name);
        }
        struct table *t = &sc->t[sc->n++];
        memset(t, 0, sizeof *t);
        snprintf(t->name, sizeof t->name, "%s", name);
        if (store_col_int(st, 1)) snprintf(t->cols[t->ncols++], NAME_MAX_LEN, "rowid");
    }
    store_reset(st);
    if (step < 0) return -step;
    for (int i = 0; i < sc->n && rc == P_OK; i++) {
        struct table *t = &sc->t[i];
        rc = read_names(s, pg ? pg_columns : sqlite_columns, t->name, t->cols, COLS_MAX, &t->ncols,
                        err);
        if (rc == P_OK)
            rc = read_names(s, pg ? pg_deps : sqlite_deps, t->name, t->deps, DEPS_MAX, &t->ndeps,
                            err);
        if (rc == P_OK) rc = read_self_key(s, t, err);
    }
    return rc;
}

/* Checks that both databases have the same tables with the same columns (in any order:
 * both sides are read and written by the source's column list). */
static int same_shape(const struct schema *a, struct schema *b, p_error *err)
{
    if (a->n != b->n)
        return p_fail(err, P_EUNPROC, NULL, "the databases have %d and %d tables", a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        const struct table *ta = &a->t[i];
        struct table *tb = find(b, ta->name);
        if (!tb) return p_fail(err, P_EUNPROC, NULL, "table %s is missing in the target", ta->name);
        bool same = ta->ncols == tb->ncols;
        for (int c = 0; same && c < ta->ncols; c++) {
            same = false;
            for (int d = 0; !same && d < tb->ncols; d++)
                same = strcmp(ta->cols[c], tb->cols[d]) == 0;
        }
        if (!same)
            return p_fail(err, P_EUNPROC, NULL, "table %s has different columns in the target",
                          ta->name);
    }
    return P_OK;
}

/* ---- checksums ----------------------------------------------------------------------- */

/* Adds one value to a row's hash in a form both engines give alike: NULL is distinct from
 * "", and a number is written as the double it denotes (SQLite and PostgreSQL print
 * REAL values differently). */
static void hash_value(crypto_hash_sha256_state *h, store_stmt *st, int c)
{
    if (store_col_null(st, c)) {
        crypto_hash_sha256_update(h, (const unsigned char *)"\1", 1);
        return;
    }
    const char *text = store_col_text(st, c);
    size_t n = store_col_bytes(st, c);
    char number[40];
    char *end = NULL;
    double d = n && n < 40 && text[0] != ' ' ? strtod(text, &end) : 0;
    if (end && *end == '\0' && end != text) {
        n = (size_t)snprintf(number, sizeof number, "%.17g", d);
        text = number;
    }
    crypto_hash_sha256_update(h, (const unsigned char *)text, n);
    crypto_hash_sha256_update(h, (const unsigned char *)"\0", 1);
}

/* The row's hash as a number; the table's checksum is their sum, so it does not depend on
 * the order rows come in (the engines order text differently). */
static uint64_t row_hash(store_stmt *st, int ncols)
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (int c = 0; c < ncols; c++)
        hash_value(&h, st, c);
    unsigned char out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, out);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | out[i];
    return v;
}

/* ---- statements ------------------------------------------------------------------------ */

/* A column in SQL: quoted, except SQLite's rowid (a quoted "rowid" that names no column
 * would be read as a string). */
static int column_sql(char *sql, size_t size, int c, const char *name)
{
    return snprintf(sql, size, strcmp(name, "rowid") == 0 ? "%s%s" : "%s\"%s\"", c ? ", " : "",
                    name);
}

/* Reads every row of t; a table with a key to its own rows is read parents first (by
 * depth in the tree), so each row's parent is written before it. */
static void select_sql(const struct table *t, char *sql, size_t size)
{
    int n = 0;
    if (t->self_from[0])
        n = snprintf(sql, size,
                     "WITH RECURSIVE polis_tree(polis_key, polis_depth) AS ("
                     "SELECT \"%s\", 0 FROM \"%s\" WHERE \"%s\" IS NULL UNION ALL "
                     "SELECT c.\"%s\", p.polis_depth + 1 FROM \"%s\" c JOIN polis_tree p"
                     " ON c.\"%s\" = p.polis_key) ",
                     t->self_to, t->name, t->self_from, t->self_to, t->name, t->self_from);
    n += snprintf(sql + n, size - (size_t)n, "SELECT ");
    for (int c = 0; c < t->ncols; c++)
        n += column_sql(sql + n, size - (size_t)n, c, t->cols[c]);
    if (t->self_from[0])
        snprintf(sql + n, size - (size_t)n,
                 " FROM \"%s\" JOIN polis_tree ON \"%s\" = polis_key ORDER BY polis_depth, 1",
                 t->name, t->self_to);
    else
        snprintf(sql + n, size - (size_t)n, " FROM \"%s\" ORDER BY 1", t->name);
}

static void insert_sql(const struct table *t, char *sql, size_t size)
{
    int n = snprintf(sql, size, "INSERT INTO \"%s\" (", t->name);
    for (int c = 0; c < t->ncols; c++)
        n += column_sql(sql + n, size - (size_t)n, c, t->cols[c]);
    n += snprintf(sql + n, size - (size_t)n, ") VALUES (");
    for (int c = 0; c < t->ncols; c++)
        n += snprintf(sql + n, size - (size_t)n, "%s?", c ? ", " : "");
    snprintf(sql + n, size - (size_t)n, ")");
}

/* Counts and checksums table t of s. */
static int table_sum(store *s, const struct table *t, struct copy_table *out, p_error *err)
{
    char sql[4096];
    select_sql(t, sql, sizeof sql);
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    out->rows = 0;
    out->sum = 0;
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        out->rows++;
        out->sum += row_hash(st, t->ncols);
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Copies table t from one store to the other in one transaction of the target, removing
 * first the rows its migrations put there (a version counter); *sum receives the source's
 * count and checksum. */
static int copy_table(store *from, store *to, const struct table *t, struct copy_table *sum,
                      p_error *err)
{
    char select[4096], insert[4096], wipe[128];
    select_sql(t, select, sizeof select);
    insert_sql(t, insert, sizeof insert);
    snprintf(wipe, sizeof wipe, "DELETE FROM \"%s\"", t->name);
    store_stmt *src, *dst;
    int rc = store_begin(to, err);
    if (rc != P_OK) return rc;
    struct copy_table before;
    rc = table_sum(to, t, &before, err);
    if (rc == P_OK && before.rows > 0) rc = store_prepare(to, wipe, &dst, err);
    if (rc == P_OK && before.rows > 0) rc = store_run(dst, err);
    if (rc == P_OK) rc = store_prepare(from, select, &src, err);
    if (rc != P_OK) {
        store_rollback(to);
        return rc;
    }
    sum->rows = 0;
    sum->sum = 0;
    int step = STORE_DONE;
    while (rc == P_OK && (step = store_step(src, err)) == STORE_ROW) {
        rc = store_prepare(to, insert, &dst, err);
        for (int c = 0; rc == P_OK && c < t->ncols; c++) {
            if (store_col_null(src, c))
                store_bind_null(dst, c + 1);
            else
                store_bind_textn(dst, c + 1, store_col_text(src, c), store_col_bytes(src, c));
        }
        if (rc == P_OK) rc = store_run(dst, err);
        sum->rows++;
        sum->sum += row_hash(src, t->ncols);
    }
    store_reset(src);
    if (rc == P_OK && step < 0) rc = -step;
    if (rc == P_OK) rc = store_commit(to, err);
    if (rc != P_OK) store_rollback(to);
    return rc;
}

/* PostgreSQL hands out identity values from sequences that copied rows do not move: set
 * each one past the largest id of its table. */
static int reset_sequences(store *to, const struct schema *sc, p_error *err)
{
    if (!is_pg(to)) return P_OK;
    for (int i = 0; i < sc->n; i++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "SELECT setval(seq, coalesce((SELECT max(id) FROM \"%s\"), 1),"
                 " (SELECT max(id) FROM \"%s\") IS NOT NULL) FROM (SELECT"
                 " pg_get_serial_sequence('\"%s\"', 'id') AS seq) q WHERE seq IS NOT NULL",
                 sc->t[i].name, sc->t[i].name, sc->t[i].name);
        bool has_id = false;
        for (int c = 0; c < sc->t[i].ncols; c++)
            has_id = has_id || strcmp(sc->t[i].cols[c], "id") == 0;
        if (!has_id) continue;
        store_stmt *st;
        int rc = store_prepare(to, sql, &st, err);
        if (rc != P_OK) return rc;
        int step = store_step(st, err);
        store_reset(st);
        if (step < 0) return -step;
    }
    return P_OK;
}

/* ---- the whole copy -------------------------------------------------------------------- */

int store_copy_check_empty(store *to, char *table, size_t size, p_error *err)
{
    struct schema *sc = xcalloc(1, sizeof *sc);
    int rc = read_schema(to, sc, err);
    for (int i = 0; rc == P_OK && i < sc->n; i++) {
        struct copy_table sum;
        rc = table_sum(to, &sc->t[i], &sum, err);
        size_t len = strlen(sc->t[i].name);
        bool seeded = len > 8 && strcmp(sc->t[i].name + len - 8, "_version") == 0;
        if (rc == P_OK && sum.rows > (seeded ? 1 : 0)) {
            snprintf(table, size, "%s", sc->t[i].name);
            rc = p_fail(err, P_ECONFLICT, NULL, "the target is not empty: table %s has %lld rows",
                        sc->t[i].name, (long long)sum.rows);
        }
    }
    free(sc);
    return rc;
}

/* The next table whose foreign keys all point to copied tables (or to itself). */
static struct table *next_ready(struct schema *sc)
{
    for (int i = 0; i < sc->n; i++) {
        struct table *t = &sc->t[i];
        if (t->done) continue;
        bool ready = true;
        for (int d = 0; ready && d < t->ndeps; d++) {
            struct table *dep = find(sc, t->deps[d]);
            ready = !dep || dep == t || dep->done;
        }
        if (ready) return t;
    }
    return NULL;
}

int store_copy_all(store *from, store *to, copy_progress progress, void *ctx, p_error *err)
{
    struct schema *src = xcalloc(1, sizeof *src), *dst = xcalloc(1, sizeof *dst);
    int rc = read_schema(from, src, err);
    if (rc == P_OK) rc = read_schema(to, dst, err);
    if (rc == P_OK) rc = same_shape(src, dst, err);
    /* the source holds its write lock throughout, so the copy is one consistent state */
    bool locked = rc == P_OK && store_begin(from, err) == P_OK;
    if (rc == P_OK && !locked) rc = err->status;
    for (int copied = 0; rc == P_OK && copied < src->n; copied++) {
        struct table *t = next_ready(src);
        if (!t) {
            rc = p_fail(err, P_EUNPROC, NULL, "the foreign keys between tables form a cycle");
            break;
        }
        struct copy_table want = {0}, got = {0};
        snprintf(want.name, sizeof want.name, "%s", t->name);
        rc = copy_table(from, to, t, &want, err);
        if (rc == P_OK) rc = table_sum(to, t, &got, err);
        if (rc == P_OK && (got.rows != want.rows || got.sum != want.sum))
            rc = p_fail(err, P_EINTEGRITY, NULL,
                        "table %s: %lld rows, checksum %016llx in the source but %lld rows,"
                        " checksum %016llx in the target",
                        t->name, (long long)want.rows, (unsigned long long)want.sum,
                        (long long)got.rows, (unsigned long long)got.sum);
        if (rc != P_OK && !err->field[0]) snprintf(err->field, sizeof err->field, "%s", t->name);
        if (rc == P_OK && progress) progress(&want, ctx);
        t->done = true;
    }
    if (locked) store_rollback(from);
    if (rc == P_OK) rc = reset_sequences(to, dst, err);
    free(src);
    free(dst);
    return rc;
}

int store_copy_wipe(store *to, p_error *err)
{
    if (is_pg(to)) {
        store_stmt *st;
        int rc = store_prepare(to, "SELECT current_schema()", &st, err);
        if (rc != P_OK) return rc;
        char name[NAME_MAX_LEN] = "";
        int step = store_step(st, err);
        if (step == STORE_ROW) snprintf(name, sizeof name, "%s", store_col_text(st, 0));
        store_reset(st);
        if (step < 0) return -step;
        if (!plain_name(name)) return p_fail(err, P_ESTORE, NULL, "no current schema");
        char sql[200];
        snprintf(sql, sizeof sql, "DROP SCHEMA \"%s\" CASCADE; CREATE SCHEMA \"%s\";", name, name);
        return store_exec_script(to, sql, err);
    }
    return p_fail(err, P_EINVAL, NULL, "a SQLite target is replaced by removing its file");
}
