/* report.c (activities): the annual report's figures. One statement reads the activities
 * of the year and of the four before it and the year's link rows, and every breakdown and
 * total is summed in C. Names, kinds and order come from the framework service, and the
 * regions of field operations from the table below. */
#include "activities/report.h"
#include "activities/internal.h"
#include "core/mem.h"
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

/* ---- one pass over the year ------------------------------------------------------------ */

/* The figures of a row of the report, summed over its activities. */
struct figures {
    int64_t activities, participants, women, men;
    int64_t known;      /* participants of the activities that give women */
    int64_t with_women; /* activities that give women */
};

static void figures_add(struct figures *to, const struct figures *f)
{
    to->activities += f->activities;
    to->participants += f->participants;
    to->women += f->women;
    to->men += f->men;
    to->known += f->known;
    to->with_women += f->with_women;
}

/* One activity's figures from its participants columns (NULL: not given). */
static struct figures figures_of(store_stmt *st, int total, int women, int men)
{
    struct figures f = {.activities = 1};
    f.participants = store_col_null(st, total) ? 0 : store_col_int(st, total);
    f.women = store_col_null(st, women) ? 0 : store_col_int(st, women);
    f.men = store_col_null(st, men) ? 0 : store_col_int(st, men);
    if (!store_col_null(st, women)) {
        f.with_women = 1;
        f.known = f.participants;
    }
    return f;
}

/* A row of figures as the report shows it. New reference. */
static json_t *figures_json(const struct figures *f)
{
    json_t *row = json_object();
    json_object_set_new(row, "activities", json_integer(f->activities));
    json_object_set_new(row, "participants", json_integer(f->participants));
    json_object_set_new(row, "women", json_integer(f->women));
    json_object_set_new(row, "men", json_integer(f->men));
    json_object_set_new(row, "women_share",
                        f->with_women > 0 && f->known > 0
                            ? json_real((double)(f->women * 1000 / f->known) / 10.0)
                            : json_null());
    return row;
}

/* The figures of one breakdown by code: entries in order of arrival, found through an
 * open-addressing table of their indexes (a breakdown has tens of codes, a year tens of
 * thousands of rows). */
struct tally_entry {
    char *code; /* owned */
    struct figures f;
};

struct tally {
    struct tally_entry *v;
    size_t n, cap;
    uint32_t *slots; /* index + 1 into v, 0 for a free slot */
    size_t nslots;   /* a power of two, more than twice n */
};

static uint32_t code_hash(const char *code)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)code; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h;
}

/* The index of code's entry in t, added with zero figures when new. */
static uint32_t tally_entry_of(struct tally *t, const char *code)
{
    if (2 * (t->n + 1) >= t->nslots) {
        size_t nslots = t->nslots ? t->nslots * 2 : 64;
        uint32_t *slots = xcalloc(nslots, sizeof *slots);
        for (size_t i = 0; i < t->n; i++) {
            size_t k = code_hash(t->v[i].code) & (nslots - 1);
            while (slots[k])
                k = (k + 1) & (nslots - 1);
            slots[k] = (uint32_t)i + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->nslots = nslots;
    }
    size_t k = code_hash(code) & (t->nslots - 1);
    for (; t->slots[k]; k = (k + 1) & (t->nslots - 1))
        if (strcmp(t->v[t->slots[k] - 1].code, code) == 0) return t->slots[k] - 1;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->v = xrealloc(t->v, t->cap * sizeof *t->v);
    }
    t->v[t->n] = (struct tally_entry){.code = xstrdup(code)};
    t->slots[k] = (uint32_t)++t->n;
    return (uint32_t)t->n - 1;
}

/* Adds f to the figures of code in t. */
static void tally_add(struct tally *t, const char *code, const struct figures *f)
{
    uint32_t e = tally_entry_of(t, code);
    figures_add(&t->v[e].f, f);
}

