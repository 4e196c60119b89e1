/* document.c (library): the shape and rules of a document record — a table of members
 * drives merging a request body into a record, so create and update share one path — and
 * reading and writing documents with their code links. */
#include "core/text.h"
#include "framework/framework.h"
#include "library/internal.h"

#include <stdio.h>
#include <string.h>

const char LIBRARY_LANGS[] = "en|ru|sr|sq|mk|hy|ar|fr|ro|sk";
const char LIBRARY_STATUSES[] = "published|in_preparation";
const char LIBRARY_FILE_TYPES[] = "pdf|docx|html|text";

enum kind { K_TEXT, K_INT, K_ENUM, K_REF, K_CODES, K_MONTH };

typedef int (*exists_fn)(store *, const char *, bool *, p_error *);

struct member {
    const char *name;
    enum kind kind;
    bool required;
    size_t max;  /* characters for text, upper bound for ints */
    int64_t min; /* ints */
    const char *enum_values;
    exists_fn exists;
    const char *noun;
};

static const struct member members[] = {
    {"title", K_TEXT, true, DOC_TITLE_MAX, 0, NULL, NULL, NULL},
    {"subtitle", K_TEXT, false, DOC_TITLE_MAX, 0, NULL, NULL, NULL},
    {"series", K_TEXT, false, DOC_SHORT_MAX, 0, NULL, NULL, NULL},
    {"volume", K_INT, false, 9999, 1, NULL, NULL, NULL},
    {"edition_note", K_TEXT, false, DOC_SHORT_MAX, 0, NULL, NULL, NULL},
    {"year", K_INT, true, 2100, 1900, NULL, NULL, NULL},
    {"published", K_MONTH, false, 0, 0, NULL, NULL, NULL},
    {"place", K_TEXT, false, DOC_SHORT_MAX, 0, NULL, NULL, NULL},
    {"authoring_unit", K_REF, false, 0, 0, NULL, framework_organisation_exists, "organisation"},
    {"status", K_ENUM, false, 0, 0, LIBRARY_STATUSES, NULL, NULL},
    {"abstract", K_TEXT, false, DOC_ABSTRACT_MAX, 0, NULL, NULL, NULL},
    {"priorities", K_CODES, false, DOC_CODES_MAX, 0, NULL, framework_priority_exists,
     "thematic priority"},
    {"focus_areas", K_CODES, false, DOC_CODES_MAX, 0, NULL, framework_focus_area_exists,
     "focus area"},
    {NULL, K_TEXT, false, 0, 0, NULL, NULL, NULL},
};

const char *const library_document_members[] = {
    "id",         "title",       "subtitle", "series",         "volume",     "edition_note",
    "year",       "published",   "place",    "authoring_unit", "status",     "abstract",
    "priorities", "focus_areas", "editions", "created_at",     "updated_at", NULL};

json_t *library_document_blank(void)
{
    return json_pack("{s:s, s:s, s:s, s:n, s:s, s:n, s:n, s:s, s:n, s:s, s:s, s:[], s:[]}", "title",
                     "", "subtitle", "", "series", "", "volume", "edition_note", "", "year",
                     "published", "place", "", "authoring_unit", "status", "published", "abstract",
                     "", "priorities", "focus_areas");
}

static bool enum_has(const char *values, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = values; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, v, n) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

/* "YYYY-MM" or "YYYY-MM-DD" with a real month (and day). */
static bool is_month_or_date(const char *s)
{
    if (strlen(s) == 10) return text_is_date(s);
    if (strlen(s) != 7 || s[4] != '-') return false;
    char d[11];
    snprintf(d, sizeof d, "%s-01", s);
    return text_is_date(d);
}

static int check_text(const struct member *m, json_t *v, p_error *err)
{
    if (!json_is_string(v)) return p_fail(err, P_EINVAL, m->name, "%s must be a string", m->name);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!text_utf8_valid(s, n))
        return p_fail(err, P_EINVAL, m->name, "%s is not valid UTF-8", m->name);
    if (text_utf8_len(s, n) > m->max)
        return p_fail(err, P_EINVAL, m->name, "%s is longer than %zu characters", m->name, m->max);
    return P_OK;
}

