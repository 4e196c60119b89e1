"""The annual report's figures against the same figures computed independently: a real
`polis serve` on a database holding the demo data, 1,500 generated activities
(bench/activities/generate.py) and a few of unusual shape (periods over 24 months, one
without an end, one spanning three years, women counted without a total, a host that is
also a beneficiary, national and institution leads). For every year from 2003 to 2028 and
a year without activities, each breakdown, the totals and the series of the API's JSON
are compared with what Python sums from the rows of the activity and link tables, read
with plain SQL: the planned period and the figures straight from `activities`, never
through the date-range index the report reads. Runs on SQLite and on PostgreSQL."""

import csv
import os
import subprocess
import sys
import tempfile
import unittest

from harness import ROOT, PolisServer, db_rows, finish, run_polis, signed_in

SERVER = None
ADMIN = None
TMP = None

EDGE_ROWS = [
    # lead, host, beneficiaries, priorities, focus areas, lines, start, end, total, women, men
    ("TNTD", "KG", "KG;TJ;UZ", "CT;OC", "", "CBM;TRN", "2009-06-01", "2013-02-01", 400, 150, 250),
    ("SPMU", "", "", "PDR", "PDR-CP", "ICB", "2005-01-01", "2030-12-31", 1000, None, None),
    ("SERBIA", "RS", "ME", "CYBER", "", "TRN", "2010-12-15", "2012-11-30", 60, 20, 40),
    ("BAKU", "AZ", "AZ;GE", "THB", "", "LL", "2012-12-31", "", None, None, None),
    ("MUP-RS", "", "GE", "CT", "", "LL", "2011-01-31", "2011-02-01", 25, 25, 0),
    ("ODIHR", "UA", "UA;MD", "PDR", "", "INFO", "2012-03-01", "2012-03-02", 10, None, None),
    ("SKOPJE", "MK", "", "OC", "OC-FININV", "LL", "2003-11-20", "2004-01-10", 12, 5, 7),
]


def edge_csv(path, header):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for i, (lead, host, ben, prio, focus, lines, start, end, total, women,
                men) in enumerate(EDGE_ROWS):
            num = lambda v: "" if v is None else str(v)
            row = {c: "" for c in header}
            row.update({
                "title_en": f"Unusual activity {i}", "description_en": "For the report test.",
                "type": "advice", "status": "planned", "lead_org": lead, "host_country": host,
                "beneficiary_countries": ben, "priorities": prio, "focus_areas": focus,
                "lines": lines, "target_groups": "police", "planned_start": start,
                "planned_end": end, "participants_total": num(total),
                "participants_women": num(women), "participants_men": num(men),
                "tot": "false"})
            w.writerow([row[c] for c in header])


def setUpModule():
    global SERVER, ADMIN, TMP
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    TMP = tempfile.mkdtemp(prefix="polis-report-")
    generated = os.path.join(TMP, "generated.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "activities", "generate.py"),
                    "--n", "1500", "--seed", "41", generated], check=True, timeout=120)
    with open(generated, encoding="utf-8") as f:
        header = next(csv.reader(f))
    unusual = os.path.join(TMP, "unusual.csv")
    edge_csv(unusual, header)
    for path in (generated, unusual):
        r = run_polis("import", "activities", "--db", SERVER.db, path)
        if r.returncode != 0:
            raise AssertionError(f"import {path}: {r.stdout}{r.stderr}")


def tearDownModule():
    finish(SERVER)
    if TMP:
        for name in os.listdir(TMP):
            os.remove(os.path.join(TMP, name))
        os.rmdir(TMP)


