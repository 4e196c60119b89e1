/* test_json_errors.c: how errors reach the wire (status mapping, machine codes, the one
 * JSON error shape), the JSON nesting guard in front of the parser, and urlencoded form
 * decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/form.h"
#include "http/response.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_reply(http_request *req)
{
    buf_free(&req->out);
    for (int i = 0; i < req->n_headers; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    req->n_headers = 0;
}

/* ---- status mapping ---- */

static void test_status_http_every_status(void **state)
{
    (void)state;
    static const struct {
        p_status s;
        int http;
        const char *code;
    } expect[] = {
        {P_OK, 200, "ok"},
        {P_EINVAL, 400, "bad_request"},
        {P_EAUTH, 401, "unauthenticated"},
        {P_EFORBIDDEN, 403, "forbidden"},
        {P_ENOTFOUND, 404, "not_found"},
        {P_EMETHOD, 405, "method_not_allowed"},
        {P_ECONFLICT, 409, "conflict"},
        {P_ETOOBIG, 413, "too_large"},
        {P_EMEDIA, 415, "unsupported_media_type"},
        {P_EUNPROC, 422, "unprocessable"},
        {P_ELIMIT, 429, "too_many_requests"},
        {P_ESTORE, 500, "store_error"},
        {P_EIO, 500, "io_error"},
        {P_EINTEGRITY, 500, "integrity_error"},
        {P_EUNAVAIL, 503, "unavailable"},
    };
    /* The table must cover the whole enum: P_EUNAVAIL is its last member. */
    assert_int_equal(sizeof expect / sizeof expect[0], P_EUNAVAIL + 1);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        assert_int_equal(expect[i].s, (p_status)i);
        assert_int_equal(p_status_http(expect[i].s), expect[i].http);
        assert_string_equal(p_status_code(expect[i].s), expect[i].code);
    }
    /* Values outside the enum are server errors, never an out-of-bounds read. */
    assert_int_equal(p_status_http((p_status)(P_EUNAVAIL + 1)), 500);
    assert_int_equal(p_status_http((p_status)1000), 500);
    assert_int_equal(p_status_http((p_status)-1), 500);
    assert_string_equal(p_status_code((p_status)(P_EUNAVAIL + 1)), "internal_error");
    assert_string_equal(p_status_code((p_status)-1), "internal_error");
}

static void test_fail_codes(void **state)
{
    (void)state;
    p_error err;
    /* A field on a validation error makes it "invalid_field", for both 400 and 422. */
    p_error_clear(&err);
    assert_int_equal(p_fail(&err, P_EINVAL, "title", "title is %s", "required"), P_EINVAL);
    assert_int_equal(err.status, P_EINVAL);
    assert_string_equal(err.code, "invalid_field");
    assert_string_equal(err.field, "title");
    assert_string_equal(err.message, "title is required");

    p_error_clear(&err);
    assert_int_equal(p_fail(&err, P_EUNPROC, "end_date", "end before start"), P_EUNPROC);
    assert_string_equal(err.code, "invalid_field");
    assert_string_equal(err.field, "end_date");

    /* Without a field they keep their status code. */
    p_error_clear(&err);
    p_fail(&err, P_EINVAL, NULL, "bad");
    assert_string_equal(err.code, "bad_request");
    assert_string_equal(err.field, "");
    p_fail(&err, P_EUNPROC, "", "bad");
    assert_string_equal(err.code, "unprocessable");

    /* Other statuses never become invalid_field, field or not. */
    static const p_status others[] = {P_EAUTH,   P_EFORBIDDEN, P_ENOTFOUND, P_ECONFLICT,
                                      P_ETOOBIG, P_ELIMIT,     P_ESTORE,    P_EINTEGRITY};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        p_error_clear(&err);
        p_fail(&err, others[i], "login", "x");
        assert_string_equal(err.code, p_status_code(others[i]));
        assert_string_equal(err.field, "login");
    }

    /* A NULL record is allowed and the status still comes back. */
    assert_int_equal(p_fail(NULL, P_ENOTFOUND, "id", "gone"), P_ENOTFOUND);

    /* Overriding the code, and clearing. */
    p_fail(&err, P_EFORBIDDEN, NULL, "no token");
    p_error_code(&err, "csrf");
    assert_string_equal(err.code, "csrf");
    p_error_code(NULL, "ignored");
    p_error_clear(&err);
    assert_int_equal(err.status, P_OK);
    assert_string_equal(err.code, "");
    assert_string_equal(err.message, "");
}

