/* service.c (activities): stored activities: loading a record with its link tables,
 * audited create, update and delete in one transaction each (with the full-text index
 * kept in step), and public ids from a per-organisation, per-year counter. The list lives
 * in list.c, validation in validate.c; no HTTP here. */
#include "activities/activities.h"
#include "activities/internal.h"
#include "auth/audit.h"
#include "core/mem.h"
#include "core/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLUMNS ACTIVITY_COLUMNS

enum {
    C_ID,
    C_PUBLIC_ID,
    C_TYPE,
    C_STATUS,
    C_LEAD,
    C_HOST,
    C_TITLE_EN,
    C_TITLE_RU,
    C_DESC_EN,
    C_DESC_RU,
    C_PSTART,
    C_PEND,
    C_ASTART,
    C_AEND,
    C_TOTAL,
    C_WOMEN,
    C_MEN,
    C_TOT,
    C_AMOUNT,
    C_CURRENCY,
    C_SOURCE,
    C_OUTCOMES,
    C_CREATED,
    C_UPDATED
};

/* The SQL of each link table: read one activity's codes, add one, remove them all. */
struct link_sql {
    const char *select, *insert, *clear;
};

static const struct link_sql links[AL_COUNT] = {
    [AL_PARTNERS] = {"SELECT org_code FROM activity_partners WHERE activity_id = ?"
                     " ORDER BY org_code",
                     "INSERT INTO activity_partners(activity_id, org_code) VALUES (?, ?)",
                     "DELETE FROM activity_partners WHERE activity_id = ?"},
    [AL_BENEFICIARIES] = {"SELECT country_code FROM activity_beneficiaries WHERE activity_id = ?"
                          " ORDER BY country_code",
                          "INSERT INTO activity_beneficiaries(activity_id, country_code)"
                          " VALUES (?, ?)",
                          "DELETE FROM activity_beneficiaries WHERE activity_id = ?"},
    [AL_PRIORITIES] = {"SELECT priority_code FROM activity_priorities WHERE activity_id = ?"
                       " ORDER BY priority_code",
                       "INSERT INTO activity_priorities(activity_id, priority_code) VALUES (?, ?)",
                       "DELETE FROM activity_priorities WHERE activity_id = ?"},
    [AL_FOCUS_AREAS] = {"SELECT focus_code FROM activity_focus_areas WHERE activity_id = ?"
                        " ORDER BY focus_code",
                        "INSERT INTO activity_focus_areas(activity_id, focus_code) VALUES (?, ?)",
                        "DELETE FROM activity_focus_areas WHERE activity_id = ?"},
    [AL_LINES] = {"SELECT line_code FROM activity_lines WHERE activity_id = ? ORDER BY line_code",
                  "INSERT INTO activity_lines(activity_id, line_code) VALUES (?, ?)",
                  "DELETE FROM activity_lines WHERE activity_id = ?"},
    [AL_TARGET_GROUPS] = {"SELECT target_group FROM activity_target_groups WHERE activity_id = ?"
                          " ORDER BY target_group",
                          "INSERT INTO activity_target_groups(activity_id, target_group)"
                          " VALUES (?, ?)",
                          "DELETE FROM activity_target_groups WHERE activity_id = ?"},
};

static const struct link_sql documents_sql = {
    "SELECT document_id FROM activity_documents WHERE activity_id = ? ORDER BY document_id",
    "INSERT INTO activity_documents(activity_id, document_id) VALUES (?, ?)",
    "DELETE FROM activity_documents WHERE activity_id = ?"};

static const struct link_sql participants_sql = {
    "SELECT country_code, count FROM activity_participants WHERE activity_id = ?"
    " ORDER BY country_code",
    "INSERT INTO activity_participants(activity_id, country_code, count) VALUES (?, ?, ?)",
    "DELETE FROM activity_participants WHERE activity_id = ?"};

/* ---- reading ---------------------------------------------------------------------------- */

static json_t *col_string_or_null(store_stmt *st, int i)
{
    return store_col_null(st, i) ? json_null() : json_string(store_col_text(st, i));
}

static json_t *col_int_or_null(store_stmt *st, int i)
{
    return store_col_null(st, i) ? json_null() : json_integer((json_int_t)store_col_int(st, i));
}

