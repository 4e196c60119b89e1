/* pages.h (activities): the server-rendered pages of the activities registry: the list
 * with its filters and facet counts, the detail page, and the create, edit and delete
 * forms, in English and Russian. */
#ifndef POLIS_ACTIVITIES_PAGES_H
#define POLIS_ACTIVITIES_PAGES_H

/* Registers the /activities pages and GET /api/v1/activities/facets. Call it before
 * activities_register_routes so the facets route comes before /api/v1/activities/{id}. */
void activities_pages_register(void);

#endif
