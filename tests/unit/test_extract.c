/* test_extract.c: text extraction through the real sandbox: this test binary runs itself as
 * the `extract` child, exactly as polis does, on files made here: a hand-written PDF and a
 * truncated one, a DOCX and a decompression bomb built with libzip, HTML with scripts,
 * invalid UTF-8, a FIFO that never ends (the wall-clock deadline) and text over the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/text.h"
#include "library/extract.h"
#include "library/magic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/polis-extract-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_of(const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* A one-page PDF showing text, with a correct cross-reference table. */
static void make_pdf(buf *pdf, const char *text)
{
    char content[256];
    snprintf(content, sizeof content, "BT /F1 24 Tf 72 700 Td (%s) Tj ET", text);
    char stream_obj[512];
    snprintf(stream_obj, sizeof stream_obj, "<< /Length %zu >>\nstream\n%s\nendstream",
             strlen(content), content);
    const char *objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        stream_obj,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    };
    size_t offsets[5];
    buf_puts(pdf, "%PDF-1.4\n");
    for (int i = 0; i < 5; i++) {
        offsets[i] = pdf->len;
        buf_printf(pdf, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
    }
    size_t xref = pdf->len;
    buf_puts(pdf, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 0; i < 5; i++)
        buf_printf(pdf, "%010zu 00000 n \n", offsets[i]);
    buf_printf(pdf, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
}

static int run(const char *path, enum file_type type, char **text, size_t *len, p_error *err)
{
    p_error_clear(err);
    return extract_text(path, type, text, len, err);
}

static void test_pdf(void **state)
{
    (void)state;
    char path[128];
    path_of("guide.pdf", path, sizeof path);
    buf pdf = BUF_INIT;
    make_pdf(&pdf, "Trafficking in human beings");
    write_file(path, pdf.data, pdf.len);
    enum file_type t;
    p_error err;
    assert_int_equal(magic_detect_file(path, &t, &err), P_OK);
    assert_int_equal(t, FILE_TYPE_PDF);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(run(path, t, &text, &len, &err), P_OK);
    assert_non_null(strstr(text, "Trafficking in human beings"));
    assert_int_equal(strlen(text), len);
    free(text);

    /* Truncated: poppler cannot read it; the error is a reason, not a crash. */
    write_file(path, pdf.data, pdf.len / 3);
    assert_int_not_equal(run(path, FILE_TYPE_PDF, &text, &len, &err), P_OK);
    assert_int_equal(err.status, P_EUNPROC);
    assert_null(text);
    /* The child's own reason, not whatever poppler printed before it. */
    assert_non_null(strstr(err.message, "not a readable PDF"));
    buf_free(&pdf);
}

static void make_zip(const char *path, const char *const *entries)
{
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    assert_non_null(za);
    for (int i = 0; entries[i]; i += 2) {
        zip_source_t *src = zip_source_buffer(za, entries[i + 1], strlen(entries[i + 1]), 0);
        assert_non_null(src);
        assert_true(zip_file_add(za, entries[i], src, ZIP_FL_ENC_UTF_8) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
}

#define W "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

static void test_docx(void **state)
{
    (void)state;
    char path[128];
    path_of("guide.docx", path, sizeof path);
    static const char *const docx[] = {
        "[Content_Types].xml", "<Types/>", "word/document.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<w:document " W "><w:body>"
        "<w:p><w:r><w:t>Community</w:t></w:r><w:r><w:t xml:space=\"preserve\"> policing</w:t>"
        "</w:r></w:p><w:p/><w:p><w:r><w:t>Полиция</w:t><w:tab/><w:t>&amp; общество</w:t>"
        "</w:r></w:p><w:p><w:r><w:instrText>NOT TEXT</w:instrText></w:r></w:p>"
        "</w:body></w:document>",
        NULL};
    make_zip(path, docx);
    char *text = NULL;
    size_t len = 0;
    p_error err;
    assert_int_equal(run(path, FILE_TYPE_DOCX, &text, &len, &err), P_OK);
    assert_string_equal(text, "Community policing\n\nПолиция\t& общество\n\n");
    free(text);
}

/* The XML of a DOCX may not declare a DTD: no entity is defined, none expanded. */
static void test_docx_xml_refuses_dtd(void **state)
{
    (void)state;
    static const char laughs[] =
        "<?xml version=\"1.0\"?><!DOCTYPE w:document [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
        "<w:document " W "><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>";
    buf out = BUF_INIT;
    p_error err;
    assert_int_equal(extract_docx_xml_mem(laughs, sizeof laughs - 1, 1 << 20, &out, &err),
                     P_EUNPROC);
    assert_true(out.len < 100);
    buf_free(&out);
    static const char external[] =
        "<?xml version=\"1.0\"?><!DOCTYPE d SYSTEM \"http://example.invalid/x.dtd\">"
        "<w:document " W "/>";
    assert_int_equal(extract_docx_xml_mem(external, sizeof external - 1, 1 << 20, &out, &err),
                     P_EUNPROC);
    assert_int_equal(extract_docx_xml_mem("<w:document", 11, 1 << 20, &out, &err), P_EUNPROC);
    buf_free(&out);
}

/* A generator of zeros for libzip: an entry far larger than the inflate cap, which deflates
 * to a few hundred kilobytes. */
struct zeros {
    uint64_t left, total;
};

static zip_int64_t zeros_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    struct zeros *z = ud;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        z->left = z->total;
        return 0;
    case ZIP_SOURCE_READ: {
        zip_uint64_t n = len < z->left ? len : z->left;
        memset(data, 0, (size_t)n);
        z->left -= n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = z->total;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof *st;
    }
    case ZIP_SOURCE_ERROR:
        memset(data, 0, 2 * sizeof(int));
        return 2 * sizeof(int);
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    default:
        return -1;
    }
}

static void test_zip_bomb(void **state)
{
    (void)state;
    char path[128];
    path_of("bomb.docx", path, sizeof path);
    int zerr = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    assert_non_null(za);
    struct zeros z = {0, (uint64_t)160 << 20}; /* 160 MB of zeros, 2.5 times the cap */
    zip_source_t *src = zip_source_function(za, zeros_cb, &z);
    assert_non_null(src);
    zip_int64_t idx = zip_file_add(za, "word/document.xml", src, 0);
    assert_true(idx >= 0);
    assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 1), 0);
    assert_int_equal(zip_close(za), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < (1 << 20)); /* small on disk */

    enum file_type t;
    p_error err;
    assert_int_equal(magic_detect_file(path, &t, &err), P_OK);
    assert_int_equal(t, FILE_TYPE_DOCX);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(run(path, FILE_TYPE_DOCX, &text, &len, &err), P_EUNPROC);
    assert_non_null(strstr(err.message, "inflates beyond"));

    /* The same archive with the entry's declared sizes forged small: the count of inflated
     * bytes stops it, not the header. */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    unsigned char *all = malloc((size_t)st.st_size);
    assert_non_null(all);
    assert_int_equal(fread(all, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    int patched = 0;
    for (long i = 0; i + 30 < st.st_size; i++) {
        if (memcmp(all + i, "PK\x03\x04", 4) == 0) { /* local header: size at 22 */
            memcpy(all + i + 22, "\x10\x00\x00\x00", 4);
            patched++;
        } else if (memcmp(all + i, "PK\x01\x02", 4) == 0) { /* central: size at 24 */
            memcpy(all + i + 24, "\x10\x00\x00\x00", 4);
            patched++;
        }
    }
    assert_true(patched >= 2);
    rewind(f);
    assert_int_equal(fwrite(all, 1, (size_t)st.st_size, f), (size_t)st.st_size);
    fclose(f);
    free(all);
    buf out = BUF_INIT;
    int rc = extract_docx_file(path, 1 << 20, &out, &err);
    assert_int_equal(rc, P_EUNPROC);
    assert_true(out.len == 0);
    buf_free(&out);
}

static void test_html(void **state)
{
    (void)state;
    char path[128];
    path_of("page.html", path, sizeof path);
    static const char html[] =
        "<!DOCTYPE html><html><head><title>Guide</title><script>var secret = 1;</script>"
        "<style>p { color: red }</style></head><body><h1>Gender   and\n policing</h1>"
        "<p>First <b>bold</b> words.</p><script>alert('x')</script><ul><li>one</li>"
        "<li>two</li></ul><noscript>enable js</noscript></body></html>";
    write_file(path, html, sizeof html - 1);
    char *text = NULL;
    size_t len = 0;
    p_error err;
    assert_int_equal(run(path, FILE_TYPE_HTML, &text, &len, &err), P_OK);
    assert_null(strstr(text, "secret"));
    assert_null(strstr(text, "alert"));
    assert_null(strstr(text, "color"));
    assert_null(strstr(text, "enable js"));
    assert_non_null(strstr(text, "Guide"));
    assert_non_null(strstr(text, "Gender and policing\n"));
    assert_non_null(strstr(text, "First bold words."));
    assert_non_null(strstr(text, "one\ntwo"));
    free(text);

    /* Deep nesting is walked without recursion. */
    buf deep = BUF_INIT;
    buf_puts(&deep, "<html><body>");
    for (int i = 0; i < 100000; i++)
        buf_puts(&deep, "<div>");
    buf_puts(&deep, "bottom");
    buf out = BUF_INIT;
    assert_int_equal(extract_html_mem(deep.data, deep.len, 1 << 20, &out, &err), P_OK);
    buf_free(&deep);
    buf_free(&out);
}

static void test_text_and_utf8(void **state)
{
    (void)state;
    char path[128];
    path_of("notes.txt", path, sizeof path);
    static const char raw[] = "caf\xC3\xA9 \xFF\xFE end \xE2\x82";
    write_file(path, raw, sizeof raw - 1);
    char *text = NULL;
    size_t len = 0;
    p_error err;
    assert_int_equal(run(path, FILE_TYPE_TEXT, &text, &len, &err), P_OK);
    assert_string_equal(text, "caf\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD");
    assert_true(text_utf8_valid(text, len));
    free(text);

    buf out = BUF_INIT;
    extract_utf8_clean("a\0b\xED\xA0\x80", 6, &out); /* NUL and a surrogate */
    assert_int_equal(out.len, 1 + 3 + 1 + 9);
    assert_true(text_utf8_valid(out.data, out.len));
    buf_free(&out);

    /* A 0-byte file has no text, which is not an error of extraction. */
    path_of("empty.txt", path, sizeof path);
    write_file(path, "", 0);
    assert_int_equal(run(path, FILE_TYPE_TEXT, &text, &len, &err), P_OK);
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    free(text);
}

static void test_text_over_cap_is_cut(void **state)
{
    (void)state;
    char path[128];
    path_of("long.txt", path, sizeof path);
    size_t n = 3 << 20;
    char *big = malloc(n);
    assert_non_null(big);
    for (size_t i = 0; i + 1 < n; i += 2)
        memcpy(big + i, "\xD0\xB6", 2); /* ж, so a cut could fall inside a character */
    write_file(path, big, n);
    free(big);
    struct extract_limits lim = {EXTRACT_CPU_SECONDS, EXTRACT_WALL_MS, (1 << 20) + 1};
    char *text = NULL;
    size_t len = 0;
    p_error err;
    assert_int_equal(extract_text_limited(path, FILE_TYPE_TEXT, &lim, &text, &len, &err), P_OK);
    assert_int_equal(len, 1 << 20);
    assert_true(text_utf8_valid(text, len));
    free(text);
}

static void test_wall_clock_deadline(void **state)
{
    (void)state;
    /* Reading a FIFO nobody writes blocks for ever: the parent must kill the child. */
    char path[128];
    path_of("never", path, sizeof path);
    assert_int_equal(mkfifo(path, 0600), 0);
    struct extract_limits lim = {EXTRACT_CPU_SECONDS, 700, EXTRACT_MAX_TEXT_BYTES};
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    char *text = NULL;
    size_t len = 0;
    p_error err;
    assert_int_equal(extract_text_limited(path, FILE_TYPE_TEXT, &lim, &text, &len, &err),
                     P_EUNPROC);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    assert_true(s >= 0.6 && s < 5);
    assert_non_null(strstr(err.message, "longer than"));
    assert_null(text);
}

static void test_missing_file(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    p_error err;
    assert_int_equal(run("/nonexistent/file.pdf", FILE_TYPE_PDF, &text, &len, &err), P_EUNPROC);
    assert_non_null(strstr(err.message, "cannot open"));
    assert_int_equal(run("/nonexistent", FILE_TYPE_NONE, &text, &len, &err), P_EINVAL);
}

int main(int argc, char **argv)
{
    /* The sandboxed child is this binary, as it is polis for the server. */
    if (argc > 1 && strcmp(argv[1], "extract") == 0) return extract_main(argc - 1, argv + 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pdf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docx_xml_refuses_dtd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zip_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_and_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_over_cap_is_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wall_clock_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
