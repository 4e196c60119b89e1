"""Links from activities to the library's documents, through a real `polis serve` on the
demo data: an activity names document ids, the record and the list give them back, a
change replaces them, unknown or repeated ids are refused with nothing written, the
detail page links the documents, deleting a document removes its links, the form edits
them, and CSV export and import carry them."""

import csv
import io
import re
import unittest

from harness import PolisServer, finish, signed_in
from test_activity_pages import form_fields, post_form

SERVER = None
ADMIN = None


def setUpModule():
    global SERVER, ADMIN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)


def tearDownModule():
    finish(SERVER)


BASE = {"title": {"en": "Training on the Guidebook on Democratic Policing"},
        "type": "training", "status": "planned", "lead_org": "SPMU",
        "planned_start": "2014-03-01", "priorities": ["PDR"]}


class ActivityDocumentsTest(unittest.TestCase):
    def test_link_read_change_and_refuse(self):
        r = ADMIN.post("/api/v1/activities", dict(BASE, documents=[1, 3]))
        self.assertEqual(r.status, 201, r)
        aid = r.json["id"]
        self.assertEqual(r.json["documents"], [1, 3])
        self.assertEqual(ADMIN.get(f"/api/v1/activities/{aid}").json["documents"], [1, 3])
        listed = [a for a in ADMIN.get("/api/v1/activities?q=Guidebook%20Democratic&limit=100")
                  .json["items"] if a["id"] == aid]
        self.assertEqual(listed[0]["documents"], [1, 3])
        r = ADMIN.patch(f"/api/v1/activities/{aid}", {"documents": [3]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["documents"], [3])
        for bad, status in [([999999], 422), ([3, 3], 422), (["DOC-1"], 400), ([0], 400),
                            ("1", 400)]:
            with self.subTest(bad=bad):
                r = ADMIN.patch(f"/api/v1/activities/{aid}", {"documents": bad})
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], "documents")
                self.assertEqual(ADMIN.get(f"/api/v1/activities/{aid}").json["documents"], [3])
        page = ADMIN.get(f"/activities/{aid}")
        self.assertEqual(page.status, 200)
        self.assertIn('href="/library/documents/3"', page.text)
        self.assertIn("Good Practices in Building Police-Public Partnerships", page.text)

    def test_deleting_a_document_removes_its_links(self):
        doc = ADMIN.post("/api/v1/documents", {"title": "Temporary handout", "year": 2014}).json
        r = ADMIN.post("/api/v1/activities", dict(BASE, documents=[doc["id"]]))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(ADMIN.delete(f"/api/v1/documents/{doc['id']}").status, 204)
        self.assertEqual(ADMIN.get(f"/api/v1/activities/{r.json['id']}").json["documents"], [])

    def test_form_sets_and_refuses_document_numbers(self):
        fields = form_fields(ADMIN, title_en="Docsform seminar", lead_org="SPMU",
                             documents="3, 1")
        r = post_form(ADMIN, "/activities", fields)
        self.assertEqual(r.status, 303, r.text[:2000])
        loc = r.header("Location")
        self.assertEqual(ADMIN.get("/api/v1" + loc).json["documents"], [1, 3])
        edit = ADMIN.get(loc + "/edit")
        self.assertEqual(edit.status, 200, edit)
        self.assertIn('name="documents" id="f-documents" value="1, 3"', edit.text)
        for bad, status, message in [
                ("1, x", 400, "Enter document numbers separated by commas."),
                ("999999", 422, "There is no library document with this number."),
                ("3, 3", 422, "List each document once")]:
            with self.subTest(bad=bad):
                r = post_form(ADMIN, "/activities", form_fields(
                    ADMIN, title_en="Docsform refused", lead_org="SPMU", documents=bad))
                self.assertEqual(r.status, status, r)
                block = re.search(r'<div class="field invalid">(?:(?!</div>).)*'
                                  r'name="documents".*?</div>', r.text, re.S)
                self.assertIsNotNone(block, r.text[:3000])
                self.assertIn(message, block.group(0))
                self.assertIn(f'value="{bad}"', block.group(0))
        titles = [a["title"].get("en") for a in
                  ADMIN.get("/api/v1/activities?q=Docsform&limit=100").json["items"]]
        self.assertEqual(titles, ["Docsform seminar"])

    def test_csv_export_and_import_carry_documents(self):
        r = ADMIN.post("/api/v1/activities", dict(BASE, title={"en": "Csvdocs training"},
                                                  documents=[2, 5]))
        self.assertEqual(r.status, 201, r)
        exported = ADMIN.get("/api/v1/activities.csv?q=Csvdocs")
        self.assertEqual(exported.status, 200, exported)
        rows = list(csv.DictReader(io.StringIO(exported.body.decode("utf-8"), newline="")))
        self.assertEqual([(x["title_en"], x["documents"]) for x in rows],
                         [("Csvdocs training", "2;5")])
        header = "title_en,type,lead_org,planned_start,priorities,documents\r\n"

        def load(docs):
            body = header + f"Csvdocs imported,training,SPMU,2014-05-01,PDR,{docs}\r\n"
            return ADMIN.request("POST", "/api/v1/activities/import", body=body.encode(),
                                 raw=True, content_type="text/csv")
        for docs, field in [("2;x", "documents"), ("999999", "documents")]:
            with self.subTest(docs=docs):
                r = load(docs)
                self.assertEqual(r.status, 422, r)
                self.assertEqual([(e["row"], e["field"]) for e in r.json["errors"]],
                                 [(1, field)])
        r = load("5; 1")
        self.assertEqual(r.status, 201, r)
        got = {a["title"]["en"]: a["documents"] for a in
               ADMIN.get("/api/v1/activities?q=Csvdocs&limit=100").json["items"]}
        self.assertEqual(got, {"Csvdocs training": [2, 5], "Csvdocs imported": [1, 5]})


if __name__ == "__main__":
    unittest.main()
