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

/* Multipart uploads (routes with .multipart): at most this many file parts and text fields
 * per request; a text field holds at most HTTP_UPLOAD_FIELD_BYTES. */
#define HTTP_UPLOAD_MAX_FILES   4
#define HTTP_UPLOAD_MAX_FIELDS  32
#define HTTP_UPLOAD_FIELD_BYTES 4096
#define HTTP_UPLOAD_HEAD_BYTES  512

/* One uploaded file part, already on disk in a temp file of the file store. */
struct http_upload {
    char field[64];     /* the form field's name */
    char filename[256]; /* the client's name, sanitized: for display only, never a path */
    char tmp_path[512]; /* the temp file; removed when the request ends unless taken */
    uint64_t size_bytes;
    char sha256[65];                            /* lowercase hex of the part's bytes */
    unsigned char head[HTTP_UPLOAD_HEAD_BYTES]; /* its first bytes, for type detection */
    size_t head_len;
};

struct http_multipart; /* the parser's state, private to http/multipart.c */

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
    bool head_known;       /* audit_head was read with the credentials (AUTH_TOKEN) */
    int64_t audit_head;    /* the audit log's head id then (authn_audit_head) */
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
    buf body; /* empty for multipart routes: see http_upload_file() */
    size_t body_limit;
    bool body_too_large;
    struct http_multipart *multipart; /* multipart routes only */
    bool body_ignored;                /* an upload without credentials: read and dropped */
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
    /* With static_body from http_reply_shared: called with shared_cls once the body is no
     * longer needed (by libmicrohttpd after sending it, or here if it is never sent). */
    void (*shared_release)(void *cls);
    void *shared_cls;
    /* Set by http_suspend: the reply comes later, from resumed(req, async_ctx), called in
     * a server thread after http_resume; async_free(async_ctx) if the request ends first. */
    void (*resumed)(struct http_request *req, void *ctx);
    void *async_ctx;
    void (*async_free)(void *ctx);
    bool suspended; /* between http_suspend and the handler's return */
    bool file_body; /* when set, the reply body is file_len bytes of file_fd from file_offset */
    int file_fd;    /* owned by the request until the reply is queued */
    uint64_t file_offset, file_len;
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

/* For a handler whose answer waits for work done elsewhere (a group commit): the request
 * holds no server thread meanwhile. Called by the handler, which then returns without a
 * reply; once http_resume(req) is called (from any thread), resumed(req, ctx) runs in a
 * server thread and replies. free_ctx(ctx) is called instead if the request ends before. */
void http_suspend(http_request *req, void (*resumed)(http_request *req, void *ctx), void *ctx,
                  void (*free_ctx)(void *ctx));
void http_resume(http_request *req);

/* Multipart routes: the first file part sent as field, or NULL. Valid until the request
 * ends, when its temp file is removed unless the handler called http_upload_take(). */
const struct http_upload *http_upload_file(http_request *req, const char *field);
/* Multipart routes: the first text field called name (valid UTF-8), or NULL. */
const char *http_upload_field(http_request *req, const char *name);
/* The handler has moved (e.g. files_put_temp) or removed the temp file of up: the server
 * leaves it alone when the request ends. */
void http_upload_take(http_request *req, const struct http_upload *up);

#endif
