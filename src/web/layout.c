/* layout.c: page frame, navigation by role and the language switch. */
#include "web/layout.h"
#include "auth/authn.h"
#include "auth/authz.h"
#include "http/assets.h"
#include "http/response.h"
#include "http/router.h"

#include <stdio.h>
#include <string.h>

struct nav_item {
    const char *href;
    const char *label;
    int perm; /* -1: everyone signed in or not */
};

static const struct nav_item nav[] = {
    {"/activities", N_("Activities"), PERM_SIGNED_IN},
    {"/library", N_("Library"), PERM_SIGNED_IN},
    {"/officer/concerns", N_("Concerns"), PERM_CONCERNS},
    {"/admin/community", N_("Community setup"), PERM_REFERENCE_EDIT},
    {"/framework", N_("Framework"), PERM_SIGNED_IN},
    {"/organisations", N_("Organisations"), PERM_SIGNED_IN},
    {"/countries", N_("Countries"), PERM_SIGNED_IN},
    {"/admin/users", N_("Users"), PERM_USERS_ADMIN},
    {"/audit", N_("Audit trail"), PERM_AUDIT_READ},
};

#define RETURN_TARGET_MAX 500 /* longer targets fall back to the bare path */

/* Appends prefix and this request's path and query, encoded as one query value. */
static void return_link(buf *out, const char *prefix, http_request *req)
{
    buf target = BUF_INIT;
    http_request_target(req, &target);
    if (target.len > RETURN_TARGET_MAX) {
        buf_reset(&target);
        buf_puts(&target, req->path);
    }
    buf_puts(out, prefix);
    buf_url_encode(out, buf_str(&target));
    buf_free(&target);
}

static void write_nav(struct page *p)
{
    http_request *req = p->req;
    html *h = &p->h;
    html_open(h, "header", "class", "top", NULL);
    html_open(h, "nav", "aria-label", T(p->lang, "Main"), NULL);
    html_elem(h, "a", "Polis", "href", "/", "class", "brand", NULL);
    if (req->who.via != AUTH_NONE) html_open(h, "ul", NULL);
    for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
        if (req->who.via == AUTH_NONE ||
            !authz_role_has(req->who.role, (enum permission)nav[i].perm))
            continue;
        html_open(h, "li", NULL);
        const char *current =
            strncmp(req->path, nav[i].href, strlen(nav[i].href)) == 0 ? "page" : "false";
        html_elem(h, "a", T(p->lang, nav[i].label), "href", nav[i].href, "aria-current", current,
                  NULL);
        html_close(h, "li");
    }
    if (req->who.via != AUTH_NONE) html_close(h, "ul");
    html_open(h, "div", "class", "session", NULL);
    buf back = BUF_INIT;
    return_link(&back, strcmp(p->lang, "ru") == 0 ? "/lang/en?back=" : "/lang/ru?back=", req);
    html_elem(h, "a", strcmp(p->lang, "ru") == 0 ? "English" : "Русский", "href", buf_str(&back),
              "lang", strcmp(p->lang, "ru") == 0 ? "en" : "ru", "class", "lang-switch", NULL);
    buf_free(&back);
    if (req->who.via != AUTH_NONE) {
        html_elem(h, "a", req->who.login, "href", "/account", "class", "account", NULL);
        html_open(h, "form", "method", "post", "action", "/logout", "class", "inline", NULL);
        page_csrf_field(p);
        html_elem(h, "button", T(p->lang, "Sign out"), "type", "submit", NULL);
        html_close(h, "form");
    } else {
        html_elem(h, "a", T(p->lang, "Sign in"), "href", "/login", NULL);
    }
    html_close(h, "div");
    html_close(h, "nav");
    html_close(h, "header");
}

