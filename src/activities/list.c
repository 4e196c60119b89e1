/* list.c (activities): the filtered, keyset-paginated list of activities. The WHERE clause
 * is built from the filters present (prepared, with placeholders: never user text in SQL)
 * so the planner can use the matching index, and a page's records are read in a few
 * statements for all of its keys at once rather than a handful per record. */
#include "activities/activities.h"
#include "activities/internal.h"
#include "core/mem.h"
#include "core/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ACTIVITIES_SORTS[] = "-planned_start|planned_start|title|id";

/* ---- the WHERE clause ------------------------------------------------------------------- */

/* Appends text with each '#' replaced by the placeholder number k. */
static void put_numbered(buf *sql, const char *text, int k)
{
    for (const char *p = text; *p; p++) {
        if (*p == '#')
            buf_printf(sql, "%d", k);
        else
            buf_putc(sql, *p);
    }
}

/* Appends " AND <cond>", cond's '#' being the value's placeholder, numbered next. */
static void where_add(buf *sql, struct activities_where *w, const char *cond, const char *value)
{
    int k = ++w->n;
    w->val[k - 1] = value;
    buf_puts(sql, " AND ");
    put_numbered(sql, cond, k);
}

int activities_where_build(const store *s, const struct activities_filter *f, bool by_id, buf *sql,
                           struct activities_where *w, p_error *err)
{
    *w = (struct activities_where){.match = BUF_INIT};
    if (f->from && f->to && strcmp(f->from, f->to) > 0)
        return p_fail(err, P_EINVAL, "to", "to is before from");
    const char *q = f->q && *f->q ? f->q : NULL; /* an empty ?q= does not filter */
    if (q) {
        int rc = activity_fts_query(q, store_dialect_pg(s), &w->match, err);
        if (rc != P_OK) return rc;
    }
    buf_puts(sql, " FROM activities a WHERE 1 = 1");
    /* Present or not, always in the statement: no index serves these better than the
     * order of the list, so the planner loses nothing by seeing "IS NULL OR". */
    where_add(sql, w,
              "(?# IS NULL OR EXISTS (SELECT 1 FROM activity_priorities x"
              " WHERE x.activity_id = a.id AND x.priority_code = ?#))",
              f->priority);
    where_add(sql, w,
              "(?# IS NULL OR EXISTS (SELECT 1 FROM activity_focus_areas x"
              " WHERE x.activity_id = a.id AND x.focus_code = ?#))",
              f->focus);
    where_add(sql, w,
              "(?# IS NULL OR EXISTS (SELECT 1 FROM activity_lines x"
              " WHERE x.activity_id = a.id AND x.line_code = ?#))",
              f->line);
    where_add(sql, w,
              "(?# IS NULL OR a.lead_org = ?# OR EXISTS (SELECT 1 FROM activity_partners x"
              " WHERE x.activity_id = a.id AND x.org_code = ?#))",
              f->org);
    where_add(sql, w,
              "(?# IS NULL OR a.host_country = ?# OR EXISTS (SELECT 1 FROM"
              " activity_beneficiaries x WHERE x.activity_id = a.id AND x.country_code = ?#))",
              f->country);
    where_add(sql, w,
              "(?# IS NULL OR EXISTS (SELECT 1 FROM activity_target_groups x"
              " WHERE x.activity_id = a.id AND x.target_group = ?#))",
              f->target_group);
    where_add(sql, w, "(?# IS NULL OR COALESCE(a.planned_end, a.planned_start) >= ?#)", f->from);

    /* Only when present, so the planner sees them and their indexes (to bounds the start
     * date the list's indexes are ordered by); not for the order of creation, which the
     * table's own order serves best (an index on type or status would make it sort every
     * matching row). */
    if (by_id) {
        where_add(sql, w, "(?# IS NULL OR a.type = ?#)", f->type);
        where_add(sql, w, "(?# IS NULL OR a.status = ?#)", f->status);
        where_add(sql, w, "(?# IS NULL OR a.planned_start <= ?#)", f->to);
    } else {
        if (f->type) where_add(sql, w, "a.type = ?#", f->type);
        if (f->status) where_add(sql, w, "a.status = ?#", f->status);
        if (f->to) where_add(sql, w, "a.planned_start <= ?#", f->to);
    }
    if (q && store_dialect_pg(s))
        where_add(sql, w,
                  "a.id IN (SELECT rowid FROM activities_fts WHERE document @@ CAST(?# AS"
                  " tsquery))",
                  buf_str(&w->match));
    else if (q)
        where_add(sql, w,
                  "a.id IN (SELECT rowid FROM activities_fts WHERE activities_fts MATCH ?#)",
                  buf_str(&w->match));
    return P_OK;
}

void activities_where_bind(store_stmt *st, const struct activities_where *w)
{
    for (int i = 0; i < w->n; i++)
        store_bind_text(st, i + 1, w->val[i]);
}

void activities_where_free(struct activities_where *w)
{
    buf_free(&w->match);
}

