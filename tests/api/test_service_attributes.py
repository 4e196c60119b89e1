"""Service attributes (the questions a service asks beyond the description) through a real
`polis serve`: co-ordinators define them on a service (checked, audited, refused with
nothing changed), Open311 publishes them as service definitions in XML and JSON, and
answers given through Open311 (attribute[CODE], attribute[CODE][]), the officers' JSON API
and the citizens' API are checked against them, stored with the concern, shown to
officers and never in a public view."""

import json
import unittest
import urllib.parse
import uuid

from harness import PolisServer, db_rows, finish, run_polis, signed_in
from test_open311 import BASE, FORMATS, ErrorEnvelope, get, parse, records

SERVER = None
ADMIN = None
KEY = None
YESNO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
QUESTIONS = [
    {"code": "kind", "datatype": "multivaluelist", "description": "What was damaged?",
     "order": 3, "values": [{"key": "lamp", "name": "Lamp"}, {"key": "pole", "name": "Pole"},
                            {"key": "wire", "name": "Wire"}]},
    {"code": "dark", "datatype": "singlevaluelist", "description": "Is the street dark?",
     "description_ru": "На улице темно?", "required": True, "order": 1, "values": YESNO},
    {"code": "lamps", "datatype": "number", "description": "How many lamps?", "order": 2},
    {"code": "since", "datatype": "datetime", "description": "Since when?", "order": 4,
     "datatype_description": "YYYY-MM-DD"},
    {"code": "pole_no", "datatype": "string", "description": "The number on the pole",
     "order": 5},
    {"code": "note", "datatype": "text", "variable": False, "order": 6,
     "description": "Live wires: keep away and call 112."},
]


def setUpModule():
    global SERVER, ADMIN, KEY
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    proc = run_polis("open311-key", "create", "--db", SERVER.db, "--name", "attr client",
                     env=SERVER.env, check=True)
    KEY = proc.stdout.strip()
    import test_open311
    test_open311.SERVER = SERVER  # its helpers talk to this server
    r = ADMIN.post("/api/v1/services", {"code": "lights", "name": "Street lights",
                                        "due_days": 5, "attributes": QUESTIONS})
    assert r.status == 201, r


def tearDownModule():
    finish(SERVER)


def service(code):
    items = ADMIN.get("/api/v1/services").json["items"]
    return next(s for s in items if s["code"] == code)


def o311_post(fmt="json", **fields):
    """POSTs a request form; a list value repeats its parameter, as attribute[CODE][] does."""
    base = {"api_key": KEY, "service_code": "lights", "address_string": "Chui 1",
            "description": "Lights out"}
    base.update(fields)
    body = urllib.parse.urlencode(base, doseq=True).encode()
    return SERVER.client().request("POST", f"{BASE}/requests.{fmt}", body, raw=True,
                                   content_type="application/x-www-form-urlencoded")


def concerns_count():
    return db_rows(SERVER.db, "SELECT count(*) FROM concerns")[0][0]


