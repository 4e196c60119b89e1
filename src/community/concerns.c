/* concerns.c (community): recording citizens' concerns, the lifecycle, who may see what,
 * and the citizen's view by tracking code. Every change writes its event and its audit
 * entry in one transaction; contact details never enter the audit trail or the logs. */
#include "community/community.h"
#include "community/attributes.h"

#include "auth/audit.h"
#include "core/mem.h"
#include "core/text.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char COMMUNITY_CHANNELS[] = "reception|station|web|open311|sms|forum";
const char CONCERN_STATUSES[] =
    "received|acknowledged|referred|in_progress|resolved|closed|rejected";

static const char tracking_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static bool in_list(const char *list, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && memcmp(p, v, n) == 0) return true;
        if (!bar) break;
        p = bar + 1;
    }
    return false;
}

bool concern_transition_allowed(const char *from, const char *to)
{
    static const struct {
        const char *from, *to;
    } edges[] = {
        {"received", "acknowledged"}, {"received", "rejected"},        {"received", "referred"},
        {"acknowledged", "referred"}, {"acknowledged", "in_progress"}, {"acknowledged", "resolved"},
        {"acknowledged", "rejected"}, {"referred", "in_progress"},     {"referred", "resolved"},
        {"referred", "closed"},       {"in_progress", "referred"},     {"in_progress", "resolved"},
        {"resolved", "closed"},       {"resolved", "in_progress"},
    };
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        if (strcmp(edges[i].from, from) == 0 && strcmp(edges[i].to, to) == 0) return true;
    return false;
}

bool concern_tracking_normalise(const char *in, char out[static CONCERN_TRACKING_LEN + 1])
{
    size_t n = 0;
    for (const char *p = in ? in : ""; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 32);
        if (c == 'I' || c == 'L') c = '1';
        if (c == 'O') c = '0';
        if (!strchr(tracking_alphabet, c) || c == '\0' || n == CONCERN_TRACKING_LEN) return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return n == CONCERN_TRACKING_LEN;
}

static void new_tracking_code(char out[static CONCERN_TRACKING_LEN + 1])
{
    unsigned char r[CONCERN_TRACKING_LEN];
    randombytes_buf(r, sizeof r);
    for (int i = 0; i < CONCERN_TRACKING_LEN; i++)
        out[i] = tracking_alphabet[r[i] % 32];
    out[CONCERN_TRACKING_LEN] = '\0';
}

/* ---- lookups ------------------------------------------------------------------------------ */

/* The id of the row of table with this code (0 when code is NULL or unknown). */
static int id_of(store *s, const char *sql, const char *code, int64_t *id, p_error *err)
{
    *id = 0;
    if (!code) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW) *id = store_col_int(st, 0);
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

struct service_info {
    int64_t due_days;
    bool conduct, found;
    json_t *questions; /* its questions (community/attributes.h); the caller releases them */
};

