/* layout.h: the page frame every HTML page shares: head with the embedded assets,
 * navigation by role, the language switch, the footer, and form helpers. */
#ifndef POLIS_LAYOUT_H
#define POLIS_LAYOUT_H

#include "auth/authz.h"
#include "core/err.h"
#include "http/request.h"
#include "web/html.h"
#include "web/i18n.h"

struct page {
    http_request *req;
    const char *lang; /* the request's language, for T() */
    html h;
};

/* Starts a page titled title (already translated) and writes the frame up to <main>. */
void page_begin(struct page *p, http_request *req, const char *title);

/* Closes the frame and replies with status. */
void page_finish(struct page *p, int status);

/* A hidden csrf field for forms of signed-in users. */
void page_csrf_field(struct page *p);

/* An error summary box (role="alert") for err; nothing when err is NULL or P_OK. */
void page_error(struct page *p, const p_error *err);

/* A labelled <input> with its error message next to it when err->field is name. */
void page_input(struct page *p, const char *label, const char *type, const char *name,
                const char *value, const p_error *err);

/* A page for a request that failed with rc: "Not found", "The request was refused" (4xx)
 * or "Something went wrong" (store and I/O failures, whose details stay in the log), err's
 * message, and a link back (back_label, already translated). */
void page_refusal(http_request *req, int rc, const p_error *err, const char *back_href,
                  const char *back_label);

/* Replies 303 to /login?next=PATH when nobody is signed in; returns true if it replied. */
bool page_require_sign_in(http_request *req);

/* The page form of authz_require: true when the request may go on. Otherwise it has
 * replied: 303 to the sign-in page when nobody is signed in, or a 403 page (not a JSON
 * error) for a missing permission or a write without the session's CSRF token. */
bool page_require(http_request *req, enum permission perm);

/* Registers the language switch (GET /lang/{code}) and the home page. */
void layout_register_routes(void);

#endif