static void tally_free(struct tally *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].code);
    free(t->v);
    free(t->slots);
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const struct tally_entry *)a)->code, ((const struct tally_entry *)b)->code);
}

/* The codes of t that hold activities, in code order, each to its figures. New object. */
static json_t *tally_json(struct tally *t)
{
    if (t->n > 1) qsort(t->v, t->n, sizeof *t->v, by_code); /* the slots are stale from here */
    json_t *o = json_object();
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].f.activities > 0)
            json_object_set_new(o, t->v[i].code, figures_json(&t->v[i].f));
    return o;
}

/* The breakdowns, in the report's order; the first four come from link rows. */
enum part { PART_PRIORITIES, PART_FOCUS, PART_LINES, PART_COUNTRIES, PART_ORGS, PART_TYPES, PARTS };
static const char *const part_names[PARTS] = {"priorities", "focus_areas",   "lines",
                                              "countries",  "organisations", "types"};

enum { PREVIOUS = 4 }; /* years before the report's year in its series */

/* An activity of the year: its key, the month its link rows are counted at, and figures. */
struct year_activity {
    int64_t id;
    int month; /* the first month of the year its period touches; -1 for a long period */
    struct figures f;
};

/* A link row: the activity, the month of its date-range index row (-1 for a line of
 * action, or a long period), the breakdown and the code's entry in that tally. */
struct year_link {
    int64_t id;
    int month, part;
    uint32_t entry;
};

static int activity_by_id(const void *a, const void *b)
{
    int64_t x = ((const struct year_activity *)a)->id, y = ((const struct year_activity *)b)->id;
    return (x > y) - (x < y);
}

/* The report's activities and link rows in one statement. ?1 first and ?2 last day of the
 * year, ?3 and ?4 its first and last month numbers, ?5 the first day of the month 23
 * months before the year, ?6 the first day of the series (four years earlier) and ?7 the
 * first day of the month 23 months before that.
 *
 * A period shorter than 24 months that touches a year starts at most 23 months before
 * it, so the activities of the series are those starting from ?7 on (consecutive entries
 * of the covering index activities_report, schema 0020) and the long ones starting
 * earlier (month -1 of the date-range index, activity_periods). Kind 0 is an activity:
 * id, lead organisation, type, figures, planned start and end. The link rows are of the
 * year only: priorities (1), focus areas (2) and countries, host or beneficiary (4), from
 * the date-range index by code, one row per month the period touches (month in column
 * 8), and lines of action (3) by the year's activities. */
static const char year_sql[] =
    "WITH y AS (SELECT a.id FROM activities a WHERE a.planned_start >= ?5"
    " AND a.planned_start <= ?2 AND COALESCE(a.planned_end, a.planned_start) >= ?1"
    " UNION ALL SELECT p.activity_id FROM activity_periods p WHERE p.kind = 'a'"
    " AND p.code = '' AND p.month = -1 AND p.first_day < ?5 AND p.last_day >= ?1)"
    " SELECT a.id, 0, a.lead_org, a.type, a.participants_total, a.participants_women,"
    " a.participants_men, a.planned_start, COALESCE(a.planned_end, a.planned_start), 0"
    " FROM activities a WHERE a.planned_start >= ?7 AND a.planned_start <= ?2"
    " AND COALESCE(a.planned_end, a.planned_start) >= ?6"
    " UNION ALL SELECT a.id, 0, a.lead_org, a.type, a.participants_total,"
    " a.participants_women, a.participants_men, a.planned_start,"
    " COALESCE(a.planned_end, a.planned_start), 0 FROM activity_periods p"
    " CROSS JOIN activities a WHERE p.kind = 'a' AND p.code = '' AND p.month = -1"
    " AND p.first_day < ?7 AND p.last_day >= ?6 AND a.id = p.activity_id"
    " UNION ALL SELECT x.activity_id, 3, x.line_code, NULL, NULL, NULL, NULL, NULL, NULL, -1"
    " FROM y CROSS JOIN activity_lines x WHERE x.activity_id = y.id"
