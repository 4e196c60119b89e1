"""`polis migrate` on real databases: a demo database with changes made through a real
`polis serve` is copied to a new SQLite file and, when a PostgreSQL server is available,
to PostgreSQL and back. Every table's rows are compared with the source, the audit chain
verifies with the same head, a server on the copy signs in, searches and writes; a
non-empty target is refused unless --replace is given; usage errors exit 2."""

import os
import re
import sqlite3
import unittest

from harness import (PG_URL, PolisServer, db_rows, finish, on_postgres, pg_url, psql,
                     run_polis, signed_in)

SOURCE = None
ACTIVITY = None


def setUpModule():
    global SOURCE, ACTIVITY
    if on_postgres():
        raise unittest.SkipTest("the source of these tests is a SQLite file")
    SOURCE = PolisServer().start()
    admin = signed_in(SOURCE)
    r = admin.post("/api/v1/activities", {
        "title": {"en": "Migratable workshop on trafficking", "ru": "Семинар о торговле людьми"},
        "type": "workshop", "status": "planned", "lead_org": "SPMU",
        "planned_start": "2015-03-01", "priorities": ["THB"], "documents": [1]})
    assert r.status == 201, r
    ACTIVITY = r.json["id"]
    r = admin.post("/api/v1/documents", {"title": "Migratable handbook", "year": 2015})
    assert r.status == 201, r
    SOURCE.stop()  # the source is quiescent while it is copied


def tearDownModule():
    if SOURCE:
        finish(SOURCE)


def data_tables(path):
    """The tables of a SQLite file that hold rows of their own (no full-text tables: their
    tokenizer is polis's, so only polis reads them; the checksums cover them)."""
    con = sqlite3.connect(path)
    try:
        virtual = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
        return [n for n in names if not any(n.startswith(v + "_") for v in virtual)
                and n != "schema_migrations"]  # the target's own, with its own times
    finally:
        con.close()


def all_rows(path, table):
    con = sqlite3.connect(path)
    try:
        return sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
    finally:
        con.close()


def migrate(*args):
    return run_polis("migrate", *args)


def checksums(stdout):
    """{table: (rows, checksum)} from migrate's report."""
    return {m.group(1): (int(m.group(2)), m.group(3)) for m in re.finditer(
        r"^(\w+) +(\d+) rows  checksum ([0-9a-f]{16})  verified$", stdout, re.M)}


def head(db):
    p = run_polis("check", "--db", db)
    assert p.returncode == 0, p.stderr
    return re.search(r"audit head: entry \d+, hash [0-9a-f]{64}", p.stdout).group(0)


class MigrateTest(unittest.TestCase):
    def assert_same_as_source(self, path):
        tables = data_tables(SOURCE.db)
        self.assertEqual(data_tables(path), tables)
        self.assertIn("audit", tables)
        for t in tables:
            with self.subTest(table=t):
                self.assertEqual(all_rows(path, t), all_rows(SOURCE.db, t))

    def assert_serves(self, db, env=None):
        """A server on the copy: the same password signs in, the copied activity is found
        by a word form of its title, and a new one gets the next free id."""
        server = PolisServer(env=env)
        server.db, server.initialized = db, True
        server.start()
        try:
            admin = signed_in(server)
            r = admin.get(f"/api/v1/activities/{ACTIVITY}")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["documents"], [1])
            if not db.startswith("postgres"):
                found = admin.get("/api/v1/activities?q=migratable%20workshops").json["items"]
                self.assertEqual([a["id"] for a in found], [ACTIVITY])
            r = admin.post("/api/v1/activities", {
                "title": {"en": "After the move"}, "type": "seminar", "lead_org": "SPMU",
                "planned_start": "2015-04-01", "priorities": ["THB"]})
            self.assertEqual(r.status, 201, r)
            self.assertNotEqual(r.json["id"], ACTIVITY)
            r = admin.post("/api/v1/documents", {"title": "After the move", "year": 2016})
            self.assertEqual(r.status, 201, r)
        finally:
            server.stop()

    def test_sqlite_to_sqlite(self):
        target = os.path.join(SOURCE.dir, "copy.db")
        p = migrate("--from", SOURCE.db, "--to", target)
        self.assertEqual(p.returncode, 0, p.stderr)
        sums = checksums(p.stdout)
        self.assertEqual(sums["activities"][0], len(all_rows(SOURCE.db, "activities")))
        self.assertIn("activities_fts", sums)
        self.assertIn("verified, head: entry", p.stdout)
        self.assertEqual(head(target), head(SOURCE.db))
        self.assert_same_as_source(target)

        # a target with data is refused and left as it is; --replace starts it over
        p = migrate("--from", SOURCE.db, "--to", target)
        self.assertEqual(p.returncode, 4, p.stdout)
        self.assertIn("not empty", p.stderr)
        self.assertIn("--replace", p.stderr)
        self.assert_same_as_source(target)
        self.assert_serves(target)
        self.assertNotEqual(head(target), head(SOURCE.db))
        p = migrate("--from", SOURCE.db, "--to", target, "--replace")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(checksums(p.stdout), sums)
        self.assert_same_as_source(target)
        self.assertEqual(head(target), head(SOURCE.db))

    def test_usage_and_missing_source(self):
        target = os.path.join(SOURCE.dir, "unused.db")
        for args in [("--from", SOURCE.db), ("--to", target),
                     ("--from", SOURCE.db, "--to", target, "extra"),
                     ("--from", SOURCE.db, "--to", target, "--colour")]:
            with self.subTest(args=args):
                p = migrate(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("usage: polis migrate", p.stderr)
        p = migrate("--from", SOURCE.db, "--to", SOURCE.db)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("the same database", p.stderr)
        p = migrate("--from", os.path.join(SOURCE.dir, "none.db"), "--to", target)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("no database at", p.stderr)
        self.assertFalse(os.path.exists(target))
        p = migrate("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--replace", p.stdout)

    @unittest.skipUnless(PG_URL, "no PostgreSQL server (POLIS_TEST_PG)")
    def test_postgresql_and_back(self):
        name = f"polis_migrate_{os.getpid()}"
        psql(PG_URL, f"DROP DATABASE IF EXISTS {name}")
        psql(PG_URL, f"CREATE DATABASE {name}")
        url = pg_url(name)
        back = os.path.join(SOURCE.dir, "back.db")
        try:
            p = migrate("--from", SOURCE.db, "--to", url)
            self.assertEqual(p.returncode, 0, p.stderr)
            there = checksums(p.stdout)
            self.assertEqual(head(url), head(SOURCE.db))
            self.assertEqual(db_rows(url, "SELECT count(*) FROM activities")[0][0],
                             len(all_rows(SOURCE.db, "activities")))
            p = migrate("--from", url, "--to", back)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(checksums(p.stdout), there)
            self.assertEqual(head(back), head(SOURCE.db))
            self.assert_same_as_source(back)

            p = migrate("--from", SOURCE.db, "--to", url)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("not empty", p.stderr)
            self.assert_serves(url, env={"POLIS_FILES": os.path.join(SOURCE.dir, "pgfiles")})
            p = migrate("--from", SOURCE.db, "--to", url, "--replace")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(checksums(p.stdout), there)
            self.assertEqual(head(url), head(SOURCE.db))
        finally:
            psql(PG_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    unittest.main()
