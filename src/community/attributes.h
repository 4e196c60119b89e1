/* attributes.h (community): the questions a service asks beyond the description (Open311
 * calls them service attributes: "Is anyone in danger now?", "Which school?") and the
 * answers a concern gives to them. Definitions live with the service, answers with the
 * concern; both are checked here, the same way for every channel. */
#ifndef POLIS_COMMUNITY_ATTRIBUTES_H
#define POLIS_COMMUNITY_ATTRIBUTES_H

#include "core/err.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>

enum {
    ATTRIBUTES_MAX = 20,        /* questions a service may ask */
    ATTRIBUTE_VALUES_MAX = 50,  /* choices of a list question */
    ATTRIBUTE_STRING_MAX = 200, /* characters of a string answer (one line) */
    ATTRIBUTE_TEXT_MAX = 4000,  /* characters of a text answer */
};

/* Checks the `attributes` member of a service: an array of at most ATTRIBUTES_MAX objects
 * {code (1-40 of A-Z a-z 0-9 _ -, unique), datatype (string, number, datetime, text,
 * singlevaluelist, multivaluelist), description (1-500 characters), description_ru
 * (optional), datatype_description (optional, up to 200), required (default false),
 * variable (default true; false: an informational note that takes no answer and cannot be
 * required), order (a positive integer, unique; default: its place in the array),
 * values ([{key, name, name_ru (optional)}], 1 to ATTRIBUTE_VALUES_MAX with unique keys,
 * for the list types only)}. P_EINVAL / P_EUNPROC naming "attributes" with the place and member in
 * the message. On success *out (the caller releases it) is the array with every member present,
 * sorted by order. */
MUST_CHECK int attributes_check_definitions(json_t *defs, json_t **out, p_error *err);

/* The definitions of service code (an array, empty when it asks nothing); *out is the
 * caller's. P_ENOTFOUND naming service_code when there is no such service. */
MUST_CHECK int attributes_of_service(store *s, const char *code, json_t **out, p_error *err);

/* Checks answers (an object: code -> string, or an array of strings for a multivaluelist;
 * NULL or empty: none) against defs (checked definitions). Empty strings and arrays count
 * as not answered; required questions are enforced only when enforce_required (a channel
 * that cannot put the questions, such as a text message, does not). Errors name the field
 * "attribute[CODE]": P_EINVAL for an answer to a question the service does not ask, to an
 * informational one, of the wrong type or not among the choices; P_EUNPROC for a required question
 * left unanswered. On success *out (the caller frees it) is the compact JSON text to store: "{}"
 * when none. */
MUST_CHECK int attributes_check_answers(json_t *defs, json_t *answers, bool enforce_required,
                                        char **out, p_error *err);

/* Collects an Open311 form's attribute[CODE]=value and attribute[CODE][]=value (repeated,
 * for a multivaluelist) parameters into *out {CODE: value or [values]} (the caller's;
 * empty values are left out). P_EINVAL naming the parameter when a name is malformed or a
 * code is given both ways. */
struct form;
MUST_CHECK int attributes_from_open311(const struct form *f, json_t **out, p_error *err);

/* A service's stored definitions (JSON text) as an array; a text that does not parse gives
 * an empty array (never NULL). The caller releases it. */
json_t *attributes_parse_definitions(const char *text);

/* The answers stored with a concern (JSON text, "{}" when none) as an object; a stored
 * text that does not parse gives an empty object (never NULL). */
json_t *attributes_parse_stored(const char *text);

#endif
