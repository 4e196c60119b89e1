/* text.h: checked parsing and small text helpers: numbers without atoi, UTF-8
 * validation, ISO dates, hex, and constant-time comparison. */
#ifndef POLIS_TEXT_H
#define POLIS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Parses a whole decimal integer in [min, max]; returns false on any junk or overflow. */
bool text_parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* True when s[0..n) is well-formed UTF-8 without NUL bytes or overlong forms. */
bool text_utf8_valid(const char *s, size_t n);

/* Number of code points in valid UTF-8. */
size_t text_utf8_len(const char *s, size_t n);

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void text_now_iso(char out[static 21]);

/* Writes t as ISO-8601 UTC (at least 21 bytes). */
void text_time_iso(time_t t, char out[static 21]);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void text_hex(const unsigned char *in, size_t n, char *out);

/* True when s is a date "YYYY-MM-DD" that exists in the calendar. */
bool text_is_date(const char *s);

/* True when s is "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" with a real date and time. */
bool text_is_timestamp(const char *s);

/* ASCII case-insensitive "does haystack contain needle". */
bool text_contains_ci(const char *haystack, const char *needle);

/* Copies src (NULL: "") into out of size bytes (size > 0), cut to fit, always terminated;
 * the plain copy that snprintf("%s") made, without parsing a format on every request. */
void text_copy(char *out, size_t size, const char *src);

#endif
