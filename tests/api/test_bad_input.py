"""Hostile and malformed input against a real `polis serve`: each case gets the right
4xx, and after each one the server still answers /healthz (checked on a fresh
connection). Nothing here may crash the server, read files or reach SQL as code."""

import json
import unittest
import urllib.parse

from harness import (ADMIN_PASSWORD, PolisServer, db_rows, finish, health_ok, on_postgres,
                     raw_exchange, signed_in)

SERVER = None
ADMIN = None
MIB = 1 << 20


def setUpModule():
    global SERVER, ADMIN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)


def tearDownModule():
    finish(SERVER)


def table_counts():
    return {t: db_rows(SERVER.db, f'SELECT COUNT(*) FROM "{t}"')[0][0]
            for t in ("users", "sessions", "api_tokens", "schema_migrations")}


class BadInputCase(unittest.TestCase):
    def tearDown(self):
        self.assertTrue(SERVER.alive(), "the server died:\n" + SERVER.read_log()[-3000:])
        self.assertTrue(health_ok(SERVER.port), "the server stopped answering /healthz")

    def assert_error(self, r, status, field=None):
        self.assertIsNotNone(r, "no response")
        self.assertEqual(r.status, status, r)
        err = r.json["error"]
        self.assertIsInstance(err["code"], str)
        self.assertIsInstance(err["message"], str)
        if field is not None:
            self.assertEqual(err.get("field"), field, r)

    def post_raw(self, path, data, content_type="application/json", client=None):
        c = client or ADMIN
        return c.post(path, data, raw=True, content_type=content_type)

    def head(self, method, path, extra=b"", length=None, chunked=False, auth=True):
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
                 "Connection: close"]
        if auth:
            lines.append("Cookie: polis_session=" + ADMIN.cookies["polis_session"])
            lines.append("X-CSRF-Token: " + ADMIN.csrf)
        if length is not None:
            lines.append(f"Content-Length: {length}")
        if chunked:
            lines.append("Transfer-Encoding: chunked")
        return ("\r\n".join(lines) + "\r\n").encode() + extra + b"\r\n"


class JsonBodyTest(BadInputCase):
    def test_malformed_json(self):
        for body in (b"{", b"{\"login\":}", b"not json", b"{'login':'x'}", b"", b"{\"a\":1}}",
                     b"{\"a\":1,}", b"\xef\xbb\xbf{}", b"{\"a\":NaN}"):
            r = self.post_raw("/api/v1/users", body)
            self.assert_error(r, 400)
            self.assertTrue(health_ok(SERVER.port))

    def test_deep_nesting(self):
        for depth in (33, 1000, 10000, 100000):
            r = self.post_raw("/api/v1/users", b"[" * depth + b"]" * depth)
            self.assert_error(r, 400)
            r = self.post_raw("/api/v1/users", b'{"a":' * depth + b"1" + b"}" * depth)
            self.assert_error(r, 400)
        # Brackets inside strings are not nesting.
        r = self.post_raw("/api/v1/tokens", json.dumps({"name": "[" * 90}).encode())
        self.assertEqual(r.status, 201, r)
        # Unclosed deep nesting.
        self.assert_error(self.post_raw("/api/v1/users", b"[" * 50000), 400)

    def test_not_an_object(self):
        for body in (b"[]", b"[{\"login\":\"x\"}]", b"\"string\"", b"42", b"null", b"true"):
            self.assert_error(self.post_raw("/api/v1/users", body), 400)
            self.assert_error(self.post_raw("/api/v1/session", body, client=SERVER.client()), 400)

    def test_wrong_content_types(self):
        body = json.dumps({"login": "ct.user", "role": "librarian", "password": ADMIN_PASSWORD})
        for ct in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                   "application/jsonx", "application/json-patch+json", "text/json", "application/xml"):
            self.assert_error(self.post_raw("/api/v1/users", body, content_type=ct), 415)
        r = raw_exchange(SERVER.port, self.head("POST", "/api/v1/users", length=len(body)).replace(
            b"Content-Type: application/json\r\n", b"") + body.encode())
        self.assert_error(r, 415)
        # Parameters after the type are fine.
        r = self.post_raw("/api/v1/tokens", '{"name":"ct"}', content_type="application/json; charset=utf-8")
        self.assertEqual(r.status, 201, r)
        r = self.post_raw("/api/v1/tokens", '{"name":"ct"}', content_type="Application/JSON")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(ADMIN.get("/api/v1/users/ct.user").status, 404)

    def test_invalid_utf8_in_json(self):
        for body in (b'{"login":"\xff\xfe","password":"correct horse battery staple"}',
                     b'{"login":"ab\xc3","password":"x"}',
                     b'{"login":"\xed\xa0\x80abc","password":"x"}',  # a UTF-16 surrogate
                     b'{"login":"\xc0\xafabc","password":"x"}'):     # overlong '/'
            self.assert_error(self.post_raw("/api/v1/session", body, client=SERVER.client()), 400)
            self.assert_error(self.post_raw("/api/v1/users", body), 400)
        # Escaped lone surrogates are refused by the JSON parser too.
        self.assert_error(self.post_raw("/api/v1/tokens", b'{"name":"\\ud800"}'), 400)

    def test_duplicate_keys(self):
        body = b'{"login":"dup.keys","role":"librarian","role":"admin","password":"correct horse battery staple"}'
        self.assert_error(self.post_raw("/api/v1/users", body), 400)
        body = b'{"login":"admin","login":"x","password":"correct horse battery staple"}'
        self.assert_error(self.post_raw("/api/v1/session", body, client=SERVER.client()), 400)
        self.assertEqual(ADMIN.get("/api/v1/users/dup.keys").status, 404)

    def test_nul_bytes(self):
        r = self.post_raw("/api/v1/tokens", b'{"name":"a\\u0000b"}')
        self.assertIn(r.status, (400, 422), r)
        r = self.post_raw("/api/v1/session", b'{"login":"admin\\u0000x","password":"correct horse battery staple"}',
                          client=SERVER.client())
        self.assertIn(r.status, (400, 422), r)
        r = self.post_raw("/api/v1/session", b'{"login":"admin","password":"correct horse battery staple\\u0000"}',
                          client=SERVER.client())
        self.assertIn(r.status, (400, 422), r)
        r = self.post_raw("/api/v1/tokens", b'{"name":"a\x00b"}')
        self.assertIn(r.status, (400, 422), r)
        names = [t["name"] for t in ADMIN.get("/api/v1/tokens").json["items"]]
        self.assertFalse([n for n in names if n.startswith("a")], names)

    def test_wrong_json_types(self):
        for body, field in (({"login": ["x"], "role": "librarian", "password": ADMIN_PASSWORD}, "login"),
                            ({"login": "types.user", "role": {"r": 1}, "password": ADMIN_PASSWORD}, "role"),
                            ({"login": "types.user", "role": "librarian", "password": 12345678901}, "password")):
            r = ADMIN.post("/api/v1/users", body)
            self.assert_error(r, 400, field)


