"""Open311 GeoReport v2 against a real `polis serve`: every resource in XML (parsed with
xml.etree, element names checked) and JSON (top-level arrays); every error case with its
HTTP status and the spec's envelope in both formats; idempotent retries on a client token
and on a device's identical retry; concerns filed over Open311 recorded as ordinary
concerns; public replies that carry no contact details, description or location; the
servicerequestupdates extension both ways; client keys from the CLI and the admins' API,
audited, and refused at once when revoked."""

import datetime
import json
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import PolisServer, db_rows, finish, run_polis, signed_in

SERVER = None
ADMIN = None
KEY = None
BASE = "/open311/v2"
FORMATS = ("xml", "json")
ASKING = {"domestic_violence", "bride_kidnapping", "school_racketeering", "water"}
NASTY = "<script>alert(\"x&y\")</script> ]]> &amp; 'q' \u0416"
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime"]


def setUpModule():
    global SERVER, ADMIN, KEY
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    proc = run_polis("open311-key", "create", "--db", SERVER.db, "--name", "test client",
                     env=SERVER.env, check=True)
    KEY = proc.stdout.strip()


def tearDownModule():
    finish(SERVER)


def client():
    return SERVER.client()


def form_post(path, fields, c=None):
    return (c or client()).post(path, fields, content_type="application/x-www-form-urlencoded")


def get(path, params=None):
    q = ("?" + urllib.parse.urlencode(params)) if params else ""
    return client().get(path + q)


def parse(r, fmt):
    """The body: an Element for XML (after checking the declaration), the JSON otherwise."""
    if fmt == "xml":
        assert r.header("Content-Type") == "text/xml; charset=utf-8", r.header("Content-Type")
        assert r.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), r.body[:60]
        return ET.fromstring(r.body)
    assert r.header("Content-Type") == "application/json; charset=utf-8", r.header("Content-Type")
    return json.loads(r.body)


def records(r, fmt, root="service_requests", item="request"):
    """A list reply as a list of {field: text} in both formats (XML checked for its names)."""
    doc = parse(r, fmt)
    if fmt == "json":
        assert isinstance(doc, list), doc
        return doc
    assert doc.tag == root, doc.tag
    out = []
    for el in doc:
        assert el.tag == item, el.tag
        out.append({c.tag: (c.text or "") for c in el})
    return out


def new_request(fmt="json", **extra):
    fields = {"api_key": KEY, "service_code": "water", "lat": "42.87", "long": "74.59",
              "description": "No water in the street since Monday"}
    fields.update(extra)
    r = form_post(f"{BASE}/requests.{fmt}", fields)
    assert r.status in (200, 201), (r.status, r.body)
    return records(r, fmt)[0]["service_request_id"]


class ErrorEnvelope:
    def assertError(self, r, fmt, status):
        self.assertEqual(r.status, status, r.body)
        doc = parse(r, fmt)
        if fmt == "xml":
            self.assertEqual(doc.tag, "errors")
            errors = list(doc)
            self.assertGreaterEqual(len(errors), 1)
            for e in errors:
                self.assertEqual(e.tag, "error")
                self.assertEqual([c.tag for c in e], ["code", "description"])
            self.assertEqual(errors[0].find("code").text, str(status))
            return errors[0].find("description").text
        self.assertIsInstance(doc, list)
        self.assertEqual(set(doc[0]), {"code", "description"})
        self.assertEqual(doc[0]["code"], status)
        return doc[0]["description"]


