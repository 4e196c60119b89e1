/* service.c (framework): reads and audited writes of the reference data. One table of
 * field descriptions per kind drives validation, insert and update, so the six kinds share
 * one create path and one update path instead of six copies of each. */
#include "framework/service.h"
#include "auth/audit.h"
#include "core/text.h"
#include "framework/framework.h"

#include <stdio.h>
#include <string.h>

const char FRAMEWORK_ORG_KINDS[] = "secretariat|unit|institution|field_operation|partner|national";
const char FRAMEWORK_COUNTRY_STATUSES[] = "participating|partner";

#define POSITION_MAX     1000000
#define PARENT_DEPTH_MAX 64 /* deeper than any real hierarchy; stops a walk on bad data */

enum field_type {
    F_CODE,         /* ^[A-Z0-9][A-Z0-9-]{0,15}$ */
    F_COUNTRY_CODE, /* ^[A-Z]{2}$ */
    F_TEXT,         /* UTF-8 of at most max_chars code points */
    F_INT,          /* position: 0..POSITION_MAX */
    F_ENUM,         /* one of enum_values */
    F_REF,          /* the code of an existing record, checked by exists */
};

typedef int (*exists_fn)(store *, const char *, bool *, p_error *);

struct field {
    const char *name; /* JSON member; NULL ends a list */
    enum field_type type;
    bool required; /* present and non-blank in every stored record */
    size_t max_chars;
    const char *enum_values;
    exists_fn exists;
    const char *noun; /* F_REF: what the code names, for messages */
};

/* A kind: its fields (fields[0] is the code) and its SQL. select_one lists the columns in
 * field order; insert binds them in field order; update binds fields[1..] then the code. */
struct kind_desc {
    const char *entity;
    const char *noun;
    const struct field *fields;
    const char *const *names;
    const char *select_one;
    const char *insert;
    const char *update;
    const char *next_position;  /* NULL when the kind has no position */
    const char *position_scope; /* field whose value next_position binds, or NULL */
};

static const struct field described_fields[] = {
    {.name = "code", .type = F_CODE, .required = true},
    {.name = "name", .type = F_TEXT, .required = true, .max_chars = 200},
    {.name = "name_ru", .type = F_TEXT, .max_chars = 200},
    {.name = "description", .type = F_TEXT, .max_chars = 4000},
    {.name = "position", .type = F_INT},
    {0}};
static const char *const described_names[] = {"code",        "name",     "name_ru",
                                              "description", "position", NULL};

static const struct field focus_fields[] = {
    {.name = "code", .type = F_CODE, .required = true},
    {.name = "name", .type = F_TEXT, .required = true, .max_chars = 200},
    {.name = "name_ru", .type = F_TEXT, .max_chars = 200},
    {.name = "priority",
     .type = F_REF,
     .required = true,
     .exists = framework_priority_exists,
     .noun = "priority"},
    {.name = "position", .type = F_INT},
    {0}};
static const char *const focus_names[] = {"code", "name", "name_ru", "priority", "position", NULL};

static const struct field org_fields[] = {
    {.name = "code", .type = F_CODE, .required = true},
    {.name = "name", .type = F_TEXT, .required = true, .max_chars = 200},
    {.name = "name_ru", .type = F_TEXT, .max_chars = 200},
    {.name = "kind", .type = F_ENUM, .required = true, .enum_values = FRAMEWORK_ORG_KINDS},
    {.name = "parent",
     .type = F_REF,
     .exists = framework_organisation_exists,
     .noun = "organisation"},
    {.name = "country", .type = F_REF, .exists = framework_country_exists, .noun = "country"},
    {0}};
static const char *const org_names[] = {"code",   "name",    "name_ru", "kind",
                                        "parent", "country", NULL};

static const struct field country_fields[] = {
    {.name = "code", .type = F_COUNTRY_CODE, .required = true},
    {.name = "name", .type = F_TEXT, .required = true, .max_chars = 200},
    {.name = "name_ru", .type = F_TEXT, .max_chars = 200},
    {.name = "status", .type = F_ENUM, .required = true, .enum_values = FRAMEWORK_COUNTRY_STATUSES},
    {0}};
