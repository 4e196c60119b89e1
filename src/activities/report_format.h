/* report_format.h (activities): the annual report (report.h's JSON) as HTML sections
 * with tables and SVG charts, for the page and the printable file, and as CSV. */
#ifndef POLIS_ACTIVITIES_REPORT_FORMAT_H
#define POLIS_ACTIVITIES_REPORT_FORMAT_H

#include "core/buf.h"
#include "web/html.h"

#include <jansson.h>

/* Writes the report's sections (headings, charts, tables) in lang ("en" or "ru") to h.
 * Counts may be numbers or suppressed strings ("<5"); both are shown as given. */
void report_format_html(html *h, const json_t *report, const char *lang);

/* Writes the report as CSV: one block per section, each with a header row
 * (section,code,name,activities,participants,women,men,women_share), blocks separated
 * by an empty line. */
void report_format_csv(buf *out, const json_t *report);

#endif