/* ---- reading a page's records ------------------------------------------------------------ */

/* ?1..?50 the keys. Kinds 0..AL_COUNT-1 are the lists in enum activity_list order; AL_COUNT
 * the participants by country (with their count); AL_COUNT + 1 the linked documents. */
static const char sql_rows[] =
    "SELECT " ACTIVITY_COLUMNS " FROM activities WHERE id IN " ACTIVITY_IDS_IN;
static const char sql_links[] =
    "SELECT activity_id, 0, org_code, 0 FROM activity_partners WHERE activity_id "
    "IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 1, country_code, 0 FROM activity_beneficiaries"
    " WHERE activity_id IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 2, priority_code, 0 FROM activity_priorities"
    " WHERE activity_id IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 3, focus_code, 0 FROM activity_focus_areas"
    " WHERE activity_id IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 4, line_code, 0 FROM activity_lines"
    " WHERE activity_id IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 5, target_group, 0 FROM activity_target_groups"
    " WHERE activity_id IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 6, country_code, count FROM activity_participants"
    " WHERE activity_id IN " ACTIVITY_IDS_IN
    " UNION ALL SELECT activity_id, 7, '', document_id FROM activity_documents"
    " WHERE activity_id IN " ACTIVITY_IDS_IN " ORDER BY 1, 2, 3, 4";

_Static_assert(AL_PARTNERS == 0 && AL_BENEFICIARIES == 1 && AL_PRIORITIES == 2 &&
                   AL_FOCUS_AREAS == 3 && AL_LINES == 4 && AL_TARGET_GROUPS == 5 && AL_COUNT == 6,
               "sql_links numbers the lists in enum activity_list order");

/* The record of key id among recs[0..n) (ids[i] is the key of recs[i]); NULL if absent. */
static json_t *record_of(const int64_t *ids, json_t **recs, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id) return recs[i];
    return NULL;
}

/* Loads the records of ids[0..n) (n <= ACTIVITY_IDS_CHUNK) into recs (NULL for a key that
 * has no row any more). */
