/* config.h: run-time settings. Flags win over POLIS_* environment variables, which win
 * over these defaults. Nothing secret is ever taken from the command line. */
#ifndef POLIS_CONFIG_H
#define POLIS_CONFIG_H

#include <stddef.h>

/* The IATI identifier of the reporting organisation when POLIS_IATI_ORG_REF is not set:
 * "XI-POLIS" is not a registered IATI agency prefix; a deployment publishing to the IATI
 * Registry sets the organisation's registered identifier (e.g. an XM-DAC-... code). */
#define IATI_ORG_REF_DEFAULT "XI-POLIS-OSCE"

/* POLIS_PUBLIC_URL is the address users and other systems reach this deployment at, e.g.
 * "https://polis.example.org" or "https://example.org/polis": http or https, a host, an
 * optional port and path, no query, fragment, user name or space; at most 200 characters,
 * trailing '/' removed. Links that leave the server (IATI document links, Open311
 * discovery) are built on it; a malformed value is logged and ignored. */
struct polis_config {
    long session_idle_s;        /* POLIS_SESSION_IDLE_S, default 1800 */
    long session_absolute_s;    /* POLIS_SESSION_MAX_S, default 43200 */
    long login_window_s;        /* POLIS_LOGIN_WINDOW_S, default 900 */
    long login_max_per_account; /* POLIS_LOGIN_MAX_ACCOUNT, default 5 */
    long login_max_per_client;  /* POLIS_LOGIN_MAX_CLIENT, default 20 */
    size_t body_limit_bytes;    /* POLIS_BODY_LIMIT, default 1 MiB */
    size_t upload_limit_bytes;  /* POLIS_UPLOAD_LIMIT, default 50 MiB: multipart uploads */
    long threads;               /* POLIS_THREADS, default 0 (http_default_threads) */
    int log_requests;           /* POLIS_LOG_REQUESTS, default 1 */
    size_t search_cache_max;    /* POLIS_SEARCH_CACHE_ENTRIES, default 4096 (0: no cache) */
    size_t search_cache_bytes;  /* POLIS_SEARCH_CACHE_MB, default 64 MiB */
    char iati_org_ref[65];      /* POLIS_IATI_ORG_REF, default "XI-POLIS-OSCE" */
    char public_url[201];       /* POLIS_PUBLIC_URL, default "" (not known) */
};

/* The process-wide settings, loaded from the environment on first use. */
const struct polis_config *config_get(void);

/* Re-reads the environment (tests). */
void config_reload(void);

#endif
