"""Exports of the activities registry against a real `polis serve` with the demo
activities: CSV (parsed with Python's csv module, one row per listed activity, formula
cells guarded, Russian intact), the JSON export equal to the list, and IATI 2.03 XML that
xmllint validates against the schema in ../shared/schemas/iati-2.03 (sectors, tags and
participants by sex as result dimensions), through the API and `polis export`."""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
import xml.etree.ElementTree as ET

from harness import ROOT, PolisServer, finish, run_polis, sanitizer_report, signed_in

SCHEMA = os.path.join(os.path.dirname(ROOT), "shared", "schemas", "iati-2.03",
                      "iati-activities-schema.xsd")
SERVER = None
ADMIN = None
TMP = None
CREATED = None  # an activity with participants by sex and a formula-looking title
FILTERS = ["", "priority=THB", "status=completed", "country=KG", "org=SPMU&sort=title",
           "q=" + urllib.parse.quote("семинар"), "from=2012-01-01&to=2012-12-31"]


def setUpModule():
    global SERVER, ADMIN, TMP, CREATED
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    TMP = tempfile.mkdtemp(prefix="polis-export-")
    r = ADMIN.post("/api/v1/activities", {
        "title": {"en": "=HYPERLINK(\"http://evil\") zebra export workshop, \"quoted\"",
                  "ru": "Семинар «Экспорт» для участковых инспекторов"},
        "description": {"en": "+cmd line one\nline two", "ru": "@Описание; точка с запятой"},
        "type": "workshop", "lead_org": "BISHKEK", "planned_start": "2013-04-02",
        "planned_end": "2013-04-04", "actual_start": "2013-04-02", "actual_end": "2013-04-04",
        "status": "completed", "host_country": "KG", "beneficiary_countries": ["KG", "TJ", "KZ"],
        "priorities": ["PDR", "DRUGS"], "lines": ["TRN", "ICB"], "target_groups": ["police"],
        "partners": ["UNODC"], "participants_total": 30, "participants_women": 12,
        "participants_men": 18, "participants_by_country": {"KG": 20, "TJ": 10},
        "outcomes": "-5 points of something",
        "budget": {"amount": 2500.5, "currency": "EUR", "source": "Extra-budgetary"}})
    assert r.status == 201, r
    CREATED = r.json


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    finish(SERVER)


def listed(query):
    r = ADMIN.get("/api/v1/activities?limit=1000" + ("&" + query if query else ""))
    assert r.status == 200, r
    assert r.json["next"] is None
    return r.json["items"]


def export(path, query=""):
    r = ADMIN.get(path + ("?" + query if query else ""))
    assert r.status == 200, r
    return r


def xmllint(path):
    assert shutil.which("xmllint"), "xmllint is needed (scripts/deps.sh test installs it)"
    assert os.path.exists(SCHEMA), SCHEMA
    return subprocess.run(["xmllint", "--noout", "--schema", SCHEMA, path],
                          capture_output=True, text=True, timeout=120)


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def activity(doc, public_id):
    for a in doc.findall("iati-activity"):
        if a.findtext("iati-identifier") == "XI-POLIS-OSCE-" + public_id:
            return a
    raise AssertionError(f"no iati-activity for {public_id}")


