"""Bulk import of activities against a real `polis serve`: CSV and JSON files imported
with POST /api/v1/activities/import (201 with the count, the records listed), each kind
of bad file refused (422 or 413) with its row and field and nothing written (list and
audit unchanged), an officer's rows of another organisation refused, 401 and 415, and
`polis import activities` on an exported CSV and on a bad file."""

import csv
import io
import json
import os
import shutil
import tempfile
import unittest

from harness import PolisServer, db_rows, finish, run_polis, signed_in

SERVER = None
ADMIN = None
TMP = None
URL = "/api/v1/activities/import"
HEADER = "id,title_en,type,lead_org,planned_start,priorities,participants_total," \
         "participants_women,tot\r\n"


def setUpModule():
    global SERVER, ADMIN, TMP
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    TMP = tempfile.mkdtemp(prefix="polis-import-")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    finish(SERVER)


def listed(client=None):
    r = (client or ADMIN).get("/api/v1/activities?limit=1000&sort=id")
    assert r.status == 200, r
    return r.json["items"]


def audit_count(db):
    return db_rows(db, "SELECT count(*) FROM audit")[0][0]


def post(client, body, content_type="text/csv"):
    return client.request("POST", URL, body=body.encode("utf-8") if isinstance(body, str)
                          else body, raw=True, content_type=content_type)


def row(title, **over):
    cells = {"id": "", "title_en": title, "type": "training", "lead_org": "BISHKEK",
             "planned_start": "2013-06-01", "priorities": "THB", "participants_total": "10",
             "participants_women": "4", "tot": "false"}
    cells.update(over)
    return ",".join(cells[k] for k in HEADER.strip().split(",")) + "\r\n"


