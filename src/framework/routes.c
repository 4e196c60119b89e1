/* routes.c (framework): registers the framework's API and pages. */
#include "framework/framework.h"

void framework_register_routes(void)
{
}
