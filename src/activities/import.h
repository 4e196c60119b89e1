/* import.h (activities): bulk import of activities from the CSV that export_csv writes or
 * from JSON (an array of create bodies, or {"activities": [...]}), all-or-nothing per
 * file in one transaction, with a report naming the row and field of every error. */
#ifndef POLIS_ACTIVITIES_IMPORT_H
#define POLIS_ACTIVITIES_IMPORT_H

#include "activities/activities.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define IMPORT_LIMIT_DEFAULT (100u * 1024u * 1024u) /* bytes per file */
#define IMPORT_ROWS_MAX      1000000
#define IMPORT_ERRORS_MAX    100
#define IMPORT_FIELD_MAX     100000 /* bytes of one CSV field */

enum import_format { IMPORT_CSV, IMPORT_JSON };

/* What the caller may add: a check of each row's lead organisation (P_OK to allow; any
 * other status refuses the row with err's message, field lead_org), and a progress
 * callback called now and then with the bytes (CSV) or items (JSON) done and the total. */
struct import_hooks {
    int (*allow_org)(const char *lead_org, void *ctx, p_error *err);
    void (*progress)(size_t done, size_t total, void *ctx);
    void *ctx;
};

/* The outcome: how many activities were written and the errors (a JSON array of
 * {"row", "field", "message"}; at most IMPORT_ERRORS_MAX; rows are 1-based data rows, the
 * CSV header and file-level errors are row 0). */
struct import_report {
    size_t imported;
    json_t *errors;
};

/* The file size limit: $POLIS_IMPORT_LIMIT bytes when it is a positive number, else
 * IMPORT_LIMIT_DEFAULT. */
size_t import_limit(void);

/* Imports the activities in data (len bytes) in one transaction: every row is validated
 * as activities_create does and created (a row's free, well-formed id kept, empty ids assigned;
 * each audited); if any row has an error, everything is rolled back and nothing is written. rep
 * (initialised here; free with import_report_free) receives the count and the errors. hooks may be
 * NULL. Returns P_OK when imported, P_EUNPROC when refused with errors in rep, P_ETOOBIG for data
 * over import_limit() (also in rep), or a store status with err set. */
MUST_CHECK int import_activities(store *s, const char *data, size_t len, enum import_format fmt,
                                 const struct actor *by, const struct import_hooks *hooks,
                                 struct import_report *rep, p_error *err);

/* The report as {"imported": N, "errors": [...]}. New reference. */
json_t *import_report_json(const struct import_report *rep);

/* Frees what rep holds. */
void import_report_free(struct import_report *rep);

/* Registers POST /api/v1/activities/import (before activities_register_routes). */
void import_register_routes(void);

#endif
