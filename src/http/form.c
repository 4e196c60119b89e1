/* form.c: urlencoded form decoding. */
#include "http/form.h"
#include "core/mem.h"
#include "core/text.h"

#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new string; NULL on a bad escape or invalid UTF-8. */
static char *decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 2 < n ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!text_utf8_valid(out, o)) {
        free(out);
        return NULL;
    }
    return out;
}

int form_parse(const char *body, size_t len, form *f, p_error *err)
{
    memset(f, 0, sizeof *f);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        if (end > i) {
            if (f->n >= FORM_MAX_FIELDS) {
                form_free(f);
                return p_fail(err, P_EINVAL, NULL, "the form has more than %d fields",
                              FORM_MAX_FIELDS);
            }
            size_t eq = i;
            while (eq < end && body[eq] != '=')
                eq++;
            char *name = decode(body + i, eq - i);
            char *value = eq < end ? decode(body + eq + 1, end - eq - 1) : xstrdup("");
            if (!name || !value) {
                free(name);
                free(value);
                form_free(f);
                return p_fail(err, P_EINVAL, NULL, "the form is not valid urlencoded UTF-8");
            }
            f->fields[f->n].name = name;
            f->fields[f->n].value = value;
            f->n++;
        }
        i = end + 1;
    }
    return P_OK;
}

void form_free(form *f)
{
    for (int i = 0; i < f->n; i++) {
        free(f->fields[i].name);
        free(f->fields[i].value);
    }
    f->n = 0;
}

const char *form_get(const form *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0) return f->fields[i].value;
    return NULL;
}
