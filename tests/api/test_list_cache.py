"""The activities list's page cache against a real `polis serve`: a page asked for twice
is the same page, and any change to an activity (create, update, delete, import) shows in
the very next identical request, because a page is reused only while the audit log's head
has not moved. The activities made here are planned in 2034 with "quokka" in the title."""

import threading
import time
import unittest

from harness import PolisServer, finish, signed_in

SERVER = None
ADMIN = None
TOKEN = None
QUERY = "/api/v1/activities?from=2034-01-01&to=2034-12-31&type=workshop&limit=50"


def setUpModule():
    global SERVER, ADMIN, TOKEN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    r = ADMIN.post("/api/v1/tokens", {"name": "list readers"})
    assert r.status == 201, r
    TOKEN = r.json["token"]


def tearDownModule():
    finish(SERVER)


def body(title, start="2034-03-01"):
    return {"title": {"en": title}, "type": "workshop", "status": "planned",
            "lead_org": "SPMU", "planned_start": start, "priorities": ["PDR"]}


def listed():
    r = ADMIN.get(QUERY)
    assert r.status == 200, r
    return r.json["items"]


class ListCacheTest(unittest.TestCase):
    def test_every_change_shows_in_the_next_identical_request(self):
        self.assertEqual(listed(), [])
        self.assertEqual(listed(), [])  # the same page twice: now kept
        r = ADMIN.post("/api/v1/activities", body("Quokka workshop one"))
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        self.assertEqual([a["id"] for a in listed()], [pid])
        self.assertEqual([a["id"] for a in listed()], [pid])
        r = ADMIN.patch("/api/v1/activities/" + pid, {"title": {"en": "Quokka workshop two"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([a["title"]["en"] for a in listed()], ["Quokka workshop two"])
        r = ADMIN.request("POST", "/api/v1/activities/import",
                          body=("title_en,type,status,lead_org,planned_start\n"
                                "Quokka workshop three,workshop,planned,SPMU,2034-05-01\n"),
                          raw=True, content_type="text/csv")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(sorted(a["title"]["en"] for a in listed()),
                         ["Quokka workshop three", "Quokka workshop two"])
        r = ADMIN.delete("/api/v1/activities/" + pid)
        self.assertIn(r.status, (200, 204), r)
        self.assertEqual([a["title"]["en"] for a in listed()], ["Quokka workshop three"])

    def test_a_token_reader_sees_each_change_in_its_next_request(self):
        # A bearer token's request takes the audit head read with its token as the page's
        # version: a change made meanwhile by another client must still show at once.
        r = ADMIN.post("/api/v1/tokens", {"name": "list reader"})
        self.assertEqual(r.status, 201, r)
        reader = SERVER.client()
        reader.token = r.json["token"]
        query = QUERY.replace("type=workshop", "type=seminar")

        def seen():
            r = reader.get(query)
            self.assertEqual(r.status, 200, r)
            return sorted(a["title"]["en"] for a in r.json["items"])

        self.assertEqual(seen(), [])
        self.assertEqual(seen(), [])
        made = dict(body("Quokka seminar one"), type="seminar")
        r = ADMIN.post("/api/v1/activities", made)
        self.assertEqual(r.status, 201, r)
        pid = r.json["id"]
        self.assertEqual(seen(), ["Quokka seminar one"])
        self.assertEqual(seen(), ["Quokka seminar one"])
        r = ADMIN.patch("/api/v1/activities/" + pid, {"title": {"en": "Quokka seminar two"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(seen(), ["Quokka seminar two"])
        r = ADMIN.delete("/api/v1/activities/" + pid)
        self.assertIn(r.status, (200, 204), r)
        self.assertEqual(seen(), [])

    def test_a_page_shared_by_many_replies_while_it_is_replaced(self):
        # Cached pages are sent without a copy, shared by the replies sending them: pages
        # replaced while others still send them must come out whole, every time, and the
        # server (under AddressSanitizer in the test build) must report nothing at the end.
        query = QUERY.replace("type=workshop", "type=conference")
        stop = threading.Event()
        bad = []

        def reader():
            c = SERVER.client()
            c.token = TOKEN
            while not stop.is_set():
                r = c.get(query)
                if r.status != 200 or not isinstance(r.json.get("items"), list):
                    bad.append(r)

        threads = [threading.Thread(target=reader) for _ in range(6)]
        for t in threads:
            t.start()
        try:
            for n in range(12):
                made = dict(body("Quokka conference %d" % n), type="conference")
                r = ADMIN.post("/api/v1/activities", made)
                self.assertEqual(r.status, 201, r)
                time.sleep(0.02)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(bad, [])
        r = ADMIN.get(query)
        self.assertEqual(len(r.json["items"]), 12)

    def test_different_queries_are_different_pages(self):
        a = ADMIN.get(QUERY.replace("limit=50", "limit=1"))
        b = ADMIN.get(QUERY.replace("type=workshop", "type=training"))
        self.assertEqual(a.status, 200, a)
        self.assertEqual(b.status, 200, b)
        self.assertEqual(b.json["items"], [])


if __name__ == "__main__":
    unittest.main()
