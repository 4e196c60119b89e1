/* files_api.c (library): an edition's file over HTTP — the upload (multipart, streamed to
 * the file store by the server; the type decided by magic bytes, never by name or claimed
 * type) for the API and the document page, and the download with ETag, conditional GET
 * and single byte ranges. Extraction happens later, in the worker. */
#include "auth/authz.h"
#include "core/text.h"
#include "http/response.h"
#include "http/router.h"
#include "library/files.h"
#include "library/internal.h"
#include "library/magic.h"
#include "library/pages.h"
#include "library/worker.h"
#include "search/analyze.h"
#include "web/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int64_t path_id(http_request *req)
{
    int64_t id = 0;
    (void)text_parse_int64(http_path_param(req, "id"), 1, INT64_MAX, &id);
    return id;
}

/* Removes a just-stored file again when nothing refers to it (the change failed). */
static void drop_if_unreferenced(store *s, const char *sha)
{
    p_error err;
    p_error_clear(&err);
    json_t *orphans = json_array();
    if (library_collect_orphan(s, sha, orphans, &err) == P_OK) library_remove_orphans(orphans);
    json_decref(orphans);
}

/* Stores the upload in req as the edition lang of document doc. *out receives the
 * document after the change. Errors name the field (file, lang, title). */
static int take_upload(http_request *req, store *s, int64_t doc, json_t **out, p_error *err)
{
    if (!files_root())
        return p_fail(err, P_EUNAVAIL, NULL, "this server has no file store (--files)");
    const struct http_upload *up = http_upload_file(req, "file");
    if (!up) return p_fail(err, P_EUNPROC, "file", "choose a file to upload");
    const char *lang = http_upload_field(req, "lang");
    if (!lang || !search_lang_supported(lang))
        return p_fail(err, P_EINVAL, "lang", "lang must be one of %s", LIBRARY_LANGS);
    const char *title = http_upload_field(req, "title");
    if (title && !*title) title = NULL;
    enum file_type type = FILE_TYPE_NONE;
    int rc = magic_detect_file(up->tmp_path, &type, err);
    if (rc != P_OK) {
        if (!err->field[0]) snprintf(err->field, sizeof err->field, "file");
        return rc;
    }
    char sha[65];
    snprintf(sha, sizeof sha, "%s", up->sha256);
    bool existed = false;
    http_upload_take(req, up); /* files_put_temp moves or removes the temp file */
    rc = files_put_temp(up->tmp_path, sha, &existed, err);
    if (rc != P_OK) return rc;
    struct library_file file = {sha, up->filename, file_type_name(type), (int64_t)up->size_bytes};
    struct actor by = api_actor(req);
    json_t *orphans = json_array();
    rc = library_edition_attach(s, doc, lang, title, &file, &by, orphans, out, err);
    if (rc == P_OK)
        library_remove_orphans(orphans);
    else if (!existed)
        drop_if_unreferenced(s, sha);
    json_decref(orphans);
    if (rc == P_OK) library_worker_wake();
    return rc;
}

