/* fuzz_attributes.c: a service's questions and the answers to them (community/attributes.c).
 * The input is a JSON array [definitions, answers] or, when it is not JSON, an Open311 form
 * body. Properties: checked definitions are complete, at most ATTRIBUTES_MAX, sorted by
 * distinct orders, and check again to themselves; stored answers name only questions that
 * take an answer and check again to the same text; the Open311 form gives an object of
 * valid codes or a refusal, never both. */
#include "fuzz_common.h"

#include "community/attributes.h"
#include "core/text.h"
#include "http/form.h"

#include <jansson.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void definitions_hold(json_t *defs)
{
    CHECK(json_is_array(defs) && json_array_size(defs) <= ATTRIBUTES_MAX);
    json_int_t last = 0;
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d)
    {
        static const char *const members[] = {"code",     "datatype", "description",
                                              "required", "variable", "order"};
        for (size_t m = 0; m < sizeof members / sizeof members[0]; m++)
            CHECK(json_object_get(d, members[m]));
        json_int_t order = json_integer_value(json_object_get(d, "order"));
        CHECK(order > last);
        last = order;
        CHECK(!(json_is_true(json_object_get(d, "required")) &&
                json_is_false(json_object_get(d, "variable"))));
    }
    json_t *again = NULL;
    p_error err;
    p_error_clear(&err);
    CHECK(attributes_check_definitions(defs, &again, &err) == P_OK);
    CHECK(json_equal(defs, again));
    json_decref(again);
}

static void answers_hold(json_t *defs, json_t *answers)
{
    char *stored = NULL;
    p_error err;
    p_error_clear(&err);
    if (attributes_check_answers(defs, answers, true, &stored, &err) != P_OK) {
        CHECK(!stored);
        CHECK(err.message[0]);
        return;
    }
    CHECK(stored && text_utf8_valid(stored, strlen(stored)));
    json_t *kept = attributes_parse_stored(stored);
    const char *code;
    json_t *v;
    json_object_foreach(kept, code, v)
    {
        bool asked = false;
        size_t i;
        json_t *d;
        json_array_foreach(defs, i, d) asked =
            asked || (strcmp(json_string_value(json_object_get(d, "code")), code) == 0 &&
                      json_is_true(json_object_get(d, "variable")));
        CHECK(asked);
    }
    char *again = NULL;
    CHECK(attributes_check_answers(defs, kept, true, &again, &err) == P_OK);
    CHECK(strcmp(stored, again) == 0);
    free(again);
    json_decref(kept);
    free(stored);
}

static void open311_holds(const char *text, size_t size)
{
    form f;
    p_error err;
    p_error_clear(&err);
    if (form_parse(text, size, &f, &err) != P_OK) return;
    json_t *got = NULL;
    if (attributes_from_open311(&f, &got, &err) == P_OK) {
        const char *code;
        json_t *v;
        json_object_foreach(got, code, v)
        {
            CHECK(strlen(code) >= 1 && strlen(code) <= 40);
            CHECK(json_is_string(v) || json_is_array(v));
        }
    } else {
        CHECK(!got);
    }
    json_decref(got);
    form_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (!text_utf8_valid(text, size)) return 0;
    json_t *doc = json_loadb(text, size, JSON_REJECT_DUPLICATES, NULL);
    if (!doc) {
        open311_holds(text, size);
        return 0;
    }
    json_t *defs = NULL;
    p_error err;
    p_error_clear(&err);
    if (attributes_check_definitions(json_array_get(doc, 0), &defs, &err) == P_OK) {
        definitions_hold(defs);
        answers_hold(defs, json_array_get(doc, 1));
    } else {
        CHECK(!defs);
    }
    json_decref(defs);
    json_decref(doc);
    return 0;
}
