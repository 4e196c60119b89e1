"""The POLIS library against a real `polis serve` on a demo database: the demo catalogue
(series, volumes, years, languages; English and Russian texts searchable), full-text
search (stems in English, Russian and Serbian in both scripts; phrases, prefixes,
AND / OR / NOT; the lang, priority, series and year filters; facets over the whole result;
pages; escaped snippets with <mark>), malformed queries answered 400 on "q" and never 500,
documents and editions created, changed and deleted by librarians only, every bad input
refused with nothing written and nothing audited, "more like this", and the pages.

Documents this module creates carry made-up words ("quokkaword", "wombatword", ...) that no
demo text has, so the counts of demo searches stay what the demo data makes them."""

import json
import re
import unittest
import urllib.parse

from harness import PolisServer, finish, health_ok, signed_in

SERVER = None
ADMIN = LIBRARIAN = OFFICER = AUDITOR = None

THB = {6, 8}  # the two trafficking-in-human-beings guidebooks of the demo


def setUpModule():
    global SERVER, ADMIN, LIBRARIAN, OFFICER, AUDITOR
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    LIBRARIAN = signed_in(SERVER, "librarian")
    OFFICER = signed_in(SERVER, "officer.bishkek")
    AUDITOR = signed_in(SERVER, "auditor")


def tearDownModule():
    finish(SERVER)


def q(text):
    return urllib.parse.quote(text, safe="")


def search(text, client=None, **params):
    """The reply to GET /api/v1/library/search with q=text and params."""
    query = "&".join([f"q={q(text)}"] + [f"{k}={q(str(v))}" for k, v in params.items()])
    return (client or OFFICER).get(f"/api/v1/library/search?{query}")


def all_hits(text, **params):
    """Every item of a search, page by page (50 a page), and the first page's reply."""
    items, page, first = [], 1, None
    while True:
        r = search(text, limit=50, page=page, **params)
        assert r.status == 200, r
        first = first or r.json
        items += r.json["items"]
        if len(r.json["items"]) < 50:
            return items, first
        page += 1


def hits(text, **params):
    """{(document, lang)} of every edition a search finds."""
    return {(i["document"], i["lang"]) for i in all_hits(text, **params)[0]}


def editions(text, **params):
    return {i["edition"] for i in all_hits(text, **params)[0]}


def documents_of(text, **params):
    return {i["document"] for i in all_hits(text, **params)[0]}


def audit(entity):
    """Audit entries about entity (document or edition), newest first."""
    r = ADMIN.get(f"/api/v1/audit?entity={entity}&limit=1000")
    assert r.status == 200, r
    return r.json["items"]


def audit_count():
    return len(audit("document")) + len(audit("edition"))


def catalogue():
    r = LIBRARIAN.get("/api/v1/documents?limit=1000")
    assert r.status == 200, r
    return r.json["items"]


def create(client=None, **fields):
    body = dict({"title": "Quokkaword handbook", "year": 2020}, **fields)
    r = (client or LIBRARIAN).post("/api/v1/documents", body)
    assert r.status == 201, r
    return r.json


# ---- the demo catalogue ---------------------------------------------------------------------

SPMU = "SPMU Publication Series"
TNTD = "TNTD/SPMU Publication Series"
DEMO = {
    # id: (series, volume, year, published, editions in order, start of the title)
    1: (SPMU, 1, 2008, "2008-05", ["en", "ru", "ar", "fr", "hy", "mk", "sq", "sr"],
        "Guidebook on Democratic Policing"),
    2: (SPMU, 2, 2006, "2006-12", ["en", "ru"], "Reference Guide to Criminal Procedure"),
    3: (SPMU, 4, 2008, "2008-05", ["en", "ru", "sq", "sr"],
        "Good Practices in Building Police-Public Partnerships"),
    4: (SPMU, 5, 2008, "2008-10", ["en", "ru"], "Good Practices in Basic Police Training"),
    5: (SPMU, 9, 2010, "2010-04", ["en", "ru", "ro", "sk", "sq", "sr"],
        "Police and Roma and Sinti"),
    6: (SPMU, 10, 2011, "2011-06", ["en", "ru"], "Trafficking in Human Beings: Identification"),
    7: (TNTD, 11, 2013, "2013-07", ["en", "ru"], "Police Reform within the Framework"),
    8: (TNTD, 12, 2013, "2013-07", ["en", "ru"], "OSCE Resource Police Training Guide"),
    9: ("", None, 2012, "2012-09", ["en", "ru"], "Guidelines on Human Rights Education"),
    10: ("", None, 2013, None, [], "Preventing Terrorism and Countering Violent Extremism"),
}


