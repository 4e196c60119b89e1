/* pages_admin_questions.c (community): the co-ordinators' page of one service's questions
 * (Open311 service attributes): the list with Change and Remove on each, a form that adds
 * one and a page that changes one (all but its code, which its answers are kept under).
 * Each calls community_service_save with the whole new list, as the API's PATCH does, so
 * the checks, the audit entry and the errors are the same. */
#include "community/internal.h"
#include "community/attributes.h"

#include "auth/authz.h"
#include "core/mem.h"
#include "core/text.h"
#include "http/form.h"
#include "http/response.h"
#include "http/router.h"
#include "web/api.h"
#include "web/layout.h"

#include <stdio.h>
#include <string.h>

#define ADMIN_PATH "/admin/community"

static const char *str(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static const char *const types[] = {"string",          "text",           "number", "datetime",
                                    "singlevaluelist", "multivaluelist", NULL};
static const char *const type_labels[] = {N_("One line of text"),
                                          N_("Text"),
                                          N_("Number"),
                                          N_("Date"),
                                          N_("One choice from a list"),
                                          N_("Several choices from a list"),
                                          NULL};

static const char *type_label(const char *lang, const char *type)
{
    for (size_t i = 0; types[i]; i++)
        if (strcmp(types[i], type) == 0) return T(lang, type_labels[i]);
    return type;
}

/* The choices of a list question as text: "key = name" per line. */
static void choices_text(json_t *q, buf *out)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(q, "values"), i, v)
        buf_printf(out, "%s%s = %s", i ? "; " : "", str(v, "key"), str(v, "name"));
}

static void question_row(struct page *p, const char *service, json_t *q)
{
    html *h = &p->h;
    char order[24], action[160];
    snprintf(order, sizeof order, "%lld",
             (long long)json_integer_value(json_object_get(q, "order")));
    html_open(h, "tr", NULL);
    html_elem(h, "td", order, NULL);
    html_elem(h, "td", str(q, "code"), NULL);
    html_elem(h, "td", type_label(p->lang, str(q, "datatype")), NULL);
    html_open(h, "td", NULL);
    html_text(h, str(q, "description"));
    if (*str(q, "description_ru")) {
        html_void(h, "br", NULL);
        html_elem(h, "span", str(q, "description_ru"), "lang", "ru", NULL);
    }
    html_close(h, "td");
    const char *kind = !json_is_true(json_object_get(q, "variable"))  ? N_("Note, no answer")
                       : json_is_true(json_object_get(q, "required")) ? N_("Required")
                                                                      : N_("Optional");
    html_elem(h, "td", T(p->lang, kind), NULL);
    buf choices = BUF_INIT;
    choices_text(q, &choices);
    html_elem(h, "td", buf_str(&choices), NULL);
    buf_free(&choices);
    html_open(h, "td", NULL);
    snprintf(action, sizeof action, ADMIN_PATH "/services/%s/questions/%s/edit", service,
             str(q, "code"));
    html_elem(h, "a", T(p->lang, "Change"), "href", action, NULL);
    html_text(h, " ");
    snprintf(action, sizeof action, ADMIN_PATH "/services/%s/questions/%s/remove", service,
             str(q, "code"));
    html_open(h, "form", "method", "post", "action", action, "class", "inline", NULL);
    page_csrf_field(p);
    html_elem(h, "button", T(p->lang, "Remove"), "type", "submit", "data-confirm",
              T(p->lang, "Remove this question? Answers already given are kept."), NULL);
    html_close(h, "form");
    html_close(h, "td");
    html_close(h, "tr");
}

/* The form that adds a question to service, or changes its question editing (its code
 * shown, not asked), filled with values (NULL: empty) and err's message. */
