"""The citizens' status by tracking code is served from a cache in each server
(src/community/status_cache.c), valid while the audit trail's head stays put. Two
`polis serve` processes share one database here, as servers behind a load balancer do: a
view read on both is kept by both, and a step made on either (a status, a public note, a
service renamed) shows on both in the very next lookup; an internal note never shows. The
cache really answers: a change written into the database without an audit entry (which no
path of polis does) stays unseen until the next audited change. The throttle on unknown
codes holds for codes in the cache, and an unknown code's 404 is what it always was.
Runs on SQLite and, at the api(postgres) level, on PostgreSQL."""

import itertools
import sqlite3
import unittest

from harness import PolisServer, finish, psql, signed_in
from test_concerns import AddressedClient

ONE = TWO = None
ADMIN_ONE = ADMIN_TWO = None
_addresses = itertools.count(2)
NOT_FOUND = {"error": {"code": "not_found", "message": "no concern has this tracking code",
                       "field": "tracking_code"}}


def setUpModule():
    global ONE, TWO, ADMIN_ONE, ADMIN_TWO
    ONE = PolisServer().start()
    TWO = PolisServer(same_db_as=ONE).start()
    ADMIN_ONE = signed_in(ONE)
    ADMIN_TWO = signed_in(TWO)


def tearDownModule():
    ADMIN_ONE.close()
    ADMIN_TWO.close()
    finish(TWO)
    finish(ONE)


def citizen(server):
    """An anonymous client of server from a loopback address of its own (the throttle
    counts per address)."""
    n = next(_addresses)
    return AddressedClient(server.port, f"127.1.{n // 250}.{n % 250 + 2}")


def write_behind_polis(db, sql):
    """Changes the database directly, with no audit entry: what no path of polis does."""
    if db.startswith(("postgres://", "postgresql://")):
        psql(db, sql)
        return
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.execute(sql)
        conn.commit()
    finally:
        conn.close()


def raise_concern(server):
    r = citizen(server).post("/api/v1/public/concerns",
                             {"service_code": "water", "description": "The pump is broken."})
    assert r.status == 201, r
    return r.json["tracking_code"]


def view(client, code):
    r = client.get(f"/api/v1/public/concerns/{code}")
    assert r.status == 200, r
    return r.json


def step(admin, code, body):
    r = admin.post(f"/api/v1/concerns/{code}/events", body)
    assert r.status == 200, r


