/* framework.h: the Strategic Framework's reference data: lines of action, thematic
 * priorities with their focus areas, guiding principles, organisations and countries.
 * Loaded from the embedded data/framework.json by `polis init`; read by every module;
 * edited by coordinators and admins, every change audited. */
#ifndef POLIS_FRAMEWORK_H
#define POLIS_FRAMEWORK_H

#include "auth/users.h"
#include "store/store.h"

#include <stdbool.h>

/* Loads the embedded reference data into the store in one transaction, audited as one
 * "load" entry per kind. Records whose code exists are left as they are. */
MUST_CHECK int framework_load_reference(store *s, const struct actor *by, p_error *err);

/* The reference data's version: a counter every change increments in its transaction.
 * Equal versions mean equal data, so serialized lists can be reused across requests. */
MUST_CHECK int framework_version(store *s, int64_t *version, p_error *err);

/* Increments the version; the caller holds a write transaction. */
MUST_CHECK int framework_version_bump(store *s, p_error *err);

/* Existence checks for other modules' validation. */
MUST_CHECK int framework_organisation_exists(store *s, const char *code, bool *exists,
                                             p_error *err);
MUST_CHECK int framework_country_exists(store *s, const char *code, bool *exists, p_error *err);
MUST_CHECK int framework_priority_exists(store *s, const char *code, bool *exists, p_error *err);
MUST_CHECK int framework_focus_area_exists(store *s, const char *code, bool *exists, p_error *err);
MUST_CHECK int framework_line_exists(store *s, const char *code, bool *exists, p_error *err);

/* Registers the framework's API routes (/api/v1/framework/..., /api/v1/organisations,
 * /api/v1/countries) and pages. */
void framework_register_routes(void);

/* The two halves framework_register_routes calls: JSON API handlers (api.c) and HTML
 * pages (pages.c). */
void framework_api_register(void);
void framework_pages_register(void);

#endif