#define YEAR_CODES(kind, n, table)                                                                 \
    " UNION ALL SELECT x.activity_id, " n ", x.code, NULL, NULL, NULL, NULL, NULL, NULL, x.month"  \
    " FROM " table " c CROSS JOIN activity_periods x WHERE x.kind = '" kind "'"                    \
    " AND x.code = c.code AND x.month BETWEEN ?3 AND ?4"                                           \
    " UNION ALL SELECT x.activity_id, " n ", x.code, NULL, NULL, NULL, NULL, NULL, NULL, -1"       \
    " FROM " table " c CROSS JOIN activity_periods x WHERE x.kind = '" kind "'"                    \
    " AND x.code = c.code AND x.month = -1 AND x.first_day <= ?2 AND x.last_day >= ?1"
    YEAR_CODES("p", "1", "priorities") YEAR_CODES("f", "2", "focus_areas")
        YEAR_CODES("c", "4", "countries");
#undef YEAR_CODES

/* The figures of the report: totals of the year and the years before, a tally per
 * breakdown of the year. */
struct year_figures {
    struct figures totals, previous[PREVIOUS];
    struct tally parts[PARTS];
};

static void year_figures_free(struct year_figures *yf)
{
    for (int i = 0; i < PARTS; i++)
        tally_free(&yf->parts[i]);
}

/* Adds the link rows to the tallies of their activities of the year; a code's index rows
 * count once per activity, at the first month of the year the period touches (or at -1).
 * acts is sorted by id. */
static void count_links(struct year_figures *yf, struct year_activity *acts, size_t n_acts,
                        const struct year_link *links, size_t n_links)
{
    for (size_t i = 0; i < n_links; i++) {
        struct year_activity key = {.id = links[i].id};
        struct year_activity *a = bsearch(&key, acts, n_acts, sizeof *acts, activity_by_id);
        if (!a || links[i].month != (links[i].part == PART_LINES ? -1 : a->month)) continue;
        figures_add(&yf->parts[links[i].part].v[links[i].entry].f, &a->f);
    }
}

/* The first month of year that the period from start to end touches; -1 for a period too
 * long for the date-range index's month rows (periods.c). */
static int first_month_in(int year, const char *start, const char *end)
{
    struct activity_period p;
    activity_period_of(start, end, &p);
    if (p.first_month == ACTIVITY_PERIOD_LONG) return -1;
    return p.first_month > year * 12 ? p.first_month : year * 12;
}

/* The first day of the month months before January of year (YYYY-MM-DD) into out. */
static void months_before(int year, int months, char out[static 16])
{
    int m = year * 12 - months;
    snprintf(out, 16, "%04d-%02d-01", (m / 12) % 10000, m % 12 + 1);
}

/* Reads the activities of the report's five years and the year's link rows once, tallying
 * every breakdown. */
