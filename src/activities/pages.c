/* pages.c (activities): the list of activities with its filter form, facet counts and
 * pager, and the detail page with its Edit and Delete actions. Reading needs a signed-in
 * user; the actions show only to users who may write the activity's lead organisation,
 * and the detail page lists the activity's likely duplicates (pages_overlap.c).
 * The create and edit forms live in pages_form.c. */
#include "activities/pages.h"
#include "activities/activities.h"
#include "activities/internal.h"
#include "activities/facets.h"
#include "activities/overlap.h"
#include "activities/pages_internal.h"
#include "auth/authz.h"
#include "core/text.h"
#include "framework/service.h"
#include "http/response.h"
#include "http/router.h"
#include "library/library.h"
#include "web/api.h"

#include <stdio.h>
#include <string.h>

#define PAGE_LIMIT 50

/* The filters of the list page, in the order of GET /api/v1/activities. */
static const char *const filter_names[] = {"q",      "priority", "focus",   "line",         "type",
                                           "status", "org",      "country", "target_group", "from",
                                           "to",     "sort"};
#define N_FILTERS (sizeof filter_names / sizeof filter_names[0])

const char *actp_str(json_t *rec, const char *key)
{
    const char *v = json_string_value(json_object_get(rec, key));
    return v ? v : "";
}

const char *actp_title(const char *lang, json_t *rec)
{
    json_t *t = json_object_get(rec, "title");
    const char *ru = json_string_value(json_object_get(t, "ru"));
    if (strcmp(lang, "ru") == 0 && ru && *ru) return ru;
    const char *en = json_string_value(json_object_get(t, "en"));
    return en ? en : "";
}

const char *actp_label(const char *lang, const char *value)
{
    static const struct {
        const char *value, *label;
    } labels[] = {
        {"training", N_("Training")},
        {"workshop", N_("Workshop")},
        {"conference", N_("Conference")},
        {"seminar", N_("Seminar")},
        {"needs_assessment", N_("Needs assessment")},
        {"advice", N_("Advice")},
        {"equipment_donation", N_("Equipment donation")},
        {"study_tour", N_("Study tour")},
        {"exercise", N_("Exercise")},
        {"publication", N_("Publication")},
        {"forum_support", N_("Forum support")},
        {"survey", N_("Survey")},
        {"awareness_campaign", N_("Awareness campaign")},
        {"planned", N_("Planned")},
        {"ongoing", N_("Ongoing")},
        {"completed", N_("Completed")},
        {"cancelled", N_("Cancelled")},
        {"police", N_("Police")},
        {"prosecutors", N_("Prosecutors")},
        {"judges", N_("Judges")},
        {"border_guards", N_("Border guards")},
        {"customs", N_("Customs")},
        {"labour_inspectors", N_("Labour inspectors")},
        {"migration_officers", N_("Migration officers")},
        {"financial_investigators", N_("Financial investigators")},
        {"civil_society", N_("Civil society")},
        {"government_officials", N_("Government officials")},
        {"other", N_("Other")},
        {"-planned_start", N_("Newest first")},
        {"planned_start", N_("Oldest first")},
        {"title", N_("Title")},
        {"id", N_("Order of creation")},
    };
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (strcmp(value, labels[i].value) == 0) return T(lang, labels[i].label);
    return value;
}

bool actp_may_write(http_request *req, const char *org)
{
    if (req->who.via == AUTH_NONE) return false;
    p_error err;
    p_error_clear(&err);
    return authz_check(&req->who, PERM_ORG_WRITE, org, false, &err) == P_OK;
}

