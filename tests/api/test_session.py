"""Sessions and API tokens against a real `polis serve`: sign-in and sign-out, cookie
flags, CSRF, throttling, idle and absolute expiry, disabling and password changes, and
the life of an API token."""

import os
import time
import unittest

from harness import ADMIN_PASSWORD, PolisServer, db_rows, finish, signed_in

SERVER = None
NEW_PASSWORD = "a different long passphrase"


def setUpModule():
    global SERVER
    SERVER = PolisServer().start()


def tearDownModule():
    finish(SERVER)


def make_user(login, role="librarian", org="SPMU", password=ADMIN_PASSWORD, server=None):
    admin = signed_in(server or SERVER)
    r = admin.post("/api/v1/users", {"login": login, "role": role, "org": org,
                                     "display_name": login, "password": password})
    assert r.status == 201, r
    admin.close()


def session_cookie(resp):
    for c in resp.headers_all("Set-Cookie"):
        if c.startswith("polis_session="):
            return c
    return None


class LoginTest(unittest.TestCase):
    def test_login_returns_user_csrf_and_strict_cookie(self):
        c = SERVER.client()
        r = c.login("coordinator")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["login"], "coordinator")
        self.assertEqual(r.json["user"]["role"], "coordinator")
        self.assertNotIn("password_hash", r.json["user"])
        self.assertGreaterEqual(len(r.json["csrf"]), 32)
        cookie = session_cookie(r)
        self.assertIsNotNone(cookie, r.headers)
        attrs = [a.strip().lower() for a in cookie.split(";")[1:]]
        self.assertIn("httponly", attrs)
        self.assertIn("samesite=strict", attrs)
        self.assertIn("path=/", attrs)
        self.assertNotIn("secure", attrs, "plain http must not set Secure")
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        self.assertGreaterEqual(len(value), 32)
        # The cookie's value is stored only as a hash.
        rows = db_rows(SERVER.db, "SELECT COUNT(*) FROM sessions WHERE token_hash = ?", (value,))
        self.assertEqual(rows[0][0], 0)

        s = c.get("/api/v1/session")
        self.assertEqual(s.status, 200, s)
        self.assertEqual(s.json["user"]["login"], "coordinator")
        self.assertEqual(s.json["via"], "session")
        self.assertEqual(s.json["csrf"], r.json["csrf"])

    def test_each_login_gets_a_new_session(self):
        a = signed_in(SERVER, "librarian")
        b = signed_in(SERVER, "librarian")
        self.assertNotEqual(a.cookies["polis_session"], b.cookies["polis_session"])
        self.assertNotEqual(a.csrf, b.csrf)

    def test_wrong_password_and_unknown_login_look_the_same(self):
        make_user("wrong.pw.target")
        c = SERVER.client()
        wrong = c.post("/api/v1/session", {"login": "wrong.pw.target", "password": "not the password"})
        unknown = c.post("/api/v1/session", {"login": "no.such.user", "password": "not the password"})
        self.assertEqual(wrong.status, 401, wrong)
        self.assertEqual(unknown.status, 401, unknown)
        self.assertEqual(wrong.json["error"]["message"], unknown.json["error"]["message"])
        self.assertEqual(wrong.json["error"]["code"], unknown.json["error"]["code"])
        self.assertIsNone(session_cookie(wrong))
        self.assertIsNone(session_cookie(unknown))
        self.assertEqual(c.get("/api/v1/session").status, 401)

    def test_missing_fields_are_400_with_field(self):
        c = SERVER.client()
        for body, field in (({"password": ADMIN_PASSWORD}, "login"), ({"login": "admin"}, "password"),
                            ({}, "login")):
            r = c.post("/api/v1/session", body)
            self.assertEqual(r.status, 400, (body, r))
            self.assertEqual(r.json["error"]["field"], field, r)
        r = c.post("/api/v1/session", {"login": 7, "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "login")
        r = c.post("/api/v1/session", {"login": "admin", "password": ADMIN_PASSWORD, "remember": True})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "remember")

    def test_non_json_content_type_is_415(self):
        c = SERVER.client()
        r = c.post("/api/v1/session", {"login": "admin", "password": ADMIN_PASSWORD},
                   content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 415, r)
        r = c.post("/api/v1/session", '{"login":"admin","password":"%s"}' % ADMIN_PASSWORD, raw=True,
                   content_type="text/plain")
        self.assertEqual(r.status, 415, r)
        self.assertIsNone(session_cookie(r))


class LogoutTest(unittest.TestCase):
    def test_logout_ends_the_session(self):
        c = signed_in(SERVER, "officer.bishkek")
        cookie = dict(c.cookies)
        r = c.delete("/api/v1/session")
        self.assertEqual(r.status, 204, r)
        cleared = session_cookie(r)
        self.assertIsNotNone(cleared)
        self.assertIn("Max-Age=0", cleared)
        self.assertEqual(c.get("/api/v1/session").status, 401)
        # The old cookie, replayed, no longer works either.
        replay = SERVER.client()
        replay.cookies = cookie
        r = replay.get("/api/v1/session")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(r.json["error"]["code"], "unauthenticated")

    def test_logout_without_csrf_is_403(self):
        c = signed_in(SERVER, "officer.odihr")
        r = c.delete("/api/v1/session", csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["code"], "csrf")
        r = c.delete("/api/v1/session", csrf=False, headers={"X-CSRF-Token": "x" * 43})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["code"], "csrf")
        # The session survived both attempts.
        self.assertEqual(c.get("/api/v1/session").status, 200)
        self.assertEqual(c.delete("/api/v1/session").status, 204)

    def test_csrf_of_another_session_is_refused(self):
        a = signed_in(SERVER, "inspector.osh")
        b = signed_in(SERVER, "inspector.osh")
        r = a.delete("/api/v1/session", csrf=False, headers={"X-CSRF-Token": b.csrf})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(a.get("/api/v1/session").status, 200)


