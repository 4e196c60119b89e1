/* internal.h (activities): what service.c, validate.c and the handlers share and nobody
 * else needs: the enums, the members a body may carry, merging a body into a record,
 * the record's rules, and the safe translation of ?q= into a full-text query. */
#ifndef POLIS_ACTIVITIES_INTERNAL_H
#define POLIS_ACTIVITIES_INTERNAL_H

#include "core/buf.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

#define ACTIVITY_TITLE_MAX    300   /* characters per language */
#define ACTIVITY_TEXT_MAX     20000 /* description per language, outcomes */
#define ACTIVITY_SOURCE_MAX   200   /* budget source */
#define ACTIVITY_LIST_MAX     200   /* items of any code list */
#define ACTIVITY_PEOPLE_MAX   10000000
#define ACTIVITY_AMOUNT_MAX   1e13 /* budget amount, in currency units */
#define ACTIVITY_Q_WORDS_MAX  16
#define ACTIVITY_TITLE_SORT_B 120 /* bytes of the English title kept as the sort key */

/* The code lists that make up a record, each kept in its own link table. */
enum activity_list {
    AL_PARTNERS,
    AL_BENEFICIARIES,
    AL_PRIORITIES,
    AL_FOCUS_AREAS,
    AL_LINES,
    AL_TARGET_GROUPS,
    AL_COUNT
};

/* The JSON member of each list ("partners", "beneficiary_countries", ...). */
extern const char *const activity_list_members[AL_COUNT];

/* The members a create or update body may carry (NULL-terminated); "id" among them so
 * the service can say why it cannot be set. */
extern const char *const activity_body_members[];

/* A record with every member at its empty value and status "planned". New reference. */
json_t *activity_blank(void);

/* Copies the members of input into rec (PATCH semantics: absent members stay, null
 * clears; title and description merge per language, null removing a language). Checks
 * JSON types and bounds sizes (P_EINVAL, or P_EUNPROC for a value out of range), and
 * normalizes budget.amount to what the store keeps (two decimals). */
MUST_CHECK int activity_merge(json_t *rec, json_t *input, p_error *err);

/* Checks the rules of a whole record: required members, enums, dates and their order,
 * participant figures, budget, and that every code exists in the framework. P_EUNPROC
 * naming the field. */
MUST_CHECK int activity_check(store *s, json_t *rec, p_error *err);

/* P_OK when an activity may go from status from to status to (equal is fine); P_EUNPROC
 * (field "status") otherwise. */
MUST_CHECK int activity_check_transition(const char *from, const char *to, p_error *err);

/* The budget amount of rec in minor units (cents); false when rec has no budget. */
bool activity_budget_minor(json_t *rec, int64_t *minor);

/* Builds into out a full-text query that matches records holding every word of q, each
 * quoted so nothing in q acts as query syntax. Words are runs of ASCII letters and
 * digits and of bytes >= 0x80 (so Cyrillic and other scripts count as letters). P_EINVAL
 * (field "q") when q has no word or more than ACTIVITY_Q_WORDS_MAX. */
MUST_CHECK int activity_fts_query(const char *q, buf *out, p_error *err);

/* Registers the JSON API handlers (api.c); activities_register_routes calls it. */
void activities_api_register(void);

/* The filtered set of activities, shared by the list and the facet counts so both select
 * the same rows. Parameters: ?1 priority, ?2 focus, ?3 line, ?4 type, ?5 status, ?6 org,
 * ?7 country, ?8 target group, ?9 from, ?10 to, ?11 full-text query (NULL: no filter). */
#define ACTIVITIES_FILTER_WHERE                                                                    \
    " FROM activities a WHERE"                                                                     \
    " (?1 IS NULL OR EXISTS (SELECT 1 FROM activity_priorities x"                                  \
    "   WHERE x.activity_id = a.id AND x.priority_code = ?1))"                                     \
    " AND (?2 IS NULL OR EXISTS (SELECT 1 FROM activity_focus_areas x"                             \
    "   WHERE x.activity_id = a.id AND x.focus_code = ?2))"                                        \
    " AND (?3 IS NULL OR EXISTS (SELECT 1 FROM activity_lines x"                                   \
    "   WHERE x.activity_id = a.id AND x.line_code = ?3))"                                         \
    " AND (?4 IS NULL OR a.type = ?4) AND (?5 IS NULL OR a.status = ?5)"                           \
    " AND (?6 IS NULL OR a.lead_org = ?6 OR EXISTS (SELECT 1 FROM activity_partners x"             \
    "   WHERE x.activity_id = a.id AND x.org_code = ?6))"                                          \
    " AND (?7 IS NULL OR a.host_country = ?7 OR EXISTS (SELECT 1 FROM activity_beneficiaries x"    \
    "   WHERE x.activity_id = a.id AND x.country_code = ?7))"                                      \
    " AND (?8 IS NULL OR EXISTS (SELECT 1 FROM activity_target_groups x"                           \
    "   WHERE x.activity_id = a.id AND x.target_group = ?8))"                                      \
    " AND (?9 IS NULL OR COALESCE(a.planned_end, a.planned_start) >= ?9)"                          \
    " AND (?10 IS NULL OR a.planned_start <= ?10)"                                                 \
    " AND (?11 IS NULL OR a.id IN (SELECT rowid FROM activities_fts"                               \
    "   WHERE activities_fts MATCH ?11))"

struct http_request;
struct activities_filter;

/* Fills f's filters, sort and cursor (not limit) from the request's declared query
 * parameters, for every handler that lists, counts or exports activities. A parameter the
 * route does not declare, or an empty value, does not filter. */
void activities_filter_from_query(struct http_request *req, struct activities_filter *f);

#endif