class StatusCacheTest(unittest.TestCase):
    def test_a_step_on_either_server_shows_on_both_at_once(self):
        code = raise_concern(ONE)
        c1, c2 = citizen(ONE), citizen(TWO)
        for _ in range(3):  # read on both: each server now keeps the view
            self.assertEqual(view(c1, code)["status"], "received")
            self.assertEqual(view(c2, code)["status"], "received")
        step(ADMIN_TWO, code, {"status": "acknowledged", "note": "Seen by the inspector",
                               "public": True})
        for c in (c1, c2):
            v = view(c, code)
            self.assertEqual(v["status"], "acknowledged")
            self.assertEqual(v["events"][-1]["note"], "Seen by the inspector")
        view(c2, code)
        step(ADMIN_ONE, code, {"note": "Water board called", "public": True})
        for c in (c2, c1):
            self.assertEqual(view(c, code)["events"][-1]["note"], "Water board called")
        step(ADMIN_TWO, code, {"note": "Inspector suspects the neighbour", "public": False})
        for c in (c1, c2):
            notes = [e["note"] for e in view(c, code)["events"]]
            self.assertNotIn("Inspector suspects the neighbour", notes)
            self.assertEqual(notes[-1], "Water board called")
        step(ADMIN_ONE, code, {"status": "resolved", "note": "Pump replaced", "public": True})
        for c in (c2, c1):
            v = view(c, code)
            self.assertEqual(v["status"], "resolved")
            self.assertIsNotNone(v["resolved_at"])

    def test_a_renamed_service_shows_at_once(self):
        code = raise_concern(ONE)
        c1, c2 = citizen(ONE), citizen(TWO)
        before = view(c1, code)["service_name"]
        self.assertEqual(view(c2, code)["service_name"], before)
        try:
            r = ADMIN_TWO.patch("/api/v1/services/water", {"name": "Utilities: drinking water"})
            self.assertEqual(r.status, 200, r)
            for c in (c1, c2):
                self.assertEqual(view(c, code)["service_name"], "Utilities: drinking water")
        finally:
            r = ADMIN_ONE.patch("/api/v1/services/water", {"name": before})
            self.assertEqual(r.status, 200, r)
        self.assertEqual(view(c2, code)["service_name"], before)

    def test_the_cache_answers_until_an_audited_change(self):
        code = raise_concern(ONE)
        c1, c2 = citizen(ONE), citizen(TWO)
        self.assertEqual(view(c1, code)["status"], "received")
        self.assertEqual(view(c2, code)["status"], "received")
        write_behind_polis(ONE.db, "UPDATE concern_events SET note = 'written behind polis'"
                                   f" WHERE concern_id = (SELECT id FROM concerns"
                                   f" WHERE tracking_code = '{code}')")
        for c in (c1, c2):  # the kept view: the unaudited write is not seen
            self.assertEqual(view(c, code)["events"][0]["note"], "")
        step(ADMIN_ONE, code, {"note": "Called back", "public": True})
        for c in (c1, c2):  # any audited change: read again, the whole view is current
            notes = [e["note"] for e in view(c, code)["events"]]
            self.assertEqual(notes, ["written behind polis", "Called back"])

    def test_the_throttle_holds_for_codes_in_the_cache(self):
        known = raise_concern(ONE)
        guesser = citizen(ONE)
        self.assertEqual(view(guesser, known)["tracking_code"], known)  # now kept
        for i in range(30):
            r = guesser.get(f"/api/v1/public/concerns/{i:010d}")
            self.assertEqual(r.status, 404, f"miss {i + 1}: {r}")
            self.assertEqual(r.json, NOT_FOUND)
            self.assertEqual(r.header("Content-Type"), "application/json; charset=utf-8")
        r = guesser.get(f"/api/v1/public/concerns/{known}")
        self.assertEqual(r.status, 429, r)
        self.assertTrue(0 < int(r.header("Retry-After")) <= 900)
        # The misses were counted in the store: the other server holds the guesser back too,
        # and still answers everyone else.
        on_two = AddressedClient(TWO.port, guesser.source)
        self.assertEqual(on_two.get(f"/api/v1/public/concerns/{known}").status, 429)
        self.assertEqual(view(citizen(TWO), known)["tracking_code"], known)

    def test_known_codes_are_not_counted(self):
        code = raise_concern(ONE)
        c = citizen(ONE)
        for _ in range(40):
            self.assertEqual(view(c, code)["tracking_code"], code)
        self.assertEqual(c.get("/api/v1/public/concerns/0000000000").status, 404)


class NoCacheTest(unittest.TestCase):
    """POLIS_STATUS_CACHE_ENTRIES=0 turns the cache off: every lookup reads the store."""

    def test_off_every_lookup_reads_the_store(self):
        server = PolisServer(env={"POLIS_STATUS_CACHE_ENTRIES": "0"}).start()
        try:
            code = raise_concern(server)
            c = citizen(server)
            self.assertEqual(view(c, code)["events"][0]["note"], "")
            write_behind_polis(server.db, "UPDATE concern_events SET note = 'seen at once'"
                                          " WHERE concern_id = (SELECT id FROM concerns"
                                          f" WHERE tracking_code = '{code}')")
            self.assertEqual(view(c, code)["events"][0]["note"], "seen at once")
        finally:
            finish(server)


if __name__ == "__main__":
    unittest.main()