static void question_form(struct page *p, const char *service, const char *editing,
                          const form *values, const p_error *err)
{
    html *h = &p->h;
    char action[160];
    if (editing)
        snprintf(action, sizeof action, ADMIN_PATH "/services/%s/questions/%s/edit", service,
                 editing);
    else
        snprintf(action, sizeof action, ADMIN_PATH "/services/%s/questions#add", service);
    html_open(h, "section", "id", editing ? "change" : "add", "class", "admin-section", NULL);
    if (!editing) html_elem(h, "h2", T(p->lang, "Add a question"), NULL);
    if (err && err->status != P_OK) page_error(p, err);
    html_open(h, "form", "method", "post", "action", action, "class", "record-form", NULL);
    page_csrf_field(p);
#define V(name) (values && form_get(values, name) ? form_get(values, name) : "")
    if (!editing)
        community_admin_input(p, "q", T(p->lang, "Code (letters, digits, _ and -)"), "text", "code",
                              V("code"), NULL);
    json_t *options = json_array();
    for (size_t i = 0; types[i]; i++)
        json_array_append_new(options, json_pack("{s:s, s:s}", "code", types[i], "label",
                                                 T(p->lang, type_labels[i])));
    community_admin_select(p, "q", T(p->lang, "Answer"), "datatype", options, NULL, V("datatype"),
                           NULL);
    json_decref(options);
    community_admin_input(p, "q", T(p->lang, "Question"), "text", "description", V("description"),
                          NULL);
    community_admin_input(p, "q", T(p->lang, "Question in Russian"), "text", "description_ru",
                          V("description_ru"), NULL);
    community_admin_input(p, "q", T(p->lang, "Hint shown under it (optional)"), "text",
                          "datatype_description", V("datatype_description"), NULL);
    community_admin_input(p, "q", T(p->lang, "Place in the list (optional)"), "number", "order",
                          V("order"), NULL);
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", T(p->lang, "Choices, one per line as key = name (lists only)"), "for",
              "f-q-values", NULL);
    html_elem(h, "textarea", V("values"), "name", "values", "id", "f-q-values", "rows", "4", NULL);
    html_close(h, "div");
    static const struct {
        const char *name, *label;
    } checks[] = {{"required", N_("An answer is required")},
                  {"note", N_("A note to show, which takes no answer")}};
    for (size_t i = 0; i < 2; i++) {
        char id[32];
        snprintf(id, sizeof id, "f-q-%s", checks[i].name);
        html_open(h, "div", "class", "check", NULL);
        if (values && form_get(values, checks[i].name))
            html_void(h, "input", "type", "checkbox", "name", checks[i].name, "value", "1", "id",
                      id, "checked", "", NULL);
        else
            html_void(h, "input", "type", "checkbox", "name", checks[i].name, "value", "1", "id",
                      id, NULL);
        html_elem(h, "label", T(p->lang, checks[i].label), "for", id, NULL);
        html_close(h, "div");
    }
#undef V
    html_elem(h, "button", T(p->lang, editing ? "Save" : "Add"), "type", "submit", "class",
              "primary", NULL);
    html_close(h, "form");
    html_close(h, "section");
}

/* The page of service code; values and err are those of a refused add form, or NULL. */
static void questions_page(http_request *req, const char *code, const form *values,
                           const p_error *err, int status)
{
    store *s = api_store(req);
    if (!s) return;
    json_t *questions = NULL;
    p_error lerr;
    p_error_clear(&lerr);
    int rc = attributes_of_service(s, code, &questions, &lerr);
    if (rc != P_OK) {
        page_refusal(req, rc, &lerr, ADMIN_PATH "#services", T(req->lang, "Community setup"));
        return;
    }
    char title[160];
    snprintf(title, sizeof title, "%s: %s", T(req->lang, "Questions"), code);
    struct page p;
    page_begin(&p, req, title);
    html *h = &p.h;
    const char *done = http_query(req, "done");
    if (done && !err)
        html_elem(h, "p",
                  strcmp(done, "added") == 0     ? T(p.lang, "The question was added.")
                  : strcmp(done, "changed") == 0 ? T(p.lang, "The question was changed.")
                                                 : T(p.lang, "The question was removed."),
                  "class", "notice", "role", "status", NULL);
    html_elem(h, "p",
              T(p.lang, "What a citizen, an officer or an Open311 client is asked besides the "
                        "description when a concern of this service is recorded."),
              NULL);
    if (!json_array_size(questions)) {
        html_elem(h, "p", T(p.lang, "This service asks nothing else."), NULL);
    } else {
        html_open(h, "table", "id", "questions-list", NULL);
        html_open(h, "thead", NULL);
        html_open(h, "tr", NULL);
        static const char *const heads[] = {
            N_("Place"), N_("Code"), N_("Answer"), N_("Question"), N_("Kind"), N_("Choices"), ""};
        for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
            html_elem(h, "th", *heads[i] ? T(p.lang, heads[i]) : "", "scope", "col", NULL);
        html_close(h, "tr");
        html_close(h, "thead");
        html_open(h, "tbody", NULL);
        size_t i;
        json_t *q;
        json_array_foreach(questions, i, q) question_row(&p, code, q);
        html_close(h, "tbody");
        html_close(h, "table");
    }
    question_form(&p, code, NULL, values, err);
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "Back to community setup"), "href", ADMIN_PATH "#services", NULL);
    html_close(h, "p");
    json_decref(questions);
    page_finish(&p, status);
}

