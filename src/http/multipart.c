/* multipart.c: multipart/form-data bodies streamed through libmicrohttpd's post processor
 * (see multipart.h). Memory per request is bounded whatever the body: a fixed state, at most
 * HTTP_UPLOAD_MAX_FIELDS fields of HTTP_UPLOAD_FIELD_BYTES, and the parser's own buffer; file
 * bytes only pass through on their way to disk. */
#include "http/multipart.h"
#include "core/mem.h"
#include "core/text.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define PARSER_BUFFER_BYTES 16384

struct file_part {
    struct http_upload pub;
    int fd; /* -1 once closed */
    crypto_hash_sha256_state sha;
    bool taken;
};

struct text_field {
    char name[64];
    char value[HTTP_UPLOAD_FIELD_BYTES + 1];
    size_t len;
};

struct http_multipart {
    struct MHD_PostProcessor *pp;
    char tmp_dir[400];
    struct file_part files[HTTP_UPLOAD_MAX_FILES];
    int n_files;
    struct text_field *fields; /* HTTP_UPLOAD_MAX_FIELDS, allocated on first use */
    int n_fields;
    int current_file;  /* index receiving bytes, or -1 */
    int current_field; /* index receiving bytes, or -1 */
    uint64_t limit_bytes, received_bytes;
    bool failed;
    p_error err;
};

static void fail(struct http_multipart *mp, p_status status, const char *field, const char *msg)
{
    if (mp->failed) return;
    mp->failed = true;
    p_fail(&mp->err, status, field, "%s", msg);
}

void multipart_sanitize_filename(const char *in, char *out, size_t size)
{
    const char *base = in ? in : "";
    for (const char *p = base; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    size_t n = 0, len = strlen(base);
    for (size_t i = 0; i < len && size > 0;) {
        unsigned char c = (unsigned char)base[i];
        size_t seq = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (seq == 0 || i + seq > len || !text_utf8_valid(base + i, seq)) {
            i++; /* a stray byte of broken UTF-8: dropped */
            continue;
        }
        if (seq == 1 && (c < 0x20 || c == 0x7F || c == '"')) {
            i++;
            continue;
        }
        if (n + seq >= size) break;
        memcpy(out + n, base + i, seq);
        n += seq;
        i += seq;
    }
    if (size == 0) return;
    out[n] = '\0';
    /* Leading dots would make a hidden or relative-looking name. */
    size_t dots = 0;
    while (out[dots] == '.')
        dots++;
    if (dots) memmove(out, out + dots, n - dots + 1);
    if (!out[0]) snprintf(out, size, "upload");
}

static bool valid_name(const char *key)
{
    size_t n = key ? strlen(key) : 0;
    return n > 0 && n < 64 && text_utf8_valid(key, n);
}

static int start_file(struct http_multipart *mp, const char *key, const char *filename)
{
    if (mp->n_files >= HTTP_UPLOAD_MAX_FILES) {
        fail(mp, P_ETOOBIG, key, "too many files in one request");
        return -1;
    }
    struct file_part *f = &mp->files[mp->n_files];
    memset(f, 0, sizeof *f);
    f->fd = -1;
    int n = snprintf(f->pub.tmp_path, sizeof f->pub.tmp_path, "%s/up-XXXXXX", mp->tmp_dir);
    if (n < 0 || (size_t)n >= sizeof f->pub.tmp_path) {
        fail(mp, P_EIO, "file", "the upload directory's path is too long");
        return -1;
    }
    f->fd = mkostemp(f->pub.tmp_path, O_CLOEXEC);
    if (f->fd < 0) {
        f->pub.tmp_path[0] = '\0';
        fail(mp, P_EIO, "file", "cannot store the upload (temp file)");
        return -1;
    }
    mp->n_files++;
    snprintf(f->pub.field, sizeof f->pub.field, "%s", key);
    multipart_sanitize_filename(filename, f->pub.filename, sizeof f->pub.filename);
    crypto_hash_sha256_init(&f->sha);
    return mp->n_files - 1;
}

static void file_bytes(struct http_multipart *mp, struct file_part *f, const char *data,
                       size_t size)
{
    if (f->pub.head_len < HTTP_UPLOAD_HEAD_BYTES) {
        size_t take = HTTP_UPLOAD_HEAD_BYTES - f->pub.head_len;
        if (take > size) take = size;
        memcpy(f->pub.head + f->pub.head_len, data, take);
        f->pub.head_len += take;
    }
    crypto_hash_sha256_update(&f->sha, (const unsigned char *)data, size);
    f->pub.size_bytes += size;
    for (size_t off = 0; off < size;) {
        ssize_t w = write(f->fd, data + off, size - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            fail(mp, P_EIO, "file", "cannot store the upload (disk full?)");
            return;
        }
        off += (size_t)w;
    }
}

static void field_bytes(struct http_multipart *mp, struct text_field *t, const char *data,
                        size_t size)
{
    if (t->len + size > HTTP_UPLOAD_FIELD_BYTES) {
        char msg[96];
        snprintf(msg, sizeof msg, "a form field holds at most %d bytes", HTTP_UPLOAD_FIELD_BYTES);
        fail(mp, P_ETOOBIG, t->name, msg);
        return;
    }
    memcpy(t->value + t->len, data, size);
    t->len += size;
    t->value[t->len] = '\0';
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    struct http_multipart *mp = cls;
    if (mp->failed) return MHD_NO;
    if (!valid_name(key)) {
        fail(mp, P_EINVAL, "", "a form part has no valid name");
        return MHD_NO;
    }
    if (off == 0) { /* a new part begins */
        mp->current_file = mp->current_field = -1;
        if (filename) {
            mp->current_file = start_file(mp, key, filename);
        } else {
            if (mp->n_fields >= HTTP_UPLOAD_MAX_FIELDS) {
                fail(mp, P_ETOOBIG, key, "too many form fields");
                return MHD_NO;
            }
            if (!mp->fields) mp->fields = xcalloc(HTTP_UPLOAD_MAX_FIELDS, sizeof *mp->fields);
            struct text_field *t = &mp->fields[mp->n_fields];
            memset(t->name, 0, sizeof t->name);
            snprintf(t->name, sizeof t->name, "%s", key);
            t->len = 0;
            t->value[0] = '\0';
            mp->current_field = mp->n_fields++;
        }
        if (mp->failed) return MHD_NO;
    }
    if (size == 0) return MHD_YES;
    if (mp->current_file >= 0)
        file_bytes(mp, &mp->files[mp->current_file], data, size);
    else if (mp->current_field >= 0)
        field_bytes(mp, &mp->fields[mp->current_field], data, size);
    return mp->failed ? MHD_NO : MHD_YES;
}

static void remove_files(struct http_multipart *mp);

int multipart_begin(http_request *req, const char *tmp_dir, uint64_t limit_bytes, p_error *err)
{
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0 || !strcasestr(ct, "boundary="))
        return p_fail(err, P_EMEDIA, "", "send this as multipart/form-data");
    struct http_multipart *mp = xcalloc(1, sizeof *mp);
    mp->current_file = mp->current_field = -1;
    mp->limit_bytes = limit_bytes;
    snprintf(mp->tmp_dir, sizeof mp->tmp_dir, "%s", tmp_dir);
    mp->pp = MHD_create_post_processor(req->conn, PARSER_BUFFER_BYTES, on_part, mp);
    req->multipart = mp;
    if (!mp->pp) return p_fail(err, P_EMEDIA, "", "send this as multipart/form-data");
    return P_OK;
}

