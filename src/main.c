/* main.c: the polis command line. It parses the subcommand and dispatches; it decides
 * nothing itself. */
#include "cli/cli.h"
#include "core/log.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: polis COMMAND [OPTIONS]\n"
    "\n"
    "Polis: information system for police-related activities under the OSCE Strategic\n"
    "Framework for Police-Related Activities.\n"
    "\n"
    "Commands:\n"
    "  init      create or upgrade a database and load the Strategic Framework\n"
    "  serve     run the web application and API\n"
    "  user      add, change, disable and list users\n"
    "  token     create, revoke and list API tokens\n"
    "  backup    copy a database safely while it is in use\n"
    "  check     verify integrity, foreign keys and the audit chain\n"
    "  migrate   copy a whole database between SQLite and PostgreSQL, verified\n"
    "  export    write activities as IATI 2.03 XML, CSV or JSON\n"
    "  import    import activities from CSV or JSON, all or nothing\n"
    "  report    write the annual report as printable HTML, JSON or CSV\n"
    "  open311-key  issue, list and revoke the keys of Open311 clients\n"
    "  version   print versions\n"
    "\n"
    "Each command has --help. Exit codes: 0 success, 1 failure, 2 usage error,\n"
    "3 damage found by check, 4 input refused.\n";

static const struct {
    const char *name;
    int (*run)(int, char **);
} commands[] = {
    {"init", cmd_init},       {"serve", cmd_serve},   {"user", cmd_user},
    {"token", cmd_token},     {"backup", cmd_backup}, {"check", cmd_check},
    {"version", cmd_version}, {"export", cmd_export}, {"open311-key", cmd_open311_key},
    {"report", cmd_report},   /* the annual report */
    {"migrate", cmd_migrate}, /* SQLite <-> PostgreSQL */
    {"import", cmd_import},   /* bulk import of activities */
    {"extract", cmd_extract}, /* hidden: the server's sandboxed text extractor */
};

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (sodium_init() < 0) {
        fputs("polis: libsodium failed to initialise\n", stderr);
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "polis: unknown command '%s'\n\n%s", argv[1], usage);
    return EXIT_USAGE;
}
