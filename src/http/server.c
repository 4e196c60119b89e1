/* server.c: the libmicrohttpd glue. A request lives across several access-handler
 * callbacks: the first only creates its state (queueing a reply there would make
 * libmicrohttpd close the connection and lose keep-alive), the middle ones collect the
 * body up to its limit (or, for multipart routes, stream it to temp files: multipart.c), the last
 * one dispatches to the route's handler and queues the reply. The completion callback logs, counts
 * and frees. */
#include "http/server.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/text.h"
#include "http/metrics.h"
#include "http/multipart.h"
#include "http/response.h"
#include "http/router.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* Worker threads by default. A handler holds its thread while it runs; the officers'
 * concern submissions wait for their batch's commit without one (http_suspend), but other
 * writes wait on theirs (store_group_run), so there are a few more threads than cores. */
#define THREADS_PER_CORE 2
#define THREADS_MIN      4
#define THREADS_MAX      64

struct http_server {
    struct MHD_Daemon *daemon;
    struct server_config cfg;
    atomic_int in_flight;
    atomic_bool stopping; /* set by http_server_stop: drain, take nothing new */
    uint16_t port;
};

/* libmicrohttpd's memory per connection. It holds the request head, so it also bounds the
 * head: 16 KB, twice nginx's 8k line limit and far above what browsers send (cookies
 * included). libmicrohttpd zeroes the whole
 * pool between keep-alive requests, so every byte here is paid on every request; at 64 KB
 * that memset was the largest user-space cost of a /healthz reply. */
#define CONNECTION_MEMORY_BYTES ((size_t)16 * 1024)

static const char security_csp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'";

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

const char *http_header(http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_path_param(http_request *req, const char *name)
{
    for (int i = 0; i < req->n_path_params; i++)
        if (strcmp(req->path_params[i].name, name) == 0) return req->path_params[i].value;
    return NULL;
}

const char *http_query(http_request *req, const char *name)
{
    for (int i = 0; i < req->n_query; i++)
        if (strcmp(req->query[i].name, name) == 0) return req->query[i].value;
    return NULL;
}

struct target_ctx {
    buf *out;
    int n;
};

static enum MHD_Result append_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value)
{
    (void)kind;
    struct target_ctx *ctx = cls;
    buf_putc(ctx->out, ctx->n++ ? '&' : '?');
    buf_url_encode(ctx->out, key);
    if (value) {
        buf_putc(ctx->out, '=');
        buf_url_encode(ctx->out, value);
    }
    return MHD_YES;
}

void http_request_target(http_request *req, buf *out)
{
    buf_puts(out, req->path);
    struct target_ctx ctx = {out, 0};
    MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, append_query_arg, &ctx);
}

bool http_is_write(const http_request *req)
{
    return (req->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE)) != 0;
}

static void request_free(http_request *req)
{
    for (int i = 0; i < req->n_path_params; i++)
        free(req->path_params[i].value);
    for (int i = 0; i < req->n_query; i++)
        free(req->query[i].value);
    for (int i = 0; i < req->n_headers; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    buf_free(&req->body);
    if (req->file_body) close(req->file_fd); /* a file reply that was never queued */
    if (req->shared_release) req->shared_release(req->shared_cls);        /* nor a shared one */
    if (req->resumed && req->async_free) req->async_free(req->async_ctx); /* never resumed */
    multipart_free(req); /* removes the temp files no handler took */
    buf_free(&req->out);
    sodium_memzero(&req->who, sizeof req->who);
    free(req);
}

static bool valid_request_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok || n >= 36) return false;
    }
    return n > 0;
}

static void client_address(struct MHD_Connection *conn, char out[static 64])
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, 64);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, 64);
}

const char *http_client(http_request *req)
{
    /* Formatted on first use: most requests never need it, and inet_ntop is not free. */
    if (!req->client[0]) client_address(req->conn, req->client);
    return req->client;
}

/* A fresh request id: 16 hex digits from the system's generator. Ids are drawn 32 at a
 * time per thread, so a request costs no getrandom(2) call of its own. */