static int year_pass(store *s, int year, struct year_figures *yf, p_error *err)
{
    memset(yf, 0, sizeof *yf);
    char from[PREVIOUS + 1][16], to[PREVIOUS + 1][16], near[16], near_first[16];
    for (int i = 0; i <= PREVIOUS; i++) {
        snprintf(from[i], sizeof from[i], "%04d-01-01", year - PREVIOUS + i);
        snprintf(to[i], sizeof to[i], "%04d-12-31", year - PREVIOUS + i);
    }
    const char *first = from[PREVIOUS], *last = to[PREVIOUS];
    months_before(year, ACTIVITY_PERIOD_MONTHS_MAX - 1, near);
    months_before(year - PREVIOUS, ACTIVITY_PERIOD_MONTHS_MAX - 1, near_first);
    store_stmt *st;
    int rc = store_prepare(s, year_sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, first);
    store_bind_text(st, 2, last);
    store_bind_int(st, 3, activity_month_of(first));
    store_bind_int(st, 4, activity_month_of(last));
    store_bind_text(st, 5, near);
    store_bind_text(st, 6, from[0]);
    store_bind_text(st, 7, near_first);
    struct year_activity *acts = NULL;
    struct year_link *links = NULL;
    size_t n_acts = 0, cap_acts = 0, n_links = 0, cap_links = 0;
    static const int link_part[] = {-1, PART_PRIORITIES, PART_FOCUS, PART_LINES, PART_COUNTRIES};
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        int64_t kind = store_col_int(st, 1);
        if (kind < 0 || kind > 4) continue;
        const char *code = store_col_text(st, 2);
        if (kind > 0) {
            if (n_links == cap_links) {
                cap_links = cap_links ? cap_links * 2 : 1024;
                links = xrealloc(links, cap_links * sizeof *links);
            }
            int part = link_part[kind];
            links[n_links++] = (struct year_link){store_col_int(st, 0), (int)store_col_int(st, 9),
                                                  part, tally_entry_of(&yf->parts[part], code)};
            continue;
        }
        const char *start = store_col_text(st, 7), *end = store_col_text(st, 8);
        struct figures f = figures_of(st, 4, 5, 6);
        for (int i = 0; i < PREVIOUS; i++)
            if (strcmp(start, to[i]) <= 0 && strcmp(end, from[i]) >= 0)
                figures_add(&yf->previous[i], &f);
        if (strcmp(start, last) > 0 || strcmp(end, first) < 0) continue;
        if (n_acts == cap_acts) {
            cap_acts = cap_acts ? cap_acts * 2 : 1024;
            acts = xrealloc(acts, cap_acts * sizeof *acts);
        }
        struct year_activity *a = &acts[n_acts++];
        a->id = store_col_int(st, 0);
        a->f = f;
        a->month = first_month_in(year, start, end);
        figures_add(&yf->totals, &f);
        tally_add(&yf->parts[PART_ORGS], code, &f);
        tally_add(&yf->parts[PART_TYPES], store_col_text(st, 3), &f);
    }
    store_reset(st);
    if (step == STORE_DONE && n_acts > 0) {
        qsort(acts, n_acts, sizeof *acts, activity_by_id);
        count_links(yf, acts, n_acts, links, n_links);
    }
    free(acts);
    free(links);
    if (step < 0) {
        year_figures_free(yf);
        return -step;
    }
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
    struct year_figures yf;
    int rc = year_pass(s, year, &yf, err);
    if (rc != P_OK) return rc;
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-12-31", year);
    json_t *r = json_object();
    json_object_set_new(r, "year", json_integer(year));
    json_object_set_new(r, "from", json_string(from));
    json_object_set_new(r, "to", json_string(to));
    json_object_set_new(r, "totals", figures_json(&yf.totals));
    static const enum part order[] = {PART_PRIORITIES, PART_FOCUS,     PART_LINES,
                                      PART_ORGS,       PART_COUNTRIES, PART_TYPES};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name = part_names[order[i]];
        json_t *items = NULL;
        rc = framework_items(s, name, &items, err);
        if (rc != P_OK) goto fail;
        json_t *figures = tally_json(&yf.parts[order[i]]), *rows;
        if (order[i] == PART_ORGS) {
            rows = org_rows(items, figures);
        } else {
            rows = json_array();
            ordered_rows(rows, items, figures);
        }
        json_object_set_new(r, name, rows);
        json_decref(items);
        json_decref(figures);
    }
    json_t *series = json_array();
    json_object_set_new(r, "series", series);
    for (int y = year - PREVIOUS; y <= year; y++) {
        json_t *t = figures_json(y < year ? &yf.previous[y - (year - PREVIOUS)] : &yf.totals);
        json_object_set_new(t, "year", json_integer(y));
        json_array_append_new(series, t);
    }
    year_figures_free(&yf);
    *out = r;
    return P_OK;
fail:
    year_figures_free(&yf);
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