static int service_of(store *s, const char *code, struct service_info *out, p_error *err)
{
    memset(out, 0, sizeof *out);
    store_stmt *st;
    int rc = store_prepare(
        s, "SELECT due_days, conduct, attributes FROM services WHERE code = ? AND active = 1", &st,
        err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step == STORE_ROW) {
        out->due_days = store_col_int(st, 0);
        out->conduct = store_col_int(st, 1) != 0;
        out->questions = attributes_parse_definitions(store_col_text(st, 2));
        out->found = true;
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* ---- validation --------------------------------------------------------------------------- */

static int check_text(const char *v, const char *field, size_t max, bool required, p_error *err)
{
    if (!v || !*v) {
        if (required) return p_fail(err, P_EUNPROC, field, "%s is required", field);
        return P_OK;
    }
    size_t n = strlen(v);
    if (!text_utf8_valid(v, n)) return p_fail(err, P_EINVAL, field, "%s is not valid UTF-8", field);
    if (text_utf8_len(v, n) > max)
        return p_fail(err, P_EINVAL, field, "%s is longer than %zu characters", field, max);
    return P_OK;
}

/* An empty or absent link is fine; else an http or https URL of the characters RFC 3986
 * allows (printable ASCII without spaces, quotes, angle brackets, braces, |, \, ^, `), at
 * most CONCERN_MEDIA_URL_MAX bytes (it becomes a link on the officers' page). */
static int check_media_url(const char *url, p_error *err)
{
    if (!url || !*url) return P_OK;
    size_t n = strlen(url);
    bool ok = n <= CONCERN_MEDIA_URL_MAX &&
              (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0);
    for (size_t i = 0; ok && i < n; i++)
        ok = url[i] > ' ' && url[i] < 0x7f && !strchr("\"<>{}|\\^`", url[i]);
    if (!ok)
        return p_fail(err, P_EINVAL, "media_url",
                      "media_url must be an http or https URL of at most %d characters",
                      CONCERN_MEDIA_URL_MAX);
    return P_OK;
}

static int check_new(const struct concern_new *c, p_error *err)
{
    if (!c->channel || !in_list(COMMUNITY_CHANNELS, c->channel))
        return p_fail(err, P_EINVAL, "channel", "channel must be one of %s", COMMUNITY_CHANNELS);
    int rc = check_text(c->service_code, "service_code", 40, true, err);
    if (rc == P_OK)
        rc = check_text(c->description, "description", CONCERN_DESCRIPTION_MAX, true, err);
    if (rc == P_OK) rc = check_text(c->address, "address", 300, false, err);
    if (rc == P_OK) rc = check_media_url(c->media_url, err);
    if (rc == P_OK) rc = check_text(c->contact_name, "contact_name", 120, false, err);
    if (rc == P_OK) rc = check_text(c->contact_phone, "contact_phone", 40, false, err);
    if (rc == P_OK) rc = check_text(c->contact_email, "contact_email", 200, false, err);
    if (rc == P_OK) rc = check_text(c->client_id, "client_id", CONCERN_CLIENT_ID_MAX, false, err);
    if (rc != P_OK) return rc;
    if (c->has_location && !(c->lat >= -90 && c->lat <= 90))
        return p_fail(err, P_EINVAL, "lat", "lat must be between -90 and 90");
    if (c->has_location && !(c->lon >= -180 && c->lon <= 180))
        return p_fail(err, P_EINVAL, "long", "long must be between -180 and 180");
    if (c->anonymous &&
        ((c->contact_name && *c->contact_name) || (c->contact_phone && *c->contact_phone) ||
         (c->contact_email && *c->contact_email)))
        return p_fail(err, P_EUNPROC, "anonymous",
                      "an anonymous concern carries no contact details");
    return P_OK;
}

/* ---- reading ------------------------------------------------------------------------------ */

#define CONCERN_COLUMNS                                                                            \
    "c.id, c.tracking_code, c.channel, c.service_code, sv.name, a.code, si.code, ab.code,"         \
    " c.lat, c.lon, c.address, c.description, c.anonymous, c.contact_name, c.contact_phone,"       \
    " c.contact_email, c.status, f.code, c.agency, c.received_at, c.due_at, c.updated_at,"         \
    " c.resolved_at, sv.conduct, c.visit_id, c.media_url, c.attributes"
#define CONCERN_FROM                                                                               \
    " FROM concerns c JOIN services sv ON sv.code = c.service_code"                                \
    " LEFT JOIN areas a ON a.id = c.area_id LEFT JOIN sites si ON si.id = c.site_id"               \
    " LEFT JOIN sites ab ON ab.id = c.about_site_id LEFT JOIN forums f ON f.id = c.forum_id"

static json_t *text_or_null(store_stmt *st, int i)
{
    return store_col_null(st, i) ? json_null() : json_string(store_col_text(st, i));
}

/* Events of concern id, public ones only when public_only. */
static int load_events(store *s, int64_t id, bool public_only, json_t *into, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           public_only
                               ? "SELECT at, kind, status, note, public, actor FROM concern_events"
                                 " WHERE concern_id = ? AND public = 1 ORDER BY id"
                               : "SELECT at, kind, status, note, public, actor FROM concern_events"
                                 " WHERE concern_id = ? ORDER BY id",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        json_t *e = json_pack("{s:s, s:s, s:o, s:s}", "at", store_col_text(st, 0), "kind",
                              store_col_text(st, 1), "status", text_or_null(st, 2), "note",
                              store_col_text(st, 3));
        if (!public_only) {
            json_object_set_new(e, "public", json_boolean(store_col_int(st, 4)));
            json_object_set_new(e, "actor", json_string(store_col_text(st, 5)));
        }
        json_array_append_new(into, e);
    }
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

/* The officers' view (with_contact) or the citizen's view of the concern with this code. */
static int load(store *s, const char *code, bool officers, json_t **out, int64_t *id_out,
                p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc = store_prepare(s, "SELECT " CONCERN_COLUMNS CONCERN_FROM " WHERE c.tracking_code = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    int step = store_step(st, err);
    if (step < 0) return -step;
    if (step == STORE_DONE) {
        store_reset(st);
        return p_fail(err, P_ENOTFOUND, "tracking_code", "no concern has this tracking code");
    }
    int64_t id = store_col_int(st, 0);
    json_t *r =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "tracking_code", store_col_text(st, 1),
                  "service_code", store_col_text(st, 3), "service_name", store_col_text(st, 4),
                  "status", store_col_text(st, 16), "received_at", store_col_text(st, 19),
                  "updated_at", store_col_text(st, 21), "resolved_at", text_or_null(st, 22));
    if (officers) {
        json_object_set_new(r, "channel", json_string(store_col_text(st, 2)));
        json_object_set_new(r, "area", text_or_null(st, 5));
        json_object_set_new(r, "site", text_or_null(st, 6));
        json_object_set_new(r, "about_site", text_or_null(st, 7));
        json_object_set_new(
            r, "lat", store_col_null(st, 8) ? json_null() : json_string(store_col_text(st, 8)));
        json_object_set_new(
            r, "long", store_col_null(st, 9) ? json_null() : json_string(store_col_text(st, 9)));
        json_object_set_new(r, "address", json_string(store_col_text(st, 10)));
        json_object_set_new(r, "description", json_string(store_col_text(st, 11)));
        json_object_set_new(r, "anonymous", json_boolean(store_col_int(st, 12)));
        json_object_set_new(r, "contact",
                            json_pack("{s:s, s:s, s:s}", "name", store_col_text(st, 13), "phone",
                                      store_col_text(st, 14), "email", store_col_text(st, 15)));
        json_object_set_new(r, "forum", text_or_null(st, 17));
        json_object_set_new(r, "agency", json_string(store_col_text(st, 18)));
        json_object_set_new(r, "due_at", json_string(store_col_text(st, 20)));
        json_object_set_new(r, "conduct", json_boolean(store_col_int(st, 23)));
        json_object_set_new(
            r, "visit", store_col_null(st, 24) ? json_null() : json_integer(store_col_int(st, 24)));
        json_object_set_new(r, "media_url", json_string(store_col_text(st, 25)));
        json_object_set_new(r, "attributes", attributes_parse_stored(store_col_text(st, 26)));
    }
    store_reset(st);
    json_t *events = json_array();
    json_object_set_new(r, "events", events);
    rc = load_events(s, id, !officers, events, err);
    if (rc != P_OK) {
        json_decref(r);
        return rc;
    }
    if (id_out) *id_out = id;
    *out = r;
    return P_OK;
}

int concern_load_officers(store *s, const char *code, json_t **out, p_error *err)
{
    return load(s, code, true, out, NULL, err);
}

/* The record as the audit trail keeps it: contact details replaced by a mark. A shallow
 * copy: the mark replaces the contact in the copy only, and the rest is shared read-only. */
static json_t *audit_copy(json_t *rec)
{
    json_t *c = json_copy(rec);
    if (json_object_get(c, "contact"))
        json_object_set_new(c, "contact", json_string("(protected)"));
    return c;
}

/* ---- creating ----------------------------------------------------------------------------- */

static int add_event(store *s, int64_t concern, const char *at, const char *actor, const char *kind,
                     const char *status, bool public, const char *note, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(
        s,
        "INSERT INTO concern_events(concern_id, at, actor, kind, status, public, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, concern);
    store_bind_text(st, 2, at);
    store_bind_text(st, 3, actor);
    store_bind_text(st, 4, kind);
    if (status)
        store_bind_text(st, 5, status);
    else
        store_bind_null(st, 5);
    store_bind_int(st, 6, public ? 1 : 0);
    store_bind_text(st, 7, note ? note : "");
    return store_run(st, err);
}

/* The tracking code of the concern an earlier submission with c's client_id made, or "".
 * A client_id is the submitter's own: one recorded by another user or through another
 * channel is P_ECONFLICT naming client_id, so that knowing someone's key never opens
 * their concern. */
static int find_client_id(store *s, const struct concern_new *c,
                          char code[static CONCERN_TRACKING_LEN + 1], p_error *err)
{
    code[0] = '\0';
    if (!c->client_id || !*c->client_id) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT tracking_code, COALESCE(created_by, 0), channel FROM concerns"
                           " WHERE client_id = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, c->client_id);
    int step = store_step(st, err);
    bool theirs = false;
    if (step == STORE_ROW) {
        snprintf(code, CONCERN_TRACKING_LEN + 1, "%s", store_col_text(st, 0));
        theirs =
            store_col_int(st, 1) != c->created_by || strcmp(store_col_text(st, 2), c->channel) != 0;
    }
    store_reset(st);
    if (step < 0) return -step;
    if (theirs) {
        code[0] = '\0';
        return p_fail(err, P_ECONFLICT, "client_id",
                      "client_id belongs to another submission; make a new one");
    }
    return P_OK;
}

/* A concern recorded during a reception visit takes the visit's subdistrict and the
 * vehicle's station unless it names its own. */
static int visit_defaults(store *s, int64_t visit, int64_t *area, int64_t *site, p_error *err)
{
    store_stmt *st;
    int rc = store_prepare(s,
                           "SELECT v.area_id, COALESCE(ve.site_id, 0), v.status FROM visits v"
                           " JOIN vehicles ve ON ve.id = v.vehicle_id WHERE v.id = ?",
                           &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, visit);
    int step = store_step(st, err);
    bool found = step == STORE_ROW, cancelled = false;
    if (found) {
        if (!*area) *area = store_col_int(st, 0);
        if (!*site) *site = store_col_int(st, 1);
        cancelled = strcmp(store_col_text(st, 2), "cancelled") == 0;
    }
    store_reset(st);
    if (step < 0) return -step;
    if (!found) return p_fail(err, P_EUNPROC, "visit", "no visit %lld", (long long)visit);
    if (cancelled)
        return p_fail(err, P_EUNPROC, "visit", "visit %lld was cancelled", (long long)visit);
    return P_OK;
}

static int insert_concern(store *s, const struct concern_new *c, const char *code, int64_t due_days,
                          int64_t area, int64_t site, int64_t about, const char *now,
                          const char *answers, int64_t *id, p_error *err)
{
    char due[21];
    text_time_iso(time(NULL) + (time_t)due_days * 86400, due);
    store_stmt *st;
    int rc = store_prepare(
        s,
        "INSERT INTO concerns(tracking_code, client_id, channel, service_code, area_id, site_id,"
        " about_site_id, lat, lon, address, description, anonymous, contact_name, contact_phone,"
        " contact_email, status, received_at, due_at, updated_at, created_by, visit_id,"
        " media_url, attributes)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'received',"
        " ?16, ?17, ?16, ?18, ?19, ?20, ?21)",
        &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    if (c->client_id && *c->client_id)
        store_bind_text(st, 2, c->client_id);
    else
        store_bind_null(st, 2);
    store_bind_text(st, 3, c->channel);
    store_bind_text(st, 4, c->service_code);
    if (area)
        store_bind_int(st, 5, area);
    else
        store_bind_null(st, 5);
    if (site)
        store_bind_int(st, 6, site);
    else
        store_bind_null(st, 6);
    if (about)
        store_bind_int(st, 7, about);
    else
        store_bind_null(st, 7);
    char num[32];
    if (c->has_location) {
        snprintf(num, sizeof num, "%.7f", c->lat);
        store_bind_text(st, 8, num);
        snprintf(num, sizeof num, "%.7f", c->lon);
        store_bind_text(st, 9, num);
    } else {
        store_bind_null(st, 8);
        store_bind_null(st, 9);
    }
    store_bind_text(st, 10, c->address ? c->address : "");
    store_bind_text(st, 11, c->description);
    store_bind_int(st, 12, c->anonymous ? 1 : 0);
    store_bind_text(st, 13, c->anonymous || !c->contact_name ? "" : c->contact_name);
    store_bind_text(st, 14, c->anonymous || !c->contact_phone ? "" : c->contact_phone);
    store_bind_text(st, 15, c->anonymous || !c->contact_email ? "" : c->contact_email);
    store_bind_text(st, 16, now);
    store_bind_text(st, 17, due);
    if (c->created_by)
        store_bind_int(st, 18, c->created_by);
    else
        store_bind_null(st, 18);
    if (c->visit_id)
        store_bind_int(st, 19, c->visit_id);
    else
        store_bind_null(st, 19);
    store_bind_text(st, 20, c->media_url ? c->media_url : "");
    store_bind_text(st, 21, answers);
    rc = store_run(st, err);
    if (rc == P_OK) *id = store_last_insert_id(s);
    return rc;
}

/* One submission, run by store_group_run inside a batch's transaction. */
struct create_job {
    const struct concern_new *c;
    const struct actor *by;
    json_t *rec;  /* the officers' view of the concern made, or found for a retry */
    bool created; /* false: a retry found the first submission's concern */
};

static int create_work(store *s, void *ctx, p_error *err)
{
    struct create_job *job = ctx; /* first member of a concern_submission too */
    const struct concern_new *c = job->c;
    const struct actor *by = job->by;
    char code[CONCERN_TRACKING_LEN + 1];
    int rc = find_client_id(s, c, code, err);
    if (rc == P_OK && code[0]) /* a retry: the first submission stands */
        return load(s, code, true, &job->rec, NULL, err);
    struct service_info svc = {0};
    int64_t area = 0, site = 0, about = 0, id = 0;
    if (rc == P_OK) rc = service_of(s, c->service_code, &svc, err);
    if (rc == P_OK && !svc.found)
        rc = p_fail(err, P_ENOTFOUND, "service_code", "no service %s", c->service_code);
    if (rc == P_OK) rc = id_of(s, "SELECT id FROM areas WHERE code = ?", c->area_code, &area, err);
    if (rc == P_OK && c->area_code && !area)
        rc = p_fail(err, P_EUNPROC, "area", "no area %s", c->area_code);
    if (rc == P_OK) rc = id_of(s, "SELECT id FROM sites WHERE code = ?", c->site_code, &site, err);
    if (rc == P_OK && c->site_code && !site)
        rc = p_fail(err, P_EUNPROC, "site", "no site %s", c->site_code);
    if (rc == P_OK)
        rc = id_of(s, "SELECT id FROM sites WHERE code = ?", c->about_site_code, &about, err);
    if (rc == P_OK && c->about_site_code && !about)
        rc = p_fail(err, P_EUNPROC, "about_site", "no site %s", c->about_site_code);
    if (rc == P_OK && about && !svc.conduct)
        rc = p_fail(err, P_EUNPROC, "about_site",
                    "only complaints about police conduct name a unit");
    if (rc == P_OK && c->visit_id) rc = visit_defaults(s, c->visit_id, &area, &site, err);
    char *answers = NULL;
    if (rc == P_OK)
        rc = attributes_check_answers(svc.questions, c->attributes, !c->cannot_ask, &answers, err);
    json_decref(svc.questions);
    char now[21];
    text_now_iso(now);
    new_tracking_code(code);
    if (rc == P_OK)
        rc = insert_concern(s, c, code, svc.due_days, area, site, about, now, answers, &id, err);
    free(answers);
    if (rc == P_OK) rc = add_event(s, id, now, by->login, "received", "received", true, "", err);
    if (rc == P_OK) rc = load(s, code, true, &job->rec, NULL, err);
    if (rc == P_OK) {
        json_t *after = audit_copy(job->rec);
        struct audit_entry e = {by->login, "create", "concern", code, NULL, after, by->client};
        rc = audit_append(s, &e, err);
        json_decref(after);
    }
    job->created = rc == P_OK;
    return rc;
}

/* The outcome rc of job's batch as concern_create gives it (job's record taken). */
static int created_result(store *s, struct create_job *job, int rc, json_t **out, bool *created,
                          p_error *err)
{
    if (rc == P_OK) {
        *created = job->created;
        *out = job->rec;
        job->rec = NULL;
        return P_OK;
    }
    json_decref(job->rec);
    job->rec = NULL;
    /* Two retries racing: the other one committed first. */
    if (rc == P_ECONFLICT && job->c->client_id) {
        char code[CONCERN_TRACKING_LEN + 1];
        int again = find_client_id(s, job->c, code, err);
        if (again != P_OK) return again;
        if (code[0]) return load(s, code, true, out, NULL, err);
    }
    return rc;
}

int concern_create(store *s, const struct concern_new *c, const struct actor *by, json_t **out,
                   bool *created, p_error *err)
{
    *out = NULL;
    *created = false;
    int rc = check_new(c, err);
    if (rc != P_OK) return rc;
    /* Submissions arriving together share one transaction and one sync (store.h). */
    struct create_job job = {.c = c, .by = by};
    rc = store_group_run(s, create_work, &job, err);
    return created_result(s, &job, rc, out, created, err);
}

struct concern_submission {
    struct create_job job;
    int rc;
    p_error err;
    void (*done)(void *cls);
    void *cls;
};

static void submitted(void *ctx, int rc, const p_error *err)
{
    concern_submission *sub = ctx;
    sub->rc = rc;
    if (rc != P_OK && err) sub->err = *err;
    sub->done(sub->cls);
}

int concern_create_start(store *s, const struct concern_new *c, const struct actor *by,
                         void (*done)(void *cls), void *cls, concern_submission **out, p_error *err)
{
    *out = NULL;
    int rc = check_new(c, err);
    if (rc != P_OK) return rc;
    concern_submission *sub = xcalloc(1, sizeof *sub);
    sub->job = (struct create_job){.c = c, .by = by};
    sub->done = done;
    sub->cls = cls;
    p_error_clear(&sub->err);
    *out = sub;
    store_group_submit(s, create_work, sub, submitted);
    return P_OK;
}

int concern_create_finish(store *s, concern_submission *sub, json_t **out, bool *created,
                          p_error *err)
{
    *out = NULL;
    *created = false;
    if (sub->rc != P_OK) *err = sub->err;
    int rc = created_result(s, &sub->job, sub->rc, out, created, err);
    free(sub);
    return rc;
}

void concern_submission_free(concern_submission *sub)
{
    if (!sub) return;
    json_decref(sub->job.rec);
    free(sub);
}

/* The citizen's view in one statement: the concern and its public events as one row per
 * event (one row with NULL event columns when it has none), so a lookup is one read. The
 * view holds what load(.., false, ..) shows, in the same order. */
static int load_public(store *s, const char *code, json_t **out, p_error *err)
{
    *out = NULL;
    store_stmt *st;
    int rc =
        store_prepare(s,
                      "SELECT c.tracking_code, c.service_code, sv.name, c.status, c.received_at,"
                      " c.updated_at, c.resolved_at, e.id, e.at, e.kind, e.status, e.note"
                      " FROM concerns c JOIN services sv ON sv.code = c.service_code"
                      " LEFT JOIN concern_events e ON e.concern_id = c.id AND e.public = 1"
                      " WHERE c.tracking_code = ? ORDER BY e.id",
                      &st, err);
    if (rc != P_OK) return rc;
    store_bind_text(st, 1, code);
    json_t *r = NULL, *events = NULL;
    int step;
    while ((step = store_step(st, err)) == STORE_ROW) {
        if (!r) {
            events = json_array();
            r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "tracking_code",
                          store_col_text(st, 0), "service_code", store_col_text(st, 1),
                          "service_name", store_col_text(st, 2), "status", store_col_text(st, 3),
                          "received_at", store_col_text(st, 4), "updated_at", store_col_text(st, 5),
                          "resolved_at", text_or_null(st, 6), "events", events);
        }
        if (store_col_null(st, 7)) continue;
        json_array_append_new(events,
                              json_pack("{s:s, s:s, s:o, s:s}", "at", store_col_text(st, 8), "kind",
                                        store_col_text(st, 9), "status", text_or_null(st, 10),
                                        "note", store_col_text(st, 11)));
    }
    store_reset(st);
    if (step < 0) {
        json_decref(r);
        return -step;
    }
    if (!r) return p_fail(err, P_ENOTFOUND, "tracking_code", "no concern has this tracking code");
    *out = r;
    return P_OK;
}

int concern_public(store *s, const char *tracking_code, json_t **out, p_error *err)
{
    char code[CONCERN_TRACKING_LEN + 1];
    *out = NULL;
    if (!concern_tracking_normalise(tracking_code, code))
        return p_fail(err, P_ENOTFOUND, "tracking_code", "no concern has this tracking code");
    return load_public(s, code, out, err);
}

/* ---- who may see a concern ---------------------------------------------------------------- */

static bool supervisor(const char *role)
{
    return strcmp(role, "admin") == 0 || strcmp(role, "coordinator") == 0;
}

static int may_see(store *s, int64_t id, const struct concern_viewer *v, bool *ok, p_error *err)
{
    *ok = false;
    if (supervisor(v->role)) {
        *ok = true;
        return P_OK;
    }
    const char *sql = NULL;
    if (strcmp(v->role, "police_officer") == 0)
        /* Concerns of the officer's areas (and the areas below them) or station; never a
         * complaint about police conduct, which supervisors and forums handle. */
        sql = "WITH RECURSIVE mine(id) AS (SELECT area_id FROM user_areas WHERE user_id = ?2"
              " UNION SELECT a.id FROM areas a JOIN mine ON a.parent_id = mine.id)"
              " SELECT 1 FROM concerns c JOIN services sv ON sv.code = c.service_code"
              " WHERE c.id = ?1 AND sv.conduct = 0 AND (c.area_id IN (SELECT id FROM mine)"
              " OR c.site_id IN (SELECT site_id FROM user_sites WHERE user_id = ?2))";
    else if (strcmp(v->role, "forum_member") == 0)
        sql = "SELECT 1 FROM concerns c WHERE c.id = ?1 AND c.forum_id IN"
              " (SELECT forum_id FROM forum_members WHERE user_id = ?2 AND left_on IS NULL)";
    if (!sql) return P_OK;
    store_stmt *st;
    int rc = store_prepare(s, sql, &st, err);
    if (rc != P_OK) return rc;
    store_bind_int(st, 1, id);
    store_bind_int(st, 2, v->user_id);
    int step = store_step(st, err);
    *ok = step == STORE_ROW;
    store_reset(st);
    return step < 0 ? -step : P_OK;
}

static int load_visible(store *s, const char *tracking_code, const struct concern_viewer *v,
                        json_t **out, int64_t *id, p_error *err)
{
    char code[CONCERN_TRACKING_LEN + 1];
    *out = NULL;
    if (!concern_tracking_normalise(tracking_code, code))
        return p_fail(err, P_ENOTFOUND, "tracking_code", "no concern has this tracking code");
    int rc = load(s, code, true, out, id, err);
    bool ok = false;
    if (rc == P_OK) rc = may_see(s, *id, v, &ok, err);
    if (rc == P_OK && !ok)
        rc = p_fail(err, P_ENOTFOUND, "tracking_code", "no concern has this tracking code");
    if (rc != P_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int concern_get(store *s, const char *tracking_code, const struct concern_viewer *v,
                const struct actor *by, json_t **out, p_error *err)
{
    int64_t id = 0;
    int rc = load_visible(s, tracking_code, v, out, &id, err);
    if (rc != P_OK) return rc;
    const char *code = json_string_value(json_object_get(*out, "tracking_code"));
    if (!json_is_true(json_object_get(*out, "anonymous"))) {
        /* Contact details are personal data of a citizen: every read is audited. */
        struct audit_entry e = {by->login, "read", "concern_contact", code, NULL, NULL, by->client};
        rc = audit_append_alone(s, &e, err);
        if (rc != P_OK) {
            json_decref(*out);
            *out = NULL;
        }
    }
    return rc;
}

/* ---- the lifecycle ------------------------------------------------------------------------ */

static int check_step(const struct concern_step *stp, p_error *err)
{
    int rc = check_text(stp->note, "note", 2000, false, err);
    if (rc == P_OK && stp->status && !in_list(CONCERN_STATUSES, stp->status))
        rc = p_fail(err, P_EINVAL, "status", "status must be one of %s", CONCERN_STATUSES);
    if (rc == P_OK && !stp->status && (!stp->note || !*stp->note))
        rc = p_fail(err, P_EUNPROC, "note", "a step without a status needs a note");
    if (rc == P_OK && stp->status && strcmp(stp->status, "rejected") == 0 &&
        (!stp->note || !*stp->note))
        rc = p_fail(err, P_EUNPROC, "note", "a rejection needs a reason");
    if (rc == P_OK) rc = check_text(stp->agency, "agency", 200, false, err);
    return rc;
}

int concern_advance_in_tx(store *s, const char *tracking_code, const struct concern_step *stp,
                          const char *kind, const struct concern_viewer *v, const struct actor *by,
                          p_error *err)
{
    int rc = check_step(stp, err);
    if (rc != P_OK) return rc;
    json_t *before = NULL, *after = NULL;
    int64_t id = 0, forum = 0;
    rc = load_visible(s, tracking_code, v, &before, &id, err);
    const char *from = rc == P_OK ? json_string_value(json_object_get(before, "status")) : "";
    if (rc == P_OK && stp->status && !concern_transition_allowed(from, stp->status))
        rc = p_fail(err, P_EUNPROC, "status", "a concern that is %s cannot become %s", from,
                    stp->status);
    bool referral = rc == P_OK && stp->status && strcmp(stp->status, "referred") == 0;
    if (referral) {
        rc = id_of(s, "SELECT id FROM forums WHERE code = ?", stp->forum_code, &forum, err);
        if (rc == P_OK && stp->forum_code && !forum)
            rc = p_fail(err, P_EUNPROC, "forum", "no forum %s", stp->forum_code);
        if (rc == P_OK && !forum && (!stp->agency || !*stp->agency))
            rc = p_fail(err, P_EUNPROC, "forum", "a referral names a forum or an agency");
    }
    char now[21];
    text_now_iso(now);
    store_stmt *st;
    if (rc == P_OK && stp->status) {
        rc = store_prepare(s,
                           "UPDATE concerns SET status = ?1, updated_at = ?2,"
                           " resolved_at = CASE WHEN ?1 IN ('resolved', 'closed', 'rejected')"
                           " THEN COALESCE(resolved_at, ?2) WHEN ?1 = 'in_progress' THEN NULL"
                           " ELSE resolved_at END,"
                           " forum_id = CASE WHEN ?3 > 0 THEN ?3 ELSE forum_id END,"
                           " agency = CASE WHEN ?4 <> '' THEN ?4 ELSE agency END WHERE id = ?5",
                           &st, err);
        if (rc == P_OK) {
            store_bind_text(st, 1, stp->status);
            store_bind_text(st, 2, now);
            store_bind_int(st, 3, forum);
            store_bind_text(st, 4, referral && stp->agency ? stp->agency : "");
            store_bind_int(st, 5, id);
            rc = store_run(st, err);
        }
    }
    if (!kind) kind = !stp->status ? "note" : referral ? "referral" : "status";
    if (rc == P_OK)
        rc = add_event(s, id, now, by->login, kind, stp->status, stp->public, stp->note, err);
    if (rc == P_OK)
        rc = load(s, json_string_value(json_object_get(before, "tracking_code")), true, &after,
                  NULL, err);
    if (rc == P_OK) {
        json_t *b = audit_copy(before), *a = audit_copy(after);
        struct audit_entry e = {
            by->login, stp->status ? "update" : "note",
            "concern", json_string_value(json_object_get(after, "tracking_code")),
            b,         a,
            by->client};
        rc = audit_append(s, &e, err);
        json_decref(b);
        json_decref(a);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

int concern_advance(store *s, const char *tracking_code, const struct concern_step *stp,
                    const struct concern_viewer *v, const struct actor *by, json_t **out,
                    p_error *err)
{
    *out = NULL;
    int rc = check_step(stp, err);
    if (rc != P_OK) return rc;
    rc = store_begin(s, err);
    if (rc != P_OK) return rc;
    rc = concern_advance_in_tx(s, tracking_code, stp, NULL, v, by, err);
    if (rc == P_OK) rc = store_commit(s, err);
    if (rc != P_OK) {
        store_rollback(s);
        return rc;
    }
    json_t *after = NULL;
    char code[CONCERN_TRACKING_LEN + 1];
    if (!concern_tracking_normalise(tracking_code, code))
        return p_fail(err, P_ENOTFOUND, "tracking_code", "no concern has this tracking code");
    rc = load(s, code, true, &after, NULL, err);
    /* Contact details are read through concern_get, where each read is audited. */
    if (after) json_object_del(after, "contact");
    *out = after;
    return rc;
}
