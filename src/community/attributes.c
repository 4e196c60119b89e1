/* attributes.c (community): checks the questions a service asks (Open311 service
 * attributes) and the answers a concern gives to them, and reads a service's questions. */
#include "community/attributes.h"

#include "core/mem.h"
#include "http/form.h"
#include "core/text.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const datatypes[] = {"string", "number",          "datetime",
                                        "text",   "singlevaluelist", "multivaluelist"};

static bool is_list(const char *datatype)
{
    return strcmp(datatype, "singlevaluelist") == 0 || strcmp(datatype, "multivaluelist") == 0;
}

/* A code or a choice's key: 1-40 of A-Z a-z 0-9 _ -. */
static bool key_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 40) return false;
    for (const char *c = s; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-') return false;
    return true;
}

/* A string member of o, at most max characters (required: at least one). *out is the text,
 * "" when absent and optional. */
static int text_of(json_t *o, const char *name, size_t max, bool required, size_t place,
                   const char **out, p_error *err)
{
    json_t *v = json_object_get(o, name);
    *out = "";
    if (!v || json_is_null(v)) {
        if (!required) return P_OK;
        return p_fail(err, P_EUNPROC, "attributes", "attribute %zu: %s is required", place, name);
    }
    if (!json_is_string(v))
        return p_fail(err, P_EINVAL, "attributes", "attribute %zu: %s must be a string", place,
                      name);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || text_utf8_len(s, len) > max)
        return p_fail(err, P_EINVAL, "attributes",
                      "attribute %zu: %s must be text of at most %zu characters", place, name, max);
    if (required && len == 0)
        return p_fail(err, P_EUNPROC, "attributes", "attribute %zu: %s is required", place, name);
    *out = s;
    return P_OK;
}

static int flag_of(json_t *o, const char *name, bool def, size_t place, bool *out, p_error *err)
{
    json_t *v = json_object_get(o, name);
    *out = def;
    if (!v || json_is_null(v)) return P_OK;
    if (!json_is_boolean(v))
        return p_fail(err, P_EINVAL, "attributes", "attribute %zu: %s must be true or false", place,
                      name);
    *out = json_is_true(v);
    return P_OK;
}

/* The choices of a list question: [{key, name}], checked; *out the caller's. */
static int values_of(json_t *v, size_t place, json_t **out, p_error *err)
{
    *out = NULL;
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n == 0 || n > ATTRIBUTE_VALUES_MAX)
        return p_fail(err, P_EINVAL, "attributes",
                      "attribute %zu: values must be a list of 1 to %d choices {key, name}", place,
                      ATTRIBUTE_VALUES_MAX);
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(v, i);
        const char *key = json_string_value(json_object_get(item, "key"));
        const char *name = "", *name_ru = "";
        int rc = P_OK;
        if (!json_is_object(item) || !key_ok(key))
            rc = p_fail(err, P_EINVAL, "attributes",
                        "attribute %zu, value %zu: key must be 1-40 of A-Z, a-z, 0-9, _ and -",
                        place, i + 1);
        if (rc == P_OK) rc = text_of(item, "name", 120, true, place, &name, err);
        if (rc == P_OK) rc = text_of(item, "name_ru", 120, false, place, &name_ru, err);
        for (size_t k = 0; rc == P_OK && k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(list, k), "key")), key) ==
                0)
                rc = p_fail(err, P_EINVAL, "attributes", "attribute %zu: the key %s is repeated",
                            place, key);
        if (rc != P_OK) {
            json_decref(list);
            return rc;
        }
        json_t *choice = json_pack("{s:s, s:s}", "key", key, "name", name);
        if (*name_ru) json_object_set_new(choice, "name_ru", json_string(name_ru));
        json_array_append_new(list, choice);
    }
    *out = list;
    return P_OK;
}

