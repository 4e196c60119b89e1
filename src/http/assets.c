/* assets.c: serves embedded files. Names are looked up exactly in the embedded table,
 * so no request path can reach the file system; traversal attempts get a 400. */
#include "http/assets.h"
#include "core/embed.h"
#include "core/mem.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MAX_ASSETS 64

static struct {
    const struct embed_file *file;
    char etag[ASSETS_ETAG_SIZE];
    char url[128];
} table[MAX_ASSETS];
static int n_table;

static const char *content_type_for(const char *name)
{
    static const struct {
        const char *ext;
        const char *type;
    } types[] = {{".css", "text/css; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".ico", "image/x-icon"},
                 {".json", "application/json"},
                 {".webmanifest", "application/manifest+json"},
                 {".txt", "text/plain; charset=utf-8"}};
    const char *dot = strrchr(name, '.');
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

void assets_etag(const void *data, size_t size, char etag[static ASSETS_ETAG_SIZE])
{
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, data, size);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    text_hex(hash, sizeof hash, hex);
    snprintf(etag, ASSETS_ETAG_SIZE, "\"%.16s\"", hex);
}

void assets_reply_cached(http_request *req, const char *etag, const char *cache_control,
                         const char *content_type, const void *data, size_t size)
{
    http_add_header(req, "ETag", etag);
    http_add_header(req, "Cache-Control", cache_control);
    const char *inm = http_header(req, "If-None-Match");
    if (inm && strcmp(inm, etag) == 0) {
        http_reply_bytes(req, 304, NULL, "", 0);
        return;
    }
    http_reply_static(req, 200, content_type, data, size);
}

static void handle_asset(http_request *req)
{
    const char *name = http_path_param(req, "name");
    if (!name || strstr(name, "..") || strchr(name, '%') || strchr(name, '\\')) {
        http_reply_fail(req, P_EINVAL, "name", "asset names cannot contain '..', '%%' or '\\'");
        return;
    }
    for (int i = 0; i < n_table; i++) {
        if (strcmp(table[i].file->name, name) != 0) continue;
        assets_reply_cached(req, table[i].etag, "public, max-age=86400", content_type_for(name),
                            table[i].file->data, table[i].file->size);
        return;
    }
    http_reply_fail(req, P_ENOTFOUND, NULL, "no such asset");
}

static const struct param_spec asset_params[] = {
    {.name = "name", .type = PARAM_STRING, .max_len = 100}, {0}};

void assets_register(void)
{
    n_table = 0;
    for (const struct embed_file *f = asset_files; f->name && n_table < MAX_ASSETS; f++) {
        char etag[ASSETS_ETAG_SIZE];
        assets_etag(f->data, f->size, etag);
        table[n_table].file = f;
        memcpy(table[n_table].etag, etag, sizeof etag);
        /* The URL's version is a prefix of the ETag's digits (after its opening quote). */
        snprintf(table[n_table].url, sizeof table[n_table].url, "/assets/%s?v=%.12s", f->name,
                 etag + 1);
        n_table++;
    }
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/assets/{name}",
                               .handler = handle_asset,
                               .params = asset_params,
                               .name = "/assets"});
}

const char *assets_url(const char *name)
{
    for (int i = 0; i < n_table; i++)
        if (strcmp(table[i].file->name, name) == 0) return table[i].url;
    return NULL;
}
