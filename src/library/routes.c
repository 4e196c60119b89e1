/* routes.c (library): registers the library's JSON API and its pages. */
#include "library/internal.h"

void library_register_routes(void)
{
    library_files_register();
    library_api_register();
    library_pages_register();
}
