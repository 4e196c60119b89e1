/* test_attributes.c: the checks of a service's questions and of the answers to them
 * (community/attributes.c), and the Open311 form's attribute parameters. */
#include "community/attributes.h"
#include "http/form.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static json_t *defs_of(const char *text)
{
    json_error_t jerr;
    json_t *in = json_loads(text, 0, &jerr), *out = NULL;
    assert_non_null(in);
    p_error err;
    p_error_clear(&err);
    int rc = attributes_check_definitions(in, &out, &err);
    json_decref(in);
    if (rc != P_OK) fail_msg("definitions refused: %s", err.message);
    return out;
}

static const char questions[] =
    "[{\"code\": \"kind\", \"datatype\": \"multivaluelist\", \"description\": \"Which?\", "
    "\"order\": 5,"
    "  \"values\": [{\"key\": \"a\", \"name\": \"A\"}, {\"key\": \"b\", \"name\": \"B\"}]},"
    " {\"code\": \"n\", \"datatype\": \"number\", \"description\": \"How many?\", \"required\": "
    "true},"
    " {\"code\": \"when\", \"datatype\": \"datetime\", \"description\": \"When?\"},"
    " {\"code\": \"note\", \"datatype\": \"string\", \"description\": \"A note\", \"variable\": "
    "false}]";

static void test_definitions_completed_and_sorted(void **state)
{
    (void)state;
    json_t *d = defs_of(questions);
    assert_int_equal(json_array_size(d), 4);
    /* Defaults: order is the place (n 2, when 3, note 4); kind keeps its 5. */
    const char *order[] = {"n", "when", "note", "kind"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(d, i), "code")),
                            order[i]);
    json_t *n = json_array_get(d, 0);
    assert_true(json_is_true(json_object_get(n, "required")));
    assert_true(json_is_true(json_object_get(n, "variable")));
    assert_string_equal(json_string_value(json_object_get(n, "datatype_description")), "");
    assert_null(json_object_get(n, "values"));
    json_decref(d);
}

static void refused_definition(const char *text, const char *says)
{
    json_t *in = json_loads(text, 0, NULL), *out = NULL;
    assert_non_null(in);
    p_error err;
    p_error_clear(&err);
    assert_int_not_equal(attributes_check_definitions(in, &out, &err), P_OK);
    assert_null(out);
    assert_string_equal(err.field, "attributes");
    if (!strstr(err.message, says)) fail_msg("'%s' does not say '%s'", err.message, says);
    json_decref(in);
}

static void test_bad_definitions(void **state)
{
    (void)state;
    refused_definition("{}", "a list");
    refused_definition("[1]", "must be an object");
    refused_definition("[{\"code\": \"a.b\", \"datatype\": \"string\", \"description\": \"x\"}]",
                       "code must be");
    refused_definition("[{\"code\": \"a\", \"datatype\": \"bool\", \"description\": \"x\"}]",
                       "datatype must be");
    refused_definition("[{\"code\": \"a\", \"datatype\": \"string\"}]", "description is required");
    refused_definition("[{\"code\": \"a\", \"datatype\": \"string\", \"description\": \"x\","
                       " \"variable\": false, \"required\": true}]",
                       "cannot be required");
    refused_definition(
        "[{\"code\": \"a\", \"datatype\": \"singlevaluelist\", \"description\": \"x\"}]",
        "values must be");
    refused_definition("[{\"code\": \"a\", \"datatype\": \"string\", \"description\": \"x\"},"
                       " {\"code\": \"a\", \"datatype\": \"string\", \"description\": \"y\"}]",
                       "repeated");
    refused_definition("[{\"code\": \"a\", \"datatype\": \"string\", \"description\": \"x\", "
                       "\"order\": 2}, {\"code\": \"b\", \"datatype\": \"string\", "
                       "\"description\": \"y\"}]",
                       "order 2 is taken");
    refused_definition("[{\"code\": \"a\", \"datatype\": \"string\", \"description\": \"x\", "
                       "\"colour\": 1}]",
                       "unknown member");
}

/* Checks answers (JSON text) against the questions; returns the stored text or NULL, with
 * the refusal in *err. */
