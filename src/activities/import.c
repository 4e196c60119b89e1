/* import.c (activities): the bulk import of activities. CSV is read record by record with
 * an RFC 4180 parser (quoted fields, doubled quotes, CRLF or LF, newlines inside quotes)
 * and each record becomes a create body; JSON is an array of create bodies. Every row is
 * created inside one transaction, which is rolled back when any row has an error. */
#include "activities/import.h"
#include "activities/import_bulk.h"
#include "activities/internal.h"
#include "core/buf.h"
#include "core/text.h"
#include "web/api.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_FIELDS_MAX 64
#define PROGRESS_EVERY 256

size_t import_limit(void)
{
    const char *v = getenv("POLIS_IMPORT_LIMIT");
    int64_t n = 0;
    if (v && text_parse_int64(v, 1, INT64_MAX, &n)) return (size_t)n;
    return IMPORT_LIMIT_DEFAULT;
}

/* ---- the report ---- */

static void add_error(struct import_report *rep, size_t row, const char *field, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

static void add_error(struct import_report *rep, size_t row, const char *field, const char *fmt,
                      ...)
{
    if (json_array_size(rep->errors) >= IMPORT_ERRORS_MAX) return;
    char message[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    json_array_append_new(rep->errors, json_pack("{s:I, s:s, s:s}", "row", (json_int_t)row, "field",
                                                 field ? field : "", "message", message));
}

static bool report_full(const struct import_report *rep)
{
    return json_array_size(rep->errors) >= IMPORT_ERRORS_MAX;
}

json_t *import_report_json(const struct import_report *rep)
{
    return json_pack("{s:I, s:O}", "imported", (json_int_t)rep->imported, "errors",
                     rep->errors ? rep->errors : json_array());
}

void import_report_free(struct import_report *rep)
{
    json_decref(rep->errors);
    rep->errors = NULL;
}

/* ---- one row ---- */

struct import_run {
    store *s;
    const struct actor *by;
    const struct import_hooks *hooks;
    struct import_report *rep;
    struct activity_codes *codes;    /* the framework's codes, read once per import */
    int64_t before;                  /* the highest key of activities before the import */
    struct import_indexes *deferred; /* indexes to build again before the commit */
    struct import_periods *periods;  /* the date-range index rows, written at the end */
};

/* Takes over what activities_create_bulk leaves of each new activity (an
 * activity_created_fn): its date-range index rows. */
static int created(void *ctx, int64_t id, json_t *rec, p_error *err)
{
    return import_periods_add(((struct import_run *)ctx)->periods, id, rec, err);
}

/* Before the first row of about rows rows (an estimate from above): the indexes a large
 * import into a small registry builds after its rows instead of row by row. */
static int begin_rows(struct import_run *r, size_t rows, p_error *err)
{
    int64_t audit_entries = 0;
    int rc = import_audit_last_id(r->s, &audit_entries, err);
    if (rc == P_OK)
        rc = import_indexes_defer(r->s, rows, r->before, audit_entries, &r->deferred, err);
    return rc;
}

/* The number of lines of data: at least its number of CSV records. */
static size_t count_lines(const char *data, size_t len)
{
    size_t n = 1;
    for (const char *p = data, *end = data + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
        n++;
    return n;
}

/* Checks the lead organisation, then creates the body of one row. Returns P_OK (also
 * when the row was refused: the error is in the report) or a status that ends the whole
 * import (the store failed). */
static int import_row(struct import_run *r, size_t row, json_t *body, p_error *err)
{
    const struct import_hooks *h = r->hooks;
    const char *lead = json_string_value(json_object_get(body, "lead_org"));
    p_error e;
    p_error_clear(&e);
    if (lead && h && h->allow_org && h->allow_org(lead, h->ctx, &e) != P_OK) {
        add_error(r->rep, row, "lead_org", "%s", e.message);
        return P_OK;
    }
    char wanted[64] = "";
    json_t *id = json_object_get(body, "id");
    if (id && !json_is_string(id)) {
        add_error(r->rep, row, "id", "id must be a public id such as SPMU-2012-0001");
        return P_OK;
    }
    if (id) {
        snprintf(wanted, sizeof wanted, "%s", json_string_value(id));
        json_object_del(body, "id");
    }
    int rc = activities_create_bulk(r->s, body, wanted[0] ? wanted : NULL, r->by, r->codes, created,
                                    r, &e);
    if (rc == P_OK) {
        r->rep->imported++;
        return P_OK;
    }
    if (rc == P_ESTORE || rc == P_EIO) {
        if (err) *err = e;
        return rc;
    }
    add_error(r->rep, row, e.field, "%s", e.message);
    return P_OK;
}

static void progress(const struct import_hooks *h, size_t done, size_t total)
{
    if (h && h->progress) h->progress(done, total, h->ctx);
}

/* ---- CSV ---- */

struct csv {
    const char *p, *end;
    buf fields[CSV_FIELDS_MAX];
    size_t n;            /* fields of the last record */
    size_t too_long;     /* 1 + the index of a field over IMPORT_FIELD_MAX, or 0 */
    bool quoted_first;   /* the first field of the last record was quoted */
    const char *problem; /* why the last record could not be read */
};

/* Appends one byte to field k unless it is already over the limit. */
static void csv_put(struct csv *c, size_t k, char ch)
{
    if (c->fields[k].len >= IMPORT_FIELD_MAX) {
        if (!c->too_long) c->too_long = k + 1;
        return;
    }
    buf_putc(&c->fields[k], ch);
}

/* Reads one record. Returns 1 for a record, 0 at the end of the data, -1 when the record
 * is malformed (c->problem says why; the rest of the data cannot be trusted). */
static int csv_next(struct csv *c)
{
    c->n = 0;
    c->too_long = 0;
    c->quoted_first = false;
    if (c->p >= c->end) return 0;
    for (size_t k = 0;; k++) {
        if (k >= CSV_FIELDS_MAX) {
            c->problem = "the row has too many fields";
            return -1;
        }
        buf_reset(&c->fields[k]);
        if (c->p < c->end && *c->p == '"') {
            if (k == 0) c->quoted_first = true;
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    c->problem = "a quoted field is not closed before the end of the file";
                    return -1;
                }
                char ch = *c->p++;
                if (ch == '"') {
                    if (c->p < c->end && *c->p == '"') {
                        csv_put(c, k, '"');
                        c->p++;
                        continue;
                    }
                    break;
                }
                csv_put(c, k, ch);
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n') {
                c->problem = "text follows the closing quote of a field (quotes inside a "
                             "quoted field must be doubled)";
                return -1;
            }
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\r' && *c->p != '\n')
                csv_put(c, k, *c->p++);
        }
        c->n = k + 1;
        if (c->p >= c->end) return 1;
        if (*c->p == ',') {
            c->p++;
            continue;
        }
        if (*c->p == '\r') {
            c->p++;
            if (c->p < c->end && *c->p == '\n') c->p++;
        } else {
            c->p++;
        }
        return 1;
    }
}

enum col_kind {
    K_ID,
    K_SKIP,
    K_STRING,
    K_LANG,
    K_LIST,
    K_IDS, /* whole numbers separated by ';' */
    K_COUNTS,
    K_INT,
    K_BOOL,
    K_BUDGET
};

struct col {
    const char *header;
    const char *member;
    enum col_kind kind;
    const char *sub;
};

/* The columns export_csv writes (export.c), any order and any subset. */
static const struct col cols[] = {
    {"id", "id", K_ID, NULL},
    {"title_en", "title", K_LANG, "en"},
    {"title_ru", "title", K_LANG, "ru"},
    {"description_en", "description", K_LANG, "en"},
    {"description_ru", "description", K_LANG, "ru"},
    {"type", "type", K_STRING, NULL},
    {"status", "status", K_STRING, NULL},
    {"lead_org", "lead_org", K_STRING, NULL},
    {"partners", "partners", K_LIST, NULL},
    {"host_country", "host_country", K_STRING, NULL},
    {"beneficiary_countries", "beneficiary_countries", K_LIST, NULL},
    {"priorities", "priorities", K_LIST, NULL},
    {"focus_areas", "focus_areas", K_LIST, NULL},
    {"lines", "lines", K_LIST, NULL},
    {"target_groups", "target_groups", K_LIST, NULL},
    {"planned_start", "planned_start", K_STRING, NULL},
    {"planned_end", "planned_end", K_STRING, NULL},
    {"actual_start", "actual_start", K_STRING, NULL},
    {"actual_end", "actual_end", K_STRING, NULL},
    {"participants_total", "participants_total", K_INT, NULL},
    {"participants_women", "participants_women", K_INT, NULL},
    {"participants_men", "participants_men", K_INT, NULL},
    {"participants_by_country", "participants_by_country", K_COUNTS, NULL},
    {"tot", "tot", K_BOOL, NULL},
    {"budget_amount", "budget", K_BUDGET, "amount"},
    {"budget_currency", "budget", K_BUDGET, "currency"},
    {"budget_source", "budget", K_BUDGET, "source"},
    {"outcomes", "outcomes", K_STRING, NULL},
    {"documents", "documents", K_IDS, NULL},
    {"created_at", NULL, K_SKIP, NULL},
    {"updated_at", NULL, K_SKIP, NULL},
};
#define N_COLS (sizeof cols / sizeof cols[0])

/* The member object named name in body, created when absent. */
static json_t *sub_object(json_t *body, const char *name)
{
    json_t *o = json_object_get(body, name);
    if (!o) {
        o = json_object();
        json_object_set_new(body, name, o);
    }
    return o;
}

/* Splits text at ';' into trimmed, non-empty items. New reference. */
static json_t *split_list(const char *text)
{
    json_t *a = json_array();
    const char *p = text;
    while (*p) {
        const char *e = strchr(p, ';');
        if (!e) e = p + strlen(p);
        const char *b = p, *z = e;
        while (b < z && (*b == ' ' || *b == '\t'))
            b++;
        while (z > b && (z[-1] == ' ' || z[-1] == '\t'))
            z--;
        if (z > b) json_array_append_new(a, json_stringn(b, (size_t)(z - b)));
        p = *e ? e + 1 : e;
    }
    return a;
}

/* Parses N;N;... into an array of integers; NULL when an item is not a whole number. */
static json_t *parse_ids(const char *text)
{
    json_t *ids = json_array(), *items = split_list(text);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        int64_t n = 0;
        if (!text_parse_int64(json_string_value(item), INT64_MIN, INT64_MAX, &n)) {
            json_decref(ids);
            ids = NULL;
            break;
        }
        json_array_append_new(ids, json_integer((json_int_t)n));
    }
    json_decref(items);
    return ids;
}

