"""User administration, the audit trail and one's own account, against a real
`polis serve`: pagination, validation with field names, role checks, audit filters,
and that no password hash ever leaves the server."""

import json
import time
import unittest
import urllib.parse

from harness import ADMIN_PASSWORD, DEMO_USERS, PolisServer, db_rows, finish, signed_in

SERVER = None
ADMIN = None
NON_ADMINS = {"coordinator": "coordinator", "officer.bishkek": "programme_officer",
              "librarian": "librarian", "inspector.osh": "police_officer", "auditor": "auditor"}


def setUpModule():
    global SERVER, ADMIN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)


def tearDownModule():
    finish(SERVER)


def new_user(login, role="librarian", org="SPMU", **extra):
    body = {"login": login, "role": role, "org": org, "display_name": "User " + login,
            "password": ADMIN_PASSWORD}
    body.update(extra)
    return ADMIN.post("/api/v1/users", body)


def follow_pages(client, path, limit):
    """Every item of a paginated collection, following next; asserts page sizes."""
    items, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url)
        assert r.status == 200, (url, r)
        page = r.json
        assert len(page["items"]) <= limit, page
        items.extend(page["items"])
        pages += 1
        cursor = page["next"]
        if cursor is None:
            return items, pages
        assert len(page["items"]) == limit, page
        assert pages < 10000


def password_hashes():
    return [row[0] for row in db_rows(SERVER.db, "SELECT password_hash FROM users")]


def assert_no_secret(testcase, text):
    testcase.assertNotIn("$argon2", text)
    testcase.assertNotIn("password_hash", text)
    testcase.assertNotIn(ADMIN_PASSWORD, text)
    for h in password_hashes():
        testcase.assertNotIn(h, text)
        # The salt and digest parts, in case a hash were split or re-encoded.
        for part in h.split("$")[-2:]:
            testcase.assertNotIn(part, text)


