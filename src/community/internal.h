/* internal.h (community): what the module's files share and nobody else sees. */
#ifndef POLIS_COMMUNITY_INTERNAL_H
#define POLIS_COMMUNITY_INTERNAL_H

#include "community/community.h"
#include "http/request.h"

enum {
    PUBLIC_SUBMISSIONS_PER_HOUR = 20, /* concerns one client address may raise */
    PUBLIC_MISSES_PER_WINDOW = 30,    /* unknown tracking codes one address may try */
    PUBLIC_WINDOW_S = 900,
    PUBLIC_SUBMIT_WINDOW_S = 3600,
};

/* P_ELIMIT (with *retry_after_s) when this client address is at max events of kind in the
 * window; the counts live in the store, shared by every server. */
MUST_CHECK int community_limit_check(http_request *req, store *s, const char *kind, long max,
                                     long window_s, long *retry_after_s, p_error *err);

/* community_limit_check, reading in the same statement the audit trail's head (its id and
 * hash: the version of the status cache), so a cached lookup is one read. */
MUST_CHECK int community_limit_check_at_head(http_request *req, store *s, const char *kind,
                                             long max, long window_s, long *retry_after_s,
                                             int64_t *head_id, char head_hash[static 65],
                                             p_error *err);

/* Counts one event of kind for this client address (a failure is logged: the request
 * itself succeeded). */
void community_limit_count(http_request *req, store *s, const char *kind, long window_s);

/* Registers the citizens' pages (pages_public.c) and the officers' (pages_officer.c). */
void community_public_pages_register(void);
void community_officer_pages_register(void);
/* Registers the dashboard's API route and page (dashboard.c). */
void community_dashboard_register(void);

/* Registers the forums' API (forums.c) and pages (pages_forum.c). */
void community_forums_register(void);
void community_forum_pages_register(void);

/* Registers the places' lists and creations (places.c). */
void community_places_register(void);

/* Registers the users' scopes (scopes.c). */
void community_scopes_register(void);

/* Registers the services' writes (services.c). */
void community_services_register(void);

/* Registers the visits' API (visits.c). */
void community_visits_register(void);

/* Registers the co-ordinators' setup pages (pages_admin.c), which register the forum and
 * scope pages (pages_admin_forum.c). */
void community_admin_pages_register(void);
void community_admin_forum_pages_register(void);
/* Registers the page of a service's questions (pages_admin_questions.c). */
void community_admin_questions_register(void);

/* Form helpers of those pages (pages_admin_forum.c). Field ids are f-<form_id>-<name>, so several
 * forms share a page; err (NULL for none) is shown next to the field it names. */
struct page;
struct form;
void community_admin_input(struct page *p, const char *form_id, const char *label, const char *type,
                           const char *name, const char *value, const p_error *err);
/* A <select> of options ([{code, name}] shown as "name (code)", or [{code, label}] shown as
 * label), with a first empty option labelled none when none is not NULL. */
void community_admin_select(struct page *p, const char *form_id, const char *label,
                            const char *name, json_t *options, const char *none,
                            const char *selected, const p_error *err);
/* Checkboxes named "areas", one per area of areas ([{code, name}]), checked for the codes
 * in chosen (an array of strings), in a fieldset with id form_id. */
void community_admin_area_checks(struct page *p, const char *form_id, const char *legend,
                                 json_t *areas, json_t *chosen, const p_error *err);
/* Replaces the messages of the places', services', forums' and scopes' checks by
 * sentences in lang. */
void community_admin_localize(const char *lang, p_error *err);
/* Parses the urlencoded body into f (the caller frees it with form_free); on a wrong content
 * type or a malformed body replies a 400 page and returns false. */
bool community_admin_read_form(http_request *req, struct form *f);

/* The services' questions on the pages that record concerns (pages_questions.c): one
 * fieldset per service that asks any (data-service=CODE), fields named attr.SERVICE.CODE,
 * filled from values, err shown next to the question it names when the service is chosen. */
void community_questions_fields(struct page *p, json_t *services, const struct form *values,
                                const char *chosen, const p_error *err);
/* The answers the form gives to service's questions, {code: value or [values]}; the
 * caller releases it. */
json_t *community_questions_answers(const struct form *f, const char *service);
/* Replaces the message of a refused answer (err's field is attribute[CODE]) by a sentence
 * in lang for the person filling the form. */
void community_questions_localize(const char *lang, p_error *err);
/* An officer's view of the answers to questions (the service's definitions). */
void community_questions_answered(struct page *p, json_t *questions, json_t *answers);

/* Member ru of o on a Russian page when it is there and not empty, else member en ("" when
 * absent): the names and questions kept in both languages. */
const char *community_localized(json_t *o, const char *lang, const char *en, const char *ru);

/* Registers the SMSSync gateway endpoint (sms.c). */
void community_sms_register(void);

#endif
