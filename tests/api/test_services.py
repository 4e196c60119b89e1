"""The editable list of services (the categories of concerns) through a real `polis serve`:
co-ordinators add one and change its due days, a new concern takes the new due date, a
retired service takes no new concerns and leaves the list, bad input changes nothing, and
every change is audited."""

import unittest

from harness import PolisServer, finish, signed_in

SERVER = None
COORD = None


def setUpModule():
    global SERVER, COORD
    SERVER = PolisServer().start()
    COORD = signed_in(SERVER, "coordinator")


def tearDownModule():
    finish(SERVER)


def codes():
    return [s["code"] for s in COORD.get("/api/v1/services").json["items"]]


class ServicesTest(unittest.TestCase):
    def test_add_change_retire(self):
        r = COORD.post("/api/v1/services", {"code": "livestock_theft", "name": "Livestock theft",
                                            "name_ru": "Кража скота", "due_days": 3})
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["due_days"], r.json["active"]), (3, True))
        self.assertIn("livestock_theft", codes())
        self.assertEqual(COORD.post("/api/v1/services", {"code": "livestock_theft",
                                                         "name": "x"}).status, 409)
        r = COORD.patch("/api/v1/services/livestock_theft", {"due_days": 30})
        self.assertEqual(r.status, 200, r)
        c = COORD.post("/api/v1/concerns", {"service_code": "livestock_theft",
                                            "description": "Two cows taken from the pasture"})
        self.assertEqual(c.status, 201, c)
        received, due = c.json["received_at"][:10], c.json["due_at"][:10]
        self.assertNotEqual(received, due)
        self.assertEqual(COORD.patch("/api/v1/services/livestock_theft",
                                     {"active": False}).status, 200)
        self.assertNotIn("livestock_theft", codes())
        r = COORD.post("/api/v1/concerns", {"service_code": "livestock_theft", "description": "x"})
        self.assertEqual(r.status, 404, r)
        audit = signed_in(SERVER).get("/api/v1/audit?entity=service&entity_id=livestock_theft")
        self.assertEqual(len(audit.json["items"]), 3)

    def test_bad_input_and_roles(self):
        before = COORD.get("/api/v1/services").json
        for body, status, field in [({"code": "Bad Code", "name": "x"}, 400, "code"),
                                    ({"code": "ok_code"}, 422, "name"),
                                    ({"code": "ok_code", "name": "x", "due_days": 0}, 400, "due_days"),
                                    ({"code": "ok_code", "name": "x", "conduct": "yes"}, 400, "conduct"),
                                    ({"code": "ok_code", "name": "x", "colour": "red"}, 400, "colour")]:
            with self.subTest(body=body):
                r = COORD.post("/api/v1/services", body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(COORD.patch("/api/v1/services/water", {"code": "h2o"}).status, 422)
        self.assertEqual(COORD.patch("/api/v1/services/nope", {"due_days": 3}).status, 404)
        self.assertEqual(COORD.get("/api/v1/services").json, before)
        officer = signed_in(SERVER, "inspector.osh")
        self.assertEqual(officer.patch("/api/v1/services/water", {"due_days": 3}).status, 403)


if __name__ == "__main__":
    unittest.main()
