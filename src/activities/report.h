/* report.h (activities): the annual report on police-related activities, in the shape of
 * the Secretary General's report: totals by thematic priority, focus area, line of action,
 * organisation (Secretariat first, then field operations by region), country and type,
 * participants with the share of women, and the headline totals of the previous years. */
#ifndef POLIS_ACTIVITIES_REPORT_H
#define POLIS_ACTIVITIES_REPORT_H

#include "store/store.h"

#include <jansson.h>

enum { REPORT_YEAR_MIN = 1990, REPORT_YEAR_MAX = 2100, REPORT_MIN_COUNT_DEFAULT = 5 };

/* Computes the report of year (REPORT_YEAR_MIN..REPORT_YEAR_MAX, else P_EINVAL "year").
 * An activity belongs to a year when its planned period touches it: planned_start is on
 * or before 31 December and planned_end (planned_start when there is no end) is on or
 * after 1 January; so one activity counts in every year it spans. Each row counts
 * activities and sums their participants: "participants", "women", "men", and
 * "women_share" (percent with one decimal, over the activities that give women; null when
 * none does). Rows: "priorities", "focus_areas", "lines" (framework order), "organisations"
 * (the lead organisation; secretariat and units, institutions, field operations grouped
 * by "region", then others), "countries" (host and beneficiary countries, each once per
 * activity), "types"; "totals"; "series" the totals of the four previous years and this
 * one, oldest first. *out is a new object the caller releases. */
MUST_CHECK int report_annual(store *s, int year, json_t **out, p_error *err);

/* The latest year in which an activity is planned to start; 0 when there are none. */
MUST_CHECK int report_latest_year(store *s, int *year, p_error *err);

/* For published exports: replaces every count (activities, participants, women, men)
 * of report that is above 0 and below threshold by the string "<threshold", and the
 * share of women of such a row by null (it could give the small count back). A threshold
 * of 1 or less changes nothing. Marks the report with "suppressed": threshold. */
void report_suppress(json_t *report, int threshold);

/* The threshold of report_suppress: $POLIS_REPORT_MIN_COUNT when it is 1..1000000, else
 * REPORT_MIN_COUNT_DEFAULT. */
int report_min_count(void);

/* Registers GET /api/v1/reports/annual and the page GET /reports/annual (report_api.c). */
void report_register_routes(void);

#endif
