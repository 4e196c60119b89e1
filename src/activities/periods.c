/* periods.c (activities): the date-range index (activity_periods, schema 0005): the
 * months an activity's planned period touches, written for the activity itself and for
 * each priority, focus area and country it holds, so the overlap check and the annual
 * report read the activities of a time window through an index; and the narrow row the
 * overlap check scores each candidate by (activity_scoring, schema 0021). */
#include "activities/internal.h"
#include "core/text.h"

#include <string.h>

static int month_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int activity_month_of(const char *date)
{
    if (!date || !text_is_date(date)) return -1;
    return month_digits(date, 4) * 12 + month_digits(date + 5, 2) - 1;
}

void activity_period_of(const char *planned_start, const char *planned_end,
                        struct activity_period *p)
{
    p->first_day = planned_start;
    p->last_day =
        planned_end && strcmp(planned_end, planned_start) > 0 ? planned_end : planned_start;
    p->first_month = activity_month_of(p->first_day);
    p->last_month = activity_month_of(p->last_day);
    if (p->first_month < 0 || p->last_month < p->first_month ||
        p->last_month - p->first_month >= ACTIVITY_PERIOD_MONTHS_MAX)
        p->first_month = p->last_month = ACTIVITY_PERIOD_LONG;
}

void activity_bind_ids(store_stmt *st, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < ACTIVITY_IDS_CHUNK; i++) {
        if (i < n)
            store_bind_int(st, (int)i + 1, ids[i]);
        else
            store_bind_null(st, (int)i + 1);
    }
}

static const char insert_sql[] =
    "INSERT INTO activity_periods(kind, code, month, activity_id, lead_org, first_day, last_day)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";

struct periods_of {
    store *s;
    int64_t id;
};

/* Inserts the rows of one code for every month of p (an activity_period_fn). */
static int write_code(void *ctx, const char *lead, const struct activity_period *p,
                      const char *kind, const char *code, p_error *err)
{
    store *s = ((struct periods_of *)ctx)->s;
    int64_t id = ((struct periods_of *)ctx)->id;
    for (int m = p->first_month; m <= p->last_month; m++) {
        store_stmt *st;
        int rc = store_prepare(s, insert_sql, &st, err);
        if (rc != P_OK) return rc;
        store_bind_text(st, 1, kind);
        store_bind_text(st, 2, code);
        store_bind_int(st, 3, m);
        store_bind_int(st, 4, id);
        store_bind_text(st, 5, lead);
        store_bind_text(st, 6, p->first_day);
        store_bind_text(st, 7, p->last_day);
        rc = store_run(st, err);
        if (rc != P_OK) return rc;
    }
    return P_OK;
}

static bool listed_before(json_t *arr, size_t upto, const char *code)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(json_string_value(json_array_get(arr, i)), code) == 0) return true;
    return false;
}

int activity_periods_write(store *s, int64_t id, json_t *rec, bool fresh, p_error *err)
{
    int rc = P_OK;
    if (!fresh) {
        store_stmt *st;
        rc = store_prepare(s, "DELETE FROM activity_periods WHERE activity_id = ?", &st, err);
        if (rc != P_OK) return rc;
        store_bind_int(st, 1, id);
        rc = store_run(st, err);
        if (rc != P_OK) return rc;
    }
    struct periods_of of = {s, id};
    return activity_periods_each(rec, write_code, &of, err);
}

int activity_periods_each(json_t *rec, activity_period_fn each, void *ctx, p_error *err)
{
    const char *start = json_string_value(json_object_get(rec, "planned_start"));
    const char *lead = json_string_value(json_object_get(rec, "lead_org"));
    if (!start || !lead) return P_OK; /* activity_check refuses such a record earlier */
    struct activity_period p;
    activity_period_of(start, json_string_value(json_object_get(rec, "planned_end")), &p);
    int rc = each(ctx, lead, &p, "a", "", err);
    static const struct {
        const char *member, *kind;
    } lists[] = {{"priorities", "p"}, {"focus_areas", "f"}};
    for (size_t l = 0; rc == P_OK && l < sizeof lists / sizeof lists[0]; l++) {
        json_t *arr = json_object_get(rec, lists[l].member);
        for (size_t i = 0; rc == P_OK && i < json_array_size(arr); i++)
            rc = each(ctx, lead, &p, lists[l].kind, json_string_value(json_array_get(arr, i)), err);
    }
    const char *host = json_string_value(json_object_get(rec, "host_country"));
    if (rc == P_OK && host) rc = each(ctx, lead, &p, "c", host, err);
    json_t *ben = json_object_get(rec, "beneficiary_countries");
    for (size_t i = 0; rc == P_OK && i < json_array_size(ben); i++) {
        const char *c = json_string_value(json_array_get(ben, i));
        if ((host && strcmp(c, host) == 0) || listed_before(ben, i, c)) continue;
        rc = each(ctx, lead, &p, "c", c, err);
    }
    return rc;
}

/* ?1 the activity's key. Codes hold no space (the framework's and ISO's codes). */
#define SCORING_INSERT(concat, which)                                                              \
    "INSERT INTO activity_scoring(activity_id, public_id, lead_org, host_country, title_en,"       \
    " title_ru, planned_start, planned_end, priorities, focus_areas, beneficiaries)"               \
    " SELECT a.id, a.public_id, a.lead_org, a.host_country, a.title_en, a.title_ru,"               \
    " a.planned_start, a.planned_end,"                                                             \
    " COALESCE((SELECT " concat "(priority_code, ' ') FROM activity_priorities"                    \
    " WHERE activity_id = a.id), ''),"                                                             \
    " COALESCE((SELECT " concat "(focus_code, ' ') FROM activity_focus_areas"                      \
    " WHERE activity_id = a.id), ''),"                                                             \
    " COALESCE((SELECT " concat "(country_code, ' ') FROM activity_beneficiaries"                  \
    " WHERE activity_id = a.id), '')"                                                              \
    " FROM activities a WHERE " which

int activity_scoring_write(store *s, int64_t id, bool fresh, p_error *err)
{
    store_stmt *st;
    int rc;
    if (!fresh) {
        rc = store_prepare(s, "DELETE FROM activity_scoring WHERE activity_id = ?1", &st, err);
        if (rc != P_OK) return rc;
        store_bind_int(st, 1, id);
        rc = store_run(st, err);
        if (rc != P_OK) return rc;
    }
    rc = store_prepare(s,
                       store_dialect_pg(s) ? SCORING_INSERT("string_agg", "a.id = ?1")
                                           : SCORING_INSERT("group_concat", "a.id = ?1"),
                       &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    return store_run(st, err);
}

int activity_scoring_fill_after(store *s, int64_t after_id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           store_dialect_pg(s)
                               ? SCORING_INSERT("string_agg", "a.id > ?1 ORDER BY a.id")
                               : SCORING_INSERT("group_concat", "a.id > ?1 ORDER BY a.id"),
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, after_id);
    return store_run(st, err);
}
