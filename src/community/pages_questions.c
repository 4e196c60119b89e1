/* pages_questions.c (community): a service's questions on the pages that record concerns
 * (the citizens' form and the reception screen) and their answers on an officer's view of a
 * concern. Every service's questions are in the form, one fieldset each; assets/app.js
 * shows only the chosen service's and disables the others, and without script all are
 * shown, each headed by its service, and only the chosen service's answers are read. */
#include "community/internal.h"

#include "http/form.h"
#include "web/layout.h"

#include <stdio.h>
#include <string.h>

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

const char *community_localized(json_t *o, const char *lang, const char *en, const char *ru)
{
    return strcmp(lang, "ru") == 0 && *str(o, ru) ? str(o, ru) : str(o, en);
}

/* The form field of question q of service: attr.SERVICE.CODE (codes have no dots). */
static void field_name(const char *service, json_t *q, char out[static 96])
{
    snprintf(out, 96, "attr.%s.%s", service, str(q, "code"));
}

static bool is_checked(const form *values, const char *name, const char *key)
{
    for (int i = 0; values && i < values->n; i++)
        if (strcmp(values->fields[i].name, name) == 0 && strcmp(values->fields[i].value, key) == 0)
            return true;
    return false;
}

/* One question: its label (with "required"), its control, and its error. */
static void question(struct page *p, const char *service, json_t *q, const form *values,
                     const p_error *err)
{
    html *h = &p->h;
    const char *text = community_localized(q, p->lang, "description", "description_ru");
    if (!json_is_true(json_object_get(q, "variable"))) {
        html_elem(h, "p", text, "class", "hint question-note", NULL);
        return;
    }
    char name[96], id[104], label[640];
    field_name(service, q, name);
    snprintf(id, sizeof id, "f-%s", name);
    for (char *c = id; *c; c++)
        if (*c == '.') *c = '-';
    snprintf(label, sizeof label, "%s%s", text,
             json_is_true(json_object_get(q, "required")) ? T(p->lang, " (required)") : "");
    const char *type = str(q, "datatype");
    const char *value = values ? form_get(values, name) : NULL;
    html_open(h, "div", "class", "field", NULL);
    if (strcmp(type, "multivaluelist") == 0) {
        html_open(h, "fieldset", "class", "choices", NULL);
        html_elem(h, "legend", label, NULL);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(q, "values"), i, v)
        {
            char cid[160];
            snprintf(cid, sizeof cid, "%s-%zu", id, i);
            html_open(h, "label", "for", cid, NULL);
            if (is_checked(values, name, str(v, "key")))
                html_void(h, "input", "type", "checkbox", "name", name, "value", str(v, "key"),
                          "id", cid, "checked", "", NULL);
            else
                html_void(h, "input", "type", "checkbox", "name", name, "value", str(v, "key"),
                          "id", cid, NULL);
            html_text(h, community_localized(v, p->lang, "name", "name_ru"));
            html_close(h, "label");
        }
        html_close(h, "fieldset");
    } else {
        html_elem(h, "label", label, "for", id, NULL);
        if (strcmp(type, "singlevaluelist") == 0) {
            html_open(h, "select", "name", name, "id", id, NULL);
            html_elem(h, "option", "", "value", "", NULL);
            size_t i;
            json_t *v;
            json_array_foreach(json_object_get(q, "values"), i, v)
            {
                const char *shown = community_localized(v, p->lang, "name", "name_ru");
                if (value && strcmp(value, str(v, "key")) == 0)
                    html_elem(h, "option", shown, "value", str(v, "key"), "selected", "", NULL);
                else
                    html_elem(h, "option", shown, "value", str(v, "key"), NULL);
            }
            html_close(h, "select");
        } else if (strcmp(type, "text") == 0) {
            html_elem(h, "textarea", value ? value : "", "name", name, "id", id, "rows", "3",
                      "maxlength", "4000", NULL);
        } else {
            const char *input = strcmp(type, "datetime") == 0 ? "date" : "text";
            html_void(h, "input", "type", input, "name", name, "id", id, "value",
                      value ? value : "", "maxlength", "200", "inputmode",
                      strcmp(type, "number") == 0 ? "decimal" : "text", NULL);
        }
    }
    if (*str(q, "datatype_description"))
        html_elem(h, "p", str(q, "datatype_description"), "class", "hint", NULL);
    char want[64];
    snprintf(want, sizeof want, "attribute[%s]", str(q, "code"));
    if (err && err->status != P_OK && strcmp(err->field, want) == 0)
        html_elem(h, "p", err->message, "class", "field-error", NULL);
    html_close(h, "div");
}

