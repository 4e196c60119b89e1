/* places.c (community): the places community policing works in — areas as a hierarchy
 * (country › province › district › subdistrict), stations, reception vehicles and forums —
 * listed for everyone who handles concerns and added by co-ordinators and administrators
 * (PERM_REFERENCE_EDIT), each addition checked and audited. One table of kinds drives the
 * four lists and the four creations. */
#include "community/internal.h"

#include "auth/audit.h"
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

enum field_kind { F_CODE, F_TEXT, F_REF, F_ENUM };

struct field {
    const char *name;
    enum field_kind kind;
    bool required;
    const char *ref_sql; /* F_REF: the id of the referenced row by code (?1) */
    const char *values;  /* F_ENUM */
};

struct kind {
    const char *entity, *path;
    const char *list_sql;   /* columns named as the JSON members */
    const char *insert_sql; /* ?1.. in the order of fields */
    struct field fields[8];
};

static const struct kind kinds[] = {
    {"area",
     "/api/v1/areas",
     "SELECT a.code AS code, COALESCE(p.code, '') AS parent, a.level AS level, a.name AS name,"
     " a.name_ru AS name_ru, a.country_code AS country FROM areas a LEFT JOIN areas p ON"
     " p.id = a.parent_id ORDER BY a.code LIMIT 5000",
     "INSERT INTO areas(code, parent_id, level, name, name_ru, country_code)"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
     {{"code", F_CODE, true, NULL, NULL},
      {"parent", F_REF, false, "SELECT id FROM areas WHERE code = ?", NULL},
      {"level", F_ENUM, true, NULL, "country|province|district|subdistrict"},
      {"name", F_TEXT, true, NULL, NULL},
      {"name_ru", F_TEXT, false, NULL, NULL},
      {"country", F_CODE, true, NULL, NULL},
      {NULL, F_TEXT, false, NULL, NULL}}},
    {"site",
     "/api/v1/sites",
     "SELECT si.code AS code, si.name AS name, si.name_ru AS name_ru, a.code AS area,"
     " si.address AS address FROM sites si JOIN areas a ON a.id = si.area_id ORDER BY si.code"
     " LIMIT 5000",
     "INSERT INTO sites(code, name, name_ru, area_id, address) VALUES (?1, ?2, ?3, ?4, ?5)",
     {{"code", F_CODE, true, NULL, NULL},
      {"name", F_TEXT, true, NULL, NULL},
      {"name_ru", F_TEXT, false, NULL, NULL},
      {"area", F_REF, true, "SELECT id FROM areas WHERE code = ?", NULL},
      {"address", F_TEXT, false, NULL, NULL},
      {NULL, F_TEXT, false, NULL, NULL}}},
    {"vehicle",
     "/api/v1/vehicles",
     "SELECT ve.code AS code, ve.plate AS plate, COALESCE(si.code, '') AS site FROM vehicles ve"
     " LEFT JOIN sites si ON si.id = ve.site_id ORDER BY ve.code LIMIT 5000",
     "INSERT INTO vehicles(code, plate, site_id) VALUES (?1, ?2, ?3)",
     {{"code", F_CODE, true, NULL, NULL},
      {"plate", F_TEXT, false, NULL, NULL},
      {"site", F_REF, false, "SELECT id FROM sites WHERE code = ?", NULL},
      {NULL, F_TEXT, false, NULL, NULL}}},
    {"forum",
     "/api/v1/forums",
     "SELECT f.code AS code, f.kind AS kind, f.name AS name, f.name_ru AS name_ru,"
     " COALESCE(si.code, '') AS site FROM forums f LEFT JOIN sites si ON si.id = f.site_id"
     " ORDER BY f.code LIMIT 5000",
     "INSERT INTO forums(code, kind, name, name_ru, site_id) VALUES (?1, ?2, ?3, ?4, ?5)",
     {{"code", F_CODE, true, NULL, NULL},
      {"kind", F_ENUM, true, NULL, "cswg|lcpc|nmt"},
      {"name", F_TEXT, true, NULL, NULL},
      {"name_ru", F_TEXT, false, NULL, NULL},
      {"site", F_REF, false, "SELECT id FROM sites WHERE code = ?", NULL},
      {NULL, F_TEXT, false, NULL, NULL}}},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const struct kind *kind_of(http_request *req)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(req->route->pattern, kinds[i].path) == 0) return &kinds[i];
    return NULL;
}

static bool in_values(const char *values, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = values; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, v, n) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

static int check_field(const struct field *f, json_t *v, p_error *err)
{
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (f->required) return p_fail(err, P_EUNPROC, f->name, "%s is required", f->name);
        return P_OK;
    }
    if (!json_is_string(v) || !text_utf8_valid(json_string_value(v), json_string_length(v)))
        return p_fail(err, P_EINVAL, f->name, "%s must be a string", f->name);
    const char *s = json_string_value(v);
    if (f->kind == F_CODE || f->kind == F_REF) {
        bool ok = strlen(s) <= 40;
        for (const char *c = s; ok && *c; c++)
            ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                 *c == '-' || *c == '_';
        if (!ok)
            return p_fail(err, P_EINVAL, f->name, "%s must be a code (letters, digits, - and _)",
                          f->name);
    } else if (f->kind == F_ENUM && !in_values(f->values, s)) {
        return p_fail(err, P_EINVAL, f->name, "%s must be one of %s", f->name, f->values);
    } else if (f->kind == F_TEXT && text_utf8_len(s, json_string_length(v)) > 300) {
        return p_fail(err, P_EINVAL, f->name, "%s is longer than 300 characters", f->name);
    }
    return P_OK;
}

