/* server.h: the HTTP server: libmicrohttpd with its internal thread pool and epoll,
 * requests dispatched through the router, security headers, request ids, one log line
 * per request, metrics, and graceful shutdown. */
#ifndef POLIS_HTTP_SERVER_H
#define POLIS_HTTP_SERVER_H

#include "core/err.h"
#include "http/request.h"

#include <stddef.h>
#include <stdint.h>

struct server_config {
    const char *listen;      /* "127.0.0.1:8080" */
    unsigned threads;        /* worker threads; 0 means http_default_threads() */
    size_t body_limit_bytes; /* default limit for request bodies */
    /* Multipart routes: their default body limit, and where file parts are written (the
     * file store's temp directory, so they can be renamed into place; NULL: $TMPDIR). */
    size_t upload_limit_bytes;
    const char *upload_dir;
    unsigned timeout_s; /* idle connection timeout */
    bool log_requests;  /* one JSON line per request on stderr */
    /* Called for every routed request before its handler: fills req->who and req->lang.
     * Bad credentials leave req->who anonymous; it replies only when credentials cannot be
     * checked at all (503, the store unavailable), and then the handler does not run. */
    void (*authenticate)(http_request *req);
    /* Called once per worker thread when it ends its last request (may be NULL). */
    void (*thread_done)(void);
};

typedef struct http_server http_server;

/* Starts listening. *out is stopped and freed with http_server_stop(). */
MUST_CHECK int http_server_start(const struct server_config *cfg, http_server **out, p_error *err);

/* Stops taking work (new requests are answered 503 with Connection: close), waits up to
 * grace_ms for requests in flight to finish, then closes the listener and every connection
 * and frees the server. */
void http_server_stop(http_server *srv, unsigned grace_ms);

/* Worker threads when none are configured: 2 per core, at least 4 and at most 64. */
unsigned http_default_threads(void);

/* Port actually bound (useful with port 0). */
uint16_t http_server_port(const http_server *srv);

/* Parses "HOST:PORT" (IPv4 literal) into its parts. */
MUST_CHECK int http_parse_listen(const char *listen, char host[static 64], uint16_t *port,
                                 p_error *err);

#endif
