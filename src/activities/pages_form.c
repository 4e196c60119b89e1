/* pages_form.c (activities): the create and edit forms of an activity. A form's values
 * are kept as the strings the user typed, so a refused form comes back as it was sent,
 * with the service's message next to the field it names. The server checks the user's
 * organisation scope on every submit, not only when showing the form. "Check for
 * overlaps" sends the form like Save but only shows the likely duplicates of its values. */
#include "activities/activities.h"
#include "activities/overlap.h"
#include "activities/pages_internal.h"
#include "core/text.h"
#include "framework/service.h"
#include "http/assets.h"
#include "http/form.h"
#include "http/response.h"
#include "web/api.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Form fields that hold a list of codes: comma-separated text, or checkboxes. */
static const char *const list_fields[] = {
    "partners", "beneficiary_countries", "priorities", "focus_areas", "lines", "target_groups"};
#define N_LIST_FIELDS (sizeof list_fields / sizeof list_fields[0])

/* Single-valued form fields that go to the body under the same name; empty is null. */
static const char *const plain_fields[] = {"type",         "status",        "lead_org",
                                           "host_country", "planned_start", "planned_end",
                                           "actual_start", "actual_end",    "outcomes"};
static const char *const count_fields[] = {"participants_total", "participants_women",
                                           "participants_men"};
static const char *const text_fields[] = {"title_en",       "title_ru",      "description_en",
                                          "description_ru", "budget_amount", "budget_currency",
                                          "budget_source",  "tot",           "documents"};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *val(json_t *values, const char *name)
{
    return actp_str(values, name);
}

/* ---- values from a record and from a submitted form ------------------------------------- */

static void set_list(json_t *values, const char *name, json_t *codes)
{
    buf b = BUF_INIT;
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        if (i) buf_puts(&b, ",");
        buf_puts(&b, json_string_value(c) ? json_string_value(c) : "");
    }
    json_object_set_new(values, name, json_string(buf_str(&b)));
    buf_free(&b);
}

/* ids [1, 3] as the text "1, 3". */
static void set_ids(json_t *values, const char *name, json_t *ids)
{
    buf b = BUF_INIT;
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        if (i) buf_puts(&b, ", ");
        buf_printf(&b, "%lld", (long long)json_integer_value(id));
    }
    json_object_set_new(values, name, json_string(buf_str(&b)));
    buf_free(&b);
}

static void set_count(json_t *values, const char *name, json_t *n)
{
    char text[24] = "";
    if (json_is_integer(n)) snprintf(text, sizeof text, "%lld", (long long)json_integer_value(n));
    json_object_set_new(values, name, json_string(text));
}

/* The form values of a stored record (new object). */
static json_t *record_values(json_t *rec)
{
    json_t *v = json_object();
    json_t *title = json_object_get(rec, "title"), *desc = json_object_get(rec, "description");
    json_object_set_new(v, "title_en", json_string(actp_str(title, "en")));
    json_object_set_new(v, "title_ru", json_string(actp_str(title, "ru")));
    json_object_set_new(v, "description_en", json_string(actp_str(desc, "en")));
    json_object_set_new(v, "description_ru", json_string(actp_str(desc, "ru")));
    for (size_t i = 0; i < COUNT_OF(plain_fields); i++)
        json_object_set_new(v, plain_fields[i], json_string(actp_str(rec, plain_fields[i])));
    for (size_t i = 0; i < N_LIST_FIELDS; i++)
        set_list(v, list_fields[i], json_object_get(rec, list_fields[i]));
    for (size_t i = 0; i < COUNT_OF(count_fields); i++)
        set_count(v, count_fields[i], json_object_get(rec, count_fields[i]));
    json_object_set_new(v, "tot",
                        json_string(json_is_true(json_object_get(rec, "tot")) ? "1" : ""));
    json_t *budget = json_object_get(rec, "budget");
    char amount[48] = "";
    json_t *a = json_object_get(budget, "amount");
    if (json_is_integer(a))
        snprintf(amount, sizeof amount, "%lld", (long long)json_integer_value(a));
    else if (json_is_real(a))
        snprintf(amount, sizeof amount, "%.2f", json_real_value(a));
    json_object_set_new(v, "budget_amount", json_string(amount));
    json_object_set_new(v, "budget_currency", json_string(actp_str(budget, "currency")));
    json_object_set_new(v, "budget_source", json_string(actp_str(budget, "source")));
    set_ids(v, "documents", json_object_get(rec, "documents"));
    return v;
}

