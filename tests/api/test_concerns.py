"""The concerns API (community policing) against a real `polis serve`: the services list;
citizens raise a concern and follow it by tracking code without signing in, and see only
the public view; officers record concerns with contact details, read and list them and
move them through the lifecycle; who may do what; every kind of bad input refused with
its field and nothing written; the throttles on citizens' submissions and on lookups of
unknown codes; contact details read only under audit and never written into it.

The citizens' throttles count per client address. Every test that talks to the public
routes does so from an address of its own in 127.0.0.0/8, so the counts do not mix."""

import http.client
import itertools
import json
import re
import unittest

from harness import ADMIN_PASSWORD, Client, PolisServer, finish, run_polis, signed_in

SERVER = None
ADMIN = None
OFFICER_LOGIN = "test.officer"
TRACKING = re.compile(r"^[0-9A-HJKMNP-TV-Z]{10}$")
PUBLIC_KEYS = {"tracking_code", "service_code", "service_name", "status", "received_at",
               "updated_at", "resolved_at", "events"}
PUBLIC_EVENT_KEYS = {"at", "kind", "status", "note"}
PHONE = "+996 555 987 654"
_addresses = itertools.count(2)


def setUpModule():
    global SERVER, ADMIN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    # A police officer made in the shell: the demo has no areas or stations yet, so this
    # officer is assigned to none and must see no concern.
    run_polis("user", "add", "--db", SERVER.db, "--login", OFFICER_LOGIN, "--role",
              "police_officer", "--password-stdin", stdin=ADMIN_PASSWORD + "\n", check=True)


def tearDownModule():
    ADMIN.close()
    finish(SERVER)


class AddressedClient(Client):
    """A client whose connections leave from a loopback address of their own."""

    def __init__(self, port, source):
        super().__init__(port)
        self.source = source

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                   source_address=(self.source, 0))
        return self.conn


def citizen():
    """An anonymous client from a loopback address no other test uses."""
    n = next(_addresses)
    return AddressedClient(SERVER.port, f"127.0.{n // 250}.{n % 250 + 2}")


