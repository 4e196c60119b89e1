#!/usr/bin/env python3
"""bench/activities/raw.py: the raw SQLite ceilings of the activities benchmark, timed with
the same SQLite library polis links (Python's sqlite3 module over libsqlite3), on the
database polis imported, in the same run. Each prints one line of numbers.

  raw.py list DB PRIORITY STATUS N   the list's two-filter page query and the reading of its
                                     50 records with their link rows, N times:
                                     "MEDIAN_MS PAGES_PER_S_ONE_CORE"
  raw.py overlap DB SAMPLE.csv N     the candidate query of the date-range index for N
                                     drafts (each code of the draft in its window):
                                     "MEDIAN_MS"
  raw.py report DB YEAR              the year's totals and its breakdown by priority, the
                                     aggregates the annual report is made of: "MS"
"""
import csv
import datetime as dt
import random
import sqlite3
import statistics
import sys
import time

IDS = ", ".join("?" for _ in range(50))


def connect(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA mmap_size=2147418112")
    db.execute("PRAGMA cache_size=-32768")
    return db


def list_page(db, priority, status):
    ids = [r[0] for r in db.execute(
        "SELECT a.id FROM activities a WHERE a.status = ? AND EXISTS (SELECT 1 FROM"
        " activity_priorities x WHERE x.activity_id = a.id AND x.priority_code = ?)"
        " ORDER BY a.planned_start DESC, a.id DESC LIMIT 51", (status, priority))][:50]
    ids += [None] * (50 - len(ids))
    rows = db.execute("SELECT * FROM activities WHERE id IN (%s)" % IDS, ids).fetchall()
    links = db.execute(
        " UNION ALL ".join(
            "SELECT activity_id, %d, %s FROM %s WHERE activity_id IN (%s)" % (k, col, table, IDS)
            for k, (table, col) in enumerate([
                ("activity_partners", "org_code"), ("activity_beneficiaries", "country_code"),
                ("activity_priorities", "priority_code"), ("activity_focus_areas", "focus_code"),
                ("activity_lines", "line_code"), ("activity_target_groups", "target_group"),
                ("activity_participants", "country_code")])) + " ORDER BY 1, 2, 3",
        ids * 7).fetchall()
    return len(rows) + len(links)


def month(d):
    return d.year * 12 + d.month - 1


def overlap_candidates(db, row, window=90):
    start = dt.date.fromisoformat(row["planned_start"])
    end = dt.date.fromisoformat(row["planned_end"]) if row["planned_end"] else start
    lo, hi = start - dt.timedelta(days=window), end + dt.timedelta(days=window)
    codes = [("f", c) for c in row["focus_areas"].split(";") if c]
    codes += [("p", c) for c in row["priorities"].split(";") if c]
    codes += [("c", c) for c in set(row["beneficiary_countries"].split(";") +
                                    [row["host_country"]]) if c]
    found = set()
    for kind, code in codes:
        for (aid,) in db.execute(
                "SELECT activity_id FROM activity_periods WHERE kind = ? AND code = ?"
                " AND month BETWEEN ? AND ? AND first_day <= ? AND last_day >= ?"
                " AND lead_org <> ?",
                (kind, code, month(lo), month(hi), hi.isoformat(), lo.isoformat(),
                 row["lead_org"])):
            found.add(aid)
    return len(found)


def main():
    kind, path = sys.argv[1], sys.argv[2]
    db = connect(path)
    if kind == "list":
        n = int(sys.argv[5])
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            list_page(db, sys.argv[3], sys.argv[4])
            times.append((time.perf_counter() - t0) * 1000)
        med = statistics.median(times)
        print(f"{med:.3f} {1000 / med:.0f}")
    elif kind == "overlap":
        rows = list(csv.DictReader(open(sys.argv[3], encoding="utf-8")))
        rng = random.Random(7)
        times = []
        for _ in range(int(sys.argv[4])):
            row = rng.choice(rows)
            t0 = time.perf_counter()
            overlap_candidates(db, row)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{statistics.median(times):.3f}")
    elif kind == "report":
        y = int(sys.argv[3])
        first, last = f"{y:04d}-01-01", f"{y:04d}-12-31"
        where = ("a.planned_start <= ? AND COALESCE(a.planned_end, a.planned_start) >= ?")
        t0 = time.perf_counter()
        db.execute("SELECT COUNT(*), SUM(participants_total), SUM(participants_women)"
                   " FROM activities a WHERE " + where, (last, first)).fetchall()
        db.execute("SELECT x.priority_code, COUNT(*), SUM(a.participants_total) FROM activities"
                   " a JOIN activity_priorities x ON x.activity_id = a.id WHERE " + where +
                   " GROUP BY x.priority_code", (last, first)).fetchall()
        print(f"{(time.perf_counter() - t0) * 1000:.1f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
