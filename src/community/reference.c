/* reference.c (community): loads the services (categories of concerns) from the embedded
 * data/community.json; a service whose code exists is left as it is, so editing one later
 * survives another polis init. */
#include "community/community.h"
#include "community/attributes.h"

#include "auth/audit.h"
#include "core/embed.h"

#include <stdlib.h>
#include <string.h>

static int load_service(store *s, json_t *sv, int position, const struct actor *by, p_error *err)
{
    const char *code = json_string_value(json_object_get(sv, "code"));
    if (!code) return p_fail(err, P_EINVAL, NULL, "data/community.json: a service has no code");
    json_t *attrs = NULL, *given = json_object_get(sv, "attributes");
    int rc = given ? attributes_check_definitions(given, &attrs, err) : P_OK;
    if (rc != P_OK) return rc;
    char *attrs_text = attrs ? json_dumps(attrs, JSON_COMPACT) : NULL;
    json_decref(attrs);
    store_stmt *st;
    rc = store_prepare(s,
                       "INSERT INTO services(code, name, name_ru, description, group_name,"
                       " keywords, due_days, conduct, position, attributes)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO NOTHING",
                       &st, err);
    if (rc != P_OK) {
        free(attrs_text);
        return rc;
    }
    store_bind_text(st, 10, attrs_text ? attrs_text : "[]");
    const char *fields[] = {"name", "name_ru", "description", "group", "keywords"};
    store_bind_text(st, 1, code);
    for (int i = 0; i < 5; i++) {
        const char *v = json_string_value(json_object_get(sv, fields[i]));
        store_bind_text(st, 2 + i, v ? v : "");
    }
    json_t *due = json_object_get(sv, "due_days");
    store_bind_int(st, 7, json_is_integer(due) ? json_integer_value(due) : 14);
    store_bind_int(st, 8, json_is_true(json_object_get(sv, "conduct")) ? 1 : 0);
    store_bind_int(st, 9, position);
    rc = store_run(st, err);
    free(attrs_text);
    if (rc == P_OK && store_changes(s) > 0) {
        struct audit_entry e = {by->login, "create", "service", code, NULL, sv, by->client};
        rc = audit_append(s, &e, err);
    }
    return rc;
}

int community_load_reference(store *s, const struct actor *by, p_error *err)
{
    const struct embed_file *f = embed_find(data_files, "community.json");
    if (!f) return p_fail(err, P_EIO, NULL, "community.json is not embedded");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)f->data, f->size, 0, &jerr);
    if (!doc)
        return p_fail(err, P_EINVAL, NULL, "community.json line %d: %s", jerr.line, jerr.text);
    int rc = store_begin(s, err);
    size_t i;
    json_t *sv;
    json_array_foreach(json_object_get(doc, "services"), i, sv)
    {
        if (rc != P_OK) break;
        rc = load_service(s, sv, (int)i + 1, by, err);
    }
    if (rc == P_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    json_decref(doc);
    return rc;
}

/* The services whose active flag is active, in their order. */
static int services_list(store *s, bool active, json_t **items, p_error *err)
{
    *items = NULL;
    store_stmt *st;
    int rc =
        store_prepare(s,
                      "SELECT code, name, name_ru, description, group_name, keywords, due_days,"
                      " conduct, attributes FROM services WHERE active = ?"
                      " ORDER BY position, code",
                      &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, active ? 1 : 0);
    json_t *out = json_array();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW)
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:o}", "code",
                           store_col_text(st, 0), "name", store_col_text(st, 1), "name_ru",
                           store_col_text(st, 2), "description", store_col_text(st, 3), "group",
                           store_col_text(st, 4), "keywords", store_col_text(st, 5), "due_days",
                           (json_int_t)store_col_int(st, 6), "conduct", store_col_int(st, 7) != 0,
                           "attributes", attributes_parse_definitions(store_col_text(st, 8))));
    store_reset(st);
    if (step < 0) {
        json_decref(out);
        return -step;
    }
    *items = out;
    return P_OK;
}

int community_services(store *s, json_t **items, p_error *err)
{
    return services_list(s, true, items, err);
}

int community_services_retired(store *s, json_t **items, p_error *err)
{
    return services_list(s, false, items, err);
}
