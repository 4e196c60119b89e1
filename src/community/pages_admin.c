/* pages_admin.c (community): the co-ordinators' page for setting up community policing —
 * areas, stations, reception vehicles, forums and services, each listed with its "add" form,
 * and each service's due days, retirement and return. Every form calls the service function
 * the API calls (community_place_create, community_service_save), so the checks are the
 * same; a refused form comes back with its values and the error next to its field, a saved
 * one redirects (303) to the page. */
#include "community/internal.h"

#include "auth/authz.h"
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

/* ---- the page ---------------------------------------------------------------------------- */

enum input_kind { IN_TEXT, IN_LEVEL, IN_KIND, IN_AREA, IN_SITE };

/* One of the four kinds of places: the columns of its list and the fields of its form
 * (named as community_place_create names them). */
struct place_form {
    const char *entity, *section, *heading, *add_heading, *added;
    const char *columns[5], *column_labels[5];
    struct {
        const char *name, *label;
        enum input_kind kind;
    } fields[7];
};

static const struct place_form place_forms[] = {
    {"area",
     "areas",
     N_("Areas"),
     N_("Add an area"),
     N_("The area was added."),
     {"code", "name", "level", "parent", "country"},
     {N_("Code"), N_("Name"), N_("Level"), N_("Part of"), N_("Country")},
     {{"code", N_("Code"), IN_TEXT},
      {"name", N_("Name in English"), IN_TEXT},
      {"name_ru", N_("Name in Russian"), IN_TEXT},
      {"level", N_("Level"), IN_LEVEL},
      {"parent", N_("Part of"), IN_AREA},
      {"country", N_("Country code"), IN_TEXT}}},
    {"site",
     "sites",
     N_("Stations"),
     N_("Add a station"),
     N_("The station was added."),
     {"code", "name", "area", "address"},
     {N_("Code"), N_("Name"), N_("Area"), N_("Address")},
     {{"code", N_("Code"), IN_TEXT},
      {"name", N_("Name in English"), IN_TEXT},
      {"name_ru", N_("Name in Russian"), IN_TEXT},
      {"area", N_("Area"), IN_AREA},
      {"address", N_("Address"), IN_TEXT}}},
    {"vehicle",
     "vehicles",
     N_("Reception vehicles"),
     N_("Add a reception vehicle"),
     N_("The vehicle was added."),
     {"code", "plate", "site"},
     {N_("Code"), N_("Number plate"), N_("Station")},
     {{"code", N_("Code"), IN_TEXT},
      {"plate", N_("Number plate"), IN_TEXT},
      {"site", N_("Station"), IN_SITE}}},
    {"forum",
     "forums",
     N_("Forums"),
     N_("Add a forum"),
     N_("The forum was added."),
     {"code", "kind", "name", "site"},
     {N_("Code"), N_("Kind"), N_("Name"), N_("Station")},
     {{"code", N_("Code"), IN_TEXT},
      {"kind", N_("Kind"), IN_KIND},
      {"name", N_("Name in English"), IN_TEXT},
      {"name_ru", N_("Name in Russian"), IN_TEXT},
      {"site", N_("Station"), IN_SITE}}},
};
#define N_PLACE_FORMS (sizeof place_forms / sizeof place_forms[0])

static const char *const levels[] = {"country", "province", "district", "subdistrict", NULL};
static const char *const level_labels[] = {N_("Country"), N_("Province"), N_("District"),
                                           N_("Subdistrict")};
static const char *const kinds[] = {"cswg", "lcpc", "nmt", NULL};
static const char *const kind_labels[] = {N_("Community Safety Working Group"),
                                          N_("Local Crime Prevention Centre"),
                                          N_("Neighbourhood Management Team")};

/* The options of an enumeration as {code, name} objects for community_admin_select. */
static json_t *enum_options(const char *lang, const char *const *values, const char *const *labels)
{
    json_t *out = json_array();
    for (size_t i = 0; values[i]; i++)
        json_array_append_new(
            out, json_pack("{s:s, s:s}", "code", values[i], "label", T(lang, labels[i])));
    return out;
}

