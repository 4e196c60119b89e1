/* open311_requests.c (community): the request resources of Open311 — filing a concern
 * (POST requests, keyed, idempotent on a client token or a device's identical retry),
 * reading requests by id or by filters, token look-up, and the servicerequestupdates
 * extension both ways: public steps out, officers' status changes in. */
#include "community/community.h"
#include "community/internal.h"
#include "community/open311_internal.h"
#include "community/attributes.h"

#include "core/text.h"
#include "http/response.h"
#include "web/api.h"

#include <ctype.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- shared pieces ---------------------------------------------------------------------- */

/* "open311:" and a key's name (up to 100 characters of up to 4 bytes): the audit's actor. */
enum { O311_ACTOR_MAX = 8 + OPEN311_KEY_NAME_MAX * 4 + 1 };

/* The client key of a request (403 replied when it is missing, unknown or revoked): its id,
 * and in actor_out "open311:" and its name, the actor the audit trail records. */
static bool require_key(http_request *req, enum o311_format fmt, store *s, const form *f,
                        char *actor_out, size_t size, int64_t *key_id)
{
    p_error err;
    p_error_clear(&err);
    char name[OPEN311_KEY_NAME_MAX * 4 + 1];
    int rc = open311_key_check(s, o311_param(f, "api_key"), key_id, name, &err);
    if (rc != P_OK) {
        o311_reply_status(req, fmt, rc, &err);
        return false;
    }
    snprintf(actor_out, size, "open311:%s", name);
    return true;
}

static void hash_hex40(const char *const *parts, size_t n, char out[static 41])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        const char *p = parts[i] ? parts[i] : "";
        crypto_hash_sha256_update(&h, (const unsigned char *)p, strlen(p) + 1);
    }
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, d);
    char hex[65];
    text_hex(d, sizeof d, hex);
    memcpy(out, hex, 40);
    out[40] = '\0';
}

void o311_token_client_id(const char *token, char *out)
{
    char h[41];
    const char *parts[] = {token};
    hash_hex40(parts, 1, h);
    snprintf(out, CONCERN_CLIENT_ID_MAX + 1, "o311t:%s", h);
}

/* [from, to] from start_date/end_date: the last 90 days by default; one bound alone reaches
 * 90 days from it; a span over 90 days, an end before the start, or a time without a zone
 * is refused (400 replied). */
static bool time_bounds(http_request *req, enum o311_format fmt, const form *f, char from[21],
                        char to[21])
{
    const char *a = o311_param(f, "start_date"), *b = o311_param(f, "end_date");
    time_t ta = 0, tb = 0, span = (time_t)O311_SPAN_MAX_DAYS * 86400;
    if (a && !o311_parse_time(a, &ta)) {
        o311_reply_error(req, fmt, 400,
                         "start_date must be a W3C datetime with a timezone, like "
                         "2026-01-01T00:00:00Z");
        return false;
    }
    if (b && !o311_parse_time(b, &tb)) {
        o311_reply_error(req, fmt, 400,
                         "end_date must be a W3C datetime with a timezone, like "
                         "2026-01-01T00:00:00Z");
        return false;
    }
    if (!a && !b) tb = time(NULL);
    if (!a) ta = tb - span;
    if (!b) tb = ta + span;
    if (tb < ta) {
        o311_reply_error(req, fmt, 400, "end_date is before start_date");
        return false;
    }
    if (tb - ta > span) {
        o311_reply_error(req, fmt, 400, "start_date to end_date spans more than 90 days");
        return false;
    }
    text_time_iso(ta, from);
    text_time_iso(tb, to);
    return true;
}

/* Splits a comma list into out[] (pointers into the copy in scratch); false when there are
 * more than max items. Empty items are dropped. */
