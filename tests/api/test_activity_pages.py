"""The activities pages against a real `polis serve` with the demo data, driven the way a
browser without JavaScript drives them: the list with its filters, facet counts and pager
(checked against the JSON API), the facets endpoint, the detail page, the create, edit and
delete forms with their errors and organisation scope, Russian, escaping and the CSP."""

import html
import re
import unittest
import urllib.parse

from harness import PolisServer, finish, signed_in

SERVER = None
COORD = BISHKEK = ODIHR = None
FORM = "application/x-www-form-urlencoded"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)

BAKU = "International Conference on Enhancing Co-operation to Combat"
BELGRADE = "Regional cybercrime investigation training course, Belgrade"


def setUpModule():
    global SERVER, COORD, BISHKEK, ODIHR
    SERVER = PolisServer().start()
    COORD = signed_in(SERVER, "coordinator")
    BISHKEK = signed_in(SERVER, "officer.bishkek")
    ODIHR = signed_in(SERVER, "officer.odihr")


def tearDownModule():
    finish(SERVER)


def page_csrf(client):
    """The session's CSRF token as a page carries it."""
    r = client.get("/activities")
    assert r.status == 200, r
    m = re.search(r'<meta name="csrf-token" content="([^"]*)"', r.text)
    assert m, r.text[:500]
    return html.unescape(m.group(1))


def post_form(client, path, fields):
    """Posts fields as a browser form would: urlencoded, no CSRF header. fields is a list
    of pairs so checkboxes can repeat a name."""
    return client.request("POST", path, body=urllib.parse.urlencode(fields), raw=True,
                          content_type=FORM, csrf=False)


def form_fields(client, **over):
    """A complete create form for BISHKEK; over replaces fields (a list value repeats)."""
    f = {"title_en": "Pagesform workshop on neighbourhood policing",
         "title_ru": "Семинар по работе участковых",
         "type": "workshop", "status": "planned", "lead_org": "BISHKEK",
         "partners": "", "host_country": "KG", "beneficiary_countries": "KG",
         "priorities": ["PDR"], "focus_areas": "PDR-CP", "lines": ["TRN", "ICB"],
         "target_groups": ["police"], "planned_start": "2032-04-01",
         "planned_end": "2032-04-03", "actual_start": "", "actual_end": "",
         "participants_total": "30", "participants_women": "12", "participants_men": "18",
         "budget_amount": "1200.50", "budget_currency": "EUR", "budget_source": "Extra-budgetary",
         "description_en": "Three days in Osh.", "description_ru": "", "outcomes": ""}
    f.update(over)
    pairs = [("csrf", page_csrf(client))]
    for k, v in f.items():
        for item in (v if isinstance(v, list) else [v]):
            pairs.append((k, item))
    return pairs


def api_items(client, query):
    r = client.get("/api/v1/activities?limit=1000" + ("&" + query if query else ""))
    assert r.status == 200, r
    assert r.json["next"] is None
    return r.json["items"]


def table_ids(page):
    """The public ids in the results table of a list page."""
    m = re.search(r'<table id="activities".*?</table>', page, re.S)
    return re.findall(r'<td class="id"><a href="/activities/([^"]+)">', m.group(0)) if m else []


def facets_on_page(page):
    """{facet: {value: count}} from the facet lists of a list page."""
    out = {}
    for facet in ("priority", "type", "status", "year"):
        m = re.search(r'<div class="facet" id="facet-%s">(.*?)</div>' % facet, page, re.S)
        assert m, facet
        out[facet] = {html.unescape(v): int(n) for v, n in
                      re.findall(r'<li data-value="([^"]*)" data-count="(\d+)">', m.group(1))}
    return out


def field_block(page, name):
    """The <div class="field ..."> that holds the input called name."""
    m = re.search(r'<div class="field[^"]*">(?:(?!<div class="field).)*?name="%s".*?</div>'
                  % re.escape(name), page, re.S)
    return m.group(0) if m else ""