class CatalogueTest(unittest.TestCase):
    def test_the_ten_demo_documents(self):
        docs = {d["id"]: d for d in catalogue() if d["id"] <= 10}
        self.assertEqual(sorted(docs), list(range(1, 11)))
        for id_, (series, volume, year, published, langs, title) in DEMO.items():
            with self.subTest(document=id_):
                d = docs[id_]
                self.assertEqual((d["series"], d["volume"], d["year"], d["published"]),
                                 (series, volume, year, published))
                self.assertEqual([e["lang"] for e in d["editions"]], langs)
                self.assertTrue(d["title"].startswith(title), d["title"])
        self.assertEqual(docs[6]["priorities"], ["THB"])
        self.assertEqual(docs[8]["priorities"], ["THB"])
        self.assertEqual((docs[10]["status"], docs[10]["authoring_unit"]),
                         ("in_preparation", "ATU"))
        self.assertEqual(docs[9]["authoring_unit"], "ODIHR")

    def test_list_is_by_series_then_volume_and_pages_by_cursor(self):
        whole = [d["id"] for d in catalogue()]
        series = [d for d in catalogue() if d["id"] <= 8]
        self.assertEqual([d["id"] for d in series], list(range(1, 9)))
        paged, cursor = [], None
        while True:
            r = LIBRARIAN.get("/api/v1/documents?limit=3" + (f"&cursor={cursor}" if cursor else ""))
            self.assertEqual(r.status, 200, r)
            self.assertLessEqual(len(r.json["items"]), 3)
            paged += [d["id"] for d in r.json["items"]]
            cursor = r.json["next"]
            if cursor is None:
                break
        self.assertEqual(paged, whole)

    def test_list_filters(self):
        def ids(query):
            r = OFFICER.get("/api/v1/documents?limit=1000&" + query)
            self.assertEqual(r.status, 200, r)
            return {d["id"] for d in r.json["items"] if d["id"] <= 10}
        self.assertEqual(ids("priority=THB"), THB)
        self.assertEqual(ids(f"series={q(TNTD)}"), {7, 8})
        self.assertEqual(ids("lang=sr"), {1, 3, 5})
        self.assertEqual(ids("lang=sk"), {5})
        self.assertEqual(ids("year=2013"), {7, 8, 10})
        self.assertEqual(ids("status=in_preparation"), {10})
        for bad in ("lang=de", "year=1800", "status=draft", "priority=a%20b", "limit=0",
                    "cursor=%21%21"):
            with self.subTest(query=bad):
                self.assertEqual(OFFICER.get("/api/v1/documents?" + bad).status, 400)

    def test_english_and_russian_editions_are_searchable(self):
        for id_, (_, _, _, _, langs, _) in DEMO.items():
            if not langs:
                continue
            doc = OFFICER.get(f"/api/v1/documents/{id_}").json
            for e in doc["editions"][:2]:
                with self.subTest(document=id_, lang=e["lang"]):
                    self.assertEqual(e["text"], "extracted")
                    self.assertIsNotNone(e["file"])
                    words = re.findall(r"\w+", e["title"])[:4]
                    found = documents_of('"' + " ".join(words) + '"', lang=e["lang"])
                    self.assertIn(id_, found)

    def test_bodies_are_searched_not_only_titles(self):
        # Words of the extracted texts of vol. 4 that neither title nor abstract has.
        self.assertIn((3, "en"), hits('"mobile police receptions"', lang="en"))
        self.assertIn((3, "ru"), hits('"мобильные приёмные полиции"', lang="ru"))


# ---- search -----------------------------------------------------------------------------------