class UsersTest(unittest.TestCase):
    def test_list_paginates_without_duplicates(self):
        for i in range(3):
            r = new_user(f"page.user{i}")
            self.assertIn(r.status, (201, 409), r)
        items, pages = follow_pages(ADMIN, "/api/v1/users", 2)
        logins = [u["login"] for u in items]
        self.assertEqual(len(logins), len(set(logins)), logins)
        self.assertEqual(logins, sorted(logins))
        in_db = sorted(row[0] for row in db_rows(SERVER.db, "SELECT login FROM users"))
        self.assertEqual(sorted(logins), in_db)
        self.assertEqual(pages, (len(in_db) + 1) // 2)
        for login in ["admin"] + DEMO_USERS:
            self.assertIn(login, logins)
        # The default page holds them all here, in the same order.
        whole = ADMIN.get("/api/v1/users?limit=1000").json
        self.assertEqual([u["login"] for u in whole["items"]], logins)
        self.assertIsNone(whole["next"])
        for u in whole["items"]:
            self.assertEqual(set(u), {"login", "display_name", "role", "org", "lang", "disabled",
                                      "created_at", "updated_at"})

    def test_bad_cursor_is_400(self):
        for cursor in ("!!!", "AAAA" * 100, "%00"):
            r = ADMIN.get("/api/v1/users?cursor=" + cursor)
            self.assertEqual(r.status, 400, (cursor, r))
            self.assertEqual(r.json["error"]["field"], "cursor")

    def test_create_returns_201_and_location(self):
        r = new_user("created.one", role="programme_officer", org="ODIHR", lang="ru")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), "/api/v1/users/created.one")
        u = r.json
        self.assertEqual((u["login"], u["role"], u["org"], u["lang"], u["disabled"]),
                         ("created.one", "programme_officer", "ODIHR", "ru", False))
        assert_no_secret(self, r.text)
        shown = ADMIN.get(r.header("Location"))
        self.assertEqual(shown.status, 200, shown)
        self.assertEqual(shown.json, u)
        assert_no_secret(self, shown.text)
        self.assertEqual(SERVER.client().login("created.one").status, 200)
        # Without an organisation the user has org null.
        r = new_user("created.noorg", role="auditor", org=None)
        self.assertEqual(r.status, 201, r)
        self.assertIsNone(r.json["org"])

    def test_duplicate_login_is_409(self):
        self.assertEqual(new_user("dup.login").status, 201)
        r = new_user("dup.login", role="auditor")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["field"], "login")
        r = new_user("admin")
        self.assertEqual(r.status, 409, r)
        self.assertEqual(ADMIN.get("/api/v1/users/admin").json["role"], "admin")

    def test_invalid_values_are_422_with_field(self):
        cases = [
            ({"login": "bad.role", "role": "superuser"}, "role"),
            ({"login": "bad.role2", "role": "admin|auditor"}, "role"),
            ({"login": "bad.org", "org": "NOWHERE"}, "org"),
            ({"login": "short.pw", "password": "short"}, "password"),
            ({"login": "Upper.Case"}, "login"),
            ({"login": "ab"}, "login"),
            ({"login": ".dotfirst"}, "login"),
            ({"login": "has space"}, "login"),
            ({"login": "x" * 65}, "login"),
            ({"login": "caf\u00e9"}, "login"),
            ({"login": "bad.lang", "lang": "de"}, "lang"),
            ({"login": "long.name", "display_name": "n" * 129}, "display_name"),
        ]
        for extra, field in cases:
            body = {"login": "x", "role": "librarian", "org": "SPMU", "password": ADMIN_PASSWORD}
            body.update(extra)
            r = ADMIN.post("/api/v1/users", body)
            self.assertEqual(r.status, 422, (extra, r))
            self.assertEqual(r.json["error"]["field"], field, (extra, r))
            self.assertEqual(r.json["error"]["code"], "invalid_field")
        r = ADMIN.post("/api/v1/users", {"role": "librarian", "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "login")
        r = ADMIN.post("/api/v1/users", {"login": "no.password", "role": "librarian"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "password")
        r = ADMIN.post("/api/v1/users", {"login": "no.role", "password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "role")
        logins = {row[0] for row in db_rows(SERVER.db, "SELECT login FROM users")}
        for extra, _ in cases:
            self.assertNotIn(extra["login"], logins)

    def test_patch_validates_too(self):
        self.assertEqual(new_user("patch.target").status, 201)
        for body, field, status in (({"role": "root"}, "role", 422), ({"org": "NOPE"}, "org", 422),
                                    ({"password": "tiny"}, "password", 422),
                                    ({"disabled": "yes"}, "disabled", 400),
                                    ({"login": "renamed"}, "login", 400),
                                    ({"password_hash": "x"}, "password_hash", 400)):
            r = ADMIN.patch("/api/v1/users/patch.target", body)
            self.assertEqual(r.status, status, (body, r))
            self.assertEqual(r.json["error"]["field"], field, r)
        r = ADMIN.patch("/api/v1/users/patch.target", {"role": "coordinator", "org": None})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["role"], r.json["org"]), ("coordinator", None))
        self.assertEqual(ADMIN.patch("/api/v1/users/no.such.user", {"role": "auditor"}).status, 404)
        self.assertEqual(ADMIN.get("/api/v1/users/no.such.user").status, 404)

    def test_unknown_fields_are_400(self):
        r = ADMIN.post("/api/v1/users", {"login": "unknown.field", "role": "librarian",
                                         "password": ADMIN_PASSWORD, "is_admin": True})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "is_admin")
        self.assertEqual(ADMIN.get("/api/v1/users/unknown.field").status, 404)

    def test_non_admin_roles_are_403_everywhere(self):
        self.assertEqual(new_user("victim.user").status, 201)
        for login, role in NON_ADMINS.items():
            c = signed_in(SERVER, login)
            self.assertEqual(c.get("/api/v1/session").json["user"]["role"], role)
            for method, path, body in (("GET", "/api/v1/users", None),
                                       ("GET", "/api/v1/users?limit=2", None),
                                       ("POST", "/api/v1/users", {"login": "by." + role, "role": "admin",
                                                                  "password": ADMIN_PASSWORD}),
                                       ("GET", "/api/v1/users/victim.user", None),
                                       ("GET", "/api/v1/users/admin", None),
                                       ("PATCH", "/api/v1/users/victim.user", {"role": "admin"}),
                                       ("PATCH", f"/api/v1/users/{login}", {"role": "admin"})):
                r = c.request(method, path, body)
                self.assertEqual(r.status, 403, (login, method, path, r))
                self.assertEqual(r.json["error"]["code"], "forbidden")
        self.assertEqual(ADMIN.get("/api/v1/users/victim.user").json["role"], "librarian")
        for login in NON_ADMINS:
            self.assertNotEqual(ADMIN.get(f"/api/v1/users/{login}").json["role"], "admin")

    def test_no_credentials_is_401(self):
        c = SERVER.client()
        for method, path, body in (("GET", "/api/v1/users", None),
                                   ("POST", "/api/v1/users", {"login": "anon.made", "role": "admin",
                                                              "password": ADMIN_PASSWORD}),
                                   ("GET", "/api/v1/users/admin", None),
                                   ("PATCH", "/api/v1/users/admin", {"disabled": True}),
                                   ("GET", "/api/v1/audit", None),
                                   ("GET", "/api/v1/account", None),
                                   ("PATCH", "/api/v1/account", {"lang": "ru"}),
                                   ("GET", "/api/v1/tokens", None),
                                   ("POST", "/api/v1/tokens", {"name": "x"})):
            r = c.request(method, path, body)
            self.assertEqual(r.status, 401, (method, path, r))
            self.assertEqual(r.json["error"]["code"], "unauthenticated")
        self.assertFalse(ADMIN.get("/api/v1/users/admin").json["disabled"])


def audit_items(**query):
    """One page of GET /api/v1/audit as the administrator."""
    q = urllib.parse.urlencode(query)
    r = ADMIN.get("/api/v1/audit" + ("?" + q if q else ""))
    assert r.status == 200, r
    return r.json["items"]


class AuditTest(unittest.TestCase):
    def audit(self, **query):
        return audit_items(**query)

    def test_changes_and_sessions_are_audited(self):
        t0 = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        self.assertEqual(new_user("audited.user", role="librarian").status, 201)
        self.assertEqual(ADMIN.patch("/api/v1/users/audited.user",
                                     {"role": "auditor", "org": None, "display_name": "Checked"}).status, 200)
        self.assertEqual(ADMIN.patch("/api/v1/users/audited.user", {"password": "another long password"}).status,
                         200)
        self.assertEqual(ADMIN.patch("/api/v1/users/audited.user", {"disabled": True}).status, 200)
        self.assertEqual(ADMIN.patch("/api/v1/users/audited.user", {"disabled": False}).status, 200)
        bad = SERVER.client().login("audited.user", "not the password at all")
        self.assertEqual(bad.status, 401)
        c = SERVER.client()
        self.assertEqual(c.login("audited.user", "another long password").status, 200)
        self.assertEqual(c.delete("/api/v1/session").status, 204)
        ghost = SERVER.client().login("ghost.login", "whatever password")
        self.assertEqual(ghost.status, 401)

        entries = self.audit(entity_id="audited.user", limit=1000)
        actions = [(e["actor"], e["action"], e["entity"]) for e in reversed(entries)]
        self.assertEqual(actions, [
            ("admin", "create", "user"),
            ("admin", "update", "user"),
            ("admin", "update", "user"),
            ("admin", "update", "user"),
            ("admin", "update", "user"),
            ("anonymous", "login_failed", "session"),
            ("audited.user", "login", "session"),
            ("audited.user", "logout", "session"),
        ])
        for e in entries:
            self.assertGreaterEqual(e["at"], t0)
            self.assertEqual(e["client"], "127.0.0.1")
            self.assertRegex(e["hash"], "^[0-9a-f]{64}$")
        create = entries[-1]
        self.assertIsNone(create["before"])
        self.assertEqual(create["after"]["login"], "audited.user")
        self.assertEqual(create["after"]["role"], "librarian")
        role_change = entries[-2]
        self.assertEqual(role_change["before"]["role"], "librarian")
        self.assertEqual(role_change["before"]["org"], "SPMU")
        self.assertEqual(role_change["after"]["role"], "auditor")
        self.assertIsNone(role_change["after"]["org"])
        self.assertEqual(role_change["after"]["display_name"], "Checked")
        pw_change = entries[-3]
        self.assertTrue(pw_change["after"].get("password_changed"))
        self.assertEqual(entries[-4]["before"]["disabled"], False)
        self.assertEqual(entries[-4]["after"]["disabled"], True)
        ghost_entries = self.audit(entity_id="ghost.login")
        self.assertEqual([(e["actor"], e["action"]) for e in ghost_entries], [("anonymous", "login_failed")])
        # The same entries, read through the database, carry no secret either.
        assert_no_secret(self, json.dumps(self.audit(limit=1000)))
        raw = db_rows(SERVER.db, "SELECT COALESCE(before, ''), COALESCE(after, '') FROM audit")
        assert_no_secret(self, json.dumps(raw))

    def test_token_changes_are_audited(self):
        c = signed_in(SERVER, "librarian")
        r = c.post("/api/v1/tokens", {"name": "audit me"})
        tid = str(r.json["id"])
        self.assertEqual(c.delete(f"/api/v1/tokens/{tid}").status, 204)
        entries = self.audit(entity="api_token", entity_id=tid)
        self.assertEqual([(e["actor"], e["action"]) for e in entries],
                         [("librarian", "revoke"), ("librarian", "create")])
        self.assertNotIn(r.json["token"], json.dumps(entries))

    def test_who_may_read_the_audit(self):
        self.assertEqual(ADMIN.get("/api/v1/audit").status, 200)
        auditor = signed_in(SERVER, "auditor")
        r = auditor.get("/api/v1/audit?limit=5")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.json["items"]), 5)
        for login in ("coordinator", "librarian", "officer.bishkek", "inspector.osh"):
            r = signed_in(SERVER, login).get("/api/v1/audit")
            self.assertEqual(r.status, 403, (login, r))
        self.assertEqual(SERVER.client().get("/api/v1/audit").status, 401)

    def test_filters(self):
        self.assertEqual(new_user("filter.user").status, 201)
        c = signed_in(SERVER, "filter.user")
        self.assertEqual(c.delete("/api/v1/session").status, 204)
        by_actor = self.audit(actor="filter.user", limit=1000)
        self.assertEqual([e["action"] for e in by_actor], ["logout", "login"])
        self.assertTrue(all(e["actor"] == "filter.user" for e in by_actor))
        by_entity = self.audit(entity="user", limit=1000)
        self.assertTrue(by_entity)
        self.assertTrue(all(e["entity"] == "user" for e in by_entity))
        self.assertIn("filter.user", [e["entity_id"] for e in by_entity])
        logins = self.audit(action="login", limit=1000)
        self.assertTrue(all(e["action"] == "login" for e in logins))
        self.assertIn("filter.user", [e["actor"] for e in logins])
        both = self.audit(action="login", actor="filter.user")
        self.assertEqual(len(both), 1)
        self.assertEqual(self.audit(actor="nobody at all"), [])
        self.assertEqual(self.audit(entity="user", entity_id="filter.user", action="logout"), [])
        # Time range: entries carry UTC ISO-8601 times and the bounds are inclusive.
        newest = self.audit(limit=1)[0]
        self.assertEqual(self.audit(to="2000-01-01T00:00:00Z"), [])
        self.assertEqual(self.audit(**{"from": "2999-01-01T00:00:00Z"}), [])
        at = newest["at"]
        exact = self.audit(**{"from": at, "to": at, "limit": 1000})
        self.assertIn(newest["id"], [e["id"] for e in exact])
        self.assertTrue(all(e["at"] == at for e in exact))
        everything = self.audit(limit=1000)
        self.assertEqual(len(self.audit(**{"from": "2000-01-01T00:00:00Z", "limit": 1000})), len(everything))
        earlier = self.audit(to=everything[-1]["at"], limit=1000)
        self.assertIn(everything[-1]["id"], [e["id"] for e in earlier])
        # A bare date covers its whole day on either bound.
        today = newest["at"][:10]
        same_day = self.audit(**{"from": today, "to": today, "limit": 1000})
        self.assertIn(newest["id"], [e["id"] for e in same_day])
        self.assertTrue(all(e["at"].startswith(today) for e in same_day))
        # Anything that is not a date or a UTC time is refused, naming the parameter.
        for bad in ("yesterday", "2026-13-01", "2026-11-28T25:00:00Z", "2026-11-28 10:00:00",
                    "' OR 1=1 --"):
            for name in ("from", "to"):
                r = ADMIN.get("/api/v1/audit?" + urllib.parse.urlencode({name: bad}))
                self.assertEqual(r.status, 400, (name, bad, r))
                self.assertEqual(r.json["error"]["field"], name)

    def test_pagination(self):
        everything = self.audit(limit=1000)
        self.assertLess(len(everything), 1000)
        items, pages = follow_pages(ADMIN, "/api/v1/audit", 3)
        ids = [e["id"] for e in items]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(ids, sorted(ids, reverse=True))
        # New entries may arrive meanwhile (logins); everything seen first is in the walk.
        self.assertTrue(set(e["id"] for e in everything) <= set(ids))
        self.assertGreater(pages, 2)
        filtered, _ = follow_pages(ADMIN, "/api/v1/audit?entity=user", 2)
        self.assertEqual([e["id"] for e in filtered],
                         [e["id"] for e in self.audit(entity="user", limit=1000)])
        for q in ("limit=0", "limit=1001", "limit=abc", "limit=", "limit=-1", "limit=2.5"):
            r = ADMIN.get("/api/v1/audit?" + q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertEqual(r.json["error"]["field"], "limit")
        r = ADMIN.get("/api/v1/audit?cursor=bm90LWEtbnVtYmVy")  # "not-a-number"
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "cursor")

    def test_user_json_never_holds_the_hash(self):
        for path in ("/api/v1/users?limit=1000", "/api/v1/users/admin", "/api/v1/account",
                     "/api/v1/session"):
            r = ADMIN.get(path)
            self.assertEqual(r.status, 200, r)
            assert_no_secret(self, r.text)


