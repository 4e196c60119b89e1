/* fuzz_magic.c: type detection by content. Whatever the bytes (a ZIP central directory
 * included: libzip reads it), magic_detect_mem either names one of the four accepted types
 * or refuses with 415 (422 for no bytes), and a PDF, HTML or text verdict agrees with the
 * signature, the UTF-8 and the NUL rules it claims to apply. */
#include "fuzz_common.h"

#include "core/text.h"
#include "library/magic.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum file_type t = FILE_TYPE_NONE;
    p_error err;
    p_error_clear(&err);
    int rc = magic_detect_mem(data, size, &t, &err);
    if (size == 0) {
        CHECK(rc == P_EUNPROC);
        CHECK(t == FILE_TYPE_NONE);
        return 0;
    }
    if (rc != P_OK) {
        CHECK(rc == P_EMEDIA);
        CHECK(err.status == P_EMEDIA);
        CHECK(t == FILE_TYPE_NONE);
        return 0;
    }
    CHECK(t >= FILE_TYPE_PDF && t <= FILE_TYPE_TEXT);
    CHECK(*file_type_name(t));
    CHECK(file_type_parse(file_type_name(t)) == t);
    if (t == FILE_TYPE_PDF) CHECK(size >= 5 && memcmp(data, "%PDF-", 5) == 0);
    if (t == FILE_TYPE_DOCX) CHECK(size >= 4 && memcmp(data, "PK\x03\x04", 4) == 0);
    if (t == FILE_TYPE_HTML || t == FILE_TYPE_TEXT) {
        CHECK(memchr(data, 0, size < MAGIC_TEXT_WINDOW_BYTES ? size : MAGIC_TEXT_WINDOW_BYTES) ==
              NULL);
        if (size <= MAGIC_TEXT_WINDOW_BYTES) CHECK(text_utf8_valid((const char *)data, size));
    }
    return 0;
}