static const char *const country_names[] = {"code", "name", "name_ru", "status", NULL};

static const struct kind_desc kinds[FRAMEWORK_KIND_COUNT] = {
    [FRAMEWORK_LINE] =
        {.entity = "line_of_action",
         .noun = "line of action",
         .fields = described_fields,
         .names = described_names,
         .select_one = "SELECT code, name, name_ru, description, position FROM lines_of_action"
                       " WHERE code = ?",
         .insert = "INSERT INTO lines_of_action(code, name, name_ru, description, position)"
                   " VALUES (?,?,?,?,?)",
         .update = "UPDATE lines_of_action SET name = ?, name_ru = ?, description = ?,"
                   " position = ? WHERE code = ?",
         .next_position = "SELECT COALESCE(MAX(position) + 1, 0) FROM lines_of_action"},
    [FRAMEWORK_PRIORITY] =
        {.entity = "priority",
         .noun = "priority",
         .fields = described_fields,
         .names = described_names,
         .select_one = "SELECT code, name, name_ru, description, position FROM priorities"
                       " WHERE code = ?",
         .insert = "INSERT INTO priorities(code, name, name_ru, description, position)"
                   " VALUES (?,?,?,?,?)",
         .update = "UPDATE priorities SET name = ?, name_ru = ?, description = ?, position = ?"
                   " WHERE code = ?",
         .next_position = "SELECT COALESCE(MAX(position) + 1, 0) FROM priorities"},
    [FRAMEWORK_FOCUS_AREA] =
        {.entity = "focus_area",
         .noun = "focus area",
         .fields = focus_fields,
         .names = focus_names,
         .select_one = "SELECT code, name, name_ru, priority_code, position FROM focus_areas"
                       " WHERE code = ?",
         .insert = "INSERT INTO focus_areas(code, name, name_ru, priority_code, position)"
                   " VALUES (?,?,?,?,?)",
         .update = "UPDATE focus_areas SET name = ?, name_ru = ?, priority_code = ?,"
                   " position = ? WHERE code = ?",
         .next_position = "SELECT COALESCE(MAX(position) + 1, 0) FROM focus_areas"
                          " WHERE priority_code = ?",
         .position_scope = "priority"},
    [FRAMEWORK_PRINCIPLE] =
        {.entity = "principle",
         .noun = "principle",
         .fields = described_fields,
         .names = described_names,
         .select_one = "SELECT code, name, name_ru, description, position FROM principles"
                       " WHERE code = ?",
         .insert = "INSERT INTO principles(code, name, name_ru, description, position)"
                   " VALUES (?,?,?,?,?)",
         .update = "UPDATE principles SET name = ?, name_ru = ?, description = ?, position = ?"
                   " WHERE code = ?",
         .next_position = "SELECT COALESCE(MAX(position) + 1, 0) FROM principles"},
    [FRAMEWORK_ORGANISATION] =
        {.entity = "organisation",
         .noun = "organisation",
         .fields = org_fields,
         .names = org_names,
         .select_one = "SELECT code, name, name_ru, kind, parent_code, country_code"
                       " FROM organisations WHERE code = ?",
         .insert = "INSERT INTO organisations(code, name, name_ru, kind, parent_code,"
                   " country_code) VALUES (?,?,?,?,?,?)",
         .update = "UPDATE organisations SET name = ?, name_ru = ?, kind = ?, parent_code = ?,"
                   " country_code = ? WHERE code = ?"},
    [FRAMEWORK_COUNTRY] =
        {.entity = "country",
         .noun = "country",
         .fields = country_fields,
         .names = country_names,
         .select_one = "SELECT code, name, name_ru, status FROM countries WHERE code = ?",
         .insert = "INSERT INTO countries(code, name, name_ru, status) VALUES (?,?,?,?)",
         .update = "UPDATE countries SET name = ?, name_ru = ?, status = ? WHERE code = ?"},
};

const char *framework_entity(enum framework_kind kind)
{
    return kinds[kind].entity;
}

const char *const *framework_fields(enum framework_kind kind)
{
    return kinds[kind].names;
}

/* ---- case folding for q ---------------------------------------------------------------- */