class DisableAndPasswordTest(unittest.TestCase):
    def test_disabled_user_loses_session_and_cannot_login(self):
        make_user("to.be.disabled")
        user = signed_in(SERVER, "to.be.disabled")
        self.assertEqual(user.get("/api/v1/session").status, 200)
        admin = signed_in(SERVER)
        r = admin.patch("/api/v1/users/to.be.disabled", {"disabled": True})
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["disabled"])
        self.assertEqual(user.get("/api/v1/session").status, 401)
        again = SERVER.client().login("to.be.disabled")
        self.assertEqual(again.status, 401, again)
        self.assertEqual(again.json["error"]["message"], "wrong login or password")
        # Enabled again, the user can sign in.
        self.assertEqual(admin.patch("/api/v1/users/to.be.disabled", {"disabled": False}).status, 200)
        self.assertEqual(SERVER.client().login("to.be.disabled").status, 200)

    def test_disabled_user_token_stops_working(self):
        make_user("token.disabled")
        user = signed_in(SERVER, "token.disabled")
        r = user.post("/api/v1/tokens", {"name": "script"})
        self.assertEqual(r.status, 201, r)
        bearer = SERVER.client()
        bearer.token = r.json["token"]
        self.assertEqual(bearer.get("/api/v1/session").status, 200)
        admin = signed_in(SERVER)
        self.assertEqual(admin.patch("/api/v1/users/token.disabled", {"disabled": True}).status, 200)
        self.assertEqual(bearer.get("/api/v1/session").status, 401)

    def test_admin_password_change_ends_sessions(self):
        make_user("pw.by.admin")
        user = signed_in(SERVER, "pw.by.admin")
        admin = signed_in(SERVER)
        r = admin.patch("/api/v1/users/pw.by.admin", {"password": NEW_PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(user.get("/api/v1/session").status, 401)
        self.assertEqual(SERVER.client().login("pw.by.admin").status, 401)
        self.assertEqual(SERVER.client().login("pw.by.admin", NEW_PASSWORD).status, 200)

    def test_own_password_change_ends_other_sessions(self):
        make_user("pw.by.self")
        laptop = signed_in(SERVER, "pw.by.self")
        phone = signed_in(SERVER, "pw.by.self")
        r = laptop.patch("/api/v1/account", {"password": NEW_PASSWORD,
                                             "current_password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(phone.get("/api/v1/session").status, 401)
        self.assertEqual(SERVER.client().login("pw.by.self").status, 401)
        self.assertEqual(SERVER.client().login("pw.by.self", NEW_PASSWORD).status, 200)


class TokenTest(unittest.TestCase):
    def test_token_lifecycle(self):
        owner = signed_in(SERVER, "librarian")
        r = owner.post("/api/v1/tokens", {"name": "nightly export"})
        self.assertEqual(r.status, 201, r)
        token, token_id = r.json["token"], r.json["id"]
        self.assertTrue(token.startswith("polis_"), token)
        self.assertEqual(r.json["name"], "nightly export")

        bearer = SERVER.client()
        bearer.token = token
        s = bearer.get("/api/v1/session")
        self.assertEqual(s.status, 200, s)
        self.assertEqual(s.json["user"]["login"], "librarian")
        self.assertEqual(s.json["via"], "token")
        self.assertNotIn("csrf", s.json)
        # A write with the token needs no CSRF token.
        w = bearer.patch("/api/v1/account", {"display_name": "POLIS librarian (bot)"})
        self.assertEqual(w.status, 200, w)
        self.assertEqual(w.json["display_name"], "POLIS librarian (bot)")

        listing = owner.get("/api/v1/tokens")
        self.assertEqual(listing.status, 200, listing)
        self.assertNotIn(token, listing.text)
        self.assertNotIn(token[len("polis_"):], listing.text)
        mine = [t for t in listing.json["items"] if t["id"] == token_id]
        self.assertEqual(len(mine), 1, listing.json)
        self.assertEqual(mine[0]["name"], "nightly export")
        self.assertFalse(mine[0]["revoked"])
        self.assertNotIn("token", mine[0])
        self.assertNotIn("token_hash", mine[0])
        for t in listing.json["items"]:
            self.assertEqual(t["login"], "librarian")
        # Only a hash is stored.
        self.assertEqual(db_rows(SERVER.db, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?",
                                 (token,))[0][0], 0)

        r = owner.delete(f"/api/v1/tokens/{token_id}")
        self.assertEqual(r.status, 204, r)
        r = bearer.get("/api/v1/session")
        self.assertEqual(r.status, 401, r)
        self.assertIn("WWW-Authenticate", [k for k, _ in r.headers])
        self.assertEqual(owner.delete(f"/api/v1/tokens/{token_id}").status, 404)
        listing = owner.get("/api/v1/tokens")
        self.assertTrue([t for t in listing.json["items"] if t["id"] == token_id][0]["revoked"])

    def test_token_revoked_by_itself(self):
        owner = signed_in(SERVER, "officer.odihr")
        r = owner.post("/api/v1/tokens", {"name": "self-revoking"})
        bearer = SERVER.client()
        bearer.token = r.json["token"]
        self.assertEqual(bearer.delete(f"/api/v1/tokens/{r.json['id']}").status, 204)
        self.assertEqual(bearer.get("/api/v1/tokens").status, 401)

    def test_another_users_token_is_404_for_non_admins(self):
        owner = signed_in(SERVER, "officer.bishkek")
        r = owner.post("/api/v1/tokens", {"name": "bishkek sync"})
        self.assertEqual(r.status, 201, r)
        token_id, token = r.json["id"], r.json["token"]
        other = signed_in(SERVER, "inspector.osh")
        r = other.delete(f"/api/v1/tokens/{token_id}")
        self.assertEqual(r.status, 404, r)
        self.assertNotIn(token_id, [t["id"] for t in other.get("/api/v1/tokens").json["items"]])
        # Asking for everyone's tokens is an administrator's privilege only.
        self.assertNotIn(token_id, [t["id"] for t in other.get("/api/v1/tokens?all=1").json["items"]])
        # The token still works for its owner; an administrator may revoke it.
        bearer = SERVER.client()
        bearer.token = token
        self.assertEqual(bearer.get("/api/v1/session").status, 200)
        admin = signed_in(SERVER)
        self.assertIn(token_id, [t["id"] for t in admin.get("/api/v1/tokens?all=1").json["items"]])
        self.assertEqual(admin.delete(f"/api/v1/tokens/{token_id}").status, 204)
        self.assertEqual(other.delete("/api/v1/tokens/99999999").status, 404)
        self.assertEqual(other.delete("/api/v1/tokens/abc").status, 404)

    def test_token_create_needs_csrf_with_a_session(self):
        c = signed_in(SERVER, "librarian")
        r = c.post("/api/v1/tokens", {"name": "x"}, csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["code"], "csrf")

    def test_malformed_authorization_is_401(self):
        owner = signed_in(SERVER, "auditor")
        good = owner.post("/api/v1/tokens", {"name": "audit bot"}).json["token"]
        bad_values = ["Bearer", "Bearer ", "Bearer  " + good, "Basic YWRtaW46cGFzc3dvcmQ=",
                      "Token " + good, good, "Bearer polis_", "Bearer polis_" + "A" * 43,
                      "Bearer " + good[:-1], "Bearer " + good + "x", "Bearer " + "x" * 5000,
                      "Bearer " + good.replace("polis_", "POLIS_"), "Bearer \u00e9t\u00e9"]
        for value in bad_values:
            c = SERVER.client()
            r = c.get("/api/v1/session", headers={"Authorization": value.encode("utf-8").decode("latin-1")})
            self.assertEqual(r.status, 401, (value[:60], r))
            self.assertEqual(r.json["error"]["code"], "unauthenticated")
        # A bad Authorization header is not rescued by a valid session cookie.
        c = signed_in(SERVER, "auditor")
        r = c.get("/api/v1/session", headers={"Authorization": "Bearer nonsense"})
        self.assertEqual(r.status, 401, r)
        c = SERVER.client()
        r = c.get("/api/v1/session", headers={"Authorization": "bearer " + good})
        self.assertEqual(r.status, 200, r)


class ThrottleTest(unittest.TestCase):
    def test_account_throttle(self):
        srv = PolisServer(env={"POLIS_LOGIN_MAX_ACCOUNT": "3"}, demo=False).start()
        self.addCleanup(finish, srv)
        c = srv.client()
        for _ in range(3):
            r = c.login("admin", "not the admin password")
            self.assertEqual(r.status, 401, r)
        r = c.login("admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 429, r)
        retry = r.header("Retry-After")
        self.assertIsNotNone(retry, r.headers)
        self.assertTrue(retry.isdigit() and 0 < int(retry) <= 900, retry)
        self.assertIsNone(session_cookie(r))
        # Another account from the same client is not affected.
        self.assertEqual(c.login("nobody.here", "whatever it is").status, 401)

    def test_client_throttle_across_logins(self):
        srv = PolisServer(env={"POLIS_LOGIN_MAX_CLIENT": "4"}, demo=False).start()
        self.addCleanup(finish, srv)
        c = srv.client()
        for i in range(4):
            r = c.login(f"guess{i}", "some password guess")
            self.assertEqual(r.status, 401, r)
        r = c.login("admin", ADMIN_PASSWORD)
        self.assertEqual(r.status, 429, r)
        self.assertIsNotNone(r.header("Retry-After"))


class ExpiryTest(unittest.TestCase):
    def test_idle_expiry_and_activity(self):
        srv = PolisServer(env={"POLIS_SESSION_IDLE_S": "2"}, demo=False).start()
        self.addCleanup(finish, srv)
        idle = srv.client()
        self.assertEqual(idle.login().status, 200)
        busy = srv.client()
        self.assertEqual(busy.login().status, 200)
        # A session in use stays alive past the idle limit ...
        deadline = time.time() + 4
        while time.time() < deadline:
            r = busy.get("/api/v1/session")
            self.assertEqual(r.status, 200, r)
            time.sleep(0.5)
        # ... one left alone for longer than the limit does not.
        r = idle.get("/api/v1/session")
        self.assertEqual(r.status, 401, r)
        time.sleep(3)
        self.assertEqual(busy.get("/api/v1/session").status, 401)

    def test_absolute_expiry(self):
        srv = PolisServer(env={"POLIS_SESSION_MAX_S": "2"}, demo=False).start()
        self.addCleanup(finish, srv)
        c = srv.client()
        self.assertEqual(c.login().status, 200)
        self.assertEqual(c.get("/api/v1/session").status, 200)
        deadline = time.time() + 3
        while time.time() < deadline:
            time.sleep(0.5)
            c.get("/api/v1/session")
        r = c.get("/api/v1/session")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(c.login().status, 200)
        self.assertEqual(c.get("/api/v1/session").status, 200)


if __name__ == "__main__":
    unittest.main()