/* One definition, checked and completed; *out the caller's. */
static int definition(json_t *d, size_t place, json_t **out, p_error *err)
{
    *out = NULL;
    if (!json_is_object(d))
        return p_fail(err, P_EINVAL, "attributes", "attribute %zu must be an object", place);
    static const char *const known[] = {
        "code",     "datatype", "description",          "description_ru", "required",
        "variable", "order",    "datatype_description", "values"};
    const char *k;
    json_t *v;
    json_object_foreach(d, k, v)
    {
        bool ok = false;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok)
            return p_fail(err, P_EINVAL, "attributes", "attribute %zu: unknown member %.40s", place,
                          k);
    }
    const char *code = json_string_value(json_object_get(d, "code"));
    if (!key_ok(code))
        return p_fail(err, P_EINVAL, "attributes",
                      "attribute %zu: code must be 1-40 of A-Z, a-z, 0-9, _ and -", place);
    const char *type = json_string_value(json_object_get(d, "datatype"));
    bool type_ok = false;
    for (size_t i = 0; type && i < sizeof datatypes / sizeof datatypes[0]; i++)
        type_ok = type_ok || strcmp(type, datatypes[i]) == 0;
    if (!type_ok)
        return p_fail(err, P_EINVAL, "attributes",
                      "attribute %zu: datatype must be string, number, datetime, text,"
                      " singlevaluelist or multivaluelist",
                      place);
    const char *desc, *desc_ru, *type_desc;
    bool required, variable;
    int rc = text_of(d, "description", 500, true, place, &desc, err);
    if (rc == P_OK) rc = text_of(d, "description_ru", 500, false, place, &desc_ru, err);
    if (rc == P_OK) rc = text_of(d, "datatype_description", 200, false, place, &type_desc, err);
    if (rc == P_OK) rc = flag_of(d, "required", false, place, &required, err);
    if (rc == P_OK) rc = flag_of(d, "variable", true, place, &variable, err);
    if (rc != P_OK) return rc;
    if (required && !variable)
        return p_fail(err, P_EUNPROC, "attributes",
                      "attribute %zu: an informational attribute (variable false) cannot be"
                      " required",
                      place);
    json_t *order = json_object_get(d, "order");
    json_int_t ord = (json_int_t)place;
    if (order && !json_is_null(order)) {
        if (!json_is_integer(order) || json_integer_value(order) < 1 ||
            json_integer_value(order) > 1000)
            return p_fail(err, P_EINVAL, "attributes",
                          "attribute %zu: order must be a whole number from 1 to 1000", place);
        ord = json_integer_value(order);
    }
    json_t *values = json_object_get(d, "values");
    json_t *checked = NULL;
    if (is_list(type)) {
        rc = values_of(values, place, &checked, err);
        if (rc != P_OK) return rc;
    } else if (values && !json_is_null(values) && json_array_size(values) > 0) {
        return p_fail(err, P_EINVAL, "attributes",
                      "attribute %zu: only singlevaluelist and multivaluelist take values", place);
    }
    *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I}", "code", code, "datatype", type,
                     "description", desc, "description_ru", desc_ru, "datatype_description",
                     type_desc, "required", required, "variable", variable, "order", ord);
    if (checked) json_object_set_new(*out, "values", checked);
    return P_OK;
}

static int by_order(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "order"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "order"));
    return (x > y) - (x < y);
}

int attributes_check_definitions(json_t *defs, json_t **out, p_error *err)
{
    *out = NULL;
    size_t n = json_array_size(defs);
    if (!json_is_array(defs) || n > ATTRIBUTES_MAX)
        return p_fail(err, P_EINVAL, "attributes", "attributes must be a list of at most %d",
                      ATTRIBUTES_MAX);
    json_t **items = xcalloc(n + 1, sizeof *items);
    int rc = P_OK;
    size_t made = 0;
    for (; rc == P_OK && made < n; made++) {
        rc = definition(json_array_get(defs, made), made + 1, &items[made], err);
        for (size_t k = 0; rc == P_OK && k < made; k++) {
            const char *a = json_string_value(json_object_get(items[k], "code"));
            const char *b = json_string_value(json_object_get(items[made], "code"));
            if (strcmp(a, b) == 0)
                rc = p_fail(err, P_EINVAL, "attributes", "attribute %zu: the code %s is repeated",
                            made + 1, b);
            else if (json_integer_value(json_object_get(items[k], "order")) ==
                     json_integer_value(json_object_get(items[made], "order")))
                rc = p_fail(err, P_EINVAL, "attributes",
                            "attribute %zu: order %lld is taken by attribute %zu", made + 1,
                            (long long)json_integer_value(json_object_get(items[made], "order")),
                            k + 1);
        }
    }
    if (rc == P_OK) {
        qsort(items, n, sizeof *items, by_order);
        *out = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append(*out, items[i]);
    }
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    free(items);
    return rc;
}