/* Lowercase of a code point below U+0800 (every mapping stays in two-byte UTF-8). */
static uint32_t fold_code_point(uint32_t c)
{
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
        return c | 1;
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
    if (c >= 0x400 && c <= 0x40F) return c + 0x50;
    if (c >= 0x410 && c <= 0x42F) return c + 0x20;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F))
        return c | 1;
    if (c >= 0x4C1 && c <= 0x4CE) return (c & 1) ? c + 1 : c;
    if (c == 0x4C0) return 0x4CF;
    return c;
}

void framework_casefold(const char *s, buf *out)
{
    buf_reset(out);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p >= 'A' && *p <= 'Z') {
            buf_putc(out, (char)(*p + 32));
            p++;
        } else if ((*p & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) {
            uint32_t c = fold_code_point(((uint32_t)(*p & 0x1F) << 6) | (p[1] & 0x3F));
            char enc[2] = {(char)(0xC0 | (c >> 6)), (char)(0x80 | (c & 0x3F))};
            buf_append(out, enc, 2);
            p += 2;
        } else {
            buf_putc(out, (char)*p);
            p++;
        }
    }
}

/* True when the folded needle occurs in code, name or name_ru (columns 0-2 of st). */
static bool row_matches(store_stmt *st, const char *needle, buf *scratch)
{
    for (int i = 0; i < 3; i++) {
        framework_casefold(store_col_text(st, i), scratch);
        if (strstr(buf_str(scratch), needle)) return true;
    }
    return false;
}

/* ---- reads ------------------------------------------------------------------------------ */

/* The record in the current row of st, columns in the order of fields. */
static json_t *row_to_json(store_stmt *st, const struct field *fields)
{
    json_t *o = json_object();
    for (int i = 0; fields[i].name; i++) {
        json_t *v;
        if (fields[i].type == F_INT)
            v = json_integer((json_int_t)store_col_int(st, i));
        else if (store_col_null(st, i))
            v = json_null();
        else
            v = json_string(store_col_text(st, i));
        json_object_set_new(o, fields[i].name, v ? v : json_null());
    }
    return o;
}

/* Appends every row of sql to arr; param, when not NULL, is bound to ?1 (an unbound
 * parameter is NULL). */
