/* facets.h (activities): counts of the activities that match a filter, by thematic
 * priority, type, status and year of planned start, so a list page can show how a filter
 * would narrow it. */
#ifndef POLIS_ACTIVITIES_FACETS_H
#define POLIS_ACTIVITIES_FACETS_H

#include "activities/activities.h"

/* Counts the activities matching f (the filters of activities_list; sort, cursor and
 * limit are ignored) by priority, type, status and the year of planned_start. *out (new
 * object) is {"priority":{"THB":3,...},"type":{...},"status":{...},"year":{"2012":5,...}}
 * with keys in ascending order and only non-zero counts. P_EINVAL naming the parameter
 * for a q without words or from after to. */
MUST_CHECK int activities_facets(store *s, const struct activities_filter *f, json_t **out,
                                 p_error *err);

/* Registers GET /api/v1/activities/facets (before the /api/v1/activities/{id} route). */
void activities_facets_register(void);

#endif
