"""The library's search results are cached in each server (src/library/search_cache.c)
under the library's version, which every change moves in its own transaction. Two
`polis serve` processes share one database here, as servers behind a load balancer do:
each caches every search it answers, and a search on one after an upload, an edit or a
delete made through the other sees the change at once. Also: facets=false leaves the facet
counts out, keeps the total, and is cached apart from the same search with facets."""

import time
import unittest
import urllib.parse
import uuid

from harness import PolisServer, finish, signed_in
from test_library_files import multipart

ONE = TWO = None
LIB_ONE = LIB_TWO = READER = None


def setUpModule():
    global ONE, TWO, LIB_ONE, LIB_TWO, READER
    ONE = PolisServer().start()
    TWO = PolisServer(same_db_as=ONE).start()
    LIB_ONE = signed_in(ONE, "librarian")
    LIB_TWO = signed_in(TWO, "librarian")
    READER = signed_in(ONE, "officer.bishkek")


def tearDownModule():
    finish(TWO)
    finish(ONE)


def search(client, text, **params):
    qs = urllib.parse.urlencode({"q": text, **params})
    r = client.get("/api/v1/library/search?" + qs)
    assert r.status == 200, r
    return r.json


def titles(result):
    return sorted(i["title"] for i in result["items"])


class SearchCacheAcrossServersTest(unittest.TestCase):
    def both_see(self, text, total, title=None):
        """Both servers answer text with total results (twice each: the second from the
        cache) and, when given, title among them."""
        for client in (READER, LIB_TWO, READER, LIB_TWO):
            r = search(client, text)
            self.assertEqual(r["total"], total, (client, r))
            if title:
                self.assertIn(title, titles(r))

    def test_changes_through_one_server_reach_the_other(self):
        word = "nightjar" + uuid.uuid4().hex[:6]
        self.both_see(word, 0)

        # created through server two: server one sees it
        r = LIB_TWO.post("/api/v1/documents", {"title": f"The {word} handbook", "year": 2015})
        self.assertEqual(r.status, 201, r)
        doc = r.json["id"]
        r = LIB_TWO.request("PUT", f"/api/v1/documents/{doc}/editions/en",
                            {"title": f"The {word} handbook"})
        self.assertEqual(r.status, 200, r)
        self.both_see(word, 1, f"The {word} handbook")

        # edited through server one: server two sees the new catalogue title
        r = LIB_ONE.patch(f"/api/v1/documents/{doc}", {"title": f"The {word} manual"})
        self.assertEqual(r.status, 200, r)
        self.both_see(word, 1, f"The {word} manual")

        # a file uploaded through server one, its text extracted by a worker: its words are
        # found on both
        body_word = "bittern" + uuid.uuid4().hex[:6]
        self.both_see(body_word, 0)
        data, ctype = multipart({"lang": "fr", "title": "Le manuel"},
                                {"file": ("m.txt", f"Les patrouilles {body_word}.".encode())})
        r = LIB_ONE.request("POST", f"/api/v1/documents/{doc}/editions", data, raw=True,
                            content_type=ctype)
        self.assertEqual(r.status, 201, r)
        deadline = time.time() + 30
        while time.time() < deadline and search(READER, body_word)["total"] == 0:
            time.sleep(0.2)
        self.both_see(body_word, 1)

        # the edition deleted through server two, then the document through server one
        r = LIB_TWO.delete(f"/api/v1/documents/{doc}/editions/fr")
        self.assertEqual(r.status, 204, r)
        self.both_see(body_word, 0)
        r = LIB_ONE.delete(f"/api/v1/documents/{doc}")
        self.assertEqual(r.status, 204, r)
        self.both_see(word, 0)

    def test_results_do_not_depend_on_who_asks(self):
        # every signed-in user searches the whole library: a reader's cached result is what
        # a librarian computes, and the other way round
        a = search(READER, "police")
        b = search(LIB_ONE, "police")
        self.assertEqual(a, b)


class FacetsFalseTest(unittest.TestCase):
    def test_facets_false_skips_the_counts_and_keeps_the_total(self):
        for params in ({}, {"lang": "ru"}, {"year": 2011}, {"priority": "THB"}):
            with self.subTest(params=params):
                full = search(READER, "police OR полиция OR trafficking", **params)
                bare = search(READER, "police OR полиция OR trafficking", facets="false",
                              **params)
                self.assertIn("facets", full)
                self.assertNotIn("facets", bare)
                self.assertGreater(full["total"], 0)
                self.assertEqual(bare["total"], full["total"])
                self.assertEqual(bare["items"], full["items"])
                # the same search with facets again (cached apart): the counts are back
                again = search(READER, "police OR полиция OR trafficking", facets="true",
                               **params)
                self.assertEqual(again, full)

    def test_facets_takes_true_or_false_only(self):
        r = READER.get("/api/v1/library/search?q=police&facets=no")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json["error"]["field"], "facets")


if __name__ == "__main__":
    unittest.main()
