"""The activities registry against a real `polis serve`: credentials and organisation
scopes, create with Location and a public id per organisation and year, validation with
the field at fault, status transitions, PATCH semantics, delete, every list filter,
keyset pagination under every sort, full-text search in Russian, hostile q and SQL-looking
input, and the audit trail's before and after.

The activities this module creates are planned in 2031 and carry the word "zebrafinch"
in their titles, so filters are checked within [2031-01-01, 2031-12-31] whatever demo
activities the database also holds."""

import unittest
import urllib.parse

from harness import PolisServer, db_rows, finish, signed_in

SERVER = None
ADMIN = COORD = BISHKEK = ODIHR = LIBRARIAN = None
YEAR = "from=2031-01-01&to=2031-12-31"


def setUpModule():
    global SERVER, ADMIN, COORD, BISHKEK, ODIHR, LIBRARIAN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    COORD = signed_in(SERVER, "coordinator")
    BISHKEK = signed_in(SERVER, "officer.bishkek")
    ODIHR = signed_in(SERVER, "officer.odihr")
    LIBRARIAN = signed_in(SERVER, "librarian")


def tearDownModule():
    finish(SERVER)


def q(text):
    return urllib.parse.quote(text, safe="")


def body(**over):
    b = {"title": {"en": "Zebrafinch training on community policing",
                   "ru": "Обучение участковых инспекторов"},
         "description": {"en": "Five days in Osh."},
         "type": "training", "lead_org": "BISHKEK", "planned_start": "2031-03-01",
         "planned_end": "2031-03-05", "host_country": "KG", "beneficiary_countries": ["KG"],
         "priorities": ["PDR"], "focus_areas": ["PDR-CP"], "lines": ["TRN"],
         "target_groups": ["police"], "partners": ["UNODC"],
         "budget": {"amount": 2500.5, "currency": "EUR", "source": "Unified budget"}}
    for k, v in over.items():
        if v is None:
            b.pop(k, None)
        else:
            b[k] = v
    return b


def create(client, **over):
    r = client.post("/api/v1/activities", body(**over))
    assert r.status == 201, r
    return r.json


def walk(client, query, limit):
    """Every item of the list under query, following next; returns (items, pages)."""
    items, cursor, pages = [], None, 0
    while True:
        url = f"/api/v1/activities?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url)
        assert r.status == 200, (url, r)
        page = r.json
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        pages += 1
        cursor = page["next"]
        if not cursor:
            return items, pages
        assert pages < 200


