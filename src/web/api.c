/* api.c: JSON API helpers. */
#include "web/api.h"
#include "core/log.h"
#include "core/text.h"
#include "http/response.h"

#include <string.h>

store *api_store(http_request *req)
{
    p_error err;
    p_error_clear(&err);
    store *s = store_thread(&err);
    if (!s) {
        log_error("request %s: %s", req->request_id, err.message);
        http_reply_fail(req, P_EUNAVAIL, NULL, "the database is not available");
    }
    return s;
}

int api_limit(http_request *req)
{
    const char *v = http_query(req, "limit");
    int64_t n;
    if (v && text_parse_int64(v, 1, 1000, &n)) return (int)n;
    return API_DEFAULT_LIMIT;
}

void api_reply_page(http_request *req, json_t *items, const char *next)
{
    json_t *body = json_pack("{s:o, s:o}", "items", items, "next",
                             next && *next ? json_string(next) : json_null());
    http_reply_json(req, 200, body);
}

void api_reply_status(http_request *req, int status, const p_error *err)
{
    if (status == P_ESTORE || status == P_EIO) {
        log_error("request %s: %s", req->request_id, err->message);
        http_reply_fail(req, (p_status)status, NULL, "internal error; the request id is %s",
                        req->request_id);
        return;
    }
    http_reply_error(req, err);
}

struct actor api_actor(http_request *req)
{
    return (struct actor){req->who.login[0] ? req->who.login : "anonymous", http_client(req)};
}

int api_get_string(json_t *obj, const char *key, size_t max_chars, const char **out, p_error *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return P_OK;
    if (!json_is_string(v)) return p_fail(err, P_EINVAL, key, "%s must be a string", key);
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n || !text_utf8_valid(s, n))
        return p_fail(err, P_EINVAL, key, "%s must be valid UTF-8 without NUL", key);
    if (text_utf8_len(s, n) > max_chars)
        return p_fail(err, P_EUNPROC, key, "%s is longer than %zu characters", key, max_chars);
    *out = s;
    return P_OK;
}

int api_only_fields(json_t *obj, const char *const *allowed, p_error *err)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        (void)value;
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) ok = true;
        if (!ok) return p_fail(err, P_EINVAL, key, "unknown field '%s'", key);
    }
    return P_OK;
}

json_t *api_object_body(http_request *req, const char *const *members)
{
    json_t *body = http_json_body(req);
    if (!body) return NULL;
    p_error err;
    p_error_clear(&err);
    if (!json_is_object(body)) {
        http_reply_fail(req, P_EINVAL, NULL, "the body must be a JSON object");
        json_decref(body);
        return NULL;
    }
    if (api_only_fields(body, members, &err) != P_OK) {
        http_reply_error(req, &err);
        json_decref(body);
        return NULL;
    }
    return body;
}
