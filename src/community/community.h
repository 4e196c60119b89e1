/* community.h: community policing — the services (categories) citizens' concerns are filed
 * under, and the concerns themselves, followed from receipt to resolution with every step
 * an event that is public (the citizen sees it by tracking code) or internal. Complaints
 * about police conduct are never shown to the unit they are about. */
#ifndef POLIS_COMMUNITY_H
#define POLIS_COMMUNITY_H

#include "auth/users.h"
#include "core/cursor.h"
#include "http/request.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

extern const char COMMUNITY_CHANNELS[]; /* reception|station|web|open311|sms|forum */
extern const char CONCERN_STATUSES[];   /* received|acknowledged|referred|in_progress|... */

enum {
    CONCERN_DESCRIPTION_MAX = 4000, /* characters, as Open311 allows */
    CONCERN_MEDIA_URL_MAX = 2000,   /* bytes of a media_url */
    CONCERN_TRACKING_LEN = 10,      /* Crockford base32, 50 random bits */
    CONCERN_CLIENT_ID_MAX = 64,
};

/* Registers the concerns API (api.c). */
void community_register_routes(void);

/* The active services, in their order: [{code, name, name_ru, description, group,
 * keywords, due_days, conduct}]. */
MUST_CHECK int community_services(store *s, json_t **items, p_error *err);
/* The retired services (active false), as community_services lists them. */
MUST_CHECK int community_services_retired(store *s, json_t **items, p_error *err);

/* Aggregates of the concerns of area (its subtree) or site, and of service, or of all when
 * they are NULL: {received, resolved, rejected, open, overdue, median_days_to_resolution,
 * by_service: [{key, label, count}], by_month: [{key, label, count}] for the last twelve
 * months}, and with a service, answers: the choices of each of its list questions counted
 * [{code, question, question_ru, counts: [{key, label, label_ru, count}]}]. P_ENOTFOUND
 * naming service_code for an unknown service. */
MUST_CHECK int community_dashboard(store *s, const char *area, const char *site,
                                   const char *service, json_t **out, p_error *err);

/* A forum with its areas and members: {code, kind, name, name_ru, site, areas: [{code,
 * name}], members: [{id, name, role}]}; P_ENOTFOUND when there is none. */
MUST_CHECK int community_forum_get(store *s, const char *code, json_t **out, p_error *err);

/* The forum's agenda: the open concerns relayed to it (referred or in progress), soonest
 * due first, without contact details. */
MUST_CHECK int community_forum_agenda(store *s, const char *code, json_t **items, p_error *err);

/* The forum's meetings, newest first, each with its decisions. */
MUST_CHECK int community_meetings(store *s, const char *code, json_t **items, p_error *err);

/* Records a meeting from body {held_on, place, notes, attendees: [member ids], decisions:
 * [{tracking_code, decision, public (default true), status (optional step)}]}: attendees
 * must be the forum's members, decided concerns must be relayed to the forum, and each
 * decision becomes an event of its concern (with its status step). All or nothing. */
MUST_CHECK int community_meeting_record(store *s, const char *code, json_t *body,
                                        const struct actor *by, json_t **out, p_error *err);

/* Adds a member {name, role, user (a login, optional)} to the forum; audited. */
MUST_CHECK int community_forum_add_member(store *s, const char *code, json_t *body,
                                          const struct actor *by, json_t **out, p_error *err);

/* Replaces the areas the forum covers (codes of existing areas); audited. */
MUST_CHECK int community_forum_set_areas(store *s, const char *code, json_t *areas,
                                         const struct actor *by, p_error *err);

/* Member member_id leaves the forum code (left_on today): their place in past meetings
 * stays, the forum's access and new meetings go; audited with before and after.
 * P_ENOTFOUND (field member) when the forum has no such current member. */
MUST_CHECK int community_forum_remove_member(store *s, const char *code, int64_t member_id,
                                             const struct actor *by, p_error *err);

/* *ok when who may act for the forum: administrators, co-ordinators and its members. */
MUST_CHECK int community_forum_member(store *s, const char *code, const principal *who, bool *ok,
                                      p_error *err);