/* The values of a submitted form (*out new): every single field, and each list as its
 * checked boxes or its text joined by commas. P_EMEDIA when the body is not a form. */
static int read_form(http_request *req, json_t **out, p_error *err)
{
    *out = NULL;
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
        return p_fail(err, P_EMEDIA, NULL, "expected an HTML form");
    if (req->body_too_large) return p_fail(err, P_ETOOBIG, NULL, "the form is too large");
    form f;
    int rc = form_parse(buf_str(&req->body), req->body.len, &f, err);
    if (rc != P_OK) return rc;
    json_t *v = json_object();
    for (size_t i = 0; i < COUNT_OF(plain_fields); i++)
        json_object_set_new(
            v, plain_fields[i],
            json_string(form_get(&f, plain_fields[i]) ? form_get(&f, plain_fields[i]) : ""));
    for (size_t i = 0; i < COUNT_OF(count_fields); i++)
        json_object_set_new(
            v, count_fields[i],
            json_string(form_get(&f, count_fields[i]) ? form_get(&f, count_fields[i]) : ""));
    for (size_t i = 0; i < COUNT_OF(text_fields); i++)
        json_object_set_new(
            v, text_fields[i],
            json_string(form_get(&f, text_fields[i]) ? form_get(&f, text_fields[i]) : ""));
    for (size_t l = 0; l < N_LIST_FIELDS; l++) {
        buf b = BUF_INIT;
        for (int i = 0; i < f.n; i++) {
            if (strcmp(f.fields[i].name, list_fields[l]) != 0 || !*f.fields[i].value) continue;
            if (b.len) buf_putc(&b, ',');
            buf_puts(&b, f.fields[i].value);
        }
        json_object_set_new(v, list_fields[l], json_string(buf_str(&b)));
        buf_free(&b);
    }
    /* Which button sent the form: set by "Check for overlaps", never by Save. */
    json_object_set_new(v, "check_overlaps",
                        json_string(form_get(&f, "check_overlaps") ? "1" : ""));
    form_free(&f);
    *out = v;
    return P_OK;
}

/* ---- the body for the service ------------------------------------------------------------- */

/* "A, B,C" as ["A","B","C"]: items trimmed, empty ones dropped. */
static json_t *split_codes(const char *csv)
{
    json_t *arr = json_array();
    const char *p = csv;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        while (n && (*s == ' ' || *s == '\t')) {
            s++;
            n--;
        }
        while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n) json_array_append_new(arr, json_stringn(s, n));
        if (!comma) break;
        p = comma + 1;
    }
    return arr;
}

/* "3, 7" as [3, 7] in *out (new); P_EINVAL naming name for an item that is not a whole
 * number (the service checks that the documents exist). */
static int split_ids(const char *text, const char *name, json_t **out, p_error *err)
{
    json_t *items = split_codes(text), *ids = json_array();
    size_t i;
    json_t *item;
    int rc = P_OK;
    json_array_foreach(items, i, item)
    {
        int64_t n = 0;
        if (!text_parse_int64(json_string_value(item), 1, INT64_MAX, &n)) {
            rc = p_fail(err, P_EINVAL, name, "%s must be document numbers separated by commas",
                        name);
            break;
        }
        json_array_append_new(ids, json_integer((json_int_t)n));
    }
    json_decref(items);
    if (rc != P_OK) json_decref(ids);
    *out = rc == P_OK ? ids : NULL;
    return rc;
}

/* value as a JSON string, or null when it is empty. */
static json_t *string_or_null(const char *value)
{
    return *value ? json_string(value) : json_null();
}

