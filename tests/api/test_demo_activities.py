"""The demo activities that `polis init --demo` loads from data/demo/activities.json, seen
through a real `polis serve`: every item listed by the activities API with the figures the
source text gives, a second `init --demo` adding nothing, and `polis check` passing."""

import json
import os
import shutil
import tempfile
import unittest

from harness import ADMIN_PASSWORD, ROOT, PolisServer, db_rows, finish, run_polis, \
    sanitizer_report, signed_in

SERVER = None
ADMIN = None
TMP = None
with open(os.path.join(ROOT, "data", "demo", "activities.json"), encoding="utf-8") as f:
    DEMO = json.load(f)["activities"]

LISTS = ("partners", "beneficiary_countries", "priorities", "focus_areas", "lines",
         "target_groups")


def setUpModule():
    global SERVER, ADMIN, TMP
    SERVER = PolisServer().start()  # initialised with --demo
    ADMIN = signed_in(SERVER)
    TMP = tempfile.mkdtemp(prefix="polis-demo-")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    finish(SERVER)


def polis(*args, stdin=None, env=None):
    """Runs polis and fails on any sanitizer report on stderr."""
    proc = run_polis(*args, stdin=stdin, env=env)
    report = sanitizer_report(proc.stderr)
    if report:
        raise AssertionError(f"sanitizer report from polis {' '.join(args)}:\n{report}")
    return proc


def init_demo(db, env=None):
    proc = polis("init", "--db", db, "--demo", "--admin-password-stdin",
                 stdin=ADMIN_PASSWORD + "\n", env=env)
    assert proc.returncode == 0, proc.stderr
    return proc


def all_activities(client):
    """Every activity, following the keyset cursor."""
    items, cursor = [], None
    for _ in range(100):
        url = "/api/v1/activities?limit=7&sort=id" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url)
        assert r.status == 200, (url, r)
        items.extend(r.json["items"])
        cursor = r.json["next"]
        if not cursor:
            return items
    raise AssertionError("more than 100 pages")


def by_title(items):
    return {(a["title"]["en"], a["lead_org"]): a for a in items}


class DemoActivitiesTest(unittest.TestCase):
    def test_every_demo_item_is_listed_with_its_figures(self):
        listed = by_title(all_activities(ADMIN))
        self.assertEqual(len(listed), len(DEMO))
        for item in DEMO:
            key = (item["title"]["en"], item["lead_org"])
            self.assertIn(key, listed)
            got = listed[key]
            for name, want in item.items():
                if name == "documents":
                    continue
                have = got[name]
                if name in LISTS:
                    have, want = sorted(have), sorted(want)
                self.assertEqual(have, want, f"{key[0]}: {name}")
            year = item["planned_start"][:4]
            self.assertTrue(got["id"].startswith(f"{item['lead_org']}-{year}-"), got["id"])

    def test_figures_from_the_source_text(self):
        listed = by_title(all_activities(ADMIN))
        baku = listed[("International Conference on Enhancing Co-operation to Combat THB and "
                       "Forced Labour", "BAKU")]
        self.assertEqual((baku["planned_start"], baku["planned_end"]),
                         ("2012-12-06", "2012-12-07"))
        self.assertEqual((baku["participants_total"], baku["host_country"], baku["status"]),
                         (100, "AZ", "completed"))
        self.assertEqual(baku["type"], "conference")
        self.assertIn("THB", baku["priorities"])

        csi = listed[("Community Security Initiative (CSI) in Kyrgyzstan", "BISHKEK")]
        self.assertEqual((csi["planned_start"], csi["host_country"], csi["participants_total"]),
                         ("2011-01-01", "KG", 400))
        for fact in ("14 project sites", "four provinces", "Over 400", "Eighteen",
                     "July 2011", "130"):
            self.assertIn(fact, csi["outcomes"])

        prague = [a for (t, org), a in listed.items()
                  if org == "SPMU" and "criminal assets arising from human trafficking" in t]
        self.assertEqual(len(prague), 1)
        self.assertEqual((prague[0]["planned_start"], prague[0]["planned_end"],
                          prague[0]["host_country"]), ("2012-07-18", "2012-07-20", "CZ"))

        belgrade = listed[("Regional cybercrime investigation training course, Belgrade",
                           "SPMU")]
        self.assertEqual((belgrade["actual_start"], belgrade["actual_end"]),
                         ("2010-11-01", "2010-11-19"))
        self.assertEqual((belgrade["participants_total"], belgrade["tot"]), (18, True))
        self.assertEqual(sorted(belgrade["beneficiary_countries"]),
                         ["AL", "BA", "HR", "ME", "MK", "RS"])

        afghan = [a for (t, org), a in listed.items() if "Afghan" in t]
        self.assertEqual(len(afghan), 1)
        self.assertEqual(afghan[0]["participants_total"], 95)
        self.assertEqual(afghan[0]["participants_by_country"], {"AF": 95})

        workshops = [a for (t, org), a in listed.items()
                     if t.startswith("Regional workshop on international co-operation in "
                                     "criminal matters in Central Asia")]
        self.assertEqual(len(workshops), 5)
        for w in workshops:
            self.assertEqual((w["lead_org"], sorted(w["partners"])),
                             ("SPMU", ["OCEEA", "UNODC"]))
            self.assertNotIn("IR", w["beneficiary_countries"])
            self.assertIn("Iran", w["outcomes"])

    def test_search_finds_a_demo_activity(self):
        r = ADMIN.get("/api/v1/activities?q=Baku")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([a["lead_org"] for a in r.json["items"]], ["BAKU"])

    def test_second_init_while_serving_adds_nothing(self):
        before = sorted(a["id"] for a in all_activities(ADMIN))
        init_demo(SERVER.db, env=SERVER.env)  # on PostgreSQL: where the files go
        after = sorted(a["id"] for a in all_activities(ADMIN))
        self.assertEqual(after, before)

    def test_a_deleted_demo_item_comes_back_alone(self):
        db = os.path.join(TMP, "reload.db")
        init_demo(db)
        self.assertEqual(db_rows(db, "SELECT COUNT(*) FROM activities")[0][0], len(DEMO))
        server = PolisServer()
        server.db = db
        server.start()
        try:
            admin = signed_in(server)
            prague = [a for a in all_activities(admin) if a["host_country"] == "CZ"]
            self.assertEqual(len(prague), 1)
            r = admin.delete(f"/api/v1/activities/{prague[0]['id']}")
            self.assertIn(r.status, (200, 204), r)
        finally:
            finish(server)
        self.assertEqual(db_rows(db, "SELECT COUNT(*) FROM activities")[0][0], len(DEMO) - 1)
        init_demo(db)
        rows = db_rows(db, "SELECT public_id FROM activities WHERE host_country = 'CZ'")
        self.assertEqual(len(rows), 1)
        self.assertNotEqual(rows[0][0], prague[0]["id"])  # numbers are never reused
        self.assertEqual(db_rows(db, "SELECT COUNT(*) FROM activities")[0][0], len(DEMO))

    def test_check_passes_after_two_demo_inits(self):
        db = os.path.join(TMP, "twice.db")
        init_demo(db)
        init_demo(db)
        self.assertEqual(db_rows(db, "SELECT COUNT(*) FROM activities")[0][0], len(DEMO))
        r = polis("check", "--db", db)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_init_without_demo_loads_no_activities(self):
        db = os.path.join(TMP, "plain.db")
        proc = polis("init", "--db", db, "--admin-password-stdin", stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(db_rows(db, "SELECT COUNT(*) FROM activities")[0][0], 0)


if __name__ == "__main__":
    unittest.main()