static const char *enum_label(const char *lang, const char *const *values,
                              const char *const *labels, const char *v)
{
    for (size_t i = 0; values[i]; i++)
        if (strcmp(values[i], v) == 0) return T(lang, labels[i]);
    return v;
}

/* What a refused form brings back: which form (a place's entity, "service", or "due-"
 * and a service's code), its values and the error. */
struct refused {
    const char *form_id;
    const form *values;
    const p_error *err;
};

static const p_error *err_for(const struct refused *r, const char *form_id)
{
    return r && strcmp(r->form_id, form_id) == 0 ? r->err : NULL;
}

static const char *value_for(const struct refused *r, const char *form_id, const char *name)
{
    const char *v = r && strcmp(r->form_id, form_id) == 0 ? form_get(r->values, name) : NULL;
    return v ? v : "";
}

/* The places' lists: [areas, sites, vehicles, forums]. */
struct places {
    json_t *list[N_PLACE_FORMS];
};

static void place_table(struct page *p, const struct place_form *pf, json_t *items)
{
    html *h = &p->h;
    if (json_array_size(items) == 0) {
        html_elem(h, "p", T(p->lang, "None yet."), NULL);
        return;
    }
    html_open(h, "div", "class", "table-wrap", NULL);
    char id[32];
    snprintf(id, sizeof id, "%s-list", pf->section);
    html_open(h, "table", "id", id, NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    for (size_t c = 0; c < 5 && pf->columns[c]; c++)
        html_elem(h, "th", T(p->lang, pf->column_labels[c]), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *o;
    json_array_foreach(items, i, o)
    {
        html_open(h, "tr", NULL);
        for (size_t c = 0; c < 5 && pf->columns[c]; c++) {
            const char *col = pf->columns[c], *v = str(o, col);
            if (c == 0 && strcmp(pf->entity, "forum") == 0) {
                char href[96];
                snprintf(href, sizeof href, ADMIN_PATH "/forums/%s", v);
                html_open(h, "td", NULL);
                html_elem(h, "a", v, "href", href, NULL);
                html_close(h, "td");
            } else if (strcmp(col, "level") == 0) {
                html_elem(h, "td", enum_label(p->lang, levels, level_labels, v), NULL);
            } else if (strcmp(col, "kind") == 0) {
                html_elem(h, "td", enum_label(p->lang, kinds, kind_labels, v), NULL);
            } else if (strcmp(col, "name") == 0 && strcmp(p->lang, "ru") == 0 &&
                       *str(o, "name_ru")) {
                html_elem(h, "td", str(o, "name_ru"), NULL);
            } else {
                html_elem(h, "td", *v ? v : "—", NULL);
            }
        }
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
}

static void place_section(struct page *p, const struct place_form *pf, json_t *items,
                          const struct places *all, const struct refused *r)
{
    html *h = &p->h;
    html_open(h, "section", "id", pf->section, "class", "admin-section", NULL);
    html_elem(h, "h2", T(p->lang, pf->heading), NULL);
    place_table(p, pf, items);
    const p_error *err = err_for(r, pf->entity);
    html_elem(h, "h3", T(p->lang, pf->add_heading), NULL);
    if (err) page_error(p, err);
    char action[64];
    snprintf(action, sizeof action, ADMIN_PATH "/%s#%s", pf->section, pf->section);
    html_open(h, "form", "method", "post", "action", action, "class", "stack", "id", pf->entity,
              NULL);
    page_csrf_field(p);
    for (size_t i = 0; i < 7 && pf->fields[i].name; i++) {
        const char *name = pf->fields[i].name, *label = T(p->lang, pf->fields[i].label);
        const char *v = value_for(r, pf->entity, name);
        json_t *options = NULL;
        switch (pf->fields[i].kind) {
        case IN_TEXT:
            community_admin_input(p, pf->entity, label, "text", name, v, err);
            break;
        case IN_LEVEL:
            options = enum_options(p->lang, levels, level_labels);
            community_admin_select(p, pf->entity, label, name, options, NULL, v, err);
            break;
        case IN_KIND:
            options = enum_options(p->lang, kinds, kind_labels);
            community_admin_select(p, pf->entity, label, name, options, NULL, v, err);
            break;
        case IN_AREA:
            community_admin_select(p, pf->entity, label, name, all->list[0],
                                   strcmp(name, "parent") == 0 ? T(p->lang, "(none)") : NULL, v,
                                   err);
            break;
        case IN_SITE:
            community_admin_select(p, pf->entity, label, name, all->list[1], T(p->lang, "(none)"),
                                   v, err);
            break;
        }
        json_decref(options);
    }
    html_elem(h, "button", T(p->lang, "Add"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    html_close(h, "section");
}

static void service_row(struct page *p, json_t *sv, const struct refused *r)
{
    html *h = &p->h;
    const char *code = str(sv, "code");
    char form_id[64], action[96], due[24];
    snprintf(form_id, sizeof form_id, "due-%s", code);
    const p_error *err = err_for(r, form_id);
    html_open(h, "tr", NULL);
    html_elem(h, "td", code, NULL);
    const char *name =
        strcmp(p->lang, "ru") == 0 && *str(sv, "name_ru") ? str(sv, "name_ru") : str(sv, "name");
    html_elem(h, "td", name, NULL);
    html_elem(h, "td", *str(sv, "group") ? str(sv, "group") : "—", NULL);
    html_elem(h, "td", json_is_true(json_object_get(sv, "conduct")) ? T(p->lang, "Yes") : "—",
              NULL);
    char href[96], asks[24];
    snprintf(href, sizeof href, ADMIN_PATH "/services/%s/questions", code);
    snprintf(asks, sizeof asks, "%zu", json_array_size(json_object_get(sv, "attributes")));
    html_open(h, "td", NULL);
    html_elem(h, "a", asks, "href", href, "aria-label", T(p->lang, "Questions"), NULL);
    html_close(h, "td");
    html_open(h, "td", NULL);
    snprintf(action, sizeof action, ADMIN_PATH "/services/%s/due#services", code);
    snprintf(due, sizeof due, "%lld",
             (long long)json_integer_value(json_object_get(sv, "due_days")));
    /* In a table cell the label is the column's heading, so the input only names it. */
    char id[96], err_id[104], label[200];
    snprintf(id, sizeof id, "f-%s-due_days", form_id);
    snprintf(err_id, sizeof err_id, "%s-error", id);
    snprintf(label, sizeof label, "%s: %s", T(p->lang, "Due within (days)"), name);
    const char *value = err ? value_for(r, form_id, "due_days") : due;
    html_open(h, "form", "method", "post", "action", action, "class", "inline", NULL);
    page_csrf_field(p);
    if (err)
        html_void(h, "input", "type", "number", "name", "due_days", "id", id, "value", value,
                  "aria-label", label, "aria-invalid", "true", "aria-describedby", err_id, NULL);
    else
        html_void(h, "input", "type", "number", "name", "due_days", "id", id, "value", value,
                  "aria-label", label, NULL);
    if (err) html_elem(h, "p", err->message, "class", "field-error", "id", err_id, NULL);
    html_elem(h, "button", T(p->lang, "Change"), "type", "submit", NULL);
    html_close(h, "form");
    html_close(h, "td");
    html_open(h, "td", NULL);
    snprintf(action, sizeof action, ADMIN_PATH "/services/%s/retire#services", code);
    html_open(h, "form", "method", "post", "action", action, "class", "inline", NULL);
    page_csrf_field(p);
    html_elem(
        h, "button", T(p->lang, "Retire"), "type", "submit", "class", "danger", "data-confirm",
        T(p->lang, "Retire this service? Its concerns keep it; new ones cannot choose it."), NULL);
    html_close(h, "form");
    html_close(h, "td");
    html_close(h, "tr");
}

/* The retired services, each with a button that offers it again. */
static void retired_table(struct page *p, json_t *retired)
{
    html *h = &p->h;
    if (json_array_size(retired) == 0) return;
    html_elem(h, "h3", T(p->lang, "Retired services"), NULL);
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "id", "retired-list", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Code"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Name"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Restore"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *sv;
    json_array_foreach(retired, i, sv)
    {
        const char *code = str(sv, "code");
        char action[96];
        snprintf(action, sizeof action, ADMIN_PATH "/services/%s/restore#services", code);
        html_open(h, "tr", NULL);
        html_elem(h, "td", code, NULL);
        html_elem(h, "td",
                  strcmp(p->lang, "ru") == 0 && *str(sv, "name_ru") ? str(sv, "name_ru")
                                                                    : str(sv, "name"),
                  NULL);
        html_open(h, "td", NULL);
        html_open(h, "form", "method", "post", "action", action, "class", "inline", NULL);
        page_csrf_field(p);
        html_elem(h, "button", T(p->lang, "Restore"), "type", "submit", NULL);
        html_close(h, "form");
        html_close(h, "td");
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
}

static void service_section(struct page *p, json_t *services, json_t *retired,
                            const struct refused *r)
{
    html *h = &p->h;
    html_open(h, "section", "id", "services", "class", "admin-section", NULL);
    html_elem(h, "h2", T(p->lang, "Services"), NULL);
    html_elem(h, "p",
              T(p->lang, "The categories concerns are filed under, and the days within which a "
                         "concern of each is due. A retired service is no longer offered."),
              NULL);
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "id", "services-list", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    static const char *const heads[] = {N_("Code"),    N_("Name"),      N_("Group"),
                                        N_("Conduct"), N_("Questions"), N_("Due (days)"),
                                        N_("Retire")};
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        html_elem(h, "th", T(p->lang, heads[i]), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *sv;
    json_array_foreach(services, i, sv) service_row(p, sv, r);
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
    retired_table(p, retired);
    const p_error *err = err_for(r, "service");
    html_elem(h, "h3", T(p->lang, "Add a service"), NULL);
    if (err) page_error(p, err);
    html_open(h, "form", "method", "post", "action", ADMIN_PATH "/services#services", "class",
              "stack", "id", "service", NULL);
    page_csrf_field(p);
    community_admin_input(p, "service", T(p->lang, "Code (a-z, 0-9 and _)"), "text", "code",
                          value_for(r, "service", "code"), err);
    community_admin_input(p, "service", T(p->lang, "Name in English"), "text", "name",
                          value_for(r, "service", "name"), err);
    community_admin_input(p, "service", T(p->lang, "Name in Russian"), "text", "name_ru",
                          value_for(r, "service", "name_ru"), err);
    community_admin_input(p, "service", T(p->lang, "Group"), "text", "group",
                          value_for(r, "service", "group"), err);
    community_admin_input(
        p, "service", T(p->lang, "Due within (days)"), "number", "due_days",
        r && strcmp(r->form_id, "service") == 0 ? value_for(r, "service", "due_days") : "14", err);
    html_open(h, "div", "class", "field check", NULL);
    if (*value_for(r, "service", "conduct"))
        html_void(h, "input", "type", "checkbox", "name", "conduct", "value", "1", "id",
                  "f-service-conduct", "checked", "checked", NULL);
    else
        html_void(h, "input", "type", "checkbox", "name", "conduct", "value", "1", "id",
                  "f-service-conduct", NULL);
    html_elem(h, "label", T(p->lang, "About police conduct (never shown to the unit concerned)"),
              "for", "f-service-conduct", NULL);
    html_close(h, "div");
    html_elem(h, "button", T(p->lang, "Add"), "type", "submit", "class", "primary", NULL);
    html_close(h, "form");
    html_close(h, "section");
}

static const char *done_notice(const char *lang, const char *done)
{
    if (!done) return NULL;
    for (size_t i = 0; i < N_PLACE_FORMS; i++)
        if (strcmp(place_forms[i].entity, done) == 0) return T(lang, place_forms[i].added);
    if (strcmp(done, "service") == 0) return T(lang, "The service was added.");
    if (strcmp(done, "retired") == 0) return T(lang, "The service was retired.");
    if (strcmp(done, "restored") == 0) return T(lang, "The service is offered again.");
    return T(lang, "Your changes were saved.");
}

static void admin_page(http_request *req, const struct refused *r, int status)
{
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct places all = {{NULL}};
    json_t *services = NULL, *retired = NULL;
    int rc = P_OK;
    for (size_t i = 0; rc == P_OK && i < N_PLACE_FORMS; i++)
        rc = community_places(s, place_forms[i].entity, &all.list[i], &err);
    if (rc == P_OK) rc = community_services(s, &services, &err);
    if (rc == P_OK) rc = community_services_retired(s, &retired, &err);
    if (rc != P_OK) {
        page_refusal(req, rc, &err, "/", T(req->lang, "Go to the home page"));
        goto done;
    }
    struct page p;
    page_begin(&p, req, T(req->lang, "Community setup"));
    html *h = &p.h;
    const char *notice = r ? NULL : done_notice(p.lang, http_query(req, "done"));
    if (notice) html_elem(h, "p", notice, "class", "notice", "role", "status", NULL);
    /* A refused form's error is shown above that form (its action's #fragment goes there). */
    html_open(h, "nav", "class", "toc", "aria-label", T(p.lang, "Sections"), NULL);
    html_open(h, "ul", NULL);
    for (size_t i = 0; i < N_PLACE_FORMS; i++) {
        char href[32];
        snprintf(href, sizeof href, "#%s", place_forms[i].section);
        html_open(h, "li", NULL);
        html_elem(h, "a", T(p.lang, place_forms[i].heading), "href", href, NULL);
        html_close(h, "li");
    }
    html_open(h, "li", NULL);
    html_elem(h, "a", T(p.lang, "Services"), "href", "#services", NULL);
    html_close(h, "li");
    html_close(h, "ul");
    html_close(h, "nav");
    for (size_t i = 0; i < N_PLACE_FORMS; i++)
        place_section(&p, &place_forms[i], all.list[i], &all, r);
    service_section(&p, services, retired, r);
    page_finish(&p, status);
done:
    for (size_t i = 0; i < N_PLACE_FORMS; i++)
        json_decref(all.list[i]);
    json_decref(services);
    json_decref(retired);
}

static void show(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    admin_page(req, NULL, 200);
}

/* After a service call: 303 to the page on success, the page with the form's values and
 * error on a refusal the form can fix, an error page otherwise. */
static void answer(http_request *req, int rc, p_error *err, const char *form_id, const form *f,
                   const char *done)
{
    if (rc == P_OK) {
        char to[96];
        snprintf(to, sizeof to, ADMIN_PATH "?done=%s", done);
        http_redirect(req, to);
    } else if (rc == P_EINVAL || rc == P_EUNPROC || rc == P_ECONFLICT) {
        community_admin_localize(req->lang, err);
        struct refused r = {form_id, f, err};
        admin_page(req, &r, rc == P_ECONFLICT ? 409 : 422);
    } else {
        page_refusal(req, rc, err, ADMIN_PATH, T(req->lang, "Community setup"));
    }
}

static void place_submit(http_request *req, const struct place_form *pf)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        json_t *body = json_object();
        for (size_t i = 0; i < 7 && pf->fields[i].name; i++) {
            const char *v = form_get(&f, pf->fields[i].name);
            json_object_set_new(body, pf->fields[i].name, json_string(v ? v : ""));
        }
        p_error err;
        p_error_clear(&err);
        struct actor by = api_actor(req);
        int rc = community_place_create(s, pf->entity, body, &by, &err);
        answer(req, rc, &err, pf->entity, &f, pf->entity);
        json_decref(body);
    }
    form_free(&f);
}

static void area_submit(http_request *req)
{
    place_submit(req, &place_forms[0]);
}
static void site_submit(http_request *req)
{
    place_submit(req, &place_forms[1]);
}
static void vehicle_submit(http_request *req)
{
    place_submit(req, &place_forms[2]);
}
static void forum_submit(http_request *req)
{
    place_submit(req, &place_forms[3]);
}

/* due_days from a form: a number when it is one, else the text, which the service refuses
 * naming due_days. */
static json_t *due_days_of(const char *v)
{
    int64_t n = 0;
    if (v && text_parse_int64(v, INT32_MIN, INT32_MAX, &n)) return json_integer(n);
    return json_string(v ? v : "");
}

static void service_submit(http_request *req)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        json_t *body = json_object();
        static const char *const texts[] = {"code", "name", "name_ru", "group"};
        for (size_t i = 0; i < 4; i++) {
            const char *v = form_get(&f, texts[i]);
            json_object_set_new(body, texts[i], json_string(v ? v : ""));
        }
        const char *due = form_get(&f, "due_days");
        if (due && *due) json_object_set_new(body, "due_days", due_days_of(due));
        json_object_set_new(body, "conduct", json_boolean(form_get(&f, "conduct") != NULL));
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_service_save(s, NULL, body, &by, &out, &err);
        answer(req, rc, &err, "service", &f, "service");
        json_decref(out);
        json_decref(body);
    }
    form_free(&f);
}

enum service_change { CHANGE_DUE_DAYS, CHANGE_RETIRE, CHANGE_RESTORE };

/* Changes one service of the path: its due days, or retires or restores it. */
static void service_change(http_request *req, enum service_change what)
{
    if (!page_require(req, PERM_REFERENCE_EDIT)) return;
    form f;
    if (!community_admin_read_form(req, &f)) return;
    store *s = api_store(req);
    if (s) {
        const char *code = http_path_param(req, "code");
        json_t *body = what == CHANGE_DUE_DAYS
                           ? json_pack("{s:o}", "due_days", due_days_of(form_get(&f, "due_days")))
                           : json_pack("{s:b}", "active", what == CHANGE_RESTORE);
        p_error err;
        p_error_clear(&err);
        json_t *out = NULL;
        struct actor by = api_actor(req);
        int rc = community_service_save(s, code, body, &by, &out, &err);
        char form_id[64];
        snprintf(form_id, sizeof form_id, "due-%s", code);
        static const char *const done[] = {"saved", "retired", "restored"};
        answer(req, rc, &err, form_id, &f, done[what]);
        json_decref(out);
        json_decref(body);
    }
    form_free(&f);
}

static void due_submit(http_request *req)
{
    service_change(req, CHANGE_DUE_DAYS);
}

static void retire_submit(http_request *req)
{
    service_change(req, CHANGE_RETIRE);
}

static void restore_submit(http_request *req)
{
    service_change(req, CHANGE_RESTORE);
}

static const struct param_spec show_params[] = {
    {.name = "done",
     .type = PARAM_ENUM,
     .enum_values = "area|site|vehicle|forum|service|retired|restored|saved"},
    {0}};
static const struct param_spec code_params[] = {{.name = "code", .type = PARAM_CODE, .max_len = 40},
                                                {0}};

void community_admin_pages_register(void)
{
    const struct route routes[] = {
        {.methods = HTTP_GET, .pattern = ADMIN_PATH, .handler = show, .params = show_params},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/areas",
         .handler = area_submit,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/sites",
         .handler = site_submit,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/vehicles",
         .handler = vehicle_submit,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/forums",
         .handler = forum_submit,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services",
         .handler = service_submit,
         .body_limit = 8192},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services/{code}/due",
         .handler = due_submit,
         .params = code_params,
         .body_limit = 4096},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services/{code}/retire",
         .handler = retire_submit,
         .params = code_params,
         .body_limit = 4096},
        {.methods = HTTP_POST,
         .pattern = ADMIN_PATH "/services/{code}/restore",
         .handler = restore_submit,
         .params = code_params,
         .body_limit = 4096},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
    community_admin_forum_pages_register();
    community_admin_questions_register();
}
