/* config.c: reads POLIS_* settings once, with checked parsing and sane bounds. */
#include "core/config.h"
#include "core/log.h"
#include "core/text.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct polis_config cfg;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static long env_long(const char *name, long def, long min, long max)
{
    const char *v = getenv(name);
    if (!v || !*v) return def;
    int64_t out;
    if (!text_parse_int64(v, min, max, &out)) {
        log_error("%s=%s is not a number in [%ld, %ld]; using %ld", name, v, min, max, def);
        return def;
    }
    return (long)out;
}

/* An IATI organisation identifier: letters, digits and '-', 3 to 64 of them. */
static void env_org_ref(const char *name, const char *def, char out[static 65])
{
    const char *v = getenv(name);
    bool ok = v && strlen(v) >= 3 && strlen(v) <= 64;
    for (const char *p = v; ok && *p; p++)
        ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
             *p == '-';
    if (v && *v && !ok)
        log_error("%s=%.80s is not an IATI organisation identifier (letters, digits and -, 3 to "
                  "64); using %s",
                  name, v, def);
    snprintf(out, 65, "%s", ok ? v : def);
}

/* An absolute http(s) URL to build links on (see config.h); "" when unset or malformed. */
static void env_public_url(const char *name, char out[static 201])
{
    const char *v = getenv(name);
    out[0] = 0;
    if (!v || !*v) return;
    size_t scheme = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;
    size_t len = strlen(v);
    while (len > scheme && v[len - 1] == '/')
        len--;
    bool ok = scheme && len > scheme && len <= 200 && v[scheme] != ':' && v[scheme] != '/';
    for (size_t i = scheme; ok && i < len; i++)
        ok = (v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= 'a' && v[i] <= 'z') ||
             (v[i] >= '0' && v[i] <= '9') || strchr("-._~:/[]!$&'()*+,;=%", v[i]);
    if (!ok) {
        log_error("%s=%.80s is not an http or https address without query or fragment; links "
                  "that need it are left out",
                  name, v);
        return;
    }
    memcpy(out, v, len);
    out[len] = 0;
}

void config_reload(void)
{
    cfg.session_idle_s = env_long("POLIS_SESSION_IDLE_S", 1800, 1, 86400 * 30);
    cfg.session_absolute_s = env_long("POLIS_SESSION_MAX_S", 43200, 1, 86400 * 90);
    cfg.login_window_s = env_long("POLIS_LOGIN_WINDOW_S", 900, 1, 86400);
    cfg.login_max_per_account = env_long("POLIS_LOGIN_MAX_ACCOUNT", 5, 1, 1000000);
    cfg.login_max_per_client = env_long("POLIS_LOGIN_MAX_CLIENT", 20, 1, 1000000);
    cfg.body_limit_bytes = (size_t)env_long("POLIS_BODY_LIMIT", 1 << 20, 1024, 64L << 20);
    cfg.upload_limit_bytes = (size_t)env_long("POLIS_UPLOAD_LIMIT", 50L << 20, 1024, (long)2 << 30);
    cfg.threads = env_long("POLIS_THREADS", 0, 0, 256);
    cfg.log_requests = (int)env_long("POLIS_LOG_REQUESTS", 1, 0, 1);
    cfg.search_cache_max = (size_t)env_long("POLIS_SEARCH_CACHE_ENTRIES", 4096, 0, 1000000);
    cfg.search_cache_bytes = (size_t)env_long("POLIS_SEARCH_CACHE_MB", 64, 1, 65536) << 20;
    env_org_ref("POLIS_IATI_ORG_REF", IATI_ORG_REF_DEFAULT, cfg.iati_org_ref);
    env_public_url("POLIS_PUBLIC_URL", cfg.public_url);
}

const struct polis_config *config_get(void)
{
    pthread_once(&once, config_reload);
    return &cfg;
}