static void show(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    questions_page(req, http_path_param(req, "code"), NULL, NULL, 200);
}

/* Removes leading and trailing spaces and tabs of s, in place. */
static void trim(char *s)
{
    size_t n = strlen(s), start = 0;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    while (s[start] == ' ' || s[start] == '\t')
        start++;
    memmove(s, s + start, n - start + 1);
}

/* The "key = name" lines of the choices field as [{key, name}] (a line without "=" is its
 * own key and name); NULL when the field is empty. */
static json_t *choices_of(const char *text)
{
    if (!text || !*text) return NULL;
    json_t *out = json_array();
    buf line = BUF_INIT;
    for (const char *p = text;; p++) {
        if (*p && *p != '\n' && *p != '\r') {
            buf_putc(&line, *p);
            continue;
        }
        char *l = (char *)buf_str(&line), *eq = strchr(l, '=');
        char *key = l, *name = eq ? eq + 1 : l;
        if (eq) *eq = '\0';
        trim(key);
        trim(name);
        if (*key || *name)
            json_array_append_new(out, json_pack("{s:s, s:s}", "key", key, "name", name));
        buf_reset(&line);
        if (!*p) break;
    }
    buf_free(&line);
    return out;
}

/* Puts a refused question's error in the page's language. The service's messages name
 * members and places ("attribute 3: ..."), so each common one gets a plain sentence. */
static void localize_error(const char *lang, p_error *err)
{
    static const struct {
        const char *says, *and_says, *text;
    } known[] = {
        {"code must be 1-40", NULL, N_("The code is 1 to 40 letters, digits, _ and -.")},
        {"the code ", " is repeated", N_("The service already asks a question with this code.")},
        {"description is required", NULL, N_("Write the question.")},
        {"must be text of at most", NULL, N_("This text is too long.")},
        {"datatype must be", NULL, N_("Choose the kind of answer.")},
        {"cannot be required", NULL, N_("A note takes no answer, so it cannot be required.")},
        {"order must be a whole number", NULL,
         N_("The place in the list is a whole number from 1 to 1000.")},
        {" is taken by attribute", NULL, N_("Another question has this place in the list.")},
        {"values must be a list", NULL,
         N_("A list needs its choices, one per line as key = name.")},
        {"key must be 1-40", NULL,
         N_("The key of each choice is 1 to 40 letters, digits, _ and -.")},
        {"the key ", " is repeated", N_("Each choice needs a key of its own.")},
        {"name is required", NULL, N_("Each choice needs a name.")},
        {"only singlevaluelist and multivaluelist take values", NULL,
         N_("Only a list takes choices.")},
        {"attributes must be a list of at most", NULL,
         N_("The service asks as many questions as it may.")},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (!strstr(err->message, known[i].says)) continue;
        if (known[i].and_says && !strstr(err->message, known[i].and_says)) continue;
        snprintf(err->message, sizeof err->message, "%s", T(lang, known[i].text));
        return;
    }
}

/* Saves list as the service's questions; answers the request. */
/* Saves list as the service's questions and answers the request, but for a refused list
 * (P_EINVAL, P_EUNPROC): then *err holds the refusal in the page's language and the caller
 * shows it with the form. */
