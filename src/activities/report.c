/* report.c (activities): the annual report's figures. Each breakdown is one prepared
 * GROUP BY over the activities of the year; names, kinds and order come from the
 * framework service, and the regions of field operations from the table below. */
#include "activities/report.h"
#include "activities/internal.h"
#include "core/text.h"
#include "framework/service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The regions of the annual report, in its order, and the host countries of the field
 * operations in each; a field operation without a country is placed by its code. */
static const struct region {
    const char *code, *name, *name_ru;
    const char *const countries[6];
    const char *org; /* a field operation placed here by code, or NULL */
} regions[] = {
    {"SEE", "South-eastern Europe", "Юго-Восточная Европа", {"AL", "BA", "ME", "RS", "MK"}, "OMIK"},
    {"EE", "Eastern Europe", "Восточная Европа", {"MD", "UA"}, NULL},
    {"SC", "South Caucasus", "Южный Кавказ", {"AZ", "AM", "GE"}, NULL},
    {"CA", "Central Asia", "Центральная Азия", {"KZ", "KG", "TJ", "TM", "UZ"}, NULL},
};
enum { REGION_COUNT = sizeof regions / sizeof regions[0] };

/* The region index of a field operation, or -1. */
static int region_of(const char *org, const char *country)
{
    for (int i = 0; i < REGION_COUNT; i++) {
        if (regions[i].org && strcmp(regions[i].org, org) == 0) return i;
        for (int j = 0; country && j < 6 && regions[i].countries[j]; j++)
            if (strcmp(regions[i].countries[j], country) == 0) return i;
    }
    return -1;
}

/* ?1 first day, ?2 last day of the year, ?3 and ?4 its first and last month numbers. The
 * date-range index (activity_periods, periods.c) gives the year's activities, so a report
 * reads them and not every activity that started before the year's end. */
#define YEAR_WHERE                                                                                 \
    " a.id IN (SELECT activity_id FROM activity_periods WHERE kind = 'a' AND code = ''"            \
    " AND month BETWEEN ?3 AND ?4 UNION ALL SELECT activity_id FROM activity_periods"              \
    " WHERE kind = 'a' AND code = '' AND month = -1 AND first_day <= ?2 AND last_day >= ?1)"       \
    " AND a.planned_start <= ?2 AND COALESCE(a.planned_end, a.planned_start) >= ?1"
#define FIGURES                                                                                    \
    " COUNT(*), COALESCE(SUM(a.participants_total), 0), COALESCE(SUM(a.participants_women), 0),"   \
    " COALESCE(SUM(a.participants_men), 0),"                                                       \
    " COALESCE(SUM(CASE WHEN a.participants_women IS NOT NULL THEN a.participants_total END), 0)," \
    " COUNT(a.participants_women)"

static const char totals_sql[] = "SELECT ''," FIGURES " FROM activities a WHERE" YEAR_WHERE;

static const struct breakdown {
    const char *name, *sql;
} breakdowns[] = {
    {"priorities", "SELECT x.priority_code," FIGURES " FROM activities a JOIN activity_priorities x"
                   " ON x.activity_id = a.id WHERE" YEAR_WHERE " GROUP BY x.priority_code"},
    {"focus_areas", "SELECT x.focus_code," FIGURES " FROM activities a JOIN activity_focus_areas x"
                    " ON x.activity_id = a.id WHERE" YEAR_WHERE " GROUP BY x.focus_code"},
    {"lines", "SELECT x.line_code," FIGURES " FROM activities a JOIN activity_lines x"
              " ON x.activity_id = a.id WHERE" YEAR_WHERE " GROUP BY x.line_code"},
    {"organisations",
     "SELECT a.lead_org," FIGURES " FROM activities a WHERE" YEAR_WHERE " GROUP BY a.lead_org"},
    {"countries", "SELECT x.country_code," FIGURES " FROM activities a JOIN"
                  " (SELECT id AS activity_id, host_country AS country_code FROM activities"
                  "  WHERE host_country IS NOT NULL"
                  "  UNION SELECT activity_id, country_code FROM activity_beneficiaries) x"
                  " ON x.activity_id = a.id WHERE" YEAR_WHERE " GROUP BY x.country_code"},
    {"types", "SELECT a.type," FIGURES " FROM activities a WHERE" YEAR_WHERE " GROUP BY a.type"},
};