class ListPageTest(unittest.TestCase):
    def test_signed_in_200_and_nav_lists_activities_first(self):
        r = BISHKEK.get("/activities")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        nav = re.search(r"<nav aria-label=\"Main\">.*?</nav>", r.text, re.S).group(0)
        links = re.findall(r'<li><a href="([^"]+)"', nav)
        self.assertEqual(links[0], "/activities", links)
        self.assertIn(BAKU, r.text)
        self.assertIn(BELGRADE, r.text)

    def test_signed_out_redirects_to_login(self):
        for path in ("/activities", "/activities/new", "/activities/BAKU-2012-0001"):
            r = SERVER.client().get(path)
            self.assertEqual(r.status, 303, (path, r))
            self.assertTrue(r.header("Location").startswith("/login?next="), r.headers)

    def test_priority_filter_narrows_table(self):
        r = BISHKEK.get("/activities?priority=THB")
        self.assertEqual(r.status, 200, r)
        self.assertIn(BAKU, r.text)
        self.assertNotIn(BELGRADE, r.text)
        self.assertEqual(sorted(table_ids(r.text)),
                         sorted(a["id"] for a in api_items(BISHKEK, "priority=THB")))
        self.assertIn('<option value="THB" selected="selected">', r.text)

    def test_empty_form_fields_do_not_filter(self):
        r = BISHKEK.get("/activities?q=&priority=&focus=&line=&type=&status=&org=&country="
                        "&target_group=&from=&to=&sort=-planned_start")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(table_ids(r.text), [a["id"] for a in api_items(BISHKEK, "")][:50])

    def test_filters_match_the_api(self):
        for query in ("type=training", "status=completed&priority=CYBER", "org=BISHKEK",
                      "country=KG", "from=2012-01-01&to=2012-12-31", "q=cybercrime",
                      "line=TRN", "sort=title", "target_group=police"):
            with self.subTest(query=query):
                r = BISHKEK.get("/activities?" + query)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(table_ids(r.text), [a["id"] for a in api_items(BISHKEK, query)])

    def test_facet_counts_match_api_list_counts(self):
        for query in ("", "status=ongoing", "priority=CYBER", "org=SPMU&type=training"):
            with self.subTest(query=query):
                r = BISHKEK.get("/activities?" + query)
                self.assertEqual(r.status, 200, r)
                facets = facets_on_page(r.text)
                items = api_items(BISHKEK, query)
                self.assertTrue(items)
                expected = {"priority": {}, "type": {}, "status": {}, "year": {}}
                for a in items:
                    for p in a["priorities"]:
                        expected["priority"][p] = expected["priority"].get(p, 0) + 1
                    expected["type"][a["type"]] = expected["type"].get(a["type"], 0) + 1
                    expected["status"][a["status"]] = expected["status"].get(a["status"], 0) + 1
                    # A year counts the activities whose planned period touches it.
                    last = int((a["planned_end"] or a["planned_start"])[:4])
                    for year in range(int(a["planned_start"][:4]), last + 1):
                        y = "%04d" % year
                        expected["year"][y] = expected["year"].get(y, 0) + 1
                self.assertEqual(facets, expected)
                api = BISHKEK.get("/api/v1/activities/facets" + ("?" + query if query else ""))
                self.assertEqual(api.status, 200, api)
                self.assertEqual(api.json, expected)

    def test_year_facet_counts_what_its_link_lists(self):
        """The year link filters by period (from the first to the last day of the year); its
        count is the length of that list, also for activities that run into a next year."""
        spanning = [a for a in api_items(BISHKEK, "")
                    if a["planned_end"] and a["planned_end"][:4] != a["planned_start"][:4]]
        self.assertTrue(spanning, "the demo data has an activity spanning two years")
        api = BISHKEK.get("/api/v1/activities/facets")
        self.assertEqual(api.status, 200, api)
        for year, n in api.json["year"].items():
            with self.subTest(year=year):
                listed = api_items(BISHKEK, "from=%s-01-01&to=%s-12-31" % (year, year))
                self.assertEqual(len(listed), n)

    def test_facet_links_add_their_filter(self):
        r = BISHKEK.get("/activities?status=ongoing")
        self.assertIn('<a href="/activities?priority=CYBER&amp;status=ongoing">Cybercrime</a>',
                      r.text)
        self.assertIn('href="/activities?type=training&amp;status=ongoing"', r.text)
        self.assertIn('href="/activities?status=ongoing&amp;from=2011-01-01&amp;to=2011-12-31"',
                      r.text)

    def test_bad_filter_is_400_page(self):
        r = BISHKEK.get("/activities?from=2013-01-01&to=2012-01-01")
        self.assertEqual(r.status, 400, r)
        self.assertIn("to is before from", r.text)
        self.assertEqual(BISHKEK.get("/activities?type=nonsense").status, 400)
        r = BISHKEK.get("/activities?from=2012-13-45")
        self.assertEqual(r.status, 400, r)
        self.assertIn("Enter a date as YYYY-MM-DD.", r.text)