bool actp_require_write(http_request *req, const char *org)
{
    if (req->who.via == AUTH_NONE) {
        if (http_is_write(req))
            http_redirect(req, "/login");
        else
            (void)page_require_sign_in(req);
        return false;
    }
    p_error err;
    p_error_clear(&err);
    if (authz_check(&req->who, PERM_ORG_WRITE, org, http_is_write(req), &err) == P_OK) return true;
    struct page p;
    page_begin(&p, req, T(req->lang, "Not allowed"));
    if (strcmp(err.code, "csrf") == 0)
        html_elem(&p.h, "p",
                  T(p.lang, "This form has expired or was sent from another site. "
                            "Go back, reload the page and try again."),
                  "class", "error", "role", "alert", NULL);
    else
        html_elem(&p.h, "p", T(p.lang, "You can change activities of your own organisation only."),
                  "class", "error", "role", "alert", NULL);
    html_open(&p.h, "p", NULL);
    html_elem(&p.h, "a", T(p.lang, "All activities"), "href", "/activities", NULL);
    html_close(&p.h, "p");
    page_finish(&p, 403);
    return false;
}

void actp_error_page(http_request *req, int rc, const p_error *err)
{
    struct page p;
    bool not_found = rc == P_ENOTFOUND;
    page_begin(&p, req,
               not_found ? T(req->lang, "Not found") : T(req->lang, "Something went wrong"));
    if (rc == P_ESTORE || rc == P_EIO)
        html_elem(&p.h, "p", T(p.lang, "The request could not be completed. Please try again."),
                  NULL);
    else
        page_error(&p, err);
    html_open(&p.h, "p", NULL);
    html_elem(&p.h, "a", T(p.lang, "All activities"), "href", "/activities", NULL);
    html_close(&p.h, "p");
    page_finish(&p, p_status_http((p_status)rc));
}

