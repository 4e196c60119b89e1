"""The overlap panel of the activity form against a real `polis serve` with the demo data,
driven the way a browser without JavaScript drives it: "Check for overlaps" posts the form
like Save, gets the form back with the user's values and the likely duplicates among other
organisations' activities, and writes nothing (no activity, no audit entry). A saved
activity's detail page lists the same candidates; overlaps.js is served for the live panel."""

import html
import re
import unittest
import urllib.parse

from harness import PolisServer, db_rows, finish, signed_in

SERVER = None
BISHKEK = ODIHR = None
FORM = "application/x-www-form-urlencoded"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
# The SPMU regional workshop for Central Asia in 2012 (priorities CT and OC, KG among its
# beneficiary countries): a Bishkek workshop on the same subject in May 2012 overlaps it.
SPMU = "SPMU-2012-0001"
TITLE = "Regional workshop on international co-operation in criminal matters in Kyrgyzstan"


def setUpModule():
    global SERVER, BISHKEK, ODIHR
    SERVER = PolisServer().start()
    BISHKEK = signed_in(SERVER, "officer.bishkek")
    ODIHR = signed_in(SERVER, "officer.odihr")


def tearDownModule():
    finish(SERVER)


def counts():
    """(activities, audit entries) in the database file."""
    return (db_rows(SERVER.db, "SELECT count(*) FROM activities")[0][0],
            db_rows(SERVER.db, "SELECT count(*) FROM audit")[0][0])


def page_csrf(client):
    r = client.get("/activities/new")
    assert r.status == 200, r
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', r.text)
    assert m, r.text[:500]
    return html.unescape(m.group(1))


def draft_fields(client, check=True, csrf=True, **over):
    """The create form of a Bishkek workshop that duplicates SPMU's, as (name, value)
    pairs; check adds the "Check for overlaps" button's name."""
    f = {"title_en": TITLE, "title_ru": "", "type": "workshop", "status": "planned",
         "lead_org": "BISHKEK", "partners": "", "host_country": "KG",
         "beneficiary_countries": "KG", "priorities": ["OC"], "focus_areas": "",
         "lines": ["TRN"], "target_groups": ["police"], "planned_start": "2012-05-14",
         "planned_end": "2012-05-16", "actual_start": "", "actual_end": "",
         "participants_total": "25", "participants_women": "9", "participants_men": "16",
         "budget_amount": "", "budget_currency": "", "budget_source": "",
         "description_en": "Two days in Bishkek.", "description_ru": "", "outcomes": ""}
    f.update(over)
    pairs = [("csrf", page_csrf(client))] if csrf else []
    for k, v in f.items():
        for item in (v if isinstance(v, list) else [v]):
            pairs.append((k, item))
    if check:
        pairs.append(("check_overlaps", "1"))
    return pairs


def post_form(client, path, pairs):
    return client.request("POST", path, body=urllib.parse.urlencode(pairs), raw=True,
                          content_type=FORM, csrf=False)


def panel(page):
    m = re.search(r'<section id="overlaps".*?</section>', page, re.S)
    return m.group(0) if m else ""


def candidate_ids(page):
    return re.findall(r'<li class="overlap" data-id="([^"]+)"', panel(page))


