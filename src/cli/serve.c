/* serve.c (cli): `polis serve` runs the HTTP server until SIGTERM or SIGINT, then stops
 * accepting, lets requests in flight finish and closes the store cleanly. */
#include "app.h"
#include "auth/authn.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "http/server.h"
#include "library/files.h"
#include "library/worker.h"
#include "store/migrate.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 10000
/* A PostgreSQL server that is not up yet (booting beside polis) is waited for this long,
 * with back-off between attempts, before serve gives up. */
#define DB_WAIT_MS        30000
#define DB_RETRY_FIRST_MS 250
#define DB_RETRY_MAX_MS   4000

static const char usage[] =
    "usage: polis serve [--db FILE|URL] [--files DIR] [--listen HOST:PORT] [--threads N]\n"
    "\n"
    "Serves the web application and the API. Defaults: $POLIS_DB, $POLIS_LISTEN or\n"
    "127.0.0.1:8080, 2 worker threads per core, 4 to 64 ($POLIS_THREADS). The database\n"
    "must exist (create it with polis init); pending migrations are applied at start. A\n"
    "PostgreSQL URL (postgres://USER@HOST:PORT/DB) is retried for 30 s at start if the\n"
    "server is not up.\n"
    "Library files live in --files DIR ($POLIS_FILES), by default next to a SQLite\n"
    "database (polis.db.files); with PostgreSQL, uploads need one of the two.\n"
    "SIGTERM or SIGINT stops it gracefully. Exit codes: 0 stopped cleanly, 1 failed, 2 usage.\n";

/* Opens and migrates the database, retrying while it is unavailable (PostgreSQL starting). */
static int open_with_retry(const char *db, const char *where, p_error *err)
{
    int waited_ms = 0, delay_ms = DB_RETRY_FIRST_MS;
    for (;;) {
        store *s = NULL;
        int rc = app_open_db(db, &s, err);
        if (rc == P_OK) {
            store_close(s);
            return P_OK;
        }
        if (rc != P_EUNAVAIL || waited_ms >= DB_WAIT_MS) return rc;
        log_info("database %s not available (%s); retrying in %d ms", where, err->message,
                 delay_ms);
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        waited_ms += delay_ms;
        delay_ms = delay_ms * 2 > DB_RETRY_MAX_MS ? DB_RETRY_MAX_MS : delay_ms * 2;
    }
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},      {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'}, {"files", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    const char *db = NULL, *listen = getenv("POLIS_LISTEN"), *files = NULL;
    long threads = config_get()->threads;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            db = optarg;
            break;
        case 'l':
            listen = optarg;
            break;
        case 'f':
            files = optarg;
            break;
        case 't': {
            char *end;
            threads = strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 256) {
                fputs("polis: --threads must be 1-256\n", stderr);
                return EXIT_USAGE;
            }
            break;
        }
        case 'h':
            fputs(usage, stdout);
            return EXIT_OK;
        default:
            fputs(usage, stderr);
            return EXIT_USAGE;
        }
    }
    db = cli_db_path(db);
    if (!listen || !*listen) listen = "127.0.0.1:8080";
    if (!db || optind != argc) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (!store_is_url(db) && access(db, R_OK | W_OK) != 0) {
        fprintf(stderr,
                "polis: cannot open %s for reading and writing; create it with polis init\n", db);
        return EXIT_FAIL;
    }
    p_error err;
    p_error_clear(&err);
    char where[300];
    store_redact_target(db, where, sizeof where);
    if (open_with_retry(db, where, &err) != P_OK) return cli_report(&err);
    store_config(db);
    if (files_configure(files, store_is_url(db) ? NULL : db, &err) != P_OK) {
        if (!store_is_url(db) || files) return cli_report(&err);
        log_info("no file store (--files or POLIS_FILES): library uploads are refused");
        p_error_clear(&err);
    }
    app_register_routes();

    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    const struct polis_config *cfg = config_get();
    struct server_config sc = {
        .listen = listen,
        .threads = (unsigned)threads,
        .body_limit_bytes = cfg->body_limit_bytes,
        .upload_limit_bytes = cfg->upload_limit_bytes,
        .upload_dir = files_tmp_dir(), /* uploads land next to the store: rename, not copy */
        .timeout_s = 30,
        .log_requests = cfg->log_requests != 0,
        .authenticate = authn_authenticate,
    };
    http_server *srv = NULL;
    if (http_server_start(&sc, &srv, &err) != P_OK) return cli_report(&err);
    if (files_root() && library_worker_start(&err) != P_OK) {
        http_server_stop(srv, SHUTDOWN_GRACE_MS);
        return cli_report(&err);
    }
    log_info("polis serving %s on http://%s (database %s)", POLIS_VERSION, listen, where);
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("received %s; finishing requests in flight", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    http_server_stop(srv, SHUTDOWN_GRACE_MS);
    library_worker_stop();
    store_close_all();
    log_info("stopped cleanly");
    return EXIT_OK;
}