class DiscoveryAndServicesTest(unittest.TestCase, ErrorEnvelope):
    def test_discovery(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = get(f"{BASE}/discovery.{fmt}")
                self.assertEqual(r.status, 200)
                doc = parse(r, fmt)
                if fmt == "xml":
                    self.assertEqual(doc.tag, "discovery")
                    self.assertEqual([c.tag for c in doc],
                                     ["changeset", "contact", "key_service", "endpoints"])
                    ep = doc.find("endpoints/endpoint")
                    self.assertEqual([c.tag for c in ep],
                                     ["specification", "url", "changeset", "type", "formats"])
                    self.assertEqual([f.text for f in ep.find("formats")],
                                     ["text/xml", "application/json"])
                    self.assertTrue(ep.find("url").text.endswith("/open311/v2"))
                else:
                    ep = doc["endpoints"][0]
                    self.assertEqual(ep["specification"], "http://wiki.open311.org/GeoReport_v2")
                    self.assertEqual(ep["formats"], ["text/xml", "application/json"])
                    self.assertIn(ep["type"], ("production", "test"))

    def test_services(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = get(f"{BASE}/services.{fmt}")
                self.assertEqual(r.status, 200)
                items = records(r, fmt, "services", "service")
                for s in items:
                    self.assertEqual(list(s), ["service_code", "service_name", "description",
                                               "metadata", "type", "keywords", "group"])
                    # Services that ask questions (data/community.json) have a definition.
                    asks = s["service_code"] in ASKING
                    self.assertEqual(s["metadata"], ("true" if asks else "false") if fmt == "xml"
                                     else asks, s["service_code"])
                    self.assertEqual(s["type"], "realtime")
                water = next(s for s in items if s["service_code"] == "water")
                self.assertEqual(water["group"], "utilities")
                self.assertIn("police_conduct", [s["service_code"] for s in items])

    def test_service_definition(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = get(f"{BASE}/services/rubbish.{fmt}")
                self.assertEqual(r.status, 200)
                doc = parse(r, fmt)
                if fmt == "xml":
                    self.assertEqual(doc.tag, "service_definition")
                    self.assertEqual(doc.find("service_code").text, "rubbish")
                    self.assertEqual(list(doc.find("attributes")), [])
                else:
                    self.assertEqual(doc, {"service_code": "rubbish", "attributes": []})
                self.assertError(get(f"{BASE}/services/nosuch.{fmt}"), fmt, 404)

    def test_discovery_as_a_page(self):
        r = get(f"{BASE}/discovery.html")
        self.assertEqual(r.status, 200, r.body)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn("http://wiki.open311.org/GeoReport_v2", r.text)
        self.assertIn("/open311/v2</code>", r.text)
        self.assertIn('href="/open311/v2/services.json"', r.text)
        r = SERVER.client().get(f"{BASE}/discovery.html", headers={"Accept-Language": "ru"})
        self.assertIn('lang="ru"', r.text)
        self.assertIn("Спецификация", r.text)

    def test_unknown_format_suffix_is_400_in_xml(self):
        for path in ("/services.csv", "/services.html", "/requests.yaml",
                     "/services/water.txt", "/requests/ABCDEFGHJK.csv", "/tokens/abc.pdf",
                     "/servicerequestupdates.rss"):
            with self.subTest(path=path):
                self.assertError(get(BASE + path), "xml", 400)


class PostRequestTest(unittest.TestCase, ErrorEnvelope):
    def test_created_in_both_formats_as_an_ordinary_concern(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                fields = {"api_key": KEY, "service_code": "rubbish",
                          "address_string": "12 Frunze " + NASTY,
                          "description": "Bins " + NASTY, "email": "a" + NASTY + "@example.org",
                          "first_name": "Ainura" + NASTY, "last_name": "K" + NASTY,
                          "phone": "+996 555 <1>", "jurisdiction_id": "polis.example"}
                r = form_post(f"{BASE}/requests.{fmt}", fields)
                self.assertEqual(r.status, 201, r.body)
                rec = records(r, fmt)
                self.assertEqual(len(rec), 1)
                self.assertEqual(list(rec[0]), ["service_request_id", "service_notice"])
                code = rec[0]["service_request_id"]
                self.assertRegex(code, r"^[0-9A-Z]{10}$")
                self.assertIn("20", rec[0]["service_notice"])  # the due date
                rows = db_rows(SERVER.db,
                               "SELECT channel, service_code, address, description, contact_name,"
                               " contact_email, contact_phone, status FROM concerns"
                               " WHERE tracking_code = ?", (code,))
                self.assertEqual(rows, [("open311", "rubbish", "12 Frunze " + NASTY,
                                         "Bins " + NASTY, f"Ainura{NASTY} K{NASTY}",
                                         "a" + NASTY + "@example.org", "+996 555 <1>",
                                         "received")])
                events = db_rows(SERVER.db,
                                 "SELECT e.kind, e.public, e.actor FROM concern_events e JOIN"
                                 " concerns c ON c.id = e.concern_id WHERE c.tracking_code = ?",
                                 (code,))
                self.assertEqual(events, [("received", 1, "open311:test client")])

    def test_visible_to_officers_through_their_api(self):
        code = new_request(description="Streetlight out")
        r = ADMIN.get(f"/api/v1/concerns/{code}")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.json["channel"], "open311")
        self.assertEqual(r.json["description"], "Streetlight out")
        listed = ADMIN.get("/api/v1/concerns?service_code=water&limit=1000")
        self.assertEqual(listed.status, 200, listed.body)
        self.assertIn(code, [c["tracking_code"] for c in listed.json["items"]])

    def test_media_url_kept_for_officers_withheld_from_the_public(self):
        photo = "https://photos.example.org/pipe.jpg?size=large&x=<b>"
        code = new_request(description="Burst pipe", media_url=photo.replace("<b>", "1"))
        r = ADMIN.get(f"/api/v1/concerns/{code}")
        self.assertEqual(r.json["media_url"], photo.replace("<b>", "1"))
        for fmt in FORMATS:
            one = get(f"{BASE}/requests/{code}.{fmt}")
            self.assertNotIn("photos.example.org", one.body.decode("utf-8"))
        page = ADMIN.get(f"/officer/concerns/{code}")
        self.assertEqual(page.status, 200, page)
        self.assertIn('href="https://photos.example.org/pipe.jpg?size=large&amp;x=1"', page.text)
        self.assertIn('rel="noopener noreferrer nofollow"', page.text)
        before = db_rows(SERVER.db, "SELECT count(*) FROM concerns")[0][0]
        for bad in ("javascript:alert(1)", "ftp://x.org/a", "https://x.org/a b",
                    "https://x.org/" + "a" * 2000, photo):
            for fmt in FORMATS:
                with self.subTest(bad=bad[:40], fmt=fmt):
                    fields = {"api_key": KEY, "service_code": "water", "lat": "42.87",
                              "long": "74.59", "description": "bad link", "media_url": bad}
                    self.assertError(form_post(f"{BASE}/requests.{fmt}", fields), fmt, 400)
        self.assertEqual(db_rows(SERVER.db, "SELECT count(*) FROM concerns")[0][0], before)
        r = ADMIN.post("/api/v1/concerns", {"service_code": "water", "description": "link",
                                            "media_url": "http://cam.example.org/1.png"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["media_url"], "http://cam.example.org/1.png")
        r = ADMIN.post("/api/v1/concerns", {"service_code": "water", "description": "link",
                                            "media_url": "data:text/html,<script>"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "media_url")

    def test_location_forms(self):
        for extra in ({"lat": "-90", "long": "180"}, {"address_string": "Ala-Too square"},
                      {"address_id": "A-17"}):
            with self.subTest(extra=extra):
                fields = {"api_key": KEY, "service_code": "youth", "description": "x"}
                fields.update(extra)
                self.assertEqual(form_post(f"{BASE}/requests.json", fields).status, 201)

    def test_empty_optional_parameters_are_absent(self):
        fields = {"api_key": KEY, "service_code": "water", "lat": "42", "long": "74",
                  "description": "empty extras", "email": "", "phone": "", "first_name": "",
                  "device_id": "", "token": "", "address_string": "", "media_url": ""}
        r = form_post(f"{BASE}/requests.xml", fields)
        self.assertEqual(r.status, 201, r.body)
        code = records(r, "xml")[0]["service_request_id"]
        self.assertEqual(db_rows(SERVER.db, "SELECT client_id, contact_email FROM concerns"
                                 " WHERE tracking_code = ?", (code,)), [(None, "")])

    def test_description_of_4000_characters_is_accepted(self):
        code = new_request(description="ж" * 4000)
        self.assertEqual(db_rows(SERVER.db, "SELECT length(description) FROM concerns"
                                 " WHERE tracking_code = ?", (code,)), [(4000,)])

    def test_longest_fields_in_cyrillic_are_kept_whole(self):
        key = ADMIN.post("/api/v1/open311/keys", {"name": "К" * 100}).json["key"]
        r = form_post(f"{BASE}/requests.json",
                      {"api_key": key, "service_code": "water", "address_string": "Ж" * 300,
                       "first_name": "Д" * 59, "last_name": "Ё" * 60,
                       "description": "Щ" * 4000})
        self.assertEqual(r.status, 201, r.body)
        code = r.json[0]["service_request_id"]
        self.assertEqual(db_rows(SERVER.db, "SELECT address, contact_name, length(description)"
                                 " FROM concerns WHERE tracking_code = ?", (code,)),
                         [("Ж" * 300, "Д" * 59 + " " + "Ё" * 60, 4000)])
        self.assertEqual(db_rows(SERVER.db, "SELECT actor FROM concern_events e JOIN concerns c"
                                 " ON c.id = e.concern_id WHERE c.tracking_code = ?", (code,)),
                         [("open311:" + "К" * 100,)])

    def test_errors(self):
        ok = {"api_key": KEY, "service_code": "water", "lat": "42", "long": "74",
              "description": "d"}
        cases = [
            ("no api_key", {k: v for k, v in ok.items() if k != "api_key"}, 403),
            ("empty api_key", dict(ok, api_key=""), 403),
            ("wrong api_key", dict(ok, api_key="o311_" + "A" * 43), 403),
            ("junk api_key", dict(ok, api_key="xyz"), 403),
            ("no service_code", {k: v for k, v in ok.items() if k != "service_code"}, 400),
            ("empty service_code", dict(ok, service_code=""), 400),
            ("unknown service_code", dict(ok, service_code="potholes"), 404),
            ("no location", {k: v for k, v in ok.items() if k not in ("lat", "long")}, 400),
            ("lat without long", {k: v for k, v in ok.items() if k != "long"}, 400),
            ("lat out of range", dict(ok, lat="90.5"), 400),
            ("long out of range", dict(ok, long="-180.01"), 400),
            ("lat not a number", dict(ok, lat="north"), 400),
            ("long infinite", dict(ok, long="inf"), 400),
            ("description too long", dict(ok, description="a" * 4001), 400),
        ]
        before = db_rows(SERVER.db, "SELECT count(*) FROM concerns")[0][0]
        for fmt in FORMATS:
            for name, fields, status in cases:
                with self.subTest(fmt=fmt, case=name):
                    self.assertError(form_post(f"{BASE}/requests.{fmt}", fields), fmt, status)
        self.assertEqual(db_rows(SERVER.db, "SELECT count(*) FROM concerns")[0][0], before)

    def test_unknown_service_code_with_markup_is_escaped_in_the_error(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = form_post(f"{BASE}/requests.{fmt}",
                              {"api_key": KEY, "service_code": "<b>&x</b>", "lat": "1",
                               "long": "1", "description": "d"})
                self.assertIn("<b>&x</b>", self.assertError(r, fmt, 404))

    def test_invalid_utf8_and_wrong_content_type(self):
        c = client()
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                body = b"api_key=" + KEY.encode() + b"&service_code=water&lat=1&long=1" \
                    b"&description=%C3%28"
                r = c.request("POST", f"{BASE}/requests.{fmt}", body=body, raw=True,
                              content_type="application/x-www-form-urlencoded")
                self.assertError(r, fmt, 400)
                r = c.request("POST", f"{BASE}/requests.{fmt}", body=b"\xff\xfe=1", raw=True,
                              content_type="application/x-www-form-urlencoded; charset=utf-8")
                self.assertError(r, fmt, 400)
                r = c.post(f"{BASE}/requests.{fmt}", {"api_key": KEY, "service_code": "water"})
                self.assertError(r, fmt, 400)  # JSON is not a form

    def test_retry_with_the_same_token_makes_one_concern(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                token = "tok-" + fmt + "-7f3a"
                fields = {"api_key": KEY, "service_code": "criminal", "address_string": "Osh",
                          "description": "stolen bicycle", "token": token}
                first = form_post(f"{BASE}/requests.{fmt}", fields)
                again = form_post(f"{BASE}/requests.{fmt}", dict(fields, description="edited"))
                self.assertEqual(first.status, 201)
                self.assertEqual(again.status, 200)
                code = records(first, fmt)[0]["service_request_id"]
                self.assertEqual(records(again, fmt)[0]["service_request_id"], code)
                self.assertEqual(db_rows(SERVER.db, "SELECT count(*) FROM concerns WHERE"
                                         " tracking_code = ?", (code,)), [(1,)])
                r = get(f"{BASE}/tokens/{token}.{fmt}")
                self.assertEqual(r.status, 200)
                self.assertEqual(records(r, fmt),
                                 [{"service_request_id": code, "token": token}])
                self.assertError(get(f"{BASE}/tokens/never-sent.{fmt}"), fmt, 404)

    def test_device_retry_lands_once_and_a_new_concern_does_not(self):
        fields = {"api_key": KEY, "service_code": "public_order", "lat": "40.5", "long": "72.8",
                  "description": "fights at the bus stop", "device_id": "phone-1234"}
        a = form_post(f"{BASE}/requests.json", fields)
        b = form_post(f"{BASE}/requests.json", fields)
        c = form_post(f"{BASE}/requests.json", dict(fields, description="loud music"))
        self.assertEqual((a.status, b.status, c.status), (201, 200, 201))
        self.assertEqual(a.json[0]["service_request_id"], b.json[0]["service_request_id"])
        self.assertNotEqual(a.json[0]["service_request_id"], c.json[0]["service_request_id"])
        n = db_rows(SERVER.db, "SELECT count(*) FROM concerns WHERE description ="
                    " 'fights at the bus stop'")
        self.assertEqual(n, [(1,)])


class GetRequestsTest(unittest.TestCase, ErrorEnvelope):
    @classmethod
    def setUpClass(cls):
        cls.code = new_request(service_code="electricity", description="secret " + NASTY,
                               email="who@example.org", phone="+996700111222",
                               first_name="Bakyt", address_string="7 Secret lane")
        cls.other = new_request(service_code="schools", description="another")

    def test_one_request_in_both_formats_without_private_fields(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                for ident in (self.code, self.code.lower()[:5] + "-" + self.code.lower()[5:]):
                    r = get(f"{BASE}/requests/{ident}.{fmt}")
                    self.assertEqual(r.status, 200, r.body)
                    recs = records(r, fmt)
                    self.assertEqual(len(recs), 1)
                    rec = recs[0]
                    self.assertEqual(list(rec), REQUEST_FIELDS)
                    self.assertEqual(rec["service_request_id"], self.code)
                    self.assertEqual(rec["status"], "open")
                    self.assertEqual(rec["service_code"], "electricity")
                    self.assertEqual(rec["description"], "(withheld)")
                    self.assertRegex(rec["requested_datetime"],
                                     r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
                    for secret in (b"who@example.org", b"+996700111222", b"Bakyt",
                                   b"Secret lane", b"secret", b"42.87", b"74.59"):
                        self.assertNotIn(secret, r.body)
                self.assertError(get(f"{BASE}/requests/ZZZZZZZZZZ.{fmt}"), fmt, 404)
                self.assertError(get(f"{BASE}/requests/not-a-code.{fmt}"), fmt, 404)

    def test_service_request_id_list_overrides_every_other_filter(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = get(f"{BASE}/requests.{fmt}",
                        {"service_request_id": f"{self.code}, {self.other},ZZZZZZZZZZ",
                         "status": "closed", "service_code": "water",
                         "start_date": "2001-01-01T00:00:00Z", "end_date": "2001-01-02T00:00:00Z"})
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(sorted(x["service_request_id"] for x in records(r, fmt)),
                                 sorted([self.code, self.other]))

    def test_listing_needs_a_key(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                self.assertError(get(f"{BASE}/requests.{fmt}"), fmt, 403)
                self.assertError(get(f"{BASE}/requests.{fmt}", {"api_key": "nope"}), fmt, 403)

    def test_filters(self):
        now = datetime.datetime.now(datetime.timezone.utc)
        start = (now - datetime.timedelta(hours=1)).astimezone(
            datetime.timezone(datetime.timedelta(hours=6))).strftime("%Y-%m-%dT%H:%M:%S+06:00")
        end = (now + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.250Z")
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                def ids(**params):
                    r = get(f"{BASE}/requests.{fmt}", dict(params, api_key=KEY))
                    self.assertEqual(r.status, 200, r.body)
                    recs = records(r, fmt)
                    for rec in recs:
                        self.assertEqual(list(rec), REQUEST_FIELDS)
                    return [x["service_request_id"] for x in recs]
                everything = ids()
                self.assertIn(self.code, everything)
                self.assertIn(self.other, everything)
                self.assertEqual(ids(start_date="", end_date="", status="", service_code=""),
                                 everything)
                self.assertEqual(ids(service_code="electricity,schools")[:2],
                                 [self.other, self.code])
                self.assertNotIn(self.code, ids(service_code="water"))
                self.assertIn(self.code, ids(status="open"))
                self.assertNotIn(self.code, ids(status="closed"))
                self.assertIn(self.code, ids(status="open,closed"))
                self.assertIn(self.code, ids(start_date=start, end_date=end))
                self.assertNotIn(self.code, ids(start_date="2020-01-01T00:00:00Z",
                                                end_date="2020-03-01T00:00:00-05:00"))
                self.assertIn(self.code, ids(start_date=start))
                self.assertEqual(len(ids(page_size="1")), 1)
                self.assertEqual(ids(page_size="1", page="2"), everything[1:2])
                self.assertEqual(ids(page="999"), [])

    def test_filter_errors(self):
        bad = [{"start_date": "2026-01-01"}, {"start_date": "2026-01-01T00:00:00"},
               {"end_date": "yesterday"}, {"start_date": "2026-02-30T00:00:00Z"},
               {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},
               {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"},
               {"status": "pending"}, {"status": "open,fixed"}, {"service_code": "a b"},
               {"service_code": ",".join(["water"] * 11)}, {"page_size": "1001"},
               {"page_size": "0"}, {"page": "x"}]
        for fmt in FORMATS:
            for params in bad:
                with self.subTest(fmt=fmt, params=params):
                    self.assertError(get(f"{BASE}/requests.{fmt}", dict(params, api_key=KEY)),
                                     fmt, 400)
            with self.subTest(fmt=fmt, params="invalid UTF-8"):
                r = client().get(f"{BASE}/requests.{fmt}?api_key={KEY}&status=%C3%28")
                self.assertError(r, fmt, 400)
                r = client().get(f"{BASE}/requests.{fmt}?service_request_id=%FF")
                self.assertError(r, fmt, 400)


class UpdatesTest(unittest.TestCase, ErrorEnvelope):
    def post_update(self, fmt, **fields):
        return form_post(f"{BASE}/servicerequestupdates.{fmt}", dict({"api_key": KEY}, **fields))

    def status_of(self, code):
        return db_rows(SERVER.db, "SELECT status FROM concerns WHERE tracking_code = ?",
                       (code,))[0][0]

    def test_updates_in_and_out_in_both_formats(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                code = new_request(description="broken pipe")
                r = self.post_update(fmt, service_request_id=code, status="IN_PROGRESS",
                                     description="Team sent " + NASTY, update_id=f"fms-1-{fmt}",
                                     updated_datetime="2026-11-28T10:00:00+01:00")
                self.assertEqual(r.status, 200, r.body)
                recs = records(r, fmt, "service_request_updates", "request_update")
                self.assertEqual(list(recs[0]), ["update_id"])
                update_id = recs[0]["update_id"]
                self.assertEqual(self.status_of(code), "in_progress")
                one = records(get(f"{BASE}/requests/{code}.{fmt}"), fmt)[0]
                self.assertEqual(one["status"], "open")
                self.assertEqual(one["status_notes"], "Team sent " + NASTY)

                r = get(f"{BASE}/servicerequestupdates.{fmt}", {"api_key": KEY})
                self.assertEqual(r.status, 200, r.body)
                ups = records(r, fmt, "service_request_updates", "request_update")
                mine = [u for u in ups if u["service_request_id"] == code]
                for u in mine:
                    self.assertEqual(list(u), ["update_id", "service_request_id", "status",
                                               "updated_datetime", "description"])
                    self.assertIn(u["status"], ("OPEN", "CLOSED"))
                self.assertEqual(mine[-1]["update_id"], update_id)
                self.assertEqual(mine[-1]["description"], "Team sent " + NASTY)

                r = self.post_update(fmt, service_request_id=code, status="FIXED",
                                     description="Pipe mended")
                self.assertEqual(r.status, 200, r.body)
                self.assertEqual(self.status_of(code), "resolved")
                one = records(get(f"{BASE}/requests/{code}.{fmt}"), fmt)[0]
                self.assertEqual((one["status"], one["status_notes"]), ("closed", "Pipe mended"))
                r = get(f"{BASE}/servicerequestupdates.{fmt}", {"api_key": KEY})
                last = [u for u in records(r, fmt, "service_request_updates", "request_update")
                        if u["service_request_id"] == code][-1]
                self.assertEqual((last["status"], last["description"]), ("CLOSED", "Pipe mended"))
                self.assertEqual(self.post_update(fmt, service_request_id=code,
                                                  status="CLOSED").status, 200)
                self.assertEqual(self.status_of(code), "closed")
                self.assertError(self.post_update(fmt, service_request_id=code,
                                                  status="IN_PROGRESS"), fmt, 400)
                self.assertEqual(self.status_of(code), "closed")

    def events_of(self, code):
        return db_rows(SERVER.db, "SELECT count(*) FROM concern_events e JOIN concerns c"
                                  " ON c.id = e.concern_id WHERE c.tracking_code = ?", (code,))[0][0]

    def test_a_retried_update_is_applied_once(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                code = new_request(description="retried update")
                fields = dict(service_request_id=code, status="IN_PROGRESS",
                              description="Crew on the way", update_id=f"fms-retry-{fmt}")
                first = self.post_update(fmt, **fields)
                self.assertEqual(first.status, 200, first.body)
                events = self.events_of(code)
                uid = records(first, fmt, "service_request_updates", "request_update")[0]
                again = self.post_update(fmt, **dict(fields, service_request_id=code.lower()))
                self.assertEqual(again.status, 200, again.body)
                self.assertEqual(records(again, fmt, "service_request_updates",
                                         "request_update")[0], uid)
                self.assertEqual(self.events_of(code), events)
                # the same update id for another request is the client's mistake
                other = new_request(description="another request")
                r = self.post_update(fmt, **dict(fields, service_request_id=other))
                self.assertError(r, fmt, 400)
                self.assertEqual(self.status_of(other), "received")
                # without an update id every post is a new update
                self.assertEqual(self.post_update(fmt, service_request_id=code,
                                                  status="IN_PROGRESS",
                                                  description="Still on it").status, 200)
                self.assertEqual(self.events_of(code), events + 1)

    def test_rejection_and_internal_events_stay_internal(self):
        code = new_request(description="not ours")
        r = self.post_update("xml", service_request_id=code, status="NOT_COUNCILS_RESPONSIBILITY")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.status_of(code), "rejected")
        one = records(get(f"{BASE}/requests/{code}.json"), "json")[0]
        self.assertEqual((one["status"], one["status_notes"]),
                         ("closed", "NOT_COUNCILS_RESPONSIBILITY"))

    def test_update_errors(self):
        code = new_request(description="for errors")
        for fmt in FORMATS:
            cases = [({"service_request_id": code, "status": "OPEN", "api_key": ""}, 403),
                     ({"service_request_id": code, "status": "OPEN", "api_key": "o311_x"}, 403),
                     ({"status": "OPEN"}, 400),
                     ({"service_request_id": code}, 400),
                     ({"service_request_id": code, "status": "MELTED"}, 400),
                     ({"service_request_id": code, "status": "OPEN",
                       "updated_datetime": "2026-11-28 10:00"}, 400),
                     ({"service_request_id": "ZZZZZZZZZZ", "status": "OPEN"}, 404)]
            for fields, status in cases:
                with self.subTest(fmt=fmt, fields=fields):
                    self.assertError(self.post_update(fmt, **fields), fmt, status)
            with self.subTest(fmt=fmt, case="GET without key"):
                self.assertError(get(f"{BASE}/servicerequestupdates.{fmt}"), fmt, 403)
            with self.subTest(fmt=fmt, case="GET span over 90 days"):
                self.assertError(get(f"{BASE}/servicerequestupdates.{fmt}",
                                     {"api_key": KEY, "start_date": "2026-01-01T00:00:00Z",
                                      "end_date": "2026-06-01T00:00:00Z"}), fmt, 400)
        self.assertEqual(self.status_of(code), "received")


class LookupThrottleTest(unittest.TestCase, ErrorEnvelope):
    def test_codes_cannot_be_found_by_trying(self):
        """Lookups by id share the citizens' throttle on codes that do not exist (30 in 15
        minutes per address), a list of ids counting each miss; then even a real code waits."""
        server = PolisServer().start()
        self.addCleanup(finish, server)
        c = server.client()
        key = run_polis("open311-key", "create", "--db", server.db, "--name", "t",
                        env=server.env, check=True).stdout.strip()
        r = c.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "water",
                                             "address_string": "x", "description": "d"},
                   content_type="application/x-www-form-urlencoded")
        code = r.json[0]["service_request_id"]
        guesses = ",".join(f"{i:010d}" for i in range(25))
        r = c.get(f"{BASE}/requests.json?service_request_id={code},{guesses}")
        self.assertEqual([x["service_request_id"] for x in r.json], [code])
        for i in range(5):
            self.assertError(c.get(f"{BASE}/requests/ZZZZZZZZZ{i}.xml"), "xml", 404)
        for fmt in FORMATS:
            r = c.get(f"{BASE}/requests/{code}.{fmt}")
            self.assertError(r, fmt, 429)
            self.assertGreater(int(r.header("Retry-After")), 0)
            self.assertError(c.get(f"{BASE}/tokens/anything.{fmt}"), fmt, 429)
        r = c.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "water",
                                             "address_string": "x", "description": "e"},
                   content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 201, "filing is not a lookup")


class KeysTest(unittest.TestCase, ErrorEnvelope):
    def test_admin_api_issues_lists_and_revokes_with_audit(self):
        r = ADMIN.post("/api/v1/open311/keys", {"name": "FixMyStreet <bridge>"})
        self.assertEqual(r.status, 201, r.body)
        key, key_id = r.json["key"], r.json["id"]
        self.assertTrue(key.startswith("o311_"))
        stored = db_rows(SERVER.db, "SELECT key_hash FROM open311_keys WHERE id = ?", (key_id,))
        self.assertEqual(len(stored[0][0]), 64)
        self.assertNotIn(key, json.dumps(stored))
        listed = ADMIN.get("/api/v1/open311/keys")
        self.assertEqual(listed.status, 200)
        mine = [k for k in listed.json["items"] if k["id"] == key_id][0]
        self.assertEqual((mine["name"], mine["revoked"]), ("FixMyStreet <bridge>", False))
        self.assertNotIn("key", mine)
        self.assertNotIn("key_hash", mine)

        fields = {"api_key": key, "service_code": "water", "lat": "1", "long": "1",
                  "description": "with the new key"}
        self.assertEqual(form_post(f"{BASE}/requests.json", fields).status, 201)
        self.assertEqual(ADMIN.delete(f"/api/v1/open311/keys/{key_id}").status, 204)
        for fmt in FORMATS:
            self.assertError(form_post(f"{BASE}/requests.{fmt}", fields), fmt, 403)
        self.assertEqual(ADMIN.delete("/api/v1/open311/keys/999999").status, 404)
        listed = ADMIN.get("/api/v1/open311/keys").json["items"]
        self.assertTrue([k for k in listed if k["id"] == key_id][0]["revoked"])
        audit = ADMIN.get(f"/api/v1/audit?entity=open311_key&entity_id={key_id}")
        self.assertEqual(audit.status, 200, audit.body)
        self.assertEqual(sorted(e["action"] for e in audit.json["items"]), ["create", "revoke"])
        self.assertNotIn(key, audit.text)

    def test_only_admins_manage_keys(self):
        coord = signed_in(SERVER, "coordinator")
        self.assertEqual(coord.get("/api/v1/open311/keys").status, 403)
        self.assertEqual(coord.post("/api/v1/open311/keys", {"name": "x"}).status, 403)
        self.assertEqual(client().get("/api/v1/open311/keys").status, 401)
        self.assertEqual(ADMIN.post("/api/v1/open311/keys", {"name": ""}).status, 400)
        self.assertEqual(ADMIN.post("/api/v1/open311/keys", {"nom": "x"}).status, 400)

    def test_cli_lists_and_revokes(self):
        proc = run_polis("open311-key", "create", "--db", SERVER.db, "--name", "cli client",
                         env=SERVER.env, check=True)
        key = proc.stdout.strip()
        listing = run_polis("open311-key", "list", "--db", SERVER.db, env=SERVER.env, check=True)
        line = [l for l in listing.stdout.splitlines() if l.endswith("cli client")][0]
        key_id = line.split()[0]
        self.assertIn("active", line)
        self.assertNotIn(key, listing.stdout)
        fields = {"api_key": key, "service_code": "water", "lat": "1", "long": "1",
                  "description": "cli key"}
        self.assertEqual(form_post(f"{BASE}/requests.xml", fields).status, 201)
        run_polis("open311-key", "revoke", "--db", SERVER.db, "--id", key_id, env=SERVER.env,
                  check=True)
        self.assertError(form_post(f"{BASE}/requests.xml", fields), "xml", 403)
        self.assertEqual(run_polis("open311-key", "revoke", "--db", SERVER.db, "--id", "424242",
                                   env=SERVER.env).returncode, 4)
        self.assertEqual(run_polis("open311-key", "create", "--db", SERVER.db,
                                   env=SERVER.env).returncode, 4)
        self.assertEqual(run_polis("open311-key", "frobnicate", "--db", SERVER.db,
                                   env=SERVER.env).returncode, 2)


if __name__ == "__main__":
    unittest.main()
