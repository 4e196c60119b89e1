/* test_html.c: the HTML builder escapes every piece of text and every attribute value,
 * keeps dangerous URLs out of href/src/action, and translations come from the embedded
 * catalogues with English as the fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "web/html.h"
#include "web/i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define ATTACK  "<script>alert('x' & \"y\")</script>"
#define ESCAPED "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;"

static void test_text_escapes(void **state)
{
    (void)state;
    html h = HTML_INIT;
    html_text(&h, ATTACK);
    assert_string_equal(buf_str(&h.b), ESCAPED);
    buf_reset(&h.b);

    html_text(&h, "&amp; stays visible as typed");
    assert_string_equal(buf_str(&h.b), "&amp;amp; stays visible as typed");
    buf_reset(&h.b);

    /* Text without special characters, UTF-8 and NULL pass unchanged. */
    html_text(&h, "Ёжи — plain");
    html_text(&h, NULL);
    html_text(&h, "");
    assert_string_equal(buf_str(&h.b), "Ёжи — plain");
    buf_reset(&h.b);

    /* Formatted text is escaped after formatting, so arguments cannot inject markup. */
    html_textf(&h, "%d items for %s", 3, "<b>\"O'Neil\" & co</b>");
    assert_string_equal(buf_str(&h.b),
                        "3 items for &lt;b&gt;&quot;O&#39;Neil&quot; &amp; co&lt;/b&gt;");
    buf_free(&h.b);

    buf b = BUF_INIT;
    html_escape(&b, "&<>\"'");
    assert_string_equal(buf_str(&b), "&amp;&lt;&gt;&quot;&#39;");
    buf_free(&b);
}

static void test_attributes_escape(void **state)
{
    (void)state;
    html h = HTML_INIT;
    html_open(&h, "input", "type", "text", "value", "\" onfocus=\"alert(1)", "title", "a'b<c>&",
              NULL);
    assert_string_equal(buf_str(&h.b), "<input type=\"text\" value=\"&quot; "
                                       "onfocus=&quot;alert(1)\" title=\"a&#39;b&lt;c&gt;&amp;\">");
    buf_reset(&h.b);

    html_elem(&h, "p", ATTACK, "class", "note", NULL);
    assert_string_equal(buf_str(&h.b), "<p class=\"note\">" ESCAPED "</p>");
    buf_reset(&h.b);

    /* An empty value is written; a NULL value ends the list. */
    html_void(&h, "option", "selected", "", "value", NULL, "ignored", "x", NULL);
    assert_string_equal(buf_str(&h.b), "<option selected=\"\">");
    buf_reset(&h.b);

    html_open(&h, "div", NULL);
    html_text(&h, "x");
    html_close(&h, "div");
    assert_string_equal(buf_str(&h.b), "<div>x</div>");
    buf_free(&h.b);
}

static void test_url_attributes(void **state)
{
    (void)state;
    static const char *const refused[] = {
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "\tjavascript:alert(1)",
        "java\nscript:alert(1)",
        "vbscript:msgbox",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "ftp://files.example/",
        "mailto:x@example.org",
        "https:evil.example",
        "http:/evil.example",
        "",
        "evil.example",
    };
    static const char *const attrs[] = {"href", "src", "action", "formaction"};
    for (size_t a = 0; a < sizeof attrs / sizeof attrs[0]; a++) {
        for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
            if (html_url_allowed(refused[i])) fail_msg("allowed \"%s\"", refused[i]);
            html h = HTML_INIT;
            html_open(&h, "a", attrs[a], refused[i], NULL);
            char want[64];
            int n = snprintf(want, sizeof want, "<a %s=\"#\">", attrs[a]);
            assert_true(n > 0 && (size_t)n < sizeof want);
            if (strcmp(buf_str(&h.b), want) != 0)
                fail_msg("%s=\"%s\" gave %s", attrs[a], refused[i], buf_str(&h.b));
            buf_free(&h.b);
        }
    }
    assert_false(html_url_allowed(NULL));

    static const char *const allowed[] = {
        "/",
        "/activities?status=planned",
        "?page=2",
        "#main",
        "https://www.osce.org/",
        "http://example.org/a",
        "HTTPS://WWW.OSCE.ORG/",
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (!html_url_allowed(allowed[i])) fail_msg("refused \"%s\"", allowed[i]);

    /* Allowed URLs are still escaped. */
    html h = HTML_INIT;
    html_elem(&h, "a", "next", "href", "/list?a=1&b=\"2\"", NULL);
    assert_string_equal(buf_str(&h.b), "<a href=\"/list?a=1&amp;b=&quot;2&quot;\">next</a>");
    buf_reset(&h.b);

    /* Other attributes are not URLs and are not rewritten (only escaped). */
    html_open(&h, "span", "title", "javascript:alert(1)", NULL);
    assert_string_equal(buf_str(&h.b), "<span title=\"javascript:alert(1)\">");
    buf_free(&h.b);
}

static void test_literal(void **state)
{
    (void)state;
    html h = HTML_INIT;
    HTML_LITERAL(&h, "<!DOCTYPE html>");
    html_text(&h, "<");
    HTML_LITERAL(&h, "<br>"
                     "<hr>");
    assert_string_equal(buf_str(&h.b), "<!DOCTYPE html>&lt;<br><hr>");
    buf_free(&h.b);
}

static void test_i18n(void **state)
{
    (void)state;
    assert_string_equal(i18n_text("ru", "Sign in"), "Войти");
    assert_string_equal(T("ru", "Sign in"), "Войти");
    assert_true(i18n_count("ru") > 0);

    /* Unknown msgids fall back to the msgid itself (the same string). */
    const char *unknown = "No translation exists for this sentence, 7f3a";
    assert_ptr_equal(i18n_text("ru", unknown), unknown);
    /* The empty msgid is the catalogue header inside a .mo file, never a message. */
    assert_string_equal(i18n_text("ru", ""), "");

    /* English is the source language: the msgid comes back untouched. */
    const char *const ids[] = {"Sign in", "Sign out", unknown, ""};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        assert_ptr_equal(i18n_text("en", ids[i]), ids[i]);
        /* Unknown or malformed language codes too. */
        assert_ptr_equal(i18n_text("de", ids[i]), ids[i]);
        assert_ptr_equal(i18n_text("r", ids[i]), ids[i]);
        assert_ptr_equal(i18n_text("rus", ids[i]), ids[i]);
        assert_ptr_equal(i18n_text(NULL, ids[i]), ids[i]);
    }
    assert_int_equal(i18n_count("de"), 0);
    assert_int_equal(i18n_count("ru/../ru"), 0);
}

int main(void)
{
    if (sodium_init() < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_escapes),   cmocka_unit_test(test_attributes_escape),
        cmocka_unit_test(test_url_attributes), cmocka_unit_test(test_literal),
        cmocka_unit_test(test_i18n),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