class BodySizeTest(BadInputCase):
    def test_honest_oversized_body(self):
        body = b'{"name":"' + b"a" * (MIB + 10) + b'"}'
        r = raw_exchange(SERVER.port, self.head("POST", "/api/v1/tokens", length=len(body)),
                         [body[i:i + 65536] for i in range(0, len(body), 65536)])
        self.assert_error(r, 413)

    def test_just_under_the_limit_is_read(self):
        body = b'{"name":"' + b"a" * (MIB - 100) + b'"}'
        r = self.post_raw("/api/v1/tokens", body)
        self.assert_error(r, 422, "name")  # read in full, then refused for its content

    def test_lying_small_content_length(self):
        body = b'{"name":"' + b"a" * (2 * MIB) + b'"}'
        r = raw_exchange(SERVER.port, self.head("POST", "/api/v1/tokens", length=10),
                         [body[i:i + 65536] for i in range(0, len(body), 65536)])
        # The first 10 bytes are the body (malformed JSON); the rest is garbage after it.
        if r is not None:
            self.assertGreaterEqual(r.status, 400, r)
            self.assertLess(r.status, 500, r)

    def test_lying_large_content_length(self):
        r = raw_exchange(SERVER.port, self.head("POST", "/api/v1/tokens", length=50 * MIB) + b'{"name":"x"}',
                         timeout=10)
        self.assert_error(r, 413)

    def test_chunked_without_length(self):
        chunk = b"a" * 65536
        chunks = [b'{"name":"']
        chunks += [chunk] * (MIB // len(chunk) + 2)
        chunks.append(b'"}')
        encoded = [b"%x\r\n%s\r\n" % (len(c), c) for c in chunks] + [b"0\r\n\r\n"]
        r = raw_exchange(SERVER.port, self.head("POST", "/api/v1/tokens", chunked=True), encoded)
        self.assert_error(r, 413)
        # A small chunked body is read normally.
        small = [b"%x\r\n%s\r\n" % (len(c), c) for c in (b'{"name":', b'"chunked"}')] + [b"0\r\n\r\n"]
        r = raw_exchange(SERVER.port, self.head("POST", "/api/v1/tokens", chunked=True), small)
        self.assertEqual(r.status, 201, r)

    def test_huge_header(self):
        for name, size in (("X-Filler", 100 * 1024), ("Cookie", 100 * 1024), ("X-Many", 0)):
            if size:
                head = (f"GET /healthz HTTP/1.1\r\nHost: x\r\n{name}: " + "a" * size + "\r\n\r\n").encode()
            else:
                head = ("GET /healthz HTTP/1.1\r\nHost: x\r\n" +
                        "".join(f"X-H{i}: {'b' * 20}\r\n" for i in range(5000)) + "\r\n").encode()
            r = raw_exchange(SERVER.port, head)
            if r is not None:
                self.assertGreaterEqual(r.status, 400, r)
                self.assertLess(r.status, 500, r)
            self.assertTrue(health_ok(SERVER.port))
        r = raw_exchange(SERVER.port, ("GET /" + "a" * 100 * 1024 + " HTTP/1.1\r\nHost: x\r\n\r\n").encode())
        if r is not None:
            self.assertGreaterEqual(r.status, 400, r)
            self.assertLess(r.status, 500, r)


class QueryAndPathTest(BadInputCase):
    def test_invalid_utf8_in_query(self):
        for q in ("actor=%FF", "entity_id=%C3", "actor=%ED%A0%80", "from=%FF%FE"):
            r = ADMIN.get("/api/v1/audit?" + q)
            self.assert_error(r, 400, q.split("=")[0])
        # Undeclared parameters are dropped, whatever they hold.
        r = ADMIN.get("/api/v1/users?q=%FF&x=%00")
        self.assertEqual(r.status, 200, r)
        r = ADMIN.get("/api/v1/users/%FF")
        self.assertEqual(r.status, 404, r)

    def test_search_parameter(self):
        for path in ("/api/v1/organisations", "/api/v1/countries"):
            for q in ("%FF", "%C3%28", "%ED%A0%80", "a%FFb"):
                self.assert_error(ADMIN.get(f"{path}?q={q}"), 400, "q")
            everything = ADMIN.get(f"{path}?limit=1000").json["items"]
            self.assertGreater(len(everything), 5)
            # SQL and LIKE wildcards are searched for as text: they match nothing here.
            for q in ("' OR 1=1 --", "\"; DROP TABLE users; --", "%", "_", "%%", "\\", "' OR ''='"):
                r = ADMIN.get(f"{path}?" + urllib.parse.urlencode({"q": q, "limit": 1000}))
                self.assertEqual(r.status, 200, (path, q, r))
                self.assertEqual(r.json["items"], [], (path, q))
            r = ADMIN.get(path + "/" + urllib.parse.quote("' OR 1=1 --", safe=""))
            self.assertEqual(r.status, 404, r)
            self.assertEqual(len(ADMIN.get(f"{path}?limit=1000").json["items"]), len(everything))

    def test_limits(self):
        for path in ("/api/v1/users", "/api/v1/audit", "/api/v1/organisations", "/api/v1/countries"):
            for v in ("0", "1001", "abc", "-5", "1e3", " 5", "5 ", "99999999999999999999999", ""):
                r = ADMIN.get(f"{path}?limit={urllib.parse.quote(v)}")
                self.assert_error(r, 400, "limit")
            self.assertEqual(ADMIN.get(f"{path}?limit=1000").status, 200)
            self.assertEqual(len(ADMIN.get(f"{path}?limit=1").json["items"]), 1)

    def test_asset_traversal(self):
        forbidden = (b"SQLite format 3", b"root:", b"password_hash")
        for path in ("/assets/../polis.db", "/assets/%2e%2e%2fpolis.db", "/assets/..%2F..%2Fetc%2Fpasswd",
                     "/assets/%2e%2e/%2e%2e/etc/passwd", "/assets/..\\..\\etc\\passwd",
                     "/assets/%5c..%5cpolis.db", "/assets/....//polis.db", "/assets/.%2e/polis.db",
                     "/assets/%252e%252e%252fpolis.db", "/assets//etc/passwd", "/assets/app.css/..",
                     "/assets/app.css%00.db", "/../../etc/passwd", "/assets/%2fetc%2fpasswd"):
            r = SERVER.client().get(path)
            self.assertIn(r.status, (400, 404), (path, r))
            for f in forbidden:
                self.assertNotIn(f, r.body, path)
            r = raw_exchange(SERVER.port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            self.assertIsNotNone(r, path)
            self.assertIn(r.status, (400, 404), (path, r))
            for f in forbidden:
                self.assertNotIn(f, r.body, path)

    def test_sql_looking_input(self):
        before = table_counts()
        attacks = ["' OR 1=1 --", "\"; DROP TABLE users; --", "admin'--", "x' UNION SELECT password_hash FROM users --",
                   "1; DELETE FROM audit"]
        for a in attacks:
            r = SERVER.client().login(a, a)
            self.assert_error(r, 401)
            r = SERVER.client().login("admin", a)
            self.assert_error(r, 401)
            # Values are compared as text: only entries holding exactly that text match.
            for param in ("actor", "entity_id"):
                r = ADMIN.get("/api/v1/audit?" + urllib.parse.urlencode({param: a, "limit": 1000}))
                self.assertEqual(r.status, 200, (param, a, r))
                for e in r.json["items"]:
                    self.assertEqual(e[param], a)
            for param in ("entity", "action", "from", "to"):
                r = ADMIN.get("/api/v1/audit?" + urllib.parse.urlencode({param: a}))
                self.assert_error(r, 400, param)
            r = ADMIN.get("/api/v1/users/" + urllib.parse.quote(a, safe=""))
            self.assertEqual(r.status, 404, (a, r))
            r = ADMIN.patch("/api/v1/users/" + urllib.parse.quote(a, safe=""), {"disabled": True})
            self.assertEqual(r.status, 404, (a, r))
            r = ADMIN.post("/api/v1/users", {"login": a, "role": "librarian", "password": ADMIN_PASSWORD})
            self.assert_error(r, 422, "login")
            r = ADMIN.post("/api/v1/users", {"login": "sql.role", "role": a, "password": ADMIN_PASSWORD})
            self.assert_error(r, 422, "role")
            r = ADMIN.get("/api/v1/users?cursor=" + urllib.parse.quote(a, safe=""))
            self.assert_error(r, 400, "cursor")
        # Stored as text, never run: a display name full of SQL comes back as it went in.
        r = ADMIN.patch("/api/v1/account", {"display_name": attacks[1]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(ADMIN.get("/api/v1/account").json["display_name"], attacks[1])
        r = ADMIN.post("/api/v1/tokens", {"name": attacks[0]})
        self.assertEqual(r.status, 201, r)
        after = table_counts()
        self.assertEqual(after["users"], before["users"])
        self.assertEqual(after["schema_migrations"], before["schema_migrations"])
        self.assertEqual(after["api_tokens"], before["api_tokens"] + 1)
        self.assertFalse(any(u["disabled"] for u in ADMIN.get("/api/v1/users").json["items"]))
        catalog = ("SELECT table_name FROM information_schema.tables WHERE table_schema ="
                   " current_schema() AND table_name IN" if on_postgres() else
                   "SELECT name FROM sqlite_master WHERE type='table' AND name IN")
        check = db_rows(SERVER.db, catalog + " ('users','audit','sessions','api_tokens')")
        self.assertEqual(len(check), 4)


class RoutingTest(BadInputCase):
    def test_unknown_routes(self):
        for path in ("/api/v1/nope", "/api/v2/users", "/api/v1/users/admin/extra", "/api", "/api/v1/",
                     "/api/v1/users/", "/healthz/", "/%00", "/healthz%00", "/api/v1/session%00x"):
            r = SERVER.client().get(path)
            self.assertEqual(r.status, 404, (path, r))
            self.assertEqual(set(r.json), {"error"})
            self.assertEqual(r.json["error"]["code"], "not_found")
            self.assertIsInstance(r.json["error"]["message"], str)

    def test_wrong_methods(self):
        for method, path in (("PUT", "/healthz"), ("DELETE", "/healthz"), ("POST", "/metrics"),
                             ("PUT", "/api/v1/users"), ("DELETE", "/api/v1/users"),
                             ("POST", "/api/v1/audit"), ("PATCH", "/api/v1/session"),
                             ("POST", "/assets/app.css"), ("DELETE", "/api/v1/account")):
            r = ADMIN.request(method, path, {} if method in ("POST", "PUT", "PATCH") else None)
            self.assertEqual(r.status, 405, (method, path, r))
            allow = r.header("Allow")
            self.assertIsNotNone(allow, (method, path))
            self.assertNotIn(method, [m.strip() for m in allow.split(",")])
            self.assertEqual(r.json["error"]["code"], "method_not_allowed")
        r = ADMIN.request("GET", "/api/v1/tokens/1")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "DELETE")

    def test_made_up_methods(self):
        for method in ("BREW", "PROPFIND", "TRACE", "CONNECT", "get", "X" * 200):
            r = raw_exchange(SERVER.port, f"{method} /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode(),
                             method=method)
            if r is not None:
                self.assertGreaterEqual(r.status, 400, (method, r))
                self.assertNotEqual(r.status, 500, (method, r))
                self.assertTrue(r.status in (400, 405, 501) or r.status < 500, (method, r))
                if r.status == 405:
                    self.assertIsNotNone(r.header("Allow"))
            self.assertTrue(health_ok(SERVER.port), method)

    def test_garbage_requests(self):
        for data in (b"\x00\x01\x02\x03\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                     b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                     b"POST /api/v1/session HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                     b"GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n"):
            r = raw_exchange(SERVER.port, data, timeout=10)
            if r is not None:
                self.assertNotEqual(r.status, 500, (data, r))
            self.assertTrue(health_ok(SERVER.port), data)


if __name__ == "__main__":
    unittest.main()