static int append_rows(store *s, const char *sql, const char *param, const struct field *fields,
                       json_t *arr, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    if (param) store_bind_text(st, 1, param);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(arr, row_to_json(st, fields));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

static const struct field nested_fields[] = {
    {.name = "code"}, {.name = "name"}, {.name = "name_ru"}, {0}};
static const struct field code_fields[] = {{.name = "code"}, {0}};
static const struct field org_summary_fields[] = {
    {.name = "code"}, {.name = "name"}, {.name = "name_ru"}, {.name = "kind"}, {0}};

static int attach_focus_areas(store *s, json_t *priority, p_error *err)
{
    json_t *areas = json_array();
    int rc = append_rows(s,
                         "SELECT code, name, name_ru FROM focus_areas WHERE priority_code = ?"
                         " ORDER BY position, code",
                         json_string_value(json_object_get(priority, "code")), nested_fields, areas,
                         err);
    json_object_set_new(priority, "focus_areas", areas);
    return rc;
}

static int list_or_free(int rc, json_t *arr, json_t **items)
{
    if (rc != P_OK) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return P_OK;
}

int framework_lines_list(store *s, json_t **items, p_error *err)
{
    json_t *arr = json_array();
    int rc = append_rows(s,
                         "SELECT code, name, name_ru, description, position FROM lines_of_action"
                         " ORDER BY position, code",
                         NULL, described_fields, arr, err);
    return list_or_free(rc, arr, items);
}

int framework_principles_list(store *s, json_t **items, p_error *err)
{
    json_t *arr = json_array();
    int rc = append_rows(s,
                         "SELECT code, name, name_ru, description, position FROM principles"
                         " ORDER BY position, code",
                         NULL, described_fields, arr, err);
    return list_or_free(rc, arr, items);
}

int framework_priorities_list(store *s, json_t **items, p_error *err)
{
    json_t *arr = json_array();
    int rc = append_rows(s,
                         "SELECT code, name, name_ru, description, position FROM priorities"
                         " ORDER BY position, code",
                         NULL, described_fields, arr, err);
    size_t i;
    json_t *p;
    json_array_foreach(arr, i, p)
    {
        if (rc != P_OK) break;
        rc = attach_focus_areas(s, p, err);
    }
    return list_or_free(rc, arr, items);
}

int framework_focus_areas_list(store *s, const char *priority, json_t **items, p_error *err)
{
    json_t *arr = json_array();
    int rc = append_rows(s,
                         "SELECT f.code, f.name, f.name_ru, f.priority_code, f.position"
                         " FROM focus_areas f JOIN priorities p ON p.code = f.priority_code"
                         " WHERE (?1 IS NULL OR f.priority_code = ?1)"
                         " ORDER BY p.position, p.code, f.position, f.code",
                         priority, focus_fields, arr, err);
    return list_or_free(rc, arr, items);
}

static bool enum_contains(const char *values, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = values; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0) return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

/* One keyset page of sql, which takes ?1 = the code after which to start and ?2 = an
 * optional equality filter, and returns code, name, name_ru first, ordered by code.
 * Rows are filtered by q here, so the page is exact whatever q matches. */
static int list_page(store *s, const char *sql, const struct field *fields, const char *filter,
                     const struct framework_filter *f, json_t **items, char next[static CURSOR_MAX],
                     p_error *err)
{
    next[0] = '\0';
    if (f->limit < 1 || f->limit > 1000)
        return p_fail(err, P_EINVAL, "limit", "limit must be an integer from 1 to 1000");
    char after[CURSOR_MAX] = "";
    if (f->cursor) {
        int rc = cursor_decode(f->cursor, after, err);
        if (rc != P_OK) return rc;
    }
    buf needle = BUF_INIT, scratch = BUF_INIT;
    bool use_q = f->q && *f->q;
    if (use_q) framework_casefold(f->q, &needle);
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, after);
    store_bind_text(st, 2, filter);
    json_t *arr = json_array();
    int step, n = 0;
    char last[CURSOR_MAX] = "";
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (use_q && !row_matches(st, buf_str(&needle), &scratch)) continue;
        if (n == f->limit) {
            cursor_encode(last, next);
            break;
        }
        json_array_append_new(arr, row_to_json(st, fields));
        snprintf(last, sizeof last, "%s", store_col_text(st, 0));
        n++;
    }
    store_reset(st);
    buf_free(&needle);
    buf_free(&scratch);
    return list_or_free(step < 0 ? -step : P_OK, arr, items);
}

int framework_organisations_list(store *s, const struct framework_filter *f, json_t **items,
                                 char next[static CURSOR_MAX], p_error *err)
{
    if (f->kind && !enum_contains(FRAMEWORK_ORG_KINDS, f->kind))
        return p_fail(err, P_EINVAL, "kind", "kind must be one of: %s", FRAMEWORK_ORG_KINDS);
    return list_page(
        s,
        "SELECT code, name, name_ru, kind, parent_code, country_code FROM organisations"
        " WHERE code > ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY code",
        org_fields, f->kind, f, items, next, err);
}

int framework_countries_list(store *s, const struct framework_filter *f, json_t **items,
                             char next[static CURSOR_MAX], p_error *err)
{
    if (f->status && !enum_contains(FRAMEWORK_COUNTRY_STATUSES, f->status))
        return p_fail(err, P_EINVAL, "status", "status must be one of: %s",
                      FRAMEWORK_COUNTRY_STATUSES);
    return list_page(s,
                     "SELECT code, name, name_ru, status FROM countries"
                     " WHERE code > ?1 AND (?2 IS NULL OR status = ?2) ORDER BY code",
                     country_fields, f->status, f, items, next, err);
}

/* The stored row of kind with code (*out new), or P_ENOTFOUND. */
static int load_row(store *s, const struct kind_desc *k, const char *code, json_t **out,
                    p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, k->select_one, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_ENOTFOUND, NULL, "no %s has code '%s'", k->noun, code);
    }
    *out = row_to_json(st, k->fields);
    store_reset(st);
    return P_OK;
}

