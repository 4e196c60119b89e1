/* buf.h: a growable byte buffer that always stays NUL-terminated. Used for response
 * bodies, HTML building and SQL-free string assembly. */
#ifndef POLIS_BUF_H
#define POLIS_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data; /* NUL-terminated; owned by the buf */
    size_t len;
    size_t cap;
} buf;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_append(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_reset(buf *b);
/* Appends s percent-encoded for use as a URL query value (RFC 3986 unreserved kept). */
void buf_url_encode(buf *b, const char *s);
/* Hands the data to the caller (who frees it) and leaves b empty. Never NULL. */
char *buf_steal(buf *b, size_t *len_out);
void buf_free(buf *b);
/* Returns the contents, "" for an empty buffer. */
const char *buf_str(const buf *b);

#endif
