/* log.h: structured logging, one JSON object per line on stderr. Never pass secrets
 * or personal data of citizens or victims to these functions. */
#ifndef POLIS_LOG_H
#define POLIS_LOG_H

#include <stddef.h>

/* Logs {"ts":..,"level":..,"msg":..} with msg escaped. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes one pre-built JSON line (without newline) atomically. */
void log_line(const char *json, size_t len);

/* Silences log_info (tests, CLI). */
void log_set_quiet(int quiet);

#endif
