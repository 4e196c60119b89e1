/* assets.h: the CSS, JavaScript and images embedded in the binary, served under
 * /assets/ with a content hash as ETag and long-lived caching. */
#ifndef POLIS_HTTP_ASSETS_H
#define POLIS_HTTP_ASSETS_H

#include "http/request.h"

#include <stddef.h>

/* Bytes of an ETag from assets_etag: quote, 16 hex digits, quote, NUL. */
#define ASSETS_ETAG_SIZE 19

/* Computes the ETags and registers GET /assets/{name}. Call once at start-up. */
void assets_register(void);

/* Writes the strong ETag of data: the first 16 hex digits of its SHA-256, quoted. */
void assets_etag(const void *data, size_t size, char etag[static ASSETS_ETAG_SIZE]);

/* Replies with immutable bytes under etag: sets ETag and Cache-Control (both copied), then
 * 304 without a body when If-None-Match equals etag, else 200 with data (copied) as
 * content_type, which must be a static string as for http_reply_bytes. */
void assets_reply_cached(http_request *req, const char *etag, const char *cache_control,
                         const char *content_type, const void *data, size_t size);

/* The versioned URL of an asset ("/assets/app.css?v=ETAG"), or NULL if there is none. */
const char *assets_url(const char *name);

#endif