class FacetsApiTest(unittest.TestCase):
    def test_needs_sign_in(self):
        self.assertEqual(SERVER.client().get("/api/v1/activities/facets").status, 401)

    def test_counts_and_errors(self):
        r = BISHKEK.get("/api/v1/activities/facets?priority=THB")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(r.json), ["priority", "status", "type", "year"])
        self.assertEqual(r.json["priority"]["THB"], len(api_items(BISHKEK, "priority=THB")))
        self.assertNotIn("CYBER", r.json["priority"])
        self.assertEqual(r.json["type"].get("conference"), 1)
        r = BISHKEK.get("/api/v1/activities/facets?from=2013-01-01&to=2012-01-01")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(BISHKEK.get("/api/v1/activities/facets?q=%2B%2B").status, 400)
        self.assertEqual(BISHKEK.get("/api/v1/activities/facets?status=bogus").status, 400)
        r = BISHKEK.get("/api/v1/activities/facets?q=zzzznothing")
        self.assertEqual(r.json, {"priority": {}, "type": {}, "status": {}, "year": {}})


class PagerTest(unittest.TestCase):
    def test_next_link_keeps_filters(self):
        for i in range(52):
            r = COORD.post("/api/v1/activities", {
                "title": {"en": f"Pagerfill seminar {i:02d}"}, "type": "seminar",
                "lead_org": "SPMU", "planned_start": "2033-02-01", "priorities": ["OC"]})
            self.assertEqual(r.status, 201, r)
        r = BISHKEK.get("/activities?q=pagerfill&type=seminar&sort=title")
        self.assertEqual(len(table_ids(r.text)), 50)
        m = re.search(r'<a href="([^"]+)" rel="next"', r.text)
        self.assertTrue(m, "no Next link")
        href = html.unescape(m.group(1))
        self.assertIn("q=pagerfill", href)
        self.assertIn("type=seminar", href)
        self.assertIn("sort=title", href)
        second = BISHKEK.get(href)
        self.assertEqual(second.status, 200, second)
        ids = table_ids(r.text) + table_ids(second.text)
        self.assertEqual(len(ids), 52)
        self.assertEqual(len(set(ids)), 52)
        self.assertNotIn('rel="next"', second.text)
        facets = facets_on_page(r.text)
        self.assertEqual(facets["type"], {"seminar": 52})
        self.assertEqual(facets["year"], {"2033": 52})