class DefinitionsTest(unittest.TestCase):
    def test_stored_completed_and_in_order(self):
        got = service("lights")["attributes"]
        self.assertEqual([a["code"] for a in got], ["dark", "lamps", "kind", "since", "pole_no",
                                                    "note"])
        self.assertEqual(got[0], {"code": "dark", "datatype": "singlevaluelist",
                                  "description": "Is the street dark?",
                                  "description_ru": "На улице темно?", "datatype_description": "",
                                  "required": True, "variable": True, "order": 1,
                                  "values": YESNO})
        self.assertNotIn("values", got[1])
        self.assertFalse(got[5]["variable"])
        audit = db_rows(SERVER.db, "SELECT after FROM audit WHERE entity = 'service' AND"
                        " entity_id = 'lights' AND action = 'create'")
        self.assertEqual(len(audit), 1)
        self.assertEqual(len(json.loads(audit[0][0])["attributes"]), 6)

    def test_bad_definitions_are_refused_and_change_nothing(self):
        before = service("lights")
        ok = {"code": "x", "datatype": "string", "description": "X"}
        bad = [
            ("not a list", {"a": 1}),
            ("too many", [dict(ok, code=f"q{i}") for i in range(21)]),
            ("no code", [{"datatype": "string", "description": "X"}]),
            ("bad code", [dict(ok, code="a b")]),
            ("bad datatype", [dict(ok, datatype="boolean")]),
            ("no description", [dict(ok, description="")]),
            ("long description", [dict(ok, description="x" * 501)]),
            ("required note", [dict(ok, variable=False, required=True)]),
            ("list without values", [dict(ok, datatype="singlevaluelist")]),
            ("values on a string", [dict(ok, values=YESNO)]),
            ("repeated key", [dict(ok, datatype="singlevaluelist",
                                   values=[{"key": "a", "name": "A"}, {"key": "a", "name": "B"}])]),
            ("repeated code", [ok, dict(ok, order=2)]),
            ("repeated order", [dict(ok, order=1), dict(ok, code="y", order=1)]),
            ("order zero", [dict(ok, order=0)]),
            ("unknown member", [dict(ok, colour="red")]),
            ("required not boolean", [dict(ok, required="yes")]),
        ]
        for why, attrs in bad:
            with self.subTest(why=why):
                r = ADMIN.patch("/api/v1/services/lights", {"attributes": attrs})
                self.assertIn(r.status, (400, 422), r)
                self.assertEqual(r.json["error"]["field"], "attributes", r.json)
        self.assertEqual(service("lights"), before)

    def test_changed_and_cleared(self):
        r = ADMIN.post("/api/v1/services", {"code": "temp_q", "name": "Temporary"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["attributes"], [])
        r = ADMIN.patch("/api/v1/services/temp_q", {"attributes": [
            {"code": "where", "datatype": "string", "description": "Where?"}]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["attributes"][0]["order"], 1)
        self.assertEqual(r.json["attributes"][0]["required"], False)
        r = ADMIN.patch("/api/v1/services/temp_q", {"attributes": []})
        self.assertEqual(r.json["attributes"], [])
        officer = signed_in(SERVER, "inspector.osh")
        r = officer.patch("/api/v1/services/temp_q", {"attributes": []})
        self.assertEqual(r.status, 403)


class Open311DefinitionTest(unittest.TestCase):
    def test_definition_in_both_formats(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = get(f"{BASE}/services/lights.{fmt}")
                self.assertEqual(r.status, 200, r.body)
                doc = parse(r, fmt)
                if fmt == "json":
                    attrs = doc["attributes"]
                    self.assertEqual(doc["service_code"], "lights")
                    self.assertEqual(list(attrs[0]), ["variable", "code", "datatype", "required",
                                                      "datatype_description", "order",
                                                      "description", "values"])
                    self.assertEqual(attrs[0]["values"], YESNO)
                    self.assertEqual([a["code"] for a in attrs],
                                     ["dark", "lamps", "kind", "since", "pole_no", "note"])
                    self.assertEqual(attrs[5]["variable"], False)
                else:
                    attrs = doc.findall("attributes/attribute")
                    self.assertEqual([a.findtext("code") for a in attrs],
                                     ["dark", "lamps", "kind", "since", "pole_no", "note"])
                    self.assertEqual(attrs[0].findtext("required"), "true")
                    self.assertEqual(attrs[0].findtext("order"), "1")
                    self.assertEqual([(v.findtext("key"), v.findtext("name"))
                                      for v in attrs[0].findall("values/value")],
                                     [("yes", "Yes"), ("no", "No")])
                    self.assertIsNone(attrs[1].find("values"))
                listed = records(get(f"{BASE}/services.{fmt}"), fmt, "services", "service")
                lights = next(s for s in listed if s["service_code"] == "lights")
                self.assertEqual(lights["metadata"], "true" if fmt == "xml" else True)

    def test_demo_services_ask(self):
        doc = parse(get(f"{BASE}/services/water.json"), "json")
        self.assertEqual([(a["code"], a["variable"]) for a in doc["attributes"]],
                         [("households", True), ("urgent_note", False)])
        # Choices carry a Russian name for the pages; Open311 gets the spec's key and name.
        dv = parse(get(f"{BASE}/services/domestic_violence.json"), "json")
        self.assertEqual(dv["attributes"][0]["values"][2], {"key": "unknown",
                                                            "name": "Don't know"})
        ours = service("domestic_violence")["attributes"][0]["values"][2]
        self.assertEqual(ours["name_ru"], "Не знаю")


class Open311AnswersTest(unittest.TestCase, ErrorEnvelope):
    def test_answers_stored_and_shown_to_officers_only(self):
        for fmt in FORMATS:
            with self.subTest(fmt=fmt):
                r = o311_post(fmt, **{"attribute[dark]": "yes", "attribute[lamps]": "3",
                                      "attribute[kind][]": ["lamp", "wire"],
                                      "attribute[since]": "2026-11-20T18:00:00+06:00",
                                      "attribute[pole_no]": "B-17 <i>"})
                self.assertEqual(r.status, 201, r.body)
                code = records(r, fmt)[0]["service_request_id"]
                rec = ADMIN.get(f"/api/v1/concerns/{code}").json
                self.assertEqual(rec["attributes"], {
                    "dark": "yes", "lamps": "3", "kind": ["lamp", "wire"],
                    "since": "2026-11-20T18:00:00+06:00", "pole_no": "B-17 <i>"})
                public = SERVER.client().get(f"/api/v1/public/concerns/{code}").json
                self.assertNotIn("attributes", public)
                self.assertNotIn("B-17", json.dumps(parse(get(f"{BASE}/requests/{code}.json"),
                                                         "json")))

    def test_bad_answers_are_400_and_write_nothing(self):
        cases = [
            ("required missing", {}, "attribute[dark] is required"),
            ("required empty", {"attribute[dark]": ""}, "attribute[dark] is required"),
            ("not a choice", {"attribute[dark]": "maybe"}, "attribute[dark]"),
            ("not a number", {"attribute[dark]": "no", "attribute[lamps]": "three"},
             "attribute[lamps] must be a number"),
            ("infinite", {"attribute[dark]": "no", "attribute[lamps]": "1e999"},
             "attribute[lamps] must be a number"),
            ("bad date", {"attribute[dark]": "no", "attribute[since]": "2026-02-30"},
             "attribute[since]"),
            ("two lines", {"attribute[dark]": "no", "attribute[pole_no]": "a\nb"},
             "attribute[pole_no]"),
            ("too long", {"attribute[dark]": "no", "attribute[pole_no]": "x" * 201},
             "attribute[pole_no]"),
            ("unknown", {"attribute[dark]": "no", "attribute[colour]": "red"},
             "attribute[colour] is not asked"),
            ("a note", {"attribute[dark]": "no", "attribute[note]": "hi"},
             "attribute[note] is a note"),
            ("list twice", {"attribute[dark]": "no", "attribute[kind][]": ["lamp", "lamp"]},
             "given twice"),
            ("list choice", {"attribute[dark]": "no", "attribute[kind][]": ["lamp", "moon"]},
             "not one of its choices"),
            ("both ways", {"attribute[dark]": "no", "attribute[kind]": "lamp",
                           "attribute[kind][]": "pole"}, "both as one value and as a list"),
            ("malformed name", {"attribute[dark]": "no", "attribute[x": "1"},
             "not an attribute parameter"),
            ("list as one", {"attribute[dark][]": "no"}, "attribute[dark] must be one value"),
        ]
        for fmt in FORMATS:
            for why, fields, says in cases:
                with self.subTest(fmt=fmt, why=why):
                    n = concerns_count()
                    r = o311_post(fmt, **fields)
                    self.assertIn(says, self.assertError(r, fmt, 400))
                    self.assertEqual(concerns_count(), n)


class JsonAnswersTest(unittest.TestCase):
    def body(self, **extra):
        b = {"service_code": "lights", "description": "Lights out on Chui",
             "client_id": uuid.uuid4().hex}
        b.update(extra)
        return b

    def test_officers_and_citizens(self):
        r = ADMIN.post("/api/v1/concerns", self.body(attributes={"dark": "no", "kind": "pole"}))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["attributes"], {"dark": "no", "kind": ["pole"]})
        r = SERVER.client().post("/api/v1/public/concerns", self.body(attributes={"dark": "yes"}))
        self.assertEqual(r.status, 201, r)
        self.assertNotIn("attributes", r.json)
        code = r.json["tracking_code"]
        self.assertEqual(ADMIN.get(f"/api/v1/concerns/{code}").json["attributes"], {"dark": "yes"})
        plain = ADMIN.post("/api/v1/concerns", {"service_code": "rubbish", "description": "Bins"})
        self.assertEqual(plain.json["attributes"], {})

    def test_refused(self):
        for attrs, status, field in [([], 400, "attributes"), ("dark", 400, "attributes"),
                                     ({"dark": 1}, 400, "attribute[dark]"),
                                     ({"lamps": "2"}, 422, "attribute[dark]"),
                                     ({"dark": "no", "kind": [1]}, 400, "attribute[kind]")]:
            with self.subTest(attrs=attrs):
                n = concerns_count()
                r = ADMIN.post("/api/v1/concerns", self.body(attributes=attrs))
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
                self.assertEqual(concerns_count(), n)


if __name__ == "__main__":
    unittest.main()