class AccountTest(unittest.TestCase):
    def test_show_and_update_own_account(self):
        self.assertEqual(new_user("account.owner", role="programme_officer", org="BISHKEK").status, 201)
        c = signed_in(SERVER, "account.owner")
        r = c.get("/api/v1/account")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["login"], r.json["role"], r.json["org"], r.json["lang"]),
                         ("account.owner", "programme_officer", "BISHKEK", "en"))
        assert_no_secret(self, r.text)
        r = c.patch("/api/v1/account", {"lang": "ru", "display_name": "\u0418\u043d\u0441\u043f\u0435\u043a\u0442\u043e\u0440"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["lang"], "ru")
        self.assertEqual(r.json["display_name"], "\u0418\u043d\u0441\u043f\u0435\u043a\u0442\u043e\u0440")
        self.assertEqual(c.get("/api/v1/account").json["lang"], "ru")
        self.assertEqual(c.get("/api/v1/session").json["user"]["lang"], "ru")
        upd = [e for e in audit_items(entity_id="account.owner") if e["action"] == "update"]
        self.assertEqual(upd[0]["actor"], "account.owner")
        self.assertEqual(upd[0]["before"]["lang"], "en")
        self.assertEqual(upd[0]["after"]["lang"], "ru")

    def test_account_refuses_bad_and_privileged_fields(self):
        self.assertEqual(new_user("account.limits").status, 201)
        c = signed_in(SERVER, "account.limits")
        for body, field, status in (({"lang": "de"}, "lang", 422), ({"role": "admin"}, "role", 400),
                                    ({"org": "SPMU"}, "org", 400), ({"disabled": False}, "disabled", 400),
                                    ({"login": "renamed"}, "login", 400),
                                    ({"display_name": "x" * 129}, "display_name", 422),
                                    ({"lang": 5}, "lang", 400)):
            r = c.patch("/api/v1/account", body)
            self.assertEqual(r.status, status, (body, r))
            self.assertEqual(r.json["error"]["field"], field, (body, r))
        self.assertEqual(c.get("/api/v1/account").json["role"], "librarian")
        r = c.patch("/api/v1/account", {"lang": "ru"}, csrf=False)
        self.assertEqual(r.status, 403, r)

    def test_password_change_needs_the_current_password(self):
        self.assertEqual(new_user("account.pw").status, 201)
        c = signed_in(SERVER, "account.pw")
        r = c.patch("/api/v1/account", {"password": "my brand new password"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "current_password")
        r = c.patch("/api/v1/account", {"password": "my brand new password",
                                        "current_password": "this is not it"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "current_password")
        r = c.patch("/api/v1/account", {"password": "short", "current_password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "password")
        # Nothing changed so far.
        self.assertEqual(c.get("/api/v1/session").status, 200)
        self.assertEqual(SERVER.client().login("account.pw").status, 200)
        r = c.patch("/api/v1/account", {"password": "my brand new password",
                                        "current_password": ADMIN_PASSWORD})
        self.assertEqual(r.status, 200, r)
        assert_no_secret(self, r.text)
        self.assertEqual(SERVER.client().login("account.pw").status, 401)
        self.assertEqual(SERVER.client().login("account.pw", "my brand new password").status, 200)


if __name__ == "__main__":
    unittest.main()
