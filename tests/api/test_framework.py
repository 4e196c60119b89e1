"""The Strategic Framework's reference data against a real `polis serve`: every read
route with its shape and counts, filters, keyset pagination, parameter validation, role
checks and CSRF on writes, validation with field names, audited create and update, and
the server-rendered pages in English and Russian.

Test classes run in alphabetical order (PageTests, ReadTests, WriteFormTests, WriteTests),
so the counts the first two check are those of the reference data before records are added."""

import unittest
import urllib.parse

from harness import PolisServer, sanitizer_report, signed_in

SERVER = None
ADMIN = OFFICER = COORD = None

# collection path -> (a record's code, number of records in data/framework.json)
SMALL = {
    "/api/v1/framework/lines-of-action": ("ICB", 5),
    "/api/v1/framework/priorities": ("THB", 6),
    "/api/v1/framework/focus-areas": ("THB-VICTIM", 41),
    "/api/v1/framework/principles": ("RULE-OF-LAW", 9),
}
PAGED = {
    "/api/v1/organisations": ("BISHKEK", 44),
    "/api/v1/countries": ("KG", 68),
}
ALL = dict(SMALL, **PAGED)


def setUpModule():
    global SERVER, ADMIN, OFFICER, COORD
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    OFFICER = signed_in(SERVER, "officer.bishkek")
    COORD = signed_in(SERVER, "coordinator")


def tearDownModule():
    code = SERVER.stop()  # first, so the log holds what the sanitizers report at exit
    log = SERVER.read_log()
    SERVER.cleanup()
    if code != 0:
        raise AssertionError(f"polis serve exited {code}:\n{log[-3000:]}")
    report = sanitizer_report(log)
    if report:
        raise AssertionError("sanitizer report in serve log:\n" + report)


def q(text):
    return urllib.parse.quote(text, safe="")


def walk(client, path, limit):
    """Every item of a paginated collection following next; returns (items, pages)."""
    items, cursor, pages = [], None, 0
    while True:
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url)
        assert r.status == 200, (url, r)
        body = r.json
        assert set(body) == {"items", "next"}, body
        assert len(body["items"]) <= limit
        items.extend(body["items"])
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return items, pages
        assert len(body["items"]) == limit, body
        assert pages < 1000


def codes(items):
    return [i["code"] for i in items]


