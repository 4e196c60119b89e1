"""Fault tests on PostgreSQL: the database server stops while polis serves, with writes in
flight. Requests then get 503 with the JSON error shape (signed-in ones too: credentials
that cannot be checked are not missing credentials), nothing is half-written, and once the
server is back polis serves again without a restart. Runs only at the api(postgres) level
of scripts/test.sh, which sets POLIS_TEST_DB, POLIS_TEST_PG and POLIS_PG_DIR."""

import os
import subprocess
import threading
import time
import unittest

from harness import (ROOT, PolisServer, db_rows, finish, health_ok, on_postgres, run_polis,
                     signed_in)

PG_DIR = os.environ.get("POLIS_PG_DIR", "")
UNAVAILABLE = ("unavailable", "database_unavailable")


def pg_ctl(command):
    """scripts/pg.sh halt|resume on the run's cluster."""
    subprocess.run([os.path.join(ROOT, "scripts", "pg.sh"), command, PG_DIR], check=True,
                   capture_output=True, timeout=120)


def new_concern(client, n):
    return client.post("/api/v1/concerns", {"channel": "station", "service_code": "water",
                                            "description": f"No water in the street ({n})"})


def new_user(client, login):
    return client.post("/api/v1/users", {"login": login, "role": "librarian", "org": "SPMU",
                                         "display_name": "Fault " + login,
                                         "password": "correct horse battery staple"})


@unittest.skipUnless(on_postgres() and PG_DIR,
                     "needs PostgreSQL: POLIS_TEST_DB=postgres and POLIS_PG_DIR (scripts/test.sh)")
class DatabaseDownTest(unittest.TestCase):
    def setUp(self):
        self.srv = PolisServer(env={"POLIS_THREADS": "2"}).start()

    def tearDown(self):
        finish(self.srv)

    def assert_unavailable(self, r):
        self.assertEqual(r.status, 503, r)
        self.assertIn(r.json["error"]["code"], UNAVAILABLE, r)
        self.assertNotIn("postgres://", r.text)

    def test_down_is_503_nothing_half_written_and_back_without_restart(self):
        srv = self.srv
        admin = signed_in(srv)
        r = admin.post("/api/v1/tokens", {"name": "fault test"})
        self.assertEqual(r.status, 201, r)
        bearer = srv.client()
        bearer.token = r.json["token"]
        self.assertEqual(bearer.get("/api/v1/framework/priorities").status, 200)
        # A concern before: group commits open their own connection, which must come back too.
        self.assertEqual(new_concern(bearer, "before").status, 201)
        pid = srv.proc.pid

        # Writes in flight while the server stops: each is either acknowledged and whole
        # (the user and its audit entry) or refused with 503 and absent.
        outcomes, stop = [], threading.Event()

        def writer():
            c = srv.client()
            c.token = bearer.token
            deadline = time.time() + 30
            n = 0
            while not stop.is_set() and time.time() < deadline and n < 400:
                login = f"fault.{n}"
                r = new_user(c, login)
                outcomes.append((login, r.status, r.text))
                n += 1

        t = threading.Thread(target=writer)
        t.start()
        deadline = time.time() + 20  # a write or two acknowledged first, however slow the build
        while time.time() < deadline and not any(o[1] == 201 for o in outcomes):
            time.sleep(0.05)
        pg_ctl("halt")
        try:
            time.sleep(0.3)
            for _ in range(4):  # enough to reach every worker thread's connection
                self.assert_unavailable(bearer.get("/api/v1/framework/priorities"))
                self.assert_unavailable(admin.get("/api/v1/users"))
                self.assert_unavailable(new_user(admin, "never.written"))
                self.assert_unavailable(new_concern(bearer, "never written"))
            self.assertTrue(srv.alive())
            self.assertTrue(health_ok(srv.port))  # the process is up; its database is not
        finally:
            stop.set()
            t.join(timeout=60)
            pg_ctl("resume")

        # Back: the same process serves again, on connections it re-established.
        self.assertEqual(srv.proc.pid, pid)
        deadline = time.time() + 20
        while time.time() < deadline:
            r = bearer.get("/api/v1/users?limit=1000")
            if r.status == 200:
                break
            time.sleep(0.2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(admin.get("/api/v1/session").status, 200)
        self.assertEqual(new_user(admin, "after.restart").status, 201)
        # The group commits' connection finds the server gone on its first use after the
        # restart (as each worker's does) and reconnects on the next.
        deadline = time.time() + 20
        while time.time() < deadline:
            r = new_concern(bearer, "after")
            if r.status == 201:
                break
            self.assert_unavailable(r)
            time.sleep(0.2)
        self.assertEqual(r.status, 201, r)
        for n in range(3):
            r = new_concern(bearer, f"after {n}")
            self.assertEqual(r.status, 201, r)

        statuses = {status for _, status, _ in outcomes}
        self.assertTrue(statuses <= {201, 503}, [o for o in outcomes if o[1] not in (201, 503)])
        self.assertIn(201, statuses)
        self.assertIn(503, statuses)
        users = {row[0] for row in db_rows(srv.db, "SELECT login FROM users")}
        audited = {row[0] for row in db_rows(
            srv.db, "SELECT entity_id FROM audit WHERE action = 'create' AND entity = 'user'")}
        acknowledged = {login for login, status, _ in outcomes if status == 201}
        self.assertTrue(acknowledged <= users)
        self.assertNotIn("never.written", users)
        # Every user row has its audit entry and no audit entry lacks its user.
        self.assertEqual({u for u in users if u.startswith("fault.")},
                         {a for a in audited if a.startswith("fault.")})
        check = run_polis("check", "--db", srv.db)
        self.assertEqual(check.returncode, 0, check.stderr)



@unittest.skipUnless(on_postgres() and PG_DIR,
                     "needs PostgreSQL: POLIS_TEST_DB=postgres and POLIS_PG_DIR (scripts/test.sh)")
class StartBeforeDatabaseTest(unittest.TestCase):
    def test_serve_waits_for_the_database_at_start(self):
        srv = PolisServer()
        # Loopback trust authentication ignores the password; it is there to be hidden.
        srv.db = srv.db.replace("://postgres@", "://postgres:s3cret@")
        try:
            srv.init_db()
            pg_ctl("halt")
            resumer = threading.Timer(2.0, pg_ctl, args=("resume",))
            resumer.start()
            try:
                srv.start()  # waits for /healthz, which comes once the database answered
            finally:
                resumer.join()
            log = srv.read_log()
            self.assertIn("retrying", log)
            self.assertIn("postgres:***@", log)
            self.assertNotIn("s3cret", log)
            self.assertEqual(signed_in(srv).get("/api/v1/users").status, 200)
        finally:
            finish(srv)


if __name__ == "__main__":
    unittest.main()
