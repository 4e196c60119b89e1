"""The co-ordinators' pages of community policing through a real `polis serve`: the setup
page (/admin/community) with its areas, stations, vehicles, forums and services and their
forms, a forum's administration page (members and areas), and a user's areas and station
(/admin/users/{login}/scope). Each form's effect is checked through the JSON API: a saved
form redirects and creates the record, a refused one shows its error next to its field with
the values kept and changes nothing, and a form without the session's CSRF token, from a
role without the permission or from nobody signed in is refused."""

import html as htmllib
import re
import unittest
import urllib.parse

from harness import PolisServer, finish, signed_in

SERVER = None
FORM = "application/x-www-form-urlencoded"


def setUpModule():
    global SERVER
    SERVER = PolisServer().start()


def tearDownModule():
    finish(SERVER)


def post_form(client, path, fields, csrf=True):
    """POSTs fields as an HTML form would, with the session's token in the csrf field (and
    no X-CSRF-Token header) unless csrf is False."""
    fields = list(fields.items()) if isinstance(fields, dict) else list(fields)
    if csrf:
        fields.append(("csrf", client.csrf))
    return client.request("POST", path, urllib.parse.urlencode(fields), raw=True,
                          content_type=FORM, csrf=False)


def codes(client, path):
    r = client.get(path)
    assert r.status == 200, r
    return {item["code"]: item for item in r.json["items"]}


def field_error(html, field_id):
    """The error message shown next to the field with id field_id, or None."""
    m = re.search(r'id="%s-error">([^<]*)<' % re.escape(field_id), html)
    return htmllib.unescape(m.group(1)) if m else None


def input_value(html, field_id):
    m = re.search(r'<input[^>]*id="%s"[^>]*value="([^"]*)"' % re.escape(field_id), html)
    return m.group(1) if m else None