/* Parses CC:N;... into an object; NULL when malformed. */
static json_t *parse_counts(const char *text)
{
    json_t *o = json_object(), *items = split_list(text);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        const char *s = json_string_value(item);
        const char *colon = strchr(s, ':');
        int64_t n = 0;
        char cc[16];
        size_t cl = colon ? (size_t)(colon - s) : 0;
        if (!colon || cl == 0 || cl >= sizeof cc ||
            !text_parse_int64(colon + 1, 0, INT64_MAX, &n)) {
            json_decref(o);
            o = NULL;
            break;
        }
        memcpy(cc, s, cl);
        cc[cl] = '\0';
        json_object_set_new(o, cc, json_integer((json_int_t)n));
    }
    json_decref(items);
    return o;
}

/* Sets the member of column c in body from the cell text. Returns false (with an error
 * in the report) when the text cannot be that member's type. */
static bool put_cell(json_t *body, const struct col *c, const char *text, size_t row,
                     struct import_report *rep)
{
    switch (c->kind) {
    case K_SKIP:
        return true;
    case K_ID: /* kept when it is free, so an export loads into a new registry unchanged */
        if (*text) json_object_set_new(body, "id", json_string(text));
        return true;
    case K_STRING:
        if (*text) json_object_set_new(body, c->member, json_string(text));
        return true;
    case K_LANG:
        if (*text) json_object_set_new(sub_object(body, c->member), c->sub, json_string(text));
        return true;
    case K_LIST:
        if (*text) json_object_set_new(body, c->member, split_list(text));
        return true;
    case K_IDS: {
        if (!*text) return true;
        json_t *ids = parse_ids(text);
        if (!ids) {
            add_error(rep, row, c->header, "%s must be ids separated by ';'", c->header);
            return false;
        }
        json_object_set_new(body, c->member, ids);
        return true;
    }
    case K_COUNTS: {
        if (!*text) return true;
        json_t *o = parse_counts(text);
        if (!o) {
            add_error(rep, row, c->header, "%s must be CC:N pairs separated by ';'", c->header);
            return false;
        }
        json_object_set_new(body, c->member, o);
        return true;
    }
    case K_INT: {
        int64_t n = 0;
        if (!*text) return true;
        if (!text_parse_int64(text, INT64_MIN, INT64_MAX, &n)) {
            add_error(rep, row, c->header, "%s must be a whole number", c->header);
            return false;
        }
        json_object_set_new(body, c->member, json_integer((json_int_t)n));
        return true;
    }
    case K_BOOL:
        if (!*text) return true;
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            add_error(rep, row, c->header, "%s must be true or false", c->header);
            return false;
        }
        json_object_set_new(body, c->member, json_boolean(strcmp(text, "true") == 0));
        return true;
    case K_BUDGET: {
        if (!*text) return true;
        json_t *b = sub_object(body, c->member);
        if (strcmp(c->sub, "amount") != 0) {
            json_object_set_new(b, c->sub, json_string(text));
            return true;
        }
        char *end = NULL;
        double v = strtod(text, &end);
        if (end == text || *end || !isfinite(v)) {
            add_error(rep, row, c->header, "%s must be a number", c->header);
            return false;
        }
        json_object_set_new(b, "amount",
                            v == floor(v) && fabs(v) < 1e15 ? json_integer((json_int_t)v)
                                                            : json_real(v));
        return true;
    }
    }
    return true;
}

