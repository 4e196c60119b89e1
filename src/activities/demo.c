/* demo.c (activities): the demo activities that `polis init --demo` loads from the embedded
 * data/demo/activities.json (activities the Strategic Framework text describes), and the
 * lookup by title and lead organisation that keeps loading them a second time harmless. */
#include "activities/activities.h"
#include "core/embed.h"

#include <string.h>

int activities_find_by_title(store *s, const char *title_en, const char *lead_org, char *public_id,
                             size_t size, bool *found, p_error *err)
{
    *found = false;
    if (public_id && size > 0) public_id[0] = '\0';
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT public_id FROM activities WHERE title_en = ? AND lead_org = ?"
                           " ORDER BY id LIMIT 1",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, title_en);
    store_bind_text(st, 2, lead_org);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_ROW) {
        *found = true;
        if (public_id && size > 0) {
            const char *id = store_col_text(st, 0);
            size_t n = strlen(id);
            if (n >= size) {
                store_reset(st);
                return p_fail(err, P_EINVAL, "public_id", "public id %s does not fit", id);
            }
            memcpy(public_id, id, n + 1);
        }
    }
    store_reset(st);
    return P_OK;
}

/* Creates one demo item unless an activity with its English title and lead organisation
 * exists; errors name the item so a broken demo file is easy to mend. */
static int load_item(store *s, json_t *item, size_t index, const struct actor *by, p_error *err)
{
    const char *title = json_string_value(json_object_get(json_object_get(item, "title"), "en"));
    const char *lead = json_string_value(json_object_get(item, "lead_org"));
    if (!title || !lead)
        return p_fail(err, P_EINVAL, NULL, "demo activity %zu has no title.en or lead_org", index);
    bool found = false;
    int rc = activities_find_by_title(s, title, lead, NULL, 0, &found, err);
    if (rc != P_OK || found) return rc;
    p_error e;
    p_error_clear(&e);
    rc = activities_create(s, item, by, NULL, &e);
    if (rc != P_OK)
        return p_fail(err, (p_status)rc, e.field[0] ? e.field : NULL, "demo activity '%.80s': %s",
                      title, e.message);
    return P_OK;
}

int activities_load_demo(store *s, const struct actor *by, p_error *err)
{
    const struct embed_file *f = embed_find(data_files, "demo/activities.json");
    if (!f) return p_fail(err, P_EIO, NULL, "demo/activities.json is not embedded");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)f->data, f->size, 0, &jerr);
    if (!doc)
        return p_fail(err, P_EINVAL, NULL, "demo/activities.json line %d: %s", jerr.line,
                      jerr.text);
    json_t *items = json_object_get(doc, "activities");
    int rc = P_OK;
    if (!json_is_array(items))
        rc = p_fail(err, P_EINVAL, NULL, "demo/activities.json has no activities array");
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        if (rc != P_OK) break;
        rc = load_item(s, item, i, by, err);
    }
    json_decref(doc);
    return rc;
}