class ReadTests(unittest.TestCase):
    def assert_error(self, r, status, field=None, code=None):
        self.assertEqual(r.status, status, r)
        err = r.json["error"]
        if field is not None:
            self.assertEqual(err.get("field"), field, r)
        if code is not None:
            self.assertEqual(err["code"], code, r)

    def test_every_get_route_needs_credentials(self):
        anon = SERVER.client()
        for path, (code, _) in ALL.items():
            for url in (path, f"{path}/{code}"):
                with self.subTest(url=url):
                    self.assert_error(anon.get(url), 401, code="unauthenticated")
        bad = SERVER.client()
        bad.token = "not-a-real-token"
        self.assert_error(bad.get("/api/v1/organisations"), 401)

    def test_small_lists_shape_and_counts(self):
        for path, (code, count) in SMALL.items():
            with self.subTest(path=path):
                r = OFFICER.get(path)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(set(r.json), {"items", "next"})
                self.assertIsNone(r.json["next"])
                items = r.json["items"]
                self.assertEqual(len(items), count)
                self.assertEqual(len(set(codes(items))), count)
                for item in items:
                    self.assertTrue({"code", "name", "name_ru"} <= set(item), item)
                    self.assertTrue(item["name"] and item["name_ru"], item)
                one = OFFICER.get(f"{path}/{code}")
                self.assertEqual(one.status, 200, one)
                self.assertEqual(one.json["code"], code)

    def test_lines_of_action_in_order(self):
        items = OFFICER.get("/api/v1/framework/lines-of-action").json["items"]
        self.assertEqual(codes(items)[0], "ICB")
        self.assertEqual([i["position"] for i in items], sorted(i["position"] for i in items))
        for i in items:
            self.assertEqual(set(i), {"code", "name", "name_ru", "description", "position"})
            self.assertTrue(i["description"])

    def test_priorities_nest_their_focus_areas(self):
        items = OFFICER.get("/api/v1/framework/priorities").json["items"]
        self.assertEqual(codes(items), ["PDR", "OC", "CT", "DRUGS", "THB", "CYBER"])
        self.assertEqual(sum(len(p["focus_areas"]) for p in items), 41)
        for p in items:
            self.assertEqual(set(p), {"code", "name", "name_ru", "description", "position",
                                      "focus_areas"})
            for fa in p["focus_areas"]:
                self.assertEqual(set(fa), {"code", "name", "name_ru"})
        thb = OFFICER.get("/api/v1/framework/priorities/THB").json
        self.assertEqual(thb["name"], "Trafficking in human beings")
        self.assertEqual(thb["name_ru"], "Торговля людьми")
        self.assertEqual(len(thb["focus_areas"]), 7)
        self.assertIn("THB-REFERRAL", codes(thb["focus_areas"]))

    def test_focus_areas(self):
        items = OFFICER.get("/api/v1/framework/focus-areas").json["items"]
        self.assertTrue(all(set(i) == {"code", "name", "name_ru", "priority", "position"}
                            for i in items))
        self.assertEqual(items[0]["priority"], "PDR")  # ordered by the priorities' position
        thb = OFFICER.get("/api/v1/framework/focus-areas?priority=THB").json["items"]
        self.assertEqual(len(thb), 7)
        self.assertTrue(all(i["priority"] == "THB" for i in thb))
        one = OFFICER.get("/api/v1/framework/focus-areas/PDR-CP").json
        self.assertEqual(one["priority"], "PDR")

    def test_organisations(self):
        r = OFFICER.get("/api/v1/organisations")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.json["items"]), 44)  # default limit 50
        self.assertIsNone(r.json["next"])
        self.assertEqual(codes(r.json["items"]), sorted(codes(r.json["items"])))
        for o in r.json["items"]:
            self.assertEqual(set(o), {"code", "name", "name_ru", "kind", "parent", "country"})
        tntd = OFFICER.get("/api/v1/organisations/TNTD").json
        self.assertEqual(tntd["kind"], "secretariat")
        self.assertIsNone(tntd["parent"])
        self.assertEqual(tntd["children"], ["ATU", "BSMU", "CC", "SPMU"])
        spmu = OFFICER.get("/api/v1/organisations/SPMU").json
        self.assertEqual(spmu["parent"], "TNTD")
        self.assertEqual(spmu["children"], [])
        bishkek = OFFICER.get("/api/v1/organisations/BISHKEK").json
        self.assertEqual(bishkek["country"], "KG")
        self.assertEqual(bishkek["kind"], "field_operation")

    def test_countries(self):
        kg = OFFICER.get("/api/v1/countries/KG").json
        self.assertEqual(kg["status"], "participating")
        self.assertEqual(kg["name_ru"], "Кыргызстан")
        self.assertEqual(codes(kg["organisations"]), ["BISHKEK", "MVD-KG"])
        self.assertEqual(set(kg["organisations"][0]), {"code", "name", "name_ru", "kind"})
        af = OFFICER.get("/api/v1/countries/AF").json
        self.assertEqual(af["status"], "partner")

    def test_filters(self):
        ops = OFFICER.get("/api/v1/organisations?kind=field_operation").json["items"]
        self.assertEqual(len(ops), 15)
        self.assertTrue(all(o["kind"] == "field_operation" for o in ops))
        partners = OFFICER.get("/api/v1/countries?status=partner").json["items"]
        self.assertEqual(len(partners), 11)
        self.assertIn("AF", codes(partners))
        self.assertEqual(len(OFFICER.get("/api/v1/countries?status=participating&limit=100")
                             .json["items"]), 57)
        for text in ("bishkek", "BISHKEK", "Бишкек", "бишкеке", "ЦЕНТР ОБСЕ В БИШКЕКЕ"):
            with self.subTest(q=text):
                found = OFFICER.get("/api/v1/organisations?q=" + q(text)).json["items"]
                self.assertEqual(codes(found), ["BISHKEK"])
        self.assertEqual(codes(OFFICER.get("/api/v1/organisations?q=bishkek&kind=partner")
                               .json["items"]), [])
        self.assertEqual(codes(OFFICER.get("/api/v1/organisations?q=kg&kind=national")
                               .json["items"]), ["MVD-KG"])
        self.assertEqual(codes(OFFICER.get("/api/v1/countries?q=" + q("кыргыз")).json["items"]),
                         ["KG"])
        self.assertEqual(OFFICER.get("/api/v1/countries?q=zzzz").json, {"items": [], "next": None})

    def test_pagination_walks_every_country_once(self):
        items, pages = walk(OFFICER, "/api/v1/countries", 10)
        self.assertEqual(len(items), 68)
        self.assertEqual(len(set(codes(items))), 68)
        self.assertEqual(pages, 7)
        self.assertEqual(codes(items), sorted(codes(items)))
        orgs, _ = walk(OFFICER, "/api/v1/organisations?kind=field_operation", 4)
        self.assertEqual(len(set(codes(orgs))), 15)
        partners, pages = walk(OFFICER, "/api/v1/countries?status=partner", 11)
        self.assertEqual((len(partners), pages), (11, 1))
        found, _ = walk(OFFICER, "/api/v1/organisations?q=" + q("osce"), 2)
        self.assertEqual(len(found), len(set(codes(found))))
        self.assertIn("BISHKEK", codes(found))

    def test_invalid_parameters(self):
        for path in PAGED:
            for limit in ("0", "1001", "abc", "-1", ""):
                with self.subTest(path=path, limit=limit):
                    self.assert_error(OFFICER.get(f"{path}?limit={limit}"), 400, field="limit")
            for cursor in ("!!!", "AAAA", "a" * 300):
                with self.subTest(path=path, cursor=cursor):
                    self.assert_error(OFFICER.get(f"{path}?cursor={cursor}"), 400, field="cursor")
        self.assert_error(OFFICER.get("/api/v1/organisations?kind=club"), 400, field="kind")
        self.assert_error(OFFICER.get("/api/v1/countries?status=observer"), 400, field="status")
        self.assert_error(OFFICER.get("/api/v1/organisations?q=" + "x" * 101), 400, field="q")
        self.assert_error(OFFICER.get("/api/v1/framework/focus-areas?priority=a%20b"), 400,
                          field="priority")

    def test_unknown_code_is_404(self):
        for path in ALL:
            for code in ("NOPE", "tntd", "X%24", "A" * 17):
                with self.subTest(path=path, code=code):
                    self.assert_error(OFFICER.get(f"{path}/{code}"), 404, code="not_found")


