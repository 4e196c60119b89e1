/* reference.c (framework): loading the embedded data/framework.json, and the existence
 * checks other modules validate their codes with. */
#include "framework/framework.h"
#include "auth/audit.h"
#include "core/embed.h"

#include <jansson.h>
#include <string.h>

/* Inserts each object of arr with the given columns (JSON keys of the same name, plus
 * "position" from the array order when with_position). Existing codes are kept. */
static int insert_all(store *s, json_t *arr, const char *sql, const char *const *keys,
                      bool with_position, int *inserted, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        if (!json_is_object(item))
            return p_fail(err, P_EINVAL, NULL, "framework.json: item is not an object");
        int col = 1;
        for (const char *const *k = keys; *k; k++, col++) {
            json_t *v = json_object_get(item, *k);
            store_bind_text(st, col, json_is_string(v) ? json_string_value(v) : NULL);
        }
        if (with_position) store_bind_int(st, col, (int64_t)i);
        rc = store_run(st, err);
        if (rc != P_OK) return rc;
        *inserted += store_changes(s);
    }
    return P_OK;
}

static int load_focus_areas(store *s, json_t *priorities, int *inserted, p_error *err)
{
    static const char *const keys[] = {"code", "name", "name_ru", NULL};
    size_t i;
    json_t *p;
    json_array_foreach(priorities, i, p)
    {
        json_t *areas = json_object_get(p, "focus_areas");
        const char *code = json_string_value(json_object_get(p, "code"));
        if (!json_is_array(areas) || !code) continue;
        store_stmt *st;
        size_t j;
        json_t *a;
        int rc =
            store_prepare(s,
                          "INSERT INTO focus_areas(code, name, name_ru, priority_code, position)"
                          " VALUES (?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
                          &st, err);
        if (rc != P_OK) return rc;
        json_array_foreach(areas, j, a)
        {
            int col = 1;
            for (const char *const *k = keys; *k; k++, col++)
                store_bind_text(st, col, json_string_value(json_object_get(a, *k)));
            store_bind_text(st, 4, code);
            store_bind_int(st, 5, (int64_t)j);
            rc = store_run(st, err);
            if (rc != P_OK) return rc;
            *inserted += store_changes(s);
        }
    }
    return P_OK;
}

static int audit_load(store *s, const struct actor *by, const char *kind, int inserted,
                      p_error *err)
{
    if (inserted == 0) return P_OK;
    json_t *after = json_pack("{s:s, s:i}", "source", "data/framework.json", "inserted", inserted);
    struct audit_entry e = {by->login, "load", "framework", kind, NULL, after, by->client};
    int rc = audit_append(s, &e, err);
    json_decref(after);
    return rc;
}

static int load_document(store *s, json_t *doc, const struct actor *by, p_error *err)
{
    static const char *const country_keys[] = {"code", "name", "name_ru", "status", NULL};
    static const char *const described_keys[] = {"code", "name", "name_ru", "description", NULL};
    static const char *const org_keys[] = {"code",   "name",    "name_ru", "kind",
                                           "parent", "country", NULL};
    int n = 0, rc;
    rc = insert_all(s, json_object_get(doc, "countries"),
                    "INSERT INTO countries(code, name, name_ru, status) VALUES (?,?,?,?)"
                    " ON CONFLICT(code) DO NOTHING",
                    country_keys, false, &n, err);
    if (rc == P_OK) rc = audit_load(s, by, "countries", n, err);
    n = 0;
    if (rc == P_OK)
        rc = insert_all(s, json_object_get(doc, "lines_of_action"),
                        "INSERT INTO lines_of_action(code, name, name_ru, description, position)"
                        " VALUES (?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
                        described_keys, true, &n, err);
    if (rc == P_OK) rc = audit_load(s, by, "lines_of_action", n, err);
    n = 0;
    if (rc == P_OK)
        rc = insert_all(s, json_object_get(doc, "priorities"),
                        "INSERT INTO priorities(code, name, name_ru, description, position)"
                        " VALUES (?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
                        described_keys, true, &n, err);
    if (rc == P_OK) rc = load_focus_areas(s, json_object_get(doc, "priorities"), &n, err);
    if (rc == P_OK) rc = audit_load(s, by, "priorities", n, err);
    n = 0;
    if (rc == P_OK)
        rc = insert_all(s, json_object_get(doc, "principles"),
                        "INSERT INTO principles(code, name, name_ru, description, position)"
                        " VALUES (?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
                        described_keys, true, &n, err);
    if (rc == P_OK) rc = audit_load(s, by, "principles", n, err);
    n = 0;
    if (rc == P_OK)
        rc = insert_all(
            s, json_object_get(doc, "organisations"),
            "INSERT INTO organisations(code, name, name_ru, kind, parent_code, country_code)"
            " VALUES (?,?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
            org_keys, false, &n, err);
    if (rc == P_OK) rc = audit_load(s, by, "organisations", n, err);
    return rc;
}

int framework_version(store *s, int64_t *version, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT version FROM framework_version WHERE id = 1", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    if (step < 0) return -step;
    *version = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    return P_OK;
}

int framework_version_bump(store *s, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "UPDATE framework_version SET version = version + 1 WHERE id = 1",
                           &st, err);
    if (rc != P_OK) return rc;
    return store_run(st, err);
}

int framework_load_reference(store *s, const struct actor *by, p_error *err)
{
    const struct embed_file *f = embed_find(data_files, "framework.json");
    if (!f) return p_fail(err, P_EIO, NULL, "framework.json is not embedded");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)f->data, f->size, 0, &jerr);
    if (!doc)
        return p_fail(err, P_EINVAL, NULL, "framework.json line %d: %s", jerr.line, jerr.text);
    int rc = store_begin(s, err);
    if (rc == P_OK) {
        rc = load_document(s, doc, by, err);
        if (rc == P_OK) rc = framework_version_bump(s, err);
        if (rc == P_OK)
            rc = store_commit(s, err);
        else
            store_rollback(s);
    }
    json_decref(doc);
    return rc;
}

static int exists(store *s, const char *sql, const char *code, bool *out, p_error *err)
{
    *out = false;
    if (!code) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step < 0) return -step;
    *out = step == STORE_ROW;
    store_reset(st);
    return P_OK;
}

int framework_organisation_exists(store *s, const char *code, bool *out, p_error *err)
{
    return exists(s, "SELECT 1 FROM organisations WHERE code = ?", code, out, err);
}

int framework_country_exists(store *s, const char *code, bool *out, p_error *err)
{
    return exists(s, "SELECT 1 FROM countries WHERE code = ?", code, out, err);
}

int framework_priority_exists(store *s, const char *code, bool *out, p_error *err)
{
    return exists(s, "SELECT 1 FROM priorities WHERE code = ?", code, out, err);
}

int framework_focus_area_exists(store *s, const char *code, bool *out, p_error *err)
{
    return exists(s, "SELECT 1 FROM focus_areas WHERE code = ?", code, out, err);
}

int framework_line_exists(store *s, const char *code, bool *out, p_error *err)
{
    return exists(s, "SELECT 1 FROM lines_of_action WHERE code = ?", code, out, err);
}