def all_concerns(client=None):
    """Every concern the client (the administrator by default) lists, page by page."""
    client = client or ADMIN
    out, cursor = [], None
    while True:
        r = client.get("/api/v1/concerns?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        out += r.json["items"]
        cursor = r.json["next"]
        if not cursor:
            return out


def audit(entity, **filters):
    """Every audit entry of entity (and the filters), oldest last."""
    query = "&".join(f"{k}={v}" for k, v in dict(entity=entity, limit=1000, **filters).items())
    out, cursor = [], None
    while True:
        r = ADMIN.get("/api/v1/audit?" + query + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r
        out += r.json["items"]
        cursor = r.json["next"]
        if not cursor:
            return out


def raise_concern(client, **body):
    body = dict({"service_code": "water", "description": "The well has been dry a week."},
                **body)
    r = client.post("/api/v1/public/concerns", body)
    assert r.status == 201, r
    return r.json["tracking_code"]


def record(code):
    r = ADMIN.get(f"/api/v1/concerns/{code}")
    assert r.status == 200, r
    return r.json


class ServicesTest(unittest.TestCase):
    def test_services_are_listed_without_sign_in(self):
        r = citizen().get("/api/v1/services")
        self.assertEqual(r.status, 200, r)
        items = r.json["items"]
        self.assertIsNone(r.json["next"])
        codes = [s["code"] for s in items]
        self.assertEqual(codes[:3], ["criminal", "public_order", "domestic_violence"])
        self.assertIn("water", codes)
        by_code = {s["code"]: s for s in items}
        self.assertTrue(by_code["police_conduct"]["conduct"])
        self.assertFalse(by_code["water"]["conduct"])
        self.assertEqual(by_code["bride_kidnapping"]["due_days"], 1)
        self.assertEqual(by_code["water"]["name_ru"], "Коммунальные услуги: вода")


class CitizenTest(unittest.TestCase):
    def test_raise_answers_the_public_view_and_a_retry_lands_once(self):
        c = citizen()
        before = len(all_concerns())
        body = {"service_code": "rubbish", "description": "Rubbish not collected on Lenin st.",
                "contact": {"name": "Aida", "phone": PHONE}, "client_id": "cit-retry-1",
                "lat": 42.8746, "long": 74.5698, "address": "Lenin st. 5"}
        r = c.post("/api/v1/public/concerns", body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(set(r.json), PUBLIC_KEYS)
        self.assertNotIn(PHONE, r.text)
        self.assertNotIn("Lenin", r.text)
        code = r.json["tracking_code"]
        self.assertRegex(code, TRACKING)
        self.assertEqual(r.header("Location"), f"/api/v1/public/concerns/{code}")
        self.assertEqual((r.json["status"], r.json["service_code"], r.json["resolved_at"]),
                         ("received", "rubbish", None))
        self.assertEqual([(e["kind"], e["status"]) for e in r.json["events"]],
                         [("received", "received")])
        self.assertEqual(set(r.json["events"][0]), PUBLIC_EVENT_KEYS)
        again = c.post("/api/v1/public/concerns", dict(body, description="a second try"))
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json["tracking_code"], code)
        self.assertEqual(set(again.json), PUBLIC_KEYS)
        self.assertEqual(len(all_concerns()), before + 1)
        rec = record(code)
        self.assertEqual(rec["description"], body["description"])
        self.assertEqual((rec["channel"], rec["contact"]["phone"]), ("web", PHONE))
        self.assertEqual([e["actor"] for e in rec["events"]], ["citizen"])

    def test_status_by_code_forgives_case_and_dashes(self):
        c = citizen()
        code = raise_concern(c)
        for typed in (code, code.lower(), f"{code[:5].lower()}-{code[5:].lower()}",
                      f"{code[:3]}-{code[3:6]}-{code[6:]}"):
            with self.subTest(typed=typed):
                r = c.get(f"/api/v1/public/concerns/{typed}")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["tracking_code"], code)
                self.assertEqual(set(r.json), PUBLIC_KEYS)

    def test_unknown_code_is_404(self):
        c = citizen()
        for typed in ("0000000000", "ZZ", "0000000000000"):
            with self.subTest(typed=typed):
                r = c.get(f"/api/v1/public/concerns/{typed}")
                self.assertEqual(r.status, 404, r)
                self.assertEqual(r.json["error"]["field"], "tracking_code")


class ThrottleTest(unittest.TestCase):
    def test_lookups_of_unknown_codes_are_throttled_per_client(self):
        known = raise_concern(citizen())
        guesser = citizen()
        for i in range(30):
            r = guesser.get(f"/api/v1/public/concerns/{i:010d}")
            self.assertEqual(r.status, 404, f"miss {i + 1}: {r}")
        r = guesser.get("/api/v1/public/concerns/0000000031")
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.json["error"]["code"], "too_many_requests")
        retry = int(r.header("Retry-After"))
        self.assertTrue(0 < retry <= 900, retry)
        # Once over the limit even a real code waits: guessing must not go on.
        self.assertEqual(guesser.get(f"/api/v1/public/concerns/{known}").status, 429)
        # Another client is not held back.
        self.assertEqual(citizen().get(f"/api/v1/public/concerns/{known}").status, 200)

    def test_found_codes_are_not_counted(self):
        c = citizen()
        code = raise_concern(c)
        for _ in range(40):
            r = c.get(f"/api/v1/public/concerns/{code}")
            self.assertEqual(r.status, 200, r)

    def test_submissions_are_throttled_per_client(self):
        c = citizen()
        codes = [raise_concern(c, client_id=f"throttle-{i}") for i in range(20)]
        self.assertEqual(len(set(codes)), 20)
        before = len(all_concerns())
        r = c.post("/api/v1/public/concerns", {"service_code": "water", "description": "21st"})
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.json["error"]["code"], "too_many_requests")
        self.assertTrue(0 < int(r.header("Retry-After")) <= 3600)
        self.assertEqual(len(all_concerns()), before)
        self.assertTrue(raise_concern(citizen()))

    def test_retries_and_refusals_are_not_counted(self):
        c = citizen()
        raise_concern(c, client_id="counted-once")
        for _ in range(25):
            r = c.post("/api/v1/public/concerns", {"service_code": "water",
                                                   "description": "again",
                                                   "client_id": "counted-once"})
            self.assertEqual(r.status, 200, r)
            r = c.post("/api/v1/public/concerns", {"service_code": "nope", "description": "x"})
            self.assertEqual(r.status, 404, r)
        self.assertTrue(raise_concern(c))


