"""The annual report against a real `polis serve` with the demo data: the JSON of 2012
(the Baku conference's figures under THB and under BAKU in South Caucasus), small-count
suppression, year validation, sign-in, the page with server-drawn SVG charts whose labels
are escaped, the Russian page, and `polis report annual` in its three formats with its
exit codes."""

import json
import os
import unittest

from harness import PolisServer, finish, run_polis, signed_in

SERVER = None
ADMIN = COORD = None


def setUpModule():
    global SERVER, ADMIN, COORD
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    COORD = signed_in(SERVER, "coordinator")


def tearDownModule():
    finish(SERVER)


def row(report, section, code):
    for r in report[section]:
        if r["code"] == code:
            return r
    raise AssertionError(f"no {code} in {section}")


class ApiTest(unittest.TestCase):
    def test_2012_figures(self):
        r = ADMIN.get("/api/v1/reports/annual?year=2012")
        self.assertEqual(r.status, 200, r)
        rep = r.json
        self.assertEqual(rep["year"], 2012)
        thb = row(rep, "priorities", "THB")
        # the Baku conference (100 participants) and the Prague seminar (no figures)
        self.assertEqual((thb["activities"], thb["participants"]), (2, 100))
        baku = row(rep, "organisations", "BAKU")
        self.assertEqual((baku["activities"], baku["participants"]), (1, 100))
        self.assertEqual((baku["region"], baku["region_name"]), ("SC", "South Caucasus"))
        kinds = [o["kind"] for o in rep["organisations"]]
        first_field = kinds.index("field_operation")
        self.assertTrue(all(k in ("secretariat", "unit") for k in kinds[:first_field]), kinds)
        self.assertEqual(row(rep, "countries", "AZ")["activities"], 1)
        self.assertEqual(row(rep, "types", "conference")["activities"], 2)
        self.assertEqual([s["year"] for s in rep["series"]], [2008, 2009, 2010, 2011, 2012])
        self.assertEqual(rep["series"][-1]["activities"], rep["totals"]["activities"])
        self.assertNotIn("suppressed", rep)

    def test_suppress(self):
        r = ADMIN.get("/api/v1/reports/annual?year=2012&suppress=1")
        self.assertEqual(r.status, 200, r)
        rep = r.json
        self.assertEqual(rep["suppressed"], 5)
        thb = row(rep, "priorities", "THB")
        self.assertEqual((thb["activities"], thb["participants"]), ("<5", 100))
        self.assertEqual(row(rep, "organisations", "BAKU")["activities"], "<5")
        for section in ("priorities", "organisations", "countries", "types", "lines"):
            for x in rep[section]:
                for key in ("activities", "participants", "women", "men"):
                    v = x[key]
                    self.assertTrue(v == "<5" or v == 0 or v >= 5, (section, x))

    def test_bad_year_and_sign_in(self):
        for bad in ("1989", "2101", "twelve", "2012.5"):
            r = ADMIN.get("/api/v1/reports/annual?year=" + bad)
            self.assertEqual(r.status, 400, (bad, r))
            self.assertEqual(r.json["error"]["field"], "year", r)
        r = ADMIN.get("/api/v1/reports/annual?year=2012&suppress=2")
        self.assertEqual(r.status, 400, r)
        anon = SERVER.client()
        self.assertEqual(anon.get("/api/v1/reports/annual?year=2012").status, 401)
        r = anon.get("/reports/annual?year=2012")
        self.assertEqual(r.status, 303, r)


class PageTest(unittest.TestCase):
    def test_page_with_charts_and_escaped_labels(self):
        r = COORD.patch("/api/v1/framework/priorities/THB",
                        {"name": "Trafficking <b>in</b> human beings"})
        self.assertEqual(r.status, 200, r)
        try:
            r = ADMIN.get("/reports/annual?year=2012")
            self.assertEqual(r.status, 200, r)
            page = r.text
            self.assertIn("<svg", page)
            self.assertEqual(page.count("<svg"), 7, "the series and six sections")
            self.assertIn("Trafficking &lt;b&gt;in&lt;/b&gt; human beings", page)
            self.assertNotIn("<b>in</b>", page)
            self.assertNotIn("style=", page)
            self.assertNotIn("<script>", page)
            self.assertIn("South Caucasus", page)
            self.assertIn('name="year"', page)
            self.assertIn('value="2012"', page)
        finally:
            r = COORD.patch("/api/v1/framework/priorities/THB",
                            {"name": "Trafficking in human beings"})
            self.assertEqual(r.status, 200, r)

    def test_default_year_suppressed_and_russian(self):
        r = ADMIN.get("/reports/annual")
        self.assertEqual(r.status, 200, r)
        self.assertIn('value="2012"', r.text)  # the latest planned start in the demo data
        r = ADMIN.get("/reports/annual?year=2012&suppress=1")
        self.assertEqual(r.status, 200, r)
        self.assertIn("&lt;5", r.text)
        r = ADMIN.get("/reports/annual?year=1800")
        self.assertEqual(r.status, 400, r)
        c = signed_in(SERVER)
        c.cookies["polis_lang"] = "ru"
        r = c.get("/reports/annual?year=2012")
        self.assertEqual(r.status, 200, r)
        self.assertIn("Годовой отчёт 2012", r.text)
        self.assertIn("Южный Кавказ", r.text)
        self.assertIn("По тематическим приоритетам", r.text)


class CliTest(unittest.TestCase):
    def test_formats(self):
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "2012", "--format", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = json.loads(r.stdout)
        self.assertEqual(row(rep, "priorities", "THB")["participants"], 100)
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "2012", "--format", "json",
                      "--suppress")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(row(json.loads(r.stdout), "priorities", "THB")["activities"], "<5")
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "2012", "--format", "json",
                      "--suppress=2")
        rep = json.loads(r.stdout)
        self.assertEqual(row(rep, "priorities", "THB")["activities"], 2)
        self.assertEqual(row(rep, "organisations", "BAKU")["activities"], "<2")
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "2012", "--format", "csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(
            "section,code,name,activities,participants,women,men,women_share\n"))  # text mode
        self.assertIn("organisations,BAKU,OSCE Office in Baku,1,100,", r.stdout)
        out = os.path.join(SERVER.dir, "report.html")
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "2012", "--format", "html",
                      "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            page = f.read()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertIn("<style>", page)
        self.assertIn("@media print", page)
        self.assertIn("<svg", page)
        self.assertNotIn("<script", page)

    def test_exit_codes(self):
        r = run_polis("report", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: polis report", r.stdout)
        self.assertEqual(run_polis("report", "annual", "--db", SERVER.db).returncode, 2)
        self.assertEqual(run_polis("report", "annual", "--db", SERVER.db, "--year", "2012",
                                   "--format", "pdf").returncode, 2)
        self.assertEqual(run_polis("report", "monthly", "--db", SERVER.db, "--year",
                                   "2012").returncode, 2)
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "1900")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = run_polis("report", "annual", "--db", os.path.join(SERVER.dir, "none.db"),
                      "--year", "2012")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = run_polis("report", "annual", "--db", SERVER.db, "--year", "2012",
                      "--out", os.path.join(SERVER.dir, "no", "such", "dir.html"))
        self.assertEqual(r.returncode, 1, r.stderr)


if __name__ == "__main__":
    unittest.main()
