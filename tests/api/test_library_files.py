"""The files of the POLIS library through a real `polis serve`: multipart uploads (API and
page), type detection by content, text extraction by the sandboxed worker, search of the
extracted text, downloads with ETag and ranges, hostile files, and `polis import documents`."""

import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import unittest
import uuid
import zipfile

from harness import ADMIN_PASSWORD, PolisServer, db_rows, finish, run_polis, \
    sanitizer_report, signed_in

SERVER = None
LIB = None    # librarian, session with CSRF header
ADMIN = None


def setUpModule():
    global SERVER, LIB, ADMIN
    SERVER = PolisServer().start()
    LIB = signed_in(SERVER, "librarian")
    ADMIN = signed_in(SERVER)


def tearDownModule():
    finish(SERVER)


def files_root(server):
    return server.env.get("POLIS_FILES") or server.db + ".files"


def multipart(fields, files):
    """A multipart/form-data body: fields {name: str|bytes}, files {name: (filename, bytes)}."""
    boundary = "polis" + uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.encode("utf-8")
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                  .encode())
        out.write(value + b"\r\n")
    for name, (filename, data) in files.items():
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                  .encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def upload(client, doc, lang, filename, data, title=None, extra=None, **kw):
    fields = {"lang": lang}
    if title is not None:
        fields["title"] = title
    fields.update(extra or {})
    body, ctype = multipart(fields, {"file": (filename, data)})
    return client.request("POST", f"/api/v1/documents/{doc}/editions", body, raw=True,
                          content_type=ctype, **kw)


def new_document(title=None):
    r = LIB.post("/api/v1/documents", {"title": title or "Doc " + uuid.uuid4().hex[:8],
                                       "year": 2012})
    assert r.status == 201, r
    return r.json["id"]


def edition(doc, lang):
    r = LIB.get(f"/api/v1/documents/{doc}")
    assert r.status == 200, r
    for e in r.json["editions"]:
        if e["lang"] == lang:
            return e
    return None


def wait_text(doc, lang, timeout=30):
    """Waits until the edition's text is no longer pending; returns the edition."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        e = edition(doc, lang)
        if e and e["text"] != "pending":
            return e
        time.sleep(0.2)
    raise AssertionError(f"text of document {doc} ({lang}) still pending")


def minimal_pdf(text):
    """A one-page PDF with text in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream +
            b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + o + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def docx(xml_body):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", xml_body)
    return buf.getvalue()


def search(q, **params):
    import urllib.parse
    qs = urllib.parse.urlencode({"q": q, **params})
    r = LIB.get("/api/v1/library/search?" + qs)
    assert r.status == 200, r
    return r.json


def stored_files(server):
    root = files_root(server)
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if os.path.basename(dirpath) == "tmp":
            continue
        found += filenames
    return found


def audit_count(entity):
    r = ADMIN.get(f"/api/v1/audit?entity={entity}&limit=1000")
    assert r.status == 200, r
    return len(r.json["items"])