static int check_member(const struct member *m, json_t *v, p_error *err)
{
    switch (m->kind) {
    case K_TEXT:
        return check_text(m, v, err);
    case K_INT:
        if (!json_is_integer(v))
            return p_fail(err, P_EINVAL, m->name, "%s must be a whole number", m->name);
        if (json_integer_value(v) < m->min || json_integer_value(v) > (json_int_t)m->max)
            return p_fail(err, P_EUNPROC, m->name, "%s must be between %lld and %zu", m->name,
                          (long long)m->min, m->max);
        return P_OK;
    case K_ENUM:
        if (!json_is_string(v) || !enum_has(m->enum_values, json_string_value(v)))
            return p_fail(err, P_EINVAL, m->name, "%s must be one of %s", m->name, m->enum_values);
        return P_OK;
    case K_MONTH:
        if (!json_is_string(v) || !is_month_or_date(json_string_value(v)))
            return p_fail(err, P_EINVAL, m->name, "%s must be YYYY-MM or YYYY-MM-DD", m->name);
        return P_OK;
    case K_REF:
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 32)
            return p_fail(err, P_EINVAL, m->name, "%s must be a code", m->name);
        return P_OK;
    case K_CODES: {
        if (!json_is_array(v))
            return p_fail(err, P_EINVAL, m->name, "%s must be an array of codes", m->name);
        if (json_array_size(v) > m->max)
            return p_fail(err, P_EUNPROC, m->name, "%s may hold at most %zu codes", m->name,
                          m->max);
        size_t i, j;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            if (!json_is_string(c) || json_string_length(c) == 0 || json_string_length(c) > 32)
                return p_fail(err, P_EINVAL, m->name, "%s must be an array of codes", m->name);
            for (j = 0; j < i; j++)
                if (json_equal(json_array_get(v, j), c))
                    return p_fail(err, P_EUNPROC, m->name, "%s lists %s twice", m->name,
                                  json_string_value(c));
        }
        return P_OK;
    }
    }
    return P_OK;
}

int library_document_merge(json_t *rec, json_t *fields, p_error *err)
{
    if (!json_is_object(fields))
        return p_fail(err, P_EINVAL, NULL, "the body must be a JSON object");
    for (const struct member *m = members; m->name; m++) {
        json_t *v = json_object_get(fields, m->name);
        if (!v) continue;
        if (json_is_null(v)) {
            if (m->required) return p_fail(err, P_EUNPROC, m->name, "%s is required", m->name);
            json_object_set_new(rec, m->name,
                                m->kind == K_CODES               ? json_array()
                                : m->kind == K_TEXT              ? json_string("")
                                : strcmp(m->name, "status") == 0 ? json_string("published")
                                                                 : json_null());
            continue;
        }
        int rc = check_member(m, v, err);
        if (rc != P_OK) return rc;
        json_object_set(rec, m->name, v);
    }
    return P_OK;
}

int library_document_check(store *s, json_t *rec, p_error *err)
{
    const char *title = json_string_value(json_object_get(rec, "title"));
    if (!title || !*title) return p_fail(err, P_EUNPROC, "title", "title is required");
    json_t *year = json_object_get(rec, "year");
    if (!json_is_integer(year)) return p_fail(err, P_EUNPROC, "year", "year is required");
    const char *published = json_string_value(json_object_get(rec, "published"));
    if (published) {
        char y[5];
        snprintf(y, sizeof y, "%s", published);
        int64_t py = 0;
        if (!text_parse_int64(y, 1900, 2100, &py) || py != json_integer_value(year))
            return p_fail(err, P_EUNPROC, "published", "published (%s) is not in year %lld",
                          published, (long long)json_integer_value(year));
    }
    json_t *volume = json_object_get(rec, "volume");
    const char *series = json_string_value(json_object_get(rec, "series"));
    if (json_is_integer(volume) && (!series || !*series))
        return p_fail(err, P_EUNPROC, "volume", "a volume needs a series");
    for (const struct member *m = members; m->name; m++) {
        if (!m->exists) continue;
        json_t *v = json_object_get(rec, m->name);
        size_t i;
        json_t *c;
        json_t *one = json_is_string(v) ? json_pack("[O]", v) : json_incref(v);
        json_array_foreach(one, i, c)
        {
            bool found = false;
            int rc = m->exists(s, json_string_value(c), &found, err);
            if (rc == P_OK && !found)
                rc = p_fail(err, P_EUNPROC, m->name, "%s %s does not exist", m->noun,
                            json_string_value(c));
            if (rc != P_OK) {
                json_decref(one);
                return rc;
            }
        }
        json_decref(one);
    }
    return P_OK;
}

