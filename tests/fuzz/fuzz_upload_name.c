/* fuzz_upload_name.c: the display name made from an uploaded file's client-chosen name.
 * Whatever the bytes, multipart_sanitize_filename gives a non-empty name of valid UTF-8 that
 * fits its buffer, holds no path separator, control character or quote, does not start with
 * a dot, and is a fixed point (sanitizing it again changes nothing). */
#include "fuzz_common.h"

#include "core/text.h"
#include "http/multipart.h"

#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char in[4097];
    if (size >= sizeof in) size = sizeof in - 1;
    memcpy(in, data, size);
    in[size] = '\0';
    size_t sizes[] = {256, 7, 2};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        char out[256], again[256];
        multipart_sanitize_filename(in, out, sizes[k]);
        size_t n = strlen(out);
        CHECK(n > 0 && n < sizes[k]);
        CHECK(text_utf8_valid(out, n));
        CHECK(out[0] != '.');
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];
            CHECK(c >= 0x20 && c != 0x7F && c != '/' && c != '\\' && c != '"');
        }
        multipart_sanitize_filename(out, again, sizes[k]);
        CHECK(strcmp(out, again) == 0);
    }
    return 0;
}
