/* cli.h: the subcommands of the polis binary. Each takes its own argv (argv[0] is the
 * subcommand name) and returns the process exit code:
 *   0 success, 1 the operation failed (store, I/O), 2 usage error,
 *   3 a check found damage, 4 the input was refused (validation, not found, conflict). */
#ifndef POLIS_CLI_H
#define POLIS_CLI_H

#include "core/err.h"

#include <stddef.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_DAMAGE = 3, EXIT_REFUSED = 4 };

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_import(int argc, char **argv);
/* `polis migrate --from SOURCE --to TARGET`: SQLite <-> PostgreSQL (store/copy.h). */
int cmd_migrate(int argc, char **argv);
/* `polis import documents`, reached through cmd_import. */
int cmd_import_documents(int argc, char **argv);
/* `polis open311-key create|list|revoke`: keys of Open311 clients. */
int cmd_open311_key(int argc, char **argv);
/* Hidden: `polis extract --type T FILE`, run by the server under limits (library/extract.h). */
int cmd_extract(int argc, char **argv);

/* Prints err to stderr as "polis: message" and maps its status to an exit code. */
int cli_report(const p_error *err);

/* The database path: --db value, else $POLIS_DB, else NULL. */
const char *cli_db_path(const char *flag_value);

/* Reads one line (a password) from stdin into out without the newline. Returns 0 on
 * success, -1 when stdin is empty or the line is longer than size-1. */
int cli_read_secret_line(char *out, size_t size);

#endif