class AccessTest(unittest.TestCase):
    def test_no_credentials_is_401(self):
        anon = SERVER.client()
        for method, path in (("GET", "/api/v1/activities"), ("GET", "/api/v1/activities/X-2031-0001"),
                             ("POST", "/api/v1/activities"),
                             ("PATCH", "/api/v1/activities/X-2031-0001"),
                             ("DELETE", "/api/v1/activities/X-2031-0001")):
            with self.subTest(method=method, path=path):
                r = anon.request(method, path, {} if method in ("POST", "PATCH") else None)
                self.assertEqual(r.status, 401, r)

    def test_officer_writes_own_organisation_only(self):
        r = BISHKEK.post("/api/v1/activities", body())
        self.assertEqual(r.status, 201, r)
        rec = r.json
        self.assertEqual(r.header("Location"), f"/api/v1/activities/{rec['id']}")
        self.assertRegex(rec["id"], r"^BISHKEK-2031-\d{4}$")
        r = BISHKEK.post("/api/v1/activities", body(lead_org="ODIHR"))
        self.assertEqual(r.status, 403, r)
        r = ODIHR.patch(f"/api/v1/activities/{rec['id']}", {"outcomes": "x"})
        self.assertEqual(r.status, 403, r)
        r = ODIHR.delete(f"/api/v1/activities/{rec['id']}")
        self.assertEqual(r.status, 403, r)
        # Handing the activity to another organisation needs rights over that one too.
        r = BISHKEK.patch(f"/api/v1/activities/{rec['id']}", {"lead_org": "ODIHR"})
        self.assertEqual(r.status, 403, r)
        r = LIBRARIAN.post("/api/v1/activities", body())
        self.assertEqual(r.status, 403, r)
        r = LIBRARIAN.patch(f"/api/v1/activities/{rec['id']}", {"outcomes": "x"})
        self.assertEqual(r.status, 403, r)
        # Reading is open to every signed-in user.
        r = LIBRARIAN.get(f"/api/v1/activities/{rec['id']}")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, rec)
        # Nothing changed through the refused requests.
        self.assertEqual(ADMIN.get(f"/api/v1/activities/{rec['id']}").json, rec)

    def test_coordinator_edits_any(self):
        rec = create(ODIHR, lead_org="ODIHR")
        r = COORD.patch(f"/api/v1/activities/{rec['id']}", {"outcomes": "Curriculum adopted",
                                                             "lead_org": "SPMU"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["outcomes"], "Curriculum adopted")
        self.assertEqual(r.json["lead_org"], "SPMU")
        self.assertEqual(r.json["id"], rec["id"])  # the public id never changes
        # ODIHR's officer lost it with the change of lead organisation.
        self.assertEqual(ODIHR.patch(f"/api/v1/activities/{rec['id']}", {"tot": True}).status, 403)

    def test_csrf_is_required_on_cookie_writes(self):
        r = BISHKEK.post("/api/v1/activities", body(), csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json["error"]["code"], "csrf")


class WriteTest(unittest.TestCase):
    def test_public_ids_count_per_organisation_and_year(self):
        a = create(ADMIN, lead_org="CC", planned_start="2031-05-01", planned_end=None)
        b = create(ADMIN, lead_org="CC", planned_start="2031-06-01", planned_end=None)
        c = create(ADMIN, lead_org="CC", planned_start="2030-06-01", planned_end=None)
        self.assertEqual((a["id"], b["id"], c["id"]), ("CC-2031-0001", "CC-2031-0002",
                                                        "CC-2030-0001"))
        self.assertEqual(ADMIN.delete("/api/v1/activities/CC-2031-0002").status, 204)
        self.assertEqual(create(ADMIN, lead_org="CC", planned_end=None)["id"], "CC-2031-0003")

    def test_validation_names_the_field(self):
        cases = [
            ({"title": None}, 422, "title"),
            ({"title": {"ru": "Только по-русски"}}, 422, "title"),
            ({"title": {"en": "x" * 301}}, 422, "title"),
            ({"title": "not an object"}, 400, "title"),
            ({"description": {"en": "y" * 20001}}, 422, "description"),
            ({"type": "party"}, 422, "type"),
            ({"type": None}, 422, "type"),
            ({"status": "finished"}, 422, "status"),
            ({"lead_org": None}, 422, "lead_org"),
            ({"lead_org": "NOWHERE"}, 422, "lead_org"),
            ({"partners": ["NOWHERE"]}, 422, "partners"),
            ({"host_country": "XX"}, 422, "host_country"),
            ({"beneficiary_countries": ["ZZ"]}, 422, "beneficiary_countries"),
            ({"priorities": ["NOPE"]}, 422, "priorities"),
            ({"focus_areas": ["NOPE"]}, 422, "focus_areas"),
            ({"lines": ["NOPE"]}, 422, "lines"),
            ({"target_groups": ["astronauts"]}, 422, "target_groups"),
            ({"planned_start": None}, 422, "planned_start"),
            ({"planned_start": "2031-02-30"}, 422, "planned_start"),
            ({"planned_end": "2031-02-28"}, 422, "planned_end"),
            ({"actual_start": "2031-03-03", "actual_end": "2031-03-02"}, 422, "actual_end"),
            ({"participants_total": 10, "participants_women": 6, "participants_men": 5}, 422,
             "participants_women"),
            ({"participants_total": -1}, 422, "participants_total"),
            ({"participants_total": "12"}, 400, "participants_total"),
            ({"participants_total": 3, "participants_by_country": {"KG": 4}}, 422,
             "participants_by_country"),
            ({"status": "completed"}, 422, "participants_total"),
            ({"tot": "yes"}, 400, "tot"),
            ({"budget": {"amount": 1.005, "currency": "EUR"}}, 422, "budget"),
            ({"budget": {"amount": 10, "currency": "euro"}}, 422, "budget"),
            ({"documents": ["DOC-1"]}, 400, "documents"),
            ({"id": "BISHKEK-2031-9999"}, 422, "id"),
            ({"surplus": 1}, 400, "surplus"),
        ]
        before = len(walk(ADMIN, YEAR + "&q=zebrafinch", 1000)[0])
        for over, status, field in cases:
            with self.subTest(over=str(over)[:80]):
                # An officer naming another organisation is refused before validation.
                client = COORD if "lead_org" in over else BISHKEK
                r = client.post("/api/v1/activities", body(**over))
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"].get("field"), field, r)
        self.assertEqual(len(walk(ADMIN, YEAR + "&q=zebrafinch", 1000)[0]), before)
        for raw in (b"[1,2]", b"{\"title\":", b"\"just a string\""):
            r = BISHKEK.request("POST", "/api/v1/activities", raw, raw=True)
            self.assertEqual(r.status, 400, r)

    def test_status_transitions(self):
        rec = create(BISHKEK)
        path = f"/api/v1/activities/{rec['id']}"
        self.assertEqual(BISHKEK.patch(path, {"status": "ongoing"}).status, 200)
        r = BISHKEK.patch(path, {"status": "planned"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "status"))
        r = BISHKEK.patch(path, {"status": "completed"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "participants_total"))
        r = BISHKEK.patch(path, {"status": "completed", "participants_total": 24,
                                 "participants_women": 11, "participants_men": 13,
                                 "participants_by_country": {"KG": 20, "TJ": 4},
                                 "actual_start": "2031-03-01", "actual_end": "2031-03-04"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["participants_by_country"], {"KG": 20, "TJ": 4})
        for status in ("ongoing", "cancelled", "planned"):
            r = BISHKEK.patch(path, {"status": status})
            self.assertEqual((r.status, r.json["error"]["field"]), (422, "status"))
        r = BISHKEK.patch(path, {"participants_men": 14})  # 11 + 14 > 24
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "participants_women"))
        self.assertEqual(ADMIN.get(path).json["status"], "completed")

    def test_patch_semantics_and_delete(self):
        rec = create(BISHKEK)
        path = f"/api/v1/activities/{rec['id']}"
        self.assertEqual(rec["budget"], {"amount": 2500.5, "currency": "EUR",
                                         "source": "Unified budget"})
        r = BISHKEK.patch(path, {"title": {"ru": None}, "partners": ["ILO", "EUROPOL"],
                                 "budget": None, "host_country": None, "tot": True})
        self.assertEqual(r.status, 200, r)
        got = r.json
        self.assertEqual(got["title"], {"en": rec["title"]["en"]})
        self.assertEqual(got["partners"], ["EUROPOL", "ILO"])
        self.assertIsNone(got["budget"])
        self.assertIsNone(got["host_country"])
        self.assertTrue(got["tot"])
        self.assertEqual(got["priorities"], rec["priorities"])
        self.assertEqual(got["created_at"], rec["created_at"])
        r = BISHKEK.patch(path, {"id": "BISHKEK-2031-0999"})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "id"))
        self.assertEqual(BISHKEK.delete(path).status, 204)
        self.assertEqual(BISHKEK.get(path).status, 404)
        self.assertEqual(BISHKEK.delete(path).status, 404)
        self.assertEqual(BISHKEK.patch(path, {"tot": False}).status, 404)

    def test_amounts_read_as_written(self):
        r = ADMIN.post("/api/v1/activities", body(budget={"amount": 1234567.89, "currency": "USD",
                                                          "source": ""}))
        self.assertEqual(r.status, 201, r)
        self.assertIn(b'"amount":1234567.89,', r.body)
        path = r.header("Location")
        r = ADMIN.patch(path, {"budget": {"amount": 0.1, "currency": "USD"}})
        self.assertIn(b'"budget":{"amount":0.1,"currency":"USD","source":""}', r.body)
        r = ADMIN.patch(path, {"budget": {"amount": 7, "currency": "USD"}})
        self.assertIn(b'"amount":7,', r.body)
        self.assertEqual(db_rows(SERVER.db, "SELECT budget_amount_minor FROM activities"
                                 " WHERE public_id = ?", (r.json["id"],)), [(700,)])

    def test_audit_has_before_and_after(self):
        rec = create(BISHKEK)
        path = f"/api/v1/activities/{rec['id']}"
        self.assertEqual(BISHKEK.patch(path, {"outcomes": "Manual drafted"}).status, 200)
        self.assertEqual(BISHKEK.delete(path).status, 204)
        r = ADMIN.get(f"/api/v1/audit?entity=activity&entity_id={rec['id']}")
        self.assertEqual(r.status, 200, r)
        entries = {e["action"]: e for e in r.json["items"]}
        self.assertEqual(set(entries), {"create", "update", "delete"})
        self.assertIsNone(entries["create"]["before"])
        self.assertEqual(entries["create"]["after"], rec)
        self.assertEqual(entries["update"]["before"]["outcomes"], "")
        self.assertEqual(entries["update"]["after"]["outcomes"], "Manual drafted")
        self.assertEqual(entries["delete"]["before"]["outcomes"], "Manual drafted")
        self.assertIsNone(entries["delete"]["after"])
        self.assertEqual({e["actor"] for e in entries.values()}, {"officer.bishkek"})


