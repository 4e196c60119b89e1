"""The services' questions on the pages, through a real `polis serve`: the co-ordinators'
page of a service's questions (add with values kept and the error shown on a refusal,
remove, only for those who may edit services, CSRF-checked, each change seen through the
JSON API), the citizens' form and the reception screen asking the chosen service's
questions (answers to other services' questions ignored, a required one refused next to
its field), the officer's page of a concern showing the answers, and Russian."""

import re
import unittest
import urllib.parse

from harness import PolisServer, finish, signed_in
from test_community_pages import post_form
from test_concern_pages import code_of, open_form, submit

SERVER = None
COORD = None
PAGE = "/admin/community/services/lights/questions"


def setUpModule():
    global SERVER, COORD
    SERVER = PolisServer().start()
    COORD = signed_in(SERVER, "coordinator")
    r = COORD.post("/api/v1/services", {"code": "lights", "name": "Street lights",
                                        "name_ru": "Уличное освещение"})
    assert r.status == 201, r


def tearDownModule():
    finish(SERVER)


def questions():
    items = COORD.get("/api/v1/services").json["items"]
    return next(s for s in items if s["code"] == "lights")["attributes"]


def add(fields):
    return post_form(COORD, PAGE, fields)


class AdminPageTest(unittest.TestCase):
    def test_a_add_refuse_and_remove(self):
        page = COORD.get(PAGE)
        self.assertEqual(page.status, 200, page)
        self.assertIn("This service asks nothing else.", page.text)
        r = add({"code": "dark", "datatype": "singlevaluelist", "description": "Is it dark?",
                 "description_ru": "Темно?", "values": "yes = Yes\nno = No\n", "required": "1"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), PAGE + "?done=added")
        r = add({"code": "since", "datatype": "datetime", "description": "Since when?"})
        self.assertEqual(r.status, 303, r)
        got = questions()
        self.assertEqual([(q["code"], q["order"], q["required"]) for q in got],
                         [("dark", 1, True), ("since", 2, False)])
        self.assertEqual(got[0]["values"], [{"key": "yes", "name": "Yes"},
                                            {"key": "no", "name": "No"}])
        self.assertEqual(got[0]["description_ru"], "Темно?")
        page = COORD.get(PAGE + "?done=added").text
        self.assertIn("The question was added.", page)
        self.assertIn("yes = Yes; no = No", page)
        self.assertIn('action="/admin/community/services/lights/questions/since/remove"', page)
        # Refused: the same code again, and a list without choices; values kept, nothing saved.
        # The error in the page's language, without the API's member names.
        refusals = [
            ({"code": "dark", "datatype": "string", "description": "Again"},
             "The service already asks a question with this code.",
             "У этой услуги уже есть вопрос с таким кодом."),
            ({"code": "kind", "datatype": "multivaluelist", "description": "Which kind?"},
             "A list needs its choices, one per line as key = name.",
             "Для списка нужны варианты, по одному в строке: ключ = название."),
            ({"code": "bad code!", "datatype": "string", "description": "Bad code"},
             "The code is 1 to 40 letters, digits, _ and -.",
             "Код — от 1 до 40 латинских букв, цифр, знаков _ и -."),
            ({"code": "empty", "datatype": "string", "description": ""},
             "Write the question.", "Напишите вопрос."),
            ({"code": "twice", "datatype": "singlevaluelist", "description": "Twice?",
              "values": "a = A\na = B"},
             "Each choice needs a key of its own.", "У каждого варианта должен быть свой ключ."),
            ({"code": "where", "datatype": "string", "description": "Where?", "values": "a = A"},
             "Only a list takes choices.", "Варианты бывают только у списка."),
            ({"code": "shown", "datatype": "string", "description": "Shown", "note": "1",
              "required": "1"},
             "A note takes no answer, so it cannot be required.",
             "На примечание не отвечают, поэтому оно не может быть обязательным."),
        ]
        for fields, says, says_ru in refusals:
            with self.subTest(says=says):
                r = add(fields)
                self.assertEqual(r.status, 422, r)
                self.assertIn(says, r.text)
                self.assertNotIn("attribute 3", r.text)
                self.assertIn('value="%s"' % fields["description"], r.text)
                self.assertEqual(len(questions()), 2)
                COORD.cookies["polis_lang"] = "ru"
                try:
                    r = add(fields)
                finally:
                    del COORD.cookies["polis_lang"]
                self.assertEqual(r.status, 422, r)
                self.assertIn(says_ru, r.text)
                self.assertEqual(len(questions()), 2)
        r = post_form(COORD, PAGE + "/since/remove", {})
        self.assertEqual(r.status, 303, r)
        self.assertEqual([q["code"] for q in questions()], ["dark"])
        self.assertEqual(post_form(COORD, PAGE + "/nosuch/remove", {}).status, 404)
        # The setup page links each service's questions with their count.
        setup = COORD.get("/admin/community").text
        self.assertRegex(setup, r'<a href="%s"[^>]*>1</a>' % re.escape(PAGE))

    def test_change_a_question_in_place(self):
        r = add({"code": "lamp_kind", "datatype": "singlevaluelist",
                 "description": "Which lamp?", "values": "led = LED\nsodium = Sodium\n",
                 "order": "40"})
        self.assertEqual(r.status, 303, r)
        edit = PAGE + "/lamp_kind/edit"
        self.assertIn('href="%s"' % edit, COORD.get(PAGE).text)
        page = COORD.get(edit)
        self.assertEqual(page.status, 200, page)
        self.assertIn('value="Which lamp?"', page.text)
        self.assertIn("led = LED\nsodium = Sodium", page.text)
        self.assertNotIn('name="code"', page.text)  # the code stays: answers are kept under it
        r = post_form(COORD, edit, {"datatype": "singlevaluelist",
                                    "description": "Which kind of lamp?",
                                    "description_ru": "Какая лампа?", "order": "40",
                                    "values": "led = LED\nsodium = Sodium\nhalogen = Halogen",
                                    "required": "1"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), PAGE + "?done=changed")
        self.assertIn("The question was changed.", COORD.get(PAGE + "?done=changed").text)
        q = next(q for q in questions() if q["code"] == "lamp_kind")
        self.assertEqual((q["description"], q["description_ru"], q["order"], q["required"]),
                         ("Which kind of lamp?", "Какая лампа?", 40, True))
        self.assertEqual([v["key"] for v in q["values"]], ["led", "sodium", "halogen"])
        # Refused: a list without choices; the values typed are kept, nothing changes.
        r = post_form(COORD, edit, {"datatype": "singlevaluelist", "description": "Changed?",
                                    "order": "40"})
        self.assertEqual(r.status, 422, r)
        self.assertIn("A list needs its choices", r.text)
        self.assertIn('value="Changed?"', r.text)
        q = next(q for q in questions() if q["code"] == "lamp_kind")
        self.assertEqual(q["description"], "Which kind of lamp?")
        COORD.cookies["polis_lang"] = "ru"
        try:
            self.assertIn("Изменение вопроса", COORD.get(edit).text)
        finally:
            del COORD.cookies["polis_lang"]
        self.assertEqual(COORD.get(PAGE + "/nosuch/edit").status, 404)
        self.assertEqual(post_form(COORD, PAGE + "/nosuch/edit", {"description": "x"}).status,
                         404)
        r = post_form(COORD, PAGE + "/lamp_kind/remove", {})
        self.assertEqual(r.status, 303, r)

    def test_refused_without_permission_or_token(self):
        officer = signed_in(SERVER, "inspector.osh")
        self.assertEqual(officer.get(PAGE).status, 403)
        self.assertEqual(post_form(officer, PAGE, {"code": "x", "datatype": "string",
                                                   "description": "X"}).status, 403)
        r = post_form(COORD, PAGE, {"code": "x", "datatype": "string", "description": "X"},
                      csrf=False)
        self.assertEqual(r.status, 403)
        self.assertNotIn("x", [q["code"] for q in questions()])
        self.assertEqual(SERVER.client().get(PAGE).status, 303)  # to the sign-in page
        # Changing a question: the same rules.
        edit = PAGE + "/dark/edit"
        before = questions()
        self.assertEqual(officer.get(edit).status, 403)
        self.assertEqual(post_form(officer, edit, {"datatype": "string",
                                                   "description": "X"}).status, 403)
        self.assertEqual(post_form(COORD, edit, {"datatype": "string", "description": "X"},
                                   csrf=False).status, 403)
        self.assertEqual(SERVER.client().get(edit).status, 303)
        self.assertEqual(questions(), before)


