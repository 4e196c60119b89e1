/* api.h: helpers shared by the JSON API handlers of every module: the thread's store,
 * page size and collection replies, the acting user for the audit trail, and typed
 * reading of JSON body fields with field-named errors. */
#ifndef POLIS_API_H
#define POLIS_API_H

#include "auth/users.h"
#include "http/request.h"
#include "http/router.h"
#include "store/store.h"

#include <jansson.h>

/* Declares ?limit= (1..1000) and ?cursor= in a route's parameter list. */
#define API_PAGE_PARAMS                                                                            \
    {.name = "limit", .type = PARAM_INT, .min = 1, .max = 1000},                                   \
    {                                                                                              \
        .name = "cursor", .type = PARAM_CURSOR, .max_len = 255                                     \
    }

#define API_DEFAULT_LIMIT 50

/* This thread's store, or NULL after replying 503. */
store *api_store(http_request *req);

/* The page size from ?limit=, API_DEFAULT_LIMIT when absent. */
int api_limit(http_request *req);

/* Replies 200 {"items": items, "next": next or null}; takes items. */
void api_reply_page(http_request *req, json_t *items, const char *next);

/* Replies with err, or 500 with a generic message for store and I/O failures (whose
 * details go to the log, not to the client). */
void api_reply_status(http_request *req, int status, const p_error *err);

/* The signed-in user and client address, for the audit trail. */
struct actor api_actor(http_request *req);

/* Reads an optional string member of obj: NULL when absent or null; P_EINVAL when it is
 * not a string, not valid UTF-8 or longer than max_chars. */
MUST_CHECK int api_get_string(json_t *obj, const char *key, size_t max_chars, const char **out,
                              p_error *err);

/* The request's JSON body when it is an object holding only members of the NULL-terminated
 * list; otherwise replies 400 (naming the member) and returns NULL. The caller frees it. */
json_t *api_object_body(http_request *req, const char *const *members);

/* Rejects members of obj not in the NULL-terminated allowed list (400 naming it). */
MUST_CHECK int api_only_fields(json_t *obj, const char *const *allowed, p_error *err);

#endif