/* A query parameter, NULL when absent or empty (the filter form sends "" for "all"). */
static const char *query(http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

/* Appends "&name=value" (or "?name=value" first) when value is set. */
static void add_query(buf *b, const char *name, const char *value)
{
    if (!value || !*value) return;
    buf_putc(b, strchr(buf_str(b), '?') ? '&' : '?');
    buf_puts(b, name);
    buf_putc(b, '=');
    buf_url_encode(b, value);
}

/* /activities with the current filters, name1 and name2 (when not NULL) set to value1
 * and value2 instead of theirs. */
static void filter_url(buf *b, http_request *req, const char *name1, const char *value1,
                       const char *name2, const char *value2)
{
    buf_puts(b, "/activities");
    for (size_t i = 0; i < N_FILTERS; i++) {
        const char *v = query(req, filter_names[i]);
        if (name1 && strcmp(filter_names[i], name1) == 0) v = value1;
        if (name2 && strcmp(filter_names[i], name2) == 0) v = value2;
        add_query(b, filter_names[i], v);
    }
}

/* <a href="PREFIX/code">text</a> */
static void code_link(html *h, const char *prefix, const char *code, const char *text)
{
    buf href = BUF_INIT;
    buf_puts(&href, prefix);
    buf_url_encode(&href, code);
    html_elem(h, "a", text, "href", buf_str(&href), NULL);
    buf_free(&href);
}

/* ---- the list ----------------------------------------------------------------------------- */

/* A <select> of a filter: "All" then one option per item of a framework list. */
static void framework_select(struct page *p, const char *label, const char *name, json_t *items)
{
    html *h = &p->h;
    const char *current = query(p->req, name);
    char id[40];
    snprintf(id, sizeof id, "f-%s", name);
    html_open(h, "div", "class", "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    html_open(h, "select", "name", name, "id", id, NULL);
    html_elem(h, "option", T(p->lang, "All"), "value", "", NULL);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *code = actp_str(it, "code");
        const char *ru = actp_str(it, "name_ru");
        const char *name_text = strcmp(p->lang, "ru") == 0 && *ru ? ru : actp_str(it, "name");
        if (current && strcmp(current, code) == 0)
            html_elem(h, "option", name_text, "value", code, "selected", "selected", NULL);
        else
            html_elem(h, "option", name_text, "value", code, NULL);
    }
    html_close(h, "select");
    html_close(h, "div");
}

void actp_enum_select(struct page *p, const char *label, const char *name, const char *values,
                      const char *current, const char *all_label, const char *error_text)
{
    html *h = &p->h;
    char id[40], err_id[48];
    snprintf(id, sizeof id, "f-%s", name);
    snprintf(err_id, sizeof err_id, "f-%s-error", name);
    html_open(h, "div", "class", error_text ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    if (error_text)
        html_open(h, "select", "name", name, "id", id, "aria-invalid", "true", "aria-describedby",
                  err_id, NULL);
    else
        html_open(h, "select", "name", name, "id", id, NULL);
    if (all_label) html_elem(h, "option", all_label, "value", "", NULL);
    for (const char *v = values; v && *v;) {
        const char *bar = strchr(v, '|');
        char value[40];
        snprintf(value, sizeof value, "%.*s", (int)(bar ? bar - v : (long)strlen(v)), v);
        const char *text = actp_label(p->lang, value);
        if (current && strcmp(current, value) == 0)
            html_elem(h, "option", text, "value", value, "selected", "selected", NULL);
        else
            html_elem(h, "option", text, "value", value, NULL);
        v = bar ? bar + 1 : NULL;
    }
    html_close(h, "select");
    if (error_text) html_elem(h, "p", error_text, "class", "field-error", "id", err_id, NULL);
    html_close(h, "div");
}

static void filter_form(struct page *p, json_t *priorities, json_t *lines)
{
    html *h = &p->h;
    http_request *req = p->req;
    html_open(h, "form", "method", "get", "action", "/activities", "class", "filters", "role",
              "search", "id", "activity-filters", NULL);
    page_input(p, T(p->lang, "Search"), "search", "q", query(req, "q"), NULL);
    framework_select(p, T(p->lang, "Thematic priority"), "priority", priorities);
    page_input(p, T(p->lang, "Focus area code"), "text", "focus", query(req, "focus"), NULL);
    framework_select(p, T(p->lang, "Line of action"), "line", lines);
    actp_enum_select(p, T(p->lang, "Type"), "type", ACTIVITIES_TYPES, query(req, "type"),
                     T(p->lang, "All"), NULL);
    actp_enum_select(p, T(p->lang, "Status"), "status", ACTIVITIES_STATUSES, query(req, "status"),
                     T(p->lang, "All"), NULL);
    page_input(p, T(p->lang, "Organisation code"), "text", "org", query(req, "org"), NULL);
    page_input(p, T(p->lang, "Country code"), "text", "country", query(req, "country"), NULL);
    actp_enum_select(p, T(p->lang, "Target group"), "target_group", ACTIVITIES_TARGET_GROUPS,
                     query(req, "target_group"), T(p->lang, "All"), NULL);
    page_input(p, T(p->lang, "From"), "date", "from", query(req, "from"), NULL);
    page_input(p, T(p->lang, "To"), "date", "to", query(req, "to"), NULL);
    actp_enum_select(p, T(p->lang, "Sort"), "sort", ACTIVITIES_SORTS, query(req, "sort"), NULL,
                     NULL);
    html_elem(h, "button", T(p->lang, "Filter"), "type", "submit", NULL);
    html_close(h, "form");
}

/* The name in lang of the framework record code among items, or code when it is not there. */
static const char *framework_name(const char *lang, json_t *items, const char *code)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (strcmp(actp_str(it, "code"), code) != 0) continue;
        const char *ru = actp_str(it, "name_ru");
        return strcmp(lang, "ru") == 0 && *ru ? ru : actp_str(it, "name");
    }
    return code;
}

/* One facet as a list of links that add its filter; year adds from and to. Priorities
 * show by name (from priorities), types and statuses by label. */