/* The text of a cell without the ' that export_csv_cell puts before a cell starting
 * with = + - @ tab or CR. */
static const char *unguard(const buf *cell)
{
    const char *t = buf_str(cell);
    if (cell->len >= 2 && t[0] == '\'' && strchr("=+-@\t\r", t[1])) return t + 1;
    return t;
}

static int import_csv(struct import_run *r, const char *data, size_t len, p_error *err)
{
    struct csv c = {.p = data, .end = data + len};
    for (size_t i = 0; i < CSV_FIELDS_MAX; i++)
        c.fields[i] = (buf)BUF_INIT;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) c.p += 3; /* a spreadsheet's BOM */
    int rc = P_OK;
    const struct col *map[CSV_FIELDS_MAX] = {0};
    size_t ncols = 0;
    int got = csv_next(&c);
    if (got == 0) {
        add_error(r->rep, 0, "", "the file is empty: a header row is required");
    } else if (got < 0) {
        add_error(r->rep, 0, "", "the header row: %s", c.problem);
    } else {
        ncols = c.n;
        for (size_t k = 0; k < ncols; k++) {
            const char *name = buf_str(&c.fields[k]);
            if (!text_utf8_valid(name, c.fields[k].len)) {
                add_error(r->rep, 0, "", "column %zu of the header is not valid UTF-8", k + 1);
                continue;
            }
            for (size_t j = 0; j < N_COLS && !map[k]; j++)
                if (strcmp(name, cols[j].header) == 0) map[k] = &cols[j];
            if (!map[k]) {
                add_error(r->rep, 0, name, "unknown column '%s'", name);
                continue;
            }
            for (size_t j = 0; j < k; j++)
                if (map[j] == map[k]) add_error(r->rep, 0, name, "column '%s' appears twice", name);
        }
    }
    if (json_array_size(r->rep->errors) > 0) goto done;
    rc = begin_rows(r, count_lines(c.p, (size_t)(c.end - c.p)), err);
    if (rc != P_OK) goto done;
    size_t row = 0;
    for (;;) {
        got = csv_next(&c);
        if (got == 0) break;
        if (got < 0) {
            add_error(r->rep, row + 1, "", "%s", c.problem);
            break;
        }
        if (c.n == 1 && c.fields[0].len == 0 && !c.quoted_first) continue; /* a blank line */
        if (++row > IMPORT_ROWS_MAX) {
            add_error(r->rep, row, "", "the file has more than %d rows", IMPORT_ROWS_MAX);
            break;
        }
        if (row % PROGRESS_EVERY == 0) progress(r->hooks, (size_t)(c.p - data), len);
        if (c.n != ncols) {
            add_error(r->rep, row, "", "the row has %zu fields, the header %zu", c.n, ncols);
        } else if (c.too_long) {
            add_error(r->rep, row, map[c.too_long - 1]->header, "longer than %d bytes",
                      IMPORT_FIELD_MAX);
        } else {
            json_t *body = json_object();
            bool ok = true;
            for (size_t k = 0; k < ncols && ok; k++) {
                const buf *cell = &c.fields[k];
                if (memchr(buf_str(cell), '\0', cell->len)) {
                    add_error(r->rep, row, map[k]->header, "contains a NUL byte");
                    ok = false;
                } else if (!text_utf8_valid(buf_str(cell), cell->len)) {
                    add_error(r->rep, row, map[k]->header, "is not valid UTF-8");
                    ok = false;
                } else {
                    ok = put_cell(body, map[k], unguard(cell), row, r->rep);
                }
            }
            if (ok) rc = import_row(r, row, body, err);
            json_decref(body);
            if (rc != P_OK) break;
        }
        if (report_full(r->rep)) break;
    }
    if (rc == P_OK && row == 0 && json_array_size(r->rep->errors) == 0)
        add_error(r->rep, 0, "", "the file has a header but no rows");