static void test_fail_truncates(void **state)
{
    (void)state;
    p_error err;
    char longfield[200], longmsg[1000];
    memset(longfield, 'f', sizeof longfield - 1);
    longfield[sizeof longfield - 1] = '\0';
    memset(longmsg, 'm', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    p_fail(&err, P_EINVAL, longfield, "%s", longmsg);
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    p_error_code(&err, longmsg);
    assert_int_equal(strlen(err.code), sizeof err.code - 1);
}

static void test_reply_error_shape(void **state)
{
    (void)state;
    http_request req;
    memset(&req, 0, sizeof req);
    p_error err;
    p_error_clear(&err);
    p_fail(&err, P_EUNPROC, "title", "title <b>\"too\"</b> long");
    http_reply_error(&req, &err);
    assert_true(req.replied);
    assert_int_equal(req.status, 422);
    assert_non_null(strstr(req.content_type, "application/json"));
    json_error_t jerr;
    json_t *doc = json_loads(buf_str(&req.out), JSON_REJECT_DUPLICATES, &jerr);
    assert_non_null(doc);
    json_t *e = json_object_get(doc, "error");
    assert_true(json_is_object(e));
    assert_string_equal(json_string_value(json_object_get(e, "code")), "invalid_field");
    assert_string_equal(json_string_value(json_object_get(e, "field")), "title");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "title <b>\"too\"</b> long");
    assert_int_equal(json_object_size(doc), 1);
    json_decref(doc);
    assert_int_equal(req.n_headers, 0);
    free_reply(&req);

    /* No field: the key is absent. 401 asks for credentials. */
    memset(&req, 0, sizeof req);
    p_error_clear(&err);
    p_fail(&err, P_EAUTH, NULL, "sign in");
    http_reply_error(&req, &err);
    assert_int_equal(req.status, 401);
    doc = json_loads(buf_str(&req.out), 0, &jerr);
    assert_non_null(doc);
    e = json_object_get(doc, "error");
    assert_null(json_object_get(e, "field"));
    assert_string_equal(json_string_value(json_object_get(e, "code")), "unauthenticated");
    json_decref(doc);
    assert_int_equal(req.n_headers, 1);
    assert_string_equal(req.headers[0].name, "WWW-Authenticate");
    assert_non_null(strstr(req.headers[0].value, "Bearer"));
    free_reply(&req);

    /* An empty record still says something. */
    memset(&req, 0, sizeof req);
    p_error_clear(&err);
    err.status = P_ESTORE;
    http_reply_error(&req, &err);
    assert_int_equal(req.status, 500);
    doc = json_loads(buf_str(&req.out), 0, &jerr);
    assert_non_null(doc);
    e = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "store_error");
    assert_string_equal(json_string_value(json_object_get(e, "message")), "store_error");
    json_decref(doc);
    free_reply(&req);

    /* http_reply_fail formats the message and maps the status. */
    memset(&req, 0, sizeof req);
    http_reply_fail(&req, P_ETOOBIG, NULL, "body exceeds %d bytes", 1024);
    assert_int_equal(req.status, 413);
    doc = json_loads(buf_str(&req.out), 0, &jerr);
    assert_non_null(doc);
    e = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(e, "message")),
                        "body exceeds 1024 bytes");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "too_large");
    json_decref(doc);
    free_reply(&req);
}

static void test_redirect_local_only(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"/account", "/account"},       {"//evil.example/", "/"},     {"/\\evil.example", "/"},
        {"https://evil.example/", "/"}, {"javascript:alert(1)", "/"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_request req;
        memset(&req, 0, sizeof req);
        http_redirect(&req, cases[i].in);
        assert_int_equal(req.status, 303);
        assert_int_equal(req.n_headers, 1);
        assert_string_equal(req.headers[0].name, "Location");
        assert_string_equal(req.headers[0].value, cases[i].out);
        free_reply(&req);
    }
}

/* ---- JSON nesting guard ---- */

static bool too_deep(const char *s, int max)
{
    return http_json_too_deep(s, strlen(s), max);
}

/* n opening brackets (alternating [ and {"k":), then the closers. */
static char *nested(int n)
{
    buf b = BUF_INIT;
    for (int i = 0; i < n; i++)
        buf_puts(&b, i % 2 ? "{\"k\":" : "[");
    buf_puts(&b, "1");
    for (int i = n - 1; i >= 0; i--)
        buf_puts(&b, i % 2 ? "}" : "]");
    return buf_steal(&b, NULL);
}