int attributes_of_service(store *s, const char *code, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT attributes FROM services WHERE code = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code ? code : "");
    int step = store_step(st, err);
    if (step == STORE_ROW) *out = attributes_parse_definitions(store_col_text(st, 0));
    store_reset(st);
    if (step < 0) return -step;
    if (!*out) return p_fail(err, P_ENOTFOUND, "service_code", "no service %s", code ? code : "");
    return P_OK;
}

/* "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS+HH:MM" / "-HH:MM". */
static bool datetime_ok(const char *s)
{
    if (text_is_timestamp(s)) return true;
    size_t n = strlen(s);
    if (n != 25 || (s[19] != '+' && s[19] != '-') || s[22] != ':') return false;
    char utc[21];
    memcpy(utc, s, 19);
    utc[19] = 'Z';
    utc[20] = '\0';
    int64_t hh, mm;
    char h[3] = {s[20], s[21], 0}, m[3] = {s[23], s[24], 0};
    return text_is_timestamp(utc) && isdigit((unsigned char)h[0]) && isdigit((unsigned char)m[0]) &&
           text_parse_int64(h, 0, 14, &hh) && text_parse_int64(m, 0, 59, &mm);
}

/* A decimal number as people write one: digits, one sign, one point, an exponent; no hex,
 * "inf" or "nan" (which strtod would take). */
static bool number_ok(const char *s)
{
    if (!*s || strlen(s) > 40 || strspn(s, "0123456789+-.eE") != strlen(s)) return false;
    char *end = NULL;
    double d = strtod(s, &end);
    return end && *end == '\0' && isfinite(d);
}

static bool choice_ok(json_t *def, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(def, "values"), i,
                       v) if (strcmp(json_string_value(json_object_get(v, "key")), key) ==
                              0) return true;
    return false;
}

static json_t *definition_of(json_t *defs, const char *code)
{
    size_t i;
    json_t *d;
    json_array_foreach(
        defs, i, d) if (strcmp(json_string_value(json_object_get(d, "code")), code) == 0) return d;
    return NULL;
}

/* True when an answer is empty: "", [] or null. */
static bool unanswered(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
           (json_is_array(v) && json_array_size(v) == 0);
}

/* Checks one answer to def; *out is what is stored (a string, or an array of keys). */
static int answer(json_t *def, const char *code, json_t *v, json_t **out, p_error *err)
{
    char field[64];
    snprintf(field, sizeof field, "attribute[%s]", code);
    const char *type = json_string_value(json_object_get(def, "datatype"));
    *out = NULL;
    if (strcmp(type, "multivaluelist") == 0) {
        json_t *keys = json_is_string(v) ? json_pack("[O]", v) : json_incref(v);
        int rc = json_is_array(keys)
                     ? P_OK
                     : p_fail(err, P_EINVAL, field, "%s must be a list of choices", field);
        size_t i;
        json_t *k;
        json_array_foreach(keys, i, k)
        {
            if (rc != P_OK) break;
            if (!json_is_string(k) || !choice_ok(def, json_string_value(k)))
                rc = p_fail(err, P_EINVAL, field, "%s: %.40s is not one of its choices", field,
                            json_is_string(k) ? json_string_value(k) : "a non-string");
            for (size_t j = 0; rc == P_OK && j < i; j++)
                if (json_equal(json_array_get(keys, j), k))
                    rc = p_fail(err, P_EINVAL, field, "%s: %s is given twice", field,
                                json_string_value(k));
        }
        if (rc != P_OK) {
            json_decref(keys);
            return rc;
        }
        *out = keys;
        return P_OK;
    }
    if (!json_is_string(v))
        return p_fail(err, P_EINVAL, field, "%s must be one value, as text", field);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (strlen(s) != len || !text_utf8_valid(s, len))
        return p_fail(err, P_EINVAL, field, "%s is not valid UTF-8 text", field);
    bool ok = true;
    const char *why = "";
    if (strcmp(type, "string") == 0) {
        ok = text_utf8_len(s, len) <= ATTRIBUTE_STRING_MAX && !strpbrk(s, "\r\n");
        why = "one line of at most 200 characters";
    } else if (strcmp(type, "text") == 0) {
        ok = text_utf8_len(s, len) <= ATTRIBUTE_TEXT_MAX;
        why = "text of at most 4000 characters";
    } else if (strcmp(type, "number") == 0) {
        ok = number_ok(s);
        why = "a number";
    } else if (strcmp(type, "datetime") == 0) {
        ok = datetime_ok(s);
        why = "a date (YYYY-MM-DD) or a time (YYYY-MM-DDTHH:MM:SS with Z or an offset)";
    } else {
        ok = choice_ok(def, s);
        why = "one of its choices";
    }
    if (!ok) return p_fail(err, P_EINVAL, field, "%s must be %s", field, why);
    *out = json_incref(v);
    return P_OK;
}

