/* log.c: JSON-lines logging on stderr, one write(2) per line so lines from worker
 * threads never interleave. */
#include "core/log.h"
#include "core/buf.h"
#include "core/text.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

static int quiet;

void log_set_quiet(int q)
{
    quiet = q;
}

void log_line(const char *json, size_t len)
{
    buf b = BUF_INIT;
    buf_append(&b, json, len);
    buf_putc(&b, '\n');
    ssize_t w = write(STDERR_FILENO, b.data, b.len);
    (void)w; /* nothing sensible to do when stderr is gone */
    buf_free(&b);
}

__attribute__((format(printf, 2, 0))) static void log_v(const char *level, const char *fmt,
                                                        va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char ts[21];
    text_now_iso(ts);
    json_t *o = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level, "msg", msg);
    if (!o) return;
    char *s = json_dumps(o, JSON_COMPACT);
    if (s) log_line(s, strlen(s));
    free(s);
    json_decref(o);
}

void log_info(const char *fmt, ...)
{
    if (quiet) return;
    va_list ap;
    va_start(ap, fmt);
    log_v("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_v("error", fmt, ap);
    va_end(ap);
}
