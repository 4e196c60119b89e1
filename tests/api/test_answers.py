"""Concerns found and counted by their answers to a service's questions, through a real
`polis serve`: the officers' list takes answer=CODE:VALUE (a single choice, one of several
choices, or a text answer, matched exactly), combined with the other filters and with who
may see what; a malformed filter is a 400; the dashboard counts each list question's
answers for a service (its other figures narrowed to the service too); the dashboard page
links each count to the officers' list of those concerns."""

import unittest
import urllib.parse
import uuid

from harness import PolisServer, finish, signed_in

SERVER = None
ADMIN = None
QUESTIONS = [
    {"code": "damage", "datatype": "singlevaluelist", "description": "How bad is it?",
     "values": [{"key": "bent", "name": "Bent"}, {"key": "down", "name": "Down"}]},
    {"code": "kind", "datatype": "multivaluelist", "description": "Which sign?",
     "values": [{"key": "stop", "name": "Stop"}, {"key": "speed", "name": "Speed limit"},
                {"key": "school", "name": "School"}]},
    {"code": "where", "datatype": "string", "description": "Where exactly?"},
]
MADE = {}


def setUpModule():
    global SERVER, ADMIN
    SERVER = PolisServer().start()
    ADMIN = signed_in(SERVER)
    r = ADMIN.post("/api/v1/services", {"code": "signs", "name": "Road signs",
                                        "attributes": QUESTIONS})
    assert r.status == 201, r
    for name, answers in [("a", {"damage": "bent", "kind": ["stop"]}),
                          ("b", {"damage": "down", "kind": ["speed", "school"]}),
                          ("c", {"damage": "bent", "kind": ["school"],
                                 "where": "O'Brien St: corner"}),
                          ("d", {"where": "Chui 1"})]:
        r = ADMIN.post("/api/v1/concerns", {"service_code": "signs", "description": "Sign " + name,
                                            "client_id": uuid.uuid4().hex, "attributes": answers})
        assert r.status == 201, r
        MADE[r.json["tracking_code"]] = name
    # Another service asking a question of the same code: its answers are its own.
    r = ADMIN.post("/api/v1/services", {"code": "signs2", "name": "Other signs",
                                        "attributes": QUESTIONS[:1]})
    assert r.status == 201, r
    r = ADMIN.post("/api/v1/concerns", {"service_code": "signs2", "description": "Sign e",
                                        "attributes": {"damage": "bent"}})
    assert r.status == 201, r
    MADE[r.json["tracking_code"]] = "e"


def tearDownModule():
    finish(SERVER)


def found(query):
    r = ADMIN.get("/api/v1/concerns?limit=1000&" + query)
    assert r.status == 200, r
    return sorted(MADE[c["tracking_code"]] for c in r.json["items"]
                  if c["tracking_code"] in MADE)


def answer(value):
    return "answer=" + urllib.parse.quote(value, safe="")


