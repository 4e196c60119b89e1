/* test_upload.c: multipart uploads through a real server on loopback: a test route declared
 * .multipart receives the file in a temp file of a real file store (size, SHA-256, first
 * bytes, a sanitized name) and its text fields; the temp file is gone when the request ends
 * unless the handler took it; bodies over the limit (declared or chunked) get 413, other
 * content types 415, broken bodies 400. No production route is involved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/text.h"
#include "http/multipart.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"
#include "library/files.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SMALL_LIMIT 65536
#define BOUNDARY    "----polisTestBoundary7MA4YWxk"

static char dir[64];
static http_server *srv;
static uint16_t port;

/* Replies with what the handler saw; stores the file when the "keep" field says so. */
static void upload_handler(http_request *req)
{
    const struct http_upload *up = http_upload_file(req, "file");
    json_t *o = json_object();
    if (up) {
        json_object_set_new(o, "size", json_integer((json_int_t)up->size_bytes));
        json_object_set_new(o, "sha256", json_string(up->sha256));
        json_object_set_new(o, "filename", json_string(up->filename));
        json_object_set_new(o, "head", json_stringn((const char *)up->head, up->head_len));
        json_object_set_new(
            o, "tmp_in_store",
            json_boolean(strncmp(up->tmp_path, files_tmp_dir(), strlen(files_tmp_dir())) == 0));
        const char *keep = http_upload_field(req, "keep");
        if (keep && strcmp(keep, "yes") == 0) {
            p_error err;
            bool existed = false;
            if (files_put_temp(up->tmp_path, up->sha256, &existed, &err) != P_OK) {
                http_reply_error(req, &err);
                json_decref(o);
                return;
            }
            http_upload_take(req, up);
            json_object_set_new(o, "existed", json_boolean(existed));
        }
    }
    const char *lang = http_upload_field(req, "lang");
    if (lang) json_object_set_new(o, "lang", json_string(lang));
    http_reply_json(req, 200, o);
}

/* Stands in for the session and token check: "Bearer test" is a signed-in user. */
static void test_authenticate(http_request *req)
{
    const char *a = http_header(req, "Authorization");
    if (a && strcmp(a, "Bearer test") == 0) {
        req->who.via = AUTH_TOKEN;
        snprintf(req->who.login, sizeof req->who.login, "librarian");
    }
}

