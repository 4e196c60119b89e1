/* validate.c (activities): the shape and rules of an activity record. A table of member
 * descriptions drives merging a request body into a record and checking the result, so
 * create and update share one path; rules across members (dates, participants, status
 * transitions) follow the table. Also turns ?q= into a quoted full-text query. */
#include "activities/activities.h"
#include "activities/internal.h"
#include "core/text.h"
#include "search/query.h"
#include "framework/framework.h"
#include "library/library.h"
#include "framework/service.h"
#include "core/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ACTIVITIES_TYPES[] = "training|workshop|conference|seminar|needs_assessment|advice|"
                                "equipment_donation|study_tour|exercise|publication|"
                                "forum_support|survey|awareness_campaign";
const char ACTIVITIES_STATUSES[] = "planned|ongoing|completed|cancelled";
const char ACTIVITIES_TARGET_GROUPS[] = "police|prosecutors|judges|border_guards|customs|"
                                        "labour_inspectors|migration_officers|"
                                        "financial_investigators|civil_society|"
                                        "government_officials|other";

const char *const activity_list_members[AL_COUNT] = {
    [AL_PARTNERS] = "partners",     [AL_BENEFICIARIES] = "beneficiary_countries",
    [AL_PRIORITIES] = "priorities", [AL_FOCUS_AREAS] = "focus_areas",
    [AL_LINES] = "lines",           [AL_TARGET_GROUPS] = "target_groups",
};

enum member_type {
    M_TEXTS,  /* {"en": "...", "ru": "..."} */
    M_TEXT,   /* string of at most max characters */
    M_ENUM,   /* one of enum_values */
    M_REF,    /* the code of an existing record (exists) */
    M_LIST,   /* array of distinct codes: existing records (exists) or enum_values */
    M_DATE,   /* YYYY-MM-DD */
    M_COUNT,  /* integer 0..ACTIVITY_PEOPLE_MAX */
    M_COUNTS, /* {"KG": 12, ...}: existing countries to counts */
    M_BOOL,
    M_BUDGET, /* {"amount": number, "currency": "EUR", "source": "..."} */
    M_DOCS,   /* links to library documents: their ids */
};

typedef int (*exists_fn)(store *, const char *, bool *, p_error *);

struct member {
    const char *name; /* NULL ends the table */
    enum member_type type;
    bool required;
    size_t max;
    const char *enum_values;
    exists_fn exists;
    const char *noun;
};

static const struct member members[] = {
    {.name = "title", .type = M_TEXTS, .required = true, .max = ACTIVITY_TITLE_MAX},
    {.name = "description", .type = M_TEXTS, .max = ACTIVITY_TEXT_MAX},
    {.name = "type", .type = M_ENUM, .required = true, .enum_values = ACTIVITIES_TYPES},
    {.name = "status", .type = M_ENUM, .required = true, .enum_values = ACTIVITIES_STATUSES},
    {.name = "lead_org",
     .type = M_REF,
     .required = true,
     .exists = framework_organisation_exists,
     .noun = "organisation"},
    {.name = "partners",
     .type = M_LIST,
     .exists = framework_organisation_exists,
     .noun = "organisation"},
    {.name = "host_country", .type = M_REF, .exists = framework_country_exists, .noun = "country"},
    {.name = "beneficiary_countries",
     .type = M_LIST,
     .exists = framework_country_exists,
     .noun = "country"},
    {.name = "priorities", .type = M_LIST, .exists = framework_priority_exists, .noun = "priority"},
    {.name = "focus_areas",
     .type = M_LIST,
     .exists = framework_focus_area_exists,
     .noun = "focus area"},
    {.name = "lines", .type = M_LIST, .exists = framework_line_exists, .noun = "line of action"},
    {.name = "target_groups", .type = M_LIST, .enum_values = ACTIVITIES_TARGET_GROUPS},
    {.name = "planned_start", .type = M_DATE, .required = true},
    {.name = "planned_end", .type = M_DATE},
    {.name = "actual_start", .type = M_DATE},
    {.name = "actual_end", .type = M_DATE},
    {.name = "participants_total", .type = M_COUNT},
    {.name = "participants_women", .type = M_COUNT},
    {.name = "participants_men", .type = M_COUNT},
    {.name = "participants_by_country", .type = M_COUNTS},
    {.name = "tot", .type = M_BOOL},
    {.name = "budget", .type = M_BUDGET},
    {.name = "outcomes", .type = M_TEXT, .max = ACTIVITY_TEXT_MAX},
    {.name = "documents", .type = M_DOCS},
    {0}};

