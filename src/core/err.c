/* err.c: error records and their mapping to HTTP statuses and API codes. */
#include "core/err.h"

#include <stdio.h>
#include <string.h>

static const struct {
    int http;
    const char *code;
} status_table[] = {
    [P_OK] = {200, "ok"},
    [P_EINVAL] = {400, "bad_request"},
    [P_EAUTH] = {401, "unauthenticated"},
    [P_EFORBIDDEN] = {403, "forbidden"},
    [P_ENOTFOUND] = {404, "not_found"},
    [P_EMETHOD] = {405, "method_not_allowed"},
    [P_ECONFLICT] = {409, "conflict"},
    [P_ETOOBIG] = {413, "too_large"},
    [P_EMEDIA] = {415, "unsupported_media_type"},
    [P_EUNPROC] = {422, "unprocessable"},
    [P_ELIMIT] = {429, "too_many_requests"},
    [P_ESTORE] = {500, "store_error"},
    [P_EIO] = {500, "io_error"},
    [P_EINTEGRITY] = {500, "integrity_error"},
    [P_EUNAVAIL] = {503, "unavailable"},
};

p_status p_fail(p_error *err, p_status status, const char *field, const char *fmt, ...)
{
    if (!err) return status;
    err->status = status;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    const char *code = p_status_code(status);
    if (field && field[0] && (status == P_EINVAL || status == P_EUNPROC)) code = "invalid_field";
    snprintf(err->code, sizeof err->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    if (n < 0) err->message[0] = '\0';
    return status;
}

void p_error_code(p_error *err, const char *code)
{
    if (err) snprintf(err->code, sizeof err->code, "%s", code);
}

void p_error_clear(p_error *err)
{
    if (err) memset(err, 0, sizeof *err);
}

int p_status_http(p_status s)
{
    if ((unsigned)s >= sizeof status_table / sizeof status_table[0]) return 500;
    return status_table[s].http;
}

const char *p_status_code(p_status s)
{
    if ((unsigned)s >= sizeof status_table / sizeof status_table[0]) return "internal_error";
    return status_table[s].code;
}
