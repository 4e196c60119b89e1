/* export.h (activities): exports of a filtered list of activities as CSV (RFC 4180, one
 * row per activity, safe to open in a spreadsheet) and as a JSON array of full records,
 * and the routes that serve them and the IATI XML export (iati.h). */
#ifndef POLIS_ACTIVITIES_EXPORT_H
#define POLIS_ACTIVITIES_EXPORT_H

#include "activities/activities.h"
#include "core/buf.h"

#include <jansson.h>

/* Calls each(record, ctx) for every activity that f keeps, in f's sort, reading the
 * list in pages of 1000 so memory stays bounded whatever the registry holds. f->cursor
 * and f->limit are ignored. Stops at the first non-zero status each returns. P_EINVAL
 * naming the parameter for a bad filter (as activities_list). */
MUST_CHECK int export_each(store *s, const struct activities_filter *f,
                           int (*each)(json_t *record, void *ctx, p_error *err), void *ctx,
                           p_error *err);

/* Appends to out the activities that f keeps as CSV: a header row of the API's member
 * names (title and description as title_en, title_ru, description_en, description_ru;
 * budget as budget_amount, budget_currency, budget_source), then one row per activity.
 * Lists are joined with ';' (participants_by_country as CC:N). Rows end in CRLF. Errors
 * as export_each; out may hold a partial export after an error. */
MUST_CHECK int export_csv(store *s, const struct activities_filter *f, buf *out, p_error *err);

/* Appends to out the activities that f keeps as one JSON array of full records (the
 * items of GET /api/v1/activities). Errors as export_each. */
MUST_CHECK int export_json(store *s, const struct activities_filter *f, buf *out, p_error *err);

/* Appends one CSV cell (len bytes of text) to out: a cell that starts with = + - @ or a
 * tab or carriage return gets a leading ' so spreadsheets never read it as a formula;
 * a cell holding , " CR or LF is quoted with its quotes doubled. */
void export_csv_cell(buf *out, const char *text, size_t len);

/* Registers GET /api/v1/activities.csv, /api/v1/activities.export.json and
 * /api/v1/activities.iati.xml (signed in; the filters of GET /api/v1/activities). */
void export_register_routes(void);

/* The filter parameters the export routes declare (ended by an entry with a NULL name),
 * for callers outside HTTP (the CLI) to validate the same way. */
struct param_spec;
const struct param_spec *export_filter_params(void);

#endif