const char *const activity_body_members[] = {"id",
                                             "title",
                                             "description",
                                             "type",
                                             "status",
                                             "lead_org",
                                             "partners",
                                             "host_country",
                                             "beneficiary_countries",
                                             "priorities",
                                             "focus_areas",
                                             "lines",
                                             "target_groups",
                                             "planned_start",
                                             "planned_end",
                                             "actual_start",
                                             "actual_end",
                                             "participants_total",
                                             "participants_women",
                                             "participants_men",
                                             "participants_by_country",
                                             "tot",
                                             "budget",
                                             "outcomes",
                                             "documents",
                                             NULL};

static bool enum_contains(const char *values, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = values; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

static json_t *empty_value(const struct member *m)
{
    switch (m->type) {
    case M_TEXTS:
    case M_COUNTS:
        return json_object();
    case M_LIST:
    case M_DOCS:
        return json_array();
    case M_TEXT:
        return json_string("");
    case M_BOOL:
        return json_false();
    default:
        return json_null();
    }
}

json_t *activity_blank(void)
{
    json_t *rec = json_object();
    for (const struct member *m = members; m->name; m++)
        json_object_set_new(rec, m->name, empty_value(m));
    json_object_set_new(rec, "status", json_string("planned"));
    return rec;
}

/* A string without NUL bytes (jansson has checked the UTF-8). */
static int want_string(const char *name, json_t *v, p_error *err)
{
    if (!json_is_string(v)) return p_fail(err, P_EINVAL, name, "%s must be a string", name);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return p_fail(err, P_EINVAL, name, "%s must not contain NUL characters", name);
    return P_OK;
}

static int merge_texts(const struct member *m, json_t *rec, json_t *v, p_error *err)
{
    json_t *texts = json_object_get(rec, m->name);
    if (json_is_null(v)) {
        json_object_clear(texts);
        return P_OK;
    }
    if (!json_is_object(v))
        return p_fail(err, P_EINVAL, m->name, "%s must be an object of texts by language", m->name);
    const char *lang;
    json_t *t;
    json_object_foreach(v, lang, t)
    {
        if (strcmp(lang, "en") != 0 && strcmp(lang, "ru") != 0)
            return p_fail(err, P_EUNPROC, m->name, "%s has texts in en and ru only, not '%s'",
                          m->name, lang);
        if (json_is_null(t)) {
            json_object_del(texts, lang);
            continue;
        }
        int rc = want_string(m->name, t, err);
        if (rc != P_OK) return rc;
        if (json_string_length(t) > m->max * 4)
            return p_fail(err, P_EUNPROC, m->name, "%s is longer than %zu characters", m->name,
                          m->max);
        if (json_string_length(t) == 0)
            json_object_del(texts, lang);
        else
            json_object_set(texts, lang, t);
    }
    return P_OK;
}

static int merge_list(const struct member *m, json_t *rec, json_t *v, p_error *err)
{
    if (json_is_null(v)) {
        json_object_set_new(rec, m->name, json_array());
        return P_OK;
    }
    if (!json_is_array(v)) return p_fail(err, P_EINVAL, m->name, "%s must be an array", m->name);
    if (json_array_size(v) > ACTIVITY_LIST_MAX)
        return p_fail(err, P_EUNPROC, m->name, "%s has more than %d items", m->name,
                      ACTIVITY_LIST_MAX);
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) || json_string_length(item) > 64 ||
            strlen(json_string_value(item)) != json_string_length(item))
            return p_fail(err, P_EINVAL, m->name, "%s must be an array of codes", m->name);
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(v, j), item))
                return p_fail(err, P_EUNPROC, m->name, "%s lists '%s' twice", m->name,
                              json_string_value(item));
    }
    json_object_set_new(rec, m->name, json_deep_copy(v));
    return P_OK;
}

