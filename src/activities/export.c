/* export.c (activities): CSV and JSON exports of a filtered list of activities. They read
 * the registry through activities_list page by page, so an export of any size holds at
 * most one page of records at a time; the bytes go to the caller's buffer. */
#include "activities/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT_PAGE 1000

int export_each(store *s, const struct activities_filter *f,
                int (*each)(json_t *record, void *ctx, p_error *err), void *ctx, p_error *err)
{
    struct activities_filter page = *f;
    /* activities_list writes next while it reads the cursor: they need their own bytes. */
    char cursor[CURSOR_MAX] = "", next[CURSOR_MAX] = "";
    page.limit = EXPORT_PAGE;
    page.cursor = NULL;
    for (;;) {
        json_t *items = NULL;
        int rc = activities_list(s, &page, &items, next, err);
        if (rc != P_OK) return rc;
        size_t i;
        json_t *rec;
        json_array_foreach(items, i, rec)
        {
            rc = each(rec, ctx, err);
            if (rc != P_OK) break;
        }
        json_decref(items);
        if (rc != P_OK) return rc;
        if (!next[0]) return P_OK;
        memcpy(cursor, next, sizeof cursor);
        page.cursor = cursor;
    }
}

/* ---- CSV ---- */

void export_csv_cell(buf *out, const char *text, size_t len)
{
    bool guard = len > 0 && strchr("=+-@\t\r", text[0]) != NULL;
    bool quote = false;
    for (size_t i = 0; i < len && !quote; i++)
        quote = text[i] == ',' || text[i] == '"' || text[i] == '\r' || text[i] == '\n';
    if (quote) buf_putc(out, '"');
    if (guard) buf_putc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"') buf_putc(out, '"');
        buf_putc(out, text[i]);
    }
    if (quote) buf_putc(out, '"');
}

enum csv_kind {
    CSV_VALUE,  /* a string, number, boolean or null member */
    CSV_LANG,   /* one language of a {"en","ru"} member */
    CSV_LIST,   /* an array of strings */
    CSV_COUNTS, /* participants_by_country: CC:N;... */
    CSV_BUDGET, /* one member of budget */
};

struct csv_column {
    const char *header;
    const char *member;
    enum csv_kind kind;
    const char *sub; /* the language or budget member */
};

/* The columns in the order of the API's members (docs/api.md). */
static const struct csv_column csv_columns[] = {
    {"id", "id", CSV_VALUE, NULL},
    {"title_en", "title", CSV_LANG, "en"},
    {"title_ru", "title", CSV_LANG, "ru"},
    {"description_en", "description", CSV_LANG, "en"},
    {"description_ru", "description", CSV_LANG, "ru"},
    {"type", "type", CSV_VALUE, NULL},
    {"status", "status", CSV_VALUE, NULL},
    {"lead_org", "lead_org", CSV_VALUE, NULL},
    {"partners", "partners", CSV_LIST, NULL},
    {"host_country", "host_country", CSV_VALUE, NULL},
    {"beneficiary_countries", "beneficiary_countries", CSV_LIST, NULL},
    {"priorities", "priorities", CSV_LIST, NULL},
    {"focus_areas", "focus_areas", CSV_LIST, NULL},
    {"lines", "lines", CSV_LIST, NULL},
    {"target_groups", "target_groups", CSV_LIST, NULL},
    {"planned_start", "planned_start", CSV_VALUE, NULL},
    {"planned_end", "planned_end", CSV_VALUE, NULL},
    {"actual_start", "actual_start", CSV_VALUE, NULL},
    {"actual_end", "actual_end", CSV_VALUE, NULL},
    {"participants_total", "participants_total", CSV_VALUE, NULL},
    {"participants_women", "participants_women", CSV_VALUE, NULL},
    {"participants_men", "participants_men", CSV_VALUE, NULL},
    {"participants_by_country", "participants_by_country", CSV_COUNTS, NULL},
    {"tot", "tot", CSV_VALUE, NULL},
    {"budget_amount", "budget", CSV_BUDGET, "amount"},
    {"budget_currency", "budget", CSV_BUDGET, "currency"},
    {"budget_source", "budget", CSV_BUDGET, "source"},
    {"outcomes", "outcomes", CSV_VALUE, NULL},
    {"documents", "documents", CSV_LIST, NULL},
    {"created_at", "created_at", CSV_VALUE, NULL},
    {"updated_at", "updated_at", CSV_VALUE, NULL},
};

