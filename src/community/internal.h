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

/* Registers the SMSSync gateway endpoint (sms.c). */
void community_sms_register(void);

#endif
