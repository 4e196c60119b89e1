"""Concerns by text message through the SMSSync gateway protocol, against a real server: a
message becomes a concern (its first word may name the service) answered with its tracking
code in SMSSync's send task; the same message_id again records nothing new; a message that
is a tracking code gets the status back; a wrong secret is refused; no message text or phone
number reaches the log."""

import re
import unittest
import urllib.parse

from harness import PolisServer, finish, signed_in

SERVER = None
SECRET = "gateway-secret-7"


def setUpModule():
    global SERVER
    SERVER = PolisServer(env={"POLIS_SMS_SECRET": SECRET}).start()


def tearDownModule():
    finish(SERVER)


def sms(fields):
    c = SERVER.client()
    return c.request("POST", "/sms/smssync", urllib.parse.urlencode(fields), raw=True,
                     content_type="application/x-www-form-urlencoded")


class SmsTest(unittest.TestCase):
    def test_message_becomes_concern_and_code_gets_status(self):
        fields = {"from": "+996700111222", "message": "Water: no water in Nariman since Monday",
                  "message_id": "gw-1", "secret": SECRET, "sent_timestamp": "1700000000"}
        r = sms(fields)
        self.assertEqual(r.status, 200, r)
        p = r.json["payload"]
        self.assertTrue(p["success"])
        self.assertEqual(p["task"], "send")
        self.assertEqual(p["messages"][0]["to"], "+996700111222")
        m = re.search(r"Tracking code ([0-9A-Z]{5})-([0-9A-Z]{5})", p["messages"][0]["message"])
        self.assertTrue(m, p)
        code = m.group(1) + m.group(2)
        again = sms(fields)  # the gateway retries
        self.assertIn(m.group(0), again.json["payload"]["messages"][0]["message"])
        admin = signed_in(SERVER)
        rec = admin.get(f"/api/v1/concerns/{code}").json
        self.assertEqual((rec["channel"], rec["service_code"]), ("sms", "water"))
        self.assertEqual(rec["contact"]["phone"], "+996700111222")
        codes = [c["tracking_code"] for c in admin.get("/api/v1/concerns?limit=1000").json["items"]]
        self.assertEqual(codes.count(code), 1)
        admin.post(f"/api/v1/concerns/{code}/events",
                   {"status": "acknowledged", "note": "Water board informed", "public": True})
        r = sms({"from": "+996700111222", "message": code.lower(), "message_id": "gw-2",
                 "secret": SECRET})
        text = r.json["payload"]["messages"][0]["message"]
        self.assertIn("acknowledged", text)
        self.assertIn("Water board informed", text)
        log = SERVER.read_log()
        self.assertNotIn("Nariman", log)
        self.assertNotIn("700111222", log)

    def test_unknown_first_word_files_under_other(self):
        r = sms({"from": "+996700000001", "message": "Someone broke the street lamp",
                 "message_id": "gw-3", "secret": SECRET})
        code = re.search(r"([0-9A-Z]{5})-([0-9A-Z]{5})",
                         r.json["payload"]["messages"][0]["message"])
        rec = signed_in(SERVER).get(f"/api/v1/concerns/{code.group(1) + code.group(2)}").json
        self.assertEqual(rec["service_code"], "other")

    def test_required_questions_do_not_stop_a_text_message(self):
        admin = signed_in(SERVER)
        r = admin.patch("/api/v1/services/rubbish", {"attributes": [
            {"code": "bins", "datatype": "number", "description": "How many bins?",
             "required": True}]})
        self.assertEqual(r.status, 200, r)
        try:
            r = sms({"from": "+996700000009", "message": "Rubbish: bins not emptied",
                     "message_id": "gw-9", "secret": SECRET})
            m = re.search(r"([0-9A-Z]{5})-([0-9A-Z]{5})",
                          r.json["payload"]["messages"][0]["message"])
            self.assertTrue(m, r.json)
            rec = admin.get(f"/api/v1/concerns/{m.group(1) + m.group(2)}").json
            self.assertEqual((rec["service_code"], rec["attributes"]), ("rubbish", {}))
            # The officers' API still enforces it.
            r = admin.post("/api/v1/concerns", {"service_code": "rubbish",
                                                "description": "Bins again"})
            self.assertEqual((r.status, r.json["error"]["field"]), (422, "attribute[bins]"))
        finally:
            admin.patch("/api/v1/services/rubbish", {"attributes": []})

    def test_wrong_secret_and_missing_fields(self):
        r = sms({"from": "+1", "message": "x", "message_id": "gw-4", "secret": "nope"})
        self.assertEqual(r.status, 403)
        self.assertFalse(r.json["payload"]["success"])
        r = sms({"from": "+1", "message_id": "gw-5", "secret": SECRET})
        self.assertEqual(r.status, 400)
        r = sms({"from": "+1", "message": "x" * 2000, "message_id": "gw-6", "secret": SECRET})
        self.assertEqual(r.status, 400)

    def test_closed_without_a_configured_secret(self):
        server = PolisServer().start()
        try:
            c = server.client()
            r = c.request("POST", "/sms/smssync", urllib.parse.urlencode(
                {"from": "+1", "message": "x", "message_id": "a", "secret": ""}), raw=True,
                content_type="application/x-www-form-urlencoded")
            self.assertEqual(r.status, 403)
        finally:
            finish(server)


if __name__ == "__main__":
    unittest.main()