/* Writes a scalar's text to cell: strings as they are, integers in decimal, amounts
 * with two decimals, booleans as true/false, null and others as nothing. */
static void scalar_text(json_t *v, buf *cell)
{
    if (json_is_string(v))
        buf_append(cell, json_string_value(v), json_string_length(v));
    else if (json_is_integer(v))
        buf_printf(cell, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        buf_printf(cell, "%.2f", json_real_value(v));
    else if (json_is_boolean(v))
        buf_puts(cell, json_is_true(v) ? "true" : "false");
}

static void column_text(json_t *rec, const struct csv_column *c, buf *cell)
{
    json_t *v = json_object_get(rec, c->member);
    switch (c->kind) {
    case CSV_VALUE:
        scalar_text(v, cell);
        break;
    case CSV_LANG:
    case CSV_BUDGET:
        scalar_text(json_object_get(v, c->sub), cell);
        break;
    case CSV_LIST: {
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (i > 0) buf_putc(cell, ';');
            scalar_text(item, cell);
        }
        break;
    }
    case CSV_COUNTS: {
        const char *key;
        json_t *n;
        bool first = true;
        json_object_foreach(v, key, n)
        {
            if (!first) buf_putc(cell, ';');
            first = false;
            buf_puts(cell, key);
            buf_putc(cell, ':');
            scalar_text(n, cell);
        }
        break;
    }
    }
}

struct csv_ctx {
    buf *out;
    buf cell;
};

static int csv_row(json_t *rec, void *ctx, p_error *err)
{
    struct csv_ctx *c = ctx;
    for (size_t i = 0; i < sizeof csv_columns / sizeof csv_columns[0]; i++) {
        if (i > 0) buf_putc(c->out, ',');
        buf_reset(&c->cell);
        column_text(rec, &csv_columns[i], &c->cell);
        export_csv_cell(c->out, buf_str(&c->cell), c->cell.len);
    }
    buf_puts(c->out, "\r\n");
    return P_OK;
}

int export_csv(store *s, const struct activities_filter *f, buf *out, p_error *err)
{
    for (size_t i = 0; i < sizeof csv_columns / sizeof csv_columns[0]; i++) {
        if (i > 0) buf_putc(out, ',');
        buf_puts(out, csv_columns[i].header);
    }
    buf_puts(out, "\r\n");
    struct csv_ctx c = {out, BUF_INIT};
    int rc = export_each(s, f, csv_row, &c, err);
    buf_free(&c.cell);
    return rc;
}

/* ---- JSON ---- */

struct json_ctx {
    buf *out;
    size_t count;
};

static int json_item(json_t *rec, void *ctx, p_error *err)
{
    struct json_ctx *c = ctx;
    char *text = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!text) return p_fail(err, P_EIO, NULL, "could not encode an activity as JSON");
    buf_puts(c->out, c->count++ ? ",\n" : "\n");
    buf_puts(c->out, text);
    free(text);
    return P_OK;
}

int export_json(store *s, const struct activities_filter *f, buf *out, p_error *err)
{
    struct json_ctx c = {out, 0};
    buf_putc(out, '[');
    int rc = export_each(s, f, json_item, &c, err);
    if (rc != P_OK) return rc;
    buf_puts(out, c.count ? "\n]\n" : "]\n");
    return P_OK;
}