void community_questions_fields(struct page *p, json_t *services, const form *values,
                                const char *chosen, const p_error *err)
{
    size_t i;
    json_t *sv;
    json_array_foreach(services, i, sv)
    {
        json_t *qs = json_object_get(sv, "attributes");
        if (!json_array_size(qs)) continue;
        const char *code = str(sv, "code");
        bool mine = chosen && strcmp(chosen, code) == 0;
        html_open(&p->h, "fieldset", "class", "questions", "data-service", code, NULL);
        char legend[300];
        snprintf(legend, sizeof legend, "%s %s", T(p->lang, "Only for:"),
                 community_localized(sv, p->lang, "name", "name_ru"));
        html_elem(&p->h, "legend", legend, NULL);
        size_t k;
        json_t *q;
        json_array_foreach(qs, k, q) question(p, code, q, values, mine ? err : NULL);
        html_close(&p->h, "fieldset");
    }
}

json_t *community_questions_answers(const form *f, const char *service)
{
    json_t *out = json_object();
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "attr.%s.", service ? service : "");
    if (!service || n < 0 || (size_t)n >= sizeof prefix) return out;
    for (int i = 0; i < f->n; i++) {
        const char *name = f->fields[i].name, *value = f->fields[i].value;
        if (strncmp(name, prefix, (size_t)n) != 0 || !*value) continue;
        const char *code = name + n;
        json_t *have = json_object_get(out, code);
        if (!have)
            json_object_set_new(out, code, json_string(value));
        else if (json_is_array(have))
            json_array_append_new(have, json_string(value));
        else
            json_object_set_new(out, code, json_pack("[O, s]", have, value));
    }
    return out;
}

/* The answer as the officer reads it: choice names for the list types. */
static void answer_text(json_t *q, json_t *answer, const char *lang, buf *out)
{
    json_t *keys = json_is_array(answer) ? json_incref(answer) : json_pack("[O]", answer);
    size_t i;
    json_t *k;
    json_array_foreach(keys, i, k)
    {
        const char *shown = json_string_value(k);
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(q, "values"), j, v)
        {
            if (strcmp(str(v, "key"), json_string_value(k)) == 0)
                shown = community_localized(v, lang, "name", "name_ru");
        }
        buf_printf(out, "%s%s", i ? ", " : "", shown);
    }
    json_decref(keys);
}

/* One answered question: the question (the code when the service no longer asks it) and
 * the answer. */
static void answered_row(struct page *p, json_t *q, const char *code, json_t *answer, buf *text)
{
    buf_reset(text);
    answer_text(q, answer, p->lang, text);
    html_elem(&p->h, "dt",
              q ? community_localized(q, p->lang, "description", "description_ru") : code, NULL);
    html_elem(&p->h, "dd", buf_str(text), NULL);
}

void community_questions_answered(struct page *p, json_t *questions, json_t *answers)
{
    if (!json_object_size(answers)) return;
    html *h = &p->h;
    html_elem(h, "h2", T(p->lang, "Answers to the service's questions"), NULL);
    html_open(h, "dl", "class", "answers", NULL);
    buf text = BUF_INIT;
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        json_t *a = json_object_get(answers, str(q, "code"));
        if (a) answered_row(p, q, str(q, "code"), a, &text);
    }
    const char *code;
    json_t *a;
    json_object_foreach(answers, code, a)
    {
        bool asked = false;
        json_array_foreach(questions, i, q) asked = asked || strcmp(str(q, "code"), code) == 0;
        if (!asked) answered_row(p, NULL, code, a, &text);
    }
    buf_free(&text);
    html_close(h, "dl");
}

void community_questions_localize(const char *lang, p_error *err)
{
    if (err->status == P_OK || strncmp(err->field, "attribute[", 10) != 0) return;
    const char *m = err->message, *text = NULL;
    if (strstr(m, " is required"))
        text = T(lang, "Please answer this question.");
    else if (strstr(m, "must be a number"))
        text = T(lang, "Enter a number.");
    else if (strstr(m, "must be a date"))
        text = T(lang, "Enter a date as YYYY-MM-DD.");
    else if (strstr(m, "choices"))
        text = T(lang, "Choose one of the options.");
    else if (strstr(m, "one line of at most"))
        text = T(lang, "Enter one line of at most 200 characters.");
    else if (strstr(m, "text of at most"))
        text = T(lang, "This text is too long.");
    else if (strstr(m, "is not asked") || strstr(m, "takes no answer"))
        text = T(lang, "This question is not asked for the chosen service.");
    if (text) snprintf(err->message, sizeof err->message, "%s", text);
}