done:
    for (size_t i = 0; i < CSV_FIELDS_MAX; i++)
        buf_free(&c.fields[i]);
    return rc;
}

/* ---- JSON ---- */

static int import_json(struct import_run *r, const char *data, size_t len, p_error *err)
{
    json_error_t je;
    json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!doc) {
        if (len == 0 || strspn(data, " \t\r\n") == len)
            add_error(r->rep, 0, "", "the file is empty");
        else
            add_error(r->rep, 0, "", "not valid JSON at line %d, column %d: %s", je.line, je.column,
                      je.text);
        return P_OK;
    }
    json_t *items = json_is_array(doc) ? doc : json_object_get(doc, "activities");
    if (!json_is_array(items)) {
        add_error(r->rep, 0, "",
                  "the file must hold an array of activities or "
                  "{\"activities\": [...]}");
        json_decref(doc);
        return P_OK;
    }
    size_t total = json_array_size(items), i;
    if (total == 0) add_error(r->rep, 0, "", "the file holds no activities");
    if (total > IMPORT_ROWS_MAX) {
        add_error(r->rep, 0, "", "the file has more than %d rows", IMPORT_ROWS_MAX);
        total = 0;
    }
    int rc = total > 0 ? begin_rows(r, total, err) : P_OK;
    for (i = 0; i < total && rc == P_OK && !report_full(r->rep); i++) {
        json_t *item = json_array_get(items, i);
        p_error e;
        p_error_clear(&e);
        if ((i + 1) % PROGRESS_EVERY == 0) progress(r->hooks, i + 1, total);
        if (!json_is_object(item))
            add_error(r->rep, i + 1, "", "each activity must be a JSON object");
        else if (api_only_fields(item, activity_body_members, &e) != P_OK)
            add_error(r->rep, i + 1, e.field, "%s", e.message);
        else
            rc = import_row(r, i + 1, item, err);
    }
    json_decref(doc);
    return rc;
}