class DetailPageTest(unittest.TestCase):
    def test_shows_figures_and_links(self):
        r = COORD.post("/api/v1/activities", {
            "title": {"en": "Figures course", "ru": "Курс с цифрами"}, "type": "training",
            "lead_org": "BISHKEK", "partners": ["UNODC"], "host_country": "KG",
            "planned_start": "2032-05-01", "participants_total": 40, "participants_women": 10,
            "participants_men": 30, "participants_by_country": {"KG": 25, "KZ": 15},
            "budget": {"amount": 2500.5, "currency": "EUR", "source": "Unified budget"},
            "outcomes": "Forty officers trained."})
        self.assertEqual(r.status, 201, r)
        aid = r.json["id"]
        page = BISHKEK.get("/activities/" + aid)
        self.assertEqual(page.status, 200, page)
        t = page.text
        self.assertIn("<h1>Figures course</h1>", t)
        self.assertIn('<dd class="participants-total">40</dd>', t)
        self.assertIn('<dd class="participants-women">10</dd>', t)
        self.assertIn('<dd class="women-share">25.0%</dd>', t)
        self.assertIn('<a href="/countries/KZ">KZ</a>: 15', t)
        self.assertIn('<dd class="budget">2500.50 EUR</dd>', t)
        self.assertIn("Unified budget", t)
        self.assertIn("Forty officers trained.", t)
        self.assertIn('<a href="/organisations/BISHKEK">OSCE Centre in Bishkek</a>', t)
        self.assertIn('<a href="/organisations/UNODC">UNODC</a>', t)
        self.assertIn('href="/activities/%s/edit"' % aid, t)
        # Another organisation's officer reads it but gets no actions.
        other = ODIHR.get("/activities/" + aid)
        self.assertEqual(other.status, 200)
        self.assertNotIn("/edit", other.text)
        self.assertNotIn("/delete", other.text)

    def test_unknown_is_404_page(self):
        r = BISHKEK.get("/activities/NOPE-2012-0001")
        self.assertEqual(r.status, 404, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))

    def test_russian(self):
        c = signed_in(SERVER, "officer.bishkek")
        c.cookies["polis_lang"] = "ru"
        r = c.get("/activities?org=BISHKEK")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Инициатива общественной безопасности (ИОБ) в Кыргызстане", r.text)
        self.assertNotIn("Community Security Initiative (CSI) in Kyrgyzstan", r.text)
        self.assertIn('<a href="/activities" aria-current="page">Мероприятия</a>', r.text)
        self.assertIn("<h1>Мероприятия</h1>", r.text)
        self.assertIn(">Консультирование<", r.text)  # the type "advice"
        facets = re.search(r'<div class="facet" id="facet-priority">.*?</div>', r.text, re.S)
        self.assertNotIn(">PDR</a>", facets.group(0))
        self.assertIn('<a href="/activities?priority=PDR&amp;org=BISHKEK">', facets.group(0))
        aid = table_ids(r.text)[-1]
        d = c.get("/activities/" + aid)
        self.assertIn("<h1>Инициатива общественной безопасности (ИОБ) в Кыргызстане</h1>", d.text)
        self.assertIn("Ведущая организация", d.text)


