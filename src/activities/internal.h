/* internal.h (activities): what service.c, validate.c and the handlers share and nobody
 * else needs: the enums, the members a body may carry, merging a body into a record,
 * the record's rules, and the safe translation of ?q= into a full-text query. */
#ifndef POLIS_ACTIVITIES_INTERNAL_H
#define POLIS_ACTIVITIES_INTERNAL_H

#include "activities/activities.h"
#include "core/buf.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

#define ACTIVITY_TITLE_MAX     300   /* characters per language */
#define ACTIVITY_TEXT_MAX      20000 /* description per language, outcomes */
#define ACTIVITY_SOURCE_MAX    200   /* budget source */
#define ACTIVITY_LIST_MAX      200   /* items of any code list */
#define ACTIVITY_PEOPLE_MAX    10000000
#define ACTIVITY_AMOUNT_MAX    1e13 /* budget amount, in currency units */
#define ACTIVITY_Q_WORDS_MAX   16
#define ACTIVITY_DOCUMENTS_MAX 20  /* library documents one activity links */
#define ACTIVITY_TITLE_SORT_B  120 /* bytes of the English title kept as the sort key */

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

/* The framework's codes (organisations, countries, priorities, focus areas, lines) read
 * once, so checking the many records of a bulk import asks the store nothing per code.
 * Valid while the caller's transaction holds the write lock (nobody changes the framework
 * meanwhile). *out is freed with activity_codes_free (NULL is fine). */
struct activity_codes;
MUST_CHECK int activity_codes_load(store *s, struct activity_codes **out, p_error *err);
void activity_codes_free(struct activity_codes *codes);

/* activity_check with the codes looked up in codes (NULL: asked of the store). */
MUST_CHECK int activity_check_with(store *s, const struct activity_codes *codes, json_t *rec,
                                   p_error *err);

/* What a bulk import is told of each activity it created: its key and its checked record
 * (borrowed for the call). A status other than P_OK ends the import. */
typedef int (*activity_created_fn)(void *ctx, int64_t id, json_t *rec, p_error *err);

/* activities_create_in_tx (activities.h) checking codes against codes (may be NULL), with
 * the public id an imported row carries (NULL: assigned): it must be <lead_org>-<year>-NNNN
 * of the row's own lead organisation and planned year (422 on id) and not taken (409 on
 * id); the counter moves past it. With created (NULL: none), the activity's full-text
 * entry, date-range index rows and scoring row are not written: created(ctx, ...) is
 * called instead, and the import writes them for all its activities before it commits. */
MUST_CHECK int activities_create_bulk(store *s, json_t *fields, const char *public_id,
                                      const struct actor *by, const struct activity_codes *codes,
                                      activity_created_fn created, void *ctx, p_error *err);

/* With created, the full-text entries of a bulk import are written in one statement at
 * its end (activities_fts_fill_after, for the ids after activities_last_id read at its
 * start, in the same transaction): FTS5 then indexes them in large batches, where one entry
 * per row between other writes makes it flush its pending terms at every statement. */
MUST_CHECK int activities_last_id(store *s, int64_t *out, p_error *err);
MUST_CHECK int activities_fts_fill_after(store *s, int64_t after_id, p_error *err);

/* P_OK when an activity may go from status from to status to (equal is fine); P_EUNPROC
 * (field "status") otherwise. */
MUST_CHECK int activity_check_transition(const char *from, const char *to, p_error *err);

/* The budget amount of rec in minor units (cents); false when rec has no budget. */
bool activity_budget_minor(json_t *rec, int64_t *minor);

/* Builds into out the full-text query of q (the search box's language, search/query.h),
 * each word analysed as English and as Russian and quoted so nothing in q acts as engine
 * syntax: an FTS5 expression, or a PostgreSQL tsquery when tsquery is set. P_EINVAL
 * (field "q") for a malformed q. */
MUST_CHECK int activity_fts_query(const char *q, bool tsquery, buf *out, p_error *err);

/* Registers the JSON API handlers (api.c); activities_register_routes calls it. */
void activities_api_register(void);

/* The filtered set of activities, shared by the list, the facet counts and the exports so
 * they select the same rows. activities_where_build appends " FROM activities a WHERE ..."
 * to sql with placeholders ?1..?n (w->n of them, bound by activities_where_bind). A filter
 * that an index can serve (type, status, to, the full-text q) appears only when present,
 * so the planner sees it and picks the index; the others are written "(?k IS NULL OR ...)".
 * That keeps the statements few (18 shapes) for the statement caches of both engines.
 * by_id (the list in order of creation) writes type and status the second way too: the
 * table's own order serves that list better than their indexes. q is written in s's
 * dialect (FTS5 or a tsquery). P_EINVAL naming the
 * parameter for a q without words or from after to. Free w with activities_where_free. */