static void facet_list(struct page *p, json_t *facets, const char *facet, const char *heading,
                       json_t *priorities)
{
    html *h = &p->h;
    json_t *counts = json_object_get(facets, facet);
    char id[32];
    snprintf(id, sizeof id, "facet-%s", facet);
    html_open(h, "div", "class", "facet", "id", id, NULL);
    html_elem(h, "h3", heading, NULL);
    if (json_object_size(counts) == 0) {
        html_elem(h, "p", "—", "class", "empty", NULL);
        html_close(h, "div");
        return;
    }
    html_open(h, "ul", NULL);
    const char *value;
    json_t *n;
    json_object_foreach(counts, value, n)
    {
        buf href = BUF_INIT;
        if (strcmp(facet, "year") == 0) {
            char from[16], to[16];
            snprintf(from, sizeof from, "%.4s-01-01", value);
            snprintf(to, sizeof to, "%.4s-12-31", value);
            filter_url(&href, p->req, "from", from, "to", to);
        } else {
            filter_url(&href, p->req, facet, value, NULL, NULL);
        }
        char count[24];
        snprintf(count, sizeof count, "%lld", (long long)json_integer_value(n));
        const char *text = strcmp(facet, "priority") == 0
                               ? framework_name(p->lang, priorities, value)
                           : strcmp(facet, "year") == 0 ? value
                                                        : actp_label(p->lang, value);
        html_open(h, "li", "data-value", value, "data-count", count, NULL);
        html_elem(h, "a", text, "href", buf_str(&href), NULL);
        html_text(h, " ");
        html_elem(h, "span", count, "class", "count", NULL);
        html_close(h, "li");
        buf_free(&href);
    }
    html_close(h, "ul");
    html_close(h, "div");
}

static void facets_section(struct page *p, json_t *facets, json_t *priorities)
{
    html_open(&p->h, "section", "class", "facets", "id", "facets", "aria-label",
              T(p->lang, "Counts"), NULL);
    facet_list(p, facets, "priority", T(p->lang, "Thematic priority"), priorities);
    facet_list(p, facets, "type", T(p->lang, "Type"), NULL);
    facet_list(p, facets, "status", T(p->lang, "Status"), NULL);
    facet_list(p, facets, "year", T(p->lang, "Year"), NULL);
    html_close(&p->h, "section");
}

/* "start – end", or start alone. */
static void period_text(html *h, json_t *rec, const char *start, const char *end)
{
    html_text(h, actp_str(rec, start));
    if (*actp_str(rec, end)) {
        html_text(h, " – ");
        html_text(h, actp_str(rec, end));
    }
}