class CsvExportTest(unittest.TestCase):
    def rows(self, query=""):
        r = export("/api/v1/activities.csv", query)
        self.assertEqual(r.header("Content-Type"), "text/csv; charset=utf-8; header=present")
        self.assertEqual(r.header("Content-Disposition"), 'attachment; filename="activities.csv"')
        self.assertIn(b"\r\n", r.body)
        return list(csv.DictReader(io.StringIO(r.body.decode("utf-8"), newline="")))

    def test_one_row_per_listed_activity_in_list_order(self):
        for query in FILTERS:
            with self.subTest(query=query):
                items = listed(query)
                rows = self.rows(query)
                self.assertEqual([row["id"] for row in rows], [a["id"] for a in items])
        self.assertGreaterEqual(len(listed("")), 21)
        self.assertEqual(len(self.rows("priority=THB")), len(listed("priority=THB")))

    def test_header_names_the_api_members(self):
        r = export("/api/v1/activities.csv", "status=planned&q=nothingmatchesthis")
        header = r.body.decode("utf-8").split("\r\n")[0].split(",")
        self.assertEqual(header[:8], ["id", "title_en", "title_ru", "description_en",
                                      "description_ru", "type", "status", "lead_org"])
        for member in ("beneficiary_countries", "priorities", "lines", "participants_women",
                       "participants_men", "budget_amount", "budget_currency", "updated_at"):
            self.assertIn(member, header)
        self.assertEqual(r.body.decode("utf-8").count("\r\n"), 1)

    def test_cells_guarded_joined_and_russian_intact(self):
        rows = [row for row in self.rows("q=zebra") if row["id"] == CREATED["id"]]
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual(row["title_en"], "'" + CREATED["title"]["en"])
        self.assertEqual(row["description_en"], "'+cmd line one\nline two")
        self.assertEqual(row["description_ru"], "'@Описание; точка с запятой")
        self.assertEqual(row["outcomes"], "'-5 points of something")
        self.assertEqual(row["title_ru"], "Семинар «Экспорт» для участковых инспекторов")
        self.assertEqual(row["beneficiary_countries"], "KG;KZ;TJ")
        self.assertEqual(row["priorities"], "DRUGS;PDR")
        self.assertEqual(row["participants_by_country"], "KG:20;TJ:10")
        self.assertEqual((row["participants_women"], row["participants_men"]), ("12", "18"))
        self.assertEqual((row["budget_amount"], row["budget_currency"]), ("2500.50", "EUR"))
        self.assertEqual(row["tot"], "false")
        for demo in self.rows("priority=THB"):
            listed_one = ADMIN.get("/api/v1/activities/" + demo["id"]).json
            self.assertEqual(demo["title_ru"], listed_one["title"].get("ru", ""))
        for row in self.rows():
            for name, cell in row.items():
                self.assertFalse(cell[:1] in ("=", "+", "-", "@"), (row["id"], name, cell))


class JsonExportTest(unittest.TestCase):
    def test_equals_the_list_items(self):
        for query in FILTERS:
            with self.subTest(query=query):
                r = export("/api/v1/activities.export.json", query)
                self.assertEqual(r.header("Content-Type"), "application/json; charset=utf-8")
                self.assertEqual(r.header("Content-Disposition"),
                                 'attachment; filename="activities.json"')
                self.assertEqual(r.json, listed(query))
        self.assertIn(CREATED, export("/api/v1/activities.export.json").json)