class OfficersTest(unittest.TestCase):
    def test_officer_records_a_concern_with_contact_details(self):
        body = {"channel": "reception", "service_code": "school_racketeering",
                "description": "Older pupils take money at School 12.",
                "contact": {"name": "Bakyt", "phone": PHONE, "email": "b@example.org"},
                "address": "School 12"}
        r = ADMIN.post("/api/v1/concerns", body)
        self.assertEqual(r.status, 201, r)
        code = r.json["tracking_code"]
        self.assertEqual(r.header("Location"), f"/api/v1/concerns/{code}")
        self.assertEqual(r.json["contact"], body["contact"])
        self.assertEqual((r.json["channel"], r.json["description"], r.json["anonymous"]),
                         ("reception", body["description"], False))
        self.assertEqual([(e["actor"], e["public"]) for e in r.json["events"]],
                         [("admin", True)])
        self.assertGreater(r.json["due_at"], r.json["received_at"])
        self.assertIsNone(r.json["lat"])
        shown = record(code)
        self.assertEqual(shown["contact"], body["contact"])
        self.assertEqual(shown["description"], body["description"])
        listed = [c for c in all_concerns() if c["tracking_code"] == code]
        self.assertEqual(len(listed), 1)
        self.assertNotIn("contact", listed[0])
        self.assertNotIn(PHONE, json.dumps(listed[0]))
        self.assertEqual(listed[0]["description"], body["description"])
        # The station is the default channel; a coordinator may record too.
        coordinator = signed_in(SERVER, "coordinator")
        r = coordinator.post("/api/v1/concerns", {"service_code": "other",
                                                  "description": "x" * 10})
        self.assertEqual((r.status, r.json["channel"]), (201, "station"), r)
        coordinator.close()

    def test_description_counts_characters_not_bytes(self):
        r = ADMIN.post("/api/v1/concerns", {"service_code": "other", "description": "ж" * 4000})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(r.json["description"]), 4000)

    def test_officers_retry_lands_once(self):
        before = len(all_concerns())
        body = {"service_code": "youth", "description": "Offline queue", "client_id": "tab-7-1"}
        first = ADMIN.post("/api/v1/concerns", body)
        self.assertEqual(first.status, 201, first)
        again = ADMIN.post("/api/v1/concerns", body)
        self.assertEqual(again.status, 200, again)
        self.assertEqual(again.json["tracking_code"], first.json["tracking_code"])
        self.assertEqual(len(all_concerns()), before + 1)

    def test_list_filters(self):
        code = raise_concern(citizen(), service_code="electricity")
        items = ADMIN.get("/api/v1/concerns?service_code=electricity&status=received").json[
            "items"]
        self.assertIn(code, [c["tracking_code"] for c in items])
        self.assertTrue(all(c["service_code"] == "electricity" for c in items))
        self.assertEqual(ADMIN.get("/api/v1/concerns?status=closed&service_code=electricity")
                         .json["items"], [])
        self.assertEqual(ADMIN.get("/api/v1/concerns?overdue=true&service_code=electricity")
                         .json["items"], [])
        r = ADMIN.get("/api/v1/concerns?status=done")
        self.assertEqual(r.status, 400, r)
        page = ADMIN.get("/api/v1/concerns?limit=1").json
        self.assertEqual(len(page["items"]), 1)
        self.assertTrue(page["next"])
        following = ADMIN.get(f"/api/v1/concerns?limit=1&cursor={page['next']}").json["items"]
        self.assertNotEqual(following[0]["tracking_code"], page["items"][0]["tracking_code"])