class SearchTest(unittest.TestCase):
    def test_trafficking_finds_the_thb_guidebooks_and_stems_meet(self):
        found = documents_of("trafficking")
        self.assertEqual(found, THB)
        self.assertEqual(hits("trafficked"), hits("trafficking"))
        self.assertEqual(hits("Trafficking"), hits("trafficking"))
        r = search("trafficking")
        self.assertEqual(r.json["query"], "trafficking")
        # The English editions rank first: the word is in their titles.
        self.assertEqual({(i["document"], i["lang"]) for i in r.json["items"][:2]},
                         {(6, "en"), (8, "en")})

    def test_russian_stems(self):
        found = hits("полиция", lang="ru")
        self.assertGreaterEqual({d for d, _ in found}, {1, 2, 3, 4, 5, 6, 7, 8})
        self.assertEqual(found, hits("полиции", lang="ru"))
        self.assertEqual(found, hits("полицией", lang="ru"))
        # Vol. 4 says "полицией" and "полиции", never "полиция": the stem finds it, and
        # the snippet marks the word as written.
        items, _ = all_hits("полиция", lang="ru")
        vol4 = next(i for i in items if i["document"] == 3)
        marked = re.findall(r"<mark>(.*?)</mark>", vol4["snippet"])
        self.assertTrue(marked)
        self.assertTrue(set(w.lower() for w in marked) <= {"полиции", "полицией"}, marked)

    def test_serbian_in_both_scripts(self):
        latin, cyrillic = hits("policija"), hits("полиција")
        self.assertEqual(latin, cyrillic)
        self.assertEqual({d for d, lang in latin if lang == "sr"}, {1, 3, 5})
        # vol. 1's Serbian title is Cyrillic ("полиције"), vol. 4's Latin ("policije").
        self.assertIn((1, "sr"), latin)
        self.assertIn((3, "sr"), cyrillic)
        self.assertEqual(hits("policija", lang="sr"), hits("ПОЛИЦИЈА", lang="sr"))

    def test_phrases_narrow(self):
        words = editions("democratic policing")
        phrase = editions('"democratic policing"')
        self.assertTrue(phrase)
        self.assertLessEqual(phrase, words)
        self.assertEqual(documents_of('"democratic policing"'), {1})
        self.assertTrue(editions("democratic guidebook"))
        self.assertEqual(editions('"democratic guidebook"'), set())

    def test_prefixes(self):
        self.assertEqual(documents_of("traffick*"), THB)
        self.assertEqual(hits("democ*"), hits("democratic"))
        self.assertLessEqual(editions("police"), editions("polic*"))
        # Prefixes are folded, not stemmed: Serbian in both scripts, and Albanian and Slovak.
        self.assertLessEqual({(1, "sr"), (3, "sr"), (5, "sr"), (3, "sq"), (5, "sk")},
                             hits("polici*"))
        self.assertLessEqual({(1, "sr"), (3, "sr"), (5, "sr")}, hits("policij*"))
        self.assertEqual(hits("policij*"), hits("полициј*"))
        # A whole word with a * finds at least what the word finds (the index holds stems).
        for word in ("trafficking", "policing", "democratic", "полиции", "полиция"):
            with self.subTest(prefix=word + "*"):
                self.assertTrue(hits(word))
                self.assertLessEqual(hits(word), hits(word + "*"))
        marked = " ".join(i["snippet"] for i in all_hits("trafficking*", lang="en")[0])
        self.assertIn("<mark>trafficking</mark>", marked)
        self.assertIn("<mark>trafficked</mark>", marked)

    def test_and_or_not_are_set_algebra(self):
        a, b = editions("police"), editions("trafficking")
        self.assertTrue(a - b and b)
        self.assertEqual(editions("police AND trafficking"), a & b)
        self.assertEqual(editions("police trafficking"), a & b)
        self.assertEqual(editions("police OR trafficking"), a | b)
        self.assertEqual(editions("police NOT trafficking"), a - b)
        roma = editions("roma")
        self.assertEqual(editions("(police OR roma) NOT trafficking"), (a | roma) - b)
        self.assertEqual(editions("trafficking OR roma AND police"), b | (roma & a))

    def test_filters_agree_with_facets(self):
        _, whole = all_hits("police")
        facets = whole["facets"]
        for name, values in (("lang", ["en", "sr"]), ("priority", ["THB", "PDR"]),
                             ("series", [SPMU, TNTD]), ("year", ["2008", "2013"])):
            for value in values:
                with self.subTest(filter=f"{name}={value}"):
                    items, first = all_hits("police", **{name: value})
                    self.assertEqual(first["total"], facets[name][value])
                    self.assertEqual(len(items), first["total"])
        items, _ = all_hits("police", lang="en")
        self.assertEqual({i["lang"] for i in items}, {"en"})
        self.assertEqual({i["document"] for i in all_hits("police", priority="THB")[0]}, THB)
        self.assertEqual({i["year"] for i in all_hits("police", year=2013)[0]}, {2013})
        self.assertEqual({i["series"] for i in all_hits("police", series=TNTD)[0]}, {TNTD})
        self.assertEqual(search("police", year=1999).json["total"], 0)

    def test_lang_filter_keeps_what_the_lang_facet_counts(self):
        # Editions without their own abstract are indexed with the catalogue's English
        # one, so "police" finds Russian and Albanian editions through it; filtering by
        # their language must keep them, as the facet promises.
        _, whole = all_hits("police")
        for lang in ("ru", "sq", "sr", "hy"):
            with self.subTest(lang=lang):
                self.assertGreater(whole["facets"]["lang"][lang], 0)
                items, first = all_hits("police", lang=lang)
                self.assertEqual(first["total"], whole["facets"]["lang"][lang])
                self.assertEqual({i["lang"] for i in items}, {lang})
        self.assertEqual(hits("trafficking", lang="ru"), {(6, "ru"), (8, "ru")})

    def test_facets_count_the_whole_result(self):
        items, first = all_hits("police OR policija OR полиция")
        self.assertEqual(first["total"], len(items))
        self.assertGreater(first["total"], 20)
        priorities = {d["id"]: d["priorities"] for d in catalogue()}
        expected = {"lang": {}, "series": {}, "year": {}, "priority": {}}
        for i in items:
            for key, value in (("lang", i["lang"]), ("series", i["series"]),
                               ("year", str(i["year"]))):
                if value:
                    expected[key][value] = expected[key].get(value, 0) + 1
            for p in priorities[i["document"]]:
                expected["priority"][p] = expected["priority"].get(p, 0) + 1
        self.assertEqual(first["facets"], expected)
        self.assertEqual(sum(first["facets"]["lang"].values()), first["total"])
        self.assertEqual(sum(first["facets"]["year"].values()), first["total"])
        # A page shows fewer items, but the same counts.
        r = search("police OR policija OR полиция", limit=2)
        self.assertEqual(len(r.json["items"]), 2)
        self.assertEqual((r.json["total"], r.json["facets"]), (first["total"], first["facets"]))

    def test_pages_partition_the_result(self):
        whole = search("police", limit=50).json
        self.assertLessEqual(whole["total"], 50)
        paged, page = [], 1
        while True:
            r = search("police", limit=4, page=page)
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["page"], r.json["limit"], r.json["total"]),
                             (page, 4, whole["total"]))
            if not r.json["items"]:
                break
            paged += r.json["items"]
            page += 1
        self.assertEqual([i["edition"] for i in paged], [i["edition"] for i in whole["items"]])
        self.assertEqual(page, -(-whole["total"] // 4) + 1)
        for bad in ({"page": 0}, {"page": 101}, {"limit": 0}, {"limit": 51}, {"page": "x"},
                    {"lang": "de"}, {"year": 1800}, {"priority": "a b"}, {"series": "s" * 121}):
            with self.subTest(params=bad):
                r = search("police", **bad)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.json["error"]["field"], next(iter(bad)))

    def test_snippets_mark_matches_and_escape_everything_else(self):
        for text in ("trafficking", "полиция", "traffick*", '"human beings"'):
            for i in all_hits(text, lang="en" if text != "полиция" else "ru")[0]:
                with self.subTest(q=text, edition=i["edition"]):
                    s = i["snippet"]
                    self.assertIn("<mark>", s)
                    bare = s.replace("<mark>", "").replace("</mark>", "")
                    self.assertNotIn("<", bare)
                    self.assertNotIn(">", bare)
        s = search("trafficking").json["items"][0]["snippet"]
        self.assertRegex(s, r"<mark>[Tt]rafficking</mark>")
        self.assertIn("<mark>trafficked</mark>", " ".join(
            i["snippet"] for i in search("trafficking").json["items"]))

    def test_snippet_shows_the_text_that_matched(self):
        # The Russian THB editions are found by "trafficking" through the catalogue's
        # English abstract, not their Russian body: the snippet shows that abstract with
        # the word marked, not a passage of the body without a mark.
        items = [i for i in all_hits("trafficking")[0] if i["lang"] == "ru"]
        self.assertEqual({i["document"] for i in items}, THB)
        for i in items:
            with self.subTest(document=i["document"]):
                self.assertRegex(i["snippet"], r"<mark>[Tt]raffick\w*</mark>")
        # A match in the body still shows the body.
        items = all_hits("торговли", lang="ru")[0]
        self.assertTrue(items)
        for i in items:
            self.assertIn("<mark>торговли</mark>", i["snippet"])

    def test_snippet_of_hostile_abstract_is_escaped(self):
        doc = create(abstract="Zanzibarword notes <script>alert(1)</script> & \"q\" 'a' "
                              "<img src=x onerror=alert(2)>")
        r = LIBRARIAN.request("PUT", f"/api/v1/documents/{doc['id']}/editions/en",
                              {"title": "Zanzibarword <b>handbook</b>"})
        self.assertEqual(r.status, 200, r)
        items = search("zanzibarword").json["items"]
        self.assertEqual([i["document"] for i in items], [doc["id"]])
        s = items[0]["snippet"]
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", s)
        self.assertIn("&amp;", s)
        self.assertIn("&lt;img", s)
        self.assertNotIn("<script", s)
        self.assertNotIn("<img", s)
        self.assertEqual(re.findall(r"<[^>]*>", s), ["<mark>", "</mark>"])
        # The JSON carries the title as data, unescaped; pages escape it.
        self.assertEqual(items[0]["edition_title"], "Zanzibarword <b>handbook</b>")
        page = OFFICER.get("/library?q=zanzibarword").text
        self.assertNotIn("<b>handbook</b>", page)
        self.assertNotIn("<script>alert(1)", page)
        self.assertEqual(LIBRARIAN.delete(f"/api/v1/documents/{doc['id']}").status, 204)


class MalformedQueryTest(unittest.TestCase):
    """Bad queries are 400 on field q with a message, never 500; user text never reaches
    FTS5 as syntax."""

    BAD = ['"unclosed', "NOT police", "police AND", "(police", "police)", "()", "*", "a*",
           " ".join(f"w{i}" for i in range(17)), "w" * 513, "!!! ,,, ...", '"', "", "   ",
           "AND", "OR police", "police OR", "police NOT", "police AND AND trafficking",
           "police OR NOT trafficking", "(" * 9 + "police" + ")" * 9,
           '"one two three four five six seven eight nine"', "police (", '""', "police ()",
           "é" * 257]

    def check_400(self, r, text):
        self.assertEqual(r.status, 400, f"{text!r}: {r}")
        err = r.json["error"]
        self.assertEqual(err["field"], "q")
        self.assertEqual(err["code"], "invalid_field")
        self.assertGreater(len(err["message"]), 10)

    def test_malformed_queries_are_400_on_q(self):
        for text in self.BAD:
            with self.subTest(q=text):
                self.check_400(search(text), text)
        self.assertTrue(health_ok(SERVER.port))

    def test_messages_say_what_is_wrong_and_where(self):
        cases = {'police "human': ("phrase is not closed", 8),
                 "police AND": ("AND needs a search term after it", 8),
                 "NOT police": ("NOT needs a search term before it", 1),
                 "(police": ("parenthesis is not closed", 1),
                 "police)": ("closing parenthesis has no opening one", 7),
                 "полиция )": ("closing parenthesis has no opening one", 9),
                 "a*": ("at least two letters", 1)}
        for text, (what, at) in cases.items():
            with self.subTest(q=text):
                r = search(text)
                self.check_400(r, text)
                self.assertIn(what, r.json["error"]["message"])
                self.assertIn(f"(at character {at})", r.json["error"]["message"])
        self.assertIn("at most 16", search(" ".join(["x"] * 17)).json["error"]["message"])
        self.assertIn("no words", search("?!").json["error"]["message"])

    def test_missing_q_is_400(self):
        r = OFFICER.get("/api/v1/library/search")
        self.check_400(r, None)

    def test_nul_and_invalid_utf8_are_refused(self):
        for raw in ("%00", "police%00trafficking", "%ff", "%c3%28", "police%e2%82", "%ed%a0%80"):
            with self.subTest(q=raw):
                r = OFFICER.get("/api/v1/library/search?q=" + raw)
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.json["error"].get("field"), "q")

    def test_engine_syntax_is_only_words(self):
        # FTS5 would read these as a column filter, NEAR, a boost or an initial token;
        # here punctuation only separates words.
        # "title:trafficking" is the phrase "title trafficking", which no text has.
        self.assertEqual(search("title:trafficking").json["total"], 0)
        self.assertEqual(search("title:trafficking").json["query"], "title trafficking")
        self.assertEqual(search("NEAR(police trafficking)").json["total"], 0)  # "near" AND ...
        self.assertEqual(hits("trafficking^"), hits("trafficking"))
        self.assertEqual(hits("^trafficking"), hits("trafficking"))
        self.assertEqual(hits("-trafficking"), hits("trafficking"))
        self.assertEqual(hits("{trafficking}"), hits("trafficking"))
        self.assertEqual(hits("trafficking:"), hits("trafficking"))
        for text in ("title:x", "NEAR(a b)", "x^", "body : x", "x + y", "rowid:1", "a OR",
                     "'; DROP TABLE documents; --", "x' OR '1'='1", '"a" "b', "\\", "%",
                     "police AND (trafficking OR", "* *", "**police"):
            with self.subTest(q=text):
                r = search(text)
                self.assertIn(r.status, (200, 400), r)
                if r.status == 400:
                    self.assertEqual(r.json["error"]["field"], "q")
        self.assertEqual({d["id"] for d in catalogue() if d["id"] <= 10}, set(DEMO))
        self.assertTrue(health_ok(SERVER.port))

    def test_search_needs_a_session(self):
        r = SERVER.client().get("/api/v1/library/search?q=police")
        self.assertEqual(r.status, 401, r)