/* ---- reading ------------------------------------------------------------------------------ */

#define DOC_COLUMNS                                                                                \
    "id, title, subtitle, series, volume, edition_note, year, published, place,"                   \
    " authoring_unit, status, abstract, created_at, updated_at"

static json_t *nullable_text(store_stmt *st, int i)
{
    return store_col_null(st, i) ? json_null() : json_string(store_col_text(st, i));
}

static json_t *nullable_int(store_stmt *st, int i)
{
    return store_col_null(st, i) ? json_null() : json_integer(store_col_int(st, i));
}

static int load_codes(store *s, const char *sql, int64_t id, json_t *into, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(into, json_string(store_col_text(st, 0)));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

static json_t *edition_json(store_stmt *st, int64_t doc)
{
    const char *lang = store_col_text(st, 0);
    json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "lang", lang, "title", store_col_text(st, 1),
                          "abstract", store_col_text(st, 2), "text", store_col_text(st, 7),
                          "text_error", store_col_text(st, 8));
    if (store_col_null(st, 3)) {
        json_object_set_new(e, "file", json_null());
    } else {
        char url[128];
        snprintf(url, sizeof url, "/api/v1/documents/%lld/editions/%s/file", (long long)doc, lang);
        json_object_set_new(e, "file",
                            json_pack("{s:s, s:s, s:s, s:I, s:s}", "sha256", store_col_text(st, 3),
                                      "name", store_col_text(st, 4), "type", store_col_text(st, 5),
                                      "size", (json_int_t)store_col_int(st, 6), "url", url));
    }
    json_object_set_new(e, "updated_at", json_string(store_col_text(st, 9)));
    return e;
}

static int load_editions(store *s, int64_t id, json_t *into, p_error *err)
{
    store_stmt *st;
    int rc =
        store_prepare(s,
                      "SELECT lang, title, abstract, file_sha256, file_name, file_type,"
                      " file_size, text_status, text_error, updated_at FROM editions"
                      " WHERE document_id = ? ORDER BY lang = 'en' DESC, lang = 'ru' DESC, lang",
                      &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(into, edition_json(st, id));
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

int library_load(store *s, int64_t id, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT " DOC_COLUMNS " FROM documents WHERE id = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_ENOTFOUND, NULL, "no document %lld", (long long)id);
    }
    json_t *r = json_object();
    json_object_set_new(r, "id", json_integer(store_col_int(st, 0)));
    static const char *const texts[] = {"title", "subtitle", "series"};
    for (int i = 0; i < 3; i++)
        json_object_set_new(r, texts[i], json_string(store_col_text(st, 1 + i)));
    json_object_set_new(r, "volume", nullable_int(st, 4));
    json_object_set_new(r, "edition_note", json_string(store_col_text(st, 5)));
    json_object_set_new(r, "year", json_integer(store_col_int(st, 6)));
    json_object_set_new(r, "published", nullable_text(st, 7));
    json_object_set_new(r, "place", json_string(store_col_text(st, 8)));
    json_object_set_new(r, "authoring_unit", nullable_text(st, 9));
    json_object_set_new(r, "status", json_string(store_col_text(st, 10)));
    json_object_set_new(r, "abstract", json_string(store_col_text(st, 11)));
    json_object_set_new(r, "created_at", json_string(store_col_text(st, 12)));
    json_object_set_new(r, "updated_at", json_string(store_col_text(st, 13)));
    store_reset(st);
    json_t *pri = json_array(), *foc = json_array(), *eds = json_array();
    json_object_set_new(r, "priorities", pri);
    json_object_set_new(r, "focus_areas", foc);
    json_object_set_new(r, "editions", eds);
    rc = load_codes(s,
                    "SELECT priority_code FROM document_priorities WHERE document_id = ?"
                    " ORDER BY priority_code",
                    id, pri, err);
    if (rc == P_OK)
        rc = load_codes(s,
                        "SELECT focus_code FROM document_focus_areas WHERE document_id = ?"
                        " ORDER BY focus_code",
                        id, foc, err);
    if (rc == P_OK) rc = load_editions(s, id, eds, err);
    if (rc != P_OK) {
        json_decref(r);
        return rc;
    }
    *out = r;
    return P_OK;
}

