/* form.h: application/x-www-form-urlencoded bodies (HTML forms), decoded into a bounded
 * list of fields. */
#ifndef POLIS_HTTP_FORM_H
#define POLIS_HTTP_FORM_H

#include "core/err.h"

#include <stddef.h>

#define FORM_MAX_FIELDS 64

typedef struct form {
    int n;
    struct {
        char *name;
        char *value;
    } fields[FORM_MAX_FIELDS];
} form;

/* Parses body[0..len) into f (fields owned by f, released by form_free). Rejects bad
 * percent-escapes, invalid UTF-8 and more than FORM_MAX_FIELDS fields with P_EINVAL. */
MUST_CHECK int form_parse(const char *body, size_t len, form *f, p_error *err);
void form_free(form *f);
/* The first value of name, or NULL. */
const char *form_get(const form *f, const char *name);

#endif
