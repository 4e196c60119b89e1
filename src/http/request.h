/* request.h: one HTTP exchange as the handlers see it: method, path, declared parameters,
 * body, the authenticated principal, and the response being built. Created by the server
 * on a request's first callback and freed when libmicrohttpd reports it complete. */
#ifndef POLIS_HTTP_REQUEST_H
#define POLIS_HTTP_REQUEST_H

#include "core/buf.h"
#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
struct route;

enum http_method {
    HTTP_GET = 1,
    HTTP_HEAD = 2,
    HTTP_POST = 4,
    HTTP_PUT = 8,
    HTTP_PATCH = 16,
    HTTP_DELETE = 32,
    HTTP_OPTIONS = 64,
};

#define HTTP_MAX_PATH_PARAMS      4
#define HTTP_MAX_QUERY_PARAMS     24
#define HTTP_MAX_RESPONSE_HEADERS 12

struct http_param {
    const char *name; /* points into the route's declaration */
    char *value;      /* owned by the request */
};

enum auth_via { AUTH_NONE = 0, AUTH_SESSION, AUTH_TOKEN };

/* Who is making the request, filled by the authenticate hook before dispatch. */
typedef struct principal {
    enum auth_via via;
    int64_t user_id;
    char login[65];
    char role[24];
    char org[24];
    char lang[3];
    char csrf[65];         /* the session's CSRF token (AUTH_SESSION only) */
    char session_hash[65]; /* hex SHA-256 of the session cookie (AUTH_SESSION only) */
    bool csrf_ok;          /* a state-changing session request carried the right token */
} principal;

typedef struct http_request {
    struct MHD_Connection *conn;
    int method;
    const char *method_name;
    const char *path;
    const struct route *route;
    struct http_param path_params[HTTP_MAX_PATH_PARAMS];
    int n_path_params;
    struct http_param query[HTTP_MAX_QUERY_PARAMS];
    int n_query;
    buf body;
    size_t body_limit;
    bool body_too_large;
    char request_id[40];
    char client[64]; /* filled on first use: read it through http_client() */
    bool tls;
    char lang[3]; /* "en" or "ru": cookie, then user setting, then Accept-Language */
    principal who;

    /* response */
    int status;
    buf out;
    const char *content_type; /* static string */
    struct {
        char *name;
        char *value;
    } headers[HTTP_MAX_RESPONSE_HEADERS];
    int n_headers;
    bool replied;
    const void *static_body; /* when set, the reply body is this memory, never copied */
    size_t static_len;
    int64_t started_ns;
} http_request;

/* A request header, or NULL. Valid for the request's lifetime. */
const char *http_header(http_request *req, const char *name);
/* A cookie's value, or NULL. */
const char *http_cookie(http_request *req, const char *name);
/* A declared path parameter or query parameter, or NULL when absent. */
const char *http_path_param(http_request *req, const char *name);
const char *http_query(http_request *req, const char *name);
/* Appends the request's path and query string (re-encoded) to out, e.g. for ?next=. */
void http_request_target(http_request *req, buf *out);
/* The client's address as text ("" when unknown), for logs, throttling and the audit. */
const char *http_client(http_request *req);
/* True for methods that change state (POST, PUT, PATCH, DELETE). */
bool http_is_write(const http_request *req);

#endif