static void upload_handler(http_request *req)
{
    if (!authz_require(req, PERM_LIBRARY_EDIT, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *doc = NULL;
    int64_t id = path_id(req);
    int rc = take_upload(req, s, id, &doc, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    char loc[96];
    snprintf(loc, sizeof loc, "/api/v1/documents/%" PRId64 "/editions/%s/file", id,
             http_upload_field(req, "lang"));
    http_add_header(req, "Location", loc);
    http_reply_json(req, 201, doc);
}

static void upload_page(http_request *req)
{
    if (!page_require(req, PERM_LIBRARY_EDIT)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *doc = NULL;
    int rc = take_upload(req, s, path_id(req), &doc, &err);
    json_decref(doc);
    if (rc != P_OK) {
        libp_error_page(req, rc, &err);
        return;
    }
    char to[64];
    snprintf(to, sizeof to, "/library/documents/%" PRId64, path_id(req));
    http_redirect(req, to);
}

/* ---- download ----------------------------------------------------------------------------- */

/* Parses a single "bytes=a-b", "bytes=a-" or "bytes=-n" range of a size-byte file. Returns
 * 1 with [*first, *last] set, 0 when the header is absent or not a single byte range (serve
 * the whole file), -1 when it is unsatisfiable (416). */
static int parse_range(const char *h, uint64_t size, uint64_t *first, uint64_t *last)
{
    if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ',')) return 0;
    const char *spec = h + 6, *dash = strchr(spec, '-');
    if (!dash) return 0;
    char a[24] = "", b[24] = "";
    size_t la = (size_t)(dash - spec), lb = strlen(dash + 1);
    if (la >= sizeof a || lb >= sizeof b) return 0;
    memcpy(a, spec, la);
    memcpy(b, dash + 1, lb);
    int64_t x = 0, y = 0;
    if (la == 0) { /* the last y bytes */
        if (!text_parse_int64(b, 1, INT64_MAX, &y)) return 0;
        if (size == 0) return -1;
        *first = (uint64_t)y >= size ? 0 : size - (uint64_t)y;
        *last = size - 1;
        return 1;
    }
    if (!text_parse_int64(a, 0, INT64_MAX, &x)) return 0;
    if (lb > 0 && (!text_parse_int64(b, 0, INT64_MAX, &y) || y < x)) return 0;
    if ((uint64_t)x >= size) return -1;
    *first = (uint64_t)x;
    *last = lb == 0 || (uint64_t)y >= size ? size - 1 : (uint64_t)y;
    return 1;
}

/* Content-Disposition: attachment with an ASCII fallback name and the UTF-8 name. */
static void disposition(http_request *req, const char *name)
{
    buf v = BUF_INIT;
    buf_puts(&v, "attachment; filename=\"");
    for (const char *p = name; *p; p++)
        buf_putc(&v, (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? *p : '_');
    buf_puts(&v, "\"; filename*=UTF-8''");
    buf_url_encode(&v, name);
    http_add_header(req, "Content-Disposition", buf_str(&v));
    buf_free(&v);
}

static void download_handler(http_request *req)
{
    if (!authz_require(req, PERM_SIGNED_IN, NULL)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    char sha[65], type[8], name[256];
    int64_t size = 0;
    int rc = library_edition_file(s, path_id(req), http_path_param(req, "lang"), sha, type, name,
                                  &size, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc, &err);
        return;
    }
    char etag[70];
    snprintf(etag, sizeof etag, "\"%s\"", sha);
    const char *inm = http_header(req, "If-None-Match");
    if (inm && strstr(inm, etag)) {
        http_add_header(req, "ETag", etag);
        http_reply_bytes(req, 304, "application/octet-stream", "", 0);
        return;
    }
    int fd = -1;
    uint64_t real_size = 0;
    rc = files_open(sha, &fd, &real_size, &err);
    if (rc != P_OK) {
        api_reply_status(req, rc == P_ENOTFOUND ? P_EIO : rc, &err);
        return;
    }
    uint64_t first = 0, last = real_size ? real_size - 1 : 0;
    const char *if_range = http_header(req, "If-Range");
    int ranged = (!if_range || strcmp(if_range, etag) == 0)
                     ? parse_range(http_header(req, "Range"), real_size, &first, &last)
                     : 0;
    http_add_header(req, "ETag", etag);
    http_add_header(req, "Accept-Ranges", "bytes");
    http_add_header(req, "Cache-Control", "private, no-cache");
    disposition(req, name);
    const char *mime = file_type_mime(file_type_parse(type));
    char cr[96];
    if (ranged < 0) {
        close(fd);
        snprintf(cr, sizeof cr, "bytes */%" PRIu64, real_size);
        http_add_header(req, "Content-Range", cr);
        http_reply_json(req, 416,
                        json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "invalid_field",
                                  "message", "the range is outside the file", "field", "Range"));
        return;
    }
    if (ranged > 0) {
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, real_size);
        http_add_header(req, "Content-Range", cr);
        http_reply_fd(req, 206, mime, fd, first, last - first + 1);
    } else {
        http_reply_fd(req, 200, mime, fd, 0, real_size);
    }
}

static const struct param_spec id_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX}, {0}};
static const struct param_spec edition_params[] = {
    {.name = "id", .type = PARAM_INT, .min = 1, .max = INT64_MAX},
    {.name = "lang", .type = PARAM_ENUM, .enum_values = LIBRARY_LANGS},
    {0}};

void library_files_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_POST,
         .pattern = "/api/v1/documents/{id}/editions",
         .handler = upload_handler,
         .params = id_params,
         .multipart = true},
        {.methods = HTTP_GET,
         .pattern = "/api/v1/documents/{id}/editions/{lang}/file",
         .handler = download_handler,
         .params = edition_params},
        {.methods = HTTP_POST,
         .pattern = "/library/documents/{id}/upload",
         .handler = upload_page,
         .params = id_params,
         .multipart = true},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