class RecordingPagesTest(unittest.TestCase):
    def setUp(self):
        if not questions():
            AdminPageTest.test_a_add_refuse_and_remove(self)

    def test_citizen_form_asks_and_keeps_answers(self):
        citizen = SERVER.client()
        page, token, client_id = open_form(citizen)
        self.assertIn('<fieldset class="questions" data-service="lights">', page)
        self.assertIn('name="attr.lights.dark"', page)
        self.assertIn('name="attr.domestic_violence.danger_now"', page)  # the demo's
        base = {"form_token": token, "client_id": client_id, "service_code": "lights",
                "description": "The street is dark"}
        r = submit(citizen, base)  # the required question unanswered
        self.assertEqual(r.status, 422, r)
        self.assertIn('<p class="field-error">Please answer this question.</p>', r.text)
        self.assertNotIn("attribute[dark]", r.text)
        ru = citizen.request("POST", "/concerns/new", urllib.parse.urlencode(base), raw=True,
                             content_type="application/x-www-form-urlencoded",
                             headers={"Accept-Language": "ru"})
        self.assertEqual(ru.status, 422, ru)
        self.assertIn("Ответьте, пожалуйста, на этот вопрос.", ru.text)
        r = submit(citizen, dict(base, **{"attr.lights.dark": "yes",
                                          "attr.domestic_violence.danger_now": "yes"}))
        self.assertEqual(r.status, 201, r)
        code = code_of(r.text)
        rec = COORD.get(f"/api/v1/concerns/{code}").json
        self.assertEqual(rec["attributes"], {"dark": "yes"})  # the other service's is ignored
        detail = COORD.get(f"/officer/concerns/{code}").text
        self.assertIn("Answers to the service&#39;s questions", detail)
        self.assertRegex(detail, r"<dt>Is it dark\?</dt>\s*<dd>Yes</dd>")
        public = SERVER.client().get(f"/concerns/status?code={code}").text
        self.assertNotIn("Is it dark", public)

    def test_reception_screen(self):
        page = COORD.get("/officer/reception")
        self.assertIn('name="attr.lights.dark"', page.text)
        csrf = re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)
        fields = {"csrf": csrf, "channel": "reception", "service_code": "lights",
                  "description": "Lamp broken at the school", "attr.lights.dark": "no"}
        r = COORD.request("POST", "/officer/reception", urllib.parse.urlencode(fields), raw=True,
                          content_type="application/x-www-form-urlencoded", csrf=False)
        self.assertEqual(r.status, 201, r)
        code = code_of(r.text)
        self.assertEqual(COORD.get(f"/api/v1/concerns/{code}").json["attributes"],
                         {"dark": "no"})
        fields["attr.lights.dark"] = "perhaps"
        r = COORD.request("POST", "/officer/reception", urllib.parse.urlencode(fields), raw=True,
                          content_type="application/x-www-form-urlencoded", csrf=False)
        self.assertEqual(r.status, 422, r)
        self.assertIn('<p class="field-error">Choose one of the options.</p>', r.text)

    def test_russian(self):
        r = SERVER.client().get("/concerns/new", headers={"Accept-Language": "ru"})
        self.assertIn("Темно?", r.text)
        self.assertIn("Кому-то сейчас угрожает опасность?", r.text)
        self.assertIn('<option value="unknown">Не знаю</option>', r.text)


if __name__ == "__main__":
    unittest.main()
