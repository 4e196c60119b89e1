"""The citizens' pages of community policing through a real `polis serve`, without signing
in: raising a concern with the double-submit token and a client id (a double click records
one concern), errors next to their fields, the tracking code, the status page with public
events only, escaping, and the per-address limit on unknown codes."""

import re
import unittest
import urllib.parse

from harness import PolisServer, finish, signed_in

SERVER = None


def setUpModule():
    global SERVER
    SERVER = PolisServer().start()


def tearDownModule():
    finish(SERVER)


def hidden(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % name, html)
    return m.group(1) if m else None


def open_form(client):
    r = client.get("/concerns/new")
    assert r.status == 200, r
    return r.text, hidden(r.text, "form_token"), hidden(r.text, "client_id")


def submit(client, fields):
    return client.request("POST", "/concerns/new", urllib.parse.urlencode(fields), raw=True,
                          content_type="application/x-www-form-urlencoded")


def code_of(html):
    m = re.search(r'class="tracking-code">([0-9A-Z]{5})-([0-9A-Z]{5})<', html)
    assert m, html[-2000:]
    return m.group(1) + m.group(2)


class RaiseAndFollowTest(unittest.TestCase):
    def test_raise_then_follow_with_public_events_only(self):
        citizen = SERVER.client()
        page, token, client_id = open_form(citizen)
        self.assertEqual(len(token), 64)
        self.assertEqual(len(client_id), 32)
        self.assertIn('name="service_code"', page)
        self.assertIn("Domestic violence", page)
        fields = {"form_token": token, "client_id": client_id, "service_code": "water",
                  "description": "<script>alert(1)</script> No water in Kara-Suu",
                  "contact_name": "Aigul", "contact_phone": "+996 555 123"}
        r = submit(citizen, fields)
        self.assertEqual(r.status, 201, r)
        code = code_of(r.text)
        again = submit(citizen, fields)  # the same form sent twice
        self.assertEqual(again.status, 200, again)
        self.assertEqual(code_of(again.text), code)

        admin = signed_in(SERVER)
        listed = admin.get("/api/v1/concerns?limit=1000").json["items"]
        self.assertEqual([c["tracking_code"] for c in listed].count(code), 1)
        rec = admin.get(f"/api/v1/concerns/{code}").json
        self.assertEqual(rec["channel"], "web")
        self.assertEqual(rec["contact"]["phone"], "+996 555 123")
        r = admin.post(f"/api/v1/concerns/{code}/events",
                       {"status": "acknowledged", "note": "Reported to the water board",
                        "public": True})
        self.assertEqual(r.status, 200, r)
        r = admin.post(f"/api/v1/concerns/{code}/events",
                       {"note": "Caller is the neighbour of officer X", "public": False})
        self.assertEqual(r.status, 200, r)

        status = SERVER.client().get("/concerns/status?code=" + code[:5].lower() + "-" +
                                     code[5:].lower())
        self.assertEqual(status.status, 200)
        self.assertIn("Reported to the water board", status.text)
        self.assertIn("Acknowledged", status.text)
        self.assertNotIn("neighbour of officer", status.text)
        self.assertNotIn("Aigul", status.text)
        self.assertNotIn("555 123", status.text)
        self.assertNotIn("<script>alert", status.text)

    def test_errors_next_to_fields_and_values_kept(self):
        citizen = SERVER.client()
        _, token, client_id = open_form(citizen)
        r = submit(citizen, {"form_token": token, "client_id": client_id,
                             "service_code": "water", "description": "",
                             "address": "Lenin street 5"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("field-error", r.text)
        self.assertIn("Lenin street 5", r.text)
        r = submit(citizen, {"form_token": token, "client_id": client_id,
                             "service_code": "water", "description": "x" * 4001})
        self.assertEqual(r.status, 400, r)
        r = submit(citizen, {"form_token": token, "client_id": client_id,
                             "service_code": "teleportation", "description": "x"})
        self.assertEqual(r.status, 422, r)
        r = submit(citizen, {"form_token": token, "client_id": client_id, "anonymous": "1",
                             "service_code": "water", "description": "x",
                             "contact_phone": "123"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("anonymous", r.text.lower())

    def test_other_sites_cannot_post_the_form(self):
        admin = signed_in(SERVER)
        before = len(admin.get("/api/v1/concerns?limit=1000").json["items"])
        stranger = SERVER.client()
        r = submit(stranger, {"form_token": "0" * 64, "service_code": "water",
                              "description": "forged"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(len(admin.get("/api/v1/concerns?limit=1000").json["items"]), before)

    def test_russian_form(self):
        citizen = SERVER.client()
        r = citizen.get("/concerns/new", headers={"Accept-Language": "ru"})
        self.assertEqual(r.status, 200)
        self.assertIn("Домашнее насилие", r.text)


class OfficerPagesTest(unittest.TestCase):
    def test_reception_list_concern_and_step(self):
        coord = signed_in(SERVER, "coordinator")
        page = coord.get("/officer/reception")
        self.assertEqual(page.status, 200)
        csrf = hidden(page.text, "csrf")
        self.assertTrue(csrf)
        fields = {"csrf": csrf, "channel": "reception", "service_code": "youth",
                  "description": "Boys fighting near the market", "contact_name": "Bakyt"}
        r = coord.request("POST", "/officer/reception", urllib.parse.urlencode(fields),
                          raw=True, content_type="application/x-www-form-urlencoded",
                          csrf=False)
        self.assertEqual(r.status, 201, r)
        code = code_of(r.text)
        self.assertIn('name="description"', r.text, "an empty form for the next citizen")
        self.assertNotIn("Boys fighting", r.text)
        listed = coord.get("/officer/concerns")
        self.assertIn(code, listed.text)
        detail = coord.get(f"/officer/concerns/{code}")
        self.assertEqual(detail.status, 200)
        self.assertIn("Bakyt", detail.text)
        self.assertIn('value="acknowledged"', detail.text)
        self.assertNotIn('value="closed"', detail.text, "only steps the lifecycle allows")
        step = {"csrf": hidden(detail.text, "csrf"), "status": "acknowledged",
                "note": "Patrol sent", "public": "1"}
        r = coord.request("POST", f"/officer/concerns/{code}", urllib.parse.urlencode(step),
                          raw=True, content_type="application/x-www-form-urlencoded",
                          csrf=False)
        self.assertEqual(r.status, 303, r)
        self.assertIn("Patrol sent", SERVER.client().get(f"/concerns/status?code={code}").text)
        bad = {"csrf": hidden(detail.text, "csrf"), "status": "closed"}
        r = coord.request("POST", f"/officer/concerns/{code}", urllib.parse.urlencode(bad),
                          raw=True, content_type="application/x-www-form-urlencoded",
                          csrf=False)
        self.assertEqual(r.status, 422, r)
        forged = coord.request("POST", f"/officer/concerns/{code}",
                               urllib.parse.urlencode({"status": "resolved"}), raw=True,
                               content_type="application/x-www-form-urlencoded", csrf=False)
        self.assertEqual(forged.status, 403)

    def test_who_may_open_the_pages(self):
        librarian = signed_in(SERVER, "librarian")
        self.assertEqual(librarian.get("/officer/concerns").status, 403)
        self.assertEqual(librarian.get("/officer/reception").status, 403)
        anon = SERVER.client().get("/officer/concerns")
        self.assertEqual(anon.status, 303)
        self.assertTrue(anon.header("Location").startswith("/login"))


class DashboardTest(unittest.TestCase):
    def test_counts_follow_the_concerns_and_the_page_draws_charts(self):
        coord = signed_in(SERVER, "coordinator")
        before = coord.get("/api/v1/concerns/dashboard").json
        r = coord.post("/api/v1/concerns", {"service_code": "schools",
                                             "description": "The school roof leaks"})
        self.assertEqual(r.status, 201, r)
        code = r.json["tracking_code"]
        after = coord.get("/api/v1/concerns/dashboard").json
        self.assertEqual(after["received"], before["received"] + 1)
        self.assertEqual(after["open"], before["open"] + 1)
        schools = [s["count"] for s in after["by_service"] if s["key"] == "schools"]
        self.assertEqual(schools, [1 + sum(s["count"] for s in before["by_service"]
                                           if s["key"] == "schools")])
        for step in ("acknowledged", "resolved"):
            coord.post(f"/api/v1/concerns/{code}/events", {"status": step, "public": True})
        done = coord.get("/api/v1/concerns/dashboard").json
        self.assertEqual(done["resolved"], before["resolved"] + 1)
        self.assertIsNotNone(done["median_days_to_resolution"])
        self.assertGreaterEqual(done["median_days_to_resolution"], 0)
        self.assertTrue(done["by_month"])
        page = coord.get("/officer/dashboard")
        self.assertEqual(page.status, 200)
        self.assertEqual(page.text.count("<svg"), 2)
        self.assertEqual(signed_in(SERVER, "librarian").get("/api/v1/concerns/dashboard").status,
                         403)
        self.assertEqual(coord.get("/api/v1/concerns/dashboard?area=bad%20code").status, 400)


class LookupLimitTest(unittest.TestCase):
    def test_unknown_codes_are_limited_per_address(self):
        server = PolisServer().start()
        try:
            c = server.client()
            statuses = [c.get(f"/concerns/status?code=ZZZZZ{i:05d}").status for i in range(31)]
            self.assertEqual(statuses[:30], [404] * 30)
            self.assertEqual(statuses[30], 429)
            api = c.get("/api/v1/public/concerns/ZZZZZ00001")
            self.assertEqual(api.status, 429)
            self.assertTrue(api.header("Retry-After"))
        finally:
            finish(server)


if __name__ == "__main__":
    unittest.main()