/* The create (patch false) or update body of the form values (*out new). P_EINVAL naming
 * the field for a count or amount that is not a number. */
static int values_body(json_t *values, bool patch, json_t **out, p_error *err)
{
    *out = NULL;
    json_t *b = json_object();
    json_t *title = json_object(), *desc = json_object();
    const char *langs[] = {"en", "ru"};
    for (int i = 0; i < 2; i++) {
        char tkey[24], dkey[24];
        snprintf(tkey, sizeof tkey, "title_%s", langs[i]);
        snprintf(dkey, sizeof dkey, "description_%s", langs[i]);
        if (*val(values, tkey) || patch)
            json_object_set_new(title, langs[i], string_or_null(val(values, tkey)));
        if (*val(values, dkey) || patch)
            json_object_set_new(desc, langs[i], string_or_null(val(values, dkey)));
    }
    json_object_set_new(b, "title", title);
    json_object_set_new(b, "description", desc);
    for (size_t i = 0; i < COUNT_OF(plain_fields); i++) {
        const char *v = val(values, plain_fields[i]);
        if (strcmp(plain_fields[i], "outcomes") == 0)
            json_object_set_new(b, "outcomes", json_string(v));
        else if (*v || patch)
            json_object_set_new(b, plain_fields[i], string_or_null(v));
    }
    for (size_t i = 0; i < N_LIST_FIELDS; i++)
        json_object_set_new(b, list_fields[i], split_codes(val(values, list_fields[i])));
    for (size_t i = 0; i < COUNT_OF(count_fields); i++) {
        const char *v = val(values, count_fields[i]);
        int64_t n = 0;
        if (!*v) {
            json_object_set_new(b, count_fields[i], json_null());
        } else if (text_parse_int64(v, 0, INT32_MAX, &n)) {
            json_object_set_new(b, count_fields[i], json_integer((json_int_t)n));
        } else {
            json_decref(b);
            return p_fail(err, P_EINVAL, count_fields[i], "%s must be a whole number",
                          count_fields[i]);
        }
    }
    json_object_set_new(b, "tot", json_boolean(*val(values, "tot") != '\0'));
    json_t *documents = NULL;
    int rc = split_ids(val(values, "documents"), "documents", &documents, err);
    if (rc != P_OK) {
        json_decref(b);
        return rc;
    }
    json_object_set_new(b, "documents", documents);
    const char *amount = val(values, "budget_amount"), *currency = val(values, "budget_currency"),
               *source = val(values, "budget_source");
    if (!*amount && !*currency && !*source) {
        json_object_set_new(b, "budget", json_null());
    } else {
        char *end = NULL;
        double a = *amount ? strtod(amount, &end) : NAN;
        if (!*amount || *end || !isfinite(a)) {
            json_decref(b);
            return p_fail(err, P_EINVAL, "budget", "budget.amount must be a number");
        }
        json_object_set_new(
            b, "budget",
            json_pack("{s:f, s:s, s:s}", "amount", a, "currency", currency, "source", source));
    }
    *out = b;
    return P_OK;
}

/* ---- the form ----------------------------------------------------------------------------- */

/* The form field an error is about: the service names members, the form has a field per
 * language and per budget part. */
static const char *error_field(const p_error *err)
{
    if (!err || err->status == P_OK) return "";
    if (strcmp(err->field, "title") == 0) return "title_en";
    if (strcmp(err->field, "description") == 0) return "description_en";
    if (strcmp(err->field, "budget") == 0)
        return strstr(err->message, "currency") ? "budget_currency" : "budget_amount";
    return err->field;
}

/* The error's message when it is about the form field name, else NULL. */
static const char *error_for(const p_error *err, const char *name)
{
    return strcmp(error_field(err), name) == 0 ? err->message : NULL;
}

/* Puts a refused form's error in the page's language. The service's messages embed
 * member names and values, so the common ones get a sentence a reader understands. */