class AccessTest(unittest.TestCase):
    def test_coordinator_sees_every_section_with_its_form(self):
        c = signed_in(SERVER, "coordinator")
        r = c.get("/admin/community")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        for section in ("areas", "sites", "vehicles", "forums", "services"):
            self.assertIn(f'<section id="{section}"', r.text)
        for action in ("areas", "sites", "vehicles", "forums", "services"):
            self.assertIn(f'action="/admin/community/{action}#{action}"', r.text)
        self.assertIn("KG-O-KS-1", r.text)  # a demo area
        self.assertIn('href="/admin/community/forums/CSWG-KS"', r.text)
        self.assertIn('action="/admin/community/services/water/due#services"', r.text)
        self.assertIn('action="/admin/community/services/water/retire#services"', r.text)
        self.assertIn('name="csrf"', r.text)
        self.assertIn('href="/admin/community"', c.get("/").text)  # the nav link

    def test_admin_may_use_it_too(self):
        self.assertEqual(signed_in(SERVER).get("/admin/community").status, 200)

    def test_roles_without_the_permission_get_403_and_no_nav_link(self):
        for login in ("inspector.osh", "librarian", "auditor"):
            c = signed_in(SERVER, login)
            for path in ("/admin/community", "/admin/community/forums/CSWG-KS"):
                r = c.get(path)
                self.assertEqual(r.status, 403, (login, path, r))
                self.assertIn("Your role does not give access to this page.", r.text)
            self.assertNotIn('href="/admin/community"', c.get("/").text, login)
            r = post_form(c, "/admin/community/areas",
                          {"code": "KG-NO-" + login[:3], "name": "Refused", "level": "country",
                           "country": "KG"})
            self.assertEqual(r.status, 403, r)
        self.assertFalse(any(k.startswith("KG-NO-")
                             for k in codes(signed_in(SERVER), "/api/v1/areas")))

    def test_anonymous_is_sent_to_sign_in(self):
        anon = SERVER.client()
        for path in ("/admin/community", "/admin/community/forums/CSWG-KS",
                     "/admin/users/inspector.osh/scope"):
            r = anon.get(path)
            self.assertEqual(r.status, 303, (path, r))
            to = urllib.parse.urlsplit(r.header("Location"))
            self.assertEqual(to.path, "/login")
            self.assertEqual(urllib.parse.parse_qs(to.query)["next"], [path])
        r = anon.request("POST", "/admin/community/areas",
                         urllib.parse.urlencode({"code": "KG-ANON", "name": "Anon",
                                                 "level": "country", "country": "KG"}),
                         raw=True, content_type=FORM)
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/login")
        self.assertNotIn("KG-ANON", codes(signed_in(SERVER), "/api/v1/areas"))

    def test_russian(self):
        c = signed_in(SERVER, "coordinator")
        c.cookies["polis_lang"] = "ru"
        r = c.get("/admin/community")
        self.assertEqual(r.status, 200)
        self.assertIn('<html lang="ru">', r.text)
        self.assertIn("<h1>Настройка работы с населением</h1>", r.text)
        self.assertIn("<h3>Добавить территорию</h3>", r.text)
        self.assertIn('<option value="subdistrict">Участок</option>', r.text)
        r = post_form(c, "/admin/community/areas",
                      {"code": "KG-RU", "name": "", "level": "country", "country": "KG"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-area-name"), "Это поле обязательно.")


class PlacesFormTest(unittest.TestCase):
    def setUp(self):
        self.c = signed_in(SERVER, "coordinator")

    def test_add_an_area_redirects_and_creates_it(self):
        r = post_form(self.c, "/admin/community/areas",
                      {"code": "KG-O-KS-9", "name": "Kyzyl-Kyshtak", "name_ru": "Кызыл-Кыштак",
                       "level": "subdistrict", "parent": "KG-O-KS", "country": "KG"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/community?done=area")
        area = codes(self.c, "/api/v1/areas")["KG-O-KS-9"]
        self.assertEqual((area["parent"], area["level"], area["name"], area["name_ru"]),
                         ("KG-O-KS", "subdistrict", "Kyzyl-Kyshtak", "Кызыл-Кыштак"))
        page = self.c.get("/admin/community?done=area").text
        self.assertIn("The area was added.", page)
        self.assertIn("<td>KG-O-KS-9</td>", page)

    def test_a_refused_area_keeps_its_values_and_changes_nothing(self):
        before = codes(self.c, "/api/v1/areas")
        r = post_form(self.c, "/admin/community/areas",
                      {"code": "KG-O-KS-8", "name": "", "name_ru": "<b>x</b>",
                       "level": "subdistrict", "parent": "KG-O-KS", "country": "KG"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-area-name"), "This field is required.")
        self.assertIn('aria-invalid="true"', r.text)
        self.assertEqual(input_value(r.text, "f-area-code"), "KG-O-KS-8")
        self.assertEqual(input_value(r.text, "f-area-name_ru"), "&lt;b&gt;x&lt;/b&gt;")  # escaped
        self.assertNotIn("<b>x</b>", r.text)
        self.assertIn('<option value="KG-O-KS" selected="selected">', r.text)
        # A subdistrict under a province breaks the hierarchy: the error is next to "Part of".
        r = post_form(self.c, "/admin/community/areas",
                      {"code": "KG-O-KS-8", "name": "Wrong level", "level": "subdistrict",
                       "parent": "KG-O", "country": "KG"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-area-parent"),
                         "The area it is part of must be one level above it.")
        r = post_form(self.c, "/admin/community/areas",
                      {"code": "bad code!", "name": "X", "level": "country", "country": "KG"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-area-code"),
                         "A code is at most 40 letters, digits, - and _.")
        self.assertEqual(codes(self.c, "/api/v1/areas"), before)

    def test_an_existing_code_is_409_next_to_the_code(self):
        r = post_form(self.c, "/admin/community/areas",
                      {"code": "KG", "name": "Again", "level": "country", "country": "KG"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(field_error(r.text, "f-area-code"),
                         "A record with this code already exists.")
        self.assertEqual(codes(self.c, "/api/v1/areas")["KG"]["name"], "Kyrgyzstan")

    def test_without_the_csrf_token_nothing_is_created(self):
        r = post_form(self.c, "/admin/community/areas",
                      {"code": "KG-CSRF", "name": "No token", "level": "country",
                       "country": "KG"}, csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertIn("This form has expired or was sent from another site.", r.text)
        r = post_form(self.c, "/admin/community/areas",
                      [("csrf", "not-the-token"), ("code", "KG-CSRF"), ("name", "Wrong token"),
                       ("level", "country"), ("country", "KG")], csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("KG-CSRF", codes(self.c, "/api/v1/areas"))

    def test_add_a_station_a_vehicle_and_a_forum(self):
        r = post_form(self.c, "/admin/community/sites",
                      {"code": "KG-ST-NR", "name": "Nariman post", "area": "KG-O-KS-2",
                       "address": "Main street 1"})
        self.assertEqual(r.status, 303, r)
        site = codes(self.c, "/api/v1/sites")["KG-ST-NR"]
        self.assertEqual((site["area"], site["address"]), ("KG-O-KS-2", "Main street 1"))
        r = post_form(self.c, "/admin/community/vehicles",
                      {"code": "MPR-09", "plate": "01 KG 999", "site": "KG-ST-NR"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(codes(self.c, "/api/v1/vehicles")["MPR-09"]["site"], "KG-ST-NR")
        r = post_form(self.c, "/admin/community/vehicles", {"code": "MPR-10", "site": ""})
        self.assertEqual(r.status, 303, r)  # plate and station are optional
        self.assertEqual(codes(self.c, "/api/v1/vehicles")["MPR-10"]["site"], "")
        r = post_form(self.c, "/admin/community/forums",
                      {"code": "NMT-NR", "kind": "nmt", "name": "Nariman team", "site": ""})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/community?done=forum")
        self.assertEqual(codes(self.c, "/api/v1/forums")["NMT-NR"]["kind"], "nmt")
        # A station in an area that does not exist: refused next to the area.
        r = post_form(self.c, "/admin/community/sites",
                      {"code": "KG-ST-XX", "name": "Nowhere", "area": "KG-NOPE"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-site-area"), "There is no record with this code.")
        self.assertNotIn("KG-ST-XX", codes(self.c, "/api/v1/sites"))
        r = post_form(self.c, "/admin/community/forums",
                      {"code": "F-BAD", "kind": "club", "name": "Bad kind"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-forum-kind"), "Choose one of the options.")
        self.assertNotIn("F-BAD", codes(self.c, "/api/v1/forums"))

    def test_a_form_that_is_not_urlencoded_is_400(self):
        r = self.c.request("POST", "/admin/community/areas", {"code": "KG-JSON"})
        self.assertEqual(r.status, 400, r)
        self.assertNotIn("KG-JSON", codes(self.c, "/api/v1/areas"))


class ServicesFormTest(unittest.TestCase):
    def setUp(self):
        self.c = signed_in(SERVER, "coordinator")

    def test_add_change_due_days_and_retire(self):
        r = post_form(self.c, "/admin/community/services",
                      [("code", "stray_dogs"), ("name", "Stray dogs"), ("name_ru", "Собаки"),
                       ("group", "Public order"), ("due_days", "21"), ("conduct", "1")])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/community?done=service")
        sv = codes(self.c, "/api/v1/services")["stray_dogs"]
        self.assertEqual((sv["name"], sv["due_days"], sv["conduct"], sv["group"]),
                         ("Stray dogs", 21, True, "Public order"))
        r = post_form(self.c, "/admin/community/services/stray_dogs/due", {"due_days": "7"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(codes(self.c, "/api/v1/services")["stray_dogs"]["due_days"], 7)
        self.assertIn("Your changes were saved.", self.c.get(r.header("Location")).text)
        for bad in ("0", "366", "soon"):
            r = post_form(self.c, "/admin/community/services/stray_dogs/due", {"due_days": bad})
            self.assertEqual(r.status, 422, (bad, r))
            self.assertEqual(field_error(r.text, "f-due-stray_dogs-due_days"),
                             "Enter a number of days from 1 to 365.")
            self.assertEqual(input_value(r.text, "f-due-stray_dogs-due_days"), bad)
        self.assertEqual(codes(self.c, "/api/v1/services")["stray_dogs"]["due_days"], 7)
        r = post_form(self.c, "/admin/community/services/stray_dogs/retire", {}, csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertIn("stray_dogs", codes(self.c, "/api/v1/services"))
        r = post_form(self.c, "/admin/community/services/stray_dogs/retire", {})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/community?done=retired")
        self.assertNotIn("stray_dogs", codes(self.c, "/api/v1/services"))
        page = self.c.get("/admin/community?done=retired").text
        self.assertIn("The service was retired.", page)
        self.assertNotIn("services/stray_dogs/due", page)
        self.assertIn('action="/admin/community/services/stray_dogs/restore#services"', page)
        # Offered again, with the due days it had.
        r = post_form(self.c, "/admin/community/services/stray_dogs/restore", {})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/community?done=restored")
        self.assertEqual(codes(self.c, "/api/v1/services")["stray_dogs"]["due_days"], 7)
        self.assertNotIn("services/stray_dogs/restore", self.c.get("/admin/community").text)

    def test_refused_service_forms(self):
        before = codes(self.c, "/api/v1/services")
        r = post_form(self.c, "/admin/community/services",
                      {"code": "Bad Code", "name": "Bad", "due_days": "10"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-service-code"),
                         "A service's code is 1 to 40 small letters, digits and _.")
        self.assertEqual(input_value(r.text, "f-service-name"), "Bad")
        r = post_form(self.c, "/admin/community/services",
                      {"code": "noise2", "name": "Noise", "due_days": "400"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-service-due_days"),
                         "Enter a number of days from 1 to 365.")
        self.assertEqual(input_value(r.text, "f-service-due_days"), "400")
        r = post_form(self.c, "/admin/community/services", {"code": "water", "name": "Twice"})
        self.assertEqual(r.status, 409, r)
        self.assertEqual(field_error(r.text, "f-service-code"),
                         "A record with this code already exists.")
        self.assertEqual(codes(self.c, "/api/v1/services"), before)
        r = post_form(self.c, "/admin/community/services/no_such/due", {"due_days": "5"})
        self.assertEqual(r.status, 404, r)

    def test_a_police_officer_cannot_change_services(self):
        officer = signed_in(SERVER, "inspector.osh")
        r = post_form(officer, "/admin/community/services/water/retire", {})
        self.assertEqual(r.status, 403, r)
        self.assertIn("water", codes(self.c, "/api/v1/services"))


class ForumAdminTest(unittest.TestCase):
    def setUp(self):
        self.c = signed_in(SERVER, "coordinator")

    def forum(self, code="LCPC-AR"):
        r = self.c.get(f"/api/v1/forums/{code}")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_page_lists_members_and_areas(self):
        r = self.c.get("/admin/community/forums/LCPC-AR")
        self.assertEqual(r.status, 200, r)
        for m in self.forum()["members"]:
            self.assertIn(m["name"].replace("'", "&#39;"), r.text)
        self.assertIn('href="/forums/LCPC-AR"', r.text)
        self.assertIn('action="/admin/community/forums/LCPC-AR/members#members"', r.text)
        for a in self.forum()["areas"]:
            self.assertRegex(r.text, r'value="%s" id="[^"]*" checked' % re.escape(a["code"]))
        self.assertEqual(self.c.get("/admin/community/forums/NOPE").status, 404)

    def test_add_a_member_linked_to_a_login(self):
        r = post_form(self.c, "/admin/community/forums/LCPC-AR/members",
                      {"name": "Aibek Osmonov", "role": "Neighbourhood inspector",
                       "user": "inspector.osh"})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"),
                         "/admin/community/forums/LCPC-AR?done=member#members")
        members = [m["name"] for m in self.forum()["members"]]
        self.assertIn("Aibek Osmonov", members)
        # Linked to the login: that officer may now open the forum's page.
        officer = signed_in(SERVER, "inspector.osh")
        self.assertEqual(officer.get("/forums/LCPC-AR").status, 200)
        page = self.c.get("/admin/community/forums/LCPC-AR?done=member").text
        self.assertIn("The member was added.", page)
        self.assertIn("Aibek Osmonov", page)

    def test_refused_member_changes_nothing(self):
        before = self.forum()["members"]
        r = post_form(self.c, "/admin/community/forums/LCPC-AR/members",
                      {"name": "Ghost", "role": "Guest", "user": "no.such.user"})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-member-user"), "There is no user with this login.")
        self.assertEqual(input_value(r.text, "f-member-name"), "Ghost")
        self.assertEqual(input_value(r.text, "f-member-user"), "no.such.user")
        r = post_form(self.c, "/admin/community/forums/LCPC-AR/members", {"name": ""})
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-member-name"),
                         "Enter a name of 1 to 120 characters.")
        r = post_form(self.c, "/admin/community/forums/LCPC-AR/members", {"name": "Ghost"},
                      csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(self.forum()["members"], before)

    def test_set_the_areas(self):
        r = post_form(self.c, "/admin/community/forums/CSWG-OSH/areas",
                      [("areas", "KG-GO-1"), ("areas", "KG-GO-1-1")])
        self.assertEqual(r.status, 303, r)
        self.assertEqual([a["code"] for a in self.forum("CSWG-OSH")["areas"]],
                         ["KG-GO-1", "KG-GO-1-1"])
        r = post_form(self.c, "/admin/community/forums/CSWG-OSH/areas",
                      [("areas", "KG-GO-1"), ("areas", "KG-NOPE")])
        self.assertEqual(r.status, 422, r)
        self.assertIn("There is no record with this code.", r.text)
        self.assertEqual([a["code"] for a in self.forum("CSWG-OSH")["areas"]],
                         ["KG-GO-1", "KG-GO-1-1"])
        r = post_form(self.c, "/admin/community/forums/CSWG-OSH/areas", [])  # none at all
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.forum("CSWG-OSH")["areas"], [])


class ScopeTest(unittest.TestCase):
    def setUp(self):
        self.admin = signed_in(SERVER)

    def scope(self, login="officer.odihr"):
        r = self.admin.get(f"/api/v1/users/{login}/scope")
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_the_user_page_links_to_the_scope_page(self):
        r = self.admin.get("/admin/users/inspector.osh")
        self.assertIn('href="/admin/users/inspector.osh/scope"', r.text)
        r = self.admin.get("/admin/users/inspector.osh/scope")
        self.assertEqual(r.status, 200, r)
        for a in self.scope("inspector.osh")["areas"]:
            self.assertRegex(r.text, r'value="%s" id="[^"]*" checked' % re.escape(a))
        site = self.scope("inspector.osh")["site"]
        if site:
            self.assertIn(f'<option value="{site}" selected="selected">', r.text)
        self.assertEqual(self.admin.get("/admin/users/nobody.here/scope").status, 404)

    def test_set_areas_and_station(self):
        r = post_form(self.admin, "/admin/users/officer.odihr/scope",
                      [("areas", "KG-O-KS"), ("areas", "KG-O-AR"), ("site", "KG-ST-KS")])
        self.assertEqual(r.status, 303, r)
        self.assertEqual(r.header("Location"), "/admin/users/officer.odihr/scope?done=saved")
        got = self.scope()
        self.assertEqual((sorted(got["areas"]), got["site"]), (["KG-O-AR", "KG-O-KS"], "KG-ST-KS"))
        self.assertIn("Your changes were saved.", self.admin.get(r.header("Location")).text)
        # Refused: a station that does not exist; nothing changes, the choices stay.
        r = post_form(self.admin, "/admin/users/officer.odihr/scope",
                      [("areas", "KG-C"), ("site", "KG-ST-NOPE")])
        self.assertEqual(r.status, 422, r)
        self.assertEqual(field_error(r.text, "f-scope-site"), "There is no record with this code.")
        self.assertRegex(r.text, r'value="KG-C" id="[^"]*" checked')
        got = self.scope()
        self.assertEqual((sorted(got["areas"]), got["site"]), (["KG-O-AR", "KG-O-KS"], "KG-ST-KS"))
        # No station, no areas.
        r = post_form(self.admin, "/admin/users/officer.odihr/scope", {"site": ""})
        self.assertEqual(r.status, 303, r)
        self.assertEqual(self.scope(), {"login": "officer.odihr", "areas": [], "site": None})

    def test_only_administrators(self):
        coord = signed_in(SERVER, "coordinator")
        self.assertEqual(coord.get("/admin/users/officer.odihr/scope").status, 403)
        r = post_form(coord, "/admin/users/officer.odihr/scope", {"areas": "KG", "site": ""})
        self.assertEqual(r.status, 403, r)
        r = post_form(self.admin, "/admin/users/officer.odihr/scope", {"areas": "KG"},
                      csrf=False)
        self.assertEqual(r.status, 403, r)
        self.assertNotIn("KG", self.scope()["areas"])
        self.assertEqual(post_form(self.admin, "/admin/users/nobody.here/scope",
                                   {"site": ""}).status, 404)


if __name__ == "__main__":
    unittest.main()
