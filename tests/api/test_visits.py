"""Visits of the Mobile Police Reception minibuses through a real `polis serve` on the demo
data: planning, recording a visit done (with the citizens received) or cancelled, concerns
raised at a visit taking its subdistrict, and the rules and roles around them."""

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


class VisitTest(unittest.TestCase):
    def test_plan_record_and_concerns_at_a_visit(self):
        r = COORD.post("/api/v1/visits", {"vehicle": "MPR-02", "area": "KG-O-AR-1",
                                          "planned_date": "2013-06-10",
                                          "officer": "Neighbourhood officer, Aravan",
                                          "community_rep": "Women's council"})
        self.assertEqual(r.status, 201, r)
        visit = r.json
        self.assertEqual((visit["status"], visit["concerns"]), ("planned", 0))
        c = COORD.post("/api/v1/concerns", {"service_code": "electricity", "channel": "reception",
                                            "description": "No street light by the mosque",
                                            "visit": visit["id"]})
        self.assertEqual(c.status, 201, c)
        self.assertEqual(c.json["visit"], visit["id"])
        self.assertEqual(c.json["area"], "KG-O-AR-1", "the visit's subdistrict")
        self.assertEqual(c.json["site"], "KG-ST-AR", "the minibus's station")
        page = COORD.get("/officer/reception")
        self.assertIn('name="visit"', page.text)
        self.assertIn("MPR-02 · Aravan · 2013-06-10", page.text)

        r = COORD.patch(f"/api/v1/visits/{visit['id']}", {"status": "done"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(r.json["error"]["field"], "status")
        r = COORD.patch(f"/api/v1/visits/{visit['id']}",
                        {"status": "done", "actual_date": "2013-06-10", "citizens_received": 21})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["status"], r.json["citizens_received"], r.json["concerns"]),
                         ("done", 21, 1))
        listed = COORD.get("/api/v1/visits?from=2013-06-01&to=2013-06-30").json["items"]
        self.assertIn(visit["id"], [v["id"] for v in listed])
        audit = signed_in(SERVER).get(f"/api/v1/audit?entity=visit&entity_id={visit['id']}").json
        self.assertEqual(len(audit["items"]), 2)

    def test_cancelled_visit_takes_no_concerns_and_bad_input(self):
        r = COORD.post("/api/v1/visits", {"vehicle": "MPR-01", "area": "KG-O-KS-2",
                                          "planned_date": "2013-06-11"})
        vid = r.json["id"]
        self.assertEqual(COORD.patch(f"/api/v1/visits/{vid}", {"status": "cancelled"}).status, 200)
        c = COORD.post("/api/v1/concerns", {"service_code": "water", "description": "x",
                                            "visit": vid})
        self.assertEqual(c.status, 422, c)
        self.assertEqual(c.json["error"]["field"], "visit")
        cases = [({"vehicle": "MPR-99", "area": "KG-O-KS-2", "planned_date": "2013-06-12"}, 422, "vehicle"),
                 ({"vehicle": "MPR-01", "area": "KG-O-KS-2", "planned_date": "2013-02-30"}, 400, "planned_date"),
                 ({"vehicle": "MPR-01", "planned_date": "2013-06-12"}, 400, "area"),
                 ({"vehicle": "MPR-01", "area": "KG-O-KS-2", "planned_date": "2013-06-12",
                   "driver": "x"}, 400, "driver")]
        for body, status, field in cases:
            with self.subTest(body=body):
                r = COORD.post("/api/v1/visits", body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(COORD.patch(f"/api/v1/visits/{vid}", {"citizens_received": -1}).status, 400)
        self.assertEqual(COORD.patch("/api/v1/visits/999999", {"status": "done"}).status, 404)
        citizen = SERVER.client().post("/api/v1/public/concerns", {"service_code": "water",
                                                                   "description": "x", "visit": 1})
        self.assertEqual(citizen.status, 400)
        self.assertEqual(signed_in(SERVER, "librarian").get("/api/v1/visits").status, 403)


class ScopeTest(unittest.TestCase):
    def test_an_officers_areas_decide_what_they_see(self):
        admin = signed_in(SERVER)
        r = COORD.post("/api/v1/concerns", {"service_code": "water", "area": "KG-C-SK-1",
                                            "description": "Sokuluk well polluted"})
        code = r.json["tracking_code"]
        inspector = signed_in(SERVER, "inspector.osh")
        self.assertEqual(inspector.get(f"/api/v1/concerns/{code}").status, 404)
        self.assertEqual(admin.get("/api/v1/users/inspector.osh/scope").json["areas"],
                         ["KG-GO", "KG-O"])
        r = admin.request("PUT", "/api/v1/users/inspector.osh/scope",
                          {"areas": ["KG-O", "KG-C"], "site": "KG-ST-KS"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(inspector.get(f"/api/v1/concerns/{code}").status, 200)
        for body, status, field in [({"areas": ["ATLANTIS"]}, 422, "areas"),
                                    ({"areas": ["KG-O"], "site": "NOWHERE"}, 422, "site"),
                                    ({"areas": "KG-O"}, 400, "areas"),
                                    ({"areas": ["KG-O", "KG-O"]}, 422, "areas")]:
            with self.subTest(body=body):
                r = admin.request("PUT", "/api/v1/users/inspector.osh/scope", body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(admin.get("/api/v1/users/inspector.osh/scope").json["areas"],
                         ["KG-C", "KG-O"])
        self.assertEqual(admin.get("/api/v1/users/nobody/scope").status, 404)
        self.assertEqual(COORD.get("/api/v1/users/inspector.osh/scope").status, 403)
        audit = admin.get("/api/v1/audit?entity=user_scope&entity_id=inspector.osh").json
        self.assertEqual(len(audit["items"]), 1)


if __name__ == "__main__":
    unittest.main()


class PlacesTest(unittest.TestCase):
    def test_add_places_and_use_them(self):
        add = lambda path, body: COORD.post(path, body)
        self.assertEqual(add("/api/v1/areas", {"code": "KG-N", "parent": "KG", "level": "province",
                                               "name": "Naryn province", "country": "KG"}).status, 201)
        self.assertEqual(add("/api/v1/areas", {"code": "KG-N-AT", "parent": "KG-N", "level": "district",
                                               "name": "At-Bashy district", "country": "KG"}).status, 201)
        self.assertEqual(add("/api/v1/sites", {"code": "KG-ST-AT", "name": "At-Bashy station",
                                               "area": "KG-N-AT"}).status, 201)
        self.assertEqual(add("/api/v1/vehicles", {"code": "MPR-19", "plate": "N 119 MPR",
                                                  "site": "KG-ST-AT"}).status, 201)
        self.assertEqual(add("/api/v1/forums", {"code": "CSWG-AT", "kind": "cswg",
                                                "name": "At-Bashy working group",
                                                "site": "KG-ST-AT"}).status, 201)
        self.assertIn("KG-N-AT", [a["code"] for a in COORD.get("/api/v1/areas").json["items"]])
        self.assertIn("MPR-19", [v["code"] for v in COORD.get("/api/v1/vehicles").json["items"]])
        self.assertIn("CSWG-AT", [f["code"] for f in COORD.get("/api/v1/forums").json["items"]])
        r = COORD.post("/api/v1/visits", {"vehicle": "MPR-19", "area": "KG-N-AT",
                                          "planned_date": "2014-04-01"})
        self.assertEqual(r.status, 201, r)
        before = len(COORD.get("/api/v1/areas").json["items"])
        for path, body, status, field in [
                ("/api/v1/areas", {"code": "KG-N-AT-1", "parent": "KG-N", "level": "subdistrict",
                                   "name": "x", "country": "KG"}, 422, "parent"),
                ("/api/v1/areas", {"code": "KG-X", "level": "province", "name": "x",
                                   "country": "KG"}, 422, "parent"),
                ("/api/v1/areas", {"code": "bad code", "level": "country", "name": "x",
                                   "country": "KG"}, 400, "code"),
                ("/api/v1/areas", {"code": "KG-N", "parent": "KG", "level": "province",
                                   "name": "again", "country": "KG"}, 409, "code"),
                ("/api/v1/sites", {"code": "S9", "name": "x", "area": "ATLANTIS"}, 422, "area"),
                ("/api/v1/forums", {"code": "F9", "kind": "club", "name": "x"}, 400, "kind"),
                ("/api/v1/vehicles", {"code": "V9", "colour": "red"}, 400, "colour")]:
            with self.subTest(path=path, body=body):
                r = COORD.post(path, body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(len(COORD.get("/api/v1/areas").json["items"]), before)
        officer = signed_in(SERVER, "inspector.osh")
        self.assertEqual(officer.get("/api/v1/sites").status, 200)
        self.assertEqual(officer.post("/api/v1/sites", {"code": "S8", "name": "x",
                                                        "area": "KG"}).status, 403)