class ListByAnswerTest(unittest.TestCase):
    def test_single_choice(self):
        self.assertEqual(found(answer("damage:bent")), ["a", "c", "e"])
        self.assertEqual(found("service_code=signs&" + answer("damage:bent")), ["a", "c"])
        self.assertEqual(found(answer("damage:down")), ["b"])

    def test_one_of_several_choices(self):
        self.assertEqual(found(answer("kind:school")), ["b", "c"])
        self.assertEqual(found(answer("kind:stop")), ["a"])

    def test_text_answer_exactly(self):
        self.assertEqual(found(answer("where:O'Brien St: corner")), ["c"])
        self.assertEqual(found(answer("where:O'Brien St")), [])
        self.assertEqual(found(answer("where:chui 1")), [])  # exact, case included
        self.assertEqual(found(answer("where:Chui 1")), ["d"])

    def test_nothing_matches(self):
        self.assertEqual(found(answer("damage:melted")), [])
        self.assertEqual(found(answer("colour:red")), [])
        self.assertEqual(found(answer("damage:bent") + "&status=resolved"), [])

    def test_malformed_is_400(self):
        for bad in ["damage", ":bent", "damage:", "da mage:bent", "x" * 41 + ":y",
                    "dam'age:bent"]:
            with self.subTest(bad=bad):
                r = ADMIN.get("/api/v1/concerns?" + answer(bad))
                self.assertEqual(r.status, 400, r)
                self.assertEqual(r.json["error"]["field"], "answer", r)

    def test_officers_see_only_theirs(self):
        # The demo's inspector sees Osh and its station; these concerns name no place.
        officer = signed_in(SERVER, "inspector.osh")
        r = officer.get("/api/v1/concerns?limit=1000&" + answer("damage:bent"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual([c for c in r.json["items"] if c["tracking_code"] in MADE], [])


def counts(query):
    r = ADMIN.get("/api/v1/concerns/dashboard?" + query)
    assert r.status == 200, r
    return {q["code"]: {c["key"]: c["count"] for c in q["counts"]} for q in r.json["answers"]}


class DashboardTest(unittest.TestCase):
    def test_choices_counted_for_a_service(self):
        self.assertEqual(counts("service=signs"), {
            "damage": {"bent": 2, "down": 1},
            "kind": {"stop": 1, "speed": 1, "school": 2}})  # "where" is no list
        self.assertEqual(counts("service=signs2"), {"damage": {"bent": 1, "down": 0}})
        d = ADMIN.get("/api/v1/concerns/dashboard?service=signs").json
        self.assertEqual(d["service"], "signs")
        self.assertEqual(d["received"], 4)  # the other figures narrowed to the service too
        self.assertEqual([s["key"] for s in d["by_service"]], ["signs"])
        q = d["answers"][1]
        self.assertEqual((q["question"], [c["label"] for c in q["counts"]]),
                         ("Which sign?", ["Stop", "Speed limit", "School"]))

    def test_without_a_service_or_with_an_unknown_one(self):
        d = ADMIN.get("/api/v1/concerns/dashboard").json
        self.assertNotIn("answers", d)
        self.assertGreaterEqual(d["received"], 5)
        r = ADMIN.get("/api/v1/concerns/dashboard?service=nosuch")
        self.assertEqual(r.status, 404, r)
        r = ADMIN.get("/api/v1/concerns/dashboard?service=bad%20code")
        self.assertEqual(r.status, 400, r)

    def test_an_area_narrows_the_counts(self):
        self.assertEqual(counts("service=signs&area=KG-O"), {
            "damage": {"bent": 0, "down": 0},
            "kind": {"stop": 0, "speed": 0, "school": 0}})


class PagesTest(unittest.TestCase):
    def test_dashboard_links_each_count_to_its_concerns(self):
        page = ADMIN.get("/officer/dashboard?service=signs")
        self.assertEqual(page.status, 200, page)
        self.assertIn("<caption>Which sign?</caption>", page.text)
        link = "/officer/concerns?service_code=signs&amp;answer=kind%3Aschool"
        self.assertIn('<a href="%s">2</a>' % link, page.text)
        listed = ADMIN.get(link.replace("&amp;", "&"))
        self.assertEqual(listed.status, 200, listed)
        shown = {code for code in MADE if code in listed.text}
        self.assertEqual(sorted(MADE[c] for c in shown), ["b", "c"])
        bad = ADMIN.get("/officer/concerns?answer=nonsense")
        self.assertEqual(bad.status, 400, bad)

    def test_russian(self):
        ADMIN.cookies["polis_lang"] = "ru"
        try:
            page = ADMIN.get("/officer/dashboard?service=signs").text
        finally:
            del ADMIN.cookies["polis_lang"]
        self.assertIn("Ответы на вопросы категории", page)
        self.assertIn("Код категории", page)


if __name__ == "__main__":
    unittest.main()