void page_begin(struct page *p, http_request *req, const char *title)
{
    memset(&p->h, 0, sizeof p->h);
    p->req = req;
    p->lang = req->lang;
    html *h = &p->h;
    HTML_LITERAL(h, "<!doctype html>");
    html_open(h, "html", "lang", p->lang, NULL);
    html_open(h, "head", NULL);
    html_void(h, "meta", "charset", "utf-8", NULL);
    html_void(h, "meta", "name", "viewport", "content", "width=device-width, initial-scale=1",
              NULL);
    if (req->who.via == AUTH_SESSION)
        html_void(h, "meta", "name", "csrf-token", "content", req->who.csrf, NULL);
    html_open(h, "title", NULL);
    html_text(h, title);
    html_text(h, " · Polis");
    html_close(h, "title");
    const char *css = assets_url("app.css"), *js = assets_url("app.js");
    if (css) html_void(h, "link", "rel", "stylesheet", "href", css, NULL);
    if (js) {
        html_open(h, "script", "src", js, "defer", "defer", NULL);
        html_close(h, "script");
    }
    html_close(h, "head");
    html_open(h, "body", NULL);
    html_elem(h, "a", T(p->lang, "Skip to content"), "href", "#main", "class", "skip", NULL);
    write_nav(p);
    html_open(h, "main", "id", "main", NULL);
    html_elem(h, "h1", title, NULL);
}

void page_finish(struct page *p, int status)
{
    html *h = &p->h;
    html_close(h, "main");
    html_open(h, "footer", NULL);
    html_text(h,
              T(p->lang, "Polis — police-related activities under the OSCE Strategic Framework"));
    html_close(h, "footer");
    html_close(h, "body");
    html_close(h, "html");
    http_reply_html(p->req, status, &p->h.b);
}

void page_csrf_field(struct page *p)
{
    if (p->req->who.via == AUTH_SESSION)
        html_void(&p->h, "input", "type", "hidden", "name", "csrf", "value", p->req->who.csrf,
                  NULL);
}

void page_error(struct page *p, const p_error *err)
{
    if (!err || err->status == P_OK) return;
    html_open(&p->h, "div", "class", "error", "role", "alert", NULL);
    html_text(&p->h, err->message);
    html_close(&p->h, "div");
}

void page_input(struct page *p, const char *label, const char *type, const char *name,
                const char *value, const p_error *err)
{
    html *h = &p->h;
    bool bad = err && err->status != P_OK && strcmp(err->field, name) == 0;
    char id[80], err_id[90];
    snprintf(id, sizeof id, "f-%s", name);
    snprintf(err_id, sizeof err_id, "f-%s-error", name);
    html_open(h, "div", "class", bad ? "field invalid" : "field", NULL);
    html_elem(h, "label", label, "for", id, NULL);
    if (bad)
        html_void(h, "input", "type", type, "name", name, "id", id, "value", value ? value : "",
                  "aria-invalid", "true", "aria-describedby", err_id, NULL);
    else
        html_void(h, "input", "type", type, "name", name, "id", id, "value", value ? value : "",
                  NULL);
    if (bad) html_elem(h, "p", err->message, "class", "field-error", "id", err_id, NULL);
    html_close(h, "div");
}

void page_refusal(http_request *req, int rc, const p_error *err, const char *back_href,
                  const char *back_label)
{
    int status = p_status_http((p_status)rc);
    struct page p;
    page_begin(&p, req,
               rc == P_ENOTFOUND               ? T(req->lang, "Not found")
               : status >= 400 && status < 500 ? T(req->lang, "The request was refused")
                                               : T(req->lang, "Something went wrong"));
    if (rc == P_ESTORE || rc == P_EIO)
        html_elem(&p.h, "p", T(p.lang, "The request could not be completed. Please try again."),
                  NULL);
    else
        page_error(&p, err);
    html_open(&p.h, "p", NULL);
    html_elem(&p.h, "a", back_label, "href", back_href, NULL);
    html_close(&p.h, "p");
    page_finish(&p, status);
}

