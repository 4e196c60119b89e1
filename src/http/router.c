/* router.c: pattern matching and declarative parameter validation. The table is filled
 * once at start-up and read without locks afterwards. */
#include "http/router.h"
#include "core/mem.h"
#include "core/text.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct route routes[ROUTER_MAX_ROUTES];
static int n_routes;

int router_add(const struct route *r)
{
    if (n_routes >= ROUTER_MAX_ROUTES) {
        /* Routes are registered at start-up: a full table is a build mistake, not a
         * condition to serve with some routes silently missing. */
        fprintf(stderr, "polis: the route table is full (%d); raise ROUTER_MAX_ROUTES\n",
                ROUTER_MAX_ROUTES);
        abort();
    }
    routes[n_routes] = *r;
    routes[n_routes].index = n_routes;
    if (!routes[n_routes].name) routes[n_routes].name = r->pattern;
    return n_routes++;
}

int router_count(void)
{
    return n_routes;
}

const struct route *router_at(int index)
{
    return (index >= 0 && index < n_routes) ? &routes[index] : NULL;
}

void router_reset(void)
{
    n_routes = 0;
}

static const char *const method_names[] = {"GET",   "HEAD",   "POST",   "PUT",
                                           "PATCH", "DELETE", "OPTIONS"};

void http_methods_text(int mask, const char *sep, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 7; i++) {
        if (!(mask & (1 << i))) continue;
        int n = snprintf(out + used, size - used, "%s%s", used ? sep : "", method_names[i]);
        if (n < 0 || (size_t)n >= size - used) return;
        used += (size_t)n;
    }
}

int http_method_bit(const char *name)
{
    static const struct {
        const char *name;
        int bit;
    } methods[] = {{"GET", HTTP_GET},        {"HEAD", HTTP_HEAD},   {"POST", HTTP_POST},
                   {"PUT", HTTP_PUT},        {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE},
                   {"OPTIONS", HTTP_OPTIONS}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(name, methods[i].name) == 0) return methods[i].bit;
    return 0;
}

static const struct param_spec *find_spec(const struct route *r, const char *name, size_t len)
{
    if (!r->params) return NULL;
    for (const struct param_spec *p = r->params; p->name; p++)
        if (strlen(p->name) == len && strncmp(p->name, name, len) == 0) return p;
    return NULL;
}

/* Matches path against pattern, capturing {name} segments into req (when non-NULL). */
static bool pattern_match(const struct route *r, const char *path, http_request *req)
{
    const char *p = r->pattern, *s = path;
    int captured = 0;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *seg_end = strchr(s, '/');
            size_t seg_len = seg_end ? (size_t)(seg_end - s) : strlen(s);
            if (!close || seg_len == 0 || captured >= HTTP_MAX_PATH_PARAMS) return false;
            if (req) {
                const struct param_spec *spec = find_spec(r, p + 1, (size_t)(close - p - 1));
                req->path_params[captured].name = spec ? spec->name : "";
                req->path_params[captured].value = xstrndup(s, seg_len);
            }
            captured++;
            p = close + 1;
            s += seg_len;
        } else {
            if (*p != *s) return false;
            p++;
            s++;
        }
    }
    if (*p || *s) {
        if (req)
            for (int i = 0; i < captured; i++)
                free(req->path_params[i].value);
        return false;
    }
    if (req) req->n_path_params = captured;
    return true;
}

const struct route *router_match(int method, const char *path, http_request *req,
                                 bool *path_matched, int *allow)
{
    *path_matched = false;
    *allow = 0;
    int want = (method == HTTP_HEAD) ? (HTTP_HEAD | HTTP_GET) : method;
    for (int i = 0; i < n_routes; i++) {
        if (!pattern_match(&routes[i], path, NULL)) continue;
        *path_matched = true;
        *allow |= routes[i].methods;
        if (routes[i].methods & want) {
            if (!pattern_match(&routes[i], path, req)) return NULL;
            return &routes[i];
        }
    }
    return NULL;
}