static bool split_list(const char *v, char *scratch, size_t size, const char **out, int max, int *n)
{
    *n = 0;
    snprintf(scratch, size, "%s", v ? v : "");
    for (char *save = NULL, *t = strtok_r(scratch, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        size_t len = strlen(t);
        while (len && t[len - 1] == ' ')
            t[--len] = '\0';
        if (!len) continue;
        if (*n == max) return false;
        out[(*n)++] = t;
    }
    return true;
}

static bool is_code(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 40) return false;
    for (const char *p = v; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-')) return false;
    return true;
}

/* Lookups by tracking code or token share the citizens' throttle: an address that has tried
 * too many codes that do not exist is refused (429 with Retry-After) until its window passes,
 * so codes cannot be found by trying — not a hundred at a time either. */
static bool lookup_allowed(http_request *req, enum o311_format fmt, store *s)
{
    long retry = 0;
    p_error err;
    p_error_clear(&err);
    int rc = community_limit_check(req, s, "lookup", PUBLIC_MISSES_PER_WINDOW, PUBLIC_WINDOW_S,
                                   &retry, &err);
    if (rc == P_OK) return true;
    if (rc == P_ELIMIT) {
        char ra[24];
        snprintf(ra, sizeof ra, "%ld", retry > 0 ? retry : 1);
        http_add_header(req, "Retry-After", ra);
        o311_reply_error(req, fmt, 429, err.message);
    } else {
        o311_reply_status(req, fmt, rc, &err);
    }
    return false;
}

static void count_miss(http_request *req, store *s)
{
    community_limit_count(req, s, "lookup", PUBLIC_WINDOW_S);
}

/* ---- GET requests ----------------------------------------------------------------------- */

static void requests_by_id(http_request *req, enum o311_format fmt, store *s, const char *ids)
{
    char scratch[1600];
    const char *list[O311_IDS_MAX];
    int n;
    if (!split_list(ids, scratch, sizeof scratch, list, O311_IDS_MAX, &n)) {
        o311_reply_error(req, fmt, 400, "at most 100 service_request_id values at a time");
        return;
    }
    if (!lookup_allowed(req, fmt, s)) return;
    p_error err;
    p_error_clear(&err);
    json_t *out = json_array();
    for (int i = 0; i < n; i++) {
        char code[CONCERN_TRACKING_LEN + 1];
        bool found = false;
        int rc = P_OK;
        if (concern_tracking_normalise(list[i], code))
            rc = o311_request_append(s, code, out, &found, &err);
        if (rc == P_OK && !found) count_miss(req, s);
        if (rc != P_OK) {
            json_decref(out);
            o311_reply_status(req, fmt, rc, &err);
            return;
        }
    }
    o311_reply(req, fmt, 200, "service_requests", "request", out);
}

void o311_requests_get(http_request *req, enum o311_format fmt)
{
    form f;
    if (!o311_params(req, fmt, &f)) return;
    store *s = api_store(req);
    if (!s) {
        form_free(&f);
        return;
    }
    const char *ids = o311_param(&f, "service_request_id");
    if (ids) { /* overrides every other filter: whoever holds a code may see its record */
        requests_by_id(req, fmt, s, ids);
        form_free(&f);
        return;
    }
    /* A list would publish every tracking code, the citizen's key to the case: only key
     * holders may list. */
    char actor[O311_ACTOR_MAX];
    int64_t key_id = 0;
    if (!require_key(req, fmt, s, &f, actor, sizeof actor, &key_id)) {
        form_free(&f);
        return;
    }
    struct o311_filter flt = {.limit = O311_LIST_MAX};
    char from[21], to[21], codes_scratch[600], status_scratch[64];
    const char *statuses[4];
    int n_status = 0;
    bool ok = time_bounds(req, fmt, &f, from, to);
    if (ok && !split_list(o311_param(&f, "service_code"), codes_scratch, sizeof codes_scratch,
                          flt.codes, O311_CODES_MAX, &flt.n_codes)) {
        o311_reply_error(req, fmt, 400, "at most 10 service_code values at a time");
        ok = false;
    }
    for (int i = 0; ok && i < flt.n_codes; i++)
        if (!is_code(flt.codes[i])) {
            o311_reply_error(req, fmt, 400, "service_code has a value that is no service code");
            ok = false;
        }
    if (ok && !split_list(o311_param(&f, "status"), status_scratch, sizeof status_scratch, statuses,
                          4, &n_status)) {
        o311_reply_error(req, fmt, 400, "status must be open, closed or both");
        ok = false;
    }
    for (int i = 0; ok && i < n_status; i++) {
        if (strcmp(statuses[i], "open") == 0)
            flt.open = true;
        else if (strcmp(statuses[i], "closed") == 0)
            flt.closed = true;
        else {
            o311_reply_error(req, fmt, 400, "status must be open, closed or both");
            ok = false;
        }
    }
    if (!ok) {
        form_free(&f);
        return;
    }
    int64_t page = 1, size = O311_LIST_MAX;
    if (o311_param(&f, "page")) (void)text_parse_int64(o311_param(&f, "page"), 1, 100000, &page);
    if (o311_param(&f, "page_size"))
        (void)text_parse_int64(o311_param(&f, "page_size"), 1, O311_LIST_MAX, &size);
    flt.from = from;
    flt.to = to;
    flt.limit = size;
    flt.offset = (page - 1) * size;
    p_error err;
    p_error_clear(&err);
    json_t *out = json_array();
    int rc = o311_requests_find(s, &flt, out, &err);
    form_free(&f);
    if (rc != P_OK) {
        json_decref(out);
        o311_reply_status(req, fmt, rc, &err);
        return;
    }
    o311_reply(req, fmt, 200, "service_requests", "request", out);
}

void o311_request_one(http_request *req, const char *id, enum o311_format fmt)
{
    store *s = api_store(req);
    if (!s || !lookup_allowed(req, fmt, s)) return;
    char code[CONCERN_TRACKING_LEN + 1];
    p_error err;
    p_error_clear(&err);
    json_t *out = json_array();
    bool found = false;
    int rc = P_OK;
    if (concern_tracking_normalise(id, code)) rc = o311_request_append(s, code, out, &found, &err);
    if (rc == P_OK && !found) {
        count_miss(req, s);
        rc = p_fail(&err, P_ENOTFOUND, "service_request_id",
                    "no request has this service_request_id");
    }
    if (rc != P_OK) {
        json_decref(out);
        o311_reply_status(req, fmt, rc, &err);
        return;
    }
    o311_reply(req, fmt, 200, "service_requests", "request", out);
}

void o311_token_get(http_request *req, const char *token, enum o311_format fmt)
{
    store *s = api_store(req);
    if (!s || !lookup_allowed(req, fmt, s)) return;
    char client_id[CONCERN_CLIENT_ID_MAX + 1], code[CONCERN_TRACKING_LEN + 1];
    o311_token_client_id(token, client_id);
    p_error err;
    p_error_clear(&err);
    int rc = o311_code_by_client_id(s, client_id, code, &err);
    if (rc == P_OK && !code[0]) {
        count_miss(req, s);
        rc = p_fail(&err, P_ENOTFOUND, "token", "no request has this token");
    }
    if (rc != P_OK) {
        o311_reply_status(req, fmt, rc, &err);
        return;
    }
    o311_reply(req, fmt, 200, "service_requests", "request",
               json_pack("[{s:s, s:s}]", "service_request_id", code, "token", token));
}

/* ---- POST requests ---------------------------------------------------------------------- */

static bool parse_coordinate(const char *v, double lo, double hi, double *out)
{
    char *end = NULL;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d) || d < lo || d > hi) return false;
    *out = d;
    return true;
}