static void activities_table(struct page *p, json_t *items)
{
    html *h = &p->h;
    html_open(h, "div", "class", "table-wrap", NULL);
    html_open(h, "table", "id", "activities", "class", "data", NULL);
    html_open(h, "thead", NULL);
    html_open(h, "tr", NULL);
    html_elem(h, "th", T(p->lang, "Id"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Title"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Type"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Status"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Lead organisation"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Dates"), "scope", "col", NULL);
    html_elem(h, "th", T(p->lang, "Participants"), "scope", "col", NULL);
    html_close(h, "tr");
    html_close(h, "thead");
    html_open(h, "tbody", NULL);
    size_t i;
    json_t *a;
    json_array_foreach(items, i, a)
    {
        html_open(h, "tr", "class", "activity", NULL);
        html_open(h, "td", "class", "id", NULL);
        code_link(h, "/activities/", actp_str(a, "id"), actp_str(a, "id"));
        html_close(h, "td");
        html_elem(h, "td", actp_title(p->lang, a), "class", "title", NULL);
        html_elem(h, "td", actp_label(p->lang, actp_str(a, "type")), NULL);
        html_elem(h, "td", actp_label(p->lang, actp_str(a, "status")), NULL);
        html_open(h, "td", NULL);
        code_link(h, "/organisations/", actp_str(a, "lead_org"), actp_str(a, "lead_org"));
        html_close(h, "td");
        html_open(h, "td", "class", "dates", NULL);
        period_text(h, a, "planned_start", "planned_end");
        html_close(h, "td");
        json_t *total = json_object_get(a, "participants_total");
        char n[24] = "";
        if (json_is_integer(total))
            snprintf(n, sizeof n, "%lld", (long long)json_integer_value(total));
        html_elem(h, "td", n, "class", "participants", NULL);
        html_close(h, "tr");
    }
    html_close(h, "tbody");
    html_close(h, "table");
    html_close(h, "div");
}

static void list_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    struct activities_filter f;
    activities_filter_from_query(req, &f);
    f.limit = PAGE_LIMIT;
    json_t *items = NULL, *facets = NULL, *priorities = NULL, *lines = NULL;
    char next[CURSOR_MAX];
    int rc = P_OK;
    /* The form's date inputs send YYYY-MM-DD; the declared parameters also allow "". */
    if (f.from && !text_is_date(f.from))
        rc = p_fail(&err, P_EINVAL, "from", "%s", T(req->lang, "Enter a date as YYYY-MM-DD."));
    else if (f.to && !text_is_date(f.to))
        rc = p_fail(&err, P_EINVAL, "to", "%s", T(req->lang, "Enter a date as YYYY-MM-DD."));
    if (rc == P_OK) rc = activities_list(s, &f, &items, next, &err);
    if (rc == P_OK) rc = activities_facets(s, &f, &facets, &err);
    if (rc == P_OK) rc = framework_priorities_list(s, &priorities, &err);
    if (rc == P_OK) rc = framework_lines_list(s, &lines, &err);
    if (rc != P_OK) {
        actp_error_page(req, rc, &err);
    } else {
        struct page p;
        page_begin(&p, req, T(req->lang, "Activities"));
        html *h = &p.h;
        if (authz_role_has(req->who.role, PERM_ORG_WRITE)) {
            html_open(h, "p", "class", "actions", NULL);
            html_elem(h, "a", T(p.lang, "New activity"), "href", "/activities/new", "class",
                      "button", NULL);
            html_close(h, "p");
        }
        filter_form(&p, priorities, lines);
        facets_section(&p, facets, priorities);
        if (json_array_size(items) == 0)
            html_elem(h, "p", T(p.lang, "No activities match."), "class", "empty", NULL);
        else
            activities_table(&p, items);
        if (next[0]) {
            buf href = BUF_INIT;
            filter_url(&href, req, NULL, NULL, NULL, NULL);
            add_query(&href, "cursor", next);
            html_open(h, "nav", "class", "pager", "aria-label", T(p.lang, "Pages"), NULL);
            html_elem(h, "a", T(p.lang, "Next"), "href", buf_str(&href), "rel", "next", "class",
                      "next", NULL);
            html_close(h, "nav");
            buf_free(&href);
        }
        page_finish(&p, 200);
    }
    json_decref(items);
    json_decref(facets);
    json_decref(priorities);
    json_decref(lines);
}

/* ---- the detail page ---------------------------------------------------------------------- */

static void dt(html *h, const char *label)
{
    html_elem(h, "dt", label, NULL);
}

/* <dt>label</dt><dd>text</dd>, "—" for an empty text. */
static void dl_row(html *h, const char *label, const char *text, const char *cls)
{
    dt(h, label);
    html_elem(h, "dd", text && *text ? text : "—", "class", cls, NULL);
}

/* A <dd> of the codes of rec's list member, each linked to prefix/CODE (or plain text
 * when prefix is NULL; enum values by their labels). */
static void codes_row(struct page *p, json_t *rec, const char *member, const char *label,
                      const char *prefix)
{
    html *h = &p->h;
    dt(h, label);
    html_open(h, "dd", "class", member, NULL);
    json_t *codes = json_object_get(rec, member);
    if (json_array_size(codes) == 0) html_text(h, "—");
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        if (i) html_text(h, ", ");
        if (prefix)
            code_link(h, prefix, json_string_value(c), json_string_value(c));
        else
            html_text(h, actp_label(p->lang, json_string_value(c)));
    }
    html_close(h, "dd");
}

static void count_row(html *h, const char *label, json_t *n, const char *cls)
{
    char text[24] = "";
    if (json_is_integer(n)) snprintf(text, sizeof text, "%lld", (long long)json_integer_value(n));
    dl_row(h, label, text, cls);
}