static json_t *texts_json(store_stmt *st, int en, int ru)
{
    json_t *o = json_object();
    if (*store_col_text(st, en)) json_object_set_new(o, "en", json_string(store_col_text(st, en)));
    if (*store_col_text(st, ru)) json_object_set_new(o, "ru", json_string(store_col_text(st, ru)));
    return o;
}

static json_t *budget_json(store_stmt *st)
{
    if (store_col_null(st, C_AMOUNT)) return json_null();
    int64_t minor = store_col_int(st, C_AMOUNT);
    json_t *amount = minor % 100 == 0 ? json_integer((json_int_t)(minor / 100))
                                      : json_real((double)minor / 100.0);
    return json_pack("{s:o, s:s, s:s}", "amount", amount, "currency",
                     store_col_text(st, C_CURRENCY), "source", store_col_text(st, C_SOURCE));
}

json_t *activity_row_to_record(store_stmt *st)
{
    json_t *r = json_object();
    json_object_set_new(r, "id", json_string(store_col_text(st, C_PUBLIC_ID)));
    json_object_set_new(r, "title", texts_json(st, C_TITLE_EN, C_TITLE_RU));
    json_object_set_new(r, "description", texts_json(st, C_DESC_EN, C_DESC_RU));
    json_object_set_new(r, "type", json_string(store_col_text(st, C_TYPE)));
    json_object_set_new(r, "status", json_string(store_col_text(st, C_STATUS)));
    json_object_set_new(r, "lead_org", json_string(store_col_text(st, C_LEAD)));
    /* Placeholders keep the members in the documented order; attach_links fills them. */
    json_object_set_new(r, "partners", json_array());
    json_object_set_new(r, "host_country", col_string_or_null(st, C_HOST));
    for (int l = AL_BENEFICIARIES; l < AL_COUNT; l++)
        json_object_set_new(r, activity_list_members[l], json_array());
    json_object_set_new(r, "planned_start", json_string(store_col_text(st, C_PSTART)));
    json_object_set_new(r, "planned_end", col_string_or_null(st, C_PEND));
    json_object_set_new(r, "actual_start", col_string_or_null(st, C_ASTART));
    json_object_set_new(r, "actual_end", col_string_or_null(st, C_AEND));
    json_object_set_new(r, "participants_total", col_int_or_null(st, C_TOTAL));
    json_object_set_new(r, "participants_women", col_int_or_null(st, C_WOMEN));
    json_object_set_new(r, "participants_men", col_int_or_null(st, C_MEN));
    json_object_set_new(r, "participants_by_country", json_object());
    json_object_set_new(r, "tot", json_boolean(store_col_int(st, C_TOT) != 0));
    json_object_set_new(r, "budget", budget_json(st));
    json_object_set_new(r, "outcomes", json_string(store_col_text(st, C_OUTCOMES)));
    json_object_set_new(r, "documents", json_array());
    json_object_set_new(r, "created_at", json_string(store_col_text(st, C_CREATED)));
    json_object_set_new(r, "updated_at", json_string(store_col_text(st, C_UPDATED)));
    return r;
}

