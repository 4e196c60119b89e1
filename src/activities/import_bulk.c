/* import_bulk.c (activities): the set-wise steps of a bulk import: the new activities'
 * date-range index rows in one statement, and the secondary indexes dropped before a large
 * import into a small registry and built again before it commits. */
#include "activities/import_bulk.h"
#include "activities/internal.h"
#include "core/buf.h"
#include "core/mem.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The rows periods.c's activity_periods_write gives each activity, for all activities
 * above ?1 at once (as migration 0005 backfills them): one per month of the planned period
 * (planned_start to planned_end, or the start alone when there is no later end; a period
 * touching more than ACTIVITY_PERIOD_MONTHS_MAX = 24 months is the single month -1) for
 * the activity itself (kind 'a', code ''), each priority ('p'), focus area ('f') and
 * country, host or beneficiary, each once ('c'). In the primary key's order, so the
 * B-tree is written from left to right. Both engines. */
_Static_assert(ACTIVITY_PERIOD_MONTHS_MAX == 24 && ACTIVITY_PERIOD_LONG == -1,
               "periods_sql spells out the date-range index's long period");
static const char periods_sql[] =
    "WITH RECURSIVE spans(id, lead_org, first_day, last_day, month, last_month) AS ("
    " SELECT id, lead_org, first_day, last_day,"
    " CASE WHEN m1 - m0 >= 24 THEN -1 ELSE m0 END, CASE WHEN m1 - m0 >= 24 THEN -1 ELSE m1 END"
    " FROM (SELECT id, lead_org, first_day, last_day,"
    " CAST(substr(first_day, 1, 4) AS INTEGER) * 12"
    " + CAST(substr(first_day, 6, 2) AS INTEGER) - 1 AS m0,"
    " CAST(substr(last_day, 1, 4) AS INTEGER) * 12"
    " + CAST(substr(last_day, 6, 2) AS INTEGER) - 1 AS m1"
    " FROM (SELECT id, lead_org, planned_start AS first_day,"
    " CASE WHEN planned_end > planned_start THEN planned_end ELSE planned_start END AS last_day"
    " FROM activities WHERE id > ?1) b) m"
    " UNION ALL"
    " SELECT id, lead_org, first_day, last_day, month + 1, last_month FROM spans"
    " WHERE month < last_month)"
    " INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day,"
    " last_day)"
    " SELECT 'a', '', month, id, lead_org, first_day, last_day FROM spans"
    " UNION ALL SELECT 'p', x.priority_code, s.month, s.id, s.lead_org, s.first_day, s.last_day"
    " FROM spans s JOIN activity_priorities x ON x.activity_id = s.id"
    " UNION ALL SELECT 'f', x.focus_code, s.month, s.id, s.lead_org, s.first_day, s.last_day"
    " FROM spans s JOIN activity_focus_areas x ON x.activity_id = s.id"
    " UNION ALL SELECT 'c', x.code, s.month, s.id, s.lead_org, s.first_day, s.last_day"
    " FROM spans s JOIN (SELECT id, host_country AS code FROM activities"
    " WHERE id > ?1 AND host_country IS NOT NULL"
    " UNION SELECT activity_id, country_code FROM activity_beneficiaries"
    " WHERE activity_id > ?1) x ON x.id = s.id"
    " ORDER BY 1, 2, 3, 4";

int import_periods_fill_after(store *s, int64_t after_id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, periods_sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, after_id);
    return store_run(st, err);
}

int import_audit_last_id(store *s, int64_t *out, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT COALESCE(MAX(id), 0) FROM audit", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    *out = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* ---- deferred indexes ---- */

/* The tables an import writes a row or more into per activity. activity_counters (a few
 * rows) and the full-text table (no index of this kind) are left out. */
static const char *const activity_tables[] = {
    "activities",           "activity_partners", "activity_beneficiaries", "activity_priorities",
    "activity_focus_areas", "activity_lines",    "activity_target_groups", "activity_participants",
    "activity_documents",   "activity_periods",
};

struct import_indexes {
    size_t n, cap;
    char **create; /* the CREATE INDEX statements, as the schema holds them */
};

void import_indexes_free(struct import_indexes *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++)
        free(d->create[i]);
    free(d->create);
    free(d);
}

static bool plain_name(const char *name)
{
    if (!*name) return false;
    for (const char *p = name; *p; p++)
        if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

/* Drops the non-unique indexes of table (those the schema created by name: not a primary
 * key's or a UNIQUE constraint's, which the import's checks read) and keeps their SQL in d. */
static int defer_table(store *s, const char *table, struct import_indexes *d, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                           " AND tbl_name = ?1 AND sql IS NOT NULL"
                           " AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, table);
    size_t first = d->n;
    buf names = BUF_INIT;
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        const char *name = store_col_text(st, 0);
        if (!plain_name(name)) continue;
        if (d->n == d->cap) {
            d->cap = d->cap ? 2 * d->cap : 16;
            d->create = xrealloc(d->create, d->cap * sizeof *d->create);
        }
        d->create[d->n++] = xstrdup(store_col_text(st, 1));
        buf_printf(&names, "DROP INDEX \"%s\";", name);
    }
    store_reset(st);
    if (step < 0) rc = -step;
    if (rc == P_OK && d->n > first) rc = store_exec_script(s, buf_str(&names), err);
    buf_free(&names);
    return rc;
}

int import_indexes_defer(store *s, size_t rows, int64_t activities, int64_t audit_entries,
                         struct import_indexes **out, p_error *err)
{
    *out = NULL;
    if (store_dialect_pg(s) || rows < IMPORT_DEFER_MIN_ROWS || getenv("EXP_NODEFER")) return P_OK;
    bool tables = activities <= (int64_t)rows, audit = audit_entries <= (int64_t)rows;
    if (!tables && !audit) return P_OK;
    struct import_indexes *d = xcalloc(1, sizeof *d);
    int rc = P_OK;
    for (size_t i = 0; tables && rc == P_OK && i < sizeof activity_tables / sizeof *activity_tables;
         i++)
        rc = defer_table(s, activity_tables[i], d, err);
    if (rc == P_OK && audit) rc = defer_table(s, "audit", d, err);
    if (rc != P_OK || d->n == 0) {
        import_indexes_free(d);
        return rc;
    }
    *out = d;
    return P_OK;
}

int import_indexes_restore(store *s, struct import_indexes *d, p_error *err)
{
    int rc = P_OK;
    for (size_t i = 0; d && rc == P_OK && i < d->n; i++)
        rc = store_exec_script(s, d->create[i], err);
    import_indexes_free(d);
    return rc;
}