static void localize_error(const char *lang, p_error *err)
{
    const char *text = NULL;
    if (strstr(err->message, "exceed participants_total"))
        text = T(lang, "Women and men together are more than the total number of participants.");
    else if (strstr(err->message, "to find overlaps"))
        text = T(lang, "Enter the planned start to look for overlaps.");
    else if (strstr(err->message, " is required"))
        text = T(lang, "This field is required.");
    else if (strstr(err->message, "must be a whole number"))
        text = T(lang, "Enter a whole number.");
    else if (strstr(err->message, "must be a date"))
        text = T(lang, "Enter a date as YYYY-MM-DD.");
    else if (strstr(err->message, "budget.amount"))
        text = T(lang, "Enter the amount as a number with at most two decimals.");
    else if (strstr(err->message, "budget.currency"))
        text = T(lang, "The currency is three capital letters, such as EUR.");
    else if (strstr(err->message, " is before "))
        text = T(lang, "The end is before the start.");
    else if (strncmp(err->message, "no ", 3) == 0 && strstr(err->message, " has code "))
        text = T(lang, "There is no record with this code.");
    else if (strstr(err->message, "no library document"))
        text = T(lang, "There is no library document with this number.");
    else if (strstr(err->message, "document numbers separated") ||
             strstr(err->message, "array of document ids"))
        text = T(lang, "Enter document numbers separated by commas.");
    else if (strncmp(err->message, "documents ", 10) == 0)
        text = T(lang, "List each document once, at most 20.");
    if (text) snprintf(err->message, sizeof err->message, "%s", text);
}

/* A labelled input of values[name]. */
static void input(struct page *p, const char *label, const char *type, const char *name,
                  json_t *values, const p_error *err)
{
    html *h = &p->h;
    const char *msg = error_for(err, name);
    char id[48], err_id[56];
    snprintf(id, sizeof id, "f-%s", name);
    snprintf(err_id, sizeof err_id, "f-%s-error", name);
    html_open(h, "div", "class", msg ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    const char *extra = strcmp(type, "number") == 0 ? "min" : NULL;
    if (msg && extra)
        html_void(h, "input", "type", type, "name", name, "id", id, "value", val(values, name),
                  "aria-invalid", "true", "aria-describedby", err_id, extra, "0", NULL);
    else if (msg)
        html_void(h, "input", "type", type, "name", name, "id", id, "value", val(values, name),
                  "aria-invalid", "true", "aria-describedby", err_id, NULL);
    else if (extra)
        html_void(h, "input", "type", type, "name", name, "id", id, "value", val(values, name),
                  extra, "0", NULL);
    else
        html_void(h, "input", "type", type, "name", name, "id", id, "value", val(values, name),
                  NULL);
    if (msg) html_elem(h, "p", msg, "class", "field-error", "id", err_id, NULL);
    html_close(h, "div");
}

static void textarea(struct page *p, const char *label, const char *name, json_t *values,
                     const p_error *err)
{
    html *h = &p->h;
    const char *msg = error_for(err, name);
    char id[48], err_id[56];
    snprintf(id, sizeof id, "f-%s", name);
    snprintf(err_id, sizeof err_id, "f-%s-error", name);
    html_open(h, "div", "class", msg ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    if (msg)
        html_elem(h, "textarea", val(values, name), "name", name, "id", id, "rows", "4",
                  "aria-invalid", "true", "aria-describedby", err_id, NULL);
    else
        html_elem(h, "textarea", val(values, name), "name", name, "id", id, "rows", "4", NULL);
    if (msg) html_elem(h, "p", msg, "class", "field-error", "id", err_id, NULL);
    html_close(h, "div");
}

/* True when the comma-separated csv holds code. */
static bool csv_has(const char *csv, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = csv; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, code, n) == 0) return true;
        if (!comma) break;
        p = comma + 1;
    }
    return false;
}

/* One checkbox of a group. */
static void checkbox(html *h, const char *name, const char *value, const char *label, bool checked)
{
    char id[64];
    snprintf(id, sizeof id, "f-%s-%s", name, value);
    html_open(h, "label", "class", "check", "for", id, NULL);
    if (checked)
        html_void(h, "input", "type", "checkbox", "name", name, "value", value, "id", id, "checked",
                  "checked", NULL);
    else
        html_void(h, "input", "type", "checkbox", "name", name, "value", value, "id", id, NULL);
    html_text(h, " ");
    html_text(h, label);
    html_close(h, "label");
}