/* ---- writing ------------------------------------------------------------------------------ */

static void bind_text_or_null(store_stmt *st, int i, json_t *v)
{
    if (json_is_string(v))
        store_bind_text(st, i, json_string_value(v));
    else
        store_bind_null(st, i);
}

static int write_codes(store *s, int64_t id, json_t *codes, const char *del, const char *ins,
                       p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, del, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    rc = store_run(st, err);
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        if (rc == P_OK) rc = store_prepare(s, ins, &st, err);
        if (rc != P_OK) return rc;
        store_bind_int(st, 1, id);
        store_bind_text(st, 2, json_string_value(c));
        rc = store_run(st, err);
    }
    return rc;
}

int library_write_document(store *s, json_t *rec, bool insert, int64_t *id, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(
        s,
        insert ? "INSERT INTO documents(title, subtitle, series, volume, edition_note, year,"
                 " published, place, authoring_unit, status, abstract, created_at, updated_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)"
               : "UPDATE documents SET title = ?1, subtitle = ?2, series = ?3, volume = ?4,"
                 " edition_note = ?5, year = ?6, published = ?7, place = ?8,"
                 " authoring_unit = ?9, status = ?10, abstract = ?11, updated_at = ?12"
                 " WHERE id = ?13",
        &st, err);
    if (rc != P_OK) return rc;
    static const char *const texts[] = {"title", "subtitle", "series"};
    for (int i = 0; i < 3; i++)
        store_bind_text(st, 1 + i, json_string_value(json_object_get(rec, texts[i])));
    json_t *volume = json_object_get(rec, "volume");
    if (json_is_integer(volume))
        store_bind_int(st, 4, json_integer_value(volume));
    else
        store_bind_null(st, 4);
    store_bind_text(st, 5, json_string_value(json_object_get(rec, "edition_note")));
    store_bind_int(st, 6, json_integer_value(json_object_get(rec, "year")));
    bind_text_or_null(st, 7, json_object_get(rec, "published"));
    store_bind_text(st, 8, json_string_value(json_object_get(rec, "place")));
    bind_text_or_null(st, 9, json_object_get(rec, "authoring_unit"));
    store_bind_text(st, 10, json_string_value(json_object_get(rec, "status")));
    store_bind_text(st, 11, json_string_value(json_object_get(rec, "abstract")));
    char now[21];
    text_now_iso(now);
    store_bind_text(st, 12, now);
    if (!insert) store_bind_int(st, 13, *id);
    rc = store_run(st, err);
    if (rc == P_OK && insert) *id = store_last_insert_id(s);
    if (rc == P_OK)
        rc = write_codes(
            s, *id, json_object_get(rec, "priorities"),
            "DELETE FROM document_priorities WHERE document_id = ?",
            "INSERT INTO document_priorities(document_id, priority_code) VALUES (?, ?)", err);
    if (rc == P_OK)
        rc = write_codes(s, *id, json_object_get(rec, "focus_areas"),
                         "DELETE FROM document_focus_areas WHERE document_id = ?",
                         "INSERT INTO document_focus_areas(document_id, focus_code) VALUES (?, ?)",
                         err);
    return rc;
}
