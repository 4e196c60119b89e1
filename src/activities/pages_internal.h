/* pages_internal.h (activities): what the list and detail pages (pages.c) and the forms
 * (pages_form.c) share: labels, access checks, the error page, and the form handlers the
 * route table names. */
#ifndef POLIS_ACTIVITIES_PAGES_INTERNAL_H
#define POLIS_ACTIVITIES_PAGES_INTERNAL_H

#include "http/request.h"
#include "web/layout.h"

#include <jansson.h>
#include <stdbool.h>

/* The string member key of rec, "" when absent or not a string. */
const char *actp_str(json_t *rec, const char *key);

/* The activity's title in lang, the English one when there is none in lang. */
const char *actp_title(const char *lang, json_t *rec);

/* The label in lang of a type, status, target group or sort value; the value itself otherwise. */
const char *actp_label(const char *lang, const char *value);

/* True when the signed-in user may write activities led by org (no CSRF check: for
 * deciding which actions to show). */
bool actp_may_write(http_request *req, const char *org);

/* The page form of authz_require(PERM_ORG_WRITE, org): true when the request may go on;
 * otherwise it has replied (303 to sign in, or a 403 page). */
bool actp_require_write(http_request *req, const char *org);

/* A page for a failed request: 404 for an unknown activity, 400 for bad input, 500 else. */
void actp_error_page(http_request *req, int rc, const p_error *err);

/* A labelled <select name=name> of the '|'-separated values (shown by their labels),
 * after an all_label option with value "" when all_label is not NULL; error_text, when
 * not NULL, marks it invalid and shows next to it. */
void actp_enum_select(struct page *p, const char *label, const char *name, const char *values,
                      const char *current, const char *all_label, const char *error_text);

/* The panel of likely duplicates (pages_overlap.c), id "overlaps": candidates is the
 * array overlap_find_candidates gives (borrowed), or NULL before any check, when the
 * panel is written idle for assets/overlaps.js to fill. on_form picks the note that asks
 * to look before saving. */
void actp_overlap_panel(struct page *p, json_t *candidates, bool on_form);

/* The form handlers (pages_form.c). */
void actp_new_form(http_request *req);
void actp_create_submit(http_request *req);
void actp_edit_form(http_request *req);
void actp_update_submit(http_request *req);

#endif