static int merge_counts(const struct member *m, json_t *rec, json_t *v, p_error *err)
{
    if (json_is_null(v)) {
        json_object_set_new(rec, m->name, json_object());
        return P_OK;
    }
    if (!json_is_object(v))
        return p_fail(err, P_EINVAL, m->name, "%s must be an object of country codes to counts",
                      m->name);
    if (json_object_size(v) > ACTIVITY_LIST_MAX)
        return p_fail(err, P_EUNPROC, m->name, "%s has more than %d countries", m->name,
                      ACTIVITY_LIST_MAX);
    const char *code;
    json_t *n;
    json_object_foreach(v, code, n)
    {
        if (!json_is_integer(n))
            return p_fail(err, P_EINVAL, m->name, "%s.%s must be an integer", m->name, code);
        if (json_integer_value(n) < 0 || json_integer_value(n) > ACTIVITY_PEOPLE_MAX)
            return p_fail(err, P_EUNPROC, m->name, "%s.%s must be from 0 to %d", m->name, code,
                          ACTIVITY_PEOPLE_MAX);
    }
    json_object_set_new(rec, m->name, json_deep_copy(v));
    return P_OK;
}

/* The amount as a JSON number of whole minor units / 100: an integer when it is whole. */
static json_t *amount_json(int64_t minor)
{
    if (minor % 100 == 0) return json_integer((json_int_t)(minor / 100));
    return json_real((double)minor / 100.0);
}

static int merge_budget(const struct member *m, json_t *rec, json_t *v, p_error *err)
{
    if (json_is_null(v)) {
        json_object_set_new(rec, m->name, json_null());
        return P_OK;
    }
    if (!json_is_object(v)) return p_fail(err, P_EINVAL, "budget", "budget must be an object");
    const char *key;
    json_t *x;
    json_object_foreach(v, key, x)
    {
        if (strcmp(key, "amount") != 0 && strcmp(key, "currency") != 0 &&
            strcmp(key, "source") != 0)
            return p_fail(err, P_EINVAL, "budget", "budget has amount, currency and source only");
    }
    json_t *amount = json_object_get(v, "amount");
    if (!amount || !json_is_number(amount))
        return p_fail(err, P_EINVAL, "budget", "budget.amount must be a number");
    double a = json_number_value(amount);
    if (!(a >= 0 && a <= ACTIVITY_AMOUNT_MAX))
        return p_fail(err, P_EUNPROC, "budget", "budget.amount must be from 0 to %.0f",
                      ACTIVITY_AMOUNT_MAX);
    double cents = a * 100.0;
    double whole = round(cents);
    if (fabs(cents - whole) > 1e-6 + whole * 4e-16) /* a few ulps of rounding */
        return p_fail(err, P_EUNPROC, "budget", "budget.amount has at most two decimals");
    json_t *currency = json_object_get(v, "currency");
    if (!currency || !json_is_string(currency))
        return p_fail(err, P_EINVAL, "budget", "budget.currency must be a string");
    json_t *source = json_object_get(v, "source");
    if (source && !json_is_null(source)) {
        int rc = want_string("budget", source, err);
        if (rc != P_OK) return rc;
    }
    json_t *b =
        json_pack("{s:o, s:O, s:s}", "amount", amount_json((int64_t)whole), "currency", currency,
                  "source", source && json_is_string(source) ? json_string_value(source) : "");
    json_object_set_new(rec, m->name, b);
    return P_OK;
}

static int merge_member(const struct member *m, json_t *rec, json_t *v, p_error *err)
{
    switch (m->type) {
    case M_TEXTS:
        return merge_texts(m, rec, v, err);
    case M_LIST:
        return merge_list(m, rec, v, err);
    case M_COUNTS:
        return merge_counts(m, rec, v, err);
    case M_BUDGET:
        return merge_budget(m, rec, v, err);
    case M_DOCS: {
        if (json_is_null(v)) v = NULL;
        if (v && !json_is_array(v))
            return p_fail(err, P_EINVAL, m->name, "documents must be an array of document ids");
        if (json_array_size(v) > ACTIVITY_DOCUMENTS_MAX)
            return p_fail(err, P_EUNPROC, m->name, "documents may hold at most %d ids",
                          ACTIVITY_DOCUMENTS_MAX);
        size_t i, j;
        json_t *d;
        json_array_foreach(v, i, d)
        {
            if (!json_is_integer(d) || json_integer_value(d) < 1)
                return p_fail(err, P_EINVAL, m->name, "documents must be an array of document ids");
            for (j = 0; j < i; j++)
                if (json_integer_value(json_array_get(v, j)) == json_integer_value(d))
                    return p_fail(err, P_EUNPROC, m->name, "documents lists %lld twice",
                                  (long long)json_integer_value(d));
        }
        json_object_set_new(rec, m->name, v ? json_incref(v) : json_array());
        return P_OK;
    }
    case M_BOOL:
        if (json_is_null(v)) v = json_false();
        if (!json_is_boolean(v))
            return p_fail(err, P_EINVAL, m->name, "%s must be true or false", m->name);
        json_object_set(rec, m->name, v);
        return P_OK;
    case M_COUNT:
        if (!json_is_null(v) && !json_is_integer(v))
            return p_fail(err, P_EINVAL, m->name, "%s must be an integer", m->name);
        if (json_is_integer(v) &&
            (json_integer_value(v) < 0 || json_integer_value(v) > ACTIVITY_PEOPLE_MAX))
            return p_fail(err, P_EUNPROC, m->name, "%s must be from 0 to %d", m->name,
                          ACTIVITY_PEOPLE_MAX);
        json_object_set(rec, m->name, v);
        return P_OK;
    case M_TEXT:
        if (json_is_null(v)) {
            json_object_set_new(rec, m->name, json_string(""));
            return P_OK;
        }
        break;
    default:
        if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
            json_object_set_new(rec, m->name, json_null());
            return P_OK;
        }
        break;
    }
    int rc = want_string(m->name, v, err);
    if (rc != P_OK) return rc;
    size_t cap = m->type == M_TEXT ? m->max * 4 : 64;
    if (json_string_length(v) > cap)
        return p_fail(err, P_EUNPROC, m->name, "%s is too long", m->name);
    json_object_set(rec, m->name, v);
    return P_OK;
}

