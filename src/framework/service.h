/* service.h (framework): reading and changing the Strategic Framework's reference data.
 * Records come back as jansson objects in the API's shape; every change is validated,
 * runs in one transaction and is audited with its before and after. No HTTP here. */
#ifndef POLIS_FRAMEWORK_SERVICE_H
#define POLIS_FRAMEWORK_SERVICE_H

#include "auth/users.h"
#include "core/buf.h"
#include "core/cursor.h"
#include "store/store.h"

#include <jansson.h>

enum framework_kind {
    FRAMEWORK_LINE,         /* lines_of_action: code, name, name_ru, description, position */
    FRAMEWORK_PRIORITY,     /* priorities: code, name, name_ru, description, position */
    FRAMEWORK_FOCUS_AREA,   /* focus_areas: code, name, name_ru, priority, position */
    FRAMEWORK_PRINCIPLE,    /* principles: code, name, name_ru, description, position */
    FRAMEWORK_ORGANISATION, /* organisations: code, name, name_ru, kind, parent, country */
    FRAMEWORK_COUNTRY,      /* countries: code, name, name_ru, status */
    FRAMEWORK_KIND_COUNT
};

/* The enums, '|'-separated, for parameter declarations and messages. */
extern const char FRAMEWORK_ORG_KINDS[];
extern const char FRAMEWORK_COUNTRY_STATUSES[];

/* The audit entity name of a kind ("line_of_action", "organisation", ...). */
const char *framework_entity(enum framework_kind kind);

/* The NULL-terminated list of members a create or update body may carry for kind.
 * framework_create and framework_update ignore other members, so callers at the edge
 * reject them first (api_only_fields). */
const char *const *framework_fields(enum framework_kind kind);

/* Small ordered lists (by position, then code); *items is a new array.
 * Priorities carry their focus areas nested as "focus_areas":[{code,name,name_ru}].
 * framework_focus_areas_list takes an optional priority code (NULL for all) and orders
 * by the priorities' position, then the area's. */
MUST_CHECK int framework_lines_list(store *s, json_t **items, p_error *err);
MUST_CHECK int framework_priorities_list(store *s, json_t **items, p_error *err);
MUST_CHECK int framework_focus_areas_list(store *s, const char *priority, json_t **items,
                                          p_error *err);
MUST_CHECK int framework_principles_list(store *s, json_t **items, p_error *err);

/* Filters of the paginated lists. q matches a case-insensitive substring of code, name
 * or name_ru; case folding covers ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic
 * (so "бишкек" finds "Бишкеке"). NULL members do not filter. limit is 1..1000. */
struct framework_filter {
    const char *q;
    const char *kind;   /* organisations: one of FRAMEWORK_ORG_KINDS */
    const char *status; /* countries: one of FRAMEWORK_COUNTRY_STATUSES */
    const char *cursor; /* the "next" of a previous page, or NULL for the first */
    int limit;
};

/* Keyset-paginated by code: *items (new array) holds at most f->limit records after the
 * cursor; next receives the cursor of the following page, or "" when this page is the
 * last. P_EINVAL (field "cursor") for a cursor that is not ours, (field "kind"/"status")
 * for a value outside the enum. */
MUST_CHECK int framework_organisations_list(store *s, const struct framework_filter *f,
                                            json_t **items, char next[static CURSOR_MAX],
                                            p_error *err);
MUST_CHECK int framework_countries_list(store *s, const struct framework_filter *f, json_t **items,
                                        char next[static CURSOR_MAX], p_error *err);

/* One record by code, in the API shape (*out is a new reference), P_ENOTFOUND when no
 * record of that kind has the code. Extras by kind: a priority's "focus_areas"; an
 * organisation's "children" (codes); a country's "organisations" ({code,name,name_ru,kind}). */
MUST_CHECK int framework_get(store *s, enum framework_kind kind, const char *code, json_t **out,
                             p_error *err);

/* Creates a record of kind from the members of fields (see framework_fields). Validates:
 * code pattern (^[A-Z0-9][A-Z0-9-]{0,15}$; countries two capital letters), name 1..200
 * characters, name_ru 0..200, description 0..4000, enums, that a parent, country or
 * priority exists, no parent cycle. Errors name the field: P_EINVAL for a wrong JSON type,
 * P_EUNPROC for a broken rule, P_ECONFLICT (field "code") when the code is taken.
 * Audited as "create" in the same transaction. *out (may be NULL) gets the new record as
 * framework_get returns it. */
MUST_CHECK int framework_create(store *s, enum framework_kind kind, json_t *fields,
                                const struct actor *by, json_t **out, p_error *err);

/* Applies the members present in patch to the record code (PATCH semantics: absent
 * members keep their values; null clears an optional one). The code cannot change
 * (P_EUNPROC, field "code", if patch carries a different one). Same validation and
 * errors as framework_create, plus P_ENOTFOUND. Audited as "update" with before and
 * after, in the same transaction. *out (may be NULL) gets the updated record. */
MUST_CHECK int framework_update(store *s, enum framework_kind kind, const char *code, json_t *patch,
                                const struct actor *by, json_t **out, p_error *err);

/* Folds s into out (lowercase for the scripts named at struct framework_filter) so two
 * folded strings compare case-insensitively with strstr. Folding keeps byte lengths. */
void framework_casefold(const char *s, buf *out);

#endif