class IatiExportTest(unittest.TestCase):
    def get(self, query=""):
        r = export("/api/v1/activities.iati.xml", query)
        self.assertEqual(r.header("Content-Type"), "application/xml; charset=utf-8")
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="activities-iati.xml"')
        return r.body

    def test_full_and_filtered_exports_validate(self):
        for query in ["", "priority=THB", "country=KG&status=completed", "q=zebra"]:
            with self.subTest(query=query):
                body = self.get(query)
                check = xmllint(write("api.xml", body))
                self.assertEqual(check.returncode, 0, check.stderr)
                doc = ET.fromstring(body)
                self.assertEqual(doc.get("version"), "2.03")
                ids = [a.findtext("iati-identifier") for a in doc.findall("iati-activity")]
                self.assertEqual(ids, ["XI-POLIS-OSCE-" + a["id"] for a in listed(query)])

    def test_no_matching_activity_is_404_not_an_invalid_file(self):
        r = ADMIN.get("/api/v1/activities.iati.xml?status=cancelled")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json["error"]["code"], "not_found")
        proc = run_polis("export", "iati", "--db", SERVER.db, "--status", "cancelled")
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertEqual(proc.stdout, "")

    def test_schema_check_catches_a_broken_document(self):
        body = self.get("priority=THB")
        broken = re.sub(rb"<activity-status [^>]*/>", b"", body, count=1)
        self.assertNotEqual(broken, body)
        self.assertNotEqual(xmllint(write("broken.xml", broken)).returncode, 0)

    def test_baku_conference_sectors_and_tags(self):
        baku = [a for a in listed("priority=THB&org=BAKU")
                if a["title"]["en"].startswith("International Conference on Enhancing")]
        self.assertEqual(len(baku), 1)
        act = activity(ET.fromstring(self.get("priority=THB")), baku[0]["id"])
        sectors = {(s.get("vocabulary"), s.get("code")): s for s in act.findall("sector")}
        self.assertIn(("1", "15132"), sectors)
        self.assertEqual(sectors[("1", "15132")].get("percentage"), "100.00")
        thb = sectors[("99", "THB")]
        self.assertTrue(thb.get("vocabulary-uri"))
        self.assertEqual(thb.findtext("narrative"), "Trafficking in human beings")
        self.assertEqual([t.get("code") for t in act.findall("tag")], baku[0]["lines"])
        self.assertTrue(all(t.get("vocabulary") == "99" for t in act.findall("tag")))
        self.assertEqual(act.find("activity-status").get("code"), "4")
        self.assertEqual(act.find("reporting-org").get("ref"), "XI-POLIS-OSCE")

    def test_target_groups_as_a_description(self):
        act = activity(ET.fromstring(self.get("q=zebra")), CREATED["id"])
        described = {d.get("type"): {n.get("{http://www.w3.org/XML/1998/namespace}lang"): n.text
                                     for n in d.findall("narrative")}
                     for d in act.findall("description")}
        self.assertEqual(described["3"], {"en": "Police", "ru": "Полиция"})
        self.assertIn("1", described)

    def test_participants_by_sex_as_result_dimensions(self):
        act = activity(ET.fromstring(self.get("q=zebra")), CREATED["id"])
        actuals = act.findall("result/indicator/period/actual")
        by_dim = {}
        for a in actuals:
            dims = [(d.get("name"), d.get("value")) for d in a.findall("dimension")]
            by_dim[tuple(dims)] = a.get("value")
        self.assertEqual(by_dim[()], "30")
        self.assertEqual(by_dim[(("sex", "female"),)], "12")
        self.assertEqual(by_dim[(("sex", "male"),)], "18")
        self.assertEqual(by_dim[(("country", "KG"),)], "20")
        pct = [float(c.get("percentage")) for c in act.findall("recipient-country")]
        self.assertEqual(len(pct), 3)
        self.assertAlmostEqual(sum(pct), 100.0, places=6)
        dac = {s.get("code"): s.get("percentage") for s in act.findall("sector")
               if s.get("vocabulary") == "1"}
        self.assertEqual(dac, {"15132": "50.00", "16063": "50.00"})
        dates = {d.get("type"): d.get("iso-date") for d in act.findall("activity-date")}
        self.assertEqual(dates, {"1": "2013-04-02", "2": "2013-04-02", "3": "2013-04-04",
                                 "4": "2013-04-04"})
        title_ru = [n.text for n in act.findall("title/narrative")
                    if n.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"]
        self.assertEqual(title_ru, [CREATED["title"]["ru"]])

    def test_budgets_cover_at_most_a_year_each_and_add_up(self):
        r = ADMIN.post("/api/v1/activities", {
            "title": {"en": "Quarzite multi-year police reform programme"}, "type": "advice",
            "status": "planned", "lead_org": "SPMU", "planned_start": "2012-03-15",
            "planned_end": "2014-09-30", "priorities": ["PDR"],
            "budget": {"amount": 100000.01, "currency": "EUR", "source": "Unified budget"}})
        self.assertEqual(r.status, 201, r)
        body = self.get("q=quarzite")
        self.assertEqual(xmllint(write("budgets.xml", body)).returncode, 0)
        act = activity(ET.fromstring(body), r.json["id"])
        periods = [(b.find("period-start").get("iso-date"), b.find("period-end").get("iso-date"),
                    b.findtext("value")) for b in act.findall("budget")]
        self.assertEqual([(p[0], p[1]) for p in periods],
                         [("2012-03-15", "2013-03-14"), ("2013-03-15", "2014-03-14"),
                          ("2014-03-15", "2014-09-30")])
        cents = sum(round(float(p[2]) * 100) for p in periods)
        self.assertEqual(cents, 10000001)
        self.assertTrue(all(b.find("value").get("currency") == "EUR"
                            for b in act.findall("budget")))
        one_day = [b for b in activity(ET.fromstring(self.get("q=zebra")), CREATED["id"])
                   .findall("budget")]
        self.assertEqual(len(one_day), 1)
        self.assertEqual(one_day[0].findtext("value"), "2500.50")

    def test_cli_export_writes_the_same_document(self):
        for args, query in [([], ""), (["--priority", "THB", "--status", "completed"],
                                        "priority=THB&status=completed")]:
            with self.subTest(args=args):
                out = os.path.join(TMP, "cli.xml")
                proc = run_polis("export", "iati", "--db", SERVER.db, "--out", out, *args)
                self.assertIsNone(sanitizer_report(proc.stderr), proc.stderr)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                check = xmllint(out)
                self.assertEqual(check.returncode, 0, check.stderr)
                with open(out, "rb") as f:
                    from_cli = f.read()
                from_api = self.get(query)
                stamp = rb'generated-datetime="[^"]*"'
                self.assertEqual(re.sub(stamp, b"", from_cli), re.sub(stamp, b"", from_api))


class CliExportTest(unittest.TestCase):
    def test_csv_and_json_to_stdout_and_exit_codes(self):
        proc = run_polis("export", "json", "--db", SERVER.db, "--country", "KG")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout), listed("country=KG"))
        proc = run_polis("export", "csv", "--db", SERVER.db, "--q", "zebra")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        rows = list(csv.DictReader(io.StringIO(proc.stdout, newline="")))
        self.assertEqual([r["id"] for r in rows], [CREATED["id"]])
        self.assertEqual(run_polis("export", "--help").returncode, 0)
        self.assertEqual(run_polis("export", "xml", "--db", SERVER.db).returncode, 2)
        self.assertEqual(run_polis("export", "csv").returncode, 2, "no --db")
        bad = run_polis("export", "csv", "--db", SERVER.db, "--status", "bogus")
        self.assertEqual(bad.returncode, 4)
        self.assertIn("status", bad.stderr)
        self.assertEqual(run_polis("export", "iati", "--db", SERVER.db, "--q", "***").returncode, 4)
        missing = os.path.join(TMP, "missing.db")
        self.assertEqual(run_polis("export", "csv", "--db", missing).returncode, 4)
        self.assertFalse(os.path.exists(missing))