/* Adds the link-table members of activity id to r. */
static int attach_links(store *s, int64_t id, json_t *r, p_error *err)
{
    store_stmt *st;
    int step = STORE_DONE;
    for (int l = 0; l < AL_COUNT; l++) {
        int rc = store_prepare(s, links[l].select, &st, err);
        if (rc != P_OK) return rc;
        store_bind_int(st, 1, id);
        json_t *arr = json_array();
        while ((step = store_step(st, err)) == STORE_ROW)
            json_array_append_new(arr, json_string(store_col_text(st, 0)));
        store_reset(st);
        json_object_set_new(r, activity_list_members[l], arr);
        if (step < 0) return -step;
    }
    int rc = store_prepare(s, documents_sql.select, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    json_t *docs = json_array();
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(docs, json_integer(store_col_int(st, 0)));
    store_reset(st);
    json_object_set_new(r, "documents", docs);
    if (step < 0) return -step;
    rc = store_prepare(s, participants_sql.select, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    json_t *by = json_object();
    while ((step = store_step(st, err)) == STORE_ROW)
        json_object_set_new(by, store_col_text(st, 0), json_integer(store_col_int(st, 1)));
    store_reset(st);
    json_object_set_new(r, "participants_by_country", by);
    return step < 0 ? -step : P_OK;
}

/* Loads the record whose public id (by_id NULL) or key (*by_id) is given; *id gets the
 * key. P_ENOTFOUND when there is none. */
static int load_record(store *s, const char *public_id, const int64_t *by_id, json_t **out,
                       int64_t *id, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s,
                           by_id ? "SELECT " COLUMNS " FROM activities WHERE id = ?"
                                 : "SELECT " COLUMNS " FROM activities WHERE public_id = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    if (by_id)
        store_bind_int(st, 1, *by_id);
    else
        store_bind_text(st, 1, public_id);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_ENOTFOUND, NULL, "no activity has id '%s'",
                      public_id ? public_id : "?");
    }
    json_t *r = activity_row_to_record(st);
    int64_t key = store_col_int(st, C_ID);
    store_reset(st);
    rc = attach_links(s, key, r, err);
    if (rc != P_OK) {
        json_decref(r);
        return rc;
    }
    if (id) *id = key;
    *out = r;
    return P_OK;
}

int activities_get(store *s, const char *public_id, json_t **out, p_error *err)
{
    return load_record(s, public_id ? public_id : "", NULL, out, NULL, err);
}

int activities_lead_org(store *s, const char *public_id, char org[static 24], p_error *err)
{
    org[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(s, "SELECT lead_org FROM activities WHERE public_id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, public_id ? public_id : "");
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_ROW) snprintf(org, 24, "%s", store_col_text(st, 0));
    store_reset(st);
    if (step == STORE_DONE)
        return p_fail(err, P_ENOTFOUND, NULL, "no activity has id '%s'",
                      public_id ? public_id : "");
    return P_OK;
}

/* ---- writing ---------------------------------------------------------------------------- */

static const char *text_of(json_t *rec, const char *member, const char *lang)
{
    const char *t = json_string_value(json_object_get(json_object_get(rec, member), lang));
    return t ? t : "";
}

static void bind_string_or_null(store_stmt *st, int col, json_t *v)
{
    store_bind_text(st, col, json_string_value(v)); /* NULL binds NULL */
}

static void bind_int_or_null(store_stmt *st, int col, json_t *v)
{
    if (json_is_integer(v))
        store_bind_int(st, col, (int64_t)json_integer_value(v));
    else
        store_bind_null(st, col);
}

/* Length in bytes of at most max bytes of s that end on a character boundary. */
static size_t cut_utf8(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max) return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* Inserts (insert true, with public_id) or updates the main row of rec. ?1 is the public
 * id; both statements share the numbering so one binding serves them. */
static int write_row(store *s, json_t *rec, const char *public_id, bool insert, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(
        s,
        insert ? "INSERT INTO activities(public_id, type, status, lead_org, host_country, title_en,"
                 " title_ru, description_en, description_ru, title_sort, planned_start,"
                 " planned_end, actual_start, actual_end, participants_total,"
                 " participants_women, participants_men, tot, budget_amount_minor,"
                 " budget_currency, budget_source, outcomes, created_at, updated_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                 " ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?23)"
               : "UPDATE activities SET type = ?2, status = ?3, lead_org = ?4,"
                 " host_country = ?5, title_en = ?6, title_ru = ?7, description_en = ?8,"
                 " description_ru = ?9, title_sort = ?10, planned_start = ?11,"
                 " planned_end = ?12, actual_start = ?13, actual_end = ?14,"
                 " participants_total = ?15, participants_women = ?16, participants_men = ?17,"
                 " tot = ?18, budget_amount_minor = ?19, budget_currency = ?20,"
                 " budget_source = ?21, outcomes = ?22, updated_at = ?23 WHERE public_id = ?1",
        &st, err);
    if (rc != P_OK) return rc;
    const char *title_en = text_of(rec, "title", "en");
    store_bind_text(st, 1, public_id);
    store_bind_text(st, 2, json_string_value(json_object_get(rec, "type")));
    store_bind_text(st, 3, json_string_value(json_object_get(rec, "status")));
    store_bind_text(st, 4, json_string_value(json_object_get(rec, "lead_org")));
    bind_string_or_null(st, 5, json_object_get(rec, "host_country"));
    store_bind_text(st, 6, title_en);
    store_bind_text(st, 7, text_of(rec, "title", "ru"));
    store_bind_text(st, 8, text_of(rec, "description", "en"));
    store_bind_text(st, 9, text_of(rec, "description", "ru"));
    store_bind_textn(st, 10, title_en, cut_utf8(title_en, ACTIVITY_TITLE_SORT_B));
    store_bind_text(st, 11, json_string_value(json_object_get(rec, "planned_start")));
    bind_string_or_null(st, 12, json_object_get(rec, "planned_end"));
    bind_string_or_null(st, 13, json_object_get(rec, "actual_start"));
    bind_string_or_null(st, 14, json_object_get(rec, "actual_end"));
    bind_int_or_null(st, 15, json_object_get(rec, "participants_total"));
    bind_int_or_null(st, 16, json_object_get(rec, "participants_women"));
    bind_int_or_null(st, 17, json_object_get(rec, "participants_men"));
    store_bind_int(st, 18, json_is_true(json_object_get(rec, "tot")) ? 1 : 0);
    int64_t minor = 0;
    json_t *budget = json_object_get(rec, "budget");
    if (activity_budget_minor(rec, &minor)) {
        store_bind_int(st, 19, minor);
        store_bind_text(st, 20, json_string_value(json_object_get(budget, "currency")));
        store_bind_text(st, 21, json_string_value(json_object_get(budget, "source")));
    } else {
        store_bind_null(st, 19);
        store_bind_null(st, 20);
        store_bind_null(st, 21);
    }
    store_bind_text(st, 22, json_string_value(json_object_get(rec, "outcomes")));
    char now[21];
    text_now_iso(now);
    store_bind_text(st, 23, now);
    return store_run(st, err);
}

