/* fuzz_extract_xml.c: the text collectors the sandboxed extractor runs on HTML (libxml2's
 * HTML parser) and on DOCX's word/document.xml (libxml2's reader, DTDs refused). The first
 * byte picks the collector. Whatever the rest, they return ok or "unreadable" (422), never
 * crash, stay within their byte budget (plus one step) and give valid UTF-8. */
#include "fuzz_common.h"

#include "core/buf.h"
#include "core/text.h"
#include "library/extract.h"

#include <libxml/parser.h>

#define BUDGET 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    xmlInitParser();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    buf out = BUF_INIT;
    p_error err;
    p_error_clear(&err);
    int rc = data[0] & 1 ? extract_docx_xml_mem(body, len, BUDGET, &out, &err)
                         : extract_html_mem(body, len, BUDGET, &out, &err);
    CHECK(rc == P_OK || rc == P_EUNPROC);
    /* One text node may overshoot the budget; never by more than the input itself. */
    CHECK(out.len <= BUDGET + 4 * size + 8);
    if (out.len) CHECK(text_utf8_valid(out.data, out.len));
    buf_free(&out);
    return 0;
}