# ---- documents ------------------------------------------------------------------------------

class DocumentTest(unittest.TestCase):
    def test_create_read_update_delete_as_librarian(self):
        before = audit_count()
        body = {"title": "Quokkaword guide", "subtitle": "for tests", "series": "Test Series",
                "volume": 3, "year": 2019, "published": "2019-04", "place": "Vienna",
                "authoring_unit": "SPMU", "status": "in_preparation",
                "abstract": "Quokkaword abstract", "priorities": ["THB", "PDR"],
                "focus_areas": []}
        r = LIBRARIAN.post("/api/v1/documents", body)
        self.assertEqual(r.status, 201, r)
        doc = r.json
        self.assertEqual(r.header("Location"), f"/api/v1/documents/{doc['id']}")
        for k, v in body.items():
            self.assertEqual(doc[k], sorted(v) if isinstance(v, list) else v, k)
        self.assertEqual(doc["editions"], [])
        self.assertEqual(OFFICER.get(f"/api/v1/documents/{doc['id']}").json, doc)
        r = LIBRARIAN.patch(f"/api/v1/documents/{doc['id']}",
                            {"title": "Quokkaword guide, second", "volume": None,
                             "priorities": None, "published": "2019-05-02"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["title"], r.json["volume"], r.json["priorities"],
                          r.json["published"], r.json["series"]),
                         ("Quokkaword guide, second", None, [], "2019-05-02", "Test Series"))
        self.assertEqual(OFFICER.get(f"/api/v1/documents/{doc['id']}").json, r.json)
        # A record read back is a valid patch (read-only members equal to the stored ones).
        rec = dict(r.json)
        del rec["editions"]
        self.assertEqual(LIBRARIAN.patch(f"/api/v1/documents/{doc['id']}", rec).status, 200)
        r = LIBRARIAN.delete(f"/api/v1/documents/{doc['id']}")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(OFFICER.get(f"/api/v1/documents/{doc['id']}").status, 404)
        self.assertEqual(LIBRARIAN.delete(f"/api/v1/documents/{doc['id']}").status, 404)
        self.assertEqual(LIBRARIAN.patch(f"/api/v1/documents/{doc['id']}", {"year": 2020}).status,
                         404)
        entries = [e for e in audit("document") if e["entity_id"] == str(doc["id"])]
        self.assertEqual([e["action"] for e in entries], ["delete", "update", "update", "create"])
        self.assertTrue(all(e["actor"] == "librarian" for e in entries))
        self.assertEqual(entries[0]["before"]["title"], "Quokkaword guide, second")
        self.assertIsNone(entries[0]["after"])
        self.assertIsNone(entries[3]["before"])
        self.assertEqual(entries[3]["after"]["title"], "Quokkaword guide")
        self.assertEqual(audit_count(), before + 4)

    def test_administrators_edit_too(self):
        doc = create(ADMIN)
        self.assertEqual(ADMIN.patch(f"/api/v1/documents/{doc['id']}", {"year": 2021}).status, 200)
        self.assertEqual(ADMIN.delete(f"/api/v1/documents/{doc['id']}").status, 204)

    def test_others_may_read_but_not_write(self):
        doc = create()
        path = f"/api/v1/documents/{doc['id']}"
        before, audited = catalogue(), audit_count()
        for who in (OFFICER, AUDITOR):
            self.assertEqual(who.get(path).status, 200)
            self.assertEqual(who.get("/api/v1/documents").status, 200)
            writes = [("POST", "/api/v1/documents", {"title": "x", "year": 2020}),
                      ("PATCH", path, {"year": 2021}), ("DELETE", path, None),
                      ("PUT", path + "/editions/en", {"title": "x"}),
                      ("DELETE", "/api/v1/documents/1/editions/en", None)]
            for method, url, body in writes:
                with self.subTest(method=method, url=url):
                    r = who.request(method, url, body)
                    self.assertEqual(r.status, 403, r)
                    self.assertEqual(r.json["error"]["code"], "forbidden")
        anonymous = SERVER.client()
        for method, url, body in [("GET", "/api/v1/documents", None), ("GET", path, None),
                                  ("GET", path + "/similar", None),
                                  ("POST", "/api/v1/documents", {"title": "x", "year": 2020}),
                                  ("PATCH", path, {"year": 2021}), ("DELETE", path, None),
                                  ("PUT", path + "/editions/en", {"title": "x"}),
                                  ("DELETE", "/api/v1/documents/1/editions/en", None)]:
            with self.subTest(anonymous=f"{method} {url}"):
                self.assertEqual(anonymous.request(method, url, body).status, 401)
        # A cookie session without the CSRF token cannot write either.
        r = LIBRARIAN.patch(path, {"year": 2021}, csrf=False)
        self.assertEqual((r.status, r.json["error"]["code"]), (403, "csrf"))
        self.assertEqual(catalogue(), before)
        self.assertEqual(audit_count(), audited)

    BAD_CREATE = [
        ({"title": 5, "year": 2020}, 400, "title"),
        ({"title": "x", "year": "2020"}, 400, "year"),
        ({"title": "x", "year": 2020.5}, 400, "year"),
        ({"title": "x", "year": True}, 400, "year"),
        ({"title": "x", "year": 2020, "volume": "1", "series": "S"}, 400, "volume"),
        ({"title": "x", "year": 2020, "priorities": "THB"}, 400, "priorities"),
        ({"title": "x", "year": 2020, "priorities": [1]}, 400, "priorities"),
        ({"title": "x", "year": 2020, "focus_areas": {}}, 400, "focus_areas"),
        ({"title": "x", "year": 2020, "authoring_unit": 7}, 400, "authoring_unit"),
        ({"title": "x", "year": 2020, "status": "draft"}, 400, "status"),
        ({"title": "x", "year": 2020, "published": "2020-13"}, 400, "published"),
        ({"title": "x", "year": 2020, "published": "May 2020"}, 400, "published"),
        ({"title": "x" * 301, "year": 2020}, 400, "title"),
        ({"title": "x", "year": 2020, "series": "s" * 121}, 400, "series"),
        ({"title": "x", "year": 2020, "abstract": "a" * 4001}, 400, "abstract"),
        ({"title": "x", "year": 2020, "surplus": 1}, 400, "surplus"),
        ({"year": 2020}, 422, "title"),
        ({"title": "", "year": 2020}, 422, "title"),
        ({"title": None, "year": 2020}, 422, "title"),
        ({"title": "x"}, 422, "year"),
        ({"title": "x", "year": 1899}, 422, "year"),
        ({"title": "x", "year": 2101}, 422, "year"),
        ({"title": "x", "year": 2020, "published": "2019-05"}, 422, "published"),
        ({"title": "x", "year": 2020, "published": "2021-01-01"}, 422, "published"),
        ({"title": "x", "year": 2020, "volume": 3}, 422, "volume"),
        ({"title": "x", "year": 2020, "volume": 0, "series": "S"}, 422, "volume"),
        ({"title": "x", "year": 2020, "priorities": ["NOPE"]}, 422, "priorities"),
        ({"title": "x", "year": 2020, "priorities": ["THB", "THB"]}, 422, "priorities"),
        ({"title": "x", "year": 2020, "focus_areas": ["NOPE"]}, 422, "focus_areas"),
        ({"title": "x", "year": 2020, "authoring_unit": "NOPE"}, 422, "authoring_unit"),
        ({"title": "x", "year": 2020, "priorities": ["P%d" % i for i in range(21)]}, 422,
         "priorities"),
        ({"title": "x", "year": 2020, "id": 99}, 422, "id"),
        ({"title": "x", "year": 2020, "editions": []}, 422, "editions"),
    ]

    def test_bad_create_writes_nothing(self):
        before, audited = catalogue(), audit_count()
        for body, status, field in self.BAD_CREATE:
            with self.subTest(body=json.dumps(body)[:80]):
                r = LIBRARIAN.post("/api/v1/documents", body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
                self.assertTrue(r.json["error"]["message"])
        self.assertEqual(catalogue(), before)
        self.assertEqual(audit_count(), audited)

    def test_bad_patch_writes_nothing(self):
        doc = create(series="Test Series", volume=2, published="2020-01")
        path = f"/api/v1/documents/{doc['id']}"
        audited = audit_count()
        cases = [({"title": None}, 422, "title"), ({"year": None}, 422, "year"),
                 ({"title": ""}, 422, "title"), ({"year": 2021}, 422, "published"),
                 ({"series": None}, 422, "volume"), ({"series": ""}, 422, "volume"),
                 ({"id": doc["id"] + 1}, 422, "id"), ({"id": "1"}, 422, "id"),
                 ({"editions": []}, 422, "editions"), ({"volume": "2"}, 400, "volume"),
                 ({"priorities": ["PDR", "NOPE"]}, 422, "priorities"),
                 ({"title": ["x"]}, 400, "title"), ({"unknown": 1}, 400, "unknown")]
        for body, status, field in cases:
            with self.subTest(body=body):
                r = LIBRARIAN.patch(path, body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(LIBRARIAN.get(path).json, doc)
        self.assertEqual(audit_count(), audited)

    def test_bodies_the_json_layer_refuses(self):
        before, audited = catalogue(), audit_count()
        raws = [b'{"title": "\xff\xfe", "year": 2020}', b'{"title": "a\xc3", "year": 2020}',
                b'{"title": "\\ud800", "year": 2020}', b'{"title": "a\\u0000b", "year": 2020}',
                b'{"title": "a", "title": "b", "year": 2020}', b'{"title": "a", "year": 2020',
                b'[{"title": "a", "year": 2020}]', b'"text"', b'', b'{"year": 2020e0}' * 2]
        for raw in raws:
            with self.subTest(body=raw):
                r = LIBRARIAN.request("POST", "/api/v1/documents", raw, raw=True)
                self.assertEqual(r.status, 400, r)
                self.assertIn(r.json["error"]["code"], ("bad_request", "invalid_field"))
        r = LIBRARIAN.request("POST", "/api/v1/documents", "title=x", raw=True,
                              content_type="application/x-www-form-urlencoded")
        self.assertEqual(r.status, 415, r)
        self.assertEqual(catalogue(), before)
        self.assertEqual(audit_count(), audited)

    def test_unknown_and_malformed_ids_are_404(self):
        for path in ("/api/v1/documents/99999", "/api/v1/documents/0", "/api/v1/documents/abc",
                     "/api/v1/documents/-1", "/api/v1/documents/1.5",
                     "/api/v1/documents/99999999999999999999"):
            with self.subTest(path=path):
                self.assertEqual(OFFICER.get(path).status, 404)
        self.assertEqual(LIBRARIAN.delete("/api/v1/documents/99999").status, 404)

    def test_unicode_round_trips(self):
        doc = create(title="Руководство quokkaword — ✓ «тест»", place="Київ",
                     abstract="Ժողովրդավարական ոստիկանություն; دليل")
        got = OFFICER.get(f"/api/v1/documents/{doc['id']}").json
        self.assertEqual(got["title"], "Руководство quokkaword — ✓ «тест»")
        self.assertEqual(got["place"], "Київ")
        self.assertEqual(LIBRARIAN.delete(f"/api/v1/documents/{doc['id']}").status, 204)


# ---- editions -------------------------------------------------------------------------------

class EditionTest(unittest.TestCase):
    def test_put_creates_renames_and_delete_removes(self):
        doc = create(title="Wombatword manual", abstract="Numbatword catalogue text")
        path = f"/api/v1/documents/{doc['id']}/editions"
        audited = len(audit("edition"))
        r = LIBRARIAN.request("PUT", path + "/ru", {"title": "Вомбатслово руководство"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([e["lang"] for e in r.json["editions"]], ["ru"])
        ed = r.json["editions"][0]
        self.assertEqual((ed["title"], ed["abstract"], ed["text"], ed["file"]),
                         ("Вомбатслово руководство", "", "none", None))
        r = LIBRARIAN.request("PUT", path + "/en", {"title": "Wombatword manual",
                                                    "abstract": "Own abstract"})
        self.assertEqual([e["lang"] for e in r.json["editions"]], ["en", "ru"])
        # Found by its title, in its language; the catalogue abstract serves editions
        # without their own.
        self.assertEqual(hits("вомбатслово"), {(doc["id"], "ru")})
        self.assertEqual(hits("numbatword"), {(doc["id"], "ru")})
        self.assertEqual(hits("wombatword"), {(doc["id"], "en")})
        # Rename: the new title is found, the old one no longer.
        r = LIBRARIAN.request("PUT", path + "/ru", {"title": "Кенгурослово пособие"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["editions"][1]["title"], "Кенгурослово пособие")
        self.assertEqual(hits("вомбатслово"), set())
        self.assertEqual(hits("кенгурослово"), {(doc["id"], "ru")})
        # Without a title the abstract alone changes.
        r = LIBRARIAN.request("PUT", path + "/ru", {"abstract": "Своя аннотация"})
        self.assertEqual(r.json["editions"][1]["title"], "Кенгурослово пособие")
        self.assertEqual(r.json["editions"][1]["abstract"], "Своя аннотация")
        # A catalogue change reaches the index of editions without their own abstract.
        r = LIBRARIAN.patch(f"/api/v1/documents/{doc['id']}", {"abstract": "Bilbyword text"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(hits("numbatword"), set())
        # Delete: 204, then gone from the record and the search, then 404.
        self.assertEqual(LIBRARIAN.delete(path + "/ru").status, 204)
        self.assertEqual([e["lang"] for e in OFFICER.get(path[:-9]).json["editions"]], ["en"])
        self.assertEqual(hits("кенгурослово"), set())
        r = LIBRARIAN.delete(path + "/ru")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json["error"]["code"], "not_found")
        entries = audit("edition")
        self.assertEqual(len(entries), audited + 5)
        mine = [(e["action"], e["entity_id"]) for e in entries[:5]]
        ident = f"{doc['id']}/ru"
        self.assertEqual(mine, [("delete", ident), ("update", ident), ("update", ident),
                                ("create", f"{doc['id']}/en"), ("create", ident)])
        self.assertEqual(entries[0]["before"]["title"], "Кенгурослово пособие")
        self.assertEqual(entries[2]["before"]["title"], "Вомбатслово руководство")
        self.assertEqual(entries[2]["after"]["title"], "Кенгурослово пособие")
        # Deleting the document takes its editions out of the search.
        self.assertEqual(LIBRARIAN.delete(path[:-9]).status, 204)
        self.assertEqual(hits("wombatword"), set())

    def test_bad_editions_write_nothing(self):
        doc = create(title="Dingoword manual")
        path = f"/api/v1/documents/{doc['id']}/editions"
        LIBRARIAN.request("PUT", path + "/en", {"title": "Dingoword manual"})
        stored, audited = OFFICER.get(path[:-9]).json, audit_count()
        cases = [("/fr", {"abstract": "no title"}, 422, "title"),
                 ("/fr", {"title": ""}, 422, "title"),
                 ("/fr", {}, 422, "title"),
                 ("/en", {"title": ""}, 422, "title"),
                 ("/en", {"title": 5}, 400, "title"),
                 ("/en", {"abstract": ["x"]}, 400, "abstract"),
                 ("/en", {"title": "t" * 301}, 400, "title"),
                 ("/en", {"lang": "ru"}, 422, "lang"),
                 ("/en", {"lang": 1}, 422, "lang"),
                 ("/en", {"file": "x"}, 400, "file")]
        for suffix, body, status, field in cases:
            with self.subTest(lang=suffix, body=body):
                r = LIBRARIAN.request("PUT", path + suffix, body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        # A language the library does not have names no edition: the router answers 404
        # before anything runs, for PUT and DELETE alike.
        for lang in ("de", "EN", "e", "english", "r%20"):
            with self.subTest(lang=lang):
                r = LIBRARIAN.request("PUT", f"{path}/{lang}", {"title": "x"})
                self.assertEqual(r.status, 404, r)
                self.assertEqual(LIBRARIAN.delete(f"{path}/{lang}").status, 404)
        r = LIBRARIAN.request("PUT", "/api/v1/documents/99999/editions/en", {"title": "x"})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(LIBRARIAN.delete("/api/v1/documents/99999/editions/en").status, 404)
        self.assertEqual(OFFICER.get(path[:-9]).json, stored)
        self.assertEqual(audit_count(), audited)
        self.assertEqual(LIBRARIAN.delete(path[:-9]).status, 204)


# ---- more like this -------------------------------------------------------------------------

class SimilarTest(unittest.TestCase):
    def test_the_thb_guidebooks_are_alike(self):
        for doc, other in ((6, 8), (8, 6)):
            with self.subTest(document=doc):
                r = OFFICER.get(f"/api/v1/documents/{doc}/similar")
                self.assertEqual(r.status, 200, r)
                ids = [i["id"] for i in r.json["items"]]
                self.assertIn(other, ids[:2])
                self.assertNotIn(doc, ids)
                self.assertLessEqual(len(ids), 5)
                scores = [i["score"] for i in r.json["items"]]
                self.assertEqual(scores, sorted(scores, reverse=True))
        r = OFFICER.get("/api/v1/documents/6/similar?limit=1")
        self.assertEqual([i["id"] for i in r.json["items"]], [8])

    def test_unknown_document_and_bad_limits(self):
        self.assertEqual(OFFICER.get("/api/v1/documents/99999/similar").status, 404)
        for bad in ("0", "21", "x"):
            with self.subTest(limit=bad):
                r = OFFICER.get(f"/api/v1/documents/6/similar?limit={bad}")
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.json["error"]["field"], "limit")
        # A document without editions has no words: nothing is like it.
        r = OFFICER.get("/api/v1/documents/10/similar")
        self.assertEqual((r.status, r.json), (200, {"items": []}))


# ---- pages ----------------------------------------------------------------------------------

class PagesTest(unittest.TestCase):
    def test_search_page_shows_marked_results(self):
        r = OFFICER.get("/library?q=trafficking")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        self.assertIn("<mark>trafficking</mark>", r.text)
        self.assertIn("/library/documents/6", r.text)
        self.assertIn("/library/documents/8", r.text)
        r = OFFICER.get("/library?q=" + q("полиция") + "&lang=ru")
        self.assertEqual(r.status, 200, r)
        self.assertIn("<mark>", r.text)
        r = OFFICER.get("/library?q=" + q('"unclosed'))
        self.assertEqual(r.status, 400, r)
        self.assertIn("not closed", r.text)
        r = SERVER.client().get("/library?q=police")
        self.assertEqual(r.status, 303, r)
        self.assertTrue(r.header("Location").startswith("/login"))

    def test_document_page_lists_the_editions(self):
        r = AUDITOR.get("/library/documents/1")
        self.assertEqual(r.status, 200, r)
        doc = OFFICER.get("/api/v1/documents/1").json
        for e in doc["editions"]:
            with self.subTest(lang=e["lang"]):
                self.assertIn(f'lang="{e["lang"]}">{e["title"]}', r.text)
        self.assertEqual(OFFICER.get("/library/documents/99999").status, 404)

    def test_new_document_form_is_for_librarians(self):
        for who, status in ((LIBRARIAN, 200), (ADMIN, 200), (OFFICER, 403), (AUDITOR, 403)):
            with self.subTest(who=who):
                r = who.get("/library/documents/new")
                self.assertEqual(r.status, status, r)
                self.assertTrue(r.header("Content-Type").startswith("text/html"))


if __name__ == "__main__":
    unittest.main()
