/* demo.c (community): loads data/demo/community.json — the Community Security Initiative of
 * the source text as places, stations, forums, minibuses, visits and concerns — once. The
 * structure (areas, sites, forums, vehicles, visits) is written with one audit entry per
 * record; concerns go through concern_create and concern_advance like any other. */
#include "community/internal.h"

#include "auth/audit.h"
#include "core/embed.h"

#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Runs sql with the text values of keys of item bound in order (NULL for a missing key, an
 * integer for a key whose value is one); audits it as entity named by code. */
static int insert(store *s, const char *sql, json_t *item, const char *const *keys,
                  const char *entity, const struct actor *by, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    for (int i = 0; keys[i]; i++) {
        json_t *v = json_object_get(item, keys[i]);
        if (json_is_integer(v))
            store_bind_int(st, i + 1, json_integer_value(v));
        else if (json_is_string(v))
            store_bind_text(st, i + 1, json_string_value(v));
        else
            store_bind_null(st, i + 1);
    }
    rc = store_run(st, err);
    const char *code = str(item, "code");
    char id[32];
    if (!code) {
        snprintf(id, sizeof id, "%lld", (long long)store_last_insert_id(s));
        code = id;
    }
    struct audit_entry e = {by->login, "create", entity, code, NULL, item, by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    return rc;
}

static int load_structure(store *s, json_t *doc, const struct actor *by, p_error *err)
{
    size_t i, j;
    json_t *it, *a;
    int rc = P_OK;
    json_array_foreach(json_object_get(doc, "areas"), i, it) if (rc == P_OK) rc =
        insert(s,
               "INSERT INTO areas(code, parent_id, level, name, name_ru, country_code)"
               " VALUES (?1, (SELECT id FROM areas WHERE code = ?2), ?3, ?4, ?5, 'KG')",
               it, (const char *const[]){"code", "parent", "level", "name", "name_ru", NULL},
               "area", by, err);
    json_array_foreach(json_object_get(doc, "sites"), i, it) if (rc == P_OK) rc =
        insert(s,
               "INSERT INTO sites(code, name, name_ru, area_id)"
               " VALUES (?1, ?2, ?3, (SELECT id FROM areas WHERE code = ?4))",
               it, (const char *const[]){"code", "name", "name_ru", "area", NULL}, "site", by, err);
    json_array_foreach(json_object_get(doc, "forums"), i, it)
    {
        if (rc == P_OK)
            rc = insert(s,
                        "INSERT INTO forums(code, kind, name, name_ru, site_id)"
                        " VALUES (?1, ?2, ?3, ?4, (SELECT id FROM sites WHERE code = ?5))",
                        it, (const char *const[]){"code", "kind", "name", "name_ru", "site", NULL},
                        "forum", by, err);
        json_array_foreach(json_object_get(it, "areas"), j, a)
        {
            store_stmt *st;
            if (rc == P_OK)
                rc = store_prepare(
                    s,
                    "INSERT INTO forum_areas(forum_id, area_id) VALUES ((SELECT id FROM"
                    " forums WHERE code = ?), (SELECT id FROM areas WHERE code = ?))",
                    &st, err);
            if (rc == P_OK) {
                store_bind_text(st, 1, str(it, "code"));
                store_bind_text(st, 2, json_string_value(a));
                rc = store_run(st, err);
            }
        }
        json_array_foreach(json_object_get(it, "members"), j, a)
        {
            json_t *m = json_pack("{s:s, s:s?, s:s?}", "forum", str(it, "code"), "name",
                                  str(a, "name"), "role", str(a, "role"));
            if (rc == P_OK)
                rc = insert(
                    s,
                    "INSERT INTO forum_members(forum_id, name, role)"
                    " VALUES ((SELECT id FROM forums WHERE code = ?1), ?2, COALESCE(?3, ''))",
                    m, (const char *const[]){"forum", "name", "role", NULL}, "forum_member", by,
                    err);
            json_decref(m);
        }
    }
    json_array_foreach(json_object_get(doc, "vehicles"), i, it) if (rc == P_OK) rc =
        insert(s,
               "INSERT INTO vehicles(code, plate, site_id)"
               " VALUES (?1, ?2, (SELECT id FROM sites WHERE code = ?3))",
               it, (const char *const[]){"code", "plate", "site", NULL}, "vehicle", by, err);
    json_array_foreach(json_object_get(doc, "visits"), i, it) if (rc == P_OK) rc =
        insert(s,
               "INSERT INTO visits(vehicle_id, area_id, officer, community_rep, planned_date,"
               " actual_date, citizens_received, status) VALUES ((SELECT id FROM vehicles WHERE"
               " code = ?1), (SELECT id FROM areas WHERE code = ?2), ?3, COALESCE(?4, ''), ?5, ?6,"
               " ?7, ?8)",
               it,
               (const char *const[]){"vehicle", "area", "officer", "community_rep", "planned_date",
                                     "actual_date", "citizens_received", "status", NULL},
               "visit", by, err);
    /* The demo's neighbourhood inspector works in Osh province and Osh city, from the
     * Kara-Suu station (when that user exists). */
    store_stmt *st;
    if (rc == P_OK)
        rc = store_prepare(
            s,
            "INSERT INTO user_areas(user_id, area_id) SELECT u.id, a.id FROM users u,"
            " areas a WHERE u.login = 'inspector.osh' AND a.code IN ('KG-O', 'KG-GO')",
            &st, err);
    if (rc == P_OK) rc = store_run(st, err);
    if (rc == P_OK)
        rc = store_prepare(
            s,
            "INSERT INTO user_sites(user_id, site_id) SELECT u.id, si.id FROM users u,"
            " sites si WHERE u.login = 'inspector.osh' AND si.code = 'KG-ST-KS'",
            &st, err);
    if (rc == P_OK) rc = store_run(st, err);
    return rc;
}

static int load_concern(store *s, json_t *it, const struct actor *by, p_error *err)
{
    json_t *contact = json_object_get(it, "contact");
    struct concern_new c = {.channel = str(it, "channel"),
                            .service_code = str(it, "service_code"),
                            .description = str(it, "description"),
                            .area_code = str(it, "area"),
                            .site_code = str(it, "site"),
                            .about_site_code = str(it, "about_site"),
                            .anonymous = json_is_true(json_object_get(it, "anonymous")),
                            .contact_name = str(contact, "name"),
                            .contact_phone = str(contact, "phone")};
    json_t *rec = NULL;
    bool created = false;
    int rc = concern_create(s, &c, by, &rec, &created, err);
    char code[CONCERN_TRACKING_LEN + 1] = "";
    if (rc == P_OK) snprintf(code, sizeof code, "%s", str(rec, "tracking_code"));
    json_decref(rec);
    struct concern_viewer admin = {0, "admin"};
    size_t i;
    json_t *stp;
    json_array_foreach(json_object_get(it, "steps"), i, stp)
    {
        if (rc != P_OK) break;
        struct concern_step st = {str(stp, "status"), str(stp, "note"),
                                  json_is_true(json_object_get(stp, "public")), str(stp, "forum"),
                                  str(stp, "agency")};
        json_t *after = NULL;
        rc = concern_advance(s, code, &st, &admin, by, &after, err);
        json_decref(after);
    }
    return rc;
}

int community_load_demo(store *s, const struct actor *by, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s, "SELECT count(*) FROM areas", &st, err);
    if (rc != P_OK) return rc;
    int step = store_step(st, err);
    int64_t areas = step == STORE_ROW ? store_col_int(st, 0) : 0;
    store_reset(st);
    if (step < 0) return -step;
    if (areas > 0) return P_OK; /* loaded before, or a real deployment: leave it alone */
    const struct embed_file *f = embed_find(data_files, "demo/community.json");
    if (!f) return p_fail(err, P_EIO, NULL, "demo/community.json is not embedded");
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)f->data, f->size, 0, &jerr);
    if (!doc)
        return p_fail(err, P_EINVAL, NULL, "demo/community.json line %d: %s", jerr.line, jerr.text);
    rc = store_begin(s, err);
    if (rc == P_OK) rc = load_structure(s, doc, by, err);
    if (rc == P_OK)
        rc = store_commit(s, err);
    else
        store_rollback(s);
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "concerns"), i, it)
    {
        if (rc != P_OK) break;
        rc = load_concern(s, it, by, err);
    }
    json_decref(doc);
    return rc;
}