static bool is_code_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static bool enum_contains(const char *values, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = values; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0) return true;
        p = bar ? bar + 1 : NULL;
    }
    return false;
}

int router_check_value(const struct param_spec *spec, const char *value, p_error *err)
{
    size_t len = strlen(value);
    size_t max_len = (size_t)(spec->max_len > 0 ? spec->max_len : 200);
    if (!text_utf8_valid(value, len))
        return p_fail(err, P_EINVAL, spec->name, "%s is not valid UTF-8", spec->name);
    if (text_utf8_len(value, len) > max_len)
        return p_fail(err, P_EINVAL, spec->name, "%s is longer than %zu characters", spec->name,
                      max_len);
    switch (spec->type) {
    case PARAM_STRING:
        return P_OK;
    case PARAM_CODE:
    case PARAM_CURSOR:
        if (len == 0) return p_fail(err, P_EINVAL, spec->name, "%s is empty", spec->name);
        for (const char *c = value; *c; c++)
            if (!is_code_char(*c) && !(spec->type == PARAM_CURSOR && *c == '='))
                return p_fail(err, P_EINVAL, spec->name, "%s has a character not allowed here",
                              spec->name);
        return P_OK;
    case PARAM_INT: {
        int64_t v;
        if (!text_parse_int64(value, spec->min, spec->max, &v))
            return p_fail(err, P_EINVAL, spec->name, "%s must be an integer from %lld to %lld",
                          spec->name, (long long)spec->min, (long long)spec->max);
        return P_OK;
    }
    case PARAM_ENUM:
        if (!enum_contains(spec->enum_values, value))
            return p_fail(err, P_EINVAL, spec->name, "%s must be one of: %s", spec->name,
                          spec->enum_values);
        return P_OK;
    case PARAM_TIME:
        if (!text_is_timestamp(value))
            return p_fail(err, P_EINVAL, spec->name,
                          "%s must be a date YYYY-MM-DD or a UTC time YYYY-MM-DDTHH:MM:SSZ",
                          spec->name);
        return P_OK;
    case PARAM_DATE:
        if (!text_is_date(value))
            return p_fail(err, P_EINVAL, spec->name, "%s must be a date YYYY-MM-DD", spec->name);
        return P_OK;
    }
    return p_fail(err, P_EINVAL, spec->name, "%s has an unknown type", spec->name);
}

/* True when pattern holds the path parameter {name}. */
static bool pattern_names(const char *pattern, const char *name)
{
    size_t n = strlen(name);
    for (const char *b = strchr(pattern, '{'); b; b = strchr(b + 1, '{'))
        if (strncmp(b + 1, name, n) == 0 && b[1 + n] == '}') return true;
    return false;
}

int router_bind_query(http_request *req, p_error *err)
{
    const struct route *r = req->route;
    for (int i = 0; i < req->n_path_params; i++) {
        const struct param_spec *spec =
            find_spec(r, req->path_params[i].name, strlen(req->path_params[i].name));
        if (!spec) continue;
        /* A malformed identifier names nothing that can exist. */
        if (router_check_value(spec, req->path_params[i].value, err) != P_OK)
            return p_fail(err, P_ENOTFOUND, NULL, "no %s like that exists", spec->name);
    }
    if (!r->params) return P_OK;
    for (const struct param_spec *p = r->params; p->name; p++) {
        if (pattern_names(r->pattern, p->name)) continue; /* a path parameter, checked above */
        const char *v = MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, p->name);
        if (!v) continue;
        if (req->n_query >= HTTP_MAX_QUERY_PARAMS) break;
        int rc = router_check_value(p, v, err);
        if (rc != P_OK) return rc;
        req->query[req->n_query].name = p->name;
        req->query[req->n_query].value = xstrdup(v);
        req->n_query++;
    }
    return P_OK;
}