int activity_merge(json_t *rec, json_t *input, p_error *err)
{
    if (!json_is_object(input))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    for (const struct member *m = members; m->name; m++) {
        json_t *v = json_object_get(input, m->name);
        if (!v) continue;
        int rc = merge_member(m, rec, v, err);
        if (rc != P_OK) return rc;
    }
    return P_OK;
}

/* ---- rules ------------------------------------------------------------------------------ */

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static int check_length(const char *name, const char *s, size_t max, p_error *err)
{
    if (text_utf8_len(s, strlen(s)) > max)
        return p_fail(err, P_EUNPROC, name, "%s is longer than %zu characters", name, max);
    return P_OK;
}

/* The framework's codes read once, for a bulk import (see activity_codes_load). */
enum { CODES_ORG, CODES_COUNTRY, CODES_PRIORITY, CODES_FOCUS, CODES_LINE, CODES_KINDS };

struct activity_codes {
    json_t *set[CODES_KINDS]; /* code -> true */
};

static const exists_fn codes_fn[CODES_KINDS] = {[CODES_ORG] = framework_organisation_exists,
                                                [CODES_COUNTRY] = framework_country_exists,
                                                [CODES_PRIORITY] = framework_priority_exists,
                                                [CODES_FOCUS] = framework_focus_area_exists,
                                                [CODES_LINE] = framework_line_exists};

/* Adds the "code" of each record of items (consumed) to set. */
static void codes_add_items(json_t *set, json_t *items)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = json_string_value(json_object_get(it, "code"));
        if (code) json_object_set_new(set, code, json_true());
    }
    json_decref(items);
}

/* Reads every page of a paginated framework list into set. */
static int codes_load_paged(store *s,
                            int (*list)(store *, const struct framework_filter *, json_t **, char *,
                                        p_error *),
                            json_t *set, p_error *err)
{
    char cursor[CURSOR_MAX] = "", next[CURSOR_MAX] = "";
    struct framework_filter f = {.limit = 1000};
    for (;;) {
        json_t *items = NULL;
        int rc = list(s, &f, &items, next, err);
        if (rc != P_OK) return rc;
        codes_add_items(set, items);
        if (!next[0]) return P_OK;
        memcpy(cursor, next, sizeof cursor);
        f.cursor = cursor;
    }
}

int activity_codes_load(store *s, struct activity_codes **out, p_error *err)
{
    struct activity_codes *c = xcalloc(1, sizeof *c);
    for (int k = 0; k < CODES_KINDS; k++)
        c->set[k] = json_object();
    json_t *items = NULL;
    int rc = codes_load_paged(s, framework_organisations_list, c->set[CODES_ORG], err);
    if (rc == P_OK) rc = codes_load_paged(s, framework_countries_list, c->set[CODES_COUNTRY], err);
    if (rc == P_OK && (rc = framework_priorities_list(s, &items, err)) == P_OK)
        codes_add_items(c->set[CODES_PRIORITY], items);
    if (rc == P_OK && (rc = framework_focus_areas_list(s, NULL, &items, err)) == P_OK)
        codes_add_items(c->set[CODES_FOCUS], items);
    if (rc == P_OK && (rc = framework_lines_list(s, &items, err)) == P_OK)
        codes_add_items(c->set[CODES_LINE], items);
    if (rc != P_OK) {
        activity_codes_free(c);
        c = NULL;
    }
    *out = c;
    return rc;
}