class Expected:
    """The report's figures summed in Python from the rows of the tables."""

    def __init__(self, db):
        self.acts = {}
        for (aid, lead, typ, host, start, end, total, women,
             men) in db_rows(db, "SELECT id, lead_org, type, host_country, planned_start,"
                                 " planned_end, participants_total, participants_women,"
                                 " participants_men FROM activities"):
            self.acts[aid] = dict(lead=lead, type=typ, host=host or None, start=start,
                                  end=end or start, total=total, women=women, men=men)
        self.links = {}
        for section, table, col in (("priorities", "activity_priorities", "priority_code"),
                                    ("focus_areas", "activity_focus_areas", "focus_code"),
                                    ("lines", "activity_lines", "line_code"),
                                    ("beneficiaries", "activity_beneficiaries",
                                     "country_code")):
            rows = {}
            for aid, code in db_rows(db, f"SELECT activity_id, {col} FROM {table}"):
                rows.setdefault(aid, []).append(code)
            self.links[section] = rows

    def in_year(self, year):
        first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
        return [aid for aid, a in self.acts.items() if a["start"] <= last and a["end"] >= first]

    @staticmethod
    def figures(acts):
        total = sum(a["total"] or 0 for a in acts)
        women = sum(a["women"] or 0 for a in acts)
        men = sum(a["men"] or 0 for a in acts)
        known = sum(a["total"] or 0 for a in acts if a["women"] is not None)
        with_women = sum(1 for a in acts if a["women"] is not None)
        share = (women * 1000 // known) / 10.0 if with_women and known else None
        return {"activities": len(acts), "participants": total, "women": women, "men": men,
                "women_share": share}

    def report(self, year):
        ids = self.in_year(year)
        groups = {k: {} for k in ("priorities", "focus_areas", "lines", "organisations",
                                  "countries", "types")}
        for aid in ids:
            a = self.acts[aid]
            groups["organisations"].setdefault(a["lead"], []).append(a)
            groups["types"].setdefault(a["type"], []).append(a)
            countries = {a["host"]} if a["host"] else set()
            countries.update(self.links["beneficiaries"].get(aid, []))
            for c in countries:
                groups["countries"].setdefault(c, []).append(a)
            for section in ("priorities", "focus_areas", "lines"):
                for code in self.links[section].get(aid, []):
                    groups[section].setdefault(code, []).append(a)
        out = {"totals": self.figures([self.acts[i] for i in ids])}
        for section, by_code in groups.items():
            out[section] = {code: self.figures(acts) for code, acts in by_code.items()}
        return out


FIGURES = ("activities", "participants", "women", "men", "women_share")


def figures_of(row):
    return {k: row[k] for k in FIGURES}


class FiguresTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.expected = Expected(SERVER.db)

    def check_year(self, year):
        r = ADMIN.get(f"/api/v1/reports/annual?year={year}")
        self.assertEqual(r.status, 200, r)
        got = r.json
        want = self.expected.report(year)
        self.assertEqual((got["year"], got["from"], got["to"]),
                         (year, f"{year}-01-01", f"{year}-12-31"))
        self.assertEqual(figures_of(got["totals"]), want["totals"], year)
        for section in ("priorities", "focus_areas", "lines", "organisations", "countries",
                        "types"):
            rows = got[section]
            codes = [x["code"] for x in rows]
            self.assertEqual(len(codes), len(set(codes)), (year, section))
            self.assertEqual({x["code"]: figures_of(x) for x in rows}, want[section],
                             (year, section))
        self.assertEqual([s["year"] for s in got["series"]], list(range(year - 4, year + 1)))
        for s in got["series"]:
            self.assertEqual({k: s[k] for k in FIGURES}, self.expected.report(s["year"])["totals"],
                             (year, s["year"]))
        return got

    def test_every_year(self):
        busy = 0
        for year in list(range(2003, 2029)) + [1995]:
            with self.subTest(year=year):
                got = self.check_year(year)
                busy += got["totals"]["activities"] > 0
        self.assertGreaterEqual(busy, 20, "the generated activities fill most years")

    def test_order_follows_the_framework(self):
        got = ADMIN.get("/api/v1/reports/annual?year=2012").json
        r = ADMIN.get("/api/v1/framework/priorities")
        self.assertEqual(r.status, 200, r)
        listed = r.json if isinstance(r.json, list) else r.json.get("items", r.json.get("data"))
        framework = [p["code"] for p in listed]
        codes = [x["code"] for x in got["priorities"]]
        self.assertEqual(codes, [c for c in framework if c in codes])
        types = [x["code"] for x in got["types"]]
        self.assertEqual(types, sorted(types))
        rank = {"secretariat": 0, "unit": 0, "institution": 1, "field_operation": 2}
        for year in (2012, 2011):
            orgs = ADMIN.get(f"/api/v1/reports/annual?year={year}").json["organisations"]
            ranks = [rank.get(x["kind"], 3) for x in orgs]
            self.assertEqual(ranks, sorted(ranks), orgs)
        self.assertEqual(ranks[-1], 3, "MUP-RS, a national lead, comes last in 2011")


if __name__ == "__main__":
    unittest.main()
