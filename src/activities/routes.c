/* routes.c (activities): registers the activities module's routes: the JSON API now,
 * its pages beside it when they exist. */
#include "activities/activities.h"
#include "activities/internal.h"

void activities_register_routes(void)
{
    activities_api_register();
}