void activity_codes_free(struct activity_codes *c)
{
    if (!c) return;
    for (int k = 0; k < CODES_KINDS; k++)
        json_decref(c->set[k]);
    free(c);
}

/* Whether code exists, from codes when it holds that kind, else by asking the store. */
static int code_exists(store *s, const struct activity_codes *codes, exists_fn fn, const char *code,
                       bool *exists, p_error *err)
{
    for (int k = 0; codes && k < CODES_KINDS; k++)
        if (codes_fn[k] == fn) {
            *exists = json_object_get(codes->set[k], code) != NULL;
            return P_OK;
        }
    return fn(s, code, exists, err);
}

static int check_code(store *s, const struct activity_codes *codes, const struct member *m,
                      const char *code, p_error *err)
{
    if (m->enum_values) {
        if (!enum_contains(m->enum_values, code))
            return p_fail(err, P_EUNPROC, m->name, "%s: '%s' is not one of: %s", m->name, code,
                          m->enum_values);
        return P_OK;
    }
    bool exists = false;
    int rc = code_exists(s, codes, m->exists, code, &exists, err);
    if (rc != P_OK) return rc;
    if (!exists) return p_fail(err, P_EUNPROC, m->name, "no %s has code '%s'", m->noun, code);
    return P_OK;
}

static int check_member(store *s, const struct activity_codes *codes, const struct member *m,
                        json_t *v, p_error *err)
{
    switch (m->type) {
    case M_TEXTS: {
        const char *lang;
        json_t *t;
        json_object_foreach(v, lang, t)
        {
            int rc = check_length(m->name, json_string_value(t), m->max, err);
            if (rc != P_OK) return rc;
        }
        const char *en = json_string_value(json_object_get(v, "en"));
        if (m->required && (!en || is_blank(en)))
            return p_fail(err, P_EUNPROC, m->name, "%s.en is required", m->name);
        return P_OK;
    }
    case M_TEXT:
        return check_length(m->name, json_string_value(v), m->max, err);
    case M_ENUM:
    case M_REF:
    case M_DATE:
        if (json_is_null(v)) {
            if (m->required) return p_fail(err, P_EUNPROC, m->name, "%s is required", m->name);
            return P_OK;
        }
        if (m->type == M_ENUM && !enum_contains(m->enum_values, json_string_value(v)))
            return p_fail(err, P_EUNPROC, m->name, "%s must be one of: %s", m->name,
                          m->enum_values);
        if (m->type == M_DATE && !text_is_date(json_string_value(v)))
            return p_fail(err, P_EUNPROC, m->name, "%s must be a date YYYY-MM-DD", m->name);
        if (m->type == M_REF) return check_code(s, codes, m, json_string_value(v), err);
        return P_OK;
    case M_LIST: {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            int rc = check_code(s, codes, m, json_string_value(item), err);
            if (rc != P_OK) return rc;
        }
        return P_OK;
    }
    case M_COUNTS: {
        const char *code;
        json_t *n;
        json_object_foreach(v, code, n)
        {
            bool exists = false;
            int rc = code_exists(s, codes, framework_country_exists, code, &exists, err);
            if (rc != P_OK) return rc;
            if (!exists) return p_fail(err, P_EUNPROC, m->name, "no country has code '%s'", code);
        }
        return P_OK;
    }
    case M_BUDGET: {
        if (json_is_null(v)) return P_OK;
        const char *cur = json_string_value(json_object_get(v, "currency"));
        bool ok = cur && strlen(cur) == 3;
        for (int i = 0; ok && i < 3; i++)
            ok = cur[i] >= 'A' && cur[i] <= 'Z';
        if (!ok)
            return p_fail(err, P_EUNPROC, "budget",
                          "budget.currency must be three capital letters (ISO 4217)");
        return check_length("budget", json_string_value(json_object_get(v, "source")),
                            ACTIVITY_SOURCE_MAX, err);
    }
    case M_DOCS: {
        size_t i;
        json_t *d;
        json_array_foreach(v, i, d)
        {
            bool exists = false;
            int rc = library_document_exists(s, json_integer_value(d), &exists, err);
            if (rc != P_OK) return rc;
            if (!exists)
                return p_fail(err, P_EUNPROC, "documents", "no library document %lld",
                              (long long)json_integer_value(d));
        }
        return P_OK;
    }
    default:
        return P_OK;
    }
}

