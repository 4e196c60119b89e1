/* iati.c (activities): writes the IATI 2.03 XML export with libxml2's text writer, which
 * escapes every piece of text, in the element order the 2.03 schema requires. Names of
 * organisations, priorities, focus areas and lines come from the framework's service. */
#include "activities/iati.h"
#include "activities/export.h"
#include "activities/internal.h"
#include "activities/pages_internal.h"
#include "core/config.h"
#include "core/text.h"
#include "framework/service.h"
#include "library/library.h"
#include "library/magic.h"

#include <libxml/xmlwriter.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every writer call returns < 0 on failure; the writer functions below return -1 then. */
#define W(call)                                                                                    \
    do {                                                                                           \
        if ((call) < 0) return -1;                                                                 \
    } while (0)
#define X(s) ((const xmlChar *)(s))

int iati_status_code(const char *status)
{
    static const char *const names[] = {"planned", "ongoing", "completed", "cancelled"};
    static const int codes[] = {1, 2, 4, 5};
    for (size_t i = 0; status && i < sizeof codes / sizeof codes[0]; i++)
        if (strcmp(status, names[i]) == 0) return codes[i];
    return 0;
}

static const char *const date_members[] = {"planned_start", "actual_start", "planned_end",
                                           "actual_end"};

int iati_date_type(const char *member)
{
    for (size_t i = 0; member && i < sizeof date_members / sizeof date_members[0]; i++)
        if (strcmp(member, date_members[i]) == 0) return (int)i + 1;
    return 0;
}

int iati_dac_code(const char *priority)
{
    if (priority && strcmp(priority, "DRUGS") == 0) return 16063;
    if (priority && strcmp(priority, "OC") == 0) return 15130;
    return 15132;
}

void iati_share(size_t i, size_t n, char out[static 8])
{
    size_t hundredths = n ? 10000 / n + (i < 10000 % n ? 1 : 0) : 0;
    snprintf(out, 8, "%zu.%02zu", hundredths / 100, hundredths % 100);
}

/* State of one export: the writer and the framework's names, by code. */
struct iati_ctx {
    xmlTextWriterPtr w;
    store *s;
    json_t *priorities, *focus_areas, *lines, *orgs; /* code -> record */
    json_t *documents;                               /* library document id -> record */
    buf clean;
    size_t count; /* activities written */
    p_error *err;
};

/* Copies text into c->clean without the characters XML 1.0 cannot carry: C0 controls
 * other than tab, LF and CR, and U+FFFE, U+FFFF (text is valid UTF-8: jansson's). */
static const char *xml_clean(struct iati_ctx *c, const char *text)
{
    buf_reset(&c->clean);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') continue;
        if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
            p += 2;
            continue;
        }
        buf_putc(&c->clean, (char)*p);
    }
    return buf_str(&c->clean);
}

static int attr(struct iati_ctx *c, const char *name, const char *value)
{
    return xmlTextWriterWriteAttribute(c->w, X(name), X(xml_clean(c, value)));
}

