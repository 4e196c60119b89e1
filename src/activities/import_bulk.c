/* import_bulk.c (activities): the set-wise steps of a bulk import: the new activities'
 * date-range index rows, gathered as the rows are created and written in the index's order
 * at the end, and the secondary indexes dropped before a large import into a small registry
 * and built again before it commits; and the page cache the import's transaction holds. */
#include "activities/import_bulk.h"
#include "activities/internal.h"
#include "core/buf.h"
#include "core/mem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the date-range index ---- */

/* A row is kept as one 64-bit key that sorts as the index's primary key (kind, code, month,
 * activity_id): the rank of its (kind, code) in the index's order (an intern number until
 * import_periods_write ranks them), the month + 1 (-1, a long period, first) and the
 * activity's place in the import (keys ascend with it). */
#define CODE_BITS  16
#define MONTH_BITS 17
#define ACT_BITS   31
_Static_assert(CODE_BITS + MONTH_BITS + ACT_BITS == 64, "a row's key is 64 bits");
#define CODES_MAX          (1u << CODE_BITS)
#define MONTH_MAX          ((1 << MONTH_BITS) - 2) /* month + 1 fits; a 4-digit year's month does */
#define ACTS_MAX           ((1u << ACT_BITS) - 1)
#define ROWS_PER_STATEMENT 32

struct period_act {
    int64_t id;
    uint32_t lead, first_day, last_day; /* offsets in pool */
};

struct import_periods {
    buf pool; /* NUL-terminated strings: leads, days, and each code as kind NUL code NUL */
    struct period_act *acts;
    size_t n_acts, cap_acts;
    uint64_t *keys;
    size_t n_keys, cap_keys;
    uint32_t *codes; /* intern number -> offset in pool */
    uint32_t n_codes;
    uint32_t *slots; /* open addressing: intern number + 1, 0 empty; 2 * CODES_MAX */
};

struct import_periods *import_periods_new(void)
{
    struct import_periods *ip = xcalloc(1, sizeof *ip);
    ip->codes = xcalloc(CODES_MAX, sizeof *ip->codes);
    ip->slots = xcalloc(2 * CODES_MAX, sizeof *ip->slots);
    return ip;
}

void import_periods_free(struct import_periods *ip)
{
    if (!ip) return;
    buf_free(&ip->pool);
    free(ip->acts);
    free(ip->keys);
    free(ip->codes);
    free(ip->slots);
    free(ip);
}

static uint32_t put_string(struct import_periods *ip, const char *s)
{
    uint32_t off = (uint32_t)ip->pool.len;
    buf_append(&ip->pool, s, strlen(s) + 1);
    return off;
}

static const char *pooled(const struct import_periods *ip, uint32_t off)
{
    return ip->pool.data + off;
}

/* The intern number of (kind, code); CODES_MAX when there are too many. */
static uint32_t intern_code(struct import_periods *ip, const char *kind, const char *code)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = kind; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    size_t mask = 2 * CODES_MAX - 1, i = (size_t)h & mask;
    size_t kl = strlen(kind);
    for (; ip->slots[i]; i = (i + 1) & mask) {
        const char *k = pooled(ip, ip->codes[ip->slots[i] - 1]);
        if (strcmp(k, kind) == 0 && strcmp(k + kl + 1, code) == 0) return ip->slots[i] - 1;
    }
    if (ip->n_codes >= CODES_MAX) return CODES_MAX;
    uint32_t off = put_string(ip, kind);
    put_string(ip, code);
    ip->codes[ip->n_codes] = off;
    ip->slots[i] = ++ip->n_codes;
    return ip->n_codes - 1;
}

/* Keeps the rows of one code of the activity last added (an activity_period_fn). */
static int keep_code(void *ctx, const char *lead, const struct activity_period *p, const char *kind,
                     const char *code, p_error *err)
{
    (void)lead;
    struct import_periods *ip = ctx;
    uint32_t c = intern_code(ip, kind, code);
    if (c >= CODES_MAX)
        return p_fail(err, P_ESTORE, NULL, "an import holds more than %u distinct codes",
                      CODES_MAX);
    uint64_t act = ip->n_acts - 1;
    for (int m = p->first_month; m <= p->last_month; m++) {
        if (m + 1 < 0 || m > MONTH_MAX)
            return p_fail(err, P_ESTORE, NULL, "a planned period outside the years 1-9999");
        if (ip->n_keys == ip->cap_keys) {
            ip->cap_keys = ip->cap_keys ? 2 * ip->cap_keys : 4096;
            ip->keys = xrealloc(ip->keys, ip->cap_keys * sizeof *ip->keys);
        }
        ip->keys[ip->n_keys++] =
            (uint64_t)c << (MONTH_BITS + ACT_BITS) | (uint64_t)(m + 1) << ACT_BITS | act;
    }
    return P_OK;
}

int import_periods_add(struct import_periods *ip, int64_t id, json_t *rec, p_error *err)
{
    const char *start = json_string_value(json_object_get(rec, "planned_start"));
    const char *lead = json_string_value(json_object_get(rec, "lead_org"));
    if (!start || !lead) return P_OK; /* as activity_periods_write: no rows */
    if (ip->n_acts >= ACTS_MAX)
        return p_fail(err, P_ESTORE, NULL, "too many activities in one import");
    struct activity_period p;
    activity_period_of(start, json_string_value(json_object_get(rec, "planned_end")), &p);
    if (ip->n_acts == ip->cap_acts) {
        ip->cap_acts = ip->cap_acts ? 2 * ip->cap_acts : 1024;
        ip->acts = xrealloc(ip->acts, ip->cap_acts * sizeof *ip->acts);
    }
    struct period_act *a = &ip->acts[ip->n_acts++];
    a->id = id;
    a->lead = put_string(ip, lead);
    a->first_day = put_string(ip, p.first_day);
    a->last_day = put_string(ip, p.last_day);
    return activity_periods_each(rec, keep_code, ip, err);
}