static const char *date_of(json_t *rec, const char *name)
{
    return json_string_value(json_object_get(rec, name));
}

static int check_dates(json_t *rec, p_error *err)
{
    const char *ps = date_of(rec, "planned_start"), *pe = date_of(rec, "planned_end");
    const char *as = date_of(rec, "actual_start"), *ae = date_of(rec, "actual_end");
    if (ps && pe && strcmp(pe, ps) < 0)
        return p_fail(err, P_EUNPROC, "planned_end", "planned_end is before planned_start");
    if (ae && !as) return p_fail(err, P_EUNPROC, "actual_start", "actual_end needs actual_start");
    if (as && ae && strcmp(ae, as) < 0)
        return p_fail(err, P_EUNPROC, "actual_end", "actual_end is before actual_start");
    return P_OK;
}

static int check_participants(json_t *rec, p_error *err)
{
    json_t *total = json_object_get(rec, "participants_total");
    json_t *women = json_object_get(rec, "participants_women");
    json_t *men = json_object_get(rec, "participants_men");
    json_t *by_country = json_object_get(rec, "participants_by_country");
    const char *status = json_string_value(json_object_get(rec, "status"));
    if (json_is_null(total)) {
        if (!json_is_null(women) || !json_is_null(men) || json_object_size(by_country) > 0)
            return p_fail(err, P_EUNPROC, "participants_total",
                          "participant figures need participants_total");
        if (status && strcmp(status, "completed") == 0)
            return p_fail(err, P_EUNPROC, "participants_total",
                          "a completed activity has participant figures");
        return P_OK;
    }
    json_int_t t = json_integer_value(total);
    if (json_integer_value(women) + json_integer_value(men) > t)
        return p_fail(err, P_EUNPROC, "participants_women",
                      "participants_women + participants_men exceed participants_total");
    json_int_t sum = 0;
    const char *code;
    json_t *n;
    json_object_foreach(by_country, code, n) sum += json_integer_value(n);
    if (sum > t)
        return p_fail(err, P_EUNPROC, "participants_by_country",
                      "participants_by_country adds up to more than participants_total");
    return P_OK;
}

int activity_check(store *s, json_t *rec, p_error *err)
{
    return activity_check_with(s, NULL, rec, err);
}

int activity_check_with(store *s, const struct activity_codes *codes, json_t *rec, p_error *err)
{
    for (const struct member *m = members; m->name; m++) {
        int rc = check_member(s, codes, m, json_object_get(rec, m->name), err);
        if (rc != P_OK) return rc;
    }
    int rc = check_dates(rec, err);
    if (rc == P_OK) rc = check_participants(rec, err);
    return rc;
}

int activity_check_transition(const char *from, const char *to, p_error *err)
{
    if (strcmp(from, to) == 0) return P_OK;
    bool ok = (strcmp(from, "planned") == 0 &&
               (strcmp(to, "ongoing") == 0 || strcmp(to, "completed") == 0 ||
                strcmp(to, "cancelled") == 0)) ||
              (strcmp(from, "ongoing") == 0 &&
               (strcmp(to, "completed") == 0 || strcmp(to, "cancelled") == 0));
    if (!ok)
        return p_fail(err, P_EUNPROC, "status", "an activity cannot go from %s to %s", from, to);
    return P_OK;
}

bool activity_budget_minor(json_t *rec, int64_t *minor)
{
    json_t *b = json_object_get(rec, "budget");
    if (!json_is_object(b)) return false;
    *minor = (int64_t)llround(json_number_value(json_object_get(b, "amount")) * 100.0);
    return true;
}

/* ---- full-text query -------------------------------------------------------------------- */

int activity_fts_query(const char *q, bool tsquery, buf *out, p_error *err)
{
    /* The search box's language (words, "phrases", prefix*, AND/OR/NOT), each word analysed
     * as English and as Russian: the titles and descriptions are indexed in both. */
    buf_reset(out);
    search_query *sq = NULL;
    int rc = search_query_parse(q, &sq, err);
    if (rc != P_OK) return rc;
    static const char *const langs[] = {"en", "ru", NULL};
    if (tsquery)
        search_query_tsquery(sq, langs, out);
    else
        search_query_fts5(sq, langs, out);
    search_query_free(sq);
    return P_OK;
}
