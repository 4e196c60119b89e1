/* router.h: the route table. Each route declares its method, a path pattern with {named}
 * segments, the parameters it accepts (type, length, range, enum), and its handler.
 * Undeclared query parameters are dropped; declared ones are validated before the
 * handler runs, so handlers only ever see well-formed input. */
#ifndef POLIS_HTTP_ROUTER_H
#define POLIS_HTTP_ROUTER_H

#include "http/request.h"

#include <stdint.h>

enum param_type {
    PARAM_STRING, /* UTF-8 text of bounded length */
    PARAM_CODE,   /* [A-Za-z0-9_-]+, as used by framework codes and ids */
    PARAM_INT,    /* decimal integer in [min, max] */
    PARAM_ENUM,   /* one of the '|'-separated values in enum_values */
    PARAM_DATE,   /* YYYY-MM-DD */
    PARAM_CURSOR, /* opaque keyset cursor: [A-Za-z0-9_=-] */
    PARAM_TIME,   /* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC) */
};

struct param_spec {
    const char *name; /* NULL ends a list */
    enum param_type type;
    int max_len; /* in code points for strings; 0 means 200 */
    int64_t min, max;
    const char *enum_values;
};

typedef void (*http_handler)(http_request *req);

struct route {
    int methods;         /* HTTP_GET | ... */
    const char *pattern; /* "/api/v1/organisations/{code}" */
    http_handler handler;
    const struct param_spec *params; /* path and query parameters; may be NULL */
    const char *name;                /* metrics label; defaults to the pattern */
    size_t body_limit;               /* 0 means the server default */
    /* The body is multipart/form-data, streamed to temp files (http_upload_file) rather
     * than kept in memory; any other body is refused with 415. body_limit 0 then means
     * the server's upload limit. */
    bool multipart;
    int index; /* assigned by router_add */
};

#define ROUTER_MAX_ROUTES 320

/* Adds a route (the struct is copied) and returns its index. A full table aborts: routes
 * are registered at start-up, so that is a build mistake. */
int router_add(const struct route *r);

/* Finds the route for method and path. Returns it, or NULL with *path_matched set when
 * the path exists under another method (for 405) and *allow filled with the mask. */
const struct route *router_match(int method, const char *path, http_request *req,
                                 bool *path_matched, int *allow);

/* Validates the route's declared query parameters into req->query. On failure fills err
 * (400 with the parameter as field) and returns its status. */
MUST_CHECK int router_bind_query(http_request *req, p_error *err);

/* Validates one value against a spec; used for path and query parameters alike. */
MUST_CHECK int router_check_value(const struct param_spec *spec, const char *value, p_error *err);

/* Number of routes and the route at index (for metrics). */
int router_count(void);
const struct route *router_at(int index);

/* Empties the table (tests). */
void router_reset(void);

/* Writes the method names in mask, joined by sep ("GET, HEAD"), into out. */
void http_methods_text(int mask, const char *sep, char *out, size_t size);

/* Parses an HTTP method name into its bit; 0 when unknown. */
int http_method_bit(const char *name);

#endif
