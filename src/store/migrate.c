/* migrate.c: applies the embedded schema/NNNN_*.sql files (schema/pg/ on PostgreSQL: the
 * same numbers in that dialect). The file number is the version; the files are applied in
 * ascending order and never edited once released. */
#include "store/migrate.h"
#include "core/embed.h"
#include "core/mem.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

static int migration_number(const char *name)
{
    int n = 0;
    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9') return -1;
        n = n * 10 + (name[i] - '0');
    }
    return name[4] == '_' ? n : -1;
}

static int compare_by_name(const void *a, const void *b)
{
    const struct embed_file *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* The migrations written in s's dialect. */
static const struct embed_file *dialect_files(store *s, unsigned long *count)
{
    bool pg = s && strcmp(store_engine_name(s), "postgresql") == 0;
    if (count) *count = pg ? schema_pg_count : schema_count;
    return pg ? schema_pg_files : schema_files;
}

int migrate_latest_version(void)
{
    int latest = 0;
    for (const struct embed_file *f = schema_files; f->name; f++) {
        int n = migration_number(f->name);
        if (n > latest) latest = n;
    }
    return latest;
}

static int ensure_table(store *s, p_error *err)
{
    return store_exec_script(s,
                             "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                             " applied_at TEXT NOT NULL)",
                             err);
}

int migrate_current_version(store *s, int *version_out, p_error *err)
{
    int rc = ensure_table(s, err);
    if (rc != P_OK) return rc;
    store_stmt *st;
    rc = store_prepare(s, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step < 0) return -step;
    *version_out = (int)store_col_int(st, 0);
    store_reset(st);
    return P_OK;
}

static int apply_one(store *s, const struct embed_file *f, int number, p_error *err)
{
    char *sql = xstrndup((const char *)f->data, f->size);
    int rc = store_exec_script(s, sql, err);
    free(sql);
    if (rc != P_OK) {
        p_error inner = *err;
        return p_fail(err, rc, NULL, "migration %s failed: %s", f->name, inner.message);
    }
    store_stmt *st;
    rc = store_prepare(s, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?,?,?)",
                       &st, err);
    if (rc != P_OK) return rc;
    char now[21];
    text_now_iso(now);
    store_bind_int(st, 1, number);
    store_bind_text(st, 2, f->name);
    store_bind_text(st, 3, now);
    return store_run(st, err);
}

int migrate_apply(store *s, int *applied_out, p_error *err)
{
    int current = 0, applied = 0;
    int rc = migrate_current_version(s, &current, err);
    if (rc != P_OK) return rc;
    size_t n = 0;
    unsigned long count = 0;
    const struct embed_file *files = dialect_files(s, &count);
    const struct embed_file **sorted = xcalloc(count + 1, sizeof *sorted);
    for (const struct embed_file *f = files; f->name; f++)
        if (migration_number(f->name) > current) sorted[n++] = f;
    qsort(sorted, n, sizeof *sorted, compare_by_name);
    if (n == 0) goto done;
    rc = store_begin(s, err);
    if (rc != P_OK) goto done;
    for (size_t i = 0; i < n; i++) {
        rc = apply_one(s, sorted[i], migration_number(sorted[i]->name), err);
        if (rc != P_OK) {
            store_rollback(s);
            goto done;
        }
        applied++;
    }
    rc = store_commit(s, err);
    if (rc != P_OK) applied = 0;
done:
    free(sorted);
    if (applied_out) *applied_out = applied;
    return rc;
}
