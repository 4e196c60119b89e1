#!/usr/bin/env python3
"""bench/activities/sqlload.py: loads a generated CSV straight into the activities tables of
a database that `polis init` made, with plain SQL: no validation, no public id counters, no
audit entries. For measuring reads (list, overlap check, report) at a scale whose import
would take too long on a busy machine; the import itself is measured by `polis import`.
The date-range index (schema 0005) is filled with the backfill of its migration.

Usage: sqlload.py DB CSV
"""
import csv
import os
import sqlite3
import sys
import time

LISTS = [("activity_partners", "org_code", "partners"),
         ("activity_beneficiaries", "country_code", "beneficiary_countries"),
         ("activity_priorities", "priority_code", "priorities"),
         ("activity_focus_areas", "focus_code", "focus_areas"),
         ("activity_lines", "line_code", "lines"),
         ("activity_target_groups", "target_group", "target_groups")]


def main():
    db = sqlite3.connect(sys.argv[1])
    db.execute("PRAGMA foreign_keys=OFF")
    db.execute("PRAGMA cache_size=-262144")
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    nul = lambda v: v if v != "" else None
    num = lambda v: int(v) if v != "" else None
    start = (db.execute("SELECT COALESCE(MAX(id), 0) FROM activities").fetchone()[0]) + 1
    rows, links, fts = [], {t: [] for t, _, _ in LISTS}, []
    with open(sys.argv[2], encoding="utf-8", newline="") as f:
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
    # The migration's own backfill: it indexes every activity, so start from an empty index.
    migration = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                  "schema", "0005_activity_periods.sql"), encoding="utf-8").read()
    backfill = migration[migration.index("-- The rows of the activities that exist already."):]
    with db:
        db.execute("DELETE FROM activity_periods")
    db.executescript("BEGIN;" + backfill + "COMMIT;")
    print(len(rows))


if __name__ == "__main__":
    main()