int import_activities(store *s, const char *data, size_t len, enum import_format fmt,
                      const struct actor *by, const struct import_hooks *hooks,
                      struct import_report *rep, p_error *err)
{
    rep->imported = 0;
    rep->errors = json_array();
    size_t limit = import_limit();
    if (len > limit) {
        add_error(rep, 0, "", "the file is larger than %zu bytes", limit);
        return p_fail(err, P_ETOOBIG, NULL, "the file is larger than %zu bytes", limit);
    }
    int64_t cache_was = 0;
    int rc = import_cache_grow(s, len, &cache_was, err);
    if (rc == P_OK) rc = store_begin(s, err);
    if (rc != P_OK) {
        import_cache_restore(s, cache_was);
        return rc;
    }
    /* The rows after r.before are this import's: their full text, date-range index and
     * scoring rows come last, written set-wise. */
    struct import_run r = {s, by, hooks, rep, NULL, 0, NULL, import_periods_new()};
    rc = activities_last_id(s, &r.before, err);
    if (rc == P_OK) rc = activity_codes_load(s, &r.codes, err);
    if (rc == P_OK)
        rc = fmt == IMPORT_CSV ? import_csv(&r, data, len, err) : import_json(&r, data, len, err);
    activity_codes_free(r.codes);
    if (rc == P_OK && json_array_size(rep->errors) > 0) rc = P_EUNPROC;
    if (rc == P_OK) rc = activities_fts_fill_after(s, r.before, err);
    if (rc == P_OK) rc = import_periods_write(s, r.periods, err);
    import_periods_free(r.periods);
    if (rc == P_OK) rc = activity_scoring_fill_after(s, r.before, err);
    if (rc == P_OK) {
        rc = import_indexes_restore(s, r.deferred, err);
        r.deferred = NULL;
    }
    import_indexes_free(r.deferred);
    if (rc == P_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    import_cache_restore(s, cache_was);
    if (rc != P_OK) rep->imported = 0;
    if (rc == P_EUNPROC)
        p_fail(err, P_EUNPROC, NULL, "the file was refused: %zu error(s), nothing imported",
               json_array_size(rep->errors));
    else if (rc == P_OK)
        progress(hooks, fmt == IMPORT_CSV ? len : rep->imported,
                 fmt == IMPORT_CSV ? len : rep->imported);
    return rc;
}
