"""The server's life and manners: graceful shutdown under load, /healthz and /metrics,
request ids and the request log, security headers on every kind of response, and
cached static assets."""

import http.client
import re
import signal
import threading
import time
import unittest

from harness import (ADMIN_PASSWORD, PolisServer, db_rows, finish, log_records,
                     sanitizer_report, signed_in)

SERVER = None
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
                    "X-Request-Id")
GRACE_S = 10  # SHUTDOWN_GRACE_MS in src/cli/serve.c


def setUpModule():
    global SERVER
    SERVER = PolisServer().start()


def tearDownModule():
    finish(SERVER)


def metric_value(text, name, labels=None):
    """The value of one sample in Prometheus text, or None."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$', line)
        if not m or m.group(1) != name:
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if labels is None or got == labels:
            return float(m.group(3))
    return None


class ShutdownTest(unittest.TestCase):
    def test_sigterm_under_load(self):
        srv = PolisServer(demo=False).start()
        self.addCleanup(finish, srv)
        acknowledged, failures, acked_at = [], [], []
        lock = threading.Lock()
        started = threading.Event()

        def client(n):
            c = signed_in(srv)
            i = 0
            while True:
                login = f"load{n}.{i}"
                i += 1
                try:
                    r = c.post("/api/v1/users", {"login": login, "role": "librarian",
                                                 "password": ADMIN_PASSWORD})
                except (OSError, http.client.HTTPException):
                    return  # the server went away: expected after SIGTERM
                with lock:
                    if r.status == 201:
                        acknowledged.append(login)
                        acked_at.append(time.time())
                        if len(acknowledged) >= 6:
                            started.set()
                    else:
                        failures.append((login, r.status, r.body[:200]))
                if r.status != 201:
                    return

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        self.assertTrue(started.wait(60), "no user was created")
        sent = time.time()
        srv.proc.send_signal(signal.SIGTERM)
        code = srv.proc.wait(timeout=GRACE_S + 10)
        took = time.time() - sent
        for t in threads:
            t.join(30)
        srv.log.close()
        srv.proc = None
        self.assertEqual(code, 0, srv.read_log()[-3000:])
        self.assertLess(took, GRACE_S, "the drain must end once requests in flight are done")
        self.assertGreaterEqual(len([t for t in acked_at if t > sent]), 1,
                                "requests in flight at SIGTERM are finished and answered")
        log = srv.read_log()
        self.assertIn("stopped cleanly", log)
        self.assertIsNone(sanitizer_report(log))
        # A request that reached a stopping server may be refused (503), never lost or broken.
        for login, status, body in failures:
            self.assertEqual(status, 503, (login, status, body))
        in_db = {row[0] for row in db_rows(srv.db, "SELECT login FROM users")}
        missing = [login for login in acknowledged if login not in in_db]
        self.assertEqual(missing, [], f"{len(acknowledged)} acknowledged")
        audited = {row[0] for row in db_rows(srv.db, "SELECT entity_id FROM audit"
                                                     " WHERE action = 'create' AND entity = 'user'")}
        self.assertTrue(set(acknowledged) <= audited)
        # Restarted, the server lists them all.
        srv.start()
        listed = {u["login"] for u in signed_in(srv).get("/api/v1/users?limit=1000").json["items"]}
        self.assertTrue(set(acknowledged) <= listed)

    def test_sigint_on_idle_server(self):
        srv = PolisServer(demo=False).start()
        self.addCleanup(finish, srv)
        c = srv.client()
        self.assertEqual(c.get("/healthz").status, 200)  # an idle keep-alive connection stays open
        sent = time.time()
        code = srv.stop(sig=signal.SIGINT)
        self.assertEqual(code, 0, srv.read_log()[-2000:])
        self.assertLess(time.time() - sent, 3, "an idle keep-alive connection must not delay the stop")
        self.assertIn("stopped cleanly", srv.read_log())


class ObservabilityTest(unittest.TestCase):
    def test_healthz(self):
        r = SERVER.client().get("/healthz")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"status": "ok"})
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        h = SERVER.client().request("HEAD", "/healthz")
        self.assertEqual(h.status, 200)
        self.assertEqual(h.body, b"")

    def test_metrics(self):
        c = SERVER.client()
        first = c.get("/metrics").text
        before = metric_value(first, "polis_http_requests_total", {"method": "GET", "route": "/healthz", "status": "200"}) or 0
        for _ in range(3):
            self.assertEqual(c.get("/healthz").status, 200)
        self.assertEqual(c.get("/api/v1/users").status, 401)
        self.assertEqual(c.get("/no/such/page").status, 404)
        r = c.get("/metrics")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/plain"), r.headers)
        text = r.text
        self.assertIn("# TYPE polis_http_requests_total counter", text)
        after = metric_value(text, "polis_http_requests_total", {"method": "GET", "route": "/healthz", "status": "200"})
        self.assertEqual(after, before + 3)
        self.assertGreaterEqual(
            metric_value(text, "polis_http_requests_total", {"method": "GET", "route": "/api/v1/users", "status": "401"}), 1)
        self.assertGreaterEqual(
            metric_value(text, "polis_http_requests_total", {"route": "unmatched", "status": "404"}), 1)
        self.assertIn("# TYPE polis_http_request_duration_seconds histogram", text)
        buckets = re.findall(r'^polis_http_request_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$', text, re.M)
        self.assertGreaterEqual(len(buckets), 5)
        self.assertEqual(buckets[-1][0], "+Inf")
        counts = [int(n) for _, n in buckets]
        self.assertEqual(counts, sorted(counts), "histogram buckets are cumulative")
        total = metric_value(text, "polis_http_request_duration_seconds_count")
        self.assertEqual(counts[-1], total)
        self.assertIsNotNone(metric_value(text, "polis_http_request_duration_seconds_sum"))
        self.assertIn("# TYPE polis_http_open_connections gauge", text)
        open_now = metric_value(text, "polis_http_open_connections")
        self.assertGreaterEqual(open_now, 1, "this very connection is open")
        # Every sample line parses.
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [0-9.e+-]+$')

    def test_request_ids(self):
        c = SERVER.client()
        seen = set()
        for path in ("/healthz", "/api/v1/session", "/nope", "/assets/app.css", "/"):
            r = c.get(path)
            rid = r.header("X-Request-Id")
            self.assertIsNotNone(rid, (path, r.headers))
            self.assertRegex(rid, r"^[A-Za-z0-9_-]{1,36}$")
            seen.add(rid)
        self.assertEqual(len(seen), 5, "each response has its own id")
        r = c.get("/healthz", headers={"X-Request-Id": "trace-abc_123"})
        self.assertEqual(r.header("X-Request-Id"), "trace-abc_123")
        for bad in ("has space", "x" * 200, "semi;colon", "<script>"):
            r = c.get("/healthz", headers={"X-Request-Id": bad})
            self.assertEqual(r.status, 200)
            self.assertNotEqual(r.header("X-Request-Id"), bad)
            self.assertRegex(r.header("X-Request-Id"), r"^[A-Za-z0-9_-]{1,36}$")

    def test_one_log_line_per_request_and_no_password(self):
        c = SERVER.client()
        rid = "log-check-0001"
        r = c.get("/api/v1/users/admin", headers={"X-Request-Id": rid})
        self.assertEqual(r.status, 401)
        wrong = "Wr0ng-Passw0rd-Th4t-Must-N0t-Leak"
        self.assertEqual(c.login("admin", wrong).status, 401)
        r = c.post("/api/v1/session", {"login": "admin", "password": ADMIN_PASSWORD},
                   headers={"X-Request-Id": "log-check-login"})
        self.assertEqual(r.status, 200)
        c.csrf = r.json["csrf"]
        self.assertEqual(c.patch("/api/v1/account", {"password": "x" * 12 + "secret",
                                                     "current_password": "nope nope nope"}).status, 422)
        time.sleep(0.2)
        records = log_records(SERVER)
        mine = [rec for rec in records if rec.get("req") == rid]
        self.assertEqual(len(mine), 1, mine)
        self.assertEqual(mine[0]["status"], 401)
        self.assertEqual(mine[0]["route"], "/api/v1/users/{login}")
        self.assertEqual(mine[0]["method"], "GET")
        self.assertIn("ms", mine[0])
        login = [rec for rec in records if rec.get("req") == "log-check-login"]
        self.assertEqual(len(login), 1)
        self.assertEqual((login[0]["status"], login[0]["route"]), (200, "/api/v1/session"))
        log = SERVER.read_log()
        for secret in (ADMIN_PASSWORD, wrong, "x" * 12 + "secret", "nope nope nope", c.csrf,
                       c.cookies["polis_session"]):
            self.assertNotIn(secret, log)
        # Every request line has the fields an operator needs.
        for rec in records:
            if "req" in rec:
                for key in ("ts", "req", "method", "path", "route", "status", "ms"):
                    self.assertIn(key, rec)


class SecurityHeadersTest(unittest.TestCase):
    def assert_secure(self, r, what):
        for h in SECURITY_HEADERS:
            self.assertIsNotNone(r.header(h), (what, h, r.headers))
        csp = r.header("Content-Security-Policy")
        self.assertNotIn("unsafe-inline", csp, what)
        self.assertNotIn("unsafe-eval", csp, what)
        self.assertIn("frame-ancestors 'none'", csp, what)
        self.assertIn("default-src 'self'", csp, what)
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff", what)
        self.assertIn(r.header("Referrer-Policy"),
                      ("same-origin", "no-referrer", "strict-origin-when-cross-origin",
                       "strict-origin"), what)

    def test_headers_on_every_kind_of_response(self):
        c = SERVER.client()
        cases = [("GET", "/healthz", 200), ("GET", "/api/v1/users", 401), ("GET", "/", 200),
                 ("GET", "/assets/app.css", 200), ("GET", "/no/such/thing", 404),
                 ("GET", "/api/v1/nothing-here", 404), ("PUT", "/healthz", 405),
                 ("DELETE", "/api/v1/audit", 405), ("GET", "/metrics", 200)]
        for method, path, status in cases:
            r = c.request(method, path)
            self.assertEqual(r.status, status, (method, path, r))
            self.assert_secure(r, f"{method} {path}")
        home = c.get("/")
        self.assertTrue(home.header("Content-Type").startswith("text/html"))
        self.assertNotIn("<script>", home.text.lower().replace(" ", ""), "no inline script")
        self.assertNotIn(" style=", home.text, "no inline style attributes")
        signed = signed_in(SERVER)
        r = signed.get("/api/v1/account")
        self.assert_secure(r, "signed-in JSON")
        self.assertEqual(r.header("Cache-Control"), "no-store")
        r = signed.post("/api/v1/users", b"{", raw=True)
        self.assertEqual(r.status, 400)
        self.assert_secure(r, "400")

    def test_404_and_405_shapes(self):
        c = SERVER.client()
        r = c.get("/api/v1/unknown")
        self.assertEqual(r.status, 404)
        self.assertEqual(set(r.json["error"]), {"code", "message"})
        self.assertEqual(r.json["error"]["code"], "not_found")
        r = c.request("PUT", "/api/v1/session")
        self.assertEqual(r.status, 405)
        allow = {m.strip() for m in r.header("Allow").split(",")}
        self.assertEqual(allow, {"GET", "HEAD", "POST", "DELETE"})


class AssetsTest(unittest.TestCase):
    def test_etag_and_conditional_get(self):
        c = SERVER.client()
        r = c.get("/assets/app.css")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/css"))
        etag = r.header("ETag")
        self.assertRegex(etag, r'^"[^"]+"$')
        cc = r.header("Cache-Control")
        self.assertIn("max-age=", cc)
        self.assertNotIn("no-store", cc)
        self.assertGreater(len(r.body), 0)
        again = c.get("/assets/app.css", headers={"If-None-Match": etag})
        self.assertEqual(again.status, 304, again)
        self.assertEqual(again.body, b"")
        self.assertEqual(again.header("ETag"), etag)
        self.assert_has_security(again)
        stale = c.get("/assets/app.css", headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(stale.status, 200)
        self.assertEqual(stale.body, r.body)
        head = c.request("HEAD", "/assets/app.css")
        self.assertEqual(head.status, 200)
        self.assertEqual(head.body, b"")
        self.assertEqual(head.header("ETag"), etag)

    def assert_has_security(self, r):
        for h in SECURITY_HEADERS:
            self.assertIsNotNone(r.header(h), (h, r.headers))

    def test_versioned_url_in_pages(self):
        home = SERVER.client().get("/").text
        m = re.search(r'/assets/app\.css\?v=[0-9a-f]+', home)
        self.assertIsNotNone(m, "pages link the stylesheet with a content version")
        r = SERVER.client().get(m.group(0))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, SERVER.client().get("/assets/app.css").body)

    def test_unknown_asset_is_404(self):
        r = SERVER.client().get("/assets/nothing.css")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json["error"]["code"], "not_found")


if __name__ == "__main__":
    unittest.main()