def blank_ids(text):
    """An exported CSV with its id column emptied (Polis assigns new ids)."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(rows[0])
    for r in rows[1:]:
        r[0] = ""
        w.writerow(r)
    return out.getvalue()


def ids_of(db):
    return [r[0] for r in db_rows(db, "SELECT public_id FROM activities ORDER BY public_id")]


class ImportTest(unittest.TestCase):
    def assert_refused(self, body, status, want, content_type="text/csv", client=None):
        before, audits = len(listed()), audit_count(SERVER.db)
        r = post(client or ADMIN, body, content_type)
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json["imported"], 0)
        got = [(e["row"], e["field"]) for e in r.json["errors"]]
        for w in want:
            self.assertIn(w, got, r.json)
        self.assertEqual(len(listed()), before)
        self.assertEqual(audit_count(SERVER.db), audits)
        return r.json["errors"]

    def test_csv_and_json_imported(self):
        before = len(listed())
        body = HEADER + row("Import csv alpha") + row("Import csv beta, \"quoted\"",
                                                        title_en='"Import csv beta, ""quoted"""')
        r = post(ADMIN, body)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json, {"imported": 2, "errors": []})
        items = listed()
        self.assertEqual(len(items), before + 2)
        titles = [i["title"].get("en") for i in items[-2:]]
        self.assertEqual(titles, ["Import csv alpha", "Import csv beta, \"quoted\""])
        self.assertTrue(all(i["id"].startswith("BISHKEK-2013-") for i in items[-2:]))
        one = {"title": {"en": "Import json one"}, "type": "seminar", "lead_org": "BISHKEK",
               "planned_start": "2014-02-01", "priorities": ["OC"]}
        r = post(ADMIN, json.dumps([one, dict(one, title={"en": "Import json two"})]),
                 "application/json")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["imported"], 2)
        r = post(ADMIN, json.dumps({"activities": [dict(one, title={"en": "Import json three"})]}),
                 "application/json; charset=utf-8")
        self.assertEqual(r.status, 201, r)
        items = listed()
        self.assertEqual(len(items), before + 5)
        self.assertEqual([i["title"]["en"] for i in items[-3:]],
                         ["Import json one", "Import json two", "Import json three"])
        # Their full-text entries, written at the end of each import, find them by word form.
        found = ADMIN.get("/api/v1/activities?q=imports&limit=100").json["items"]
        self.assertEqual(sorted(i["title"]["en"] for i in found),
                         ["Import csv alpha", "Import csv beta, \"quoted\"", "Import json one",
                          "Import json three", "Import json two"])
        one_word = ADMIN.get("/api/v1/activities?q=alpha&limit=100").json["items"]
        self.assertEqual([i["title"]["en"] for i in one_word], ["Import csv alpha"])

    def test_bad_rows_name_row_and_field(self):
        body = (HEADER + row("ok one") + row("bad type", participants_total="many")
                + row("bad code", priorities="NOPE") + row("wrong year", id="BISHKEK-2012-0001")
                + row("bad date", planned_start="2013-02-30")
                + row("too many women", participants_women="11") + row("ok two"))
        errors = self.assert_refused(body, 422, [(2, "participants_total"), (3, "priorities"),
                                                 (4, "id"), (5, "planned_start"),
                                                 (6, "participants_women")])
        self.assertEqual(len(errors), 5)
        self.assertIn("BISHKEK-2013-NNNN", [e for e in errors if e["field"] == "id"][0]["message"])

    def test_bad_files(self):
        self.assert_refused(b"", 422, [(0, "")])
        self.assert_refused(HEADER + row("a") + "\"truncated,training,BISHKEK", 422, [(2, "")])
        bad_utf8 = (HEADER + row("a")).encode() + row("b").encode().replace(b"b", b"b\xff", 1)
        self.assert_refused(bad_utf8, 422, [(2, "title_en")])
        self.assert_refused("title_en,colour\r\nx,red\r\n", 422, [(0, "colour")])
        self.assert_refused("[{\"title\": 1}", 422, [(0, "")], "application/json")
        self.assert_refused(json.dumps([{"id": 5}]), 422, [(1, "id")], "application/json")

    def test_officer_other_organisation(self):
        officer = signed_in(SERVER, "officer.bishkek")
        self.assert_refused(HEADER + row("own") + row("other", lead_org="ODIHR"), 422,
                            [(2, "lead_org")], client=officer)
        r = post(officer, HEADER + row("officer own import"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["imported"], 1)
        librarian = signed_in(SERVER, "librarian")
        self.assertEqual(post(librarian, HEADER + row("x")).status, 403)

    def test_given_ids_kept_checked_and_counted_past(self):
        before = len(listed())
        errors = self.assert_refused(
            HEADER + row("written oddly", id="BISHKEK-2013-00950")
            + row("other org", id="ODIHR-2013-0950") + row("no number", id="BISHKEK-2013-")
            + row("kept", id="BISHKEK-2013-0950") + row("twice", id="BISHKEK-2013-0950"), 422,
            [(1, "id"), (2, "id"), (3, "id"), (5, "id")])
        self.assertEqual(len(errors), 4, errors)
        self.assertIn("BISHKEK-2013-0950", errors[0]["message"])
        self.assertIn("exists already", errors[3]["message"])
        r = post(ADMIN, HEADER + row("kept id", id="BISHKEK-2013-0950") + row("assigned"))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(len(listed()), before + 2)
        items = {i["title"].get("en"): i["id"] for i in listed()}
        self.assertEqual(items["kept id"], "BISHKEK-2013-0950")
        self.assertEqual(items["assigned"], "BISHKEK-2013-0951")  # the counter moved past
        self.assert_refused(HEADER + row("again", id="BISHKEK-2013-0950"), 422, [(1, "id")])
        officer = signed_in(SERVER, "officer.bishkek")
        self.assert_refused(HEADER + row("not theirs", lead_org="ODIHR", id="ODIHR-2013-0951"),
                            422, [(1, "lead_org")], client=officer)

    def test_auth_and_media_type(self):
        anon = SERVER.client()
        self.assertEqual(post(anon, HEADER + row("x")).status, 401)
        r = post(ADMIN, HEADER + row("x"), "text/plain")
        self.assertEqual(r.status, 415, r)
        self.assertEqual(post(ADMIN, "a=b", "application/x-www-form-urlencoded").status, 415)

    def test_cli_round_trip_and_bad_file(self):
        r = ADMIN.get("/api/v1/activities.csv?sort=id")
        self.assertEqual(r.status, 200, r)
        exported = r.body.decode("utf-8")
        src = listed()
        path = os.path.join(TMP, "activities.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(exported)
        blank = os.path.join(TMP, "activities-blank.csv")
        with open(blank, "w", encoding="utf-8", newline="") as f:
            f.write(blank_ids(exported))
        fresh = PolisServer(demo=False)
        renumbered = PolisServer(demo=False)
        try:
            fresh.init_db()
            p = run_polis("import", "activities", "--db", fresh.db, path)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"imported {len(src)} activities", p.stdout)
            self.assertNotIn("\r[", p.stderr)  # no progress bar when stderr is not a tty
            rows = db_rows(fresh.db, "SELECT public_id, title_en FROM activities ORDER BY id")
            self.assertEqual(rows, [(a["id"], a["title"].get("en", "")) for a in src])
            p = run_polis("import", "activities", "--db", fresh.db, path)
            self.assertEqual(p.returncode, 4, p.stderr)  # the same ids a second time
            self.assertIn("row 1, field id:", p.stdout)
            self.assertEqual(len(ids_of(fresh.db)), len(src))
            renumbered.init_db()
            p = run_polis("import", "activities", "--db", renumbered.db, blank)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(len(set(ids_of(renumbered.db))), len(src))
            bad = os.path.join(TMP, "bad.csv")
            with open(bad, "w", encoding="utf-8", newline="") as f:
                f.write(HEADER + row("fine") + row("wrong", type="nonsense")
                        + row("dated", planned_start="yesterday"))
            p = run_polis("import", "activities", "--db", fresh.db, bad)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("row 2, field type:", p.stdout)
            self.assertIn("row 3, field planned_start:", p.stdout)
            self.assertEqual(len(db_rows(fresh.db, "SELECT id FROM activities")), len(src))
            p = run_polis("import", "activities", "--db", fresh.db, os.path.join(TMP, "none.csv"))
            self.assertEqual(p.returncode, 1)
            p = run_polis("import", "activities", "--db", fresh.db)
            self.assertEqual(p.returncode, 2)
        finally:
            fresh.cleanup()
            renumbered.cleanup()


class LimitTest(unittest.TestCase):
    def test_file_over_limit(self):
        server = PolisServer(env={"POLIS_IMPORT_LIMIT": "100000"}).start()
        try:
            admin = signed_in(server)
            before = len(listed(admin))
            audits = audit_count(server.db)
            body = HEADER + row("x" * 200) * 600
            self.assertGreater(len(body), 100000)
            r = post(admin, body)
            self.assertEqual(r.status, 413, r)
            r = post(admin, HEADER + row("small file"))
            self.assertEqual(r.status, 201, r)
            self.assertEqual(len(listed(admin)), before + 1)
            self.assertGreater(audit_count(server.db), audits)
            path = os.path.join(TMP, "big.csv")
            with open(path, "w", newline="") as f:
                f.write(body)
            p = run_polis("import", "activities", "--db", server.db, path,
                          env={"POLIS_IMPORT_LIMIT": "100000"})
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertEqual(len(listed(admin)), before + 1)
        finally:
            finish(server)


if __name__ == "__main__":
    unittest.main()
