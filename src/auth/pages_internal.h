/* pages_internal.h: what the account pages (pages.c, pages_account.c, pages_admin.c)
 * share: reading a posted form, the store or an error page, localized service errors,
 * role names, selects and status notices. Not for use outside src/auth. */
#ifndef POLIS_PAGES_INTERNAL_H
#define POLIS_PAGES_INTERNAL_H

#include "core/buf.h"
#include "http/form.h"
#include "store/store.h"
#include "web/layout.h"

#include <stdbool.h>

/* Registers /account... and /admin/users..., /audit (called by auth_pages_register). */
void pages_account_register(void);
void pages_admin_register(void);

/* Parses the urlencoded body into f. On a wrong content type or a malformed body it
 * replies a 400 page and returns false (f is then empty); otherwise the caller frees f
 * with form_free. */
bool pages_read_form(http_request *req, form *f);

/* This thread's store, or NULL after replying a 503 page. */
store *pages_store(http_request *req);

/* Replies a page for a failed service call: the status err maps to and its message;
 * store and I/O failures get a generic message with the request id (details are logged). */
void pages_fail(http_request *req, const p_error *err);

/* Replaces err's message by its translation for lang when the catalogue has one. */
void pages_localize(const char *lang, p_error *err);

/* The translated name of a role ("programme_officer" -> "Programme officer"). */
const char *pages_role_label(const char *lang, const char *role);

/* The nine roles in display order, NULL-terminated. */
#define PAGES_ROLE_COUNT 9
extern const char *const pages_roles[PAGES_ROLE_COUNT + 1];

/* A labelled <select> of values (shown with labels, or the values when labels is NULL),
 * with selected preselected and err's message next to it when it is about name. */
void pages_select(struct page *p, const char *label, const char *name, const char *const *values,
                  const char *const *labels, const char *selected, const p_error *err);

/* A status message (role="status") at the top of a page. */
void pages_notice(struct page *p, const char *text);

/* A labelled submit button in its own form posting to action with the CSRF field;
 * confirm (may be NULL) is the question app.js asks before sending. */
void pages_post_button(struct page *p, const char *action, const char *label, const char *confirm);

/* Appends s percent-encoded for a query string value. */
void pages_urlencode(buf *b, const char *s);

/* True when s is a local path safe to redirect to: "/" but not "//" or "/\". */
bool pages_local_path(const char *s);

#endif
