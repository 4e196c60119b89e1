#!/usr/bin/env python3
"""bench/activities/sqlload.py: loads a generated CSV straight into the activities tables of
a database that `polis init` made, with plain SQL: no validation, no public id counters, no
audit entries. For measuring reads (list, overlap check, report) at a scale whose import
would take too long on a busy machine; the import itself is measured by `polis import`.
The date-range index (schema 0005) and the overlap check's scoring rows (schema 0021) are
filled with the backfills of their migrations.

The full-text index uses polis's own tokenizer (schema 0008), which Python's sqlite3 does
not have: the rows are loaded into a staging file (DB.load, made by `polis init`) whose
full-text table is switched to SQLite's unicode61 tokenizer, and `polis migrate` then
copies everything into DB, where polis indexes the texts with its own tokenizer as an
import would. DB must not exist.

Usage: sqlload.py [--polis BIN] DB CSV     (BIN: the polis binary, default build/polis)
"""
import csv
import os
import sqlite3
import subprocess
import sys
import time

LISTS = [("activity_partners", "org_code", "partners"),
         ("activity_beneficiaries", "country_code", "beneficiary_countries"),
         ("activity_priorities", "priority_code", "priorities"),
         ("activity_focus_areas", "focus_code", "focus_areas"),
         ("activity_lines", "line_code", "lines"),
         ("activity_target_groups", "target_group", "target_groups")]


def unicode61_fts(path):
    """Switches the staging file's activities_fts to a tokenizer Python's sqlite3 has."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA writable_schema=ON")
    db.execute("UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE name = 'activities_fts'",
               ("tokenize = 'polis'", "tokenize = 'unicode61 remove_diacritics 2'"))
    db.commit()
    db.close()


def remove(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def main():
    args = sys.argv[1:]
    polis = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "polis")
    if len(args) == 4 and args[0] == "--polis":
        polis, args = args[1], args[2:]
    if len(args) != 2 or os.path.exists(args[0]):
        sys.exit(__doc__)
    target, source = args
    staging = target + ".load"
    remove(staging)
    subprocess.run([polis, "init", "--db", staging], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, check=True)
    unicode61_fts(staging)
    db = sqlite3.connect(staging)
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-262144")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    nul = lambda v: v if v != "" else None
    num = lambda v: int(v) if v != "" else None
    start = (db.execute("SELECT COALESCE(MAX(id), 0) FROM activities").fetchone()[0]) + 1
    rows, links, fts = [], {t: [] for t, _, _ in LISTS}, []
    with open(source, encoding="utf-8", newline="") as f:
        for i, r in enumerate(csv.DictReader(f)):
            key = start + i
            budget = int(round(float(r["budget_amount"]) * 100)) if r["budget_amount"] else None
            rows.append((key, "%s-%s-%07d" % (r["lead_org"], r["planned_start"][:4], key),
                         r["type"], r["status"], r["lead_org"], nul(r["host_country"]),
                         r["title_en"], r["title_ru"], r["description_en"], r["title_en"][:120],
                         r["planned_start"], nul(r["planned_end"]), nul(r["actual_start"]),
                         nul(r["actual_end"]), num(r["participants_total"]),
                         num(r["participants_women"]), num(r["participants_men"]),
                         1 if r["tot"] == "true" else 0, budget,
                         nul(r["budget_currency"]) if budget is not None else None,
                         nul(r["budget_source"]) if budget is not None else None, now, now))
            for table, _, member in LISTS:
                for code in dict.fromkeys(c for c in r[member].split(";") if c):
                    links[table].append((key, code))
            fts.append((key, r["title_en"], r["title_ru"], r["description_en"], ""))
    with db:
        db.executemany(
            "INSERT INTO activities(id, public_id, type, status, lead_org, host_country, title_en,"
            " title_ru, description_en, title_sort, planned_start, planned_end, actual_start,"
            " actual_end, participants_total, participants_women, participants_men, tot,"
            " budget_amount_minor, budget_currency, budget_source, created_at, updated_at)"
            " VALUES (" + ", ".join("?" * 23) + ")", rows)
        for table, col, _ in LISTS:
            db.executemany("INSERT INTO %s(activity_id, %s) VALUES (?, ?)" % (table, col),
                           links[table])
        db.executemany("INSERT INTO activities_fts(rowid, title_en, title_ru, description_en,"
                       " description_ru) VALUES (?, ?, ?, ?, ?)", fts)
    # The migrations' own backfills of the date-range index and of the overlap check's
    # scoring rows: each covers every activity, so start from empty tables.
    for name, table in (("0005_activity_periods.sql", "activity_periods"),
                        ("0021_activity_scoring.sql", "activity_scoring")):
        migration = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                      "schema", name), encoding="utf-8").read()
        backfill = migration[migration.index("-- The rows of the activities that exist already."):]
        with db:
            db.execute("DELETE FROM " + table)
        db.executescript("BEGIN;" + backfill + "COMMIT;")
    db.close()
    subprocess.run([polis, "migrate", "--from", staging, "--to", target], check=True)
    remove(staging)
    print(len(rows))


if __name__ == "__main__":
    main()