class LifecycleTest(unittest.TestCase):
    def step(self, code, body, status=200):
        r = ADMIN.post(f"/api/v1/concerns/{code}/events", body)
        self.assertEqual(r.status, status, r)
        return r.json

    def public_events(self, c, code):
        r = c.get(f"/api/v1/public/concerns/{code}")
        self.assertEqual(r.status, 200, r)
        for e in r.json["events"]:
            self.assertEqual(set(e), PUBLIC_EVENT_KEYS)
        return r.json, [(e["kind"], e["status"], e["note"]) for e in r.json["events"]]

    def test_followed_to_the_end_the_citizen_sees_public_steps_only(self):
        c = citizen()
        code = raise_concern(c, contact={"phone": PHONE})
        after = self.step(code, {"status": "acknowledged", "public": True,
                                 "note": "We have your concern."})
        self.assertEqual(after["status"], "acknowledged")
        seen = [("received", "received", "")]
        seen.append(("status", "acknowledged", "We have your concern."))
        self.assertEqual(self.public_events(c, code)[1], seen)

        after = self.step(code, {"note": "Called the water board; no answer."})
        self.assertEqual(after["status"], "acknowledged")
        self.assertEqual([(e["kind"], e["public"]) for e in after["events"]][-1],
                         ("note", False))
        self.assertEqual(self.public_events(c, code)[1], seen)

        err = self.step(code, {"status": "referred"}, 422)["error"]
        self.assertEqual(err["field"], "forum")
        err = self.step(code, {"status": "referred", "forum": "NO-FORUM"}, 422)["error"]
        self.assertEqual(err["field"], "forum")
        after = self.step(code, {"status": "referred", "agency": "Vodokanal",
                                 "note": "Sent to the water utility."})
        self.assertEqual((after["status"], after["agency"]), ("referred", "Vodokanal"))
        self.assertEqual(after["events"][-1]["kind"], "referral")
        view, events = self.public_events(c, code)
        self.assertEqual(view["status"], "referred")  # the status is public, the step is not
        self.assertEqual(events, seen)

        for impossible in ("received", "acknowledged", "rejected"):
            with self.subTest(to=impossible):
                err = self.step(code, {"status": impossible, "note": "n"}, 422)["error"]
                self.assertEqual(err["field"], "status")
                self.assertIn("referred", err["message"])

        self.step(code, {"status": "in_progress", "public": True, "note": "Repairs begin."})
        after = self.step(code, {"status": "resolved", "public": True, "note": "Water is back."})
        self.assertTrue(after["resolved_at"])
        self.step(code, {"status": "closed"})
        seen += [("status", "in_progress", "Repairs begin."),
                 ("status", "resolved", "Water is back.")]
        view, events = self.public_events(c, code)
        self.assertEqual(events, seen)
        self.assertEqual((view["status"], view["resolved_at"]), ("closed", after["resolved_at"]))
        self.assertEqual(self.step(code, {"status": "in_progress"}, 422)["error"]["field"],
                         "status")
        officers = [(e["kind"], e["status"], e["public"], e["actor"]) for e in
                    record(code)["events"]]
        self.assertEqual(len(officers), 7)
        self.assertEqual(officers[0], ("received", "received", True, "citizen"))
        self.assertTrue(all(e[3] == "admin" for e in officers[1:]))

    def test_a_rejection_needs_a_reason(self):
        c = citizen()
        code = raise_concern(c)
        err = self.step(code, {"status": "rejected"}, 422)["error"]
        self.assertEqual(err["field"], "note")
        err = self.step(code, {"status": "rejected", "note": ""}, 422)["error"]
        self.assertEqual(err["field"], "note")
        after = self.step(code, {"status": "rejected", "public": True,
                                 "note": "Not a police matter: please call 112."})
        self.assertEqual(after["status"], "rejected")
        self.assertTrue(after["resolved_at"])
        view, events = self.public_events(c, code)
        self.assertEqual(events[-1], ("status", "rejected",
                                      "Not a police matter: please call 112."))
        self.assertEqual(self.step(code, {"status": "acknowledged"}, 422)["error"]["field"],
                         "status")

    def test_bad_steps_write_nothing(self):
        code = raise_concern(citizen())
        before = record(code)
        cases = [({}, 422, "note"), ({"note": ""}, 422, "note"),
                 ({"status": "done"}, 400, "status"), ({"status": 3}, 400, "status"),
                 ({"note": 5}, 400, "note"), ({"note": "n", "public": "yes"}, 400, "public"),
                 ({"note": "n" * 2001}, 400, "note"), ({"note": "n", "colour": 1}, 400, "colour"),
                 ({"status": "referred", "agency": "a" * 201}, 400, "agency"),
                 ({"status": "referred", "forum": 7}, 400, "forum")]
        for body, status, field in cases:
            with self.subTest(body=json.dumps(body)[:80]):
                err = self.step(code, body, status)["error"]
                self.assertEqual(err["field"], field)
        self.assertEqual(self.step("0000000000", {"note": "n"}, 404)["error"]["field"],
                         "tracking_code")
        self.assertEqual(record(code)["events"], before["events"])
        self.assertEqual(record(code)["status"], "received")