/* The id a reference names, 0 when it names nothing. */
static int ref_id(store *s, const char *sql, const char *code, int64_t *id, p_error *err)
{
    *id = 0;
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW) *id = store_col_int(st, 0);
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* Areas nest one level at a time, and a country has no parent. */
static int check_area_level(store *s, json_t *body, p_error *err)
{
    static const char *const levels[] = {"country", "province", "district", "subdistrict"};
    const char *level = json_string_value(json_object_get(body, "level"));
    const char *parent = json_string_value(json_object_get(body, "parent"));
    int want = 0;
    for (int i = 0; i < 4; i++)
        if (strcmp(levels[i], level) == 0) want = i;
    if (want == 0)
        return parent && *parent ? p_fail(err, P_EUNPROC, "parent", "a country has no parent")
                                 : P_OK;
    if (!parent || !*parent)
        return p_fail(err, P_EUNPROC, "parent", "a %s needs its parent area", level);
    store_stmt *st;
    int rc = store_prepare(s, "SELECT level FROM areas WHERE code = ?", &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, parent);
    int step = store_step(st, err);
    bool ok = step == STORE_ROW && strcmp(store_col_text(st, 0), levels[want - 1]) == 0;
    store_reset(st);
    if (step < 0) return -step;
    if (!ok)
        return p_fail(err, P_EUNPROC, "parent", "the parent of a %s is a %s", level,
                      levels[want - 1]);
    return P_OK;
}

int community_place_create(store *s, const char *entity, json_t *body, const struct actor *by,
                           p_error *err)
{
    const struct kind *k = NULL;
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(kinds[i].entity, entity) == 0) k = &kinds[i];
    if (!k) return p_fail(err, P_EINVAL, NULL, "no kind %s", entity);
    const char *known[9];
    int n = 0;
    for (const struct field *f = k->fields; f->name; f++)
        known[n++] = f->name;
    known[n] = NULL;
    int rc = api_only_fields(body, known, err);
    for (const struct field *f = k->fields; rc == P_OK && f->name; f++)
        rc = check_field(f, json_object_get(body, f->name), err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    if (strcmp(entity, "area") == 0) rc = check_area_level(s, body, err);
    store_stmt *st;
    if (rc == P_OK) rc = store_prepare(s, k->insert_sql, &st, err);
    int at = 1;
    for (const struct field *f = k->fields; rc == P_OK && f->name; f++, at++) {
        const char *v = json_string_value(json_object_get(body, f->name));
        if (f->kind == F_REF) {
            int64_t id = 0;
            if (v && *v) rc = ref_id(s, f->ref_sql, v, &id, err);
            if (rc == P_OK && v && *v && !id)
                rc = p_fail(err, P_EUNPROC, f->name, "no %s %s", f->name, v);
            if (id)
                store_bind_int(st, at, id);
            else
                store_bind_null(st, at);
        } else {
            store_bind_text(st, at, v ? v : "");
        }
    }
    if (rc == P_OK) rc = store_run(st, err);
    if (rc == P_ECONFLICT)
        rc = p_fail(err, P_ECONFLICT, "code",
                    "%s %s exists already, or a code it names does not exist", entity,
                    json_string_value(json_object_get(body, "code")));
    struct audit_entry e = {
        by->login, "create", entity,    json_string_value(json_object_get(body, "code")),
        NULL,      body,     by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) store_rollback(s);
    return rc;
}

int community_places(store *s, const char *entity, json_t **items, p_error *err)
{
    *items = NULL;
    const struct kind *k = NULL;
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(kinds[i].entity, entity) == 0) k = &kinds[i];
    if (!k) return p_fail(err, P_EINVAL, NULL, "no kind %s", entity);
    store_stmt *st;
    int rc = store_prepare(s, k->list_sql, &st, err);
    if (rc != P_OK) return rc;
    json_t *out = json_array();
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < store_column_count(st); i++)
            json_object_set_new(o, store_col_name(st, i), json_string(store_col_text(st, i)));
        json_array_append_new(out, o);
    }
    store_reset(st);
    if (step < 0) {
        json_decref(out);
        return -step;
    }
    *items = out;
    return P_OK;
}

static void list_handler(http_request *req)
{
    if (!authz_require(req, PERM_CONCERNS, NULL)) return;
    store *s = api_store(req);
    const struct kind *k = kind_of(req);
    if (!s || !k) return;
    p_error err;
    p_error_clear(&err);
    json_t *items = NULL;
    int rc = community_places(s, k->entity, &items, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    api_reply_page(req, items, "");
}

static void create_handler(http_request *req)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    const struct kind *k = kind_of(req);
    json_t *body = http_json_body(req);
    store *s = body ? api_store(req) : NULL;
    if (s && k) {
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = P_OK;
        if (json_is_object(body))
            rc = community_place_create(s, k->entity, body, &by, &err);
        else
            rc = p_fail(&err, P_EINVAL, NULL, "the body must be a JSON object");
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, 201, json_incref(body));
    }
    json_decref(body);
}

void community_places_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = "/api/v1/areas", .handler = list_handler},
        {.methods = HTTP_POST, .pattern = "/api/v1/areas", .handler = create_handler},
        {.methods = HTTP_GET, .pattern = "/api/v1/sites", .handler = list_handler},
        {.methods = HTTP_POST, .pattern = "/api/v1/sites", .handler = create_handler},
        {.methods = HTTP_GET, .pattern = "/api/v1/vehicles", .handler = list_handler},
        {.methods = HTTP_POST, .pattern = "/api/v1/vehicles", .handler = create_handler},
        {.methods = HTTP_GET, .pattern = "/api/v1/forums", .handler = list_handler},
        {.methods = HTTP_POST, .pattern = "/api/v1/forums", .handler = create_handler},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
