"""Likely duplicates of activities against a real `polis serve` with the demo data: a new
ODIHR seminar like the Prague seminar on criminal assets from human trafficking (SPMU,
July 2012) lists it with its reasons, at GET /api/v1/activities/{id}/overlaps and, for the
same fields as a draft, at POST /api/v1/activities/overlaps-check without storing
anything; credentials, unknown ids and bad parameters or bodies."""

import json
import unittest

from harness import PolisServer, db_rows, finish, signed_in

SERVER = None
ODIHR = None
PRAGUE = None

DRAFT = {"title": {"en": "Seminar on the confiscation of criminal assets from human trafficking",
                   "ru": "Семинар о конфискации преступных активов от торговли людьми"},
         "description": {"en": "For financial investigators of the region."},
         "type": "seminar", "lead_org": "ODIHR", "planned_start": "2012-07-10",
         "planned_end": "2012-07-11", "host_country": "CZ", "beneficiary_countries": [],
         "priorities": ["THB"], "focus_areas": [], "lines": ["TRN"],
         "target_groups": ["police"]}


def setUpModule():
    global SERVER, ODIHR, PRAGUE
    SERVER = PolisServer().start()
    ODIHR = signed_in(SERVER, "officer.odihr")
    r = ODIHR.get("/api/v1/activities?country=CZ&from=2012-07-01&to=2012-07-31")
    assert r.status == 200, r
    prague = [a for a in r.json["items"] if a["lead_org"] == "SPMU"]
    assert len(prague) == 1, r.json
    PRAGUE = prague[0]


def tearDownModule():
    finish(SERVER)


def activity_count():
    return db_rows(SERVER.db, "SELECT count(*) FROM activities")[0][0]


def scoring_rows():
    """activity_scoring as stored, and as activities and the link tables say it should be:
    {key: (public id, lead, host, titles, period, [priorities, focus areas, beneficiaries])}."""
    got = {r[0]: (tuple(r[1:8]), [sorted(c.split()) for c in r[8:11]])
           for r in db_rows(SERVER.db, "SELECT activity_id, public_id, lead_org, host_country,"
                            " title_en, title_ru, planned_start, planned_end, priorities,"
                            " focus_areas, beneficiaries FROM activity_scoring")}
    links = {}
    for k, (table, column) in enumerate((("activity_priorities", "priority_code"),
                                         ("activity_focus_areas", "focus_code"),
                                         ("activity_beneficiaries", "country_code"))):
        for key, code in db_rows(SERVER.db, f"SELECT activity_id, {column} FROM {table}"):
            links.setdefault(key, [[], [], []])[k].append(code)
    want = {r[0]: (tuple(r[1:8]), [sorted(c) for c in links.get(r[0], [[], [], []])])
            for r in db_rows(SERVER.db, "SELECT id, public_id, lead_org, host_country, title_en,"
                             " title_ru, planned_start, planned_end FROM activities")}
    return got, want