class UploadExtractSearchDownloadTest(unittest.TestCase):
    def test_html_upload_is_extracted_searched_and_downloaded(self):
        doc = new_document()
        html = ("<html><head><title>t</title><script>var zanzibarx = 1;</script></head><body>"
                "<p>Quokkafication of border checkpoints.</p></body></html>").encode()
        r = upload(LIB, doc, "en", "../../etc/passwd", html, title="Border checkpoints")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Location"), f"/api/v1/documents/{doc}/editions/en/file")
        e = [x for x in r.json["editions"] if x["lang"] == "en"][0]
        self.assertEqual(e["file"]["type"], "html")
        self.assertEqual(e["file"]["sha256"], hashlib.sha256(html).hexdigest())
        self.assertEqual(e["file"]["size"], len(html))
        self.assertNotIn("/", e["file"]["name"])
        self.assertEqual(wait_text(doc, "en")["text"], "extracted")
        found = search("quokkafication")
        self.assertEqual([i["document"] for i in found["items"]], [doc])
        self.assertIn("<mark>Quokkafication</mark>", found["items"][0]["snippet"])
        self.assertEqual(search("zanzibarx")["total"], 0, "script text is not indexed")
        # the file's name never reaches the file store: only digests do
        self.assertIn(hashlib.sha256(html).hexdigest(), stored_files(SERVER))
        self.assertFalse(any("passwd" in f for f in stored_files(SERVER)))

        url = f"/api/v1/documents/{doc}/editions/en/file"
        full = LIB.get(url)
        self.assertEqual(full.status, 200)
        self.assertEqual(full.body, html)
        self.assertTrue(full.header("Content-Type").startswith("text/html"))
        disp = full.header("Content-Disposition")
        self.assertTrue(disp.startswith("attachment;"), disp)
        self.assertNotIn("/", disp.split("filename=")[1])
        etag = full.header("ETag")
        self.assertEqual(etag, '"' + hashlib.sha256(html).hexdigest() + '"')
        self.assertEqual(full.header("Accept-Ranges"), "bytes")
        self.assertEqual(LIB.get(url, headers={"If-None-Match": etag}).status, 304)
        part = LIB.get(url, headers={"Range": "bytes=6-17"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, html[6:18])
        self.assertEqual(part.header("Content-Range"), f"bytes 6-17/{len(html)}")
        tail = LIB.get(url, headers={"Range": "bytes=-5"})
        self.assertEqual((tail.status, tail.body), (206, html[-5:]))
        stale = LIB.get(url, headers={"Range": "bytes=0-3", "If-Range": '"other"'})
        self.assertEqual((stale.status, stale.body), (200, html))
        out = LIB.get(url, headers={"Range": f"bytes={len(html) + 10}-"})
        self.assertEqual(out.status, 416)
        self.assertEqual(out.header("Content-Range"), f"bytes */{len(html)}")
        self.assertEqual(LIB.get(f"/api/v1/documents/{doc}/editions/ru/file").status, 404)
        anon = SERVER.client()
        self.assertEqual(anon.get(url).status, 401)

    def test_pdf_is_extracted_and_a_truncated_one_kept_without_text(self):
        doc = new_document()
        pdf = minimal_pdf("Interpolation of wombatic notices")
        r = upload(LIB, doc, "en", "guide.pdf", pdf, title="Guide")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(wait_text(doc, "en")["text"], "extracted")
        self.assertIn(doc, [i["document"] for i in search("wombatic")["items"]])

        broken = pdf[:len(pdf) * 6 // 10]
        r = upload(LIB, doc, "ru", "broken.pdf", broken, title="Сломанный")
        self.assertEqual(r.status, 201, r)
        e = wait_text(doc, "ru")
        self.assertEqual(e["text"], "unavailable")
        self.assertTrue(e["text_error"])
        got = LIB.get(f"/api/v1/documents/{doc}/editions/ru/file")
        self.assertEqual((got.status, got.body), (200, broken), "the file stays downloadable")

    def test_docx_text_and_a_decompression_bomb(self):
        doc = new_document()
        good = docx('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                    '2006/main"><w:body><w:p><w:r><w:t>Platypodal patrol routes</w:t></w:r>'
                    '</w:p></w:body></w:document>')
        self.assertEqual(upload(LIB, doc, "en", "a.docx", good, title="Routes").status, 201)
        self.assertEqual(wait_text(doc, "en")["text"], "extracted")
        self.assertIn(doc, [i["document"] for i in search("platypodal")["items"]])
        # 200 MB of one letter deflates to about 200 KB; inflating it must be refused
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("word/document.xml", "w", force_zip64=True) as f:
                chunk = b"a" * (1 << 20)
                for _ in range(200):
                    f.write(chunk)
        data = bomb.getvalue()
        self.assertLess(len(data), 2 << 20)
        self.assertEqual(upload(LIB, doc, "ru", "bomb.docx", data, title="Бомба").status, 201)
        e = wait_text(doc, "ru", timeout=90)
        self.assertEqual(e["text"], "unavailable")
        self.assertTrue(SERVER.alive())

    def test_same_bytes_are_stored_once_and_replaced_files_removed(self):
        doc = new_document()
        text = ("Unique text " + uuid.uuid4().hex).encode()
        sha = hashlib.sha256(text).hexdigest()
        self.assertEqual(upload(LIB, doc, "en", "a.txt", text, title="A").status, 201)
        self.assertEqual(upload(LIB, doc, "fr", "b.txt", text, title="B").status, 201)
        self.assertEqual(stored_files(SERVER).count(sha), 1)
        other = ("Other text " + uuid.uuid4().hex).encode()
        self.assertEqual(upload(LIB, doc, "en", "c.txt", other).status, 201)
        self.assertIn(sha, stored_files(SERVER), "still used by the French edition")
        self.assertEqual(LIB.delete(f"/api/v1/documents/{doc}/editions/fr").status, 204)
        self.assertNotIn(sha, stored_files(SERVER), "no edition refers to it any more")
        self.assertEqual(LIB.delete(f"/api/v1/documents/{doc}").status, 204)
        self.assertNotIn(hashlib.sha256(other).hexdigest(), stored_files(SERVER))


class HostileUploadTest(unittest.TestCase):
    def refused(self, status, field, **kw):
        doc = new_document()
        before = LIB.get(f"/api/v1/documents/{doc}").json
        audits = audit_count("edition")
        files = sorted(stored_files(SERVER))
        r = upload(LIB, doc, **kw)
        self.assertEqual(r.status, status, r)
        if field:
            self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(LIB.get(f"/api/v1/documents/{doc}").json, before)
        self.assertEqual(audit_count("edition"), audits)
        self.assertEqual(sorted(stored_files(SERVER)), files)
        self.assertEqual(os.listdir(os.path.join(files_root(SERVER), "tmp")), [])
        return r

    def test_wrong_magic_is_refused(self):
        r = self.refused(415, "file", lang="en", filename="report.pdf",
                         data=b"GIF89a\x01\x00\x01\x00", title="x")
        self.assertIn("PDF", r.json["error"]["message"])

    def test_binary_claiming_to_be_text(self):
        self.refused(415, "file", lang="en", filename="notes.txt", data=b"abc\xff\xfe\x00def",
                     title="x")

    def test_empty_file(self):
        self.refused(422, "file", lang="en", filename="empty.pdf", data=b"", title="x")

    def test_unknown_language_and_missing_title(self):
        self.refused(400, "lang", lang="xx", filename="a.txt", data=b"hello", title="x")
        self.refused(422, "title", lang="en", filename="a.txt", data=b"hello")

    def test_invalid_utf8_in_a_field(self):
        doc = new_document()
        body, ctype = multipart({"lang": "en", "title": b"bad \xff title"},
                                {"file": ("a.txt", b"hello")})
        r = LIB.request("POST", f"/api/v1/documents/{doc}/editions", body, raw=True,
                        content_type=ctype)
        self.assertEqual(r.status, 400, r)
        self.assertIsNone(edition(doc, "en"))

    def test_not_multipart_and_unknown_document(self):
        doc = new_document()
        r = LIB.request("POST", f"/api/v1/documents/{doc}/editions", {"lang": "en"})
        self.assertEqual(r.status, 415, r)
        self.assertEqual(upload(LIB, 999999, "en", "a.txt", b"hello", title="x").status, 404)

    def test_permissions(self):
        doc = new_document()
        officer = signed_in(SERVER, "officer.bishkek")
        self.assertEqual(upload(officer, doc, "en", "a.txt", b"hello", title="x").status, 403)
        self.assertEqual(upload(SERVER.client(), doc, "en", "a.txt", b"hello",
                                title="x").status, 401)
        self.assertEqual(upload(LIB, doc, "en", "a.txt", b"hello", title="x",
                                csrf=False).status, 403)
        self.assertIsNone(edition(doc, "en"))


class UploadLimitTest(unittest.TestCase):
    def test_over_the_limit_is_413_and_leaves_nothing(self):
        server = PolisServer(env={"POLIS_UPLOAD_LIMIT": "4096"}).start()
        try:
            lib = signed_in(server, "librarian")
            r = lib.post("/api/v1/documents", {"title": "Limit", "year": 2012})
            doc = r.json["id"]
            r = upload(lib, doc, "en", "big.txt", b"a" * 20000, title="Big")
            self.assertEqual(r.status, 413, r)
            self.assertEqual(os.listdir(os.path.join(files_root(server), "tmp")), [])
            lib2 = signed_in(server, "librarian")
            self.assertEqual(upload(lib2, doc, "en", "ok.txt", b"small", title="Ok").status,
                             201)
        finally:
            finish(server)


class UploadPageTest(unittest.TestCase):
    def test_document_page_upload_form(self):
        doc = new_document("Page upload " + uuid.uuid4().hex[:6])
        page = LIB.get(f"/library/documents/{doc}")
        self.assertEqual(page.status, 200)
        self.assertIn('enctype="multipart/form-data"', page.text)
        self.assertIn(f'action="/library/documents/{doc}/upload"', page.text)
        body, ctype = multipart({"lang": "en", "title": "Paged", "csrf": LIB.csrf},
                                {"file": ("p.txt", b"Capybaric patrols")})
        r = LIB.request("POST", f"/library/documents/{doc}/upload", body, raw=True,
                        content_type=ctype, csrf=False)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), f"/library/documents/{doc}")
        self.assertEqual(wait_text(doc, "en")["text"], "extracted")
        page = LIB.get(f"/library/documents/{doc}")
        self.assertIn("p.txt", page.text)
        body, ctype = multipart({"lang": "ru", "title": "x", "csrf": "wrong"},
                                {"file": ("p.txt", b"text")})
        r = LIB.request("POST", f"/library/documents/{doc}/upload", body, raw=True,
                        content_type=ctype, csrf=False)
        self.assertEqual(r.status, 403)
        self.assertIsNone(edition(doc, "ru"))


class ImportDocumentsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="polis-import-")
        self.db = os.path.join(self.tmp, "p.db")
        proc = run_polis("init", "--db", self.db, "--admin-password-stdin",
                         stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.dir = os.path.join(self.tmp, "files-in")
        os.makedirs(os.path.join(self.dir, "sub"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def polis_import(self, meta):
        path = os.path.join(self.tmp, "meta.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(meta, f)
        proc = run_polis("import", "documents", "--db", self.db, "--meta", path, self.dir)
        self.assertIsNone(sanitizer_report(proc.stderr), proc.stderr)
        return proc

    def count(self, table):
        return db_rows(self.db, f"SELECT count(*) FROM {table}")[0][0]

    def test_import_checks_everything_first(self):
        with open(os.path.join(self.dir, "sub", "a.txt"), "w") as f:
            f.write("Cybercrime investigations need digital forensics.")
        with open(os.path.join(self.dir, "b.html"), "w") as f:
            f.write("<p>Киберпреступность требует цифровой криминалистики.</p>")
        meta = {"documents": [
            {"title": "Combating Cybercrime", "year": 2012, "priorities": ["CYBER"],
             "editions": {"en": {"title": "Combating Cybercrime", "file": "sub/a.txt"},
                          "ru": {"title": "Борьба с киберпреступностью", "file": "b.html"},
                          "sr": {"title": "Borba protiv sajber kriminala"}}}]}
        # hostile entries first: nothing may be written for any of them
        os.symlink("/etc/passwd", os.path.join(self.dir, "link.txt"))
        for bad, field in [("../meta.json", "file"), ("/etc/passwd", "file"),
                           ("link.txt", "file"), ("missing.txt", "file")]:
            m = json.loads(json.dumps(meta))
            m["documents"].append({"title": "Bad", "year": 2012,
                                   "editions": {"en": {"title": "x", "file": bad}}})
            proc = self.polis_import(m)
            self.assertEqual(proc.returncode, 4, (bad, proc.stderr))
            self.assertIn("document 2 (Bad)", proc.stderr)
            self.assertIn(f"field: {field}", proc.stderr)
            self.assertEqual(self.count("documents"), 0, bad)
        m = json.loads(json.dumps(meta))
        m["documents"][0]["year"] = 1800
        proc = self.polis_import(m)
        self.assertEqual(proc.returncode, 4)
        self.assertIn("field: year", proc.stderr)
        proc = self.polis_import(meta)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("imported 1 documents", proc.stdout)
        rows = db_rows(self.db, "SELECT lang, text_status FROM editions ORDER BY lang")
        self.assertEqual(rows, [("en", "extracted"), ("ru", "extracted"), ("sr", "none")])
        proc = self.polis_import(meta)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("(1 already there)", proc.stdout)
        self.assertEqual(self.count("documents"), 1)


if __name__ == "__main__":
    unittest.main()
