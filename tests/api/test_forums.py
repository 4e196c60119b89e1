"""Community forums through a real `polis serve` on the demo data (the Community Security
Initiative): a forum with its members and areas, its agenda of the concerns relayed to it,
and meetings whose decisions reach each concern as events the citizen sees — all or
nothing, and only for the forum's members and supervisors."""

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


def agenda(code="CSWG-KS"):
    r = COORD.get(f"/api/v1/forums/{code}/agenda")
    assert r.status == 200, r
    return r.json["items"]


class ForumTest(unittest.TestCase):
    def test_forum_members_and_areas(self):
        r = COORD.get("/api/v1/forums/CSWG-KS")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["kind"], "cswg")
        self.assertEqual([a["code"] for a in r.json["areas"]], ["KG-O-KS"])
        self.assertEqual(len(r.json["members"]), 3)
        self.assertEqual(COORD.get("/api/v1/forums/NO-SUCH").status, 404)

    def test_meeting_decisions_reach_the_concerns(self):
        items = agenda()
        self.assertTrue(items)
        self.assertTrue(all(i["status"] in ("referred", "in_progress") for i in items))
        code = items[0]["tracking_code"]
        members = [m["id"] for m in COORD.get("/api/v1/forums/CSWG-KS").json["members"]]
        r = COORD.post("/api/v1/forums/CSWG-KS/meetings", {
            "held_on": "2013-06-01", "place": "District hall", "attendees": members[:2],
            "decisions": [{"tracking_code": code, "decision": "Patrols agreed with the mahalla",
                           "status": "in_progress" if items[0]["status"] == "referred"
                           else None},
                          ]})
        self.assertEqual(r.status, 201, r)
        meetings = COORD.get("/api/v1/forums/CSWG-KS/meetings").json["items"]
        self.assertEqual(meetings[0]["attendance"], 2)
        self.assertEqual(meetings[0]["decisions"][0]["tracking_code"], code)
        public = SERVER.client().get(f"/api/v1/public/concerns/{code}").json
        self.assertEqual(public["events"][-1]["kind"], "decision")
        self.assertEqual(public["events"][-1]["note"], "Patrols agreed with the mahalla")
        audit = signed_in(SERVER).get("/api/v1/audit?entity=forum_meeting").json["items"]
        self.assertTrue(audit)

    def test_all_or_nothing_and_bad_input(self):
        code = agenda()[0]["tracking_code"]
        before = COORD.get("/api/v1/forums/CSWG-KS/meetings").json["items"]
        events = len(SERVER.client().get(f"/api/v1/public/concerns/{code}").json["events"])
        other_forum_member = COORD.get("/api/v1/forums/LCPC-AR").json["members"][0]["id"]
        cases = [
            ({"held_on": "2013-13-01"}, 400, "held_on"),
            ({"held_on": "2013-06-02", "attendees": [other_forum_member]}, 422, "attendees"),
            ({"held_on": "2013-06-02", "decisions": [{"tracking_code": code, "decision": "ok"},
                                                     {"tracking_code": "ZZZZZZZZZZ",
                                                      "decision": "x"}]}, 422, "decisions"),
            ({"held_on": "2013-06-02", "decisions": [{"tracking_code": code, "decision": "x",
                                                      "status": "received"}]}, 422, "decisions"),
            ({"held_on": "2013-06-02", "decisions": [{"tracking_code": code}]}, 400, "decisions"),
            ({"held_on": "2013-06-02", "minutes": "x"}, 400, "minutes"),
        ]
        for body, status, field in cases:
            with self.subTest(body=body):
                r = COORD.post("/api/v1/forums/CSWG-KS/meetings", body)
                self.assertEqual(r.status, status, r)
                self.assertEqual(r.json["error"]["field"], field)
        self.assertEqual(COORD.get("/api/v1/forums/CSWG-KS/meetings").json["items"], before)
        self.assertEqual(
            len(SERVER.client().get(f"/api/v1/public/concerns/{code}").json["events"]), events)

    def test_forum_page_records_a_meeting(self):
        import re
        import urllib.parse
        # The demo's school racketeering concern in Aravan goes to the centre's agenda.
        concern = COORD.get("/api/v1/concerns?area=KG-O-AR&service_code=school_racketeering")
        code = concern.json["items"][0]["tracking_code"]
        r = COORD.post(f"/api/v1/concerns/{code}/events",
                       {"status": "referred", "forum": "LCPC-AR", "public": True})
        self.assertEqual(r.status, 200, r)
        items = agenda("LCPC-AR")
        self.assertEqual([i["tracking_code"] for i in items], [code])
        page = COORD.get("/forums/LCPC-AR")
        self.assertEqual(page.status, 200)
        self.assertIn("Aravan Local Crime Prevention Centre", page.text)
        csrf = re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)
        member = re.search(r'name="attendee" value="(\d+)"', page.text).group(1)
        fields = {"csrf": csrf, "held_on": "2013-07-01", "place": "Aravan school",
                  "attendee": member, f"decision_{code}": "Parents' meeting at the school",
                  f"public_{code}": "1"}
        r = COORD.request("POST", "/forums/LCPC-AR/meetings", urllib.parse.urlencode(fields),
                          raw=True, content_type="application/x-www-form-urlencoded", csrf=False)
        self.assertEqual(r.status, 303, r)
        page = COORD.get("/forums/LCPC-AR")
        self.assertIn("Parents&#39; meeting at the school", page.text)
        bad = dict(fields, held_on="not a date")
        r = COORD.request("POST", "/forums/LCPC-AR/meetings", urllib.parse.urlencode(bad),
                          raw=True, content_type="application/x-www-form-urlencoded", csrf=False)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(signed_in(SERVER, "inspector.osh").get("/forums/LCPC-AR").status, 403)

    def test_members_and_areas(self):
        r = COORD.post("/api/v1/forums", {"code": "NMT-SK", "kind": "nmt",
                                          "name": "Sokuluk neighbourhood team"})
        self.assertEqual(r.status, 201, r)
        r = COORD.post("/api/v1/forums/NMT-SK/members", {"name": "Inspector", "role": "police",
                                                         "user": "inspector.osh"})
        self.assertEqual(r.status, 201, r)
        r = COORD.request("PUT", "/api/v1/forums/NMT-SK/areas", {"areas": ["KG-C-SK"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([a["code"] for a in r.json["areas"]], ["KG-C-SK"])
        # the inspector, now a member, may open the team's agenda
        self.assertEqual(signed_in(SERVER, "inspector.osh").get(
            "/api/v1/forums/NMT-SK/agenda").status, 200)
        self.assertEqual(COORD.post("/api/v1/forums/NMT-SK/members",
                                    {"name": "x", "user": "nobody"}).status, 422)
        self.assertEqual(COORD.post("/api/v1/forums/NMT-SK/members", {"name": ""}).status, 400)
        self.assertEqual(COORD.request("PUT", "/api/v1/forums/NMT-SK/areas",
                                       {"areas": ["ATLANTIS"]}).status, 422)
        self.assertEqual([a["code"] for a in COORD.get("/api/v1/forums/NMT-SK").json["areas"]],
                         ["KG-C-SK"])
        self.assertEqual(signed_in(SERVER, "inspector.osh").post(
            "/api/v1/forums/NMT-SK/members", {"name": "me"}).status, 403)

    def test_a_member_leaves_history_stays_access_goes(self):
        import re
        import urllib.parse
        r = COORD.post("/api/v1/forums", {"code": "NMT-LV", "kind": "nmt",
                                          "name": "Leavers' neighbourhood team"})
        self.assertEqual(r.status, 201, r)
        inspector = COORD.post("/api/v1/forums/NMT-LV/members",
                               {"name": "Inspector", "role": "police", "user": "inspector.osh"})
        other = COORD.post("/api/v1/forums/NMT-LV/members", {"name": "Elder", "role": "aksakal"})
        self.assertEqual((inspector.status, other.status), (201, 201))
        iid, oid = inspector.json["id"], other.json["id"]
        officer = signed_in(SERVER, "inspector.osh")
        self.assertEqual(officer.get("/api/v1/forums/NMT-LV/agenda").status, 200)
        r = COORD.post("/api/v1/forums/NMT-LV/meetings",
                       {"held_on": "2014-02-01", "attendees": [iid, oid]})
        self.assertEqual(r.status, 201, r)
        # only supervisors remove; an unknown or non-numeric member is refused
        self.assertEqual(officer.delete(f"/api/v1/forums/NMT-LV/members/{oid}").status, 403)
        self.assertEqual(COORD.delete("/api/v1/forums/NMT-LV/members/999999").status, 404)
        self.assertEqual(COORD.delete("/api/v1/forums/NMT-LV/members/x").status, 404)
        self.assertEqual(COORD.delete(f"/api/v1/forums/CSWG-KS/members/{iid}").status, 404)
        self.assertEqual(COORD.delete(f"/api/v1/forums/NMT-LV/members/{iid}").status, 204)
        self.assertEqual(COORD.delete(f"/api/v1/forums/NMT-LV/members/{iid}").status, 404)
        members = COORD.get("/api/v1/forums/NMT-LV").json["members"]
        self.assertEqual([m["id"] for m in members], [oid])
        # the meeting keeps its attendance; the officer no longer acts for the forum
        self.assertEqual(COORD.get("/api/v1/forums/NMT-LV/meetings").json["items"][0]
                         ["attendance"], 2)
        self.assertEqual(officer.get("/api/v1/forums/NMT-LV/agenda").status, 403)
        self.assertEqual(officer.get("/forums/NMT-LV").status, 403)
        r = COORD.post("/api/v1/forums/NMT-LV/meetings",
                       {"held_on": "2014-03-01", "attendees": [iid]})
        self.assertEqual((r.status, r.json["error"]["field"]), (422, "attendees"))
        audit = signed_in(SERVER).get("/api/v1/audit?entity=forum_member").json["items"]
        left = [a for a in audit if a["action"] == "update" and a["entity_id"] == "NMT-LV"]
        self.assertEqual(left[0]["before"]["name"], "Inspector")
        self.assertRegex(left[0]["after"]["left_on"], r"^\d{4}-\d{2}-\d{2}$")
        # through the setup page: a CSRF-checked button
        page = COORD.get("/admin/community/forums/NMT-LV")
        self.assertEqual(page.status, 200, page)
        action = f"/admin/community/forums/NMT-LV/members/{oid}/remove"
        self.assertIn(f'action="{action}#members"', page.text)
        form = {"csrf": re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)}
        post = dict(raw=True, content_type="application/x-www-form-urlencoded", csrf=False)
        r = COORD.request("POST", action, urllib.parse.urlencode({}), **post)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(len(COORD.get("/api/v1/forums/NMT-LV").json["members"]), 1)
        r = COORD.request("POST", action, urllib.parse.urlencode(form), **post)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(COORD.get("/api/v1/forums/NMT-LV").json["members"], [])
        self.assertIn("The member was removed.",
                      COORD.get(r.header("Location").split("#")[0]).text)

    def test_only_members_and_supervisors(self):
        inspector = signed_in(SERVER, "inspector.osh")  # a police officer, not a member
        self.assertEqual(inspector.get("/api/v1/forums/CSWG-KS/agenda").status, 403)
        self.assertEqual(inspector.post("/api/v1/forums/CSWG-KS/meetings",
                                        {"held_on": "2013-06-03"}).status, 403)
        self.assertEqual(signed_in(SERVER, "librarian").get("/api/v1/forums/CSWG-KS").status, 403)
        self.assertEqual(SERVER.client().get("/api/v1/forums/CSWG-KS").status, 401)


if __name__ == "__main__":
    unittest.main()