#define ACTIVITIES_WHERE_PARAMS 12

struct activities_where {
    const char *val[ACTIVITIES_WHERE_PARAMS]; /* borrowed from the filter, or match */
    int n;
    buf match; /* the full-text query built from q */
};

MUST_CHECK int activities_where_build(const store *s, const struct activities_filter *f, bool by_id,
                                      buf *sql, struct activities_where *w, p_error *err);
void activities_where_bind(store_stmt *st, const struct activities_where *w);
void activities_where_free(struct activities_where *w);

/* The columns of activities that activity_row_to_record reads, in its order (id first). */
#define ACTIVITY_COLUMNS                                                                           \
    "id, public_id, type, status, lead_org, host_country, title_en, title_ru, description_en,"     \
    " description_ru, planned_start, planned_end, actual_start, actual_end, participants_total,"   \
    " participants_women, participants_men, tot, budget_amount_minor, budget_currency,"            \
    " budget_source, outcomes, created_at, updated_at"

/* The main row at st (ACTIVITY_COLUMNS) in the API shape, with empty link-table members.
 * New reference. */
json_t *activity_row_to_record(store_stmt *st);

struct http_request;

/* Fills f's filters, sort and cursor (not limit) from the request's declared query
 * parameters, for every handler that lists, counts or exports activities. A parameter the
 * route does not declare, or an empty value, does not filter. */
void activities_filter_from_query(struct http_request *req, struct activities_filter *f);

/* The date-range index (periods.c). A period covers the months from first_month to
 * last_month (year * 12 + month - 1); one that touches more than
 * ACTIVITY_PERIOD_MONTHS_MAX months is stored at the single month ACTIVITY_PERIOD_LONG. */
#define ACTIVITY_PERIOD_MONTHS_MAX 24
#define ACTIVITY_PERIOD_LONG       (-1)

struct activity_period {
    const char *first_day, *last_day; /* borrowed: planned_start, planned_end or start */
    int first_month, last_month;
};

/* The month number of a date YYYY-MM-DD, or -1 when it is not one. */
int activity_month_of(const char *date);

/* The period of planned_start..planned_end (NULL or earlier: the start day) into p. */
void activity_period_of(const char *planned_start, const char *planned_end,
                        struct activity_period *p);

/* Writes the activity_periods rows of activity id from rec (a checked record), replacing
 * the existing ones unless fresh (a new activity has none). Store status on failure. */
MUST_CHECK int activity_periods_write(store *s, int64_t id, json_t *rec, bool fresh, p_error *err);

/* Calls each(ctx, lead, p, kind, code, err) for every code the date-range index holds of rec
 * (a checked record): the activity itself (kind "a", code ""), each priority ("p"), focus
 * area ("f") and country, host or beneficiary, each once ("c"); p is rec's period and lead
 * its lead organisation. Stops at the first status other than P_OK and returns it. */
typedef int (*activity_period_fn)(void *ctx, const char *lead, const struct activity_period *p,
                                  const char *kind, const char *code, p_error *err);
MUST_CHECK int activity_periods_each(json_t *rec, activity_period_fn each, void *ctx, p_error *err);

/* Writes the activity_scoring row of activity id (periods.c) from its main row and link
 * rows as they stand, replacing the existing one unless fresh. Called after both are
 * written, in the same transaction. Store status on failure. */
MUST_CHECK int activity_scoring_write(store *s, int64_t id, bool fresh, p_error *err);
/* The activity_scoring rows of every activity whose key is above after_id, in one statement
 * (a bulk import, at its end). */
MUST_CHECK int activity_scoring_fill_after(store *s, int64_t after_id, p_error *err);

/* Reading many activities in one statement: " IN " ACTIVITY_IDS_IN takes up to
 * ACTIVITY_IDS_CHUNK keys as ?1..?50, so one statement (one cached plan) serves any page. */
#define ACTIVITY_IDS_CHUNK 50
#define ACTIVITY_IDS_IN                                                                            \
    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,"  \
    " ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38,"   \
    " ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50)"

/* Binds ids[0..n) (n <= ACTIVITY_IDS_CHUNK) to ?1.., and NULL to the places left. */
void activity_bind_ids(store_stmt *st, const int64_t *ids, size_t n);

#endif