static int setup_group(void **state)
{
    (void)state;
    if (sodium_init() < 0) return -1;
    snprintf(dir, sizeof dir, "/tmp/polis-upload-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char root[128];
    snprintf(root, sizeof root, "%s/files", dir);
    p_error err;
    if (files_configure(root, NULL, &err) != P_OK) return -1;
    router_reset();
    static const struct route routes[] = {
        {.methods = HTTP_POST, .pattern = "/upload", .handler = upload_handler, .multipart = true},
        {.methods = HTTP_POST,
         .pattern = "/upload/small",
         .handler = upload_handler,
         .body_limit = SMALL_LIMIT,
         .multipart = true},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (router_add(&routes[i]) < 0) return -1;
    struct server_config sc = {
        .listen = "127.0.0.1:0",
        .threads = 2,
        .body_limit_bytes = 1 << 20,
        .upload_limit_bytes = 4 << 20,
        .upload_dir = files_tmp_dir(),
        .timeout_s = 10,
        .authenticate = test_authenticate,
    };
    if (http_server_start(&sc, &srv, &err) != P_OK) return -1;
    port = http_server_port(srv);
    return 0;
}

static int teardown_group(void **state)
{
    (void)state;
    http_server_stop(srv, 2000);
    router_reset();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Sends raw bytes, reads the whole reply (the request says Connection: close), returns the
 * status and leaves the body in body_out. */
static int exchange(const char *raw, size_t len, buf *body_out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    for (size_t off = 0; off < len;) {
        ssize_t w = send(fd, raw + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) break; /* the server may answer and close before reading it all */
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    buf in = BUF_INIT;
    char chunk[8192];
    ssize_t got;
    while ((got = recv(fd, chunk, sizeof chunk, 0)) > 0)
        buf_append(&in, chunk, (size_t)got);
    close(fd);
    int status = 0;
    if (in.len > 12) sscanf(in.data, "HTTP/1.1 %d", &status);
    const char *sep = in.data ? strstr(in.data, "\r\n\r\n") : NULL;
    if (body_out) buf_puts(body_out, sep ? sep + 4 : "");
    buf_free(&in);
    return status;
}

/* A multipart body: a field "lang", optionally "keep", then the file part. */
static void multipart_body(buf *b, const char *filename, const void *data, size_t len,
                           const char *keep)
{
    buf_puts(b, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nru\r\n");
    if (keep)
        buf_printf(b,
                   "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"keep\"\r\n\r\n%s\r\n",
                   keep);
    buf_printf(b,
               "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
               "filename=\"%s\"\r\nContent-Type: application/pdf\r\n\r\n",
               filename);
    buf_append(b, data, len);
    buf_puts(b, "\r\n--" BOUNDARY "--\r\n");
}

static int post_as(const char *auth, const char *path, const char *content_type, const buf *body,
                   buf *reply)
{
    buf req = BUF_INIT;
    buf_printf(&req,
               "POST %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
               "Authorization: %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
               path, auth, content_type, body->len);
    buf_append(&req, body->data ? body->data : "", body->len);
    int status = exchange(req.data, req.len, reply);
    buf_free(&req);
    return status;
}

static int post(const char *path, const char *content_type, const buf *body, buf *reply)
{
    return post_as("Bearer test", path, content_type, body, reply);
}

static int tmp_entries(void)
{
    DIR *d = opendir(files_tmp_dir());
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void sha_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    crypto_hash_sha256(d, data, len);
    text_hex(d, 32, out);
}

static void test_upload_streams_to_temp(void **state)
{
    (void)state;
    size_t len = 300000; /* larger than any buffer on the way */
    char *data = malloc(len);
    assert_non_null(data);
    memcpy(data, "%PDF-1.4\n", 9);
    for (size_t i = 9; i < len; i++)
        data[i] = (char)('a' + i % 26);
    char want[65];
    sha_hex(data, len, want);
    buf body = BUF_INIT, reply = BUF_INIT;
    multipart_body(&body, "../../etc/passwd", data, len, NULL);
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     200);
    json_t *o = json_loads(reply.data, 0, NULL);
    assert_non_null(o);
    assert_int_equal(json_integer_value(json_object_get(o, "size")), len);
    assert_string_equal(json_string_value(json_object_get(o, "sha256")), want);
    assert_string_equal(json_string_value(json_object_get(o, "filename")), "passwd");
    assert_string_equal(json_string_value(json_object_get(o, "lang")), "ru");
    assert_true(json_is_true(json_object_get(o, "tmp_in_store")));
    assert_int_equal(strncmp(json_string_value(json_object_get(o, "head")), "%PDF-1.4\n", 9), 0);
    json_decref(o);
    /* Not taken by the handler: removed when the request ended. Nothing named passwd was
     * ever created. */
    assert_int_equal(tmp_entries(), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "find '%s' -name passwd | grep -q .", dir);
    assert_int_not_equal(system(cmd), 0);
    free(data);
    buf_free(&body);
    buf_free(&reply);
}

/* A boolean member of a JSON reply: 1, 0, or -1 when absent. */
static int reply_flag(const buf *reply, const char *name)
{
    json_t *o = json_loads(reply->data ? reply->data : "", 0, NULL);
    json_t *v = json_object_get(o, name);
    int r = json_is_boolean(v) ? json_is_true(v) : -1;
    json_decref(o);
    return r;
}

static void test_upload_taken_into_store(void **state)
{
    (void)state;
    static const char text[] = "Полиция и общество\n";
    char want[65];
    sha_hex(text, sizeof text - 1, want);
    buf body = BUF_INIT, reply = BUF_INIT;
    multipart_body(&body, "notes.txt", text, sizeof text - 1, "yes");
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     200);
    assert_true(reply_flag(&reply, "existed") == 0);
    assert_true(files_exists(want));
    assert_int_equal(tmp_entries(), 0);
    /* The same bytes again are deduplicated. */
    buf_reset(&reply);
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     200);
    assert_true(reply_flag(&reply, "existed") == 1);
    assert_int_equal(tmp_entries(), 0);
    buf_free(&body);
    buf_free(&reply);
}

static void test_upload_limits(void **state)
{
    (void)state;
    size_t len = SMALL_LIMIT + 1000;
    char *data = malloc(len);
    assert_non_null(data);
    memset(data, 'x', len);
    buf body = BUF_INIT, reply = BUF_INIT;
    multipart_body(&body, "big.txt", data, len, NULL);
    /* Declared too large: refused before the body is read. */
    assert_int_equal(
        post("/upload/small", "multipart/form-data; boundary=" BOUNDARY, &body, &reply), 413);
    assert_non_null(strstr(reply.data, "exceeds"));
    assert_int_equal(tmp_entries(), 0);

    /* Chunked, so no length is declared: refused when the count passes the limit, and the
     * temp file written so far is removed. */
    buf req = BUF_INIT;
    buf_puts(&req, "POST /upload/small HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                   "Authorization: Bearer test\r\n"
                   "Content-Type: multipart/form-data; boundary=" BOUNDARY "\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n");
    for (size_t off = 0; off < body.len; off += 4096) {
        size_t n = body.len - off < 4096 ? body.len - off : 4096;
        buf_printf(&req, "%zx\r\n", n);
        buf_append(&req, body.data + off, n);
        buf_puts(&req, "\r\n");
    }
    buf_puts(&req, "0\r\n\r\n");
    buf_reset(&reply);
    assert_int_equal(exchange(req.data, req.len, &reply), 413);
    assert_int_equal(tmp_entries(), 0);
    buf_free(&req);

    /* Under the limit, the same route takes it. */
    buf_reset(&body);
    multipart_body(&body, "ok.txt", data, 1000, NULL);
    buf_reset(&reply);
    assert_int_equal(
        post("/upload/small", "multipart/form-data; boundary=" BOUNDARY, &body, &reply), 200);
    free(data);
    buf_free(&body);
    buf_free(&reply);
}

static void test_upload_refusals(void **state)
{
    (void)state;
    buf body = BUF_INIT, reply = BUF_INIT;
    /* Not multipart: 415, whatever the body. */
    buf_puts(&body, "{\"file\": \"x\"}");
    assert_int_equal(post("/upload", "application/json", &body, &reply), 415);
    buf_reset(&reply);
    assert_int_equal(post("/upload", "multipart/form-data", &body, &reply), 415); /* no boundary */

    /* A body that ends in the middle of a part. */
    buf_reset(&body);
    buf_puts(&body, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"file\"; "
                    "filename=\"a.txt\"\r\n\r\nsome bytes and then nothing");
    buf_reset(&reply);
    int status = post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply);
    assert_int_equal(status, 400);
    assert_non_null(strstr(reply.data, "malformed"));
    assert_int_equal(tmp_entries(), 0);

    /* More fields than allowed, and a field over its size. */
    buf_reset(&body);
    for (int i = 0; i <= HTTP_UPLOAD_MAX_FIELDS; i++)
        buf_printf(&body,
                   "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nv\r\n",
                   i);
    buf_puts(&body, "--" BOUNDARY "--\r\n");
    buf_reset(&reply);
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     413);
    buf_reset(&body);
    buf_puts(&body, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\n");
    for (int i = 0; i < HTTP_UPLOAD_FIELD_BYTES + 1; i++)
        buf_putc(&body, 'a');
    buf_puts(&body, "\r\n--" BOUNDARY "--\r\n");
    buf_reset(&reply);
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     413);
    /* A text field that is not UTF-8. */
    buf_reset(&body);
    buf_puts(&body, "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\n"
                    "\xFF\xFE\r\n--" BOUNDARY "--\r\n");
    buf_reset(&reply);
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     400);
    buf_free(&body);
    buf_free(&reply);
}

