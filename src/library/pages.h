/* pages.h (library): what the library's page files share. */
#ifndef POLIS_LIBRARY_PAGES_H
#define POLIS_LIBRARY_PAGES_H

#include "web/layout.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

const char *libp_language_name(const char *code);
const char *libp_str(json_t *rec, const char *key);
/* True when the signed-in user may edit the library (librarians, administrators). */
bool libp_may_edit(http_request *req);
/* An error page for rc with a link back to the library. */
void libp_error_page(http_request *req, int rc, const p_error *err);

/* pages_form.c: the edition forms under the editions table, the Edit and Delete actions
 * of a document page, and the routes of the forms. */
void libp_edition_forms(struct page *p, int64_t id, json_t *doc);
void libp_document_actions(struct page *p, int64_t id);
void libp_forms_register(void);

#endif