static void participants_section(struct page *p, json_t *a)
{
    html *h = &p->h;
    html_open(h, "section", "id", "participants", NULL);
    html_elem(h, "h2", T(p->lang, "Participants"), NULL);
    html_open(h, "dl", "class", "details", NULL);
    json_t *total = json_object_get(a, "participants_total");
    json_t *women = json_object_get(a, "participants_women");
    count_row(h, T(p->lang, "Total"), total, "participants-total");
    count_row(h, T(p->lang, "Women"), women, "participants-women");
    count_row(h, T(p->lang, "Men"), json_object_get(a, "participants_men"), "participants-men");
    char share[32] = "";
    if (json_is_integer(total) && json_is_integer(women) && json_integer_value(total) > 0)
        snprintf(share, sizeof share, "%.1f%%",
                 100.0 * (double)json_integer_value(women) / (double)json_integer_value(total));
    dl_row(h, T(p->lang, "Share of women"), share, "women-share");
    dt(h, T(p->lang, "By country"));
    html_open(h, "dd", "class", "participants-by-country", NULL);
    json_t *by = json_object_get(a, "participants_by_country");
    if (json_object_size(by) == 0) html_text(h, "—");
    const char *code;
    json_t *n;
    bool first = true;
    json_object_foreach(by, code, n)
    {
        if (!first) html_text(h, ", ");
        first = false;
        code_link(h, "/countries/", code, code);
        html_textf(h, ": %lld", (long long)json_integer_value(n));
    }
    html_close(h, "dd");
    dl_row(h, T(p->lang, "Training of trainers"),
           json_is_true(json_object_get(a, "tot")) ? T(p->lang, "Yes") : T(p->lang, "No"), "tot");
    html_close(h, "dl");
    html_close(h, "section");
}

/* The library documents the activity links, each by its title. */
static void documents_section(struct page *p, store *s, json_t *ids)
{
    if (json_array_size(ids) == 0) return;
    html *h = &p->h;
    html_open(h, "section", "id", "documents", NULL);
    html_elem(h, "h2", T(p->lang, "Library documents"), NULL);
    html_open(h, "ul", NULL);
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id)
    {
        json_t *doc = NULL;
        p_error err;
        p_error_clear(&err);
        char href[64];
        snprintf(href, sizeof href, "/library/documents/%lld", (long long)json_integer_value(id));
        html_open(h, "li", NULL);
        if (library_document_get(s, json_integer_value(id), &doc, &err) == P_OK)
            html_elem(h, "a", json_string_value(json_object_get(doc, "title")), "href", href, NULL);
        else
            html_elem(h, "a", href, "href", href, NULL);
        html_close(h, "li");
        json_decref(doc);
    }
    html_close(h, "ul");
    html_close(h, "section");
}

/* The Edit link and the Delete form, for users who may write the activity. */
static void detail_actions(struct page *p, json_t *a)
{
    if (!actp_may_write(p->req, actp_str(a, "lead_org"))) return;
    html *h = &p->h;
    buf edit = BUF_INIT, del = BUF_INIT;
    buf_puts(&edit, "/activities/");
    buf_url_encode(&edit, actp_str(a, "id"));
    buf_puts(&del, buf_str(&edit));
    buf_puts(&edit, "/edit");
    buf_puts(&del, "/delete");
    html_open(h, "div", "class", "actions", NULL);
    html_elem(h, "a", T(p->lang, "Edit"), "href", buf_str(&edit), "class", "button", NULL);
    html_open(h, "form", "method", "post", "action", buf_str(&del), "class", "inline", NULL);
    page_csrf_field(p);
    html_elem(h, "button", T(p->lang, "Delete"), "type", "submit", "class", "danger",
              "data-confirm", T(p->lang, "Delete this activity? This cannot be undone."), NULL);
    html_close(h, "form");
    html_close(h, "div");
    buf_free(&edit);
    buf_free(&del);
}

