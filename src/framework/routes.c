/* routes.c (framework): registers the framework's API and pages. */
#include "framework/framework.h"

void framework_register_routes(void)
{
    framework_api_register();
    framework_pages_register();
}
