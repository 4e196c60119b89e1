/* fuzz_json_body.c: JSON request bodies, checked the way http_json_body() does: UTF-8,
 * then the nesting guard, then jansson with the server's flags. Whenever the guard lets a
 * body through, parsing must not crash, and a parsed document must be as shallow as the
 * guard promised; for any document jansson accepts, the guard's verdict must match the
 * document's real depth. */
#include "fuzz_common.h"

#include "core/text.h"
#include "http/response.h"

#include <jansson.h>
#include <sodium.h>
#include <string.h>

/* The flags http_json_body() passes to json_loadb. */
#define SERVER_JSON_FLAGS JSON_REJECT_DUPLICATES

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return sodium_init() < 0 ? -1 : 0;
}

/* Nesting depth: 0 for scalars, 1 + the deepest child for arrays and objects. */
static int depth_of(json_t *j)
{
    int deepest = 0;
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
        {
            int d = depth_of(v);
            if (d > deepest) deepest = d;
        }
        return 1 + deepest;
    }
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v)
        {
            int d = depth_of(v);
            if (d > deepest) deepest = d;
        }
        return 1 + deepest;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    if (!text_utf8_valid(text, size)) return 0; /* the server answers 400 before parsing */
    bool too_deep = http_json_too_deep(text, size, HTTP_JSON_MAX_DEPTH);
    json_error_t jerr;
    json_t *doc = json_loadb(text, size, SERVER_JSON_FLAGS, &jerr);
    if (!doc) return 0;
    int depth = depth_of(doc);
    /* Brackets outside strings are exactly the nesting of a document jansson accepts, so
     * the guard neither lets deep documents through nor refuses shallow ones. */
    CHECK(too_deep == (depth > HTTP_JSON_MAX_DEPTH));
    if (!too_deep) {
        /* What the server goes on to do with an accepted body: read it, write it back. */
        char *out = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
        CHECK(out);
        CHECK(text_utf8_valid(out, strlen(out)));
        json_t *again = json_loads(out, SERVER_JSON_FLAGS, &jerr);
        CHECK(again);
        CHECK(json_equal(doc, again));
        json_decref(again);
        free(out);
    }
    json_decref(doc);
    return 0;
}