static int load_chunk(store *s, const int64_t *ids, size_t n, json_t **recs, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql_rows, &st, err);
    if (rc != P_OK) return rc;
    activity_bind_ids(st, ids, n);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        int64_t id = store_col_int(st, 0);
        for (size_t i = 0; i < n; i++)
            if (ids[i] == id && !recs[i]) recs[i] = activity_row_to_record(st);
    }
    store_reset(st);
    if (step < 0) return -step;
    rc = store_prepare(s, sql_links, &st, err);
    if (rc != P_OK) return rc;
    activity_bind_ids(st, ids, n);
    while ((step = store_step(st, err)) == STORE_ROW) {
        json_t *r = record_of(ids, recs, n, store_col_int(st, 0));
        int64_t kind = store_col_int(st, 1);
        const char *code = store_col_text(st, 2);
        if (!r || kind < 0 || kind > AL_COUNT + 1) continue;
        if (kind == AL_COUNT + 1)
            json_array_append_new(json_object_get(r, "documents"),
                                  json_integer((json_int_t)store_col_int(st, 3)));
        else if (kind == AL_COUNT)
            json_object_set_new(json_object_get(r, "participants_by_country"), code,
                                json_integer((json_int_t)store_col_int(st, 3)));
        else
            json_array_append_new(json_object_get(r, activity_list_members[kind]),
                                  json_string(code));
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Appends the records of ids[0..n) to arr, in that order. */
static int load_records(store *s, const int64_t *ids, size_t n, json_t *arr, p_error *err)
{
    json_t *recs[ACTIVITY_IDS_CHUNK];
    int rc = P_OK;
    for (size_t i = 0; rc == P_OK && i < n; i += ACTIVITY_IDS_CHUNK) {
        size_t k = n - i < ACTIVITY_IDS_CHUNK ? n - i : ACTIVITY_IDS_CHUNK;
        memset(recs, 0, sizeof recs);
        rc = load_chunk(s, ids + i, k, recs, err);
        for (size_t j = 0; j < k; j++) {
            if (rc == P_OK && recs[j])
                json_array_append_new(arr, recs[j]);
            else
                json_decref(recs[j]);
        }
    }
    return rc;
}

/* ---- the list --------------------------------------------------------------------------- */

/* After the WHERE clause each sort takes the cursor's sort key and id and the number of
 * rows to read. The first page passes a key before every row (dates are YYYY-MM-DD, years
 * up to 9999; titles are never empty), so one statement serves every page and keeps the
 * keyset comparison usable by the index. */
struct sort_desc {
    const char *name;
    char tag; /* first byte of the cursor key, so a cursor cannot cross sorts */
    const char *select;
    const char *after;     /* '#' the cursor's key, '$' its id, '@' the rows to read */
    const char *first_key; /* NULL: the sort has no key but the id */
};

static const struct sort_desc sorts[] = {
    {"-planned_start", 'd', "SELECT a.id, a.planned_start",
     " AND (a.planned_start, a.id) < (?#, ?$) ORDER BY a.planned_start DESC, a.id DESC"
     " LIMIT ?@",
     "9999-12-31"},
    {"planned_start", 'a', "SELECT a.id, a.planned_start",
     " AND (a.planned_start, a.id) > (?#, ?$) ORDER BY a.planned_start, a.id LIMIT ?@", ""},
    {"title", 't', "SELECT a.id, a.title_sort",
     " AND (a.title_sort, a.id) > (?#, ?$) ORDER BY a.title_sort, a.id LIMIT ?@", ""},
    {"id", 'i', "SELECT a.id, ''", " AND a.id > ?$ ORDER BY a.id LIMIT ?@", NULL},
};

/* Splits a cursor key "<tag><id>|<sort key>" into id and sort key (pointing into key). */
static int parse_cursor(const struct sort_desc *sd, char *key, int64_t *id, const char **sort_key,
                        p_error *err)
{
    char *bar = strchr(key, '|');
    if (key[0] != sd->tag || !bar)
        return p_fail(err, P_EINVAL, "cursor",
                      "cursor is not valid for this sort; use the 'next' value of a page");
    *bar = '\0';
    if (!text_parse_int64(key + 1, 1, INT64_MAX, id))
        return p_fail(err, P_EINVAL, "cursor",
                      "cursor is not valid; use the 'next' value of a page");
    *sort_key = bar + 1;
    return P_OK;
}

/* Reads into ids (at most f->limit) the keys of the page after the cursor; *more says
 * whether rows follow, last receives the cursor key of the last one. */
static int page_keys(store *s, const struct activities_filter *f, const struct sort_desc *sd,
                     int64_t *ids, int *n, bool *more, char last[static CURSOR_MAX], p_error *err)
{
    char key[CURSOR_MAX];
    int64_t after_id = sd->tag == 'd' ? INT64_MAX : 0;
    const char *after_key = sd->first_key;
    int rc = P_OK;
    if (f->cursor) {
        rc = cursor_decode(f->cursor, key, err);
        if (rc == P_OK) rc = parse_cursor(sd, key, &after_id, &after_key, err);
        if (rc != P_OK) return rc;
    }
    int keyed = sd->first_key ? 1 : 0;
    buf sql = BUF_INIT;
    struct activities_where w;
    buf_puts(&sql, sd->select);
    rc = activities_where_build(s, f, sd->tag == 'i', &sql, &w, err);
    store_stmt *st = NULL;
    if (rc == P_OK) {
        for (const char *p = sd->after; *p; p++) {
            if (*p == '#' || *p == '$' || *p == '@')
                buf_printf(&sql, "%d", w.n + keyed + (*p == '#' ? 0 : *p == '$' ? 1 : 2));
            else
                buf_putc(&sql, *p);
        }
        rc = store_prepare(s, buf_str(&sql), &st, err);
    }
    if (rc == P_OK) {
        activities_where_bind(st, &w);
        if (keyed) store_bind_text(st, w.n + 1, after_key);
        store_bind_int(st, w.n + keyed + 1, after_id);
        store_bind_int(st, w.n + keyed + 2, f->limit + 1);
        int step;
        while ((step = store_step(st, err)) == STORE_ROW) {
            if (*n == f->limit) {
                *more = true;
                break;
            }
            ids[*n] = store_col_int(st, 0);
            snprintf(last, CURSOR_MAX, "%c%lld|%s", sd->tag, (long long)ids[*n],
                     store_col_text(st, 1));
            (*n)++;
        }
        store_reset(st);
        rc = step < 0 ? -step : P_OK;
    }
    activities_where_free(&w);
    buf_free(&sql);
    return rc;
}

int activities_list(store *s, const struct activities_filter *f, json_t **items,
                    char next[static CURSOR_MAX], p_error *err)
{
    *items = NULL;
    next[0] = '\0';
    if (f->limit < 1 || f->limit > 1000)
        return p_fail(err, P_EINVAL, "limit", "limit must be an integer from 1 to 1000");
    const struct sort_desc *sd = NULL;
    for (size_t i = 0; i < sizeof sorts / sizeof sorts[0]; i++)
        if (strcmp(sorts[i].name, f->sort ? f->sort : "-planned_start") == 0) sd = &sorts[i];
    if (!sd) return p_fail(err, P_EINVAL, "sort", "sort must be one of: %s", ACTIVITIES_SORTS);
    /* Keys first, records after: loading records runs other statements. */
    int64_t *ids = xcalloc((size_t)f->limit, sizeof *ids);
    int n = 0;
    bool more = false;
    char last[CURSOR_MAX] = "";
    int rc = page_keys(s, f, sd, ids, &n, &more, last, err);
    json_t *arr = json_array();
    if (rc == P_OK) rc = load_records(s, ids, (size_t)n, arr, err);
    free(ids);
    if (rc != P_OK) {
        json_decref(arr);
        return rc;
    }
    if (more) cursor_encode(last, next);
    *items = arr;
    return P_OK;
}