class WriteTests(unittest.TestCase):
    def assert_error(self, r, status, field=None, code=None):
        self.assertEqual(r.status, status, r)
        err = r.json["error"]
        if field is not None:
            self.assertEqual(err.get("field"), field, r)
        if code is not None:
            self.assertEqual(err["code"], code, r)

    def audit(self, entity, entity_id):
        r = ADMIN.get(f"/api/v1/audit?entity={entity}&entity_id={q(entity_id)}")
        self.assertEqual(r.status, 200, r)
        return r.json["items"]

    def test_roles_without_reference_edit_get_403(self):
        librarian = signed_in(SERVER, "librarian")
        bodies = {
            "/api/v1/framework/lines-of-action": {"code": "DENIED", "name": "X"},
            "/api/v1/framework/priorities": {"code": "DENIED", "name": "X"},
            "/api/v1/framework/focus-areas": {"code": "DENIED", "name": "X", "priority": "THB"},
            "/api/v1/framework/principles": {"code": "DENIED", "name": "X"},
            "/api/v1/organisations": {"code": "DENIED", "name": "X", "kind": "unit"},
            "/api/v1/countries": {"code": "XD", "name": "X", "status": "partner"},
        }
        for client in (OFFICER, librarian):
            for path, body in bodies.items():
                code, _ = ALL[path]
                with self.subTest(path=path):
                    self.assert_error(client.post(path, body), 403, code="forbidden")
                    self.assert_error(client.patch(f"{path}/{code}", {"name": "X"}), 403)
        self.assertEqual(OFFICER.get("/api/v1/organisations/DENIED").status, 404)
        self.assertEqual(OFFICER.get("/api/v1/organisations/BISHKEK").json["name"],
                         "OSCE Centre in Bishkek")
        anon = SERVER.client()
        self.assert_error(anon.post("/api/v1/organisations", bodies["/api/v1/organisations"]), 401)

    def test_coordinator_creates_and_updates_organisation_audited(self):
        r = COORD.post("/api/v1/organisations", {"code": "SPMU-POLIS", "name": "POLIS team",
                                                 "kind": "unit", "parent": "SPMU"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), "/api/v1/organisations/SPMU-POLIS")
        self.assertEqual(r.json, {"code": "SPMU-POLIS", "name": "POLIS team", "name_ru": "",
                                  "kind": "unit", "parent": "SPMU", "country": None,
                                  "children": []})
        self.assertEqual(OFFICER.get(r.header("Location")).json["name"], "POLIS team")
        self.assertIn("SPMU-POLIS", OFFICER.get("/api/v1/organisations/SPMU").json["children"])

        r = COORD.patch("/api/v1/organisations/SPMU-POLIS", {"name_ru": "Группа POLIS",
                                                             "country": "AT"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["name"], "POLIS team")  # untouched by the patch
        self.assertEqual(r.json["name_ru"], "Группа POLIS")
        self.assertEqual(r.json["country"], "AT")
        r = COORD.patch("/api/v1/organisations/SPMU-POLIS", {"parent": None})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["parent"])

        entries = self.audit("organisation", "SPMU-POLIS")
        self.assertEqual([e["action"] for e in entries], ["update", "update", "create"])
        self.assertTrue(all(e["actor"] == "coordinator" for e in entries))
        create = entries[2]
        self.assertIsNone(create["before"])
        self.assertEqual(create["after"]["name"], "POLIS team")
        first = entries[1]
        self.assertEqual(first["before"]["name_ru"], "")
        self.assertIsNone(first["before"]["country"])
        self.assertEqual(first["after"]["name_ru"], "Группа POLIS")
        self.assertEqual(first["after"]["country"], "AT")
        self.assertEqual(entries[0]["before"]["parent"], "SPMU")
        self.assertIsNone(entries[0]["after"]["parent"])

    def test_every_kind_can_be_created_and_patched(self):
        cases = [
            ("/api/v1/framework/lines-of-action", "line_of_action",
             {"code": "RESEARCH", "name": "Research", "description": "Studies."}),
            ("/api/v1/framework/priorities", "priority",
             {"code": "BORDER", "name": "Border security", "name_ru": "Безопасность границ"}),
            ("/api/v1/framework/focus-areas", "focus_area",
             {"code": "BORDER-TRAINING", "name": "Border guard training", "priority": "BORDER"}),
            ("/api/v1/framework/principles", "principle",
             {"code": "SUSTAIN", "name": "Sustainability"}),
            ("/api/v1/countries", "country",
             {"code": "XK", "name": "Test partner", "status": "partner"}),
        ]
        for path, entity, body in cases:
            with self.subTest(path=path):
                r = COORD.post(path, body)
                self.assertEqual(r.status, 201, r)
                self.assertEqual(r.header("Location"), f"{path}/{body['code']}")
                for k, v in body.items():
                    self.assertEqual(r.json[k], v)
                r = COORD.patch(f"{path}/{body['code']}", {"name": body["name"] + " (revised)"})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json["name"], body["name"] + " (revised)")
                entries = self.audit(entity, body["code"])
                self.assertEqual([e["action"] for e in entries], ["update", "create"])
                self.assertEqual(entries[0]["before"]["name"], body["name"])
                self.assertEqual(entries[0]["after"]["name"], body["name"] + " (revised)")
        lines = OFFICER.get("/api/v1/framework/lines-of-action").json["items"]
        self.assertEqual(codes(lines)[-1], "RESEARCH")  # appended after the five
        border = OFFICER.get("/api/v1/framework/priorities/BORDER").json
        self.assertEqual(codes(border["focus_areas"]), ["BORDER-TRAINING"])
        r = ADMIN.post("/api/v1/framework/principles", {"code": "ADMIN-MADE", "name": "By admin"})
        self.assertEqual(r.status, 201, r)

    def test_cached_lists_follow_every_change(self):
        """Small lists are served from a cache keyed by the framework version: a change
        through the API shows at once, the ETag changes with it, and a current ETag gets 304."""
        for path, (code, _) in SMALL.items():
            first = OFFICER.get(path)
            self.assertEqual(first.status, 200, first)
            etag = first.header("ETag")
            self.assertTrue(etag and etag.startswith('"fw'), first.headers)
            again = OFFICER.get(path)
            self.assertEqual(again.body, first.body)
            self.assertEqual(again.header("ETag"), etag)
            self.assertEqual(OFFICER.get(path, headers={"If-None-Match": etag}).status, 304)
            new_name = f"Renamed {code} for the cache test"
            r = COORD.patch(f"{path}/{code}", {"name": new_name})
            self.assertEqual(r.status, 200, r)
            after = OFFICER.get(path)
            self.assertNotEqual(after.header("ETag"), etag)
            names = [i["name"] for i in after.json["items"] if i["code"] == code]
            self.assertEqual(names, [new_name])
            self.assertEqual(OFFICER.get(path, headers={"If-None-Match": etag}).status, 200)
            # A change to another kind also moves this list's version on.
            r = COORD.patch("/api/v1/countries/KG", {"name_ru": "Кыргызстан"})
            self.assertEqual(r.status, 200, r)
            self.assertNotEqual(OFFICER.get(path).header("ETag"), after.header("ETag"))
        # The lists still need credentials, cached or not.
        anonymous = SERVER.client()
        self.assertEqual(anonymous.get("/api/v1/framework/priorities").status, 401)

    def test_csrf_required_for_cookie_writes(self):
        r = COORD.post("/api/v1/organisations", {"code": "NO-CSRF", "name": "X", "kind": "unit"},
                       csrf=False)
        self.assert_error(r, 403, code="csrf")
        r = COORD.patch("/api/v1/organisations/BISHKEK", {"name": "Hijacked"}, csrf=False)
        self.assert_error(r, 403, code="csrf")
        r = COORD.post("/api/v1/organisations", {"code": "NO-CSRF", "name": "X", "kind": "unit"},
                       headers={"X-CSRF-Token": "wrong"})
        self.assert_error(r, 403, code="csrf")
        self.assertEqual(OFFICER.get("/api/v1/organisations/NO-CSRF").status, 404)
        self.assertEqual(OFFICER.get("/api/v1/organisations/BISHKEK").json["name"],
                         "OSCE Centre in Bishkek")

    def test_bearer_token_writes_without_csrf(self):
        r = COORD.post("/api/v1/tokens", {"name": "framework sync"})
        self.assertEqual(r.status, 201, r)
        bot = SERVER.client()
        bot.token = r.json["token"]
        r = bot.post("/api/v1/organisations", {"code": "VIA-TOKEN", "name": "Made by token",
                                               "kind": "partner"})
        self.assertEqual(r.status, 201, r)
        r = bot.patch("/api/v1/organisations/VIA-TOKEN", {"kind": "national", "country": "DE"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["kind"], r.json["country"]), ("national", "DE"))
        self.assertEqual(self.audit("organisation", "VIA-TOKEN")[0]["actor"], "coordinator")
        officer_token = OFFICER.post("/api/v1/tokens", {"name": "x"}).json["token"]
        weak = SERVER.client()
        weak.token = officer_token
        self.assert_error(weak.post("/api/v1/organisations", {"code": "NOPE", "name": "X",
                                                              "kind": "unit"}), 403)

    def test_validation_names_the_field(self):
        org = "/api/v1/organisations"
        cases = [
            (org, {"code": "bad code", "name": "X", "kind": "unit"}, 422, "code"),
            (org, {"code": "-LEADING", "name": "X", "kind": "unit"}, 422, "code"),
            (org, {"code": "A" * 17, "name": "X", "kind": "unit"}, 422, "code"),
            (org, {"name": "X", "kind": "unit"}, 422, "code"),
            (org, {"code": "NEW-ORG", "kind": "unit"}, 422, "name"),
            (org, {"code": "NEW-ORG", "name": "", "kind": "unit"}, 422, "name"),
            (org, {"code": "NEW-ORG", "name": "x" * 201, "kind": "unit"}, 422, "name"),
            (org, {"code": "NEW-ORG", "name": "X", "name_ru": "я" * 201, "kind": "unit"}, 422,
             "name_ru"),
            (org, {"code": "NEW-ORG", "name": 7, "kind": "unit"}, 400, "name"),
            (org, {"code": "NEW-ORG", "name": "X", "kind": "club"}, 422, "kind"),
            (org, {"code": "NEW-ORG", "name": "X"}, 422, "kind"),
            (org, {"code": "NEW-ORG", "name": "X", "kind": "unit", "parent": "NOPE"}, 422, "parent"),
            (org, {"code": "NEW-ORG", "name": "X", "kind": "unit", "country": "ZZ"}, 422, "country"),
            (org, {"code": "NEW-ORG", "name": "X", "kind": "unit", "colour": "red"}, 400, "colour"),
            ("/api/v1/countries", {"code": "KGZ", "name": "X", "status": "partner"}, 422, "code"),
            ("/api/v1/countries", {"code": "kg", "name": "X", "status": "partner"}, 422, "code"),
            ("/api/v1/countries", {"code": "QQ", "name": "X", "status": "observer"}, 422, "status"),
            ("/api/v1/countries", {"code": "QQ", "name": "X", "kind": "unit"}, 400, "kind"),
            ("/api/v1/framework/focus-areas", {"code": "FA-X", "name": "X", "priority": "NOPE"},
             422, "priority"),
            ("/api/v1/framework/lines-of-action", {"code": "L-X", "name": "X",
                                                   "description": "d" * 4001}, 422, "description"),
            ("/api/v1/framework/principles", {"code": "P-X", "name": "X", "position": "first"},
             400, "position"),
        ]
        for path, body, status, field in cases:
            with self.subTest(path=path, body=str(body)[:80]):
                self.assert_error(COORD.post(path, body), status, field=field)
        self.assertEqual(OFFICER.get("/api/v1/organisations/NEW-ORG").status, 404)

        patch = "/api/v1/organisations/BISHKEK"
        self.assert_error(COORD.patch(patch, {"code": "OSH"}), 422, field="code")
        self.assert_error(COORD.patch(patch, {"name": None}), 422, field="name")
        self.assert_error(COORD.patch(patch, {"parent": "NOPE"}), 422, field="parent")
        self.assert_error(COORD.patch(patch, {"parent": "BISHKEK"}), 422, field="parent")
        self.assert_error(COORD.patch("/api/v1/organisations/TNTD", {"parent": "CC"}), 422,
                          field="parent")
        self.assert_error(COORD.patch(patch, {"website": "x"}), 400, field="website")
        self.assert_error(COORD.patch("/api/v1/organisations/NOPE", {"name": "X"}), 404)
        self.assert_error(COORD.patch("/api/v1/countries/ZZ", {"name": "X"}), 404)
        r = COORD.request("POST", org, body="code=X", raw=True,
                          content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 415, r)
        r = COORD.request("POST", org, body="{not json", raw=True)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(self.audit("organisation", "BISHKEK"), [])

    def test_duplicate_code_is_409(self):
        cases = [
            ("/api/v1/organisations", {"code": "TNTD", "name": "X", "kind": "secretariat"}),
            ("/api/v1/countries", {"code": "KG", "name": "X", "status": "participating"}),
            ("/api/v1/framework/priorities", {"code": "THB", "name": "X"}),
            ("/api/v1/framework/focus-areas", {"code": "THB-VICTIM", "name": "X",
                                               "priority": "THB"}),
            ("/api/v1/framework/lines-of-action", {"code": "ICB", "name": "X"}),
            ("/api/v1/framework/principles", {"code": "RULE-OF-LAW", "name": "X"}),
        ]
        for path, body in cases:
            with self.subTest(path=path):
                self.assert_error(COORD.post(path, body), 409, field="code", code="conflict")
        self.assertEqual(OFFICER.get("/api/v1/organisations/TNTD").json["name"],
                         "Transnational Threats Department")

    def test_names_are_escaped_on_pages(self):
        r = COORD.post("/api/v1/organisations", {"code": "ESCAPE", "name": "<script>x()</script> & Co",
                                                 "kind": "partner"})
        self.assertEqual(r.status, 201, r)
        for path in ("/organisations?q=escape", "/organisations/ESCAPE"):
            page = OFFICER.get(path).text
            self.assertIn("&lt;script&gt;x()&lt;/script&gt; &amp; Co", page)
            self.assertNotIn("<script>x()", page)