static void test_json_depth_limit(void **state)
{
    (void)state;
    char *at = nested(HTTP_JSON_MAX_DEPTH), *over = nested(HTTP_JSON_MAX_DEPTH + 1);
    assert_false(too_deep(at, HTTP_JSON_MAX_DEPTH));
    assert_true(too_deep(over, HTTP_JSON_MAX_DEPTH));
    /* The guard agrees with the parser about what it lets through. */
    json_t *doc = json_loads(at, JSON_REJECT_DUPLICATES, NULL);
    assert_non_null(doc);
    json_decref(doc);
    free(at);
    free(over);

    assert_false(too_deep("", 0));
    assert_false(too_deep("1", 0));
    assert_true(too_deep("[]", 0));
    assert_false(too_deep("[]", 1));
    assert_true(too_deep("[[]]", 1));
    /* Siblings do not add up: depth is nesting, not a count of brackets. */
    assert_false(too_deep("[[],[],[],{},{\"a\":1}]", 2));
    assert_true(too_deep("[[],[],[],{},{\"a\":[]}]", 2));
    assert_true(too_deep("[[],[],[[]]]", 2));
    /* Objects count like arrays. */
    assert_true(too_deep("{\"a\":{\"b\":{\"c\":[]}}}", 3));
    assert_false(too_deep("{\"a\":{\"b\":{\"c\":[]}}}", 4));
}

static void test_json_depth_ignores_strings(void **state)
{
    (void)state;
    /* Brackets inside strings are text. */
    assert_false(too_deep("{\"k\":\"[[[[[[[[[[{{{{{{{{\"}", 1));
    assert_false(too_deep("[\"]]]]]]\", \"[[[[\"]", 1));
    /* An escaped quote does not end the string... */
    assert_false(too_deep("{\"k\":\"\\\"[[[[[[\"}", 1));
    assert_false(too_deep("{\"a\\\"[[\":\"x\\\"{{{{\\\"\"}", 1));
    /* ...but an escaped backslash before a quote does. */
    assert_true(too_deep("{\"k\":\"\\\\\",\"l\":[[]]}", 2));
    assert_false(too_deep("{\"k\":\"\\\\\",\"l\":[[]]}", 3));
    /* A string closed, then real nesting counted. */
    assert_true(too_deep("[\"x\",[[\"]\"]]]", 2));
    /* Every one of these is valid JSON that the parser accepts at the claimed depth. */
    static const char *const valid[] = {
        "{\"k\":\"[[[[[[[[[[{{{{{{{{\"}",
        "{\"k\":\"\\\"[[[[[[\"}",
        "{\"k\":\"\\\\\",\"l\":[[]]}",
    };
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        json_t *doc = json_loads(valid[i], JSON_REJECT_DUPLICATES, NULL);
        if (!doc) fail_msg("not valid JSON: %s", valid[i]);
        json_decref(doc);
    }
    /* A string left open at the end is not an error for the guard (the parser reports it). */
    assert_false(too_deep("[\"[[[[[[[[[", 1));
    /* Only len bytes are read. */
    assert_false(http_json_too_deep("[[[[", 2, 2));
    assert_true(http_json_too_deep("[[[[", 3, 2));
}

/* ---- urlencoded forms ---- */

static void parse_ok(const char *body, form *f)
{
    p_error err;
    p_error_clear(&err);
    int rc = form_parse(body, strlen(body), f, &err);
    if (rc != P_OK) fail_msg("form_parse(\"%s\") failed: %s", body, err.message);
}

static void parse_bad(const char *body, size_t len)
{
    form f;
    p_error err;
    p_error_clear(&err);
    if (form_parse(body, len, &f, &err) != P_EINVAL) fail_msg("accepted \"%.*s\"", (int)len, body);
    assert_int_equal(err.status, P_EINVAL);
    assert_string_equal(err.code, "bad_request");
    assert_int_equal(f.n, 0); /* nothing half-parsed is left behind */
}

static void test_form_decoding(void **state)
{
    (void)state;
    form f;
    parse_ok("login=officer.bishkek&password=a+b%2Bc%26d%3De&lang=ru", &f);
    assert_int_equal(f.n, 3);
    assert_string_equal(form_get(&f, "login"), "officer.bishkek");
    assert_string_equal(form_get(&f, "password"), "a b+c&d=e");
    assert_string_equal(form_get(&f, "lang"), "ru");
    assert_null(form_get(&f, "missing"));
    assert_null(form_get(&f, "Login")); /* names are case-sensitive */
    form_free(&f);
    assert_int_equal(f.n, 0);

    /* Percent escapes in names, either case of hex digits, multi-byte UTF-8. */
    parse_ok("na%6De=%D0%81%d0%b6%D0%B8&q=%e2%82%ac%20%21", &f);
    assert_string_equal(form_get(&f, "name"), "Ёжи");
    assert_string_equal(form_get(&f, "q"), "€ !");
    form_free(&f);

    /* Raw UTF-8 passes through; "%2B" stays a plus, "+" becomes a space, "%25" a percent. */
    parse_ok("t=Ёжи+%2B+%25", &f);
    assert_string_equal(form_get(&f, "t"), "Ёжи + %");
    form_free(&f);

    /* The first value of a repeated name wins; all are kept in order. */
    parse_ok("a=1&a=2&b=3", &f);
    assert_int_equal(f.n, 3);
    assert_string_equal(form_get(&f, "a"), "1");
    assert_string_equal(f.fields[1].value, "2");
    form_free(&f);

    /* '=' in a value is data. */
    parse_ok("k=v=w", &f);
    assert_string_equal(form_get(&f, "k"), "v=w");
    form_free(&f);
}

