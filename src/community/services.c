/* services.c (community): the editable list of services — the categories citizens' concerns
 * are filed under (Open311 calls them services) — with the days within which a concern of
 * each is due and whether it concerns police conduct. Co-ordinators and administrators
 * (PERM_REFERENCE_EDIT) add and change them; a service is retired (active false), never
 * deleted, because concerns refer to it. Every change is audited. */
#include "community/internal.h"
#include "community/attributes.h"

#include "auth/audit.h"
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const members[] = {"code",   "name",       "name_ru",  "description",
                                      "group",  "keywords",   "due_days", "conduct",
                                      "active", "attributes", NULL};

static int text_member(json_t *body, const char *name, size_t max, bool required, p_error *err)
{
    json_t *v = json_object_get(body, name);
    if (!v) return required ? p_fail(err, P_EUNPROC, name, "%s is required", name) : P_OK;
    if (!json_is_string(v) || !text_utf8_valid(json_string_value(v), json_string_length(v)))
        return p_fail(err, P_EINVAL, name, "%s must be a string", name);
    size_t n = text_utf8_len(json_string_value(v), json_string_length(v));
    if (n > max) return p_fail(err, P_EINVAL, name, "%s is longer than %zu characters", name, max);
    if (required && n == 0) return p_fail(err, P_EUNPROC, name, "%s is required", name);
    return P_OK;
}

static int check(json_t *body, bool create, p_error *err)
{
    if (create) {
        const char *code = json_string_value(json_object_get(body, "code"));
        bool ok = code && *code && strlen(code) <= 40;
        for (const char *c = code; ok && *c; c++)
            ok = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_';
        if (!ok) return p_fail(err, P_EINVAL, "code", "code must be 1-40 of a-z, 0-9 and _");
    } else if (json_object_get(body, "code")) {
        return p_fail(err, P_EUNPROC, "code", "the code cannot be changed");
    }
    int rc = text_member(body, "name", 120, create, err);
    if (rc == P_OK && !create && json_object_get(body, "name"))
        rc = text_member(body, "name", 120, true, err);
    if (rc == P_OK) rc = text_member(body, "name_ru", 120, false, err);
    if (rc == P_OK) rc = text_member(body, "description", 1000, false, err);
    if (rc == P_OK) rc = text_member(body, "group", 60, false, err);
    if (rc == P_OK) rc = text_member(body, "keywords", 300, false, err);
    if (rc != P_OK) return rc;
    json_t *due = json_object_get(body, "due_days");
    if (due &&
        (!json_is_integer(due) || json_integer_value(due) < 1 || json_integer_value(due) > 365))
        return p_fail(err, P_EINVAL, "due_days", "due_days must be 1 to 365");
    json_t *attrs = json_object_get(body, "attributes");
    if (attrs) {
        json_t *checked = NULL;
        rc = attributes_check_definitions(attrs, &checked, err);
        if (rc != P_OK) return rc;
        json_object_set_new(body, "attributes", checked); /* completed and in order */
    }
    static const char *const flags[] = {"conduct", "active"};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(body, flags[i]);
        if (v && !json_is_boolean(v))
            return p_fail(err, P_EINVAL, flags[i], "%s must be true or false", flags[i]);
    }
    return P_OK;
}

static int service_load(store *s, const char *code, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc =
        store_prepare(s,
                      "SELECT code, name, name_ru, description, group_name, keywords, due_days,"
                      " conduct, active, attributes FROM services WHERE code = ?",
                      &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW)
        *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:b, s:o}", "code",
                         store_col_text(st, 0), "name", store_col_text(st, 1), "name_ru",
                         store_col_text(st, 2), "description", store_col_text(st, 3), "group",
                         store_col_text(st, 4), "keywords", store_col_text(st, 5), "due_days",
                         (json_int_t)store_col_int(st, 6), "conduct", store_col_int(st, 7) != 0,
                         "active", store_col_int(st, 8) != 0, "attributes",
                         attributes_parse_definitions(store_col_text(st, 9)));
    store_reset(st);
    if (step < 0) return -step;
    if (!*out) return p_fail(err, P_ENOTFOUND, NULL, "no service %s", code);
    return P_OK;
}