class FormTest(unittest.TestCase):
    def count(self, text):
        return len(api_items(COORD, "q=" + urllib.parse.quote(text)))

    def test_officer_creates_for_own_organisation(self):
        r = BISHKEK.get("/activities/new")
        self.assertEqual(r.status, 200, r)
        self.assertIn('name="lead_org" id="f-lead_org" value="BISHKEK"', r.text)
        self.assertIn('type="date" name="planned_start"', r.text)
        r = post_form(BISHKEK, "/activities", form_fields(BISHKEK))
        self.assertEqual(r.status, 303, r.text[:2000])
        loc = r.header("Location")
        self.assertRegex(loc, r"^/activities/BISHKEK-2032-\d{4}$")
        d = BISHKEK.get(loc)
        self.assertEqual(d.status, 200, d)
        self.assertIn("<h1>Pagesform workshop on neighbourhood policing</h1>", d.text)
        self.assertIn('<dd class="women-share">40.0%</dd>', d.text)
        rec = COORD.get("/api/v1" + loc).json
        self.assertEqual(rec["lines"], ["ICB", "TRN"])
        self.assertEqual(rec["priorities"], ["PDR"])
        self.assertEqual(rec["budget"], {"amount": 1200.5, "currency": "EUR",
                                         "source": "Extra-budgetary"})
        self.assertEqual(rec["title"]["ru"], "Семинар по работе участковых")

    def test_officer_refused_for_another_organisation(self):
        before = self.count("Forbiddenorg")
        r = post_form(BISHKEK, "/activities",
                      form_fields(BISHKEK, lead_org="SPMU", title_en="Forbiddenorg seminar"))
        self.assertEqual(r.status, 403, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertEqual(self.count("Forbiddenorg"), before)
        spmu = api_items(COORD, "org=SPMU")[0]["id"]
        self.assertEqual(BISHKEK.get(f"/activities/{spmu}/edit").status, 403)
        r = post_form(BISHKEK, f"/activities/{spmu}", form_fields(BISHKEK, lead_org="SPMU"))
        self.assertEqual(r.status, 403, r)
        r = post_form(BISHKEK, f"/activities/{spmu}/delete", [("csrf", page_csrf(BISHKEK))])
        self.assertEqual(r.status, 403, r)
        self.assertEqual(COORD.get("/api/v1/activities/" + spmu).status, 200)
        # A librarian may not even open the form.
        self.assertEqual(signed_in(SERVER, "librarian").get("/activities/new").status, 403)

    def test_missing_csrf_is_refused(self):
        fields = [(k, v) for k, v in form_fields(BISHKEK, title_en="Nocsrf seminar")
                  if k != "csrf"]
        r = post_form(BISHKEK, "/activities", fields)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.count("Nocsrf"), 0)

    def test_error_next_to_field_keeps_input_and_writes_nothing(self):
        r = post_form(BISHKEK, "/activities",
                      form_fields(BISHKEK, title_en="Womenover workshop", participants_total="10",
                                  participants_women="12", participants_men="0"))
        self.assertEqual(r.status, 422, r)
        block = field_block(r.text, "participants_women")
        self.assertIn('class="field-error"', block)
        self.assertIn("Women and men together are more than the total", block)
        self.assertIn('aria-invalid="true"', block)
        self.assertIn('value="12"', block)
        self.assertNotIn("field-error", field_block(r.text, "title_en"))
        self.assertIn('value="Womenover workshop"', r.text)
        self.assertIn('value="TRN" id="f-lines-TRN" checked="checked"', r.text)
        self.assertIn("Three days in Osh.</textarea>", r.text)
        self.assertEqual(self.count("Womenover"), 0)

    def test_required_and_number_errors(self):
        r = post_form(BISHKEK, "/activities", form_fields(BISHKEK, title_en=""))
        self.assertEqual(r.status, 422, r)
        self.assertIn("This field is required.", field_block(r.text, "title_en"))
        r = post_form(BISHKEK, "/activities",
                      form_fields(BISHKEK, title_en="Numbad", participants_total="many"))
        self.assertEqual(r.status, 400, r)
        self.assertIn("Enter a whole number.", field_block(r.text, "participants_total"))
        self.assertIn('value="many"', field_block(r.text, "participants_total"))
        r = post_form(BISHKEK, "/activities",
                      form_fields(BISHKEK, title_en="Badhost", host_country="ZZ"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("There is no record with this code.", field_block(r.text, "host_country"))
        self.assertEqual(self.count("Numbad") + self.count("Badhost"), 0)

    def test_russian_form_error(self):
        c = signed_in(SERVER, "officer.bishkek")
        c.cookies["polis_lang"] = "ru"
        r = post_form(c, "/activities",
                      form_fields(c, participants_total="1", participants_women="2"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("больше общего числа участников", field_block(r.text, "participants_women"))

    def test_edit_through_form(self):
        r = post_form(BISHKEK, "/activities", form_fields(BISHKEK, title_en="Editme workshop"))
        self.assertEqual(r.status, 303, r)
        loc = r.header("Location")
        e = BISHKEK.get(loc + "/edit")
        self.assertEqual(e.status, 200, e)
        self.assertIn('value="Editme workshop"', e.text)
        self.assertIn('value="1200.50"', e.text)
        r = post_form(BISHKEK, loc, form_fields(BISHKEK, title_en="Edited workshop",
                                                title_ru="", status="ongoing",
                                                lines=["LL"], participants_women=""))
        self.assertEqual(r.status, 303, r.text[:2000])
        self.assertEqual(r.header("Location"), loc)
        rec = COORD.get("/api/v1" + loc).json
        self.assertEqual(rec["title"], {"en": "Edited workshop"})
        self.assertEqual(rec["status"], "ongoing")
        self.assertEqual(rec["lines"], ["LL"])
        self.assertIsNone(rec["participants_women"])
        # An error on edit keeps the record unchanged.
        r = post_form(BISHKEK, loc, form_fields(BISHKEK, title_en="Edited again",
                                                planned_end="2030-01-01"))
        self.assertEqual(r.status, 422, r)
        self.assertIn("The end is before the start.", field_block(r.text, "planned_end"))
        self.assertEqual(COORD.get("/api/v1" + loc).json["title"]["en"], "Edited workshop")

    def test_delete_through_form(self):
        r = post_form(BISHKEK, "/activities", form_fields(BISHKEK, title_en="Deleteme workshop"))
        self.assertEqual(r.status, 303, r)
        loc = r.header("Location")
        page = BISHKEK.get(loc)
        self.assertIn('data-confirm="', page.text)
        r = post_form(BISHKEK, loc + "/delete", [])
        self.assertEqual(r.status, 403, r)  # no csrf field
        self.assertEqual(BISHKEK.get(loc).status, 200)
        r = post_form(BISHKEK, loc + "/delete", [("csrf", page_csrf(BISHKEK))])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/activities")
        self.assertEqual(BISHKEK.get(loc).status, 404)
        self.assertEqual(COORD.get("/api/v1" + loc).status, 404)


class SafetyTest(unittest.TestCase):
    def test_title_is_escaped(self):
        evil = '<script>alert(1)</script> Escapetest "q"'
        r = COORD.post("/api/v1/activities", {
            "title": {"en": evil}, "type": "seminar", "lead_org": "SPMU",
            "planned_start": "2032-06-01", "outcomes": "<b>bold</b>"})
        self.assertEqual(r.status, 201, r)
        for path in ("/activities?q=Escapetest", "/activities/" + r.json["id"],
                     "/activities/%s/edit" % r.json["id"]):
            with self.subTest(path=path):
                p = COORD.get(path)
                self.assertEqual(p.status, 200, p)
                self.assertNotIn("<script>alert", p.text)
                self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", p.text)
        self.assertNotIn("<b>bold</b>", COORD.get("/activities/" + r.json["id"]).text)

    def test_csp_and_no_inline_script(self):
        aid = api_items(COORD, "org=BISHKEK")[0]["id"]
        pages = [BISHKEK.get(p) for p in ("/activities", "/activities?priority=THB",
                                          "/activities/" + aid, "/activities/new",
                                          "/activities/%s/edit" % aid)]
        pages.append(post_form(BISHKEK, "/activities",
                               form_fields(BISHKEK, participants_total="1",
                                           participants_women="5")))
        for r in pages:
            with self.subTest(r=r):
                self.assertIn(r.status, (200, 422))
                csp = r.header("Content-Security-Policy") or ""
                self.assertIn("script-src 'self'", csp)
                self.assertNotIn("unsafe-inline", csp)
                self.assertIsNone(INLINE_SCRIPT.search(r.text))
                self.assertIsNone(HANDLER_ATTR.search(r.text))


if __name__ == "__main__":
    unittest.main()