static int run_with_id(store *s, const char *sql, int64_t id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    return store_run(st, err);
}

/* Replaces the link-table rows, the date-range index rows, the overlap check's scoring row
 * and the full-text entry of activity id with rec's (its main row written already); fresh (a new
 * activity) has none to remove. With fts_later (a bulk import) the full-text entry, the
 * date-range index rows and the scoring row are left to the import, which writes those of all
 * its activities at its end (activities_create_bulk). */
static int write_links(store *s, int64_t id, json_t *rec, bool fresh, bool fts_later, p_error *err)
{
    int rc = P_OK;
    for (int l = 0; rc == P_OK && l < AL_COUNT; l++) {
        if (!fresh) rc = run_with_id(s, links[l].clear, id, err);
        size_t i;
        json_t *code;
        json_array_foreach(json_object_get(rec, activity_list_members[l]), i, code)
        {
            store_stmt *st;
            if (rc == P_OK) rc = store_prepare(s, links[l].insert, &st, err);
            if (rc != P_OK) break;
            store_bind_int(st, 1, id);
            store_bind_text(st, 2, json_string_value(code));
            rc = store_run(st, err);
        }
    }
    if (rc == P_OK && !fresh) rc = run_with_id(s, documents_sql.clear, id, err);
    size_t di;
    json_t *doc;
    json_array_foreach(json_object_get(rec, "documents"), di, doc)
    {
        store_stmt *st;
        if (rc == P_OK) rc = store_prepare(s, documents_sql.insert, &st, err);
        if (rc != P_OK) break;
        store_bind_int(st, 1, id);
        store_bind_int(st, 2, json_integer_value(doc));
        rc = store_run(st, err);
    }
    if (rc == P_OK && !fresh) rc = run_with_id(s, participants_sql.clear, id, err);
    const char *country;
    json_t *n;
    json_object_foreach(json_object_get(rec, "participants_by_country"), country, n)
    {
        store_stmt *st;
        if (rc == P_OK) rc = store_prepare(s, participants_sql.insert, &st, err);
        if (rc != P_OK) break;
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, country);
        store_bind_int(st, 3, (int64_t)json_integer_value(n));
        rc = store_run(st, err);
    }
    if (rc == P_OK && !fts_later) rc = activity_periods_write(s, id, rec, fresh, err);
    if (rc == P_OK && !fts_later) rc = activity_scoring_write(s, id, fresh, err);
    if (rc == P_OK && !fresh)
        rc = run_with_id(s, "DELETE FROM activities_fts WHERE rowid = ?", id, err);
    if (rc != P_OK || fts_later) return rc;
    store_stmt *st;
    if (rc == P_OK)
        rc = store_prepare(s,
                           "INSERT INTO activities_fts(rowid, title_en, title_ru, description_en,"
                           " description_ru) VALUES (?, ?, ?, ?, ?)",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    store_bind_text(st, 2, text_of(rec, "title", "en"));
    store_bind_text(st, 3, text_of(rec, "title", "ru"));
    store_bind_text(st, 4, text_of(rec, "description", "en"));
    store_bind_text(st, 5, text_of(rec, "description", "ru"));
    return store_run(st, err);
}