int attributes_check_answers(json_t *defs, json_t *answers, bool enforce_required, char **out,
                             p_error *err)
{
    *out = NULL;
    if (answers && !json_is_null(answers) && !json_is_object(answers))
        return p_fail(err, P_EINVAL, "attributes",
                      "attributes must be an object of answers by attribute code");
    json_t *stored = json_object();
    const char *code;
    json_t *v;
    int rc = P_OK;
    json_object_foreach(answers, code, v)
    {
        if (unanswered(v)) continue;
        json_t *def = definition_of(defs, code);
        char field[64];
        snprintf(field, sizeof field, "attribute[%.40s]", code);
        if (!def)
            rc = p_fail(err, P_EINVAL, field, "%s is not asked by this service", field);
        else if (!json_is_true(json_object_get(def, "variable")))
            rc = p_fail(err, P_EINVAL, field, "%s is a note and takes no answer", field);
        json_t *kept = NULL;
        if (rc == P_OK) rc = answer(def, code, v, &kept, err);
        if (rc != P_OK) break;
        json_object_set_new(stored, code, kept);
    }
    size_t i;
    json_t *def;
    json_array_foreach(defs, i, def)
    {
        if (rc != P_OK || !enforce_required) break;
        const char *c = json_string_value(json_object_get(def, "code"));
        if (!json_is_true(json_object_get(def, "required")) || json_object_get(stored, c)) continue;
        char field[64];
        snprintf(field, sizeof field, "attribute[%s]", c);
        rc = p_fail(err, P_EUNPROC, field, "%s is required: %s", field,
                    json_string_value(json_object_get(def, "description")));
    }
    if (rc == P_OK) *out = json_dumps(stored, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(stored);
    if (rc == P_OK && !*out) return p_fail(err, P_EIO, NULL, "out of memory");
    return rc;
}

json_t *attributes_parse_stored(const char *text)
{
    json_t *o = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_object(o)) return o;
    json_decref(o);
    return json_object();
}

json_t *attributes_parse_definitions(const char *text)
{
    json_t *a = text ? json_loads(text, 0, NULL) : NULL;
    if (json_is_array(a)) return a;
    json_decref(a);
    return json_array();
}

int attributes_from_open311(const form *f, json_t **out, p_error *err)
{
    *out = json_object();
    for (int i = 0; i < f->n; i++) {
        const char *name = f->fields[i].name, *value = f->fields[i].value;
        if (strncmp(name, "attribute[", 10) != 0) continue;
        const char *code = name + 10, *close = strchr(code, ']');
        char key[41];
        size_t len = close ? (size_t)(close - code) : 0;
        bool many = close && strcmp(close, "][]") == 0;
        if (len > 0 && len < sizeof key) {
            memcpy(key, code, len);
            key[len] = '\0';
        }
        if (len == 0 || len >= sizeof key || !key_ok(key) || (!many && strcmp(close, "]") != 0)) {
            json_decref(*out);
            *out = NULL;
            return p_fail(err, P_EINVAL, "attribute",
                          "%.60s is not an attribute parameter: attribute[CODE] or "
                          "attribute[CODE][]",
                          name);
        }
        json_t *have = json_object_get(*out, key);
        if (have && json_is_array(have) != many) {
            json_decref(*out);
            *out = NULL;
            return p_fail(err, P_EINVAL, "attribute",
                          "attribute[%s] is given both as one value and as a list", key);
        }
        if (!*value) continue;
        if (!many) {
            json_object_set_new(*out, key, json_string(value));
            continue;
        }
        if (!have) {
            have = json_array();
            json_object_set_new(*out, key, have);
        }
        json_array_append_new(have, json_string(value));
    }
    return P_OK;
}
