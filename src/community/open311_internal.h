/* open311_internal.h (community): what the Open311 files share and nobody else needs: the
 * reply writer (one document, XML or JSON), the spec's error envelope, the parameters of a
 * request, the time bounds, and the reads the resources make. */
#ifndef POLIS_OPEN311_INTERNAL_H
#define POLIS_OPEN311_INTERNAL_H

#include "community/open311.h"
#include "http/form.h"
#include "http/request.h"

#include <stdbool.h>
#include <time.h>

enum o311_format { O311_XML, O311_JSON };

enum {
    O311_SPAN_MAX_DAYS = 90, /* the spec's widest start_date..end_date */
    O311_LIST_MAX = 1000,    /* the spec's default volume, and our page_size ceiling */
    O311_IDS_MAX = 100,      /* service_request_id values in one query */
    O311_CODES_MAX = 10,     /* service_code values in one query */
};

/* ---- open311_xml.c: replies ---- */

/* Parses a format suffix ("xml", "json"); false for anything else. */
bool o311_format_parse(const char *suffix, enum o311_format *out);

/* Splits a path segment "NAME.FMT" at its last dot into name (size bytes) and format;
 * false when there is no dot, the name is empty or too long, or the format is unknown
 * (*fmt_known then tells whether the format part was understood). */
bool o311_split_segment(const char *segment, char *name, size_t size, enum o311_format *fmt,
                        bool *fmt_known);

/* Replies doc (taken) as XML under root (an array's members as item elements; an object's
 * members as root's children) or as JSON (the doc itself: a top-level array for lists). */
void o311_reply(http_request *req, enum o311_format fmt, int status, const char *root,
                const char *item, json_t *doc);

/* Replies the spec's error envelope with one error: code = http_status. */
void o311_reply_error(http_request *req, enum o311_format fmt, int http_status,
                      const char *description);

/* Replies err's status mapped onto the spec (404 not found, 403 key, 400 the rest; 500 for
 * store failures, whose details go to the log). */
void o311_reply_status(http_request *req, enum o311_format fmt, int rc, const p_error *err);

/* ---- open311.c: parameters ---- */

/* The parameters of a request: the query string on GET, the form body on POST (which must be
 * application/x-www-form-urlencoded). On failure replies 400 and returns false. */
bool o311_params(http_request *req, enum o311_format fmt, form *f);

/* A parameter's value, NULL when absent or empty (the spec treats both alike). */
const char *o311_param(const form *f, const char *name);

/* Parses a W3C datetime with a timezone (Z or ±HH:MM / ±HHMM, optional fraction) into *t. */
bool o311_parse_time(const char *s, time_t *t);

/* ---- open311_query.c: reads ---- */

struct o311_filter {
    const char *from, *to;             /* ISO-8601 UTC bounds on received_at, inclusive */
    const char *codes[O311_CODES_MAX]; /* service codes, n_codes of them; 0 for all */
    int n_codes;
    bool open, closed; /* which statuses; both false means both */
    int64_t offset, limit;
};

/* Active services in order: [{service_code, service_name, description, metadata, type,
 * keywords, group}]. */
MUST_CHECK int o311_services(store *s, json_t **out, p_error *err);

/* The definition of service code, P_ENOTFOUND when it has none. */
MUST_CHECK int o311_service_definition(store *s, const char *code, json_t **out, p_error *err);

/* Appends the public Open311 record of the concern with this tracking code (already
 * normalised) to into; *found false when there is none. */
MUST_CHECK int o311_request_append(store *s, const char *code, json_t *into, bool *found,
                                   p_error *err);

/* Appends the records matching f, newest first, to into. */
MUST_CHECK int o311_requests_find(store *s, const struct o311_filter *f, json_t *into,
                                  p_error *err);

/* Public events received in [from, to], oldest first, at most limit, as request_update
 * records. */
MUST_CHECK int o311_updates_find(store *s, const char *from, const char *to, int64_t limit,
                                 json_t *into, p_error *err);

/* The tracking code (CONCERN_TRACKING_LEN + 1 bytes) of the concern a submission with this
 * client_id made, "" when none did. */
MUST_CHECK int o311_code_by_client_id(store *s, const char *client_id, char *code, p_error *err);

/* The id of the newest event of the concern with this tracking code (0 when none). */
MUST_CHECK int o311_last_event_id(store *s, const char *code, int64_t *id, p_error *err);

/* The event a client's update (key_id, update_id) made the first time and the tracking
 * code of its concern (code: CONCERN_TRACKING_LEN + 1 bytes), or 0 when this is its first
 * arrival. */
MUST_CHECK int o311_update_seen(store *s, int64_t key_id, const char *update_id, int64_t *event_id,
                                char *code, p_error *err);

/* Records that the client's update made event_id; a second record of the same update is
 * ignored (two arrivals at once). */
MUST_CHECK int o311_update_remember(store *s, int64_t key_id, const char *update_id,
                                    int64_t event_id, p_error *err);

/* ---- open311_requests.c: the request resources ---- */

void o311_requests_get(http_request *req, enum o311_format fmt);
void o311_requests_post(http_request *req, enum o311_format fmt);
void o311_request_one(http_request *req, const char *id, enum o311_format fmt);
void o311_token_get(http_request *req, const char *token, enum o311_format fmt);
void o311_updates_get(http_request *req, enum o311_format fmt);
void o311_updates_post(http_request *req, enum o311_format fmt);

/* The idempotency key client_id of a client token (CONCERN_CLIENT_ID_MAX + 1 bytes). */
void o311_token_client_id(const char *token, char *out);

#endif