/* A fieldset of checkboxes: one per framework record of items, or per '|'-separated
 * enum value when items is NULL. */
static void checkboxes(struct page *p, const char *legend, const char *name, json_t *items,
                       const char *enum_values, json_t *values, const p_error *err)
{
    html *h = &p->h;
    const char *msg = error_for(err, name);
    const char *current = val(values, name);
    char id[48];
    snprintf(id, sizeof id, "f-%s", name);
    html_open(h, "fieldset", "class", msg ? "field checks invalid" : "field checks", "id", id,
              NULL);
    html_elem(h, "legend", legend, NULL);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = actp_str(it, "code"), *ru = actp_str(it, "name_ru");
        const char *label = strcmp(p->lang, "ru") == 0 && *ru ? ru : actp_str(it, "name");
        checkbox(h, name, code, label, csv_has(current, code));
    }
    for (const char *v = items ? NULL : enum_values; v && *v;) {
        const char *bar = strchr(v, '|');
        char value[40];
        snprintf(value, sizeof value, "%.*s", (int)(bar ? bar - v : (long)strlen(v)), v);
        checkbox(h, name, value, actp_label(p->lang, value), csv_has(current, value));
        v = bar ? bar + 1 : NULL;
    }
    if (msg) html_elem(h, "p", msg, "class", "field-error", NULL);
    html_close(h, "fieldset");
}

/* The create form (id NULL) or the edit form of activity id, filled with values, with
 * the overlap panel listing candidates (borrowed; NULL when no check was asked for). */
