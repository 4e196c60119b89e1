"""The account pages against a real `polis serve`, driven the way a browser without
JavaScript drives them: urlencoded forms, cookies, the login form's double-submit token,
the session's CSRF field, redirects. Also checks that pages are escaped, carry the CSP and
never contain inline script."""

import html
import re
import unittest
import urllib.parse

from harness import ADMIN_PASSWORD, DEMO_USERS, PolisServer, signed_in

SERVER = None
FORM = "application/x-www-form-urlencoded"
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def setUpModule():
    global SERVER
    SERVER = PolisServer().start()


def tearDownModule():
    log = SERVER.read_log()
    SERVER.cleanup()
    for marker in SANITIZER_MARKERS:
        if marker in log:
            at = log.find(marker)
            raise AssertionError("sanitizer report in serve log:\n" + log[max(0, at - 200):at + 2000])


def hidden_value(page, name):
    """The value of the hidden input called name in an HTML page, or None."""
    m = re.search(r'<input type="hidden" name="%s" value="([^"]*)"' % re.escape(name), page)
    return html.unescape(m.group(1)) if m else None


def meta_csrf(page):
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', page)
    return m.group(1) if m else None


def post_form(client, path, fields):
    """Posts fields as a browser form would: urlencoded, no CSRF header."""
    return client.request("POST", path, body=urllib.parse.urlencode(fields), raw=True,
                          content_type=FORM, csrf=False)


def form_login(login="admin", password=ADMIN_PASSWORD, next_path=None):
    """Signs in through the login form. Returns (client, POST response)."""
    c = SERVER.client()
    r = c.get("/login" + ("?next=" + urllib.parse.quote(next_path, safe="") if next_path else ""))
    assert r.status == 200, r
    fields = {"login_csrf": hidden_value(r.text, "login_csrf"), "login": login,
              "password": password}
    if next_path is not None:
        fields["next"] = next_path
    return c, post_form(c, "/login", fields)


def browser(login="admin"):
    """A client signed in through the form, with the session's CSRF token from a page."""
    c, r = form_login(login)
    assert r.status == 303, r
    page = c.get("/account")
    assert page.status == 200, page
    c.page_csrf = meta_csrf(page.text)
    assert c.page_csrf
    return c


def assert_html(testcase, r, status):
    testcase.assertEqual(r.status, status, r)
    testcase.assertTrue(r.header("Content-Type").startswith("text/html"), r.headers)