/* A (kind, code) to rank: its strings in the pool and its intern number. */
struct code_order {
    const char *kind, *code;
    uint32_t intern;
};

static int by_code(const void *a, const void *b)
{
    const struct code_order *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    return c ? c : strcmp(x->code, y->code);
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static const char row_sql[] = "(?, ?, ?, ?, ?, ?, ?)";
#define PERIODS_INSERT                                                                             \
    "INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day, last_day)"  \
    " VALUES "

/* Binds the row of key at the 7 parameters from first. */
static void bind_row(const struct import_periods *ip, store_stmt *st, int first, uint64_t key)
{
    uint32_t off = ip->codes[key >> (MONTH_BITS + ACT_BITS)];
    const char *kind = pooled(ip, off);
    const struct period_act *a = &ip->acts[key & ACTS_MAX];
    store_bind_text(st, first, kind);
    store_bind_text(st, first + 1, kind + strlen(kind) + 1);
    store_bind_int(st, first + 2, (int64_t)((key >> ACT_BITS) & ((1u << MONTH_BITS) - 1)) - 1);
    store_bind_int(st, first + 3, a->id);
    store_bind_text(st, first + 4, pooled(ip, a->lead));
    store_bind_text(st, first + 5, pooled(ip, a->first_day));
    store_bind_text(st, first + 6, pooled(ip, a->last_day));
}

int import_periods_write(store *s, struct import_periods *ip, p_error *err)
{
    /* intern numbers -> ranks in the index's order, then every key in that order */
    struct code_order *order = xcalloc(ip->n_codes ? ip->n_codes : 1, sizeof *order);
    uint32_t *rank = xcalloc(ip->n_codes ? ip->n_codes : 1, sizeof *rank);
    for (uint32_t i = 0; i < ip->n_codes; i++) {
        order[i].kind = pooled(ip, ip->codes[i]);
        order[i].code = order[i].kind + strlen(order[i].kind) + 1;
        order[i].intern = i;
    }
    qsort(order, ip->n_codes, sizeof *order, by_code);
    uint32_t *ranked_codes = xcalloc(ip->n_codes ? ip->n_codes : 1, sizeof *ranked_codes);
    for (uint32_t r = 0; r < ip->n_codes; r++) {
        rank[order[r].intern] = r;
        ranked_codes[r] = ip->codes[order[r].intern];
    }
    const uint64_t low = ((uint64_t)1 << (MONTH_BITS + ACT_BITS)) - 1;
    for (size_t i = 0; i < ip->n_keys; i++)
        ip->keys[i] = (uint64_t)rank[ip->keys[i] >> (MONTH_BITS + ACT_BITS)]
                          << (MONTH_BITS + ACT_BITS) |
                      (ip->keys[i] & low);
    memcpy(ip->codes, ranked_codes, ip->n_codes * sizeof *ip->codes);
    free(order);
    free(rank);
    free(ranked_codes);
    qsort(ip->keys, ip->n_keys, sizeof *ip->keys, by_key);

    buf many = BUF_INIT;
    buf_puts(&many, PERIODS_INSERT);
    for (int r = 0; r < ROWS_PER_STATEMENT; r++)
        buf_printf(&many, "%s%s", r ? ", " : "", row_sql);
    int rc = P_OK;
    size_t i = 0;
    store_stmt *st;
    for (; rc == P_OK && i + ROWS_PER_STATEMENT <= ip->n_keys; i += ROWS_PER_STATEMENT) {
        rc = store_prepare(s, buf_str(&many), &st, err);
        if (rc != P_OK) break;
        for (int r = 0; r < ROWS_PER_STATEMENT; r++)
            bind_row(ip, st, 1 + 7 * r, ip->keys[i + (size_t)r]);
        rc = store_run(st, err);
    }
    buf_free(&many);
    for (; rc == P_OK && i < ip->n_keys; i++) {
        rc = store_prepare(s, PERIODS_INSERT "(?, ?, ?, ?, ?, ?, ?)", &st, err);
        if (rc != P_OK) break;
        bind_row(ip, st, 1, ip->keys[i]);
        rc = store_run(st, err);
    }
    return rc;
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

/* ---- the page cache ---- */

int import_cache_grow(store *s, size_t bytes, int64_t *was, p_error *err)
{
    *was = 0;
    if (store_dialect_pg(s)) return P_OK;
    int64_t kib = (int64_t)(bytes / 1024) * IMPORT_CACHE_PER_BYTE;
    if (kib > IMPORT_CACHE_MAX_KIB) kib = IMPORT_CACHE_MAX_KIB;
    store_stmt *st;
    int rc = store_prepare(s, "PRAGMA cache_size", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    int64_t now = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    if (step < 0) return -step;
    /* a negative size is in KiB, a positive one in pages (of at most 64 KiB) */
    if (now == 0 || (now < 0 && -now >= kib) || (now > 0 && now * 64 >= kib)) return P_OK;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)-kib);
    rc = store_exec_script(s, sql, err);
    if (rc == P_OK) *was = now;
    return rc;
}

void import_cache_restore(store *s, int64_t was)
{
    if (was == 0) return;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld", (long long)was);
    p_error err;
    p_error_clear(&err);
    /* A failure leaves the larger cache to this connection: memory, not data, is at stake. */
    if (store_exec_script(s, sql, &err) != P_OK) p_error_clear(&err);
}