class CheckOnFormTest(unittest.TestCase):
    def test_check_lists_the_duplicate_and_writes_nothing(self):
        before = counts()
        r = post_form(BISHKEK, "/activities", draft_fields(BISHKEK))
        self.assertEqual(r.status, 200, r.text[:2000])
        self.assertEqual(counts(), before, "a check stores nothing and audits nothing")
        p = panel(r.text)
        self.assertIn('class="overlaps"', p)  # shown, not idle
        ids = candidate_ids(r.text)
        self.assertEqual(ids[0], SPMU, ids)
        self.assertTrue(all(not i.startswith("BISHKEK-") for i in ids), ids)
        item = re.search(r'<li class="overlap" data-id="%s">.*?</ul>\s*<ul class="overlap-'
                         r'reasons">.*?</ul>' % SPMU, p, re.S).group(0)
        self.assertIn('<a href="/activities/%s" class="overlap-id">%s</a>' % (SPMU, SPMU), item)
        self.assertIn("Regional workshop on international co-operation in criminal matters in "
                      "Central Asia (5 of 5, 2012)", item)
        self.assertIn("Lead organisation: SPMU", item)
        self.assertIn("Dates: 2012-01-01 – 2012-12-31", item)
        self.assertRegex(item, r"Score: 0\.\d\d")
        self.assertIn("<li>Shared thematic priorities: OC</li>", item)
        self.assertIn("<li>Shared countries: KG</li>", item)
        self.assertIn("<li>The planned periods overlap</li>", item)
        self.assertRegex(item, r"<li>Similar title: \d+%</li>")
        # The score shown is the API's score for the same draft.
        api = BISHKEK.post("/api/v1/activities/overlaps-check", {
            "title": {"en": TITLE}, "lead_org": "BISHKEK", "host_country": "KG",
            "beneficiary_countries": ["KG"], "priorities": ["OC"],
            "planned_start": "2012-05-14", "planned_end": "2012-05-16"})
        self.assertEqual(api.status, 200, api)
        self.assertEqual([i["id"] for i in api.json["items"]], ids)
        self.assertIn("Score: %.2f" % api.json["items"][0]["score"], item)
        # The user's values come back as typed, and the form can still be saved.
        self.assertIn('name="title_en" id="f-title_en" value="%s"' % TITLE, r.text)
        self.assertIn('name="participants_women" id="f-participants_women" value="9"', r.text)
        self.assertIn('value="OC" id="f-priorities-OC" checked="checked"', r.text)
        self.assertIn('name="check_overlaps" value="1"', r.text)
        self.assertIsNone(INLINE_SCRIPT.search(r.text))

    def test_check_without_planned_start_shows_the_error_next_to_it(self):
        before = counts()
        r = post_form(BISHKEK, "/activities", draft_fields(BISHKEK, planned_start=""))
        self.assertEqual(r.status, 400, r.text[:2000])
        self.assertEqual(counts(), before)
        block = re.search(r'<div class="field invalid">(?:(?!<div class="field).)*?'
                          r'name="planned_start".*?</div>', r.text, re.S)
        self.assertIsNotNone(block, r.text[:3000])
        self.assertIn("Enter the planned start to look for overlaps.", block.group(0))
        self.assertIn('value="%s"' % TITLE, r.text)

    def test_check_with_nothing_similar_says_so(self):
        r = post_form(BISHKEK, "/activities",
                      draft_fields(BISHKEK, title_en="Zyxwv qwerty", priorities=[],
                                   host_country="", beneficiary_countries="",
                                   planned_start="2040-01-01", planned_end=""))
        self.assertEqual(r.status, 200, r.text[:2000])
        self.assertEqual(candidate_ids(r.text), [])
        self.assertIn("No likely overlaps were found.", panel(r.text))

    def test_check_needs_the_csrf_token_and_the_write_scope(self):
        before = counts()
        r = post_form(BISHKEK, "/activities", draft_fields(BISHKEK, csrf=False))
        self.assertEqual(r.status, 403, r)
        r = post_form(BISHKEK, "/activities", draft_fields(BISHKEK, lead_org="SPMU"))
        self.assertEqual(r.status, 403, r)
        self.assertEqual(counts(), before)

    def test_check_on_the_edit_form_changes_nothing(self):
        own = "BISHKEK-2012-0001"
        rec_before = BISHKEK.get("/api/v1/activities/" + own).json
        before = counts()
        r = post_form(BISHKEK, "/activities/" + own,
                      draft_fields(BISHKEK, title_en="Changed title that must not be stored"))
        self.assertEqual(r.status, 200, r.text[:2000])
        self.assertEqual(counts(), before)
        self.assertEqual(BISHKEK.get("/api/v1/activities/" + own).json, rec_before)
        self.assertIn(SPMU, candidate_ids(r.text))
        self.assertNotIn(own, candidate_ids(r.text))
        self.assertIn('data-activity="%s"' % own, r.text)
        self.assertIn('value="Changed title that must not be stored"', r.text)

    def test_russian_panel(self):
        ru = signed_in(SERVER, "officer.bishkek")
        ru.cookies["polis_lang"] = "ru"
        r = post_form(ru, "/activities", draft_fields(ru))
        self.assertEqual(r.status, 200, r.text[:2000])
        p = panel(r.text)
        self.assertIn("Возможные пересечения", p)
        self.assertIn("Общие тематические приоритеты: OC", p)
        self.assertIn('data-t-score="Оценка"', p)
        self.assertIn("Проверить пересечения", r.text)


class AfterSaveTest(unittest.TestCase):
    def test_saved_activity_lists_its_overlaps_on_the_detail_page(self):
        before = counts()
        r = post_form(BISHKEK, "/activities",
                      draft_fields(BISHKEK, check=False, title_en=TITLE + " (saved)"))
        self.assertEqual(r.status, 303, r.text[:2000])
        loc = r.header("Location")
        self.assertEqual(counts()[0], before[0] + 1)
        d = BISHKEK.get(loc)
        self.assertEqual(d.status, 200, d)
        ids = candidate_ids(d.text)
        self.assertIn(SPMU, ids)
        self.assertNotIn(loc.rsplit("/", 1)[1], ids)
        self.assertNotIn("Look at them before saving", panel(d.text))
        r = post_form(BISHKEK, loc + "/delete", [("csrf", page_csrf(BISHKEK))])
        self.assertEqual(r.status, 303, r)

    def test_detail_page_without_overlaps_has_no_panel(self):
        r = BISHKEK.post("/api/v1/activities", {
            "title": {"en": "Zyxwv unique thing"}, "type": "survey", "status": "planned",
            "lead_org": "BISHKEK", "planned_start": "2045-03-01", "priorities": []})
        self.assertEqual(r.status, 201, r)
        d = BISHKEK.get("/activities/" + r.json["id"])
        self.assertEqual(d.status, 200, d)
        self.assertNotIn('id="overlaps"', d.text)


class ScriptTest(unittest.TestCase):
    def test_form_loads_overlaps_js_which_is_served(self):
        r = BISHKEK.get("/activities/new")
        m = re.search(r'<script src="(/assets/overlaps\.js\?v=[0-9a-f]+)" defer="defer">', r.text)
        self.assertIsNotNone(m, r.text[-1500:])
        self.assertIn('<section id="overlaps" class="overlaps idle"', r.text)
        self.assertIsNone(INLINE_SCRIPT.search(r.text))
        js = BISHKEK.get(html.unescape(m.group(1)))
        self.assertEqual(js.status, 200)
        self.assertTrue(js.header("Content-Type").startswith("text/javascript"))
        self.assertIn("/api/v1/activities/overlaps-check", js.text)
        self.assertIn("X-CSRF-Token", js.text)
        self.assertNotIn("innerHTML", js.text)
        self.assertNotIn("eval(", js.text)


if __name__ == "__main__":
    unittest.main()