def hidden_value(html, name):
    at = html.index(f'name="{name}" value="')
    rest = html[at + len(f'name="{name}" value="'):]
    return rest[:rest.index('"')]


class WriteFormTests(unittest.TestCase):
    """The create and edit forms coordinators and admins use in the browser."""

    def submit(self, client, path, fields, csrf_field=True):
        form = dict(fields)
        if csrf_field:
            form["csrf"] = hidden_value(client.get("/framework").text, "csrf")
        return client.post(path, form, csrf=False,
                           content_type="application/x-www-form-urlencoded")

    def test_who_sees_the_forms(self):
        r = COORD.get("/organisations/new")
        self.assertEqual(r.status, 200, r)
        self.assertIn('<form method="post" action="/organisations/new"', r.text)
        self.assertIn('name="csrf"', r.text)
        self.assertIn('href="/organisations/new"', COORD.get("/organisations").text)
        self.assertIn('href="/organisations/TNTD/edit"', COORD.get("/organisations/TNTD").text)
        self.assertIn('href="/countries/KG/edit"', ADMIN.get("/countries/KG").text)
        self.assertNotIn('href="/organisations/new"', OFFICER.get("/organisations").text)
        self.assertNotIn("/edit", OFFICER.get("/organisations/TNTD").text)
        for path in ("/organisations/new", "/organisations/TNTD/edit", "/countries/new",
                     "/countries/KG/edit"):
            with self.subTest(path=path):
                self.assertEqual(OFFICER.get(path).status, 403)
                r = SERVER.client().get(path)
                self.assertEqual(r.status, 303)
                self.assertTrue(r.header("Location").startswith("/login"))
        self.assertEqual(COORD.get("/organisations/NOPE/edit").status, 404)
        r = self.submit(OFFICER, "/organisations/new", {"code": "OFF-FORM", "name": "X",
                                                        "kind": "unit"})
        self.assertEqual(r.status, 403, r)
        self.assertEqual(OFFICER.get("/api/v1/organisations/OFF-FORM").status, 404)

    def test_create_and_edit_organisation_by_form(self):
        r = self.submit(COORD, "/organisations/new", {"code": "FORM-ORG", "name": "Form office",
                                                      "name_ru": "Офис формы", "kind": "unit",
                                                      "parent": "SPMU", "country": ""})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/organisations/FORM-ORG")
        rec = OFFICER.get("/api/v1/organisations/FORM-ORG").json
        self.assertEqual((rec["name"], rec["name_ru"], rec["parent"], rec["country"]),
                         ("Form office", "Офис формы", "SPMU", None))

        form = COORD.get("/organisations/FORM-ORG/edit").text
        self.assertIn('value="Form office"', form)
        self.assertIn('<option value="unit" selected="selected">', form)
        r = self.submit(COORD, "/organisations/FORM-ORG/edit",
                        {"name": "Form office (renamed)", "name_ru": "Офис формы",
                         "kind": "national", "parent": "", "country": "KG"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/organisations/FORM-ORG")
        page = OFFICER.get("/organisations/FORM-ORG").text
        self.assertIn("<h1>Form office (renamed)</h1>", page)
        self.assertIn('href="/countries/KG"', page)

        audit = ADMIN.get("/api/v1/audit?entity=organisation&entity_id=FORM-ORG").json["items"]
        self.assertEqual([e["action"] for e in audit], ["update", "create"])
        self.assertEqual(audit[0]["actor"], "coordinator")
        self.assertEqual(audit[0]["before"]["parent"], "SPMU")
        self.assertIsNone(audit[0]["after"]["parent"])
        self.assertEqual(audit[0]["after"]["kind"], "national")

    def test_refused_forms_show_the_error_next_to_the_field(self):
        r = self.submit(COORD, "/organisations/new", {"code": "TNTD", "name": "Again",
                                                      "kind": "secretariat"})
        self.assertEqual(r.status, 409, r)
        self.assertIn("A record with this code already exists.", r.text)
        self.assertIn('aria-invalid="true"', r.text)
        self.assertIn('value="Again"', r.text)  # what was typed is kept
        r = self.submit(COORD, "/organisations/new", {"code": "NAMELESS", "name": "",
                                                      "kind": "unit"})
        self.assertEqual(r.status, 422, r)
        self.assertIn('<div class="field invalid"><label for="f-name">', r.text)
        self.assertIn('value="NAMELESS"', r.text)
        self.assertEqual(OFFICER.get("/api/v1/organisations/NAMELESS").status, 404)
        COORD.cookies["polis_lang"] = "ru"
        try:
            r = self.submit(COORD, "/organisations/TNTD/edit", {"name": "Transnational Threats "
                                                                "Department", "kind": "secretariat",
                                                                "parent": "CC", "country": ""})
        finally:
            COORD.cookies.pop("polis_lang", None)
        self.assertEqual(r.status, 422, r)
        self.assertIn("Организацию нельзя подчинить ей самой или её подразделениям.", r.text)
        self.assertIsNone(OFFICER.get("/api/v1/organisations/TNTD").json["parent"])
        r = self.submit(COORD, "/organisations/new", {"code": "NO-CSRF-FORM", "name": "X",
                                                      "kind": "unit"}, csrf_field=False)
        self.assertEqual(r.status, 403, r)
        r = COORD.post("/organisations/new", {"code": "JSON-FORM", "name": "X", "kind": "unit"})
        self.assertEqual(r.status, 415, r)
        for code in ("NO-CSRF-FORM", "JSON-FORM"):
            self.assertEqual(OFFICER.get(f"/api/v1/organisations/{code}").status, 404)

    def test_create_and_edit_country_by_form(self):
        r = self.submit(ADMIN, "/countries/new", {"code": "QZ", "name": "Testland",
                                                  "name_ru": "Тестландия",
                                                  "status": "participating"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/countries/QZ")
        r = self.submit(ADMIN, "/countries/QZ/edit", {"name": "Testland", "name_ru": "Тестландия",
                                                      "status": "partner"})
        self.assertEqual(r.status, 303, r)
        self.assertIn("Partner for Co-operation", OFFICER.get("/countries/QZ").text)
        r = self.submit(ADMIN, "/countries/new", {"code": "QZZ", "name": "X",
                                                  "status": "partner"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("A country code is two capital letters (ISO 3166-1).", r.text)
        audit = ADMIN.get("/api/v1/audit?entity=country&entity_id=QZ").json["items"]
        self.assertEqual([e["action"] for e in audit], ["update", "create"])
        self.assertEqual(audit[0]["after"]["status"], "partner")


class PageTests(unittest.TestCase):
    def page(self, path, client=None, lang=None):
        c = client or OFFICER
        if lang:
            c.cookies["polis_lang"] = lang
        try:
            r = c.get(path)
        finally:
            c.cookies.pop("polis_lang", None)
        return r

    def test_signed_out_pages_redirect_to_login(self):
        anon = SERVER.client()
        for path in ("/framework", "/organisations", "/organisations/TNTD", "/countries",
                     "/countries/KG"):
            with self.subTest(path=path):
                r = anon.get(path)
                self.assertEqual(r.status, 303, r)
                self.assertTrue(r.header("Location").startswith("/login"), r.header("Location"))

    def test_framework_overview_in_english(self):
        r = self.page("/framework")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        html = r.text
        self.assertIn("<h1>Strategic Framework</h1>", html)
        self.assertIn("Trafficking in human beings", html)
        self.assertNotIn("Торговля людьми", html)
        self.assertIn('<section id="priorities">', html)
        self.assertEqual(html.count('<article class="priority"'), 6)
        for code in ("PDR", "OC", "CT", "DRUGS", "THB", "CYBER"):
            self.assertIn(f'id="priority-{code}"', html)
        self.assertEqual(html.count('class="focus-area"'), 41)
        self.assertIn('<section id="lines-of-action">', html)
        self.assertEqual(html.count('<li class="line"'), 5)
        self.assertIn('<section id="principles">', html)
        self.assertEqual(html.count('<li class="principle"'), 9)
        # In the priorities' order.
        self.assertLess(html.index('id="priority-PDR"'), html.index('id="priority-CYBER"'))

    def test_framework_overview_in_russian(self):
        html = self.page("/framework", lang="ru").text
        self.assertIn('<html lang="ru">', html)
        self.assertIn("<h1>Стратегические рамки</h1>", html)
        self.assertIn("Торговля людьми", html)
        self.assertIn("Тематические приоритеты", html)
        self.assertNotIn(">Trafficking in human beings<", html)

    def test_organisations_table_and_filters(self):
        html = self.page("/organisations").text
        self.assertIn('<table id="organisations"', html)
        self.assertEqual(html.count('<tr class="organisation">'), 44)
        self.assertIn('<form method="get" action="/organisations"', html)
        self.assertNotIn('rel="next"', html)
        html = self.page("/organisations?kind=field_operation").text
        self.assertEqual(html.count('<tr class="organisation">'), 15)
        self.assertIn('<option value="field_operation" selected="selected">', html)
        html = self.page("/organisations?q=" + q("Бишкек") + "&kind=").text
        self.assertEqual(html.count('<tr class="organisation">'), 1)
        self.assertIn('href="/organisations/BISHKEK"', html)
        html = self.page("/organisations?q=&kind=").text
        self.assertEqual(html.count('<tr class="organisation">'), 44)
        html = self.page("/organisations?q=nothing-like-this").text
        self.assertIn('class="empty"', html)
        self.assertEqual(self.page("/organisations?kind=club").status, 400)

    def test_countries_pages_follow_next(self):
        html = self.page("/countries").text
        self.assertEqual(html.count('<tr class="country">'), 50)
        start = html.index('rel="next"')
        href = html[html.rindex('href="', 0, start) + 6:]
        href = href[:href.index('"')].replace("&amp;", "&")
        self.assertTrue(href.startswith("/countries?cursor="), href)
        rest = self.page(href).text
        self.assertEqual(rest.count('<tr class="country">'), 18)
        self.assertNotIn('rel="next"', rest)
        html = self.page("/countries?status=partner&q=" + q("афган"), lang="ru").text
        self.assertEqual(html.count('<tr class="country">'), 1)
        self.assertIn("Афганистан", html)

    def test_detail_pages(self):
        html = self.page("/organisations/TNTD").text
        self.assertIn("<h1>Transnational Threats Department</h1>", html)
        for child in ("ATU", "BSMU", "CC", "SPMU"):
            self.assertIn(f'href="/organisations/{child}"', html)
        html = self.page("/organisations/BISHKEK", lang="ru").text
        self.assertIn("<h1>Центр ОБСЕ в Бишкеке</h1>", html)
        self.assertIn('href="/countries/KG"', html)
        html = self.page("/countries/KG").text
        self.assertIn("<h1>Kyrgyzstan</h1>", html)
        self.assertIn('href="/organisations/BISHKEK"', html)
        self.assertIn('href="/organisations/MVD-KG"', html)
        for path in ("/organisations/NOPE", "/countries/ZZ"):
            r = self.page(path)
            self.assertEqual(r.status, 404, r)
            self.assertTrue(r.header("Content-Type").startswith("text/html"))


if __name__ == "__main__":
    unittest.main()
