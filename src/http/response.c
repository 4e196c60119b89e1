/* response.c: replies. The server turns req->status/out/headers into a libmicrohttpd
 * response after the handler returns; this file only fills those fields. */
#include "http/response.h"
#include "core/mem.h"
#include "core/text.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

void http_add_header(http_request *req, const char *name, const char *value)
{
    if (req->n_headers >= HTTP_MAX_RESPONSE_HEADERS) return;
    req->headers[req->n_headers].name = xstrdup(name);
    req->headers[req->n_headers].value = xstrdup(value);
    req->n_headers++;
}

static void reply_begin(http_request *req, int status, const char *content_type)
{
    buf_reset(&req->out);
    req->status = status;
    req->content_type = content_type;
    req->replied = true;
    req->static_body = NULL;
    req->static_len = 0;
    if (req->shared_release) req->shared_release(req->shared_cls);
    req->shared_release = NULL;
    if (req->file_body) close(req->file_fd);
    req->file_body = false;
}

void http_reply_json(http_request *req, int status, json_t *body)
{
    reply_begin(req, status, "application/json; charset=utf-8");
    /* 15 significant digits print decimal values such as 1234567.89 as written, where
     * jansson's default of 17 shows the binary approximation (1234567.8899999999). */
    char *s = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(body);
    if (!s) {
        req->status = 500;
        buf_puts(&req->out,
                 "{\"error\":{\"code\":\"internal_error\",\"message\":\"cannot encode\"}}");
        return;
    }
    buf_puts(&req->out, s);
    free(s);
}

void http_reply_error(http_request *req, const p_error *err)
{
    json_t *e =
        json_pack("{s:s, s:s}", "code", err->code[0] ? err->code : p_status_code(err->status),
                  "message", err->message[0] ? err->message : p_status_code(err->status));
    if (err->field[0]) json_object_set_new(e, "field", json_string(err->field));
    int status = p_status_http(err->status);
    if (err->status == P_EAUTH) http_add_header(req, "WWW-Authenticate", "Bearer realm=\"polis\"");
    http_reply_json(req, status, json_pack("{s:o}", "error", e));
}

void http_reply_fail(http_request *req, p_status status, const char *field, const char *fmt, ...)
{
    p_error err;
    p_error_clear(&err);
    p_fail(&err, status, field, "%s", "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof err.message, fmt, ap);
    va_end(ap);
    http_reply_error(req, &err);
}

void http_reply_html(http_request *req, int status, buf *html)
{
    reply_begin(req, status, "text/html; charset=utf-8");
    buf_free(&req->out);
    req->out = *html;
    html->data = NULL;
    html->len = html->cap = 0;
}

void http_reply_bytes(http_request *req, int status, const char *content_type, const void *data,
                      size_t len)
{
    reply_begin(req, status, content_type);
    buf_append(&req->out, data, len);
}

void http_reply_fd(http_request *req, int status, const char *content_type, int fd, uint64_t offset,
                   uint64_t len)
{
    reply_begin(req, status, content_type);
    req->file_body = true;
    req->file_fd = fd;
    req->file_offset = offset;
    req->file_len = len;
}

void http_reply_static(http_request *req, int status, const char *content_type, const void *data,
                       size_t len)
{
    reply_begin(req, status, content_type);
    req->static_body = data;
    req->static_len = len;
}

void http_reply_shared(http_request *req, int status, const char *content_type, const void *data,
                       size_t len, void (*release)(void *cls), void *cls)
{
    reply_begin(req, status, content_type);
    req->static_body = data;
    req->static_len = len;
    req->shared_release = release;
    req->shared_cls = cls;
}

void http_redirect(http_request *req, const char *location)
{
    reply_begin(req, 303, "text/plain; charset=utf-8");
    /* Only local paths: an open redirect would let a link send users anywhere. */
    if (location[0] != '/' || location[1] == '/' || location[1] == '\\') location = "/";
    http_add_header(req, "Location", location);
}

void http_reply_empty(http_request *req)
{
    reply_begin(req, 204, NULL);
}

void http_set_cookie(http_request *req, const char *name, const char *value, long max_age_s,
                     bool http_only)
{
    buf c = BUF_INIT;
    buf_printf(&c, "%s=%s; Path=/; SameSite=Strict", name, value);
    if (http_only) buf_puts(&c, "; HttpOnly");
    if (req->tls) buf_puts(&c, "; Secure");
    if (max_age_s >= 0) buf_printf(&c, "; Max-Age=%ld", max_age_s);
    http_add_header(req, "Set-Cookie", buf_str(&c));
    buf_free(&c);
}

bool http_json_too_deep(const char *text, size_t len, int max_depth)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return false;
}

static bool is_json_type(const char *ct)
{
    if (!ct) return false;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

json_t *http_json_body(http_request *req)
{
    if (req->body_too_large) {
        http_reply_fail(req, P_ETOOBIG, NULL, "request body exceeds %zu bytes", req->body_limit);
        return NULL;
    }
    if (!is_json_type(http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE))) {
        http_reply_fail(req, P_EMEDIA, NULL, "expected Content-Type: application/json");
        return NULL;
    }
    if (!text_utf8_valid(buf_str(&req->body), req->body.len)) {
        http_reply_fail(req, P_EINVAL, NULL, "request body is not valid UTF-8");
        return NULL;
    }
    if (http_json_too_deep(buf_str(&req->body), req->body.len, HTTP_JSON_MAX_DEPTH)) {
        http_reply_fail(req, P_EINVAL, NULL, "JSON nests deeper than %d levels",
                        HTTP_JSON_MAX_DEPTH);
        return NULL;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(buf_str(&req->body), req->body.len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        http_reply_fail(req, P_EINVAL, NULL, "malformed JSON at line %d column %d: %s", jerr.line,
                        jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        http_reply_fail(req, P_EINVAL, NULL, "the body must be a JSON object");
        return NULL;
    }
    return doc;
}