static void detail_page(http_request *req)
{
    if (page_require_sign_in(req)) return;
    store *s = api_store(req);
    if (!s) return;
    p_error err;
    p_error_clear(&err);
    json_t *a = NULL, *lead = NULL;
    int rc = activities_get(s, http_path_param(req, "id"), &a, &err);
    if (rc != P_OK) {
        actp_error_page(req, rc, &err);
        return;
    }
    p_error lead_err;
    p_error_clear(&lead_err);
    if (framework_get(s, FRAMEWORK_ORGANISATION, actp_str(a, "lead_org"), &lead, &lead_err) != P_OK)
        lead = NULL; /* the code alone still identifies it */
    struct page p;
    page_begin(&p, req, actp_title(req->lang, a));
    html *h = &p.h;
    detail_actions(&p, a);
    json_t *title = json_object_get(a, "title"), *desc = json_object_get(a, "description");
    html_open(h, "dl", "class", "details", "id", "activity", NULL);
    dl_row(h, T(p.lang, "Id"), actp_str(a, "id"), "id");
    dl_row(h, T(p.lang, "Title in English"), json_string_value(json_object_get(title, "en")),
           "title-en");
    dl_row(h, T(p.lang, "Title in Russian"), json_string_value(json_object_get(title, "ru")),
           "title-ru");
    dl_row(h, T(p.lang, "Type"), actp_label(p.lang, actp_str(a, "type")), "type");
    dl_row(h, T(p.lang, "Status"), actp_label(p.lang, actp_str(a, "status")), "status");
    dt(h, T(p.lang, "Lead organisation"));
    html_open(h, "dd", "class", "lead-org", NULL);
    const char *lead_ru = actp_str(lead, "name_ru");
    code_link(h, "/organisations/", actp_str(a, "lead_org"),
              !lead                                   ? actp_str(a, "lead_org")
              : strcmp(p.lang, "ru") == 0 && *lead_ru ? lead_ru
                                                      : actp_str(lead, "name"));
    html_close(h, "dd");
    codes_row(&p, a, "partners", T(p.lang, "Partners"), "/organisations/");
    dt(h, T(p.lang, "Host country"));
    html_open(h, "dd", "class", "host-country", NULL);
    if (*actp_str(a, "host_country"))
        code_link(h, "/countries/", actp_str(a, "host_country"), actp_str(a, "host_country"));
    else
        html_text(h, "—");
    html_close(h, "dd");
    codes_row(&p, a, "beneficiary_countries", T(p.lang, "Beneficiary countries"), "/countries/");
    codes_row(&p, a, "priorities", T(p.lang, "Thematic priorities"), "/framework#priority-");
    codes_row(&p, a, "focus_areas", T(p.lang, "Focus areas"), "/framework#focus-area-");
    codes_row(&p, a, "lines", T(p.lang, "Lines of action"), "/framework#line-");
    codes_row(&p, a, "target_groups", T(p.lang, "Target groups"), NULL);
    dt(h, T(p.lang, "Planned"));
    html_open(h, "dd", "class", "planned", NULL);
    period_text(h, a, "planned_start", "planned_end");
    html_close(h, "dd");
    dt(h, T(p.lang, "Actual"));
    html_open(h, "dd", "class", "actual", NULL);
    if (*actp_str(a, "actual_start"))
        period_text(h, a, "actual_start", "actual_end");
    else
        html_text(h, "—");
    html_close(h, "dd");
    json_t *budget = json_object_get(a, "budget");
    char amount[64] = "";
    if (json_is_object(budget)) {
        json_t *v = json_object_get(budget, "amount");
        if (json_is_integer(v))
            snprintf(amount, sizeof amount, "%lld %s", (long long)json_integer_value(v),
                     actp_str(budget, "currency"));
        else
            snprintf(amount, sizeof amount, "%.2f %s", json_number_value(v),
                     actp_str(budget, "currency"));
    }
    dl_row(h, T(p.lang, "Budget"), amount, "budget");
    dl_row(h, T(p.lang, "Budget source"), actp_str(budget, "source"), "budget-source");
    html_close(h, "dl");
    /* Likely duplicates, so that whoever just saved (or reads) the activity sees them; the
     * page stands without them when the search fails. */
    json_t *overlaps = NULL;
    p_error overlap_err;
    p_error_clear(&overlap_err);
    if (overlap_for_activity(s, actp_str(a, "id"), NULL, &overlaps, &overlap_err) == P_OK &&
        json_array_size(overlaps) > 0)
        actp_overlap_panel(&p, overlaps, false);
    json_decref(overlaps);
    participants_section(&p, a);
    const char *d_en = json_string_value(json_object_get(desc, "en"));
    const char *d_ru = json_string_value(json_object_get(desc, "ru"));
    if ((d_en && *d_en) || (d_ru && *d_ru)) {
        html_open(h, "section", "id", "description", NULL);
        html_elem(h, "h2", T(p.lang, "Description"), NULL);
        if (d_en && *d_en) html_elem(h, "p", d_en, "lang", "en", NULL);
        if (d_ru && *d_ru) html_elem(h, "p", d_ru, "lang", "ru", NULL);
        html_close(h, "section");
    }
    html_open(h, "section", "id", "outcomes", NULL);
    html_elem(h, "h2", T(p.lang, "Outcomes"), NULL);
    html_elem(h, "p", *actp_str(a, "outcomes") ? actp_str(a, "outcomes") : "—", NULL);
    html_close(h, "section");
    documents_section(&p, s, json_object_get(a, "documents"));
    html_open(h, "p", NULL);
    html_elem(h, "a", T(p.lang, "All activities"), "href", "/activities", NULL);
    html_close(h, "p");
    page_finish(&p, 200);
    json_decref(a);
    json_decref(lead);
}

