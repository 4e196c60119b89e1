/* fixture_db.c: the unit tests' temporary database (see fixture_db.h). */
#include "fixture_db.h"

#include "app.h"
#include "auth/users.h"
#include "framework/framework.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int fixture_open(struct fixture *fx, const char *tag)
{
    static const struct actor loader = {"tester", "127.0.0.1"};
    snprintf(fx->dir, sizeof fx->dir, "/tmp/polis-%s-XXXXXX", tag);
    if (!mkdtemp(fx->dir)) return -1;
    snprintf(fx->path, sizeof fx->path, "%s/polis.db", fx->dir);
    p_error err;
    p_error_clear(&err);
    if (app_open_db(fx->path, &fx->s, &err) != P_OK ||
        framework_load_reference(fx->s, &loader, &err) != P_OK) {
        fprintf(stderr, "fixture: %s\n", err.message);
        return -1;
    }
    return 0;
}

void fixture_close(struct fixture *fx)
{
    store_close(fx->s);
    fx->s = NULL;
    char side[128];
    unlink(fx->path);
    snprintf(side, sizeof side, "%s-wal", fx->path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", fx->path);
    unlink(side);
    rmdir(fx->dir);
}
