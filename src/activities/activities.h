/* activities.h: the registry of police-related activities: what the executive structures
 * plan and deliver along the lines of action and thematic priorities. Each activity has a
 * stable public id <ORG>-<YEAR>-<NNNN> assigned by Polis; every change is audited with
 * before and after. Records are jansson objects in the API's shape (docs/api.md). */
#ifndef POLIS_ACTIVITIES_H
#define POLIS_ACTIVITIES_H

#include "auth/users.h"
#include "core/cursor.h"
#include "store/store.h"

#include <jansson.h>

/* The enums, '|'-separated, for parameter declarations and messages. */
extern const char ACTIVITIES_TYPES[];
extern const char ACTIVITIES_STATUSES[];
extern const char ACTIVITIES_TARGET_GROUPS[];
extern const char ACTIVITIES_SORTS[];

/* Creates an activity from the API members of fields (validated: see docs/api.md).
 * Assigns the public id from lead_org and the year of planned_start. *out (may be NULL)
 * receives the stored record. Errors name the field. */
MUST_CHECK int activities_create(store *s, json_t *fields, const struct actor *by, json_t **out,
                                 p_error *err);

/* activities_create inside the caller's transaction (store_begin already done): the same
 * validation, id assignment and audit, no begin or commit. A rule error (P_EINVAL,
 * P_EUNPROC) writes nothing; after a store error the caller must roll back. */
MUST_CHECK int activities_create_in_tx(store *s, json_t *fields, const struct actor *by,
                                       json_t **out, p_error *err);

/* Loads one activity by public id; P_ENOTFOUND when there is none. */
MUST_CHECK int activities_get(store *s, const char *public_id, json_t **out, p_error *err);

/* Applies the members present in patch (PATCH semantics; null clears an optional field).
 * The public id never changes. */
MUST_CHECK int activities_update(store *s, const char *public_id, json_t *patch,
                                 const struct actor *by, json_t **out, p_error *err);

/* Deletes an activity (audited with its last state). */
MUST_CHECK int activities_delete(store *s, const char *public_id, const struct actor *by,
                                 p_error *err);

/* The lead organisation's code of an activity, for scope checks (org: 24 bytes). */
MUST_CHECK int activities_lead_org(store *s, const char *public_id, char org[static 24],
                                   p_error *err);

/* Filters of activities_list; NULL members do not filter. Codes are framework codes;
 * country matches the host or a beneficiary country; org the lead organisation or a
 * partner; from/to (YYYY-MM-DD) keep activities whose planned period overlaps them; q
 * keeps those whose titles or descriptions hold every word of q ("" does not filter; a q
 * without words is P_EINVAL). sort is one of
 * ACTIVITIES_SORTS: "-planned_start" (default: newest first), "planned_start", "title"
 * (English title), "id" (order of creation). limit is 1..1000. */
struct activities_filter {
    const char *priority, *focus, *line, *type, *status, *org, *country, *target_group;
    const char *from, *to, *q, *sort;
    const char *cursor; /* the "next" of a previous page, or NULL for the first */
    int limit;
};

/* Keyset-paginated list of full records: *items (new array) holds at most f->limit after
 * the cursor; next receives the cursor of the following page, or "" after the last.
 * P_EINVAL naming the parameter for a bad cursor, sort, q or from after to. */
MUST_CHECK int activities_list(store *s, const struct activities_filter *f, json_t **items,
                               char next[static CURSOR_MAX], p_error *err);

/* Finds an activity by exact English title and lead organisation code. *found says
 * whether one exists; when it does and public_id is not NULL, the public id of the oldest
 * such activity is copied there (size bytes; P_EINVAL if it does not fit). */
MUST_CHECK int activities_find_by_title(store *s, const char *title_en, const char *lead_org,
                                        char *public_id, size_t size, bool *found, p_error *err);

/* Loads the demo activities (data/demo/activities.json) that are not there yet. */
MUST_CHECK int activities_load_demo(store *s, const struct actor *by, p_error *err);

/* Registers the activities API routes. */
void activities_register_routes(void);

#endif
