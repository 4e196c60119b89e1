/* err.h: the one status enum every fallible function in Polis returns, and the error
 * record that carries a user-facing message and the field it is about. */
#ifndef POLIS_ERR_H
#define POLIS_ERR_H

#include <stdarg.h>

#define MUST_CHECK __attribute__((warn_unused_result))

typedef enum {
    P_OK = 0,
    P_EINVAL,     /* malformed input: 400 */
    P_EAUTH,      /* no or bad credentials: 401 */
    P_EFORBIDDEN, /* authenticated, not allowed: 403 */
    P_ENOTFOUND,  /* 404 */
    P_EMETHOD,    /* 405 */
    P_ECONFLICT,  /* 409 */
    P_ETOOBIG,    /* 413 */
    P_EMEDIA,     /* 415 */
    P_EUNPROC,    /* well-formed but violates a rule: 422 */
    P_ELIMIT,     /* throttled: 429 */
    P_ESTORE,     /* the store failed: 500 */
    P_EIO,        /* file or system call failed: 500 */
    P_EINTEGRITY, /* a check found damage: 500 on the wire, exit 3 on the CLI */
    P_EUNAVAIL    /* shutting down or overloaded: 503 */
} p_status;

typedef struct p_error {
    p_status status;
    char code[32];     /* machine code for the API, e.g. "invalid_field" */
    char field[64];    /* the field at fault, or "" */
    char message[256]; /* human message, never contains secrets */
} p_error;

/* Records an error in err (which may be NULL) and returns status, so callers can write
 * `return p_fail(err, P_EINVAL, "title", "title is required");`. The code string is
 * derived from status (and field) unless set afterwards with p_error_code(). */
p_status p_fail(p_error *err, p_status status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Overrides the machine code of a recorded error. */
void p_error_code(p_error *err, const char *code);

/* Clears err to "no error". */
void p_error_clear(p_error *err);

/* HTTP status for a p_status. */
int p_status_http(p_status s);

/* Default machine code for a status, e.g. "not_found". */
const char *p_status_code(p_status s);

#endif