class RolesTest(unittest.TestCase):
    def test_who_may_use_the_officers_routes(self):
        code = raise_concern(citizen())
        write = {"service_code": "water", "description": "by role"}
        before = len(all_concerns())
        for login in ("librarian", "auditor", "officer.bishkek"):
            c = signed_in(SERVER, login)
            with self.subTest(login=login):
                self.assertEqual(c.get("/api/v1/concerns").status, 403)
                self.assertEqual(c.get(f"/api/v1/concerns/{code}").status, 403)
                self.assertEqual(c.post("/api/v1/concerns", write).status, 403)
                self.assertEqual(c.post(f"/api/v1/concerns/{code}/events",
                                        {"note": "n"}).status, 403)
            c.close()
        anonymous = citizen()
        for method, path, body in [("GET", "/api/v1/concerns", None),
                                   ("GET", f"/api/v1/concerns/{code}", None),
                                   ("POST", "/api/v1/concerns", write),
                                   ("POST", f"/api/v1/concerns/{code}/events", {"note": "n"})]:
            with self.subTest(anonymous=f"{method} {path}"):
                r = anonymous.request(method, path, body)
                self.assertEqual(r.status, 401, r)
        self.assertEqual(len(all_concerns()), before)
        self.assertEqual(len(record(code)["events"]), 1)

    def test_an_officer_sees_only_the_concerns_of_their_areas(self):
        code = raise_concern(citizen())
        officer = signed_in(SERVER, OFFICER_LOGIN)
        self.assertEqual(officer.get("/api/v1/session").json["user"]["role"], "police_officer")
        self.assertEqual(all_concerns(officer), [])
        # Not "forbidden": a concern the officer may not see does not exist for them.
        r = officer.get(f"/api/v1/concerns/{code}")
        self.assertEqual(r.status, 404, r)
        r = officer.post(f"/api/v1/concerns/{code}/events", {"status": "acknowledged"})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(record(code)["status"], "received")
        # An officer may still record one (seen by supervisors until it has an area).
        r = officer.post("/api/v1/concerns", {"service_code": "criminal",
                                              "description": "Theft at the bazaar"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["events"][0]["actor"], OFFICER_LOGIN)
        officer.close()


class ClientIdTest(unittest.TestCase):
    """client_id makes a retry land once; it must not open someone else's concern."""

    def test_another_users_client_id_does_not_reveal_their_concern(self):
        r = ADMIN.post("/api/v1/concerns", {"service_code": "police_conduct",
                                            "description": "An officer took a bribe",
                                            "contact": {"phone": PHONE},
                                            "client_id": "supervisor-tab-1"})
        self.assertEqual(r.status, 201, r)
        code = r.json["tracking_code"]
        before = len(all_concerns())
        officer = signed_in(SERVER, OFFICER_LOGIN)
        r = officer.post("/api/v1/concerns", {"service_code": "other", "description": "mine",
                                              "client_id": "supervisor-tab-1"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["field"], "client_id")
        self.assertNotIn(code, r.text)
        self.assertNotIn(PHONE, r.text)
        officer.close()
        r = citizen().post("/api/v1/public/concerns", {"service_code": "other",
                                                       "description": "mine",
                                                       "client_id": "supervisor-tab-1"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(r.json["error"]["field"], "client_id")
        self.assertNotIn(code, r.text)
        self.assertEqual(len(all_concerns()), before)
        # The one who made it still gets their retry.
        r = ADMIN.post("/api/v1/concerns", {"service_code": "police_conduct",
                                            "description": "An officer took a bribe",
                                            "client_id": "supervisor-tab-1"})
        self.assertEqual((r.status, r.json["tracking_code"]), (200, code), r)


class BadInputTest(unittest.TestCase):
    BASE = {"service_code": "water", "description": "a concern"}
    CASES = [
        ({"description": 123}, 400, "description"),
        ({"service_code": ["water"]}, 400, "service_code"),
        ({"address": 5}, 400, "address"),
        ({"client_id": True}, 400, "client_id"),
        ({"lat": "42.8", "long": 74.5}, 400, "lat"),
        ({"lat": 42.8, "long": "74.5"}, 400, "long"),
        ({"lat": 42.8}, 400, "long"),
        ({"anonymous": "yes"}, 400, "anonymous"),
        ({"contact": "0555 123"}, 400, "contact"),
        ({"contact": {"phone": 555123}}, 400, "contact"),
        ({"contact": {"fax": "1"}}, 400, "fax"),
        ({"service_code": "no_such_service"}, 404, "service_code"),
        ({"service_code": None}, 422, "service_code"),
        ({"description": ""}, 422, "description"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"description": "ж" * 4001}, 400, "description"),
        ({"lat": 91, "long": 0}, 400, "lat"),
        ({"lat": -90.5, "long": 0}, 400, "lat"),
        ({"lat": 0, "long": -181}, 400, "long"),
        ({"lat": 0, "long": 180.01}, 400, "long"),
        ({"anonymous": True, "contact": {"phone": PHONE}}, 422, "anonymous"),
        ({"area": "NO-SUCH-AREA"}, 422, "area"),
        ({"address": "a" * 301}, 400, "address"),
        ({"client_id": "c" * 65}, 400, "client_id"),
        ({"contact": {"name": "n" * 121}}, 400, "contact_name"),
        ({"contact": {"phone": "1" * 41}}, 400, "contact_phone"),
        ({"contact": {"email": "e" * 201}}, 400, "contact_email"),
        ({"colour": "red"}, 400, "colour"),
    ]
    OFFICERS_ONLY = [
        ({"channel": "fax"}, 400, "channel"),
        ({"channel": 1}, 400, "channel"),
        ({"site": "NO-SUCH-SITE"}, 422, "site"),
        ({"about_site": "NO-SUCH-SITE"}, 422, "about_site"),
    ]
    PUBLIC_ONLY = [
        ({"channel": "station"}, 400, "channel"),
        ({"site": "S1"}, 400, "site"),
        ({"about_site": "S1"}, 400, "about_site"),
    ]

    def check(self, client, path, cases):
        before = len(all_concerns())
        audited = len(audit("concern"))
        for change, status, field in cases:
            body = dict(self.BASE, **change)
            with self.subTest(path=path, body=json.dumps(change)[:80]):
                r = client.post(path, body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field, r)
        for raw in (b'{"service_code":"water","description":"\xff\xfe bad"}', b"[1, 2]",
                    b'{"service_code":"water",', b'"text"'):
            with self.subTest(path=path, raw=raw):
                r = client.request("POST", path, raw, raw=True)
                self.assertEqual(r.status, 400, r)
        self.assertEqual(len(all_concerns()), before)
        self.assertEqual(len(audit("concern")), audited)

    def test_officers_create_refuses_bad_input(self):
        self.check(ADMIN, "/api/v1/concerns", self.CASES + self.OFFICERS_ONLY)

    def test_citizens_create_refuses_bad_input(self):
        self.check(citizen(), "/api/v1/public/concerns", self.CASES + self.PUBLIC_ONLY)

    def test_invalid_utf8_is_refused_before_any_field_is_read(self):
        r = ADMIN.request("POST", "/api/v1/concerns",
                          b'{"service_code":"water","description":"caf\xc3"}', raw=True)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["code"], "bad_request")
        self.assertIn("UTF-8", r.json["error"]["message"])
        # A lone surrogate escape cannot be UTF-8 either.
        r = ADMIN.request("POST", "/api/v1/concerns",
                          b'{"service_code":"water","description":"\\udc80"}', raw=True)
        self.assertEqual(r.status, 400, r)


class PrivacyTest(unittest.TestCase):
    def test_reading_contact_details_is_audited(self):
        code = raise_concern(citizen(), contact={"phone": PHONE})
        self.assertEqual(audit("concern_contact", entity_id=code), [])
        record(code)
        record(code)
        entries = audit("concern_contact", entity_id=code)
        self.assertEqual([(e["actor"], e["action"]) for e in entries],
                         [("admin", "read"), ("admin", "read")])
        # Lists show no contact details, so they are not reads of them.
        all_concerns()
        self.assertEqual(len(audit("concern_contact", entity_id=code)), 2)
        # A step answers the concern without its contact details: a read goes through the
        # record, audited, and not around it.
        r = ADMIN.post(f"/api/v1/concerns/{code}/events", {"note": "called back"})
        self.assertEqual(r.status, 200, r)
        self.assertNotIn("contact", r.json)
        self.assertNotIn(PHONE, r.text)
        self.assertEqual(r.json["events"][-1]["note"], "called back")
        # An anonymous concern has none to read.
        anon = raise_concern(citizen(), anonymous=True)
        self.assertEqual(record(anon)["contact"], {"name": "", "phone": "", "email": ""})
        self.assertEqual(audit("concern_contact", entity_id=anon), [])

    def test_contact_details_never_enter_the_audit_trail_or_the_log(self):
        code = raise_concern(citizen(), contact={"name": "Gulnara", "phone": PHONE,
                                                 "email": "gulnara@example.org"})
        ADMIN.post(f"/api/v1/concerns/{code}/events", {"status": "acknowledged"})
        r = ADMIN.post("/api/v1/concerns", {"service_code": "criminal", "description": "d",
                                            "contact": {"phone": PHONE}})
        self.assertEqual(r.status, 201, r)
        entries = audit("concern")
        mine = [e for e in entries if e["entity_id"] == code]
        self.assertEqual([e["action"] for e in mine], ["update", "create"])
        self.assertEqual(mine[1]["after"]["contact"], "(protected)")
        self.assertEqual(mine[1]["actor"], "citizen")
        self.assertTrue(entries)
        for e in entries:
            text = json.dumps(e, ensure_ascii=False)
            self.assertNotIn(PHONE, text, e["entity_id"])
            self.assertNotIn("gulnara@example.org", text)
        self.assertNotIn(PHONE, SERVER.read_log())
        self.assertNotIn("Gulnara", SERVER.read_log())


if __name__ == "__main__":
    unittest.main()