class LoginPageTest(unittest.TestCase):
    def test_form_sign_in_sets_session_cookie_and_redirects_to_next(self):
        c, r = form_login(next_path="/account")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/account")
        cookies = r.headers_all("Set-Cookie")
        session = [x for x in cookies if x.startswith("polis_session=")]
        self.assertEqual(len(session), 1, cookies)
        attrs = [a.strip().lower() for a in session[0].split(";")[1:]]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        # The one-time login token is dropped once it has been used.
        self.assertTrue(any(x.startswith("polis_login_csrf=;") and "Max-Age=0" in x for x in cookies),
                        cookies)
        page = c.get("/account")
        assert_html(self, page, 200)
        self.assertIn("<h1>Your account</h1>", page.text)
        self.assertIn(">admin<", page.text)

    def test_next_outside_the_site_goes_home(self):
        for bad in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
            _, r = form_login(next_path=bad)
            self.assertEqual(r.status, 303, (bad, r))
            self.assertEqual(r.header("Location"), "/", bad)

    def test_login_page_sets_short_lived_strict_token_cookie(self):
        c = SERVER.client()
        r = c.get("/login")
        assert_html(self, r, 200)
        token = hidden_value(r.text, "login_csrf")
        self.assertRegex(token or "", r"^[0-9a-f]{64}$")
        cookie = [x for x in r.headers_all("Set-Cookie") if x.startswith("polis_login_csrf=")][0]
        self.assertTrue(cookie.startswith("polis_login_csrf=" + token + ";"), cookie)
        attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        max_age = [int(a.split("=")[1]) for a in attrs if a.startswith("max-age=")]
        self.assertTrue(max_age and 0 < max_age[0] <= 7200, cookie)
        # A second visit keeps the same token, so two open tabs both work.
        again = c.get("/login")
        self.assertEqual(hidden_value(again.text, "login_csrf"), token)

    def test_wrong_password_is_401_page_with_message(self):
        c = SERVER.client()
        r = c.get("/login")
        r = post_form(c, "/login", {"login_csrf": hidden_value(r.text, "login_csrf"),
                                    "login": "librarian", "password": "not the password at all"})
        assert_html(self, r, 401)
        self.assertIn("Wrong login or password.", r.text)
        self.assertIn('role="alert"', r.text)
        self.assertIn('value="librarian"', r.text, "the login is kept in the form")
        self.assertNotIn("not the password at all", r.text)
        self.assertFalse(any(x.startswith("polis_session=") for x in r.headers_all("Set-Cookie")))
        self.assertNotIn("polis_session", c.cookies)

    def test_wrong_password_in_russian(self):
        c = SERVER.client()
        c.cookies["polis_lang"] = "ru"
        r = c.get("/login")
        self.assertIn('<html lang="ru">', r.text)
        r = post_form(c, "/login", {"login_csrf": hidden_value(r.text, "login_csrf"),
                                    "login": "librarian", "password": "still not the password"})
        assert_html(self, r, 401)
        self.assertIn("Неверный логин или пароль.", r.text)

    def test_login_csrf_missing_or_wrong_is_403(self):
        c = SERVER.client()
        token = hidden_value(c.get("/login").text, "login_csrf")
        cases = [
            ("no field", {"login": "admin", "password": ADMIN_PASSWORD}, True),
            ("other value", {"login_csrf": "0" * 64, "login": "admin", "password": ADMIN_PASSWORD}, True),
            ("no cookie", {"login_csrf": token, "login": "admin", "password": ADMIN_PASSWORD}, False),
        ]
        for name, fields, keep_cookie in cases:
            if not keep_cookie:
                c.cookies.pop("polis_login_csrf", None)
            r = post_form(c, "/login", fields)
            assert_html(self, r, 403)
            self.assertFalse(any(x.startswith("polis_session=") for x in r.headers_all("Set-Cookie")),
                             name)
            self.assertIn("expired", r.text, name)
            # The refusal hands out a fresh form, which then works.
            c.cookies.pop("polis_session", None)
        r = post_form(c, "/login", {"login_csrf": c.cookies["polis_login_csrf"], "login": "admin",
                                    "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 303, r)

    def test_malformed_form_is_400(self):
        c = SERVER.client()
        token = hidden_value(c.get("/login").text, "login_csrf")
        r = c.request("POST", "/login", body="login=%zz&login_csrf=" + token, raw=True,
                      content_type=FORM, csrf=False)
        assert_html(self, r, 400)
        r = c.request("POST", "/login", body='{"login": "admin"}', raw=True,
                      content_type="application/json", csrf=False)
        assert_html(self, r, 400)
        r = post_form(c, "/login", {"login_csrf": token, "login": "", "password": "x"})
        assert_html(self, r, 400)
        self.assertIn('class="field invalid"', r.text)

    def test_signed_in_user_visiting_login_is_sent_on(self):
        c = browser()
        r = c.get("/login?next=/audit")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/audit")


class LogoutTest(unittest.TestCase):
    def test_logout_needs_csrf_field_and_kills_the_session(self):
        c = browser("coordinator")
        session = c.cookies["polis_session"]
        r = post_form(c, "/logout", {})
        assert_html(self, r, 403)
        self.assertEqual(c.get("/account").status, 200, "a refused logout leaves the session alive")
        r = post_form(c, "/logout", {"csrf": "x" * 43})
        assert_html(self, r, 403)
        r = post_form(c, "/logout", {"csrf": c.page_csrf})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/login")
        self.assertTrue(any(x.startswith("polis_session=;") and "Max-Age=0" in x
                            for x in r.headers_all("Set-Cookie")), r.headers)
        self.assertNotIn("polis_session", c.cookies)
        # The old cookie no longer works: the session ended on the server, not just in the browser.
        c.cookies["polis_session"] = session
        r = c.get("/account")
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/login?next=/account")

    def test_logout_is_audited(self):
        c = browser("auditor")
        post_form(c, "/logout", {"csrf": c.page_csrf})
        admin = signed_in(SERVER)
        items = admin.get("/api/v1/audit?actor=auditor&action=logout").json["items"]
        self.assertGreaterEqual(len(items), 1)


class AccessTest(unittest.TestCase):
    def test_signed_out_pages_redirect_to_login_with_next(self):
        c = SERVER.client()
        for path in ("/account", "/admin/users", "/admin/users/admin", "/audit"):
            r = c.get(path)
            self.assertEqual(r.status, 303, (path, r))
            self.assertEqual(r.header("Location"), "/login?next=" + path)

    def test_users_admin_is_403_page_for_programme_officer(self):
        c = browser("officer.bishkek")
        for path in ("/admin/users", "/admin/users/admin", "/audit"):
            r = c.get(path)
            assert_html(self, r, 403)
            self.assertIn("Your role does not give access to this page.", r.text)
        r = post_form(c, "/admin/users", {"csrf": c.page_csrf, "login": "sneaky",
                                          "role": "admin", "password": "long enough password"})
        assert_html(self, r, 403)
        self.assertEqual(signed_in(SERVER).get("/api/v1/users/sneaky").status, 404)

    def test_users_page_lists_users_for_admin(self):
        c = browser()
        r = c.get("/admin/users")
        assert_html(self, r, 200)
        for login in ["admin"] + DEMO_USERS:
            self.assertIn('href="/admin/users/%s"' % login, r.text)
        self.assertIn("Programme officer", r.text)

    def test_auditor_reads_audit_page(self):
        c = browser("auditor")
        r = c.get("/audit")
        assert_html(self, r, 200)
        self.assertIn('<table id="audit">', r.text)
        self.assertIn("login", r.text)


class AdminUsersTest(unittest.TestCase):
    def test_create_user_through_form_is_audited(self):
        c = browser()
        r = post_form(c, "/admin/users", {"csrf": c.page_csrf, "login": "form.made",
                                          "display_name": "Made by form", "role": "librarian",
                                          "org": "SPMU", "lang": "ru",
                                          "password": "a long enough password"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/users/form.made?done=created")
        page = c.get("/admin/users/form.made?done=created")
        assert_html(self, page, 200)
        self.assertIn("The user was created.", page.text)
        self.assertIn('value="Made by form"', page.text)
        admin = signed_in(SERVER)
        users = admin.get("/api/v1/users?limit=1000").json["items"]
        u = [x for x in users if x["login"] == "form.made"]
        self.assertEqual(len(u), 1, users)
        self.assertEqual((u[0]["role"], u[0]["org"], u[0]["lang"]), ("librarian", "SPMU", "ru"))
        entries = admin.get("/api/v1/audit?entity=user&action=create&entity_id=form.made").json["items"]
        self.assertEqual(len(entries), 1, entries)
        self.assertEqual(entries[0]["actor"], "admin")
        self.assertEqual(entries[0]["after"]["org"], "SPMU")
        audit_page = c.get("/audit?entity=user&action=create")
        self.assertIn("form.made", audit_page.text)
        # The new user can sign in with the password set in the form.
        _, r = form_login("form.made", "a long enough password")
        self.assertEqual(r.status, 303, r)

    def test_create_form_errors_are_shown_next_to_fields(self):
        c = browser()
        r = post_form(c, "/admin/users", {"csrf": c.page_csrf, "login": "short.pw",
                                          "role": "librarian", "password": "short"})
        assert_html(self, r, 422)
        self.assertRegex(r.text, r'<div class="field invalid"><label for="f-password">')
        self.assertIn('id="f-password-error"', r.text)
        self.assertIn('value="short.pw"', r.text, "the other values are kept")
        r = post_form(c, "/admin/users", {"csrf": c.page_csrf, "login": "admin",
                                          "role": "librarian", "password": "long enough password"})
        assert_html(self, r, 409)
        self.assertIn("This login is already taken.", r.text)
        r = post_form(c, "/admin/users", {"csrf": c.page_csrf, "login": "org.missing",
                                          "role": "librarian", "org": "NOPE",
                                          "password": "long enough password"})
        assert_html(self, r, 422)
        self.assertIn('id="f-org-error"', r.text)
        r = post_form(c, "/admin/users", {"login": "no.csrf", "role": "librarian",
                                          "password": "long enough password"})
        assert_html(self, r, 403)

    def test_edit_user_disable_and_reset_password(self):
        admin = signed_in(SERVER)
        r = admin.post("/api/v1/users", {"login": "to.disable", "role": "librarian",
                                         "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 201, r)
        c = browser()
        page = c.get("/admin/users/to.disable")
        assert_html(self, page, 200)
        self.assertIn('name="disabled"', page.text)
        r = post_form(c, "/admin/users/to.disable", {"csrf": c.page_csrf, "role": "auditor",
                                                     "org": "", "lang": "en", "display_name": "X",
                                                     "disabled": "1"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/users/to.disable?done=saved")
        _, r = form_login("to.disable")
        self.assertEqual(r.status, 401, "a disabled user cannot sign in")
        r = post_form(c, "/admin/users/to.disable", {"csrf": c.page_csrf, "role": "auditor",
                                                     "org": "", "lang": "en", "display_name": "X",
                                                     "password": "reset by the admin"})
        self.assertEqual(r.status, 303, r)
        _, r = form_login("to.disable", "reset by the admin")
        self.assertEqual(r.status, 303, "enabled again (no checkbox) with the new password")
        self.assertEqual(c.get("/admin/users/nobody.here").status, 404)
        self.assertEqual(c.get("/admin/users/Bad%20Login").status, 404)

    def test_admin_cannot_lock_themselves_out(self):
        c = browser()
        r = post_form(c, "/admin/users/admin", {"csrf": c.page_csrf, "role": "admin", "org": "",
                                                "lang": "en", "display_name": "", "disabled": "1"})
        assert_html(self, r, 422)
        self.assertIn("You cannot disable your own account.", r.text)
        r = post_form(c, "/admin/users/admin", {"csrf": c.page_csrf, "role": "librarian",
                                                "org": "", "lang": "en", "display_name": ""})
        assert_html(self, r, 422)
        self.assertEqual(signed_in(SERVER).get("/api/v1/account").json["role"], "admin")

    def test_users_page_paginates(self):
        admin = signed_in(SERVER)
        for i in range(52):
            r = admin.post("/api/v1/users", {"login": f"bulk.user{i:02d}", "role": "librarian",
                                             "password": ADMIN_PASSWORD})
            self.assertEqual(r.status, 201, r)
        every = sorted(u["login"] for u in admin.get("/api/v1/users?limit=1000").json["items"])
        c = browser()
        seen, path, pages = [], "/admin/users", 0
        while path:
            r = c.get(path)
            assert_html(self, r, 200)
            logins = re.findall(r'<td><a href="/admin/users/([^"]+)">', r.text)
            self.assertLessEqual(len(logins), 50)
            seen += logins
            pages += 1
            m = re.search(r'<a href="(/admin/users\?cursor=[^"]+)" rel="next">', r.text)
            path = html.unescape(m.group(1)) if m else None
            if path:
                self.assertEqual(len(logins), 50, "only the last page is short")
        self.assertEqual(seen, every, "every user once, in login order")
        self.assertEqual(pages, (len(every) + 49) // 50)
        self.assertGreaterEqual(pages, 2)

    def test_display_name_is_escaped(self):
        admin = signed_in(SERVER)
        evil = "<script>alert(1)</script>"
        r = admin.post("/api/v1/users", {"login": "evil.name", "role": "librarian",
                                         "display_name": evil, "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 201, r)
        c = browser()
        for path in ("/admin/users", "/admin/users/evil.name"):
            page = c.get(path)
            self.assertEqual(page.status, 200, page)
            self.assertNotIn(evil, page.text, path)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page.text, path)


class AccountTest(unittest.TestCase):
    def test_change_name_and_language(self):
        c = browser("inspector.osh")
        r = post_form(c, "/account", {"csrf": c.page_csrf, "display_name": "Инспектор Ош",
                                      "lang": "ru"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/account?done=profile")
        page = c.get("/account?done=profile")
        self.assertIn('<html lang="ru">', page.text)
        self.assertIn("Изменения сохранены.", page.text)
        self.assertIn('value="Инспектор Ош"', page.text)
        r = post_form(c, "/account", {"csrf": c.page_csrf, "display_name": "x", "lang": "de"})
        assert_html(self, r, 422)
        self.assertIn('id="f-lang-error"', r.text)

    def test_change_password(self):
        admin = signed_in(SERVER)
        admin.post("/api/v1/users", {"login": "pw.changer", "role": "librarian",
                                     "password": ADMIN_PASSWORD})
        c = browser("pw.changer")
        r = post_form(c, "/account/password", {"csrf": c.page_csrf, "current_password": "wrong one",
                                               "new_password": "brand new passphrase",
                                               "new_password_repeat": "brand new passphrase"})
        assert_html(self, r, 422)
        self.assertIn('id="f-current_password-error"', r.text)
        r = post_form(c, "/account/password", {"csrf": c.page_csrf, "current_password": ADMIN_PASSWORD,
                                               "new_password": "brand new passphrase",
                                               "new_password_repeat": "brand new passphrase!"})
        assert_html(self, r, 422)
        self.assertIn('id="f-new_password_repeat-error"', r.text)
        r = post_form(c, "/account/password", {"csrf": c.page_csrf, "current_password": ADMIN_PASSWORD,
                                               "new_password": "short", "new_password_repeat": "short"})
        assert_html(self, r, 422)
        self.assertIn('id="f-new_password-error"', r.text)
        r = post_form(c, "/account/password", {"csrf": c.page_csrf, "current_password": ADMIN_PASSWORD,
                                               "new_password": "brand new passphrase",
                                               "new_password_repeat": "brand new passphrase"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/account?done=password")
        # Still signed in, with a fresh session.
        self.assertEqual(c.get("/account").status, 200)
        _, r = form_login("pw.changer", ADMIN_PASSWORD)
        self.assertEqual(r.status, 401)
        _, r = form_login("pw.changer", "brand new passphrase")
        self.assertEqual(r.status, 303)

    def test_api_token_shown_once_and_revoked(self):
        c = browser("librarian")
        r = post_form(c, "/account/tokens", {"csrf": c.page_csrf, "name": "sync script"})
        assert_html(self, r, 201)
        m = re.search(r'<code id="new-token">(polis_[^<]+)</code>', r.text)
        self.assertIsNotNone(m, r.text)
        token = m.group(1)
        page = c.get("/account")
        self.assertNotIn(token, page.text, "the token is shown only once")
        self.assertIn("sync script", page.text)
        api = SERVER.client()
        api.token = token
        self.assertEqual(api.get("/api/v1/account").json["login"], "librarian")
        action = re.search(r'action="(/account/tokens/\d+/revoke)"', page.text).group(1)
        self.assertIn('data-confirm="', page.text)
        r = post_form(c, action, {})
        assert_html(self, r, 403)
        r = post_form(c, action, {"csrf": c.page_csrf})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(api.get("/api/v1/account").status, 401)
        # Revoking again, or someone else's token, is a 404 page.
        r = post_form(c, action, {"csrf": c.page_csrf})
        assert_html(self, r, 404)


class AuditPageTest(unittest.TestCase):
    def test_filters_and_next_page(self):
        admin = signed_in(SERVER)
        for i in range(55):
            r = admin.post("/api/v1/tokens", {"name": f"bulk {i}"})
            self.assertEqual(r.status, 201, r)
        c = browser()
        r = c.get("/audit?entity=api_token&action=create&actor=admin")
        assert_html(self, r, 200)
        rows = re.findall(r"<tr><td>", r.text)
        self.assertEqual(len(rows), 50)
        self.assertNotIn("<td>librarian</td>", r.text)
        m = re.search(r'<a href="(/audit\?[^"]+)" rel="next">', r.text)
        self.assertIsNotNone(m, "a next page link")
        link = html.unescape(m.group(1))
        self.assertIn("entity=api_token", link)
        self.assertIn("actor=admin", link)
        second = c.get(link)
        assert_html(self, second, 200)
        self.assertGreaterEqual(len(re.findall(r"<tr><td>", second.text)), 5)
        first_ids = set(re.findall(r"<code>(\d+)</code>", r.text))
        second_ids = set(re.findall(r"<code>(\d+)</code>", second.text))
        self.assertFalse(first_ids & second_ids, "pages do not overlap")
        # Newest first.
        whens = re.findall(r"<tr><td>([^<]+)</td>", r.text)
        self.assertEqual(whens, sorted(whens, reverse=True))
        self.assertEqual(c.get("/audit?actor=nobody").text.count("No entries match."), 1)
        self.assertEqual(c.get("/audit?cursor=!!").status, 400)


class PageSafetyTest(unittest.TestCase):
    INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)

    def check(self, r, what):
        self.assertTrue(r.header("Content-Type", ).startswith("text/html"), (what, r))
        csp = r.header("Content-Security-Policy") or ""
        self.assertIn("script-src 'self'", csp, what)
        self.assertNotIn("unsafe-inline", csp, what)
        self.assertIsNone(self.INLINE_SCRIPT.search(r.text), what)
        self.assertIsNone(self.HANDLER_ATTR.search(r.text), what)
        self.assertIsNone(self.STYLE_ATTR.search(r.text), what)
        self.assertIn('<script src="/assets/app.js', r.text, what)

    def test_every_page_has_csp_and_no_inline_script(self):
        anon = SERVER.client()
        self.check(anon.get("/"), "/")
        self.check(anon.get("/login"), "/login")
        token = hidden_value(anon.get("/login").text, "login_csrf")
        self.check(post_form(anon, "/login", {"login_csrf": token, "login": "librarian",
                                              "password": "wrong wrong wrong"}), "401 login")
        self.check(post_form(anon, "/login", {"login": "x", "password": "y"}), "403 login")
        c = browser()
        for path in ("/", "/account", "/admin/users", "/admin/users/admin", "/audit",
                     "/admin/users/nobody.here"):
            self.check(c.get(path), path)
        self.check(post_form(c, "/account/tokens", {"csrf": c.page_csrf, "name": "x"}), "token page")
        self.check(browser("officer.odihr").get("/admin/users"), "403 page")

    def test_assets_are_served(self):
        anon = SERVER.client()
        page = anon.get("/login").text
        for href in re.findall(r'(?:href|src)="(/assets/[^"]+)"', page):
            r = anon.get(html.unescape(href))
            self.assertEqual(r.status, 200, href)
            self.assertGreater(len(r.body), 100, href)


if __name__ == "__main__":
    unittest.main()