static void delete_submit(http_request *req)
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
    struct actor by = api_actor(req);
    rc = activities_delete(s, id, &by, &err);
    if (rc != P_OK)
        actp_error_page(req, rc, &err);
    else
        http_redirect(req, "/activities");
}

/* ---- routes ------------------------------------------------------------------------------- */

static const struct param_spec id_params[] = {{.name = "id", .type = PARAM_CODE, .max_len = 40},
                                              {0}};
static const struct param_spec list_params[] = {
    {.name = "cursor", .type = PARAM_CURSOR, .max_len = 255},
    {.name = "priority", .type = PARAM_STRING, .max_len = 16},
    {.name = "focus", .type = PARAM_STRING, .max_len = 16},
    {.name = "line", .type = PARAM_STRING, .max_len = 16},
    {.name = "org", .type = PARAM_STRING, .max_len = 16},
    {.name = "country", .type = PARAM_STRING, .max_len = 2},
    {.name = "type",
     .type = PARAM_ENUM,
     .enum_values = "|training|workshop|conference|seminar|"
                    "needs_assessment|advice|"
                    "equipment_donation|study_tour|exercise|"
                    "publication|forum_support|survey|"
                    "awareness_campaign"},
    {.name = "status", .type = PARAM_ENUM, .enum_values = "|planned|ongoing|completed|cancelled"},
    {.name = "target_group",
     .type = PARAM_ENUM,
     .enum_values = "|police|prosecutors|judges|border_guards|customs|labour_inspectors|"
                    "migration_officers|financial_investigators|civil_society|"
                    "government_officials|other"},
    {.name = "from", .type = PARAM_STRING, .max_len = 10},
    {.name = "to", .type = PARAM_STRING, .max_len = 10},
    {.name = "q", .type = PARAM_STRING, .max_len = 200},
    {.name = "sort", .type = PARAM_ENUM, .enum_values = "|-planned_start|planned_start|title|id"},
    {0}};

void activities_pages_register(void)
{
    activities_facets_register();
    const struct route routes[] = {
        {.methods = HTTP_GET,
         .pattern = "/activities",
         .handler = list_page,
         .params = list_params},
        {.methods = HTTP_POST, .pattern = "/activities", .handler = actp_create_submit},
        {.methods = HTTP_GET, .pattern = "/activities/new", .handler = actp_new_form},
        {.methods = HTTP_GET,
         .pattern = "/activities/{id}/edit",
         .handler = actp_edit_form,
         .params = id_params},
        {.methods = HTTP_POST,
         .pattern = "/activities/{id}/delete",
         .handler = delete_submit,
         .params = id_params},
        {.methods = HTTP_GET,
         .pattern = "/activities/{id}",
         .handler = detail_page,
         .params = id_params},
        {.methods = HTTP_POST,
         .pattern = "/activities/{id}",
         .handler = actp_update_submit,
         .params = id_params},
    };
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        router_add(&routes[i]);
}