/* Visits of the reception minibuses planned between from and to (YYYY-MM-DD, NULL for open)
 * with status (NULL for any): [{id, vehicle, plate, area, area_name, officer, community_rep,
 * planned_date, actual_date, citizens_received, status, concerns}], by planned date. */
MUST_CHECK int community_visits(store *s, const char *from, const char *to, const char *status,
                                json_t **items, p_error *err);

/* Plans a visit from {vehicle, area, planned_date, officer, community_rep} (codes of an
 * existing vehicle and area); audited. */
MUST_CHECK int community_visit_plan(store *s, json_t *body, const struct actor *by, json_t **out,
                                    p_error *err);

/* Changes a visit ({status: planned|done|cancelled, actual_date, citizens_received, officer,
 * community_rep}); a visit done has its actual date and the citizens received. Audited. */
MUST_CHECK int community_visit_update(store *s, int64_t id, json_t *patch, const struct actor *by,
                                      json_t **out, p_error *err);

/* Loads data/demo/community.json (the Community Security Initiative) when no area exists. */
MUST_CHECK int community_load_demo(store *s, const struct actor *by, p_error *err);

/* Adds a service (code NULL: body holds it) or changes the one of code from body {code,
 * name, name_ru, description, group, keywords, due_days 1..365, conduct, active}; audited.
 * A new service needs code and name; an existing code is P_ECONFLICT. */
MUST_CHECK int community_service_save(store *s, const char *code, json_t *body,
                                      const struct actor *by, json_t **out, p_error *err);

/* Adds an area, site, vehicle or forum (entity) from body, checked field by field (codes,
 * references to existing rows, areas nested one level at a time) and audited. */
MUST_CHECK int community_place_create(store *s, const char *entity, json_t *body,
                                      const struct actor *by, p_error *err);

/* The areas, sites, vehicles or forums (entity), by code, as the API lists them: objects of
 * strings (see places.c for the members); the caller owns *items. */
MUST_CHECK int community_places(store *s, const char *entity, json_t **items, p_error *err);

/* Where a user works: {login, areas: [codes], site: code or null}; P_ENOTFOUND for an
 * unknown login. */
MUST_CHECK int community_scope_get(store *s, const char *login, json_t **out, p_error *err);

/* Replaces a user's areas and station from {areas: [codes], site: code or null}: every code
 * must exist (422 naming areas or site). Audited with before and after. */
MUST_CHECK int community_scope_set(store *s, const char *login, json_t *body,
                                   const struct actor *by, json_t **out, p_error *err);

/* Loads the services of data/community.json that are not there yet. */
MUST_CHECK int community_load_reference(store *s, const struct actor *by, p_error *err);

/* A new concern, as an officer, a citizen, an Open311 client or the SMS gateway sends it.
 * Codes are those of services, areas and sites; NULL members are absent. */
struct concern_new {
    const char *channel;
    const char *service_code;
    const char *description;
    const char *area_code, *site_code;
    const char *about_site_code; /* police conduct: the unit the complaint is about */
    const char *address;
    const char *media_url; /* a link to a photo or file (http or https), or NULL */
    bool has_location;
    double lat, lon;
    bool anonymous;
    const char *contact_name, *contact_phone, *contact_email;
    const char *client_id; /* idempotency key of a retried submission, or NULL */
    int64_t created_by;    /* the user recording it, 0 for a citizen */
    int64_t visit_id;      /* the reception visit it was raised at, or 0 */
    json_t *attributes;    /* answers to the service's questions {code: value}, or NULL
                              (borrowed; see community/attributes.h) */
    bool cannot_ask;       /* the channel cannot put the questions (a text message): a
                              required one left unanswered is not refused */
};

/* Records a concern: checks every member (P_EINVAL for malformed, P_EUNPROC for broken rules,
 * naming the field; P_ENOTFOUND naming service_code for an unknown service), assigns a
 * tracking code and the due date of its service, writes the public "received" event and the
 * audit entry. When client_id was recorded before by the same user through the same
 * channel, nothing is written and *created is false: *out is the concern that submission
 * made; by anyone else, P_ECONFLICT naming client_id. *out is the officers' view. */