/* One row of figures from the columns 1..6 of st. */
static json_t *figures_row(store_stmt *st)
{
    json_int_t women = store_col_int(st, 3), known = store_col_int(st, 5);
    json_t *row = json_object();
    json_object_set_new(row, "activities", json_integer(store_col_int(st, 1)));
    json_object_set_new(row, "participants", json_integer(store_col_int(st, 2)));
    json_object_set_new(row, "women", json_integer(women));
    json_object_set_new(row, "men", json_integer(store_col_int(st, 4)));
    json_object_set_new(row, "women_share",
                        store_col_int(st, 6) > 0 && known > 0
                            ? json_real((double)(women * 1000 / known) / 10.0)
                            : json_null());
    return row;
}

/* Runs sql for [from, to] into *rows: an object from the first column to figures. */
static int run_grouped(store *s, const char *sql, const char *from, const char *to, json_t **rows,
                       p_error *err)
{
    *rows = NULL;
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, from);
    store_bind_text(st, 2, to);
    store_bind_int(st, 3, activity_month_of(from));
    store_bind_int(st, 4, activity_month_of(to));
    json_t *o = json_object();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_object_set_new(o, store_col_text(st, 0), figures_row(st));
    store_reset(st);
    if (step < 0) {
        json_decref(o);
        return -step;
    }
    *rows = o;
    return P_OK;
}

/* The totals of one year into *out (new object with "year"). */
static int year_totals(store *s, int year, json_t **out, p_error *err)
{
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    json_t *rows = NULL;
    int rc = run_grouped(s, totals_sql, from, to, &rows, err);
    if (rc != P_OK) return rc;
    json_t *t = json_object_get(rows, "");
    *out = t ? json_incref(t) : json_object();
    json_decref(rows);
    json_object_set_new(*out, "year", json_integer(year));
    return P_OK;
}

/* Appends to out, in the order of the framework records items, a row for each code with
 * figures: code, name, name_ru and the figures. Codes missing from items follow. */
static void ordered_rows(json_t *out, json_t *items, json_t *figures)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        json_t *f = code ? json_object_get(figures, code) : NULL;
        if (!f) continue;
        json_t *row = json_object();
        json_object_set_new(row, "code", json_string(code));
        json_object_set(row, "name", json_object_get(it, "name"));
        json_object_set(row, "name_ru", json_object_get(it, "name_ru"));
        json_object_update(row, f);
        json_array_append_new(out, row);
        json_object_del(figures, code);
    }
    const char *code;
    json_t *f;
    json_object_foreach(figures, code, f)
    {
        json_t *row = json_object();
        json_object_set_new(row, "code", json_string(code));
        json_object_set_new(row, "name", json_string(code));
        json_object_set_new(row, "name_ru", json_string(code));
        json_object_update(row, f);
        json_array_append_new(out, row);
    }
}

/* The organisation group of a row: 0 secretariat and units, 1 institutions, 2 + region
 * for field operations, 2 + REGION_COUNT for field operations without a region, 3 +
 * REGION_COUNT for the others. */
static int org_group(json_t *row)
{
    const char *kind = json_string_value(json_object_get(row, "kind"));
    if (!kind) return 3 + REGION_COUNT;
    if (strcmp(kind, "secretariat") == 0 || strcmp(kind, "unit") == 0) return 0;
    if (strcmp(kind, "institution") == 0) return 1;
    if (strcmp(kind, "field_operation") != 0) return 3 + REGION_COUNT;
    json_t *r = json_object_get(row, "region");
    for (int i = 0; r && i < REGION_COUNT; i++)
        if (strcmp(json_string_value(r), regions[i].code) == 0) return 2 + i;
    return 2 + REGION_COUNT;
}

/* Organisation rows ordered by group, then code (the order of items). */
static json_t *org_rows(json_t *orgs, json_t *figures)
{
    json_t *flat = json_array();
    ordered_rows(flat, orgs, figures);
    size_t i;
    json_t *row;
    json_array_foreach(flat, i, row)
    {
        const char *code = json_string_value(json_object_get(row, "code"));
        json_t *rec = NULL, *it;
        size_t j;
        json_array_foreach(orgs, j, it) if (strcmp(json_string_value(json_object_get(it, "code")),
                                                   code) == 0) rec = it;
        json_object_set(row, "kind", rec ? json_object_get(rec, "kind") : json_null());
        int r = -1;
        if (rec && json_is_string(json_object_get(rec, "kind")) &&
            strcmp(json_string_value(json_object_get(rec, "kind")), "field_operation") == 0)
            r = region_of(code, json_string_value(json_object_get(rec, "country")));
        json_object_set_new(row, "region", r >= 0 ? json_string(regions[r].code) : json_null());
        json_object_set_new(row, "region_name",
                            r >= 0 ? json_string(regions[r].name) : json_null());
        json_object_set_new(row, "region_name_ru",
                            r >= 0 ? json_string(regions[r].name_ru) : json_null());
    }
    json_t *out = json_array();
    for (int g = 0; g <= 3 + REGION_COUNT; g++)
        json_array_foreach(flat, i, row) if (org_group(row) == g) json_array_append(out, row);
    json_decref(flat);
    return out;
}