int framework_get(store *s, enum framework_kind kind, const char *code, json_t **out, p_error *err)
{
    *out = NULL;
    json_t *rec = NULL;
    int rc = load_row(s, &kinds[kind], code ? code : "", &rec, err);
    if (rc != P_OK) return rc;
    if (kind == FRAMEWORK_PRIORITY) {
        rc = attach_focus_areas(s, rec, err);
    } else if (kind == FRAMEWORK_ORGANISATION) {
        json_t *rows = json_array();
        rc = append_rows(s, "SELECT code FROM organisations WHERE parent_code = ? ORDER BY code",
                         code, code_fields, rows, err);
        json_t *children = json_array();
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row) json_array_append(children, json_object_get(row, "code"));
        json_decref(rows);
        json_object_set_new(rec, "children", children);
    } else if (kind == FRAMEWORK_COUNTRY) {
        json_t *orgs = json_array();
        rc =
            append_rows(s,
                        "SELECT code, name, name_ru, kind FROM organisations WHERE country_code = ?"
                        " ORDER BY code",
                        code, org_summary_fields, orgs, err);
        json_object_set_new(rec, "organisations", orgs);
    }
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    *out = rec;
    return P_OK;
}

/* ---- writes ----------------------------------------------------------------------------- */

/* Copies member fd->name of src (when present) into rec after checking its JSON type.
 * Optional texts take null as ""; optional references take "" as null. */