MUST_CHECK int concern_create(store *s, const struct concern_new *c, const struct actor *by,
                              json_t **out, bool *created, p_error *err);

/* concern_create without waiting for the commit. A refusal found before (c's members) is
 * returned at once with err set, and nothing starts. Otherwise P_OK: done(cls) is called
 * once, from the database's writer thread, when the concern is committed or refused, and
 * concern_create_finish then gives the result as concern_create does (in a thread with a
 * connection of its own, s); c and by must live until then. */
typedef struct concern_submission concern_submission;
MUST_CHECK int concern_create_start(store *s, const struct concern_new *c, const struct actor *by,
                                    void (*done)(void *cls), void *cls, concern_submission **out,
                                    p_error *err);
/* Frees sub. */
MUST_CHECK int concern_create_finish(store *s, concern_submission *sub, json_t **out, bool *created,
                                     p_error *err);
/* Frees a submission whose done was called but that is not finished. */
void concern_submission_free(concern_submission *sub);

/* What the citizen sees by tracking code (case and dashes ignored): service, status, dates
 * and public events only — no contact details, no internal notes. P_ENOTFOUND otherwise. */
MUST_CHECK int concern_public(store *s, const char *tracking_code, json_t **out, p_error *err);

/* Who is looking: the user, the role and (for officers) their site. */
struct concern_viewer {
    int64_t user_id;
    const char *role;
};

/* The officers' view of a concern the viewer may see (contact details included, every
 * event); P_ENOTFOUND when it does not exist or the viewer may not see it, so a refusal does
 * not reveal that it exists. Reading contact details is audited. */
MUST_CHECK int concern_get(store *s, const char *tracking_code, const struct concern_viewer *v,
                           const struct actor *by, json_t **out, p_error *err);

/* One step of a concern's lifecycle: received → acknowledged → referred (to a forum or an
 * agency) → in_progress → resolved → closed, or rejected with a reason; a note alone
 * changes no status. Transitions outside the lifecycle are P_EUNPROC naming "status".
 * *out is the officers' view after the step without the contact details: those are read
 * through concern_get, which audits every read. */
struct concern_step {
    const char *status; /* NULL for a note */
    const char *note;
    bool public;
    const char *forum_code; /* referred */
    const char *agency;     /* referred */
};
MUST_CHECK int concern_advance(store *s, const char *tracking_code, const struct concern_step *st,
                               const struct concern_viewer *v, const struct actor *by, json_t **out,
                               p_error *err);

/* concern_advance inside the caller's transaction (store_begin done), writing the event as
 * kind (NULL: "note", "referral" or "status" from the step), with its audit entry. After
 * an error the caller rolls back. */
MUST_CHECK int concern_advance_in_tx(store *s, const char *tracking_code,
                                     const struct concern_step *st, const char *kind,
                                     const struct concern_viewer *v, const struct actor *by,
                                     p_error *err);

/* True when the lifecycle allows from → to. */
bool concern_transition_allowed(const char *from, const char *to);

/* Filters of concern_list; NULL members do not filter. */
struct concern_filter {
    const char *status, *service_code, *area_code;
    const char *answer; /* "CODE:VALUE": the answer to question CODE is, or includes, VALUE */
    bool overdue;       /* open and past its due date */
    const char *cursor; /* from a previous page, or NULL */
    int limit;          /* 1..1000 */
};

/* The concerns v may see, newest first, without contact details (the record has them). */
MUST_CHECK int concern_list(store *s, const struct concern_viewer *v,
                            const struct concern_filter *f, json_t **items,
                            char next[static CURSOR_MAX], p_error *err);

/* The officers' view of a concern by its exact tracking code, without a visibility check
 * (for lists that already applied it). */
MUST_CHECK int concern_load_officers(store *s, const char *code, json_t **out, p_error *err);

/* Normalises a typed tracking code (upper case, dashes and spaces dropped, I/L → 1, O → 0)
 * into out (CONCERN_TRACKING_LEN + 1 bytes); false when it cannot be one. */
bool concern_tracking_normalise(const char *in, char out[static CONCERN_TRACKING_LEN + 1]);

#endif
