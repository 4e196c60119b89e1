"""Two polis serve processes on one database, as behind a load balancer (DESIGN §3,
Scale-out): a session made on one is valid on the other and ends on both, login throttling
counts failures across both, an offline submission retried on the other server lands once,
and writes arriving at both at once keep one unbroken audit chain (writers serialise in the
store, not in a process). Runs on SQLite and, at the
api(postgres) level, on PostgreSQL."""

import threading
import unittest

from harness import ADMIN_PASSWORD, PolisServer, db_rows, finish, run_polis, signed_in


class TwoServersTest(unittest.TestCase):
    def setUp(self):
        env = {"POLIS_LOGIN_MAX_ACCOUNT": "3"}
        self.a = PolisServer(env=env).start()
        self.b = PolisServer(env=env, same_db_as=self.a).start()

    def tearDown(self):
        finish(self.b)
        finish(self.a)

    def test_session_made_on_one_is_valid_on_the_other(self):
        on_a = signed_in(self.a, "coordinator")
        on_b = self.b.client()
        on_b.cookies, on_b.csrf = dict(on_a.cookies), on_a.csrf
        r = on_b.get("/api/v1/session")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["login"], "coordinator")
        self.assertEqual(on_b.delete("/api/v1/session").status, 204)
        self.assertEqual(on_a.get("/api/v1/session").status, 401)

    def test_login_throttling_counts_across_servers(self):
        ca, cb = self.a.client(), self.b.client()
        for c in (ca, cb, ca):
            self.assertEqual(c.login("auditor", "not the password at all").status, 401)
        self.assertEqual(cb.login("auditor", ADMIN_PASSWORD).status, 429)
        self.assertEqual(ca.login("auditor", ADMIN_PASSWORD).status, 429)

    def test_offline_submission_retried_on_the_other_lands_once(self):
        body = {"service_code": "youth", "description": "Queued on a tablet while offline",
                "client_id": "two-servers-tab-1"}
        on_a, on_b = signed_in(self.a), signed_in(self.b)
        first = on_a.post("/api/v1/concerns", body)
        self.assertEqual(first.status, 201, first)
        again = on_b.post("/api/v1/concerns", body)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json["tracking_code"], first.json["tracking_code"])
        public = {"service_code": "rubbish", "description": "Rubbish on the corner",
                  "client_id": "two-servers-citizen-1"}
        first = self.a.client().post("/api/v1/public/concerns", public)
        self.assertEqual(first.status, 201, first)
        again = self.b.client().post("/api/v1/public/concerns", public)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json["tracking_code"], first.json["tracking_code"])
        rows = db_rows(self.a.db, "SELECT count(*) FROM concerns WHERE client_id IN"
                                  " ('two-servers-tab-1', 'two-servers-citizen-1')")
        self.assertEqual(rows[0][0], 2)

    def test_concurrent_writes_keep_one_audit_chain(self):
        created, errors = [], []

        def writer(srv, prefix):
            c = signed_in(srv)
            for i in range(15):
                login = f"{prefix}.{i}"
                r = c.post("/api/v1/users", {"login": login, "role": "librarian", "org": "SPMU",
                                             "display_name": login, "password": ADMIN_PASSWORD})
                (created if r.status == 201 else errors).append((login, r.status))

        threads = [threading.Thread(target=writer, args=(srv, name))
                   for srv, name in ((self.a, "via.a"), (self.b, "via.b"),
                                     (self.a, "via.a2"), (self.b, "via.b2"))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(errors, [])
        self.assertEqual(len(created), 60)
        audited = {row[0] for row in db_rows(
            self.a.db, "SELECT entity_id FROM audit WHERE action = 'create' AND entity = 'user'")}
        self.assertTrue({login for login, _ in created} <= audited)
        check = run_polis("check", "--db", self.a.db)
        self.assertEqual(check.returncode, 0, check.stderr)


if __name__ == "__main__":
    unittest.main()