class AccessAndInputTest(unittest.TestCase):
    PATHS = ["/api/v1/activities.csv", "/api/v1/activities.export.json",
             "/api/v1/activities.iati.xml"]

    def test_credentials_required(self):
        anon = SERVER.client()
        for path in self.PATHS:
            with self.subTest(path=path):
                r = anon.get(path)
                self.assertEqual(r.status, 401, r)
                self.assertEqual(r.json["error"]["code"], "unauthenticated")
        police = signed_in(SERVER, "inspector.osh")
        self.assertEqual(police.get(self.PATHS[0]).status, 200)

    def test_bad_filters_are_400_naming_the_parameter(self):
        cases = [("status=bogus", "status"), ("country=KGZ", "country"),
                 ("from=2013-13-45", "from"), ("q=" + urllib.parse.quote("***"), "q"),
                 ("sort=random", "sort"), ("from=2014-01-01&to=2013-01-01", None),
                 ("priority=" + "X" * 40, "priority")]
        for path in self.PATHS:
            for query, field in cases:
                with self.subTest(path=path, query=query):
                    r = ADMIN.get(path + "?" + query)
                    self.assertEqual(r.status, 400, r)
                    if field:
                        self.assertEqual(r.json["error"].get("field"), field)


if __name__ == "__main__":
    unittest.main()