/* The framework records a breakdown is named and ordered by; *items is new. */
static int framework_items(store *s, const char *name, json_t **items, p_error *err)
{
    *items = NULL;
    char next[CURSOR_MAX];
    struct framework_filter f = {.limit = 1000};
    if (strcmp(name, "priorities") == 0) return framework_priorities_list(s, items, err);
    if (strcmp(name, "focus_areas") == 0) return framework_focus_areas_list(s, NULL, items, err);
    if (strcmp(name, "lines") == 0) return framework_lines_list(s, items, err);
    if (strcmp(name, "organisations") == 0)
        return framework_organisations_list(s, &f, items, next, err);
    if (strcmp(name, "countries") == 0) return framework_countries_list(s, &f, items, next, err);
    *items = json_array(); /* types: their order is the order of the codes */
    return P_OK;
}

int report_annual(store *s, int year, json_t **out, p_error *err)
{
    *out = NULL;
    if (year < REPORT_YEAR_MIN || year > REPORT_YEAR_MAX)
        return p_fail(err, P_EINVAL, "year", "year must be %d to %d", REPORT_YEAR_MIN,
                      REPORT_YEAR_MAX);
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    json_t *r = json_object();
    json_object_set_new(r, "year", json_integer(year));
    json_object_set_new(r, "from", json_string(from));
    json_object_set_new(r, "to", json_string(to));
    json_t *totals = NULL;
    int rc = year_totals(s, year, &totals, err);
    if (rc != P_OK) goto fail;
    json_object_del(totals, "year");
    json_object_set_new(r, "totals", totals);
    for (size_t i = 0; i < sizeof breakdowns / sizeof breakdowns[0]; i++) {
        json_t *figures = NULL, *items = NULL;
        rc = run_grouped(s, breakdowns[i].sql, from, to, &figures, err);
        if (rc == P_OK) rc = framework_items(s, breakdowns[i].name, &items, err);
        if (rc != P_OK) {
            json_decref(figures);
            goto fail;
        }
        json_t *rows;
        if (strcmp(breakdowns[i].name, "organisations") == 0) {
            rows = org_rows(items, figures);
        } else {
            rows = json_array();
            ordered_rows(rows, items, figures);
        }
        json_object_set_new(r, breakdowns[i].name, rows);
        json_decref(items);
        json_decref(figures);
    }
    json_t *series = json_array();
    json_object_set_new(r, "series", series);
    for (int y = year - 4; y <= year; y++) {
        json_t *t = NULL;
        rc = year_totals(s, y, &t, err);
        if (rc != P_OK) goto fail;
        json_array_append_new(series, t);
    }
    *out = r;
    return P_OK;
fail:
    json_decref(r);
    return rc;
}

int report_latest_year(store *s, int *year, p_error *err)
{
    *year = 0;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT MAX(substr(planned_start, 1, 4)) FROM activities", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step == STORE_ROW && !store_col_null(st, 0)) *year = (int)store_col_int(st, 0);
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

static const char *const count_keys[] = {"activities", "participants", "women", "men"};

/* Suppresses the small counts of one row (an object with figures). */
static void suppress_row(json_t *row, int threshold, const char *mark)
{
    bool hidden = false;
    for (size_t i = 0; i < sizeof count_keys / sizeof count_keys[0]; i++) {
        json_t *v = json_object_get(row, count_keys[i]);
        if (!json_is_integer(v)) continue;
        json_int_t n = json_integer_value(v);
        if (n > 0 && n < threshold) {
            json_object_set_new(row, count_keys[i], json_string(mark));
            if (i > 0) hidden = true;
        }
    }
    if (hidden && json_object_get(row, "women_share"))
        json_object_set_new(row, "women_share", json_null());
}

void report_suppress(json_t *report, int threshold)
{
    if (!report || threshold <= 1) return;
    char mark[24];
    snprintf(mark, sizeof mark, "<%d", threshold);
    suppress_row(json_object_get(report, "totals"), threshold, mark);
    const char *key;
    json_t *v;
    json_object_foreach(report, key, v)
    {
        size_t i;
        json_t *row;
        if (json_is_array(v)) json_array_foreach(v, i, row) suppress_row(row, threshold, mark);
    }
    json_object_set_new(report, "suppressed", json_integer(threshold));
}

int report_min_count(void)
{
    const char *v = getenv("POLIS_REPORT_MIN_COUNT");
    int64_t n;
    return v && text_parse_int64(v, 1, 1000000, &n) ? (int)n : REPORT_MIN_COUNT_DEFAULT;
}