static int save(http_request *req, store *s, const char *code, json_t *list, const char *done,
                p_error *err)
{
    json_t *body = json_pack("{s:O}", "attributes", list), *out = NULL;
    struct actor by = api_actor(req);
    int rc = community_service_save(s, code, body, &by, &out, err);
    json_decref(body);
    json_decref(out);
    if (rc == P_OK) {
        char to[160];
        snprintf(to, sizeof to, ADMIN_PATH "/services/%s/questions?done=%s", code, done);
        http_redirect(req, to);
    } else if (rc == P_EINVAL || rc == P_EUNPROC) {
        localize_error(req->lang, err);
    } else {
        page_refusal(req, rc, err, ADMIN_PATH, T(req->lang, "Community setup"));
    }
    return rc;
}

/* The question a submitted form describes, with code (the form's own when NULL) and, when
 * the form gives no place, default_order. */
static json_t *question_of_form(const form *f, const char *code, int64_t default_order)
{
    json_t *q = json_object();
    static const char *const texts[] = {"code", "datatype", "description", "description_ru",
                                        "datatype_description"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        const char *v = i == 0 && code ? code : form_get(f, texts[i]);
        json_object_set_new(q, texts[i], json_string(v ? v : ""));
    }
    int64_t order = 0;
    const char *ov = form_get(f, "order");
    if (ov && *ov)
        json_object_set_new(q, "order",
                            text_parse_int64(ov, INT32_MIN, INT32_MAX, &order) ? json_integer(order)
                                                                               : json_string(ov));
    else
        json_object_set_new(q, "order", json_integer(default_order));
    json_object_set_new(q, "required", json_boolean(form_get(f, "required") != NULL));
    json_object_set_new(q, "variable", json_boolean(form_get(f, "note") == NULL));
    json_t *choices = choices_of(form_get(f, "values"));
    if (choices) json_object_set_new(q, "values", choices);
    return q;
}

static void add_submit(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    const char *code = http_path_param(req, "code");
    json_t *list = NULL;
    p_error err;
    p_error_clear(&err);
    if (s && attributes_of_service(s, code, &list, &err) != P_OK) {
        page_refusal(req, err.status, &err, ADMIN_PATH, T(req->lang, "Community setup"));
    } else if (s) {
        json_array_append_new(list, question_of_form(&f, NULL, (int64_t)json_array_size(list) + 1));
        int rc = save(req, s, code, list, "added", &err);
        if (rc == P_EINVAL || rc == P_EUNPROC) questions_page(req, code, &f, &err, 422);
    }
    json_decref(list);
    form_free(&f);
}

/* ---- changing one question ------------------------------------------------------------ */

/* Adds the field name = value to f. */
static void form_add(form *f, const char *name, const char *value)
{
    if (f->n == FORM_MAX_FIELDS) return;
    f->fields[f->n].name = xstrdup(name);
    f->fields[f->n].value = xstrdup(value);
    f->n++;
}

/* f (released with form_free) filled with question q, as its change form shows it first. */
static void form_of_question(json_t *q, form *f)
{
    memset(f, 0, sizeof *f);
    static const char *const texts[] = {"datatype", "description", "description_ru",
                                        "datatype_description"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        form_add(f, texts[i], str(q, texts[i]));
    char order[24];
    snprintf(order, sizeof order, "%lld",
             (long long)json_integer_value(json_object_get(q, "order")));
    form_add(f, "order", order);
    buf choices = BUF_INIT;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(q, "values"), i, v)
        buf_printf(&choices, "%s = %s\n", str(v, "key"), str(v, "name"));
    form_add(f, "values", buf_str(&choices));
    buf_free(&choices);
    if (json_is_true(json_object_get(q, "required"))) form_add(f, "required", "1");
    if (!json_is_true(json_object_get(q, "variable"))) form_add(f, "note", "1");
}

/* The questions of service code into *list (the caller's) and the place of question among
 * them into *at; P_ENOTFOUND when the service or the question is not there. */
static int find_question(store *s, const char *code, const char *question, json_t **list,
                         size_t *at, p_error *err)
{
    int rc = attributes_of_service(s, code, list, err);
    if (rc != P_OK) return rc;
    size_t i;
    json_t *q;
    json_array_foreach(*list, i, q) if (strcmp(str(q, "code"), question) == 0)
    {
        *at = i;
        return P_OK;
    }
    return p_fail(err, P_ENOTFOUND, NULL, "the service asks no question %s", question);
}