static void form_page(http_request *req, json_t *values, const char *id, const p_error *err,
                      json_t *candidates, int status)
{
    store *s = api_store(req);
    if (!s) return;
    p_error lerr;
    p_error_clear(&lerr);
    json_t *priorities = NULL, *lines = NULL;
    int rc = framework_priorities_list(s, &priorities, &lerr);
    if (rc == P_OK) rc = framework_lines_list(s, &lines, &lerr);
    if (rc != P_OK) {
        actp_error_page(req, rc, &lerr);
        json_decref(priorities);
        return;
    }
    struct page p;
    page_begin(&p, req, id ? T(req->lang, "Edit activity") : T(req->lang, "New activity"));
    html *h = &p.h;
    buf action = BUF_INIT;
    buf_puts(&action, "/activities");
    if (id) {
        buf_putc(&action, '/');
        buf_url_encode(&action, id);
        html_open(h, "p", "class", "record-code", NULL);
        html_text(h, T(p.lang, "Id"));
        html_text(h, ": ");
        html_elem(h, "code", id, NULL);
        html_close(h, "p");
    }
    page_error(&p, err);
    /* data-activity tells assets/overlaps.js which stored activity not to list. */
    html_open(h, "form", "method", "post", "action", buf_str(&action), "class", "stack", "id",
              "activity-form", "data-activity", id ? id : "", NULL);
    page_csrf_field(&p);
    input(&p, T(p.lang, "Title in English"), "text", "title_en", values, err);
    input(&p, T(p.lang, "Title in Russian"), "text", "title_ru", values, err);
    actp_enum_select(&p, T(p.lang, "Type"), "type", ACTIVITIES_TYPES, val(values, "type"), NULL,
                     error_for(err, "type"));
    actp_enum_select(&p, T(p.lang, "Status"), "status", ACTIVITIES_STATUSES, val(values, "status"),
                     NULL, error_for(err, "status"));
    input(&p, T(p.lang, "Lead organisation code"), "text", "lead_org", values, err);
    input(&p, T(p.lang, "Partner organisation codes, separated by commas"), "text", "partners",
          values, err);
    input(&p, T(p.lang, "Host country code"), "text", "host_country", values, err);
    input(&p, T(p.lang, "Beneficiary country codes, separated by commas"), "text",
          "beneficiary_countries", values, err);
    checkboxes(&p, T(p.lang, "Thematic priorities"), "priorities", priorities, NULL, values, err);
    input(&p, T(p.lang, "Focus area codes, separated by commas"), "text", "focus_areas", values,
          err);
    checkboxes(&p, T(p.lang, "Lines of action"), "lines", lines, NULL, values, err);
    checkboxes(&p, T(p.lang, "Target groups"), "target_groups", NULL, ACTIVITIES_TARGET_GROUPS,
               values, err);
    input(&p, T(p.lang, "Planned start"), "date", "planned_start", values, err);
    input(&p, T(p.lang, "Planned end"), "date", "planned_end", values, err);
    input(&p, T(p.lang, "Actual start"), "date", "actual_start", values, err);
    input(&p, T(p.lang, "Actual end"), "date", "actual_end", values, err);
    input(&p, T(p.lang, "Participants in total"), "number", "participants_total", values, err);
    input(&p, T(p.lang, "Women"), "number", "participants_women", values, err);
    input(&p, T(p.lang, "Men"), "number", "participants_men", values, err);
    html_open(h, "div", "class", "field", NULL);
    checkbox(h, "tot", "1", T(p.lang, "Training of trainers"), *val(values, "tot") != '\0');
    html_close(h, "div");
    input(&p, T(p.lang, "Budget amount"), "text", "budget_amount", values, err);
    input(&p, T(p.lang, "Budget currency"), "text", "budget_currency", values, err);
    input(&p, T(p.lang, "Budget source"), "text", "budget_source", values, err);
    textarea(&p, T(p.lang, "Description in English"), "description_en", values, err);
    textarea(&p, T(p.lang, "Description in Russian"), "description_ru", values, err);
    textarea(&p, T(p.lang, "Outcomes"), "outcomes", values, err);
    input(&p, T(p.lang, "Library document numbers, separated by commas"), "text", "documents",
          values, err);
    actp_overlap_panel(&p, candidates, true);
    /* Save comes first: Enter in a field submits with the first submit button. */
    html_open(h, "div", "class", "actions", NULL);
    html_elem(h, "button", T(p.lang, "Save"), "type", "submit", "class", "primary", NULL);
    html_elem(h, "button", T(p.lang, "Check for overlaps"), "type", "submit", "name",
              "check_overlaps", "value", "1", "class", "secondary", "id", "check-overlaps", NULL);
    html_close(h, "div");
    html_close(h, "form");
    const char *script = assets_url("overlaps.js");
    if (script) {
        html_open(h, "script", "src", script, "defer", "defer", NULL);
        html_close(h, "script");
    }
    page_finish(&p, status);
    buf_free(&action);
    json_decref(priorities);
    json_decref(lines);
}

/* ---- handlers ----------------------------------------------------------------------------- */

/* Errors a form shows next to its fields, rather than on an error page. */
static bool is_form_error(int rc)
{
    return rc == P_EINVAL || rc == P_EUNPROC || rc == P_ECONFLICT;
}

/* The organisation a write is scoped to: the given code, or the user's own when empty. */
static const char *scope_org(http_request *req, const char *code)
{
    if (code && *code) return code;
    return req->who.org[0] ? req->who.org : NULL;
}

static void redirect_to_activity(http_request *req, const char *id)
{
    buf to = BUF_INIT;
    buf_puts(&to, "/activities/");
    buf_url_encode(&to, id);
    http_redirect(req, buf_str(&to));
    buf_free(&to);
}

/* Shows the form again with the likely duplicates of its values among other
 * organisations' activities (those led by lead_org, and activity id itself when editing,
 * are left out). Nothing is stored. */
static void check_overlaps(http_request *req, store *s, json_t *values, const char *id,
                           const char *lead_org)
{
    p_error err;
    p_error_clear(&err);
    json_t *body = NULL, *candidates = NULL;
    int rc = values_body(values, false, &body, &err);
    if (rc == P_OK) {
        if (id) json_object_set_new(body, "id", json_string(id));
        if (lead_org) json_object_set_new(body, "lead_org", json_string(lead_org));
        rc = overlap_find_candidates(s, body, NULL, &candidates, &err);
    }
    if (rc == P_OK) {
        form_page(req, values, id, NULL, candidates, 200);
    } else if (is_form_error(rc)) {
        localize_error(req->lang, &err);
        form_page(req, values, id, &err, NULL, p_status_http((p_status)rc));
    } else {
        actp_error_page(req, rc, &err);
    }
    json_decref(body);
    json_decref(candidates);
}