static char *answers(json_t *defs, const char *text, bool enforce, p_error *err)
{
    json_t *in = text ? json_loads(text, 0, NULL) : NULL;
    char *out = NULL;
    p_error_clear(err);
    if (attributes_check_answers(defs, in, enforce, &out, err) != P_OK) assert_null(out);
    json_decref(in);
    return out;
}

static void test_answers(void **state)
{
    (void)state;
    json_t *d = defs_of(questions);
    p_error err;
    char *out =
        answers(d, "{\"n\": \"12.5\", \"kind\": \"b\", \"when\": \"2026-11-20T18:00:00+06:00\"}",
                true, &err);
    assert_non_null(out);
    assert_string_equal(out,
                        "{\"kind\":[\"b\"],\"n\":\"12.5\",\"when\":\"2026-11-20T18:00:00+06:00\"}");
    free(out);
    out = answers(d, "{\"n\": \"1\", \"kind\": [], \"when\": \"\"}", true, &err);
    assert_string_equal(out, "{\"n\":\"1\"}"); /* empty answers are no answers */
    free(out);
    static const struct {
        const char *text, *field;
        p_status status;
    } bad[] = {
        {"{}", "attribute[n]", P_EUNPROC},
        {"{\"n\": \"\"}", "attribute[n]", P_EUNPROC},
        {"{\"n\": \"0x10\"}", "attribute[n]", P_EINVAL},
        {"{\"n\": \"nan\"}", "attribute[n]", P_EINVAL},
        {"{\"n\": \"1e999\"}", "attribute[n]", P_EINVAL},
        {"{\"n\": \" 1\"}", "attribute[n]", P_EINVAL},
        {"{\"n\": 3}", "attribute[n]", P_EINVAL},
        {"{\"n\": \"1\", \"when\": \"2026-02-30\"}", "attribute[when]", P_EINVAL},
        {"{\"n\": \"1\", \"when\": \"2026-11-20T18:00:00+25:00\"}", "attribute[when]", P_EINVAL},
        {"{\"n\": \"1\", \"when\": \"2026-11-20T18:00:00\"}", "attribute[when]", P_EINVAL},
        {"{\"n\": \"1\", \"kind\": [\"a\", \"a\"]}", "attribute[kind]", P_EINVAL},
        {"{\"n\": \"1\", \"kind\": [\"c\"]}", "attribute[kind]", P_EINVAL},
        {"{\"n\": \"1\", \"note\": \"x\"}", "attribute[note]", P_EINVAL},
        {"{\"n\": \"1\", \"other\": \"x\"}", "attribute[other]", P_EINVAL},
        {"[\"n\"]", "attributes", P_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        out = answers(d, bad[i].text, true, &err);
        if (out) fail_msg("accepted %s as %s", bad[i].text, out);
        assert_string_equal(err.field, bad[i].field);
        assert_int_equal(err.status, bad[i].status);
    }
    /* A channel that cannot ask (SMS) leaves a required question unanswered. */
    out = answers(d, NULL, false, &err);
    assert_string_equal(out, "{}");
    free(out);
    json_decref(d);
}

static void test_open311_parameters(void **state)
{
    (void)state;
    static const char body[] = "service_code=x&attribute%5Bn%5D=3&attribute%5Bkind%5D%5B%5D=a"
                               "&attribute%5Bkind%5D%5B%5D=b&attribute%5Bempty%5D=";
    form f;
    p_error err;
    p_error_clear(&err);
    assert_int_equal(form_parse(body, strlen(body), &f, &err), P_OK);
    json_t *got = NULL;
    assert_int_equal(attributes_from_open311(&f, &got, &err), P_OK);
    char *text = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"kind\":[\"a\",\"b\"],\"n\":\"3\"}");
    free(text);
    json_decref(got);
    form_free(&f);
    static const char *const bad[] = {"attribute%5Bn=1", "attribute%5Ba.b%5D=1",
                                      "attribute%5Bn%5Dx=1", "attribute%5B%5D=1",
                                      "attribute%5Bn%5D=1&attribute%5Bn%5D%5B%5D=2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(form_parse(bad[i], strlen(bad[i]), &f, &err), P_OK);
        assert_int_equal(attributes_from_open311(&f, &got, &err), P_EINVAL);
        assert_null(got);
        form_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_definitions_completed_and_sorted),
        cmocka_unit_test(test_bad_definitions),
        cmocka_unit_test(test_answers),
        cmocka_unit_test(test_open311_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