/* Fills c from the form (pointers into f and into the caller's scratch); replies 400 and
 * returns false for a missing service_code or location, coordinates out of range. */
static bool concern_from_form(http_request *req, enum o311_format fmt, const form *f,
                              struct concern_new *c, char *name, size_t name_size, char *address,
                              size_t address_size, int64_t key_id, char *client_id)
{
    memset(c, 0, sizeof *c);
    c->channel = "open311";
    c->service_code = o311_param(f, "service_code");
    if (!c->service_code) {
        o311_reply_error(req, fmt, 400, "service_code is required");
        return false;
    }
    const char *lat = o311_param(f, "lat"), *lon = o311_param(f, "long");
    const char *addr = o311_param(f, "address_string"), *addr_id = o311_param(f, "address_id");
    if (!(lat && lon) && !addr && !addr_id) {
        o311_reply_error(req, fmt, 400,
                         "a location is required: lat and long, address_string or address_id");
        return false;
    }
    if ((lat || lon) && !(lat && lon)) {
        o311_reply_error(req, fmt, 400, "lat and long are given together");
        return false;
    }
    if (lat && !parse_coordinate(lat, -90, 90, &c->lat)) {
        o311_reply_error(req, fmt, 400, "lat must be a number from -90 to 90");
        return false;
    }
    if (lon && !parse_coordinate(lon, -180, 180, &c->lon)) {
        o311_reply_error(req, fmt, 400, "long must be a number from -180 to 180");
        return false;
    }
    c->has_location = lat && lon;
    if (addr)
        snprintf(address, address_size, "%s", addr);
    else if (addr_id)
        snprintf(address, address_size, "address_id %s", addr_id);
    else
        address[0] = '\0';
    c->address = address;
    c->media_url = o311_param(f, "media_url");
    /* The spec allows a request without a description; a concern needs one. */
    c->description = o311_param(f, "description") ? o311_param(f, "description") : "(none given)";
    const char *first = o311_param(f, "first_name"), *last = o311_param(f, "last_name");
    snprintf(name, name_size, "%s%s%s", first ? first : "", first && last ? " " : "",
             last ? last : "");
    c->contact_name = name;
    c->contact_email = o311_param(f, "email");
    c->contact_phone = o311_param(f, "phone");
    /* A client token names one submission; a device's identical retry through the same
     * client is the same one. */
    const char *token = o311_param(f, "token"), *device = o311_param(f, "device_id");
    if (token) {
        o311_token_client_id(token, client_id);
        c->client_id = client_id;
    } else if (device) {
        char h[41], key[24];
        snprintf(key, sizeof key, "%lld", (long long)key_id);
        const char *parts[] = {key, device, c->service_code, lat,
                               lon, addr,   addr_id,         c->description};
        hash_hex40(parts, sizeof parts / sizeof parts[0], h);
        snprintf(client_id, CONCERN_CLIENT_ID_MAX + 1, "o311d:%s", h);
        c->client_id = client_id;
    }
    return true;
}

