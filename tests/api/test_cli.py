"""The polis command line on real files: help and exit codes, init, user and token
administration seen through a running server, the audit-chain check against a
tampered database, and online backup while the server is being written to."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

from harness import (ADMIN_PASSWORD, PolisServer, db_rows, finish, on_postgres, run_polis,
                     sanitizer_report, signed_in)

SERVER = None
TMP = None
SUBCOMMANDS = ["init", "serve", "user", "token", "backup", "check", "version"]


def setUpModule():
    global SERVER, TMP
    SERVER = PolisServer().start()
    TMP = tempfile.mkdtemp(prefix="polis-cli-")


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)
    finish(SERVER)


def polis(*args, stdin=None):
    """Runs polis and fails the test on any sanitizer report on stderr."""
    proc = run_polis(*args, stdin=stdin)
    report = sanitizer_report(proc.stderr)
    if report:
        raise AssertionError(f"sanitizer report from polis {' '.join(args)}:\n{report}")
    return proc


def fresh_db(name, demo=False):
    path = os.path.join(TMP, name)
    args = ["init", "--db", path, "--admin-password-stdin"] + (["--demo"] if demo else [])
    proc = polis(*args, stdin=ADMIN_PASSWORD + "\n")
    assert proc.returncode == 0, proc.stderr
    return path


def sqlite3_cli(db, script):
    proc = subprocess.run(["sqlite3", db, script], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


class HelpTest(unittest.TestCase):
    def test_help_and_usage_errors(self):
        r = polis("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        for cmd in SUBCOMMANDS:
            self.assertIn(cmd, r.stdout)
        for cmd in SUBCOMMANDS:
            r = polis(cmd, "--help")
            self.assertEqual(r.returncode, 0, (cmd, r.stderr))
            self.assertIn("usage: polis " + cmd, r.stdout, cmd)
        for cmd in ("user", "token"):
            r = polis(cmd, "list", "--help")
            self.assertEqual(r.returncode, 0, (cmd, r.stderr))
            self.assertIn("usage: polis " + cmd, r.stdout)
        r = polis("frobnicate")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown command", r.stderr)
        self.assertEqual(polis().returncode, 2)
        self.assertEqual(polis("check").returncode, 2, "no --db and no POLIS_DB")
        self.assertEqual(polis("check", "--db", SERVER.db, "--bogus").returncode, 2)
        self.assertEqual(polis("user", "frobnicate", "--db", SERVER.db, "--login", "x").returncode, 2)
        self.assertEqual(polis("backup", "--db", SERVER.db).returncode, 2, "OUT missing")
        r = polis("version")
        self.assertEqual(r.returncode, 0)
        self.assertIn("polis ", r.stdout)
        self.assertIn("sqlite", r.stdout)


class InitTest(unittest.TestCase):
    def table_counts(self, db):
        # Full-text tables need Polis's tokenizer to be read; their shadow tables are counted.
        tables = [r[0] for r in db_rows(db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " AND name NOT LIKE 'sqlite_%'"
                                            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'")]
        return {t: db_rows(db, f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}

    def test_init_twice_is_idempotent(self):
        db = fresh_db("twice.db", demo=True)
        before = self.table_counts(db)
        hashes = db_rows(db, "SELECT login, password_hash FROM users ORDER BY login")
        self.assertGreaterEqual(before["users"], 7)
        r = polis("init", "--db", db, "--demo", "--admin-password-stdin", stdin="another password here\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = polis("init", "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("password", r.stdout, "no password is generated when an admin exists")
        self.assertEqual(self.table_counts(db), before)
        self.assertEqual(db_rows(db, "SELECT login, password_hash FROM users ORDER BY login"), hashes)
        r = polis("check", "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)

    @unittest.skipIf(on_postgres(), "copies a SQLite file into the server's place")
    def test_init_generates_a_password_once(self):
        db = os.path.join(TMP, "generated.db")
        r = polis("init", "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("password '", r.stdout)
        password = r.stdout.split("password '", 1)[1].split("'", 1)[0]
        self.assertGreaterEqual(len(password), 16)
        srv = PolisServer(demo=False)
        shutil.copy(db, srv.db)
        srv.start()
        self.addCleanup(finish, srv)
        self.assertEqual(srv.client().login("admin", password).status, 200)

    def test_init_environment_db(self):
        db = os.path.join(TMP, "env.db")
        proc = run_polis("init", "--admin-password-stdin", stdin=ADMIN_PASSWORD + "\n",
                         env={"POLIS_DB": db})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertTrue(os.path.exists(db))


class AccountsTest(unittest.TestCase):
    def test_user_add_then_login(self):
        r = polis("user", "add", "--db", SERVER.db, "--login", "cli.user", "--role", "librarian",
                  "--org", "SPMU", "--name", "Made in the shell", "--password-stdin",
                  stdin="a shell typed password\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = SERVER.client()
        r = c.login("cli.user", "a shell typed password")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["user"]["display_name"], "Made in the shell")
        self.assertEqual(r.json["user"]["org"], "SPMU")
        audit = signed_in(SERVER).get("/api/v1/audit?entity=user&entity_id=cli.user").json["items"]
        self.assertEqual([(e["actor"], e["action"]) for e in audit], [("cli", "create")])

    def test_user_add_refusals(self):
        base = ["user", "add", "--db", SERVER.db, "--password-stdin"]
        r = polis(*base, "--login", "admin", "--role", "auditor", stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("login", r.stderr)
        r = polis(*base, "--login", "cli.badrole", "--role", "emperor", stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        self.assertIn("role", r.stderr)
        r = polis(*base, "--login", "cli.badorg", "--role", "librarian", "--org", "NOPE",
                  stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = polis(*base, "--login", "cli.shortpw", "--role", "librarian", stdin="short\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = polis(*base, "--login", "Bad Login", "--role", "librarian", stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = polis(*base, "--login", "cli.nopw", "--role", "librarian", stdin="")
        self.assertEqual(r.returncode, 4, r.stderr)
        r = polis("user", "add", "--db", SERVER.db, "--login", "cli.noflag", "--role", "librarian",
                  stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(r.returncode, 4, r.stderr)
        logins = {row[0] for row in db_rows(SERVER.db, "SELECT login FROM users")}
        for bad in ("cli.badrole", "cli.badorg", "cli.shortpw", "Bad Login", "cli.nopw", "cli.noflag"):
            self.assertNotIn(bad, logins)
        self.assertEqual(db_rows(SERVER.db, "SELECT role FROM users WHERE login = 'admin'"), [("admin",)])
        r = polis("user", "passwd", "--db", SERVER.db, "--login", "no.such.user", "--password-stdin",
                  stdin=ADMIN_PASSWORD + "\n")
        self.assertEqual(r.returncode, 4, r.stderr)

    def test_passwd_disable_enable_list(self):
        r = polis("user", "add", "--db", SERVER.db, "--login", "cli.cycle", "--role", "auditor",
                  "--password-stdin", stdin="first password here\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        session = SERVER.client()
        self.assertEqual(session.login("cli.cycle", "first password here").status, 200)
        r = polis("user", "passwd", "--db", SERVER.db, "--login", "cli.cycle", "--password-stdin",
                  stdin="second password here\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(session.get("/api/v1/session").status, 401, "passwd ends sessions")
        self.assertEqual(SERVER.client().login("cli.cycle", "first password here").status, 401)
        self.assertEqual(SERVER.client().login("cli.cycle", "second password here").status, 200)

        r = polis("user", "disable", "--db", SERVER.db, "--login", "cli.cycle")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(SERVER.client().login("cli.cycle", "second password here").status, 401)
        r = polis("user", "list", "--db", SERVER.db)
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = {line.split()[0]: line.split() for line in r.stdout.splitlines()[1:] if line.strip()}
        self.assertEqual(rows["cli.cycle"][1], "auditor")
        self.assertEqual(rows["cli.cycle"][3], "disabled")
        self.assertEqual(rows["admin"][3], "active")
        in_db = {row[0] for row in db_rows(SERVER.db, "SELECT login FROM users")}
        self.assertEqual(set(rows), in_db)

        r = polis("user", "enable", "--db", SERVER.db, "--login", "cli.cycle")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(SERVER.client().login("cli.cycle", "second password here").status, 200)

    def test_token_create_and_revoke(self):
        r = polis("token", "create", "--db", SERVER.db, "--login", "officer.odihr", "--name", "cron")
        self.assertEqual(r.returncode, 0, r.stderr)
        token = r.stdout.strip()
        self.assertTrue(token.startswith("polis_"), r.stdout)
        self.assertNotIn(token, r.stderr)
        c = SERVER.client()
        c.token = token
        s = c.get("/api/v1/session")
        self.assertEqual(s.status, 200, s)
        self.assertEqual(s.json["user"]["login"], "officer.odihr")
        listing = polis("token", "list", "--db", SERVER.db, "--login", "officer.odihr")
        self.assertEqual(listing.returncode, 0, listing.stderr)
        self.assertNotIn(token, listing.stdout)
        ids = [line.split()[0] for line in listing.stdout.splitlines()[1:]
               if "cron" in line and "active" in line]
        self.assertEqual(len(ids), 1, listing.stdout)
        r = polis("token", "revoke", "--db", SERVER.db, "--id", ids[0])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(c.get("/api/v1/session").status, 401)
        self.assertEqual(polis("token", "revoke", "--db", SERVER.db, "--id", ids[0]).returncode, 4)
        self.assertEqual(polis("token", "revoke", "--db", SERVER.db, "--id", "abc").returncode, 4)
        self.assertEqual(polis("token", "create", "--db", SERVER.db, "--login", "no.such.user").returncode, 4)


class CheckTest(unittest.TestCase):
    def test_check_passes_on_a_fresh_db(self):
        db = fresh_db("fresh.db")
        r = polis("check", "--db", db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)
        n = db_rows(db, "SELECT COUNT(*) FROM audit")[0][0]
        self.assertIn(f"audit chain of {n} entries", r.stdout)

    def test_altered_entry_is_found(self):
        db = fresh_db("altered.db")
        self.assertEqual(polis("check", "--db", db).returncode, 0)
        sqlite3_cli(db, "DROP TRIGGER audit_no_update; UPDATE audit SET actor='mallory' WHERE id=2;")
        r = polis("check", "--db", db)
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        self.assertIn("entry 2", r.stderr)

    def test_deleted_entry_is_found(self):
        db = fresh_db("deleted.db")
        sqlite3_cli(db, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id=3;")
        r = polis("check", "--db", db)
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        self.assertIn("entry 4", r.stderr)

    def test_altered_last_entry_is_found(self):
        # No later entry links to the last one; its own hash must give it away.
        db = fresh_db("last.db")
        last = db_rows(db, "SELECT MAX(id) FROM audit")[0][0]
        sqlite3_cli(db, "DROP TRIGGER audit_no_update;"
                        f" UPDATE audit SET after = '{{\"role\":\"admin\"}}' WHERE id = {last};")
        r = polis("check", "--db", db)
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        self.assertIn(f"entry {last}", r.stderr)

    def test_removed_tail_is_found_against_a_recorded_head(self):
        # Removing the newest entries leaves a valid shorter chain; the head that an
        # earlier check printed is what gives the removal away.
        db = fresh_db("tail.db")
        first = polis("check", "--db", db)
        self.assertEqual(first.returncode, 0, first.stderr)
        m = re.search(r"audit head: entry (\d+), hash ([0-9a-f]{64})", first.stdout)
        self.assertIsNotNone(m, first.stdout)
        head_id, head = int(m.group(1)), m.group(2)
        self.assertEqual(db_rows(db, "SELECT hash FROM audit WHERE id = ?", (head_id,))[0][0], head)
        self.assertEqual(polis("check", "--db", db, "--expect-head", head).returncode, 0)
        sqlite3_cli(db, f"DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = {head_id};")
        shorter = polis("check", "--db", db)
        self.assertEqual(shorter.returncode, 0, "a truncated chain is still a valid chain")
        r = polis("check", "--db", db, "--expect-head", head)
        self.assertEqual(r.returncode, 3, (r.stdout, r.stderr))
        self.assertIn(head, r.stderr)

    def test_check_refuses_missing_db(self):
        r = polis("check", "--db", os.path.join(TMP, "does-not-exist.db"))
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(os.path.join(TMP, "does-not-exist.db")))


@unittest.skipIf(on_postgres(), "polis backup copies SQLite files; PostgreSQL uses pg_dump")
class BackupTest(unittest.TestCase):
    def test_backup_while_serving_and_writing(self):
        acknowledged = []
        lock = threading.Lock()
        stop = threading.Event()
        errors = []

        def writer(prefix):
            c = signed_in(SERVER)
            i = 0
            while not stop.is_set() and i < 40:
                login = f"{prefix}.{i}"
                r = c.post("/api/v1/users", {"login": login, "role": "librarian", "org": "SPMU",
                                             "password": ADMIN_PASSWORD})
                if r.status == 201:
                    with lock:
                        acknowledged.append(login)
                else:
                    errors.append(r)
                i += 1
            c.close()

        threads = [threading.Thread(target=writer, args=(f"bk{t}",)) for t in range(2)]
        for t in threads:
            t.start()
        deadline = time.time() + 30
        while time.time() < deadline:
            with lock:
                if len(acknowledged) >= 4:
                    break
            time.sleep(0.05)
        with lock:
            before_backup = list(acknowledged)
        out = os.path.join(TMP, "online.backup")
        r = polis("backup", "--db", SERVER.db, out)
        stop.set()
        for t in threads:
            t.join(60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(errors, [])
        self.assertGreaterEqual(len(before_backup), 4)
        self.assertGreater(len(acknowledged), len(before_backup), "writes went on around the backup")
        check = polis("check", "--db", out)
        self.assertEqual(check.returncode, 0, check.stderr)
        in_backup = {row[0] for row in db_rows(out, "SELECT login FROM users")}
        for login in before_backup:
            self.assertIn(login, in_backup)
        # Each user in the backup has its audit entry there too.
        audited = {row[0] for row in db_rows(out, "SELECT entity_id FROM audit WHERE entity = 'user'"
                                                  " AND action = 'create'")}
        self.assertTrue(in_backup <= audited)
        self.assertTrue(SERVER.alive())
        # The backup is a working database.
        srv = PolisServer(demo=False)
        shutil.copy(out, srv.db)
        srv.start()
        self.addCleanup(finish, srv)
        self.assertEqual(srv.client().login(before_backup[0]).status, 200)

    def test_backup_refuses_an_existing_file(self):
        out = os.path.join(TMP, "exists.backup")
        with open(out, "w") as f:
            f.write("precious")
        r = polis("backup", "--db", SERVER.db, out)
        self.assertEqual(r.returncode, 4, r.stderr)
        with open(out) as f:
            self.assertEqual(f.read(), "precious")

    def test_backup_of_missing_db(self):
        out = os.path.join(TMP, "never.backup")
        r = polis("backup", "--db", os.path.join(TMP, "missing.db"), out)
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
