/* pages_overlap.c (activities): the panel of likely duplicates on the activity form and
 * the detail page. The server writes it after "Check for overlaps" (no script needed);
 * assets/overlaps.js fills the same markup live, reading its labels from the panel's
 * data attributes, so both paths show the same thing in the page's language. */
#include "activities/overlap.h"
#include "activities/pages_internal.h"

#include <stdio.h>
#include <string.h>

/* The labels the script needs, as data-t-* attributes of the panel. */
static const struct {
    const char *attr, *msgid;
} panel_labels[] = {
    {"data-t-org", N_("Lead organisation")},
    {"data-t-dates", N_("Dates")},
    {"data-t-score", N_("Score")},
    {"data-t-priorities", N_("Shared thematic priorities")},
    {"data-t-focus", N_("Shared focus areas")},
    {"data-t-countries", N_("Shared countries")},
    {"data-t-time", N_("The planned periods overlap")},
    {"data-t-apart", N_("Days between the planned periods")},
    {"data-t-text", N_("Similar title")},
};
#define N_PANEL_LABELS 9 /* actp_overlap_panel writes each one by name */
_Static_assert(sizeof panel_labels / sizeof panel_labels[0] == N_PANEL_LABELS, "panel labels");

/* "label: value" as one reason item. */
static void reason(html *h, const char *label, const char *value)
{
    html_open(h, "li", NULL);
    html_text(h, label);
    if (value) {
        html_text(h, ": ");
        html_text(h, value);
    }
    html_close(h, "li");
}

/* The codes of the array arr joined by ", "; false when there are none. */
static bool join_codes(json_t *arr, buf *out)
{
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c)
    {
        if (!json_is_string(c)) continue;
        if (out->len) buf_puts(out, ", ");
        buf_puts(out, json_string_value(c));
    }
    return out->len > 0;
}

static void codes_reason(html *h, const char *label, json_t *arr)
{
    buf b = BUF_INIT;
    if (join_codes(arr, &b)) reason(h, label, buf_str(&b));
    buf_free(&b);
}

static void candidate(struct page *p, json_t *c)
{
    html *h = &p->h;
    const char *id = actp_str(c, "id");
    buf href = BUF_INIT;
    buf_puts(&href, "/activities/");
    buf_url_encode(&href, id);
    html_open(h, "li", "class", "overlap", "data-id", id, NULL);
    html_open(h, "p", "class", "overlap-head", NULL);
    html_elem(h, "a", id, "href", buf_str(&href), "class", "overlap-id", NULL);
    html_text(h, " ");
    html_elem(h, "span", actp_title(p->lang, c), "class", "overlap-title", NULL);
    html_close(h, "p");

    char dates[48], score[16];
    const char *end = actp_str(c, "planned_end");
    snprintf(dates, sizeof dates, "%s%s%s", actp_str(c, "planned_start"), *end ? " – " : "", end);
    snprintf(score, sizeof score, "%.2f", json_number_value(json_object_get(c, "score")));
    html_open(h, "ul", "class", "overlap-facts", NULL);
    html_open(h, "li", "class", "overlap-org", NULL);
    html_text(h, T(p->lang, "Lead organisation"));
    html_text(h, ": ");
    html_text(h, actp_str(c, "lead_org"));
    html_close(h, "li");
    html_open(h, "li", "class", "overlap-dates", NULL);
    html_text(h, T(p->lang, "Dates"));
    html_text(h, ": ");
    html_text(h, dates);
    html_close(h, "li");
    html_open(h, "li", "class", "overlap-score", NULL);
    html_text(h, T(p->lang, "Score"));
    html_text(h, ": ");
    html_text(h, score);
    html_close(h, "li");
    html_close(h, "ul");

    json_t *why = json_object_get(c, "reasons");
    html_open(h, "ul", "class", "overlap-reasons", NULL);
    codes_reason(h, T(p->lang, "Shared thematic priorities"),
                 json_object_get(why, "shared_priorities"));
    codes_reason(h, T(p->lang, "Shared focus areas"), json_object_get(why, "shared_focus_areas"));
    codes_reason(h, T(p->lang, "Shared countries"), json_object_get(why, "shared_countries"));
    json_t *apart = json_object_get(why, "days_apart");
    if (json_is_integer(apart) && json_integer_value(apart) == 0) {
        reason(h, T(p->lang, "The planned periods overlap"), NULL);
    } else if (json_is_integer(apart)) {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long)json_integer_value(apart));
        reason(h, T(p->lang, "Days between the planned periods"), n);
    }
    double text = json_number_value(json_object_get(why, "text_similarity"));
    if (text > 0) {
        char pct[16];
        snprintf(pct, sizeof pct, "%.0f%%", text * 100);
        reason(h, T(p->lang, "Similar title"), pct);
    }
    html_close(h, "ul");
    html_close(h, "li");
    buf_free(&href);
}

void actp_overlap_panel(struct page *p, json_t *candidates, bool on_form)
{
    html *h = &p->h;
    /* Unchecked, the panel is idle (hidden by app.css) until the script fills it; its
     * data-t-* attributes give the script its labels in the page's language. */
    const char *L[N_PANEL_LABELS];
    for (size_t i = 0; i < N_PANEL_LABELS; i++)
        L[i] = T(p->lang, panel_labels[i].msgid);
    html_open(h, "section", "id", "overlaps", "class", candidates ? "overlaps" : "overlaps idle",
              "aria-live", "polite", "aria-labelledby", "overlaps-heading", panel_labels[0].attr,
              L[0], panel_labels[1].attr, L[1], panel_labels[2].attr, L[2], panel_labels[3].attr,
              L[3], panel_labels[4].attr, L[4], panel_labels[5].attr, L[5], panel_labels[6].attr,
              L[6], panel_labels[7].attr, L[7], panel_labels[8].attr, L[8], NULL);
    html_elem(h, "h2", T(p->lang, "Possible overlaps"), "id", "overlaps-heading", NULL);
    html_elem(h, "p",
              on_form ? T(p->lang, "Activities of other organisations that may duplicate or "
                                   "overlap this one. Look at them before saving.")
                      : T(p->lang, "Activities of other organisations that may duplicate or "
                                   "overlap this one."),
              "class", "note", NULL);
    html_open(h, "ul", "class", "overlap-list", NULL);
    size_t i;
    json_t *c;
    json_array_foreach(candidates, i, c) candidate(p, c);
    html_close(h, "ul");
    if (candidates && json_array_size(candidates) == 0)
        html_elem(h, "p", T(p->lang, "No likely overlaps were found."), "class", "empty", NULL);
    html_close(h, "section");
}