class OverlapsTest(unittest.TestCase):
    def check_prague(self, page):
        self.assertIsNone(page["next"])
        items = page["items"]
        self.assertGreaterEqual(len(items), 1, page)
        first = items[0]
        self.assertEqual(first["id"], PRAGUE["id"])
        self.assertEqual(first["lead_org"], "SPMU")
        self.assertEqual(first["title"], PRAGUE["title"])
        self.assertEqual(first["planned_start"], "2012-07-18")
        self.assertEqual(first["planned_end"], "2012-07-20")
        why = first["reasons"]
        self.assertEqual(why["shared_priorities"], ["THB"])
        self.assertEqual(why["shared_focus_areas"], [])
        self.assertEqual(why["shared_countries"], ["CZ"])
        self.assertEqual(why["days_apart"], 7)
        self.assertGreater(why["text_similarity"], 0.4)
        self.assertLessEqual(why["text_similarity"], 1.0)
        self.assertGreaterEqual(first["score"], 0.5)
        scores = [i["score"] for i in items]
        self.assertEqual(scores, sorted(scores, reverse=True))
        self.assertTrue(all(i["lead_org"] != "ODIHR" for i in items), items)
        return items

    def test_stored_activity_lists_the_prague_seminar(self):
        r = ODIHR.post("/api/v1/activities", DRAFT)
        self.assertEqual(r.status, 201, r)
        created = r.json
        r = ODIHR.get(f"/api/v1/activities/{created['id']}/overlaps")
        self.assertEqual(r.status, 200, r)
        items = self.check_prague(r.json)
        self.assertNotIn(created["id"], [i["id"] for i in items])

        # The same fields as a draft give the same list, and nothing is stored.
        before = activity_count()
        r = ODIHR.post("/api/v1/activities/overlaps-check", DRAFT)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"], items)
        self.assertEqual(activity_count(), before)

        # From the Prague seminar's side, the new ODIHR seminar is a likely duplicate.
        coord = signed_in(SERVER, "coordinator")
        r = coord.get(f"/api/v1/activities/{PRAGUE['id']}/overlaps?limit=100")
        self.assertEqual(r.status, 200, r)
        self.assertIn(created["id"], [i["id"] for i in r.json["items"]])

    def test_scoring_rows_follow_every_change(self):
        """The narrow rows the check scores candidates by stay equal to the activities'
        main and link rows after a create, an update, an import and a delete, and the
        check answers from them at once."""
        coord = signed_in(SERVER, "coordinator")
        got, want = scoring_rows()
        self.assertEqual(got, want)
        self.assertGreater(len(got), 10)  # the demo data, backfilled by the migration

        draft = dict(DRAFT, lead_org="OMIK", host_country="KG",
                     title={"en": "Quetzalcoatl workshop on asset recovery", "ru": "Кетцаль"},
                     beneficiary_countries=["KG", "TJ"], priorities=["THB", "OC"],
                     focus_areas=["OC-UNTOC"], planned_start="2031-06-01",
                     planned_end="2031-06-03")
        r = coord.post("/api/v1/activities", draft)
        self.assertEqual(r.status, 201, r)
        made = r.json["id"]
        got, want = scoring_rows()
        self.assertEqual(got, want)
        probe = dict(draft, lead_org="SPMU", host_country=None, beneficiary_countries=[])
        r = coord.post("/api/v1/activities/overlaps-check", probe)
        self.assertEqual(r.status, 200, r)
        first = r.json["items"][0]
        self.assertEqual(first["id"], made)
        self.assertEqual(first["reasons"]["shared_priorities"], ["OC", "THB"])
        self.assertEqual(first["reasons"]["shared_focus_areas"], ["OC-UNTOC"])
        self.assertEqual(first["reasons"]["shared_countries"], [])
        self.assertEqual(first["reasons"]["text_similarity"], 1.0)

        r = coord.patch(f"/api/v1/activities/{made}",
                        {"title": {"en": "Quetzalcoatl seminar on border checks"},
                         "priorities": ["OC"], "focus_areas": [], "host_country": None,
                         "beneficiary_countries": ["TJ"], "planned_start": "2031-07-01",
                         "planned_end": None})
        self.assertEqual(r.status, 200, r)
        got, want = scoring_rows()
        self.assertEqual(got, want)
        r = coord.post("/api/v1/activities/overlaps-check",
                       dict(probe, beneficiary_countries=["TJ"]))
        self.assertEqual(r.status, 200, r)
        item = [i for i in r.json["items"] if i["id"] == made][0]
        self.assertEqual(item["title"], {"en": "Quetzalcoatl seminar on border checks",
                                         "ru": "Кетцаль"})  # a patch merges the title
        self.assertEqual(item["planned_start"], "2031-07-01")
        self.assertIsNone(item["planned_end"])
        self.assertEqual(item["reasons"]["shared_priorities"], ["OC"])
        self.assertEqual(item["reasons"]["shared_focus_areas"], [])
        self.assertEqual(item["reasons"]["shared_countries"], ["TJ"])
        self.assertEqual(item["reasons"]["days_apart"], 28)

        one = {"title": {"en": "Quetzalcoatl imported workshop"}, "type": "seminar",
               "lead_org": "BISHKEK", "planned_start": "2031-06-02", "priorities": ["OC"],
               "focus_areas": ["OC-UNTOC"], "host_country": "TJ",
               "beneficiary_countries": ["TJ", "KG"]}
        r = coord.request("POST", "/api/v1/activities/import",
                          body=json.dumps([one]).encode("utf-8"), raw=True,
                          content_type="application/json")
        self.assertEqual(r.status, 201, r)
        got, want = scoring_rows()
        self.assertEqual(got, want)
        r = coord.post("/api/v1/activities/overlaps-check", probe)
        imported = [i for i in r.json["items"] if i["lead_org"] == "BISHKEK"
                    and i["title"]["en"] == "Quetzalcoatl imported workshop"]
        self.assertEqual(len(imported), 1, r.json)
        self.assertEqual(imported[0]["reasons"]["shared_focus_areas"], ["OC-UNTOC"])

        r = coord.delete(f"/api/v1/activities/{made}")
        self.assertEqual(r.status, 204, r)
        got, want = scoring_rows()
        self.assertEqual(got, want)
        r = coord.post("/api/v1/activities/overlaps-check", probe)
        self.assertNotIn(made, [i["id"] for i in r.json["items"]])

    def test_window_and_limit(self):
        r = ODIHR.post("/api/v1/activities/overlaps-check?window_days=0", DRAFT)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(PRAGUE["id"], [i["id"] for i in r.json["items"]])
        r = ODIHR.post("/api/v1/activities/overlaps-check?window_days=7", DRAFT)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"][0]["id"], PRAGUE["id"])
        wide = ODIHR.post("/api/v1/activities/overlaps-check?window_days=3650", DRAFT)
        self.assertEqual(wide.status, 200, wide)
        self.assertGreater(len(wide.json["items"]), 1, wide.json)
        r = ODIHR.post("/api/v1/activities/overlaps-check?window_days=3650&limit=1", DRAFT)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"], wide.json["items"][:1])

    def test_draft_of_another_lead_and_unknown_codes(self):
        draft = dict(DRAFT, lead_org="SPMU", priorities=["THB", "NOSUCH"],
                     beneficiary_countries=["ZZ"])
        r = ODIHR.post("/api/v1/activities/overlaps-check", draft)
        self.assertEqual(r.status, 200, r)
        self.assertNotIn(PRAGUE["id"], [i["id"] for i in r.json["items"]])
        self.assertTrue(all(i["lead_org"] != "SPMU" for i in r.json["items"]))

    def test_no_credentials_is_401(self):
        anon = SERVER.client()
        r = anon.get(f"/api/v1/activities/{PRAGUE['id']}/overlaps")
        self.assertEqual(r.status, 401, r)
        r = anon.post("/api/v1/activities/overlaps-check", DRAFT)
        self.assertEqual(r.status, 401, r)

    def test_unknown_id_is_404(self):
        r = ODIHR.get("/api/v1/activities/SPMU-1999-0042/overlaps")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json["error"]["code"], "not_found")

    def test_bad_parameters_are_400_naming_them(self):
        base = f"/api/v1/activities/{PRAGUE['id']}/overlaps"
        for query, field in (("window_days=-1", "window_days"),
                             ("window_days=3651", "window_days"),
                             ("window_days=ten", "window_days"),
                             ("limit=0", "limit"), ("limit=101", "limit")):
            r = ODIHR.get(f"{base}?{query}")
            self.assertEqual(r.status, 400, (query, r))
            self.assertEqual(r.json["error"]["field"], field, (query, r))
            r = ODIHR.post(f"/api/v1/activities/overlaps-check?{query}", DRAFT)
            self.assertEqual(r.status, 400, (query, r))
            self.assertEqual(r.json["error"]["field"], field, (query, r))

    def test_bad_draft_bodies_are_400_naming_the_field(self):
        url = "/api/v1/activities/overlaps-check"
        cases = [(dict(DRAFT, priorities="THB"), "priorities"),
                 (dict(DRAFT, beneficiary_countries=[1]), "beneficiary_countries"),
                 (dict(DRAFT, planned_start="2012-13-01"), "planned_start"),
                 ({k: v for k, v in DRAFT.items() if k != "planned_start"}, "planned_start"),
                 (dict(DRAFT, title="Seminar"), "title"),
                 (dict(DRAFT, colour="red"), "colour")]
        for body, field in cases:
            r = ODIHR.post(url, body)
            self.assertEqual(r.status, 400, (field, r))
            self.assertEqual(r.json["error"]["field"], field, (field, r))
        r = ODIHR.post(url, "[1, 2]", raw=True)
        self.assertEqual(r.status, 400, r)

    def test_title_words_are_never_query_syntax(self):
        # Quotes, operators, column filters and other scripts in a title only separate words.
        for title in ('"human" OR trafficking*', 'title_en: NEAR(criminal assets) ^seminar',
                      '«Конфискация» — активов; "', '"', "* OR AND NOT ( ) : ^ -"):
            r = ODIHR.post("/api/v1/activities/overlaps-check",
                           dict(DRAFT, title={"en": title, "ru": title}))
            self.assertEqual(r.status, 200, (title, r))
            self.assertIsNone(r.json["next"])
        r = ODIHR.post("/api/v1/activities/overlaps-check",
                       dict(DRAFT, title={"en": 'NEAR("criminal" assets) trafficking* seminar'}))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["items"][0]["id"], PRAGUE["id"])

    def test_check_is_not_another_route(self):
        # /activities/{id} has no POST: the check is not taken for a create or an update,
        # and GET on the check's path is an activity lookup that finds nothing.
        before = activity_count()
        r = ODIHR.post("/api/v1/activities/overlaps-check", DRAFT)
        self.assertEqual(r.status, 200, r)
        self.assertIn("items", r.json)
        self.assertNotIn("id", r.json)
        self.assertEqual(activity_count(), before)
        r = ODIHR.get("/api/v1/activities/overlaps-check")
        self.assertEqual(r.status, 404, r)


if __name__ == "__main__":
    unittest.main()
