"""Links to the library in the IATI export, through a real `polis serve` with
POLIS_PUBLIC_URL set: each edition with a file becomes a <document-link> to its download
(absolute URL on the public address, media type, language, category A08), a document
without files links its catalogue page, the file validates against the 2.03 schema, and
the links resolve on the server. Without a public address (or with a malformed one, which
is logged) no links are written. Open311 discovery names the public address, not the
Host header."""

import os
import shutil
import tempfile
import unittest
import xml.etree.ElementTree as ET

from harness import PolisServer, finish, run_polis, sanitizer_report, signed_in
from test_exports import xmllint
from test_library_files import minimal_pdf, upload

PUBLIC = "https://polis.example.org/osce"
SERVER = None
LIB = None
ADMIN = None
TMP = None
ACTIVITY = None
DOCS = {}


def setUpModule():
    global SERVER, LIB, ADMIN, TMP, ACTIVITY
    SERVER = PolisServer(env={"POLIS_PUBLIC_URL": PUBLIC + "//"}).start()
    LIB = signed_in(SERVER, "librarian")
    ADMIN = signed_in(SERVER)
    TMP = tempfile.mkdtemp(prefix="polis-iati-docs-")
    for key, title in [("files", "Guidebook on links & <files>"), ("bare", "A handout")]:
        r = LIB.post("/api/v1/documents", {"title": title, "year": 2013})
        assert r.status == 201, r
        DOCS[key] = r.json["id"]
    r = upload(LIB, DOCS["files"], "en", "guide.pdf", minimal_pdf("Community policing"),
               title="Guidebook on links & <files>")
    assert r.status == 201, r
    r = upload(LIB, DOCS["files"], "ru", "guide.txt", "Руководство".encode(),
               title="Руководство о ссылках")
    assert r.status == 201, r
    r = ADMIN.post("/api/v1/activities", {
        "title": {"en": "Quokka seminar on published guidebooks"}, "type": "seminar",
        "status": "planned", "lead_org": "SPMU", "planned_start": "2014-05-05",
        "priorities": ["PDR"], "documents": [DOCS["files"], DOCS["bare"]]})
    assert r.status == 201, r
    ACTIVITY = r.json["id"]


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    finish(SERVER)


def links(body):
    doc = ET.fromstring(body)
    acts = [a for a in doc.findall("iati-activity")
            if a.findtext("iati-identifier").endswith("-" + ACTIVITY)]
    assert len(acts) == 1, body[:2000]
    return acts[0].findall("document-link")


def cli_export(env):
    out = os.path.join(TMP, "cli.xml")
    proc = run_polis("export", "iati", "--db", SERVER.db, "--q", "quokka", "--out", out, env=env)
    assert sanitizer_report(proc.stderr) is None, proc.stderr
    assert proc.returncode == 0, proc.stderr
    with open(out, "rb") as f:
        return f.read(), proc.stderr


class IatiDocumentLinksTest(unittest.TestCase):
    def test_editions_and_catalogue_pages_are_linked(self):
        r = ADMIN.get("/api/v1/activities.iati.xml?q=quokka")
        self.assertEqual(r.status, 200, r)
        got = [(d.get("url"), d.get("format"), d.find("category").get("code"),
                d.find("language").get("code"), d.find("title/narrative").text)
               for d in links(r.body)]
        base = f"{PUBLIC}/api/v1/documents/{DOCS['files']}/editions"
        self.assertEqual(got, [
            (f"{base}/en/file", "application/pdf", "A08", "en", "Guidebook on links & <files>"),
            (f"{base}/ru/file", "text/plain", "A08", "ru", "Руководство о ссылках"),
            (f"{PUBLIC}/library/documents/{DOCS['bare']}", "text/html", "A08", "en",
             "A handout")])
        path = os.path.join(TMP, "links.xml")
        with open(path, "wb") as f:
            f.write(r.body)
        check = xmllint(path)
        self.assertEqual(check.returncode, 0, check.stderr)
        # The element sits where the schema puts it: after the budget, before the result.
        order = [c.tag for c in ET.fromstring(r.body).find("iati-activity")]
        self.assertLess(order.index("activity-status"), order.index("document-link"))

    def test_links_resolve_on_the_server(self):
        r = ADMIN.get("/api/v1/activities.iati.xml?q=quokka")
        for d in links(r.body):
            with self.subTest(url=d.get("url")):
                self.assertTrue(d.get("url").startswith(PUBLIC + "/"))
                got = LIB.get(d.get("url")[len(PUBLIC):])
                self.assertEqual(got.status, 200, got)
                self.assertTrue(got.header("Content-Type").startswith(d.get("format")),
                                got.header("Content-Type"))

    def test_cli_follows_the_setting(self):
        body, _ = cli_export({"POLIS_PUBLIC_URL": PUBLIC})
        self.assertEqual(len(links(body)), 3)
        body, _ = cli_export({"POLIS_PUBLIC_URL": ""})
        self.assertEqual(links(body), [])
        for bad in ["ftp://polis.example.org", "https://polis.example.org/?a=b",
                    "https://user@polis.example.org", "https://polis.example.org/a b",
                    "https://", "polis.example.org", "https://x/#top", "https://" + "a" * 200]:
            with self.subTest(bad=bad):
                body, stderr = cli_export({"POLIS_PUBLIC_URL": bad})
                self.assertEqual(links(body), [])
                self.assertIn("POLIS_PUBLIC_URL", stderr)

    def test_a_deleted_document_drops_out(self):
        r = LIB.post("/api/v1/documents", {"title": "Short-lived", "year": 2014})
        self.assertEqual(r.status, 201, r)
        gone = r.json["id"]
        r = ADMIN.patch(f"/api/v1/activities/{ACTIVITY}",
                        {"documents": [DOCS["files"], DOCS["bare"], gone]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(links(ADMIN.get("/api/v1/activities.iati.xml?q=quokka").body)), 4)
        self.assertEqual(ADMIN.delete(f"/api/v1/documents/{gone}").status, 204)
        urls = [d.get("url") for d in
                links(ADMIN.get("/api/v1/activities.iati.xml?q=quokka").body)]
        self.assertEqual(len(urls), 3)
        self.assertFalse(any(u.endswith(f"/{gone}") for u in urls))


class DiscoveryTest(unittest.TestCase):
    def test_discovery_names_the_public_address_whatever_the_host(self):
        r = ADMIN.get("/open311/v2/discovery.json", headers={"Host": "attacker.example"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([e["url"] for e in r.json["endpoints"]], [PUBLIC + "/open311/v2"])


if __name__ == "__main__":
    unittest.main()