void o311_requests_post(http_request *req, enum o311_format fmt)
{
    form f;
    if (!o311_params(req, fmt, &f)) return;
    store *s = api_store(req);
    char actor[O311_ACTOR_MAX];
    int64_t key_id = 0;
    if (!s || !require_key(req, fmt, s, &f, actor, sizeof actor, &key_id)) {
        form_free(&f);
        return;
    }
    struct concern_new c;
    char name[(59 + 1 + 60) * 4 + 1], address[300 * 4 + 1], client_id[CONCERN_CLIENT_ID_MAX + 1];
    if (!concern_from_form(req, fmt, &f, &c, name, sizeof name, address, sizeof address, key_id,
                           client_id)) {
        form_free(&f);
        return;
    }
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL, *answers = NULL;
    bool created = false;
    struct actor by = {actor, http_client(req)};
    int rc = attributes_from_open311(&f, &answers, &err);
    c.attributes = answers;
    if (rc == P_OK) rc = concern_create(s, &c, &by, &rec, &created, &err);
    json_decref(answers);
    form_free(&f);
    if (rc != P_OK) {
        o311_reply_status(req, fmt, rc, &err);
        return;
    }
    char notice[120];
    snprintf(notice, sizeof notice,
             "Received. Keep this code to follow your concern; the police aim to answer by %s.",
             json_string_value(json_object_get(rec, "due_at")));
    json_t *out = json_pack("[{s:s, s:s}]", "service_request_id",
                            json_string_value(json_object_get(rec, "tracking_code")),
                            "service_notice", notice);
    json_decref(rec);
    o311_reply(req, fmt, created ? 201 : 200, "service_requests", "request", out);
}

/* ---- servicerequestupdates -------------------------------------------------------------- */

