"""Links from activities to the library's documents, through a real `polis serve` on the
demo data: an activity names document ids, the record and the list give them back, a
change replaces them, unknown or repeated ids are refused with nothing written, the
detail page links the documents, and deleting a document removes its links."""

import unittest

from harness import PolisServer, finish, signed_in

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


if __name__ == "__main__":
    unittest.main()
