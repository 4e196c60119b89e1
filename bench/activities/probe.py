#!/usr/bin/env python3
"""bench/activities/probe.py: times requests one at a time (one keep-alive connection, no
concurrency) against a polis server on loopback, and prints "COUNT MEDIAN_MS P95_MS MAX_MS
STATUS_ERRORS". Used by bench/activities.sh for the latency figures that wrk's throughput
runs do not give.

  probe.py overlap URL TOKEN SAMPLE.csv N [OUT]
                                            POST /api/v1/activities/overlaps-check with N
                                            drafts made from the rows of SAMPLE.csv (a new
                                            activity like an existing one, dates moved); OUT
                                            receives each answer's body, one a line, to
                                            compare the candidates two builds find
  probe.py get URL TOKEN PATH N             GET PATH N times
"""
import csv
import datetime as dt
import http.client
import json
import random
import statistics
import sys
import time
import urllib.parse


def draft_from(row, rng):
    start = dt.date.fromisoformat(row["planned_start"]) + dt.timedelta(days=rng.randint(-20, 20))
    days = 0
    if row["planned_end"]:
        days = (dt.date.fromisoformat(row["planned_end"]) -
                dt.date.fromisoformat(row["planned_start"])).days
    split = lambda v: [x for x in v.split(";") if x]
    d = {"title": {"en": row["title_en"]}, "type": row["type"], "status": "planned",
         "lead_org": row["lead_org"], "planned_start": start.isoformat(),
         "priorities": split(row["priorities"]), "focus_areas": split(row["focus_areas"]),
         "beneficiary_countries": split(row["beneficiary_countries"])}
    if row["host_country"]:
        d["host_country"] = row["host_country"]
    if days:
        d["planned_end"] = (start + dt.timedelta(days=days)).isoformat()
    return d


def main():
    kind, url, token = sys.argv[1], sys.argv[2], sys.argv[3]
    u = urllib.parse.urlparse(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("probe: loopback only")
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    rng = random.Random(7)
    if kind == "overlap":
        rows = list(csv.DictReader(open(sys.argv[4], encoding="utf-8")))
        n = int(sys.argv[5])
        reqs = [("POST", "/api/v1/activities/overlaps-check",
                 json.dumps(draft_from(rng.choice(rows), rng)).encode()) for _ in range(n)]
    else:
        n = int(sys.argv[5])
        reqs = [("GET", sys.argv[4], None)] * n
    out = open(sys.argv[6], "wb") if kind == "overlap" and len(sys.argv) > 6 else None
    times, errors = [], 0
    for i, (method, path, body) in enumerate(reqs):
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        answer = r.read()
        t1 = time.perf_counter()
        if out:
            out.write(answer.replace(b"\n", b"") + b"\n")
        if r.status != 200:
            errors += 1
            if errors == 1:
                print(f"probe: {method} {path} answered {r.status}", file=sys.stderr)
        if i > 0 or n == 1:  # the first request warms the connection and caches
            times.append((t1 - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{len(times)} {statistics.median(times):.2f} {p95:.2f} {times[-1]:.2f} {errors}")


if __name__ == "__main__":
    main()