/* Takes the next number of (org, year) and writes the public id into out. One statement
 * (an upsert that returns the number) serves both engines. */
static int next_public_id(store *s, const char *org, int year, char out[static 48], p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO activity_counters(org_code, year, last) VALUES (?1, ?2, 1)"
                           " ON CONFLICT (org_code, year) DO UPDATE"
                           " SET last = activity_counters.last + 1 RETURNING last",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, org);
    store_bind_int(st, 2, year);
    int step = store_step(st, err);
    if (step < 0) return -step;
    int64_t n = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    if (n < 1) return p_fail(err, P_ESTORE, NULL, "the activity counter did not advance");
    snprintf(out, 48, "%s-%04d-%04lld", org, year, (long long)n);
    return P_OK;
}

/* Claims a public id an import carries: it must be <lead_org>-<year>-<NNNN> of the record's
 * own lead organisation and planned year and not taken; the counter moves past its number
 * so ids assigned later never collide with it. */
static int claim_public_id(store *s, const char *org, int year, const char *wanted,
                           char out[static 48], p_error *err)
{
    char prefix[40];
    int n = snprintf(prefix, sizeof prefix, "%s-%04d-", org, year);
    int64_t number = 0;
    if (n < 0 || (size_t)n >= sizeof prefix || strncmp(wanted, prefix, (size_t)n) != 0 ||
        strlen(wanted + n) < 4 || !text_parse_int64(wanted + n, 1, 999999, &number))
        return p_fail(err, P_EUNPROC, "id",
                      "id %.60s is not %sNNNN (this row's lead organisation and planned year)",
                      wanted, prefix);
    char canonical[48];
    snprintf(canonical, sizeof canonical, "%s%04lld", prefix, (long long)number);
    if (strcmp(canonical, wanted) != 0)
        return p_fail(err, P_EUNPROC, "id", "id %.60s should be written %s", wanted, canonical);
    store_stmt *st;
    int rc = store_prepare(s, "SELECT 1 FROM activities WHERE public_id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, wanted);
    int step = store_step(st, err);
    store_reset(st);
    if (step < 0) return -step;
    if (step == STORE_ROW)
        return p_fail(err, P_ECONFLICT, "id", "activity %s exists already", wanted);
    rc = store_prepare(s,
                       "INSERT INTO activity_counters(org_code, year, last) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT (org_code, year) DO UPDATE SET last = CASE WHEN"
                       " activity_counters.last < ?3 THEN ?3 ELSE activity_counters.last END",
                       &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, org);
    store_bind_int(st, 2, year);
    store_bind_int(st, 3, number);
    rc = store_run(st, err);
    if (rc == P_OK) snprintf(out, 48, "%s", wanted);
    return rc;
}

static int audit_change(store *s, const char *action, const char *public_id, json_t *before,
                        json_t *after, const struct actor *by, p_error *err)
{
    struct audit_entry e = {by->login, action, "activity", public_id, before, after, by->client};
    return audit_append(s, &e, err);
}

/* Ends a write: commits or rolls back; hands after to *out (or frees it). */
static int finish_write(store *s, int rc, json_t *after, json_t **out, p_error *err)
{
    if (rc == P_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    if (rc == P_OK && out)
        *out = after;
    else
        json_decref(after);
    return rc;
}

/* Checks that fields is a create body and merges it into a blank record (*rec). */
static int create_record(json_t *fields, json_t **rec, p_error *err)
{
    *rec = NULL;
    if (!json_is_object(fields))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    if (json_object_get(fields, "id"))
        return p_fail(err, P_EUNPROC, "id", "the id is assigned by Polis");
    *rec = activity_blank();
    int rc = activity_merge(*rec, fields, err);
    if (rc != P_OK) {
        json_decref(*rec);
        *rec = NULL;
    }
    return rc;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a), json_string_value(*(json_t *const *)b));
}