void actp_new_form(http_request *req)
{
    if (page_require_sign_in(req)) return;
    if (!actp_require_write(req, scope_org(req, NULL))) return;
    json_t *values = json_pack("{s:s, s:s, s:s}", "type", "training", "status", "planned",
                               "lead_org", req->who.org);
    form_page(req, values, NULL, NULL, NULL, 200);
    json_decref(values);
}

void actp_create_submit(http_request *req)
{
    if (page_require_sign_in(req)) return;
    p_error err;
    p_error_clear(&err);
    json_t *values = NULL, *body = NULL, *rec = NULL;
    int rc = read_form(req, &values, &err);
    if (rc != P_OK) {
        if (actp_require_write(req, scope_org(req, NULL))) actp_error_page(req, rc, &err);
        return;
    }
    store *s = NULL;
    if (!actp_require_write(req, scope_org(req, val(values, "lead_org"))) ||
        !(s = api_store(req))) {
        json_decref(values);
        return;
    }
    if (*val(values, "check_overlaps")) {
        check_overlaps(req, s, values, NULL, scope_org(req, val(values, "lead_org")));
        json_decref(values);
        return;
    }
    rc = values_body(values, false, &body, &err);
    if (rc == P_OK) {
        struct actor by = api_actor(req);
        rc = activities_create(s, body, &by, &rec, &err);
    }
    if (rc == P_OK) {
        redirect_to_activity(req, actp_str(rec, "id"));
    } else if (is_form_error(rc)) {
        localize_error(req->lang, &err);
        form_page(req, values, NULL, &err, NULL, p_status_http((p_status)rc));
    } else {
        actp_error_page(req, rc, &err);
    }
    json_decref(values);
    json_decref(body);
    json_decref(rec);
}

void actp_edit_form(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *rec = NULL;
    int rc = activities_get(s, http_path_param(req, "id"), &rec, &err);
    if (rc != P_OK) {
        actp_error_page(req, rc, &err);
        return;
    }
    if (actp_require_write(req, actp_str(rec, "lead_org"))) {
        json_t *values = record_values(rec);
        form_page(req, values, actp_str(rec, "id"), NULL, NULL, 200);
        json_decref(values);
    }
    json_decref(rec);
}

void actp_update_submit(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    const char *id = http_path_param(req, "id");
    char lead[24];
    int rc = activities_lead_org(s, id, lead, &err);
    if (rc != P_OK) {
        actp_error_page(req, rc, &err);
        return;
    }
    if (!actp_require_write(req, lead)) return;
    json_t *values = NULL, *body = NULL;
    rc = read_form(req, &values, &err);
    if (rc != P_OK) {
        actp_error_page(req, rc, &err);
        return;
    }
    const char *new_lead = val(values, "lead_org");
    if (*new_lead && strcmp(new_lead, lead) != 0 && !actp_require_write(req, new_lead)) {
        json_decref(values);
        return;
    }
    if (*val(values, "check_overlaps")) {
        check_overlaps(req, s, values, id, *new_lead ? new_lead : lead);
        json_decref(values);
        return;
    }
    rc = values_body(values, true, &body, &err);
    if (rc == P_OK) {
        struct actor by = api_actor(req);
        rc = activities_update(s, id, body, &by, NULL, &err);
    }
    if (rc == P_OK) {
        redirect_to_activity(req, id);
    } else if (is_form_error(rc)) {
        localize_error(req->lang, &err);
        form_page(req, values, id, &err, NULL, p_status_http((p_status)rc));
    } else {
        actp_error_page(req, rc, &err);
    }
    json_decref(values);
    json_decref(body);
}