static void test_upload_needs_credentials(void **state)
{
    (void)state;
    buf body = BUF_INIT, reply = BUF_INIT;
    multipart_body(&body, "a.txt", "some text", 9, "yes");
    assert_int_equal(
        post_as("Bearer wrong", "/upload", "multipart/form-data; boundary=" BOUNDARY, &body,
                &reply),
        200); /* the handler decides what anonymous callers get; here it says what it saw */
    assert_null(strstr(reply.data, "sha256"));
    assert_null(strstr(reply.data, "lang")); /* the body was never parsed */
    assert_int_equal(tmp_entries(), 0);
    char sha[65];
    sha_hex("some text", 9, sha);
    assert_false(files_exists(sha)); /* the handler never ran */
    buf_free(&body);
    buf_free(&reply);
}

static void test_empty_file_part(void **state)
{
    (void)state;
    buf body = BUF_INIT, reply = BUF_INIT;
    multipart_body(&body, "empty.pdf", "", 0, NULL);
    assert_int_equal(post("/upload", "multipart/form-data; boundary=" BOUNDARY, &body, &reply),
                     200);
    /* The handler sees the part with 0 bytes, so it can say "the file is empty". */
    json_t *o = json_loads(reply.data, 0, NULL);
    assert_non_null(o);
    assert_non_null(json_object_get(o, "size"));
    assert_int_equal(json_integer_value(json_object_get(o, "size")), 0);
    assert_string_equal(json_string_value(json_object_get(o, "sha256")),
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    json_decref(o);
    assert_int_equal(tmp_entries(), 0);
    buf_free(&body);
    buf_free(&reply);
}

static void test_sanitize_filename(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"../../etc/passwd", "passwd"},
        {"C:\\Users\\x\\report.pdf", "report.pdf"},
        {"..", "upload"},
        {"", "upload"},
        {".hidden", "hidden"},
        {"a\r\nb\"c.pdf", "abc.pdf"},
        {"Полиция.pdf", "Полиция.pdf"},
        {"bad\xFF\xFEname.txt", "badname.txt"},
        {"dir/", "upload"},
    };
    char out[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        multipart_sanitize_filename(cases[i][0], out, sizeof out);
        assert_string_equal(out, cases[i][1]);
    }
    multipart_sanitize_filename(NULL, out, sizeof out);
    assert_string_equal(out, "upload");
    /* Cut to the buffer on a character boundary. */
    char small[6];
    multipart_sanitize_filename("жжжж", small, sizeof small);
    assert_string_equal(small, "жж");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upload_streams_to_temp),
        cmocka_unit_test(test_upload_taken_into_store),
        cmocka_unit_test(test_upload_limits),
        cmocka_unit_test(test_upload_refusals),
        cmocka_unit_test(test_empty_file_part),
        cmocka_unit_test(test_upload_needs_credentials),
        cmocka_unit_test(test_sanitize_filename),
    };
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