void o311_updates_get(http_request *req, enum o311_format fmt)
{
    form f;
    if (!o311_params(req, fmt, &f)) return;
    store *s = api_store(req);
    char actor[O311_ACTOR_MAX], from[21], to[21];
    int64_t key_id = 0;
    bool ok = s && require_key(req, fmt, s, &f, actor, sizeof actor, &key_id) &&
              time_bounds(req, fmt, &f, from, to);
    int64_t size = O311_LIST_MAX;
    if (ok && o311_param(&f, "page_size"))
        (void)text_parse_int64(o311_param(&f, "page_size"), 1, O311_LIST_MAX, &size);
    form_free(&f);
    if (!ok) return;
    p_error err;
    p_error_clear(&err);
    json_t *out = json_array();
    int rc = o311_updates_find(s, from, to, size, out, &err);
    if (rc != P_OK) {
        json_decref(out);
        o311_reply_status(req, fmt, rc, &err);
        return;
    }
    o311_reply(req, fmt, 200, "service_request_updates", "request_update", out);
}

struct update_plan {
    const char *steps[2];
    int n;
    const char *reason; /* a rejection's reason when the client sent none */
    const char *agency; /* a referral's agency */
};

static bool is_open(const char *st)
{
    return strcmp(st, "received") == 0 || strcmp(st, "acknowledged") == 0 ||
           strcmp(st, "referred") == 0 || strcmp(st, "in_progress") == 0;
}

/* The steps that take a concern that is current to the Open311 status; false when the
 * status is unknown. Steps the lifecycle forbids are left for the caller to refuse. */
static bool plan_update(const char *status, const char *current, struct update_plan *p)
{
    memset(p, 0, sizeof *p);
    bool received = strcmp(current, "received") == 0;
#define ONE(s) (p->steps[p->n++] = (s))
    if (!strcasecmp(status, "OPEN") || !strcasecmp(status, "REOPEN") ||
        !strcasecmp(status, "FOR_TRIAGE")) {
        if (received)
            ONE("acknowledged");
        else if (!is_open(current))
            ONE("in_progress");
    } else if (!strcasecmp(status, "IN_PROGRESS") || !strcasecmp(status, "ACTION_SCHEDULED") ||
               !strcasecmp(status, "INVESTIGATING")) {
        if (received) ONE("acknowledged");
        if (strcmp(current, "in_progress") != 0) ONE("in_progress");
    } else if (!strcasecmp(status, "FIXED")) {
        if (received) ONE("acknowledged");
        if (strcmp(current, "resolved") != 0) ONE("resolved");
    } else if (!strcasecmp(status, "CLOSED")) {
        if (received) {
            ONE("acknowledged");
            ONE("resolved");
        } else if (strcmp(current, "closed") != 0) {
            ONE(concern_transition_allowed(current, "closed") ? "closed" : "resolved");
        }
    } else if (!strcasecmp(status, "NO_FURTHER_ACTION") ||
               !strcasecmp(status, "NOT_COUNCILS_RESPONSIBILITY") ||
               !strcasecmp(status, "DUPLICATE") || !strcasecmp(status, "CANCELLED")) {
        if (strcmp(current, "rejected") != 0) ONE("rejected");
        p->reason = status;
    } else if (!strcasecmp(status, "INTERNAL_REFERRAL")) {
        if (strcmp(current, "referred") != 0) ONE("referred");
        p->agency = "internal referral (Open311)";
    } else {
        return false;
    }
#undef ONE
    return true;
}

/* The required fields of an update and their forms: P_EINVAL naming the first wrong one. */
static int check_update(const char *id, const char *status, const char *when, const char *note,
                        p_error *err)
{
    time_t t;
    if (!id) return p_fail(err, P_EINVAL, "service_request_id", "service_request_id is required");
    if (!status) return p_fail(err, P_EINVAL, "status", "status is required");
    if (when && !o311_parse_time(when, &t))
        return p_fail(err, P_EINVAL, "updated_datetime",
                      "updated_datetime must be a W3C datetime with a timezone");
    if (note && strlen(note) > 2000 * 4)
        return p_fail(err, P_EINVAL, "description", "description is too long");
    return P_OK;
}