static void request_id_new(char out[static 17])
{
    static _Thread_local unsigned char pool[256];
    static _Thread_local size_t used = sizeof pool;
    if (used == sizeof pool) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
    }
    text_hex(pool + used, 8, out);
    used += 8;
}

static http_request *request_new(http_server *srv, struct MHD_Connection *conn, const char *url,
                                 const char *method)
{
    http_request *req = xcalloc(1, sizeof *req);
    req->started_ns = now_ns();
    req->conn = conn;
    req->path = url;
    req->method_name = method;
    req->method = http_method_bit(method);
    req->body_limit = srv->cfg.body_limit_bytes;
    req->status = 500;
    memcpy(req->lang, "en", 3);
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (rid && valid_request_id(rid)) {
        snprintf(req->request_id, sizeof req->request_id, "%s", rid);
    } else {
        request_id_new(req->request_id);
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_PROTOCOL);
    req->tls = ci && ci->tls_session;
    return req;
}

/* Resolves the route and replies 404/405 itself when there is none. */
static void route_request(http_request *req)
{
    bool path_matched = false;
    int allow = 0;
    req->route = router_match(req->method, req->path, req, &path_matched, &allow);
    if (req->route) {
        if (req->route->body_limit) req->body_limit = req->route->body_limit;
        return;
    }
    if (path_matched) {
        char methods[64];
        if (allow & HTTP_GET) allow |= HTTP_HEAD;
        http_methods_text(allow, ", ", methods, sizeof methods);
        http_add_header(req, "Allow", methods);
        http_reply_fail(req, P_EMETHOD, NULL, "%s is not allowed here", req->method_name);
    } else {
        http_reply_fail(req, P_ENOTFOUND, NULL, "no such resource");
    }
}

static bool header_set(const http_request *req, const char *name)
{
    for (int i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0) return true;
    return false;
}