/* The record just created from rec as load_record would read it back: the main row from
 * the store (what the store made of it: public id, times, normalized figures), the code
 * lists from rec as written, in the store's order (by code), without reading the link
 * tables again. */
static int load_created(store *s, int64_t id, json_t *rec, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT " COLUMNS " FROM activities WHERE id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step = store_step(st, err);
    if (step != STORE_ROW) {
        store_reset(st);
        if (step < 0) return -step;
        return p_fail(err, P_ESTORE, NULL, "the new activity is not there");
    }
    json_t *r = activity_row_to_record(st);
    store_reset(st);
    for (int l = 0; l < AL_COUNT; l++) {
        json_t *given = json_object_get(rec, activity_list_members[l]);
        size_t n = json_array_size(given);
        json_t **v = xcalloc(n ? n : 1, sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = json_array_get(given, i);
        qsort(v, n, sizeof *v, by_code);
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append(arr, v[i]);
        free(v);
        json_object_set_new(r, activity_list_members[l], arr);
    }
    json_t *by = json_object_get(rec, "participants_by_country");
    json_object_set_new(r, "participants_by_country", by ? json_deep_copy(by) : json_object());
    /* the store's order for documents too: by id */
    json_t *docs = json_array();
    json_t *given_docs = json_object_get(rec, "documents");
    size_t di, dk;
    json_t *dv;
    json_array_foreach(given_docs, di, dv) json_array_append(docs, dv);
    for (di = 1; di < json_array_size(docs); di++) /* insertion sort: at most 20 ids */
        for (dk = di; dk > 0 && json_integer_value(json_array_get(docs, dk - 1)) >
                                    json_integer_value(json_array_get(docs, dk));
             dk--) {
            json_t *a = json_incref(json_array_get(docs, dk - 1));
            json_array_set(docs, dk - 1, json_array_get(docs, dk));
            json_array_set_new(docs, dk, a);
        }
    json_object_set_new(r, "documents", docs);
    *out = r;
    return P_OK;
}

/* Checks rec, assigns its public id, writes and audits it; the caller holds the
 * transaction. *after receives the stored record (or NULL on error), *key (unless NULL)
 * its key. */
static int create_in_tx(store *s, json_t *rec, const struct actor *by,
                        const struct activity_codes *codes, const char *wanted_id, bool fts_later,
                        int64_t *key, json_t **after, p_error *err)
{
    char public_id[48] = "";
    int64_t id = 0;
    *after = NULL;
    int rc = activity_check_with(s, codes, rec, err);
    if (rc == P_OK) {
        const char *start = json_string_value(json_object_get(rec, "planned_start"));
        int64_t year = 0;
        char y[5] = {start[0], start[1], start[2], start[3], '\0'};
        if (!text_parse_int64(y, 1, 9999, &year))
            rc = p_fail(err, P_EUNPROC, "planned_start", "planned_start has no year");
        const char *org = json_string_value(json_object_get(rec, "lead_org"));
        if (rc == P_OK && wanted_id)
            rc = claim_public_id(s, org, (int)year, wanted_id, public_id, err);
        else if (rc == P_OK)
            rc = next_public_id(s, org, (int)year, public_id, err);
    }
    if (rc == P_OK) rc = write_row(s, rec, public_id, true, err);
    if (rc == P_OK) id = store_last_insert_id(s);
    if (rc == P_OK) rc = write_links(s, id, rec, true, fts_later, err);
    if (rc == P_OK) rc = load_created(s, id, rec, after, err);
    if (rc == P_OK) rc = audit_change(s, "create", public_id, NULL, *after, by, err);
    if (rc == P_OK && key) *key = id;
    if (rc != P_OK) {
        json_decref(*after);
        *after = NULL;
    }
    return rc;
}

int activities_create(store *s, json_t *fields, const struct actor *by, json_t **out, p_error *err)
{
    if (out) *out = NULL;
    json_t *rec = NULL;
    int rc = create_record(fields, &rec, err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    json_t *after = NULL;
    rc = create_in_tx(s, rec, by, NULL, NULL, false, NULL, &after, err);
    json_decref(rec);
    return finish_write(s, rc, after, out, err);
}

int activities_create_in_tx(store *s, json_t *fields, const struct actor *by, json_t **out,
                            p_error *err)
{
    if (out) *out = NULL;
    json_t *rec = NULL;
    int rc = create_record(fields, &rec, err);
    if (rc != P_OK) return rc;
    json_t *after = NULL;
    rc = create_in_tx(s, rec, by, NULL, NULL, false, NULL, &after, err);
    json_decref(rec);
    if (rc == P_OK && out)
        *out = after;
    else
        json_decref(after);
    return rc;
}

int activities_create_bulk(store *s, json_t *fields, const char *public_id, const struct actor *by,
                           const struct activity_codes *codes, activity_created_fn created,
                           void *ctx, p_error *err)
{
    json_t *rec = NULL;
    int rc = create_record(fields, &rec, err);
    if (rc != P_OK) return rc;
    json_t *after = NULL;
    int64_t id = 0;
    rc = create_in_tx(s, rec, by, codes, public_id, created != NULL, &id, &after, err);
    if (rc == P_OK && created) rc = created(ctx, id, rec, err);
    json_decref(rec);
    json_decref(after);
    return rc;
}

int activities_update(store *s, const char *public_id, json_t *patch, const struct actor *by,
                      json_t **out, p_error *err)
{
    if (out) *out = NULL;
    if (!json_is_object(patch))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    json_t *new_id = json_object_get(patch, "id");
    if (new_id && (!json_is_string(new_id) || strcmp(json_string_value(new_id), public_id) != 0))
        return p_fail(err, P_EUNPROC, "id", "the id cannot be changed");
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *rec = NULL, *after = NULL;
    int64_t id = 0;
    rc = load_record(s, public_id, NULL, &before, &id, err);
    if (rc == P_OK)
        rc = (rec = json_deep_copy(before)) ? P_OK : p_fail(err, P_EIO, NULL, "out of memory");
    if (rc == P_OK) rc = activity_merge(rec, patch, err);
    if (rc == P_OK) rc = activity_check(s, rec, err);
    if (rc == P_OK)
        rc = activity_check_transition(json_string_value(json_object_get(before, "status")),
                                       json_string_value(json_object_get(rec, "status")), err);
    if (rc == P_OK) rc = write_row(s, rec, public_id, false, err);
    if (rc == P_OK) rc = write_links(s, id, rec, false, false, err);
    if (rc == P_OK) rc = load_record(s, public_id, NULL, &after, NULL, err);
    if (rc == P_OK) rc = audit_change(s, "update", public_id, before, after, by, err);
    json_decref(before);
    json_decref(rec);
    return finish_write(s, rc, after, out, err);
}

int activities_delete(store *s, const char *public_id, const struct actor *by, p_error *err)
{
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL;
    int64_t id = 0;
    rc = load_record(s, public_id ? public_id : "", NULL, &before, &id, err);
    if (rc == P_OK) rc = run_with_id(s, "DELETE FROM activities WHERE id = ?", id, err);
    if (rc == P_OK) rc = run_with_id(s, "DELETE FROM activities_fts WHERE rowid = ?", id, err);
    if (rc == P_OK) rc = audit_change(s, "delete", public_id, before, NULL, by, err);
    json_decref(before);
    return finish_write(s, rc, NULL, NULL, err);
}

int activities_last_id(store *s, int64_t *out, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT COALESCE(MAX(id), 0) FROM activities", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    *out = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int activities_fts_fill_after(store *s, int64_t after_id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "INSERT INTO activities_fts(rowid, title_en, title_ru, description_en,"
                           " description_ru) SELECT id, title_en, title_ru, description_en,"
                           " description_ru FROM activities WHERE id > ? ORDER BY id",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, after_id);
    return store_run(st, err);
}
