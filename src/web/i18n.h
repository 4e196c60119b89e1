/* i18n.h: translations. Strings are marked with T(lang, "English text") in the code,
 * extracted with xgettext into po/polis.pot, translated in po/ru.po, compiled by msgfmt
 * and embedded. The language is chosen per request, so lookups take it explicitly
 * instead of relying on the process-wide locale that libintl's gettext() uses. */
#ifndef POLIS_I18N_H
#define POLIS_I18N_H

/* The translation of msgid in lang ("en" or "ru"); msgid itself when there is none. */
const char *i18n_text(const char *lang, const char *msgid);

#define T(lang, msgid) i18n_text((lang), (msgid))
/* Marks a string for extraction where it is translated later. */
#define N_(msgid) (msgid)

/* Number of translated messages for lang (tests, `polis version`). */
unsigned i18n_count(const char *lang);

#endif
