/* test_files.c: the content-addressed file store in a real temporary directory (shard paths,
 * atomic moves, deduplication, limits, digests that are not hex) and type detection by magic
 * bytes on real files: PDF, a DOCX built with libzip, HTML, plain text, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/text.h"
#include "library/files.h"
#include "library/magic.h"

#include <dirent.h>
#include <fcntl.h>
#include <sodium.h>
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
    snprintf(dir, sizeof dir, "/tmp/polis-files-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char root[128];
    snprintf(root, sizeof root, "%s/store", dir);
    p_error err;
    return files_configure(root, NULL, &err) == P_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len) assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[32];
    crypto_hash_sha256(d, data, len);
    text_hex(d, 32, out);
}

/* A temp file in the store's temp directory holding data. */
static void make_temp(const void *data, size_t len, char *path, size_t size)
{
    int fd = -1;
    p_error err;
    assert_int_equal(files_tmp_create(path, size, &fd, &err), P_OK);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static void test_configure_default_next_to_db(void **state)
{
    (void)state;
    char db[128], want[160];
    snprintf(db, sizeof db, "%s/polis.db", dir);
    snprintf(want, sizeof want, "%s/polis.db.files", dir);
    unsetenv(FILES_DIR_ENV);
    p_error err;
    assert_int_equal(files_configure(NULL, db, &err), P_OK);
    assert_string_equal(files_root(), want);
    struct stat st;
    assert_int_equal(stat(files_tmp_dir(), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    /* The environment wins over the default, the flag over both. */
    char env_dir[128], flag_dir[128];
    snprintf(env_dir, sizeof env_dir, "%s/from-env", dir);
    snprintf(flag_dir, sizeof flag_dir, "%s/from-flag/", dir);
    setenv(FILES_DIR_ENV, env_dir, 1);
    assert_int_equal(files_configure(NULL, db, &err), P_OK);
    assert_string_equal(files_root(), env_dir);
    assert_int_equal(files_configure(flag_dir, db, &err), P_OK);
    flag_dir[strlen(flag_dir) - 1] = '\0'; /* the trailing slash is dropped */
    assert_string_equal(files_root(), flag_dir);
    unsetenv(FILES_DIR_ENV);
    /* A PostgreSQL URL has no sibling directory: it needs --files or POLIS_FILES. */
    assert_int_equal(files_configure(NULL, "postgres://u@h/db", &err), P_EINVAL);
}

static void test_put_moves_and_dedupes(void **state)
{
    (void)state;
    static const char body[] = "The guidebook on democratic policing.\n";
    char sha[65], tmp[FILES_PATH_MAX], final[FILES_PATH_MAX];
    sha256_hex(body, sizeof body - 1, sha);
    p_error err;
    make_temp(body, sizeof body - 1, tmp, sizeof tmp);
    bool existed = true;
    assert_int_equal(files_put_temp(tmp, sha, &existed, &err), P_OK);
    assert_false(existed);
    assert_int_not_equal(access(tmp, F_OK), 0); /* moved, not copied */
    assert_int_equal(files_path(sha, final, sizeof final, &err), P_OK);
    char want[FILES_PATH_MAX];
    snprintf(want, sizeof want, "%s/%.2s/%.2s/%s", files_root(), sha, sha + 2, sha);
    assert_string_equal(final, want);
    assert_true(files_exists(sha));

    int fd = -1;
    uint64_t size = 0;
    assert_int_equal(files_open(sha, &fd, &size, &err), P_OK);
    char back[128] = {0};
    assert_int_equal(read(fd, back, sizeof back), (ssize_t)(sizeof body - 1));
    close(fd);
    assert_int_equal(size, sizeof body - 1);
    assert_string_equal(back, body);

    /* The same bytes again: nothing new is stored, the temp file is gone. */
    make_temp(body, sizeof body - 1, tmp, sizeof tmp);
    assert_int_equal(files_put_temp(tmp, sha, &existed, &err), P_OK);
    assert_true(existed);
    assert_int_not_equal(access(tmp, F_OK), 0);
    char shard[FILES_PATH_MAX];
    snprintf(shard, sizeof shard, "%s/%.2s/%.2s", files_root(), sha, sha + 2);
    assert_int_equal(count_entries(shard), 1);
    assert_int_equal(count_entries(files_tmp_dir()), 0);

    assert_int_equal(files_remove(sha, &err), P_OK);
    assert_false(files_exists(sha));
    assert_int_equal(files_remove(sha, &err), P_OK); /* already gone is fine */
    assert_int_equal(files_open(sha, &fd, NULL, &err), P_ENOTFOUND);
}

static void test_put_from_other_filesystem_dir(void **state)
{
    (void)state;
    /* A temp file outside the store (maybe another filesystem) is still moved in whole. */
    static const char body[] = "outside";
    char path[128], sha[65];
    snprintf(path, sizeof path, "%s/outside.txt", dir);
    write_file(path, body, sizeof body - 1);
    sha256_hex(body, sizeof body - 1, sha);
    p_error err;
    assert_int_equal(files_put_temp(path, sha, NULL, &err), P_OK);
    assert_true(files_exists(sha));
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_stale_temp_files_are_swept(void **state)
{
    (void)state;
    char old_tmp[FILES_PATH_MAX], new_tmp[FILES_PATH_MAX];
    make_temp("left by a crash", 15, old_tmp, sizeof old_tmp);
    make_temp("in flight", 9, new_tmp, sizeof new_tmp);
    struct timespec times[2] = {{time(NULL) - 2 * FILES_TMP_MAX_AGE_S, 0},
                                {time(NULL) - 2 * FILES_TMP_MAX_AGE_S, 0}};
    assert_int_equal(utimensat(AT_FDCWD, old_tmp, times, 0), 0);
    char root[FILES_PATH_MAX];
    snprintf(root, sizeof root, "%s", files_root());
    p_error err;
    assert_int_equal(files_configure(root, NULL, &err), P_OK); /* as at start-up */
    assert_int_not_equal(access(old_tmp, F_OK), 0);
    assert_int_equal(access(new_tmp, F_OK), 0);
    assert_int_equal(files_sweep_tmp(-1), 1); /* everything, with a negative age */
    assert_int_equal(count_entries(files_tmp_dir()), 0);
}

static void test_only_hex_digests_form_paths(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "../../etc/passwd",
        "",
        "abc",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",  /* upper case */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",   /* 63 */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555", /* 65 */
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8/.",
        NULL,
    };
    char out[FILES_PATH_MAX];
    p_error err;
    for (int i = 0; bad[i]; i++) {
        assert_false(files_sha256_valid(bad[i]));
        assert_int_equal(files_path(bad[i], out, sizeof out, &err), P_EINVAL);
        assert_false(files_exists(bad[i]));
    }
    char tmp[FILES_PATH_MAX];
    make_temp("x", 1, tmp, sizeof tmp);
    assert_int_equal(files_put_temp(tmp, "../../etc/passwd", NULL, &err), P_EINVAL);
    assert_int_not_equal(access(tmp, F_OK), 0); /* refused temp files are not left behind */
    assert_true(
        files_sha256_valid("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void test_put_copy_hashes_and_limits(void **state)
{
    (void)state;
    size_t len = 300000;
    unsigned char *data = malloc(len);
    assert_non_null(data);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    char src[128], want[65];
    snprintf(src, sizeof src, "%s/big.bin", dir);
    write_file(src, data, len);
    sha256_hex(data, len, want);
    struct files_blob blob;
    bool existed = true;
    p_error err;
    assert_int_equal(files_put_copy(src, 0, &blob, &existed, &err), P_OK);
    assert_string_equal(blob.sha256, want);
    assert_int_equal(blob.size_bytes, len);
    assert_int_equal(blob.head_len, FILES_HEAD_BYTES);
    assert_memory_equal(blob.head, data, FILES_HEAD_BYTES);
    assert_false(existed);
    assert_true(files_exists(want));
    assert_int_equal(access(src, F_OK), 0); /* the source stays */

    /* Over the limit: refused, nothing stored, no temp file left. */
    data[0] ^= 1;
    write_file(src, data, len);
    sha256_hex(data, len, want);
    assert_int_equal(files_put_copy(src, len - 1, &blob, &existed, &err), P_ETOOBIG);
    assert_false(files_exists(want));
    assert_int_equal(count_entries(files_tmp_dir()), 0);
    free(data);
}

/* Builds a ZIP at path with the given entries (name, content pairs, NULL-terminated). */
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

static int detect(const char *name, const void *data, size_t len, enum file_type *t, p_error *err)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, data, len);
    enum file_type from_mem = FILE_TYPE_NONE;
    p_error e2;
    int rc_mem = magic_detect_mem(data, len, &from_mem, &e2);
    int rc = magic_detect_file(path, t, err);
    assert_int_equal(rc, rc_mem); /* the file and memory paths agree */
    assert_int_equal(*t, from_mem);
    return rc;
}

#define DETECT_AS(name, lit, want)                                                                 \
    do {                                                                                           \
        enum file_type t_;                                                                         \
        p_error e_;                                                                                \
        assert_int_equal(detect(name, lit, sizeof(lit) - 1, &t_, &e_), P_OK);                      \
        assert_int_equal(t_, want);                                                                \
    } while (0)

#define REFUSED(name, lit)                                                                         \
    do {                                                                                           \
        enum file_type t_;                                                                         \
        p_error e_;                                                                                \
        assert_int_equal(detect(name, lit, sizeof(lit) - 1, &t_, &e_), P_EMEDIA);                  \
        assert_int_equal(t_, FILE_TYPE_NONE);                                                      \
        assert_non_null(strstr(e_.message, "PDF, DOCX, HTML or plain UTF-8 text"));                \
    } while (0)

static void test_magic_types(void **state)
{
    (void)state;
    DETECT_AS("a.txt", "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", FILE_TYPE_PDF);
    DETECT_AS("b.pdf", "<!DOCTYPE html><html><body>x</body></html>", FILE_TYPE_HTML);
    DETECT_AS("c", "\xEF\xBB\xBF  \r\n<!doctype HTML>\n<p>hi", FILE_TYPE_HTML);
    DETECT_AS("d", "<!-- saved page -->\n<HTML lang=\"ru\">", FILE_TYPE_HTML);
    DETECT_AS("e", "<head><title>t</title></head>", FILE_TYPE_HTML);
    DETECT_AS("f", "<body>", FILE_TYPE_HTML);
    DETECT_AS("x", "<?xml version=\"1.0\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">",
              FILE_TYPE_HTML);
    DETECT_AS("y", "<?xml version=\"1.0\"?><note>not html</note>", FILE_TYPE_TEXT);
    DETECT_AS("g.html", "Полиция и общество\nPolicing and society\n", FILE_TYPE_TEXT);
    DETECT_AS("h", "<htmlx> is not a tag we know", FILE_TYPE_TEXT);
    DETECT_AS("i", "<p>a fragment is text</p>", FILE_TYPE_TEXT);

    REFUSED("j.txt", "text with a \0 NUL");
    REFUSED("k.txt", "Latin-1 caf\xE9 is not UTF-8");
    REFUSED("l.png", "\x89PNG\r\n\x1A\n\0\0\0\rIHDR");
    REFUSED("m", "\xC0\xAF overlong slash");
    DETECT_AS("n", "%PDF", FILE_TYPE_TEXT); /* too short for the signature: just text */
    REFUSED("o", "PK\x03\x04 not really a zip");

    enum file_type t;
    p_error err;
    assert_int_equal(detect("empty", "", 0, &t, &err), P_EUNPROC);
    assert_string_equal(err.message, "the file is empty");
}

static void test_magic_text_window(void **state)
{
    (void)state;
    /* A UTF-8 sequence cut by the 64 KB window is fine when the file goes on; a NUL past
     * the window is not looked at. */
    size_t len = MAGIC_TEXT_WINDOW_BYTES + 100;
    char *data = malloc(len);
    assert_non_null(data);
    memset(data, 'a', len);
    memcpy(data + MAGIC_TEXT_WINDOW_BYTES - 1, "\xD0\xBF", 2);
    data[len - 1] = '\0';
    enum file_type t;
    p_error err;
    assert_int_equal(detect("window.txt", data, len, &t, &err), P_OK);
    assert_int_equal(t, FILE_TYPE_TEXT);
    /* The same cut at the very end of a short file is broken UTF-8. */
    assert_int_equal(detect("cut.txt", "abc\xD0", 4, &t, &err), P_EMEDIA);
    free(data);
}

static void test_magic_docx(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/report.docx", dir);
    static const char *const docx[] = {"[Content_Types].xml", "<Types/>", "word/document.xml",
                                       "<w:document/>", NULL};
    make_zip(path, docx);
    enum file_type t;
    p_error err;
    assert_int_equal(magic_detect_file(path, &t, &err), P_OK);
    assert_int_equal(t, FILE_TYPE_DOCX);

    /* A ZIP without the Word part (an ODT, an XLSX, an archive of anything) is refused. */
    static const char *const other[] = {"xl/workbook.xml", "<workbook/>", "word/doc.xml", "<x/>",
                                        NULL};
    make_zip(path, other);
    assert_int_equal(magic_detect_file(path, &t, &err), P_EMEDIA);

    /* Its bytes in memory give the same answers. */
    make_zip(path, docx);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(magic_detect_mem(buf, n, &t, &err), P_OK);
    assert_int_equal(t, FILE_TYPE_DOCX);
    /* Truncated, the central directory is gone: not a DOCX any more. */
    assert_int_equal(magic_detect_mem(buf, n / 2, &t, &err), P_EMEDIA);
}

static void test_type_names(void **state)
{
    (void)state;
    for (int t = FILE_TYPE_PDF; t <= FILE_TYPE_TEXT; t++)
        assert_int_equal(file_type_parse(file_type_name((enum file_type)t)), t);
    assert_int_equal(file_type_parse("exe"), FILE_TYPE_NONE);
    assert_int_equal(file_type_parse(NULL), FILE_TYPE_NONE);
    assert_string_equal(file_type_mime(FILE_TYPE_PDF), "application/pdf");
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_configure_default_next_to_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_moves_and_dedupes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_from_other_filesystem_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_temp_files_are_swept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_hex_digests_form_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_copy_hashes_and_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_text_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_magic_docx, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_names, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