bool page_require_sign_in(http_request *req)
{
    if (req->who.via != AUTH_NONE) return false;
    buf to = BUF_INIT;
    return_link(&to, "/login?next=", req);
    http_redirect(req, buf_str(&to));
    buf_free(&to);
    return true;
}

bool page_require(http_request *req, enum permission perm)
{
    if (req->who.via == AUTH_NONE) {
        /* After signing in, a write cannot be replayed by a redirect: come back to the home page.
         */
        if (http_is_write(req))
            http_redirect(req, "/login");
        else
            page_require_sign_in(req);
        return false;
    }
    p_error err;
    p_error_clear(&err);
    if (authz_check(&req->who, perm, NULL, http_is_write(req), &err) == P_OK) return true;
    struct page p;
    page_begin(&p, req, T(req->lang, "Not allowed"));
    if (strcmp(err.code, "csrf") == 0)
        html_elem(&p.h, "p",
                  T(p.lang, "This form has expired or was sent from another site. "
                            "Go back, reload the page and try again."),
                  "class", "error", "role", "alert", NULL);
    else
        html_elem(&p.h, "p", T(p.lang, "Your role does not give access to this page."), "class",
                  "error", "role", "alert", NULL);
    html_open(&p.h, "p", NULL);
    html_elem(&p.h, "a", T(p.lang, "Go to the home page"), "href", "/", NULL);
    html_close(&p.h, "p");
    page_finish(&p, 403);
    return false;
}

static void handle_lang(http_request *req)
{
    const char *code = http_path_param(req, "code");
    const char *back = http_query(req, "back");
    http_set_cookie(req, LANG_COOKIE, code, 365L * 86400, false);
    http_redirect(req, back && html_url_allowed(back) && back[0] == '/' ? back : "/");
}

static void handle_home(http_request *req)
{
    struct page p;
    page_begin(&p, req, T(req->lang, "Police-related activities"));
    html *h = &p.h;
    html_elem(h, "p",
              T(p.lang, "Polis supports the work the OSCE Strategic Framework for Police-Related "
                        "Activities describes: planning and delivering police assistance, "
                        "co-ordination, the POLIS library and community policing."),
              NULL);
    /* Citizens need no account to raise a concern or follow one. */
    html_open(h, "ul", "class", "cards", NULL);
    html_open(h, "li", NULL);
    html_elem(h, "a", T(p.lang, "Raise a concern"), "href", "/concerns/new", NULL);
    html_close(h, "li");
    html_open(h, "li", NULL);
    html_elem(h, "a", T(p.lang, "Follow a concern"), "href", "/concerns/status", NULL);
    html_close(h, "li");
    html_close(h, "ul");
    if (req->who.via == AUTH_NONE) {
        html_open(h, "p", NULL);
        html_elem(h, "a", T(p.lang, "Sign in"), "href", "/login", "class", "button", NULL);
        html_close(h, "p");
    } else {
        html_open(h, "ul", "class", "cards", NULL);
        html_open(h, "li", NULL);
        html_elem(h, "a", T(p.lang, "Framework"), "href", "/framework", NULL);
        html_close(h, "li");
        html_open(h, "li", NULL);
        html_elem(h, "a", T(p.lang, "Organisations"), "href", "/organisations", NULL);
        html_close(h, "li");
        html_open(h, "li", NULL);
        html_elem(h, "a", T(p.lang, "Countries"), "href", "/countries", NULL);
        html_close(h, "li");
        html_close(h, "ul");
    }
    page_finish(&p, 200);
}

static const struct param_spec lang_params[] = {
    {.name = "code", .type = PARAM_ENUM, .enum_values = "en|ru"},
    {.name = "back", .type = PARAM_STRING, .max_len = 600},
    {0}};

void layout_register_routes(void)
{
    router_add(&(struct route){.methods = HTTP_GET, .pattern = "/", .handler = handle_home});
    router_add(&(struct route){.methods = HTTP_GET,
                               .pattern = "/lang/{code}",
                               .handler = handle_lang,
                               .params = lang_params,
                               .name = "/lang"});
}
