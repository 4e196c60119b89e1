/* app.c: the module list. Adding a module means adding its register call here. */
#include "app.h"
#include "activities/activities.h"
#include "activities/pages.h"
#include "activities/overlap.h"
#include "activities/report.h"
#include "activities/export.h"
#include "activities/import.h"
#include "auth/api.h"
#include "community/community.h"
#include "community/open311.h"
#include "framework/framework.h"
#include "http/assets.h"
#include "library/library.h"
#include "store/migrate.h"
#include "web/layout.h"
#include "auth/pages.h"
#include "web/system.h"

void app_register_routes(void)
{
    static int done;
    if (done) return;
    done = 1;
    system_register_routes();
    assets_register();
    layout_register_routes();
    auth_api_register();
    auth_pages_register();
    framework_register_routes();
    activities_pages_register(); /* first: its /api/v1/activities/facets precedes .../{id} */
    /* before activities: /api/v1/activities/import precedes .../{id} */
    import_register_routes();
    activities_register_routes();
    overlap_register_routes();
    export_register_routes();
    report_register_routes();
    library_register_routes();
    community_register_routes();
    community_open311_register();
}

int app_open_db(const char *path, store **out, p_error *err)
{
    store *s = NULL;
    int rc = store_open(path, &s, err);
    if (rc != P_OK) return rc;
    rc = migrate_apply(s, NULL, err);
    if (rc != P_OK) {
        store_close(s);
        return rc;
    }
    *out = s;
    return P_OK;
}