class ListTest(unittest.TestCase):
    """A set of 2031 activities with known traits, then every filter and sort over it."""

    @classmethod
    def setUpClass(cls):
        cls.made = []
        for i in range(17):
            over = dict(
                lead_org="ODIHR" if i % 3 == 0 else "BISHKEK",
                type="workshop" if i % 2 else "training",
                planned_start=f"2031-{i % 12 + 1:02d}-{10 + i // 12:02d}",
                planned_end=f"2031-{i % 12 + 1:02d}-{20 + i // 12:02d}",
                title={"en": f"Listfinch {i % 5} zebrafinch",
                       "ru": "Семинар о торговле людьми" if i == 4 else "Занятие"},
                priorities=["THB"] if i % 4 == 0 else ["PDR"],
                focus_areas=["THB-VICTIM"] if i % 4 == 0 else ["PDR-CP"],
                lines=["ICB"] if i % 5 == 0 else ["TRN"],
                host_country="TJ" if i % 2 else "KG",
                beneficiary_countries=["UZ"] if i % 5 == 0 else [],
                partners=["ODIHR"] if i == 1 else [],
                target_groups=["judges"] if i % 3 == 1 else ["police"],
                status="cancelled" if i % 6 == 0 else "planned")
            cls.made.append(create(ADMIN, **over))

    def ids(self, query):
        items, _ = walk(ADMIN, f"{YEAR}&q=listfinch&{query}", 5)
        return sorted(a["id"] for a in items)

    def expect(self, pred):
        return sorted(a["id"] for a in self.made if pred(a))

    def test_each_filter_narrows(self):
        self.assertEqual(self.ids("sort=id"), self.expect(lambda a: True))
        cases = {
            "org=ODIHR": lambda a: a["lead_org"] == "ODIHR" or "ODIHR" in a["partners"],
            "type=workshop": lambda a: a["type"] == "workshop",
            "status=cancelled": lambda a: a["status"] == "cancelled",
            "priority=THB": lambda a: "THB" in a["priorities"],
            "focus=THB-VICTIM": lambda a: "THB-VICTIM" in a["focus_areas"],
            "line=ICB": lambda a: "ICB" in a["lines"],
            "country=TJ": lambda a: a["host_country"] == "TJ" or "TJ" in a["beneficiary_countries"],
            "country=UZ": lambda a: "UZ" in a["beneficiary_countries"],
            "target_group=judges": lambda a: "judges" in a["target_groups"],
            "type=training&priority=THB": lambda a: a["type"] == "training"
            and "THB" in a["priorities"],
        }
        for query, pred in cases.items():
            with self.subTest(query=query):
                want = self.expect(pred)
                self.assertTrue(0 < len(want) < len(self.made), query)
                self.assertEqual(self.ids(query), want)

    def test_period_overlap(self):
        r = ADMIN.get("/api/v1/activities?from=2031-02-15&to=2031-03-12&q=listfinch&limit=100")
        self.assertEqual(r.status, 200, r)
        got = sorted(a["id"] for a in r.json["items"])
        want = self.expect(lambda a: a["planned_start"] <= "2031-03-12"
                           and a["planned_end"] >= "2031-02-15")
        self.assertEqual(got, want)
        self.assertTrue(want)
        r = ADMIN.get("/api/v1/activities?from=2031-03-01&to=2031-02-01")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "to"))

    def test_keyset_pagination_under_every_sort(self):
        keys = {"": lambda a: (a["planned_start"], a["id"]),
                "sort=-planned_start": lambda a: (a["planned_start"], a["id"]),
                "sort=planned_start": lambda a: (a["planned_start"], a["id"]),
                "sort=title": lambda a: (a["title"]["en"],),
                "sort=id": lambda a: (int(a["id"].rsplit("-", 1)[1]),)}
        for query, key in keys.items():
            for limit in (1, 4, 17, 100):
                with self.subTest(sort=query, limit=limit):
                    items, pages = walk(ADMIN, f"{YEAR}&q=listfinch&{query}", limit)
                    ids = [a["id"] for a in items]
                    self.assertEqual(len(ids), len(set(ids)))
                    self.assertEqual(sorted(ids), self.expect(lambda a: True))
                    self.assertEqual(pages, max(1, -(-len(self.made) // limit)))
                    seq = [key(a)[0] for a in items]
                    if query in ("", "sort=-planned_start"):
                        self.assertEqual(seq, sorted(seq, reverse=True))
                    elif query != "sort=id":
                        self.assertEqual(seq, sorted(seq))
        # The id sort is creation order within one organisation.
        odihr = [a["id"] for a in walk(ADMIN, f"{YEAR}&q=listfinch&sort=id&org=ODIHR", 3)[0]
                 if a["lead_org"] == "ODIHR"]
        self.assertEqual(odihr, sorted(odihr))

    def test_bad_parameters_are_400(self):
        for query, field in (("limit=0", "limit"), ("limit=1001", "limit"),
                             ("sort=colour", "sort"), ("type=party", "type"),
                             ("status=done", "status"), ("from=2031-13-01", "from"),
                             ("org=" + q("BISH KEK"), "org"), ("cursor=" + q("not a cursor!"),
                                                               "cursor"),
                             ("q=" + "x" * 201, "q")):
            with self.subTest(query=query):
                r = ADMIN.get(f"/api/v1/activities?{query}")
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.json["error"]["field"], field)
        # A cursor from one sort is refused under another.
        nxt = ADMIN.get(f"/api/v1/activities?{YEAR}&q=listfinch&sort=title&limit=2").json["next"]
        r = ADMIN.get(f"/api/v1/activities?sort=id&cursor={nxt}")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "cursor"))

    def test_full_text_in_russian(self):
        for words in ("торговле", "ТОРГОВЛЕ людьми", "семинар listfinch"):
            with self.subTest(q=words):
                r = ADMIN.get(f"/api/v1/activities?q={q(words)}&{YEAR}")
                self.assertEqual(r.status, 200, r)
                self.assertEqual([a["id"] for a in r.json["items"]], [self.made[4]["id"]])
        r = ADMIN.get(f"/api/v1/activities?q={q('занятие listfinch')}&{YEAR}&limit=100")
        self.assertEqual(len(r.json["items"]), len(self.made) - 1)
        # An empty q does not filter; a q without any word is refused.
        self.assertEqual(len(walk(ADMIN, f"{YEAR}&q=&org=ODIHR", 100)[0]),
                         len(walk(ADMIN, f"{YEAR}&org=ODIHR", 100)[0]))
        r = ADMIN.get(f"/api/v1/activities?q={q('* ( )')}")
        self.assertEqual((r.status, r.json["error"]["field"]), (400, "q"))

    def test_hostile_q_and_sql_looking_input(self):
        for text in ('"', "*", "NEAR(", ")", 'listfinch" OR "x', "listfinch*", "a:b", "^x",
                     "-listfinch", "' OR 1=1 --", "'; DROP TABLE activities; --", "\\", "%",
                     "NEAR(listfinch zebrafinch, 2)"):
            with self.subTest(q=text):
                r = ADMIN.get(f"/api/v1/activities?q={q(text)}")
                self.assertIn(r.status, (200, 400), r)
                if r.status == 400:
                    self.assertEqual(r.json["error"]["field"], "q")
        r = ADMIN.get(f"/api/v1/activities?q={q('NEAR(listfinch zebrafinch)')}&{YEAR}&limit=100")
        self.assertEqual(len(r.json["items"]), 0)  # "near" is a word here, not an operator
        r = ADMIN.post("/api/v1/activities",
                       body(title={"en": "Robert'); DROP TABLE activities;--"},
                            outcomes="' OR '1'='1"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["title"]["en"], "Robert'); DROP TABLE activities;--")
        got = ADMIN.get(f"/api/v1/activities/{r.json['id']}").json
        self.assertEqual(got["outcomes"], "' OR '1'='1")
        r = ADMIN.get(f"/api/v1/activities/{q(chr(39) + ' OR 1=1')}")
        self.assertIn(r.status, (400, 404), r)  # the path parameter is not a code
        self.assertEqual(len(walk(ADMIN, f"{YEAR}&q=listfinch", 100)[0]), len(self.made))


if __name__ == "__main__":
    unittest.main()
