/* fuzz_form.c: urlencoded form bodies. Whatever the bytes, form_parse either refuses them
 * or yields at most FORM_MAX_FIELDS fields of valid UTF-8; and re-encoding what it
 * yielded and parsing that again gives the same fields back. */
#include "fuzz_common.h"

#include "core/buf.h"
#include "core/text.h"
#include "http/form.h"

#include <sodium.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0 ? -1 : 0;
}

/* Percent-encodes s, spaces as '+' every other time so both forms are exercised. */
static void encode(buf *b, const char *s, int *toggle)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf_putc(b, (char)*p);
        } else if (*p == ' ' && (*toggle ^= 1)) {
            buf_putc(b, '+');
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

/* Number of non-empty '&'-separated pieces. */
static int count_pieces(const uint8_t *data, size_t size)
{
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        if (i == size || data[i] == '&') {
            if (i > start) n++;
            start = i + 1;
        }
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    form f;
    p_error err;
    p_error_clear(&err);
    int rc = form_parse((const char *)data, size, &f, &err);
    if (rc != P_OK) {
        CHECK(rc == P_EINVAL);
        CHECK(err.status == P_EINVAL);
        CHECK(f.n == 0);
        return 0;
    }
    CHECK(f.n >= 0 && f.n <= FORM_MAX_FIELDS);
    CHECK(f.n == count_pieces(data, size));
    buf again = BUF_INIT;
    int toggle = 0;
    for (int i = 0; i < f.n; i++) {
        const char *name = f.fields[i].name, *value = f.fields[i].value;
        CHECK(name && value);
        CHECK(text_utf8_valid(name, strlen(name)));
        CHECK(text_utf8_valid(value, strlen(value)));
        CHECK(strlen(name) + strlen(value) <= size);
        /* form_get finds the first field of a name. */
        const char *first = form_get(&f, name);
        CHECK(first);
        for (int j = 0; j < f.n; j++) {
            if (strcmp(f.fields[j].name, name) == 0) {
                CHECK(first == f.fields[j].value);
                break;
            }
        }
        if (i) buf_putc(&again, '&');
        encode(&again, name, &toggle);
        buf_putc(&again, '=');
        encode(&again, value, &toggle);
    }
    form g;
    rc = form_parse(buf_str(&again), again.len, &g, &err);
    CHECK(rc == P_OK);
    CHECK(g.n == f.n);
    for (int i = 0; i < f.n; i++) {
        CHECK(strcmp(g.fields[i].name, f.fields[i].name) == 0);
        CHECK(strcmp(g.fields[i].value, f.fields[i].value) == 0);
    }
    form_free(&g);
    form_free(&f);
    buf_free(&again);
    return 0;
}