static int narrative(struct iati_ctx *c, const char *text, const char *lang)
{
    if (!text || !*text) return 0;
    W(xmlTextWriterStartElement(c->w, X("narrative")));
    if (lang) W(attr(c, "xml:lang", lang));
    W(xmlTextWriterWriteString(c->w, X(xml_clean(c, text))));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

/* The narratives of a {"en","ru"} member, English first. */
static int narratives(struct iati_ctx *c, json_t *texts)
{
    W(narrative(c, json_string_value(json_object_get(texts, "en")), "en"));
    W(narrative(c, json_string_value(json_object_get(texts, "ru")), "ru"));
    return 0;
}

/* The narratives of a framework record's name and name_ru. */
static int name_narratives(struct iati_ctx *c, json_t *rec, const char *code)
{
    const char *en = json_string_value(json_object_get(rec, "name"));
    W(narrative(c, en && *en ? en : code, "en"));
    W(narrative(c, json_string_value(json_object_get(rec, "name_ru")), "ru"));
    return 0;
}

/* An element with attributes given as NULL-terminated name, value pairs; no content. */
static int empty_element(struct iati_ctx *c, const char *name, const char *const *attrs)
{
    W(xmlTextWriterStartElement(c->w, X(name)));
    for (; attrs && attrs[0]; attrs += 2)
        W(attr(c, attrs[0], attrs[1]));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

/* Loads a framework list into a code -> record object. */
static int index_by_code(json_t *items, json_t **out)
{
    *out = json_object();
    size_t i;
    json_t *rec;
    json_array_foreach(items, i, rec)
    {
        const char *code = json_string_value(json_object_get(rec, "code"));
        if (code) json_object_set(*out, code, rec);
    }
    json_decref(items);
    return P_OK;
}

/* The organisation record for code, from the cache or the framework; NULL when the
 * framework has none (the code then stands for the name). */
static json_t *organisation(struct iati_ctx *c, const char *code)
{
    json_t *rec = json_object_get(c->orgs, code);
    if (rec) return json_is_object(rec) ? rec : NULL;
    p_error ignore;
    if (framework_get(c->s, FRAMEWORK_ORGANISATION, code, &rec, &ignore) != P_OK) rec = json_null();
    json_object_set_new(c->orgs, code, rec);
    return json_is_object(rec) ? rec : NULL;
}

/* IATI OrganisationType for a framework organisation kind, or NULL when unknown:
 * OSCE structures are 40 (multilateral), national bodies 10 (government). */
static const char *org_type(json_t *org)
{
    const char *kind = json_string_value(json_object_get(org, "kind"));
    if (!kind) return NULL;
    if (strcmp(kind, "national") == 0) return "10";
    if (strcmp(kind, "partner") == 0) return NULL;
    return "40";
}

static int participating_org(struct iati_ctx *c, const char *code, const char *role)
{
    json_t *org = organisation(c, code);
    const char *type = org_type(org);
    W(xmlTextWriterStartElement(c->w, X("participating-org")));
    W(attr(c, "role", role));
    if (type) W(attr(c, "type", type));
    W(name_narratives(c, org, code));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

static int write_orgs(struct iati_ctx *c, json_t *rec)
{
    W(xmlTextWriterStartElement(c->w, X("reporting-org")));
    W(attr(c, "ref", config_get()->iati_org_ref));
    W(attr(c, "type", "40"));
    W(narrative(c, "Organization for Security and Co-operation in Europe", "en"));
    W(narrative(c, "Организация по безопасности и сотрудничеству в Европе", "ru"));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

static int write_texts(struct iati_ctx *c, json_t *rec)
{
    W(xmlTextWriterStartElement(c->w, X("title")));
    W(narratives(c, json_object_get(rec, "title")));
    W(xmlTextWriterEndElement(c->w));
    /* A description is required: without one, the title stands for it. */
    json_t *desc = json_object_get(rec, "description");
    if (!json_object_size(desc)) desc = json_object_get(rec, "title");
    W(xmlTextWriterStartElement(c->w, X("description")));
    W(attr(c, "type", "1"));
    W(narratives(c, desc));
    W(xmlTextWriterEndElement(c->w));
    json_t *groups = json_object_get(rec, "target_groups");
    if (json_array_size(groups)) { /* description type 3: target groups, by their names */
        W(xmlTextWriterStartElement(c->w, X("description")));
        W(attr(c, "type", "3"));
        static const char *const langs[] = {"en", "ru"};
        for (size_t l = 0; l < 2; l++) {
            buf names = BUF_INIT;
            size_t i;
            json_t *g;
            json_array_foreach(groups, i, g) buf_printf(&names, "%s%s", i ? "; " : "",
                                                        actp_label(langs[l], json_string_value(g)));
            int rc = narrative(c, buf_str(&names), langs[l]);
            buf_free(&names);
            W(rc);
        }
        W(xmlTextWriterEndElement(c->w));
    }
    const char *outcomes = json_string_value(json_object_get(rec, "outcomes"));
    if (outcomes && *outcomes) {
        W(xmlTextWriterStartElement(c->w, X("description")));
        W(attr(c, "type", "4"));
        W(narrative(c, outcomes, "en"));
        W(xmlTextWriterEndElement(c->w));
    }
    return 0;
}

static int write_participants(struct iati_ctx *c, json_t *rec)
{
    /* The OSCE is accountable; the lead organisation and the partners implement. */
    W(xmlTextWriterStartElement(c->w, X("participating-org")));
    W(attr(c, "ref", config_get()->iati_org_ref));
    W(attr(c, "role", "2"));
    W(attr(c, "type", "40"));
    W(narrative(c, "Organization for Security and Co-operation in Europe", "en"));
    W(xmlTextWriterEndElement(c->w));
    W(participating_org(c, json_string_value(json_object_get(rec, "lead_org")), "4"));
    size_t i;
    json_t *code;
    json_array_foreach(json_object_get(rec, "partners"), i, code)
        W(participating_org(c, json_string_value(code), "4"));
    return 0;
}

static int write_status_dates(struct iati_ctx *c, json_t *rec)
{
    char code[8];
    snprintf(code, sizeof code, "%d",
             iati_status_code(json_string_value(json_object_get(rec, "status"))));
    W(empty_element(c, "activity-status", (const char *const[]){"code", code, NULL}));
    for (size_t i = 0; i < sizeof date_members / sizeof date_members[0]; i++) {
        const char *date = json_string_value(json_object_get(rec, date_members[i]));
        if (!date) continue;
        char type[4];
        snprintf(type, sizeof type, "%d", iati_date_type(date_members[i]));
        W(empty_element(c, "activity-date",
                        (const char *const[]){"type", type, "iso-date", date, NULL}));
    }
    return 0;
}

static int write_countries(struct iati_ctx *c, json_t *rec)
{
    json_t *codes = json_object_get(rec, "beneficiary_countries");
    json_t *host = json_object_get(rec, "host_country");
    size_t n = json_array_size(codes);
    if (n == 0 && json_is_string(host)) {
        W(empty_element(
            c, "recipient-country",
            (const char *const[]){"code", json_string_value(host), "percentage", "100.00", NULL}));
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        char pct[8];
        iati_share(i, n, pct);
        W(empty_element(c, "recipient-country",
                        (const char *const[]){"code", json_string_value(json_array_get(codes, i)),
                                              "percentage", pct, NULL}));
    }
    return 0;
}

/* Sectors of one of the reporting organisation's vocabularies: codes in equal shares,
 * each with its name from names. */
static int own_sectors(struct iati_ctx *c, json_t *codes, const char *vocabulary, const char *uri,
                       json_t *names)
{
    size_t n = json_array_size(codes);
    for (size_t i = 0; i < n; i++) {
        const char *code = json_string_value(json_array_get(codes, i));
        char pct[8];
        iati_share(i, n, pct);
        W(xmlTextWriterStartElement(c->w, X("sector")));
        W(attr(c, "vocabulary", vocabulary));
        W(attr(c, "vocabulary-uri", uri));
        W(attr(c, "code", code));
        W(attr(c, "percentage", pct));
        W(name_narratives(c, json_object_get(names, code), code));
        W(xmlTextWriterEndElement(c->w));
    }
    return 0;
}

static int write_sectors(struct iati_ctx *c, json_t *rec)
{
    json_t *priorities = json_object_get(rec, "priorities");
    int dac[16];
    size_t n = 0;
    size_t i;
    json_t *p;
    json_array_foreach(priorities, i, p)
    {
        int code = iati_dac_code(json_string_value(p));
        bool seen = false;
        for (size_t k = 0; k < n; k++)
            seen = seen || dac[k] == code;
        if (!seen && n < sizeof dac / sizeof dac[0]) dac[n++] = code;
    }
    if (n == 0) dac[n++] = iati_dac_code(NULL);
    for (size_t k = 0; k < n; k++) {
        char code[8], pct[8];
        snprintf(code, sizeof code, "%d", dac[k]);
        iati_share(k, n, pct);
        W(empty_element(
            c, "sector",
            (const char *const[]){"vocabulary", "1", "code", code, "percentage", pct, NULL}));
    }
    W(own_sectors(c, priorities, "99", IATI_PRIORITIES_URI, c->priorities));
    W(own_sectors(c, json_object_get(rec, "focus_areas"), "98", IATI_FOCUS_AREAS_URI,
                  c->focus_areas));
    json_array_foreach(json_object_get(rec, "lines"), i, p)
    {
        const char *code = json_string_value(p);
        W(xmlTextWriterStartElement(c->w, X("tag")));
        W(attr(c, "vocabulary", "99"));
        W(attr(c, "vocabulary-uri", IATI_LINES_URI));
        W(attr(c, "code", code));
        W(name_narratives(c, json_object_get(c->lines, code), code));
        W(xmlTextWriterEndElement(c->w));
    }
    return 0;
}

/* The library document id, from the cache or the library; NULL when it is gone (a link
 * is checked when it is saved, but a document can be deleted afterwards). */
static json_t *library_document(struct iati_ctx *c, json_int_t id)
{
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    json_t *rec = json_object_get(c->documents, key);
    if (rec) return json_is_object(rec) ? rec : NULL;
    p_error ignore;
    if (library_document_get(c->s, (int64_t)id, &rec, &ignore) != P_OK) rec = json_null();
    json_object_set_new(c->documents, key, rec);
    return json_is_object(rec) ? rec : NULL;
}

/* One <document-link>: category A08 (results, outcomes and outputs: the guidebooks and
 * publications an activity produced or used), the title in lang, the language. */
static int document_link(struct iati_ctx *c, const char *url, const char *format, const char *title,
                         const char *lang)
{
    W(xmlTextWriterStartElement(c->w, X("document-link")));
    W(attr(c, "url", url));
    W(attr(c, "format", format));
    W(xmlTextWriterStartElement(c->w, X("title")));
    W(narrative(c, title, lang));
    W(xmlTextWriterEndElement(c->w));
    W(empty_element(c, "category", (const char *const[]){"code", "A08", NULL}));
    if (lang) W(empty_element(c, "language", (const char *const[]){"code", lang, NULL}));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

/* The library documents linked to the activity, when POLIS_PUBLIC_URL says where they can
 * be fetched: one link per edition with a file (its download, with its media type), or the
 * document's catalogue page when no edition has a file yet. */
static int write_documents(struct iati_ctx *c, json_t *rec)
{
    const char *base = config_get()->public_url;
    if (!*base) return 0;
    size_t i;
    json_t *id;
    buf url = BUF_INIT;
    json_array_foreach(json_object_get(rec, "documents"), i, id)
    {
        json_t *doc = library_document(c, json_integer_value(id));
        if (!doc) continue;
        size_t k, files = 0;
        json_t *ed;
        json_array_foreach(json_object_get(doc, "editions"), k, ed)
        {
            json_t *file = json_object_get(ed, "file");
            if (!json_is_object(file)) continue;
            char format[64];
            snprintf(
                format, sizeof format, "%s",
                file_type_mime(file_type_parse(json_string_value(json_object_get(file, "type")))));
            format[strcspn(format, ";")] = 0;
            buf_reset(&url);
            buf_printf(&url, "%s%s", base, json_string_value(json_object_get(file, "url")));
            const char *title = json_string_value(json_object_get(ed, "title"));
            if (!title || !*title) title = json_string_value(json_object_get(doc, "title"));
            if (document_link(c, buf_str(&url), format, title,
                              json_string_value(json_object_get(ed, "lang"))) < 0)
                goto fail;
            files++;
        }
        if (files) continue;
        buf_reset(&url);
        buf_printf(&url, "%s/library/documents/%lld", base, (long long)json_integer_value(id));
        if (document_link(c, buf_str(&url), "text/html",
                          json_string_value(json_object_get(doc, "title")), "en") < 0)
            goto fail;
    }
    buf_free(&url);
    return 0;
fail:
    buf_free(&url);
    return -1;
}

/* Days since 1970-01-01 of "YYYY-MM-DD" (already validated), and back. */
static int64_t date_days(const char *d)
{
    char y[5] = {d[0], d[1], d[2], d[3], 0}, m[3] = {d[5], d[6], 0}, dd[3] = {d[8], d[9], 0};
    int64_t year = 1970, month = 1, day = 1;
    (void)text_parse_int64(y, 1, 9999, &year);
    (void)text_parse_int64(m, 1, 12, &month);
    (void)text_parse_int64(dd, 1, 31, &day);
    struct tm tm = {0};
    tm.tm_year = (int)year - 1900;
    tm.tm_mon = (int)month - 1;
    tm.tm_mday = (int)day;
    return (int64_t)(timegm(&tm) / 86400);
}

static void days_date(int64_t days, char out[static 11])
{
    time_t t = (time_t)(days * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* The day one year after days (the same month and day; 28 February after a 29th). */
static int64_t next_year(int64_t days)
{
    time_t t = (time_t)(days * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    bool leap_day = tm.tm_mon == 1 && tm.tm_mday == 29;
    tm.tm_year += 1;
    if (leap_day) tm.tm_mday = 28;
    return (int64_t)(timegm(&tm) / 86400);
}

static int budget_period(struct iati_ctx *c, const char *currency, const char *from, const char *to,
                         int64_t minor)
{
    char value[40];
    snprintf(value, sizeof value, "%s%lld.%02lld", minor < 0 ? "-" : "",
             (long long)(llabs(minor) / 100), (long long)(llabs(minor) % 100));
    W(xmlTextWriterStartElement(c->w, X("budget")));
    W(attr(c, "type", "1"));
    W(attr(c, "status", "1"));
    W(empty_element(c, "period-start", (const char *const[]){"iso-date", from, NULL}));
    W(empty_element(c, "period-end", (const char *const[]){"iso-date", to, NULL}));
    W(xmlTextWriterStartElement(c->w, X("value")));
    W(attr(c, "currency", currency));
    W(attr(c, "value-date", from));
    W(xmlTextWriterWriteString(c->w, X(value)));
    W(xmlTextWriterEndElement(c->w));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

/* IATI budgets cover at most a year each: a longer planned period is split into yearly
 * budgets from its start, the amount shared by days (in minor units, the rest to the last
 * period, so the parts add up to the whole). */
static int write_budget(struct iati_ctx *c, json_t *rec)
{
    json_t *budget = json_object_get(rec, "budget");
    int64_t minor = 0;
    if (!json_is_object(budget) || !activity_budget_minor(rec, &minor)) return 0;
    const char *start = json_string_value(json_object_get(rec, "planned_start"));
    const char *end = json_string_value(json_object_get(rec, "planned_end"));
    const char *currency = json_string_value(json_object_get(budget, "currency"));
    int64_t first = date_days(start), last = end ? date_days(end) : first;
    if (last < first) last = first;
    int64_t total_days = last - first + 1, given = 0;
    for (int64_t from = first; from <= last;) {
        int64_t to = next_year(from) - 1;
        if (to > last) to = last;
        int64_t part = to == last ? minor - given : minor * (to - from + 1) / total_days;
        given += part;
        char a[11], b[11];
        days_date(from, a);
        days_date(to, b);
        W(budget_period(c, currency, a, b, part));
        from = to + 1;
    }
    return 0;
}

/* <actual value=n> with an optional dimension name=value. */
static int actual(struct iati_ctx *c, json_int_t n, const char *dim, const char *value)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", (long long)n);
    W(xmlTextWriterStartElement(c->w, X("actual")));
    W(attr(c, "value", text));
    if (dim)
        W(empty_element(c, "dimension", (const char *const[]){"name", dim, "value", value, NULL}));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

static int title_element(struct iati_ctx *c, const char *en, const char *ru)
{
    W(xmlTextWriterStartElement(c->w, X("title")));
    W(narrative(c, en, "en"));
    W(narrative(c, ru, "ru"));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

/* The participant figures as an output result: the total, and the same indicator
 * disaggregated by sex (female, male) and by country of the participants. */
static int write_result(struct iati_ctx *c, json_t *rec)
{
    json_t *total = json_object_get(rec, "participants_total");
    json_t *women = json_object_get(rec, "participants_women");
    json_t *men = json_object_get(rec, "participants_men");
    json_t *by_country = json_object_get(rec, "participants_by_country");
    if (!json_is_integer(total) && !json_is_integer(women) && !json_is_integer(men) &&
        !json_object_size(by_country))
        return 0;
    const char *start = json_string_value(json_object_get(rec, "actual_start"));
    const char *end = json_string_value(json_object_get(rec, "actual_end"));
    if (!start) {
        start = json_string_value(json_object_get(rec, "planned_start"));
        end = json_string_value(json_object_get(rec, "planned_end"));
    }
    W(xmlTextWriterStartElement(c->w, X("result")));
    W(attr(c, "type", "1"));
    W(title_element(c, "Participants", "Участники"));
    W(xmlTextWriterStartElement(c->w, X("indicator")));
    W(attr(c, "measure", "1"));
    W(attr(c, "ascending", "1"));
    W(title_element(c, "Number of participants", "Число участников"));
    W(xmlTextWriterStartElement(c->w, X("period")));
    W(empty_element(c, "period-start", (const char *const[]){"iso-date", start, NULL}));
    W(empty_element(c, "period-end", (const char *const[]){"iso-date", end ? end : start, NULL}));
    if (json_is_integer(total)) W(actual(c, json_integer_value(total), NULL, NULL));
    if (json_is_integer(women)) W(actual(c, json_integer_value(women), "sex", "female"));
    if (json_is_integer(men)) W(actual(c, json_integer_value(men), "sex", "male"));
    const char *cc;
    json_t *n;
    json_object_foreach(by_country, cc, n) W(actual(c, json_integer_value(n), "country", cc));
    W(xmlTextWriterEndElement(c->w)); /* period */
    W(xmlTextWriterEndElement(c->w)); /* indicator */
    W(xmlTextWriterEndElement(c->w)); /* result */
    return 0;
}

static int write_activity(struct iati_ctx *c, json_t *rec)
{
    const char *id = json_string_value(json_object_get(rec, "id"));
    const char *updated = json_string_value(json_object_get(rec, "updated_at"));
    char identifier[128];
    snprintf(identifier, sizeof identifier, "%s-%s", config_get()->iati_org_ref, id ? id : "");
    W(xmlTextWriterStartElement(c->w, X("iati-activity")));
    if (updated && text_is_timestamp(updated)) W(attr(c, "last-updated-datetime", updated));
    W(attr(c, "xml:lang", "en"));
    W(xmlTextWriterStartElement(c->w, X("iati-identifier")));
    W(xmlTextWriterWriteString(c->w, X(xml_clean(c, identifier))));
    W(xmlTextWriterEndElement(c->w));
    W(write_orgs(c, rec));
    W(write_texts(c, rec));
    W(write_participants(c, rec));
    W(write_status_dates(c, rec));
    W(write_countries(c, rec));
    W(write_sectors(c, rec));
    W(write_budget(c, rec));
    W(write_documents(c, rec));
    W(write_result(c, rec));
    W(xmlTextWriterEndElement(c->w));
    return 0;
}

static int activity_cb(json_t *rec, void *ctx, p_error *err)
{
    struct iati_ctx *c = ctx;
    c->count++;
    if (write_activity(c, rec) < 0)
        return p_fail(err, P_EIO, NULL, "could not write the IATI XML of activity %s",
                      json_string_value(json_object_get(rec, "id")));
    return P_OK;
}

static int to_buf(void *ctx, const char *bytes, int len)
{
    buf_append(ctx, bytes, (size_t)len);
    return len;
}

static int load_names(struct iati_ctx *c, p_error *err)
{
    json_t *items = NULL;
    int rc = framework_priorities_list(c->s, &items, err);
    if (rc == P_OK) rc = index_by_code(items, &c->priorities);
    if (rc == P_OK) rc = framework_focus_areas_list(c->s, NULL, &items, err);
    if (rc == P_OK) rc = index_by_code(items, &c->focus_areas);
    if (rc == P_OK) rc = framework_lines_list(c->s, &items, err);
    if (rc == P_OK) rc = index_by_code(items, &c->lines);
    return rc;
}

int iati_export(store *s, const struct activities_filter *f, buf *out, p_error *err)
{
    struct iati_ctx c = {
        .s = s, .orgs = json_object(), .documents = json_object(), .clean = BUF_INIT, .err = err};
    int rc = load_names(&c, err);
    if (rc != P_OK) goto done;
    xmlOutputBufferPtr ob = xmlOutputBufferCreateIO(to_buf, NULL, out, NULL);
    c.w = ob ? xmlNewTextWriter(ob) : NULL;
    if (!c.w) {
        if (ob) xmlOutputBufferClose(ob);
        rc = p_fail(err, P_EIO, NULL, "could not start the IATI XML writer");
        goto done;
    }
    char now[21];
    text_now_iso(now);
    if (xmlTextWriterSetIndent(c.w, 1) < 0 ||
        xmlTextWriterStartDocument(c.w, "1.0", "UTF-8", NULL) < 0 ||
        xmlTextWriterStartElement(c.w, X("iati-activities")) < 0 ||
        attr(&c, "version", "2.03") < 0 || attr(&c, "generated-datetime", now) < 0) {
        rc = p_fail(err, P_EIO, NULL, "could not write the IATI XML");
        goto done;
    }
    rc = export_each(s, f, activity_cb, &c, err);
    if (rc == P_OK && c.count == 0)
        rc = p_fail(err, P_ENOTFOUND, NULL,
                    "no activity matches the filters (an IATI file holds at least one)");
    if (rc == P_OK && (xmlTextWriterEndDocument(c.w) < 0 || xmlTextWriterFlush(c.w) < 0))
        rc = p_fail(err, P_EIO, NULL, "could not finish the IATI XML");
done:
    if (c.w) xmlFreeTextWriter(c.w);
    json_decref(c.priorities);
    json_decref(c.focus_areas);
    json_decref(c.lines);
    json_decref(c.orgs);
    json_decref(c.documents);
    buf_free(&c.clean);
    return rc;
}