/* The page that changes question of service code; values and err are those of a refused
 * form, or NULL (the form then shows the question as it is). */
static void edit_page(http_request *req, const char *code, const char *question, const form *values,
                      const p_error *err, int status)
{
    store *s = api_store(req);
    if (!s) return;
    json_t *list = NULL;
    p_error lerr;
    p_error_clear(&lerr);
    size_t at = 0;
    int rc = find_question(s, code, question, &list, &at, &lerr);
    if (rc != P_OK) {
        page_refusal(req, rc, &lerr, ADMIN_PATH "#services", T(req->lang, "Community setup"));
        json_decref(list);
        return;
    }
    form shown;
    bool own = !values;
    if (own) {
        form_of_question(json_array_get(list, at), &shown);
        values = &shown;
    }
    char title[160], back[160];
    snprintf(title, sizeof title, "%s: %s", T(req->lang, "Change the question"), question);
    snprintf(back, sizeof back, ADMIN_PATH "/services/%s/questions", code);
    struct page p;
    page_begin(&p, req, title);
    question_form(&p, code, question, values, err);
    html_open(&p.h, "p", NULL);
    html_elem(&p.h, "a", T(p.lang, "Back to the questions"), "href", back, NULL);
    html_close(&p.h, "p");
    page_finish(&p, status);
    if (own) form_free(&shown);
    json_decref(list);
}

static void edit_show(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    edit_page(req, http_path_param(req, "code"), http_path_param(req, "question"), NULL, NULL, 200);
}

static void edit_submit(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    const char *code = http_path_param(req, "code"), *question = http_path_param(req, "question");
    json_t *list = NULL;
    p_error err;
    p_error_clear(&err);
    size_t at = 0;
    int rc = s ? find_question(s, code, question, &list, &at, &err) : P_EUNAVAIL;
    if (s && rc != P_OK) {
        page_refusal(req, rc, &err, ADMIN_PATH "#services", T(req->lang, "Community setup"));
    } else if (s) {
        json_t *old = json_array_get(list, at);
        int64_t order = json_integer_value(json_object_get(old, "order"));
        json_array_set_new(list, at, question_of_form(&f, question, order));
        rc = save(req, s, code, list, "changed", &err);
        if (rc == P_EINVAL || rc == P_EUNPROC) edit_page(req, code, question, &f, &err, 422);
    }
    json_decref(list);
    form_free(&f);
}

static void remove_submit(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    const char *code = http_path_param(req, "code"), *gone = http_path_param(req, "question");
    json_t *list = NULL;
    p_error err;
    p_error_clear(&err);
    size_t at = 0;
    int rc = s ? find_question(s, code, gone, &list, &at, &err) : P_EUNAVAIL;
    if (s && rc != P_OK) {
        page_refusal(req, rc, &err, ADMIN_PATH, T(req->lang, "Community setup"));
    } else if (s) {
        json_array_remove(list, at);
        rc = save(req, s, code, list, "removed", &err);
        if (rc == P_EINVAL || rc == P_EUNPROC) questions_page(req, code, NULL, &err, 422);
    }
    json_decref(list);
    form_free(&f);
}

static const struct param_spec params[] = {
    {.name = "code", .type = PARAM_CODE, .max_len = 40},
    {.name = "question", .type = PARAM_CODE, .max_len = 40},
    {.name = "done", .type = PARAM_ENUM, .enum_values = "added|changed|removed"},
    {0}};

void community_admin_questions_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = ADMIN_PATH "/services/{code}/questions",
         .handler = show,
         .params = params},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services/{code}/questions",
         .handler = add_submit,
         .params = params},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services/{code}/questions/{question}/remove",
         .handler = remove_submit,
         .params = params},
        {.methods = HTTP_GET,
         .pattern = ADMIN_PATH "/services/{code}/questions/{question}/edit",
         .handler = edit_show,
         .params = params},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services/{code}/questions/{question}/edit",
         .handler = edit_submit,
         .params = params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