static int take_member(const struct field *fd, json_t *src, json_t *rec, p_error *err)
{
    json_t *v = json_object_get(src, fd->name);
    if (!v) return P_OK;
    if (fd->type == F_INT) {
        if (!json_is_integer(v))
            return p_fail(err, P_EINVAL, fd->name, "%s must be an integer", fd->name);
        json_int_t n = json_integer_value(v);
        if (n < 0 || n > POSITION_MAX)
            return p_fail(err, P_EUNPROC, fd->name, "%s must be from 0 to %d", fd->name,
                          POSITION_MAX);
        json_object_set(rec, fd->name, v);
        return P_OK;
    }
    if (json_is_null(v)) {
        json_object_set_new(rec, fd->name,
                            (fd->type == F_TEXT && !fd->required) ? json_string("") : json_null());
        return P_OK;
    }
    if (!json_is_string(v)) return p_fail(err, P_EINVAL, fd->name, "%s must be a string", fd->name);
    const char *str = json_string_value(v);
    if (strlen(str) != json_string_length(v))
        return p_fail(err, P_EINVAL, fd->name, "%s must not contain NUL characters", fd->name);
    if (fd->type == F_REF && !*str)
        json_object_set_new(rec, fd->name, json_null());
    else
        json_object_set(rec, fd->name, v);
    return P_OK;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

static int check_code(const struct field *fd, const char *code, p_error *err)
{
    size_t n = strlen(code);
    if (fd->type == F_COUNTRY_CODE) {
        if (n != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
            return p_fail(err, P_EUNPROC, fd->name,
                          "a country code is two capital letters (ISO 3166-1)");
        return P_OK;
    }
    bool ok = n >= 1 && n <= 16;
    for (size_t i = 0; ok && i < n; i++) {
        char c = code[i];
        ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (i > 0 && c == '-');
    }
    if (!ok)
        return p_fail(err, P_EUNPROC, fd->name,
                      "code must be 1 to 16 of A-Z, 0-9 and '-', starting with a letter or digit");
    return P_OK;
}

/* Checks one value of the merged record against its field's rules. */
static int check_value(store *s, const struct field *fd, json_t *v, p_error *err)
{
    const char *str = json_string_value(v);
    if (fd->required && (!str || is_blank(str)))
        return p_fail(err, P_EUNPROC, fd->name, "%s is required", fd->name);
    if (!str) return P_OK;
    switch (fd->type) {
    case F_CODE:
    case F_COUNTRY_CODE:
        return check_code(fd, str, err);
    case F_TEXT:
        if (!text_utf8_valid(str, strlen(str)))
            return p_fail(err, P_EINVAL, fd->name, "%s must be valid UTF-8", fd->name);
        if (text_utf8_len(str, strlen(str)) > fd->max_chars)
            return p_fail(err, P_EUNPROC, fd->name, "%s is longer than %zu characters", fd->name,
                          fd->max_chars);
        return P_OK;
    case F_ENUM:
        if (!enum_contains(fd->enum_values, str))
            return p_fail(err, P_EUNPROC, fd->name, "%s must be one of: %s", fd->name,
                          fd->enum_values);
        return P_OK;
    case F_REF: {
        bool exists = false;
        int rc = fd->exists(s, str, &exists, err);
        if (rc != P_OK) return rc;
        if (!exists) return p_fail(err, P_EUNPROC, fd->name, "no %s has code '%s'", fd->noun, str);
        return P_OK;
    }
    case F_INT:
        return P_OK;
    }
    return P_OK;
}

/* Refuses a parent that is the organisation itself or one of its descendants. */
static int check_parent_cycle(store *s, const char *code, const char *parent, p_error *err)
{
    char at[CURSOR_MAX];
    snprintf(at, sizeof at, "%s", parent);
    for (int depth = 0; at[0] && depth < PARENT_DEPTH_MAX; depth++) {
        if (strcmp(at, code) == 0)
            return p_fail(err, P_EUNPROC, "parent",
                          "'%s' cannot be the parent of '%s': it is the organisation itself or"
                          " one of its descendants",
                          parent, code);
        store_stmt *st;
        int rc = store_prepare(s, "SELECT parent_code FROM organisations WHERE code = ?", &st, err);
        if (rc != P_OK) return rc;
        store_bind_text(st, 1, at);
        int step = store_step(st, err);
        if (step < 0) return -step;
        if (step == STORE_ROW && !store_col_null(st, 0))
            snprintf(at, sizeof at, "%s", store_col_text(st, 0));
        else
            at[0] = '\0';
        store_reset(st);
    }
    return P_OK;
}

static int check_record(store *s, enum framework_kind kind, json_t *rec, p_error *err)
{
    const struct field *fields = kinds[kind].fields;
    for (int i = 0; fields[i].name; i++) {
        int rc = check_value(s, &fields[i], json_object_get(rec, fields[i].name), err);
        if (rc != P_OK) return rc;
    }
    const char *parent = json_string_value(json_object_get(rec, "parent"));
    if (kind == FRAMEWORK_ORGANISATION && parent)
        return check_parent_cycle(s, json_string_value(json_object_get(rec, "code")), parent, err);
    return P_OK;
}

static void bind_value(store_stmt *st, int col, json_t *v)
{
    if (json_is_integer(v))
        store_bind_int(st, col, (int64_t)json_integer_value(v));
    else
        store_bind_text(st, col, json_string_value(v)); /* NULL for null: binds NULL */
}

/* Runs the kind's insert (update false) or update (update true) with rec's values. */
static int write_record(store *s, const struct kind_desc *k, json_t *rec, bool update, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, update ? k->update : k->insert, &st, err);
    if (rc != P_OK) return rc;
    int col = 1;
    for (int i = update ? 1 : 0; k->fields[i].name; i++)
        bind_value(st, col++, json_object_get(rec, k->fields[i].name));
    if (update) bind_value(st, col, json_object_get(rec, "code"));
    return store_run(st, err);
}

/* Gives rec a position after the last one (within its scope) when it has none. */
static int assign_position(store *s, const struct kind_desc *k, json_t *rec, p_error *err)
{
    if (!k->next_position || json_object_get(rec, "position")) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s, k->next_position, &st, err);
    if (rc != P_OK) return rc;
    if (k->position_scope)
        store_bind_text(st, 1, json_string_value(json_object_get(rec, k->position_scope)));
    int step = store_step(st, err);
    if (step < 0) return -step;
    json_int_t next = step == STORE_ROW ? (json_int_t)store_col_int(st, 0) : 0;
    store_reset(st);
    json_object_set_new(rec, "position", json_integer(next > POSITION_MAX ? POSITION_MAX : next));
    return P_OK;
}

