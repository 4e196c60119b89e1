/* common.c (cli): helpers shared by the subcommands. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_report(const p_error *err)
{
    if (err->field[0])
        fprintf(stderr, "polis: %s (field: %s)\n", err->message, err->field);
    else
        fprintf(stderr, "polis: %s\n", err->message);
    switch (err->status) {
    case P_OK:
        return EXIT_OK;
    case P_EINTEGRITY:
        return EXIT_DAMAGE;
    case P_EINVAL:
    case P_EUNPROC:
    case P_ENOTFOUND:
    case P_ECONFLICT:
    case P_EFORBIDDEN:
    case P_EAUTH:
        return EXIT_REFUSED;
    default:
        return EXIT_FAIL;
    }
}

const char *cli_db_path(const char *flag_value)
{
    if (flag_value && *flag_value) return flag_value;
    const char *env = getenv("POLIS_DB");
    return env && *env ? env : NULL;
}

int cli_read_secret_line(char *out, size_t size)
{
    if (!fgets(out, (int)size, stdin)) return -1;
    size_t n = strlen(out);
    if (n > 0 && out[n - 1] == '\n') {
        out[--n] = '\0';
        if (n > 0 && out[n - 1] == '\r') out[--n] = '\0';
    } else if (n == size - 1) {
        return -1; /* longer than the buffer */
    }
    return 0;
}
