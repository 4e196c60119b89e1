/* response.h: building replies: JSON documents, the one error shape, HTML pages,
 * redirects, headers and cookies. A handler makes exactly one reply. */
#ifndef POLIS_HTTP_RESPONSE_H
#define POLIS_HTTP_RESPONSE_H

#include "http/request.h"

#include <jansson.h>

/* Replies with body as JSON; takes ownership of body (decref'd here). */
void http_reply_json(http_request *req, int status, json_t *body);

/* Replies {"error":{"code","message","field"?}} with the status that err maps to. */
void http_reply_error(http_request *req, const p_error *err);

/* Shorthand for building an error and replying with it. */
void http_reply_fail(http_request *req, p_status status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replies with an HTML page; takes the buffer's contents (html is left empty). */
void http_reply_html(http_request *req, int status, buf *html);

/* Replies with bytes of the given static content type (copied). */
void http_reply_bytes(http_request *req, int status, const char *content_type, const void *data,
                      size_t len);

/* Replies with len bytes of the open file fd from offset, sent by libmicrohttpd straight
 * from the file (sendfile where it can). Takes fd: it is closed when the reply is done, or
 * when another reply replaces this one. */
void http_reply_fd(http_request *req, int status, const char *content_type, int fd, uint64_t offset,
                   uint64_t len);

/* Replies with bytes that live as long as the process (embedded files, string literals):
 * they are handed to libmicrohttpd as they are, without a copy. */
void http_reply_static(http_request *req, int status, const char *content_type, const void *data,
                       size_t len);

/* Replies with bytes shared with others (a cache's entry): handed to libmicrohttpd without
 * a copy, and release(cls) is called once, when they are no longer needed by this reply
 * (sent, replaced by another reply, or the request ended). */
void http_reply_shared(http_request *req, int status, const char *content_type, const void *data,
                       size_t len, void (*release)(void *cls), void *cls);

/* 303 See Other to a local path (must start with '/'). */
void http_redirect(http_request *req, const char *location);

/* Replies 204 No Content. */
void http_reply_empty(http_request *req);

/* Adds a response header (copied). Silently ignores more than the limit: callers are ours. */
void http_add_header(http_request *req, const char *name, const char *value);

/* Sets a cookie: HttpOnly and SameSite=Strict always, Secure when served over TLS.
 * max_age_s < 0 makes a session cookie, 0 deletes it. */
void http_set_cookie(http_request *req, const char *name, const char *value, long max_age_s,
                     bool http_only);

/* Parses the request body as a JSON object, enforcing content type (415), size (413),
 * depth, UTF-8 and syntax (400). Returns a new reference or NULL after replying. */
json_t *http_json_body(http_request *req);

/* Maximum nesting of a JSON body. */
#define HTTP_JSON_MAX_DEPTH 32

/* True when text nests arrays/objects deeper than max_depth (strings are skipped). */
bool http_json_too_deep(const char *text, size_t len, int max_depth);

#endif