static int audit_change(store *s, const struct kind_desc *k, const char *action, const char *code,
                        json_t *before, json_t *after, const struct actor *by, p_error *err)
{
    struct audit_entry e = {by->login, action, k->entity, code, before, after, by->client};
    return audit_append(s, &e, err);
}

/* Ends a write: commits or rolls back, then fills *out with the API shape of code. */
static int finish_write(store *s, enum framework_kind kind, int rc, const char *code, json_t **out,
                        p_error *err)
{
    if (rc == P_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    if (rc == P_OK && out) rc = framework_get(s, kind, code, out, err);
    return rc;
}

int framework_create(store *s, enum framework_kind kind, json_t *fields, const struct actor *by,
                     json_t **out, p_error *err)
{
    if (out) *out = NULL;
    if (!json_is_object(fields))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    const struct kind_desc *k = &kinds[kind];
    json_t *rec = json_object();
    for (int i = 0; k->fields[i].name; i++) {
        const struct field *fd = &k->fields[i];
        if (fd->type == F_INT) continue;
        json_object_set_new(rec, fd->name,
                            (fd->type == F_TEXT && !fd->required) ? json_string("") : json_null());
    }
    int rc = P_OK;
    for (int i = 0; rc == P_OK && k->fields[i].name; i++)
        rc = take_member(&k->fields[i], fields, rec, err);
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    rc = store_begin(s, err);
    if (rc != P_OK) {
        json_decref(rec);
        return rc;
    }
    char code[CURSOR_MAX];
    snprintf(code, sizeof code, "%s",
             json_string_value(json_object_get(rec, "code"))
                 ? json_string_value(json_object_get(rec, "code"))
                 : "");
    json_t *existing = NULL, *after = NULL;
    rc = check_record(s, kind, rec, err);
    if (rc == P_OK) {
        p_error probe;
        p_error_clear(&probe);
        rc = load_row(s, k, code, &existing, &probe);
        if (rc == P_OK)
            rc = p_fail(err, P_ECONFLICT, "code", "a %s with code '%s' exists", k->noun, code);
        else if (rc == P_ENOTFOUND)
            rc = P_OK;
        else if (err)
            *err = probe;
    }
    if (rc == P_OK) rc = assign_position(s, k, rec, err);
    if (rc == P_OK) {
        rc = write_record(s, k, rec, false, err);
        if (rc == P_ECONFLICT)
            p_fail(err, P_ECONFLICT, "code", "a %s with code '%s' exists", k->noun, code);
    }
    if (rc == P_OK) rc = load_row(s, k, code, &after, err);
    if (rc == P_OK) rc = audit_change(s, k, "create", code, NULL, after, by, err);
    if (rc == P_OK) rc = framework_version_bump(s, err);
    json_decref(existing);
    json_decref(after);
    json_decref(rec);
    return finish_write(s, kind, rc, code, out, err);
}

int framework_update(store *s, enum framework_kind kind, const char *code, json_t *patch,
                     const struct actor *by, json_t **out, p_error *err)
{
    if (out) *out = NULL;
    if (!json_is_object(patch))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    const struct kind_desc *k = &kinds[kind];
    json_t *new_code = json_object_get(patch, "code");
    if (new_code && (!json_is_string(new_code) || strcmp(json_string_value(new_code), code) != 0))
        return p_fail(err, P_EUNPROC, "code", "code cannot be changed");
    int rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *rec = NULL, *after = NULL;
    rc = load_row(s, k, code, &before, err);
    if (rc == P_OK)
        rc = (rec = json_deep_copy(before)) ? P_OK : p_fail(err, P_EIO, NULL, "out of memory");
    for (int i = 1; rc == P_OK && k->fields[i].name; i++)
        rc = take_member(&k->fields[i], patch, rec, err);
    if (rc == P_OK) rc = check_record(s, kind, rec, err);
    if (rc == P_OK) rc = write_record(s, k, rec, true, err);
    if (rc == P_OK) rc = load_row(s, k, code, &after, err);
    if (rc == P_OK) rc = audit_change(s, k, "update", code, before, after, by, err);
    if (rc == P_OK) rc = framework_version_bump(s, err);
    json_decref(before);
    json_decref(rec);
    json_decref(after);
    return finish_write(s, kind, rc, code, out, err);
}
