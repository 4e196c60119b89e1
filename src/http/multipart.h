/* multipart.h: streaming multipart/form-data bodies for routes that declare .multipart. The
 * server feeds the body here chunk by chunk instead of buffering it: file parts go to temp
 * files (hashed with SHA-256 and counted on the way), small text fields are kept in memory.
 * Handlers read the result through http_upload_file() and http_upload_field() (request.h). */
#ifndef POLIS_HTTP_MULTIPART_H
#define POLIS_HTTP_MULTIPART_H

#include "core/err.h"
#include "http/request.h"

#include <stdint.h>

/* Starts parsing req's body: the Content-Type must be multipart/form-data with a boundary
 * (P_EMEDIA otherwise). File parts are written under tmp_dir; the whole body may hold at
 * most limit_bytes. */
MUST_CHECK int multipart_begin(http_request *req, const char *tmp_dir, uint64_t limit_bytes,
                               p_error *err);

/* Feeds the next chunk. After the first failure (the body over its limit, a malformed part,
 * a write error) the temp files are removed at once, further chunks are discarded and the
 * failure is kept for multipart_finish. */
void multipart_feed(http_request *req, const char *data, size_t size);

/* Ends the body: completes the digests of the file parts. Returns the first failure, if
 * any (P_EINVAL for a malformed body or field, P_ETOOBIG for too many or too large fields,
 * P_EIO when a temp file could not be written); on failure the temp files are removed. */
MUST_CHECK int multipart_finish(http_request *req, p_error *err);

/* Frees the state and removes every temp file no handler took. Safe when none began. */
void multipart_free(http_request *req);

/* Reduces a client's file name to something fit to show: the part after the last '/' or
 * '\\', without control characters or invalid UTF-8, at most size-1 bytes, never "", "."
 * or ".." ("upload" instead). The result is for display and Content-Disposition only: it
 * never forms a path. */
void multipart_sanitize_filename(const char *in, char *out, size_t size);

#endif