static enum MHD_Result queue_reply(http_server *srv, http_request *req)
{
    size_t len = 0;
    char *body = NULL;
    struct MHD_Response *resp;
    if (req->static_body && req->shared_release) {
        /* libmicrohttpd releases it after sending; on failure it is still ours. */
        resp = MHD_create_response_from_buffer_with_free_callback_cls(
            req->static_len, (void *)(uintptr_t)req->static_body, req->shared_release,
            req->shared_cls);
        if (resp) req->shared_release = NULL;
    } else if (req->static_body) {
        resp = MHD_create_response_from_buffer(req->static_len, (void *)(uintptr_t)req->static_body,
                                               MHD_RESPMEM_PERSISTENT);
    } else if (req->file_body) {
        /* libmicrohttpd owns the descriptor from here on; on failure it is still ours. */
        req->file_body = false;
        resp =
            MHD_create_response_from_fd_at_offset64(req->file_len, req->file_fd, req->file_offset);
        if (!resp) close(req->file_fd);
    } else {
        body = buf_steal(&req->out, &len);
        resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    }
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    if (req->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
    if (!header_set(req, "Cache-Control"))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    MHD_add_response_header(resp, "Content-Security-Policy", security_csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    /* While stopping, end kept-alive connections so their clients cannot keep the drain going. */
    if (atomic_load(&srv->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result r = MHD_queue_response(req->conn, (unsigned)req->status, resp);
    MHD_destroy_response(resp);
    return r;
}

static void dispatch(http_server *srv, http_request *req)
{
    if (req->replied) return; /* 404/405 decided at routing time */
    if (req->body_too_large) {
        http_reply_fail(req, P_ETOOBIG, NULL, "request body exceeds %zu bytes", req->body_limit);
        return;
    }
    p_error err;
    p_error_clear(&err);
    if (req->multipart && multipart_finish(req, &err) != P_OK) {
        http_reply_error(req, &err);
        return;
    }
    if (router_bind_query(req, &err) != P_OK) {
        http_reply_error(req, &err);
        return;
    }
    if (srv->cfg.authenticate) srv->cfg.authenticate(req);
    if (req->replied) return; /* authentication answered (503: the store is unavailable) */
    req->route->handler(req);
    if (!req->replied && !req->suspended)
        http_reply_fail(req, P_ESTORE, NULL, "the handler made no reply");
}

void http_suspend(http_request *req, void (*resumed)(http_request *req, void *ctx), void *ctx,
                  void (*free_ctx)(void *ctx))
{
    req->resumed = resumed;
    req->async_ctx = ctx;
    req->async_free = free_ctx;
    req->suspended = true;
    MHD_suspend_connection(req->conn);
}

void http_resume(http_request *req)
{
    MHD_resume_connection(req->conn);
}

unsigned http_default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    long t = (n > 0 ? n : 2) * THREADS_PER_CORE;
    return (unsigned)(t < THREADS_MIN ? THREADS_MIN : t > THREADS_MAX ? THREADS_MAX : t);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)version;
    http_server *srv = cls;
    http_request *req = *con_cls;
    if (!req) {
        req = request_new(srv, conn, url, method);
        *con_cls = req;
        atomic_fetch_add(&srv->in_flight, 1);
        if (atomic_load(&srv->stopping)) {
            /* Arrived on a kept-alive connection after stop began: refused unprocessed, so
             * the client may safely retry it elsewhere. */
            http_reply_fail(req, P_EUNAVAIL, NULL, "the server is stopping; try again");
            return queue_reply(srv, req);
        }
        route_request(req);
        if (req->route && req->route->multipart) {
            size_t limit =
                req->route->body_limit ? req->route->body_limit : srv->cfg.upload_limit_bytes;
            if (limit) req->body_limit = limit;
        }
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        int64_t declared;
        if (cl && text_parse_int64(cl, 0, INT64_MAX, &declared) &&
            (size_t)declared > req->body_limit) {
            /* Refuse at once rather than read a body we will discard; libmicrohttpd then
             * closes the connection, which is what an oversized upload deserves. */
            req->body_too_large = true;
            dispatch(srv, req);
            return queue_reply(srv, req);
        }
        if (req->route && req->route->multipart && http_is_write(req)) {
            p_error err;
            p_error_clear(&err);
            const char *dir = srv->cfg.upload_dir ? srv->cfg.upload_dir : getenv("TMPDIR");
            if (multipart_begin(req, dir && *dir ? dir : "/tmp", req->body_limit, &err) != P_OK) {
                http_reply_error(req, &err); /* 415 before a byte of the body is read */
                return queue_reply(srv, req);
            }
            /* Nobody unknown gets to fill the disk: credentials are checked before the body
             * is read. Without them the body is read and dropped, and the handler answers
             * as it answers anyone anonymous (401, or the sign-in page). They are checked
             * again at dispatch, when a form's csrf field has arrived. */
            if (srv->cfg.authenticate) {
                srv->cfg.authenticate(req);
                if (req->replied) return queue_reply(srv, req);
                if (req->who.via == AUTH_NONE) {
                    multipart_free(req);
                    req->body_ignored = true;
                }
                memset(&req->who, 0, sizeof req->who);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (req->multipart) {
            multipart_feed(req, upload_data, *upload_data_size);
        } else if (!req->body_too_large && !req->body_ignored) {
            if (req->body.len + *upload_data_size > req->body_limit)
                req->body_too_large = true;
            else
                buf_append(&req->body, upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->resumed) { /* called again after http_resume */
        void (*resumed)(http_request *, void *) = req->resumed;
        req->resumed = NULL;
        resumed(req, req->async_ctx);
        if (!req->replied) http_reply_fail(req, P_ESTORE, NULL, "the handler made no reply");
        return queue_reply(srv, req);
    }
    dispatch(srv, req);
    if (req->suspended) {
        req->suspended = false;
        return MHD_YES; /* the reply comes after http_resume */
    }
    return queue_reply(srv, req); /* libmicrohttpd omits the body itself for HEAD */
}

static void log_request(http_request *req, int64_t duration_ns)
{
    json_t *line = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:s, s:s}", "level", "info", "req", req->request_id,
        "method", req->method_name ? req->method_name : "", "path", req->path ? req->path : "",
        "route", req->route ? req->route->name : "", "status", req->status, "ms",
        (double)duration_ns / 1e6, "user", req->who.login, "client", http_client(req));
    if (!line) return;
    char ts[21];
    text_now_iso(ts);
    json_object_set_new(line, "ts", json_string(ts));
    char out[2048];
    size_t n = json_dumpb(line, out, sizeof out, JSON_COMPACT | JSON_REAL_PRECISION(4));
    if (n > 0 && n < sizeof out) log_line(out, n);
    json_decref(line);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    http_server *srv = cls;
    http_request *req = *con_cls;
    if (!req) return;
    int64_t dur = now_ns() - req->started_ns;
    metrics_observe(req->route ? req->route->index : -1, req->status, dur);
    if (srv->cfg.log_requests) log_request(req, dur);
    request_free(req);
    *con_cls = NULL;
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* Decodes %HH like libmicrohttpd does, except that %00 becomes 0xFF: a NUL would cut the
 * C string short (so "/assets/app.css%00.db" would serve app.css), while 0xFF is never
 * valid UTF-8, so routing and every parameter check refuse it. */
static size_t unescape_without_nul(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    size_t n = MHD_http_unescape(s);
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0') s[i] = (char)0xFF;
    return n;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)conn;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED)
        metrics_connection_opened();
    else
        metrics_connection_closed();
}

int http_parse_listen(const char *listen, char host[static 64], uint16_t *port, p_error *err)
{
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    if (!colon || colon == listen || (size_t)(colon - listen) >= 64)
        return p_fail(err, P_EINVAL, "listen", "listen address must be HOST:PORT, got '%s'",
                      listen ? listen : "");
    int64_t p;
    if (!text_parse_int64(colon + 1, 0, 65535, &p))
        return p_fail(err, P_EINVAL, "listen", "port must be 0-65535 in '%s'", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    *port = (uint16_t)p;
    return P_OK;
}

int http_server_start(const struct server_config *cfg, http_server **out, p_error *err)
{
    char host[64];
    uint16_t port;
    int rc = http_parse_listen(cfg->listen, host, &port, err);
    if (rc != P_OK) return rc;
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
        return p_fail(err, P_EINVAL, "listen", "'%s' is not an IPv4 address", host);

    http_server *srv = xcalloc(1, sizeof *srv);
    srv->cfg = *cfg;
    if (!srv->cfg.upload_limit_bytes)
        srv->cfg.upload_limit_bytes = config_get()->upload_limit_bytes;
    unsigned threads = cfg->threads ? cfg->threads : http_default_threads();
    srv->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
            MHD_ALLOW_SUSPEND_RESUME,
        port, NULL, NULL, on_access, srv, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->timeout_s ? cfg->timeout_s : 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        CONNECTION_MEMORY_BYTES, MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_LISTEN_BACKLOG_SIZE,
        1024u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, srv, MHD_OPTION_UNESCAPE_CALLBACK, unescape_without_nul, NULL,
        MHD_OPTION_END);
    if (!srv->daemon) {
        free(srv);
        return p_fail(err, P_EIO, "listen", "cannot listen on %s (in use or not permitted)",
                      cfg->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : port;
    *out = srv;
    return P_OK;
}

uint16_t http_server_port(const http_server *srv)
{
    return srv->port;
}

void http_server_stop(http_server *srv, unsigned grace_ms)
{
    if (!srv) return;
    /* New requests are answered 503 with Connection: close from here on (on_access), so
     * nothing new starts and clients learn to go elsewhere; the listener itself closes with
     * MHD_stop_daemon. MHD_quiesce_daemon is not used: with a pool of epoll threads it races
     * with a worker removing the listening socket from its own epoll set, and libmicrohttpd
     * 0.9.75 aborts on the second removal. */
    atomic_store(&srv->stopping, true);
    for (unsigned waited = 0; waited < grace_ms && atomic_load(&srv->in_flight) > 0; waited += 10)
        usleep(10 * 1000);
    MHD_stop_daemon(srv->daemon);
    free(srv);
}