/* Writes rec (a whole service record) as a new row or over the row of its code. */
static int service_write(store *s, json_t *rec, bool insert, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           insert ? "INSERT INTO services(name, name_ru, description, group_name,"
                                    " keywords, due_days, conduct, active, attributes, position,"
                                    " code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10,"
                                    " (SELECT COALESCE(MAX(position), 0) + 1 FROM services), ?9)"
                                  : "UPDATE services SET name = ?1, name_ru = ?2, description = ?3,"
                                    " group_name = ?4, keywords = ?5, due_days = ?6, conduct = ?7,"
                                    " active = ?8, attributes = ?10 WHERE code = ?9",
                           &st, err);
    if (rc != P_OK) return rc;
    static const char *const texts[] = {"name", "name_ru", "description", "group", "keywords"};
    for (int i = 0; i < 5; i++) {
        const char *v = json_string_value(json_object_get(rec, texts[i]));
        store_bind_text(st, i + 1, v ? v : "");
    }
    json_t *due = json_object_get(rec, "due_days");
    store_bind_int(st, 6, json_is_integer(due) ? json_integer_value(due) : 14);
    store_bind_int(st, 7, json_is_true(json_object_get(rec, "conduct")) ? 1 : 0);
    store_bind_int(st, 8, json_is_false(json_object_get(rec, "active")) ? 0 : 1);
    store_bind_text(st, 9, json_string_value(json_object_get(rec, "code")));
    json_t *attrs = json_object_get(rec, "attributes");
    char *attrs_text = json_is_array(attrs) ? json_dumps(attrs, JSON_COMPACT) : NULL;
    store_bind_text(st, 10, attrs_text ? attrs_text : "[]");
    rc = store_run(st, err);
    free(attrs_text);
    return rc;
}

int community_service_save(store *s, const char *code, json_t *body, const struct actor *by,
                           json_t **out, p_error *err)
{
    *out = NULL;
    bool create = code == NULL;
    int rc = check(body, create, err);
    if (rc != P_OK) return rc;
    if (create) code = json_string_value(json_object_get(body, "code"));
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *rec = NULL, *after = NULL;
    if (!create) {
        rc = service_load(s, code, &before, err);
        if (rc == P_OK) {
            rec = json_deep_copy(before);
            const char *k;
            json_t *v;
            json_object_foreach(body, k, v) json_object_set(rec, k, v);
        }
    } else {
        rec = json_deep_copy(body);
    }
    if (rc == P_OK) rc = service_write(s, rec, create, err);
    if (rc == P_ECONFLICT) p_fail(err, P_ECONFLICT, "code", "a service %s exists already", code);
    if (rc == P_OK) rc = service_load(s, code, &after, err);
    struct audit_entry e = {by->login, create ? "create" : "update", "service", code, before, after,
                            by->client};
    if (rc == P_OK) rc = audit_append(s, &e, err);
    if (rc == P_OK) rc = store_commit(s, err);
    json_decref(before);
    json_decref(rec);
    if (rc != P_OK) {
        store_rollback(s);
        json_decref(after);
        return rc;
    }
    *out = after;
    return P_OK;
}

static void save_handler(http_request *req, bool create)
{
    if (!authz_require(req, PERM_REFERENCE_EDIT, NULL)) return;
    json_t *body = api_object_body(req, members);
    store *s = body ? api_store(req) : NULL;
    if (s) {
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_service_save(s, create ? NULL : http_path_param(req, "code"), body, &by,
                                        &out, &err);
        if (rc != P_OK)
            api_reply_status(req, rc, &err);
        else
            http_reply_json(req, create ? 201 : 200, out);
    }
    json_decref(body);
}

static void create_handler(http_request *req)
{
    save_handler(req, true);
}

static void update_handler(http_request *req)
{
    save_handler(req, false);
}

static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 40},
                                                {0}};

void community_services_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_POST, .pattern = "/api/v1/services", .handler = create_handler},
        {.methods = HTTP_PATCH,
         .pattern = "/api/v1/services/{code}",
         .handler = update_handler,
         .params = code_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