void o311_updates_post(http_request *req, enum o311_format fmt)
{
    form f;
    if (!o311_params(req, fmt, &f)) return;
    store *s = api_store(req);
    char actor[O311_ACTOR_MAX];
    int64_t key_id = 0;
    if (!s || !require_key(req, fmt, s, &f, actor, sizeof actor, &key_id)) {
        form_free(&f);
        return;
    }
    const char *id = o311_param(&f, "service_request_id"), *status = o311_param(&f, "status");
    const char *note = o311_param(&f, "description"), *when = o311_param(&f, "updated_datetime");
    const char *client_update = o311_param(&f, "update_id");
    p_error err;
    p_error_clear(&err);
    json_t *pub = NULL;
    int rc = P_OK;
    int64_t update_id = 0;
    char seen_code[CONCERN_TRACKING_LEN + 1] = "";
    /* A retry of an update this client sent before: the event it made, nothing applied. */
    if (client_update && *client_update)
        rc = o311_update_seen(s, key_id, client_update, &update_id, seen_code, &err);
    char asked[CONCERN_TRACKING_LEN + 1] = "";
    if (rc == P_OK && update_id > 0 &&
        !(id && concern_tracking_normalise(id, asked) && strcmp(asked, seen_code) == 0))
        rc = p_fail(&err, P_EINVAL, "update_id", "update_id %.100s was sent for another request",
                    client_update);
    if (rc == P_OK && update_id > 0) {
        form_free(&f);
        char uid[24];
        snprintf(uid, sizeof uid, "%lld", (long long)update_id);
        o311_reply(req, fmt, 200, "service_request_updates", "request_update",
                   json_pack("[{s:s}]", "update_id", uid));
        return;
    }
    if (rc == P_OK) rc = check_update(id, status, when, note, &err);
    if (rc == P_OK) rc = concern_public(s, id, &pub, &err);
    struct update_plan plan;
    const char *current = pub ? json_string_value(json_object_get(pub, "status")) : "";
    char code[CONCERN_TRACKING_LEN + 1] = "";
    if (pub)
        snprintf(code, sizeof code, "%s", json_string_value(json_object_get(pub, "tracking_code")));
    if (rc == P_OK && !plan_update(status, current, &plan))
        rc = p_fail(&err, P_EINVAL, "status", "unknown status %s", status);
    const char *from = current;
    for (int i = 0; rc == P_OK && i < plan.n; i++) {
        if (!concern_transition_allowed(from, plan.steps[i]))
            rc = p_fail(&err, P_EINVAL, "status", "a request that is %s cannot become %s", current,
                        status);
        from = plan.steps[i];
    }
    /* Open311 clients update on the officers' side: they see every concern. */
    struct concern_viewer v = {0, "admin"};
    struct actor by = {actor, http_client(req)};
    for (int i = 0; rc == P_OK && i < plan.n; i++) {
        bool last = i == plan.n - 1;
        struct concern_step st = {.status = plan.steps[i],
                                  .note = last ? (note ? note : plan.reason) : NULL,
                                  .public = true,
                                  .agency = plan.agency};
        json_t *after = NULL;
        rc = concern_advance(s, code, &st, &v, &by, &after, &err);
        json_decref(after);
    }
    if (rc == P_OK && plan.n == 0 && note) {
        struct concern_step st = {.note = note, .public = true};
        json_t *after = NULL;
        rc = concern_advance(s, code, &st, &v, &by, &after, &err);
        json_decref(after);
    }
    json_decref(pub);
    if (rc == P_OK) rc = o311_last_event_id(s, code, &update_id, &err);
    if (rc == P_OK && update_id > 0 && client_update && *client_update)
        rc = o311_update_remember(s, key_id, client_update, update_id, &err);
    form_free(&f);
    if (rc != P_OK) {
        /* The lifecycle's refusals are this request's fault: 400, as the spec wants. */
        o311_reply_status(req, fmt, rc == P_EUNPROC ? P_EINVAL : rc, &err);
        return;
    }
    char uid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)update_id);
    o311_reply(req, fmt, 200, "service_request_updates", "request_update",
               json_pack("[{s:s}]", "update_id", uid));
}
