/* iati.h (activities): the IATI Activity Standard 2.03 export of a filtered list of
 * activities, for publishing what the executive structures do to the aid-transparency
 * registry. The XML validates against the 2.03 schema (iati-activities-schema.xsd). */
#ifndef POLIS_ACTIVITIES_IATI_H
#define POLIS_ACTIVITIES_IATI_H

#include "activities/activities.h"
#include "core/buf.h"

/* The reporting organisation's identifier is POLIS_IATI_ORG_REF (core/config.h; default
 * "XI-POLIS-OSCE", which marks an export made by Polis: "XI-POLIS" is not a registered IATI
 * agency prefix; XM-DAC-47131 is the OSCE's candidate). Activity identifiers are it, a '-',
 * and the public id, as the IATI rule requires (prefix = reporting-org/@ref + "-"). */

/* Where the reporting organisation's own vocabularies are described: the Strategic
 * Framework's thematic priorities (sector vocabulary 99), focus areas (sector
 * vocabulary 98) and lines of action (tag vocabulary 99). */
#define IATI_PRIORITIES_URI  "https://polis.osce.org/api/v1/framework/priorities"
#define IATI_FOCUS_AREAS_URI "https://polis.osce.org/api/v1/framework/focus-areas"
#define IATI_LINES_URI       "https://polis.osce.org/api/v1/framework/lines-of-action"

/* Appends to out an <iati-activities version="2.03"> document with one <iati-activity>
 * per activity that f keeps (f->cursor and f->limit are ignored; the list is read in
 * pages). Each carries the identifier, reporting and participating organisations, titles
 * and descriptions per language (target groups as type 3), status, dates, beneficiary
 * countries (equal shares), sectors (DAC vocabulary 1 from the priorities, the priorities
 * as vocabulary 99, the focus areas as 98), the lines of action as tags (vocabulary 99), the
 * budget, and the participant figures as a result whose actual values carry sex and country
 * dimensions, and, when POLIS_PUBLIC_URL is set, a document link for each linked library edition
 * with a file (or the document's catalogue page while it has none). Text is written through
 * libxml2's writer, which escapes it; characters XML 1.0 cannot carry are dropped. P_EINVAL naming
 * the parameter for a bad filter; P_EIO when the writer fails; P_ENOTFOUND when the filters keep no
 * activity, since the schema wants at least one <iati-activity> in a file. out may hold a partial
 * document after an error. */
MUST_CHECK int iati_export(store *s, const struct activities_filter *f, buf *out, p_error *err);

/* The IATI ActivityStatus code for a Polis status: planned 1 (pipeline), ongoing 2
 * (implementation), completed 4 (closed: Polis has no separate financial close),
 * cancelled 5; 0 for anything else. */
int iati_status_code(const char *status);

/* The IATI ActivityDateType for a date member: planned_start 1, actual_start 2,
 * planned_end 3, actual_end 4; 0 for anything else. */
int iati_date_type(const char *member);

/* The OECD DAC 5-digit purpose code (sector vocabulary 1) for a thematic priority:
 * DRUGS 16063 narcotics control, OC 15130 legal and judicial development (co-operation
 * in criminal matters), every other priority 15132 police. */
int iati_dac_code(const char *priority);

/* Writes the IATI percentage of share i of n equal shares (2 decimals, the first
 * 10000 mod n shares one hundredth larger) so the n shares add up to exactly 100. */
void iati_share(size_t i, size_t n, char out[static 8]);

#endif