static void test_form_empty_fields(void **state)
{
    (void)state;
    form f;
    parse_ok("", &f);
    assert_int_equal(f.n, 0);
    form_free(&f);

    parse_ok("&&&", &f);
    assert_int_equal(f.n, 0);
    form_free(&f);

    /* Empty pieces between '&' are skipped; names without '=' and empty values are "". */
    parse_ok("&a=&&b&c=3&", &f);
    assert_int_equal(f.n, 3);
    assert_string_equal(form_get(&f, "a"), "");
    assert_string_equal(form_get(&f, "b"), "");
    assert_string_equal(form_get(&f, "c"), "3");
    form_free(&f);

    parse_ok("=x", &f);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.fields[0].name, "");
    assert_string_equal(f.fields[0].value, "x");
    form_free(&f);

    /* Only len bytes are parsed. */
    p_error err;
    assert_int_equal(form_parse("a=1&b=2", 3, &f, &err), P_OK);
    assert_int_equal(f.n, 1);
    assert_string_equal(form_get(&f, "a"), "1");
    assert_null(form_get(&f, "b"));
    form_free(&f);
}

static void test_form_rejects(void **state)
{
    (void)state;
#define BAD(lit) parse_bad((lit), sizeof(lit) - 1)
    /* bad percent escapes */
    BAD("a=%");
    BAD("a=%4");
    BAD("a=%G1");
    BAD("a=%1G");
    BAD("a=%%41");
    BAD("a=%-1");
    BAD("a=% 1");
    BAD("%=1");
    BAD("a=1&b=%zz");
    /* invalid UTF-8, raw or escaped */
    BAD("a=%ff");
    BAD("a=%c0%af");       /* overlong '/' */
    BAD("a=%ed%a0%80");    /* surrogate */
    BAD("a=%f4%90%80%80"); /* beyond U+10FFFF */
    BAD("a=%e2%82");       /* truncated */
    BAD("a=\xff");
    BAD("n\xc3=1");
    /* NUL, raw or escaped */
    BAD("a=%00");
    BAD("a=x\0y");
    BAD("%00=1");
#undef BAD
}

static void test_form_field_limit(void **state)
{
    (void)state;
    buf b = BUF_INIT;
    for (int i = 0; i < FORM_MAX_FIELDS; i++)
        buf_printf(&b, "%sf%d=%d", i ? "&" : "", i, i);
    form f;
    p_error err;
    assert_int_equal(form_parse(b.data, b.len, &f, &err), P_OK);
    assert_int_equal(f.n, FORM_MAX_FIELDS);
    assert_string_equal(form_get(&f, "f63"), "63");
    form_free(&f);

    /* Empty pieces do not count toward the limit... */
    buf_puts(&b, "&&&&");
    assert_int_equal(form_parse(b.data, b.len, &f, &err), P_OK);
    assert_int_equal(f.n, FORM_MAX_FIELDS);
    form_free(&f);

    /* ...one more real field does. */
    buf_puts(&b, "one=more");
    p_error_clear(&err);
    assert_int_equal(form_parse(b.data, b.len, &f, &err), P_EINVAL);
    assert_int_equal(f.n, 0);
    assert_non_null(strstr(err.message, "64"));
    buf_free(&b);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_http_every_status),
        cmocka_unit_test(test_fail_codes),
        cmocka_unit_test(test_fail_truncates),
        cmocka_unit_test(test_reply_error_shape),
        cmocka_unit_test(test_redirect_local_only),
        cmocka_unit_test(test_json_depth_limit),
        cmocka_unit_test(test_json_depth_ignores_strings),
        cmocka_unit_test(test_form_decoding),
        cmocka_unit_test(test_form_empty_fields),
        cmocka_unit_test(test_form_rejects),
        cmocka_unit_test(test_form_field_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