void multipart_feed(http_request *req, const char *data, size_t size)
{
    struct http_multipart *mp = req->multipart;
    if (!mp || !mp->pp || mp->failed) return;
    mp->received_bytes += size;
    if (mp->received_bytes > mp->limit_bytes) {
        char msg[96];
        snprintf(msg, sizeof msg, "request body exceeds %llu bytes",
                 (unsigned long long)mp->limit_bytes);
        fail(mp, P_ETOOBIG, "", msg);
    } else if (MHD_post_process(mp->pp, data, size) != MHD_YES) {
        fail(mp, P_EINVAL, "", "the multipart body is malformed");
    }
    if (mp->failed) remove_files(mp); /* the disk is freed now, not when the body ends */
}

static void remove_files(struct http_multipart *mp)
{
    for (int i = 0; i < mp->n_files; i++) {
        struct file_part *f = &mp->files[i];
        if (f->fd >= 0) close(f->fd);
        f->fd = -1;
        if (!f->taken && f->pub.tmp_path[0]) unlink(f->pub.tmp_path);
        f->pub.tmp_path[0] = '\0';
    }
}

int multipart_finish(http_request *req, p_error *err)
{
    struct http_multipart *mp = req->multipart;
    if (!mp) return p_fail(err, P_EMEDIA, "", "send this as multipart/form-data");
    if (mp->pp) {
        if (MHD_destroy_post_processor(mp->pp) != MHD_YES)
            fail(mp, P_EINVAL, "", "the multipart body is malformed or incomplete");
        mp->pp = NULL;
    }
    for (int i = 0; i < mp->n_files && !mp->failed; i++) {
        struct file_part *f = &mp->files[i];
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&f->sha, digest);
        text_hex(digest, sizeof digest, f->pub.sha256);
        if (close(f->fd) != 0) fail(mp, P_EIO, "file", "cannot store the upload");
        f->fd = -1;
    }
    for (int i = 0; i < mp->n_fields && !mp->failed; i++)
        if (!text_utf8_valid(mp->fields[i].value, mp->fields[i].len))
            fail(mp, P_EINVAL, mp->fields[i].name, "a form field is not valid UTF-8 text");
    if (mp->failed) {
        remove_files(mp);
        *err = mp->err;
        return err->status;
    }
    return P_OK;
}

void multipart_free(http_request *req)
{
    struct http_multipart *mp = req->multipart;
    if (!mp) return;
    if (mp->pp) MHD_destroy_post_processor(mp->pp);
    remove_files(mp);
    free(mp->fields);
    free(mp);
    req->multipart = NULL;
}

const struct http_upload *http_upload_file(http_request *req, const char *field)
{
    struct http_multipart *mp = req->multipart;
    if (!mp || mp->failed || mp->pp) return NULL;
    for (int i = 0; i < mp->n_files; i++)
        if (strcmp(mp->files[i].pub.field, field) == 0 && mp->files[i].pub.tmp_path[0])
            return &mp->files[i].pub;
    return NULL;
}

const char *http_upload_field(http_request *req, const char *name)
{
    struct http_multipart *mp = req->multipart;
    if (!mp || mp->failed || mp->pp) return NULL;
    for (int i = 0; i < mp->n_fields; i++)
        if (strcmp(mp->fields[i].name, name) == 0) return mp->fields[i].value;
    return NULL;
}

void http_upload_take(http_request *req, const struct http_upload *up)
{
    struct http_multipart *mp = req->multipart;
    if (!mp || !up) return;
    for (int i = 0; i < mp->n_files; i++)
        if (&mp->files[i].pub == up) mp->files[i].taken = true;
}
