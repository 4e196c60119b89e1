#!/usr/bin/env python3
"""bench/library/client.py: sequential latency of GET /api/v1/library/search over one
keep-alive connection, per query class, and the wrk script for the throughput mix.

  client.py latency URL TOKEN QUERIES COUNT MAX_SECONDS   prints one line per class and
      frequency: "class frequency requests p50_ms p99_ms errors mean_total"
  client.py once URL TOKEN QUERIES SAMPLES [PARAMS]           sends every query of the list
      once (a server that has not seen them: the cold figure), appending "class frequency ms
      total" lines to SAMPLES; PARAMS is extra query string (e.g. facets=false)
  client.py summary SAMPLES                                  the lines of latency's format
      for the samples of one or more `once` runs
  client.py wrk-lua QUERIES OUT.lua                          writes a wrk script that cycles
      through every query of the list

Loopback only: URL must be http://127.0.0.1:PORT. Every loop is bounded in count and time.
"""
import http.client
import json
import sys
import time
import urllib.parse

PAGE_LIMIT = 20


def read_queries(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 4:
                out.append(tuple(parts))
    return out


def path_of(query, extra=""):
    path = "/api/v1/library/search?" + urllib.parse.urlencode({"q": query, "limit": PAGE_LIMIT})
    return path + ("&" + extra if extra else "")


def percentile(values, p):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p * (len(values) - 1) + 0.5))]


def latency(url, token, queries_path, count, max_seconds):
    parsed = urllib.parse.urlsplit(url)
    if parsed.hostname != "127.0.0.1":
        sys.exit("client.py: refusing a non-loopback URL")
    queries = read_queries(queries_path)
    headers = {"Authorization": "Bearer " + token}
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    for cls in ("one", "two", "phrase"):
        mine = [q for q in queries if q[0] == cls]
        samples = {}  # frequency -> [ms]
        totals = {}
        errors = 0
        deadline = time.monotonic() + max_seconds
        sent = 0
        while sent < count and time.monotonic() < deadline:
            _, freq, _, text = mine[sent % len(mine)]
            t0 = time.perf_counter()
            try:
                conn.request("GET", path_of(text), headers=headers)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
                errors += 1
                sent += 1
                continue
            ms = (time.perf_counter() - t0) * 1000
            sent += 1
            if resp.status != 200:
                errors += 1
                continue
            samples.setdefault(freq, []).append(ms)
            if sent <= len(mine):
                totals.setdefault(freq, []).append(json.loads(body)["total"])
        every = [v for vs in samples.values() for v in vs]
        all_totals = [t for ts in totals.values() for t in ts]
        for freq, vs in list(samples.items()) + [("all", every)]:
            ts = all_totals if freq == "all" else totals.get(freq, [])
            print("%s %s %d %.3f %.3f %d %.0f" % (cls, freq, len(vs), percentile(vs, 0.5),
                                                  percentile(vs, 0.99), errors if freq == "all" else 0,
                                                  sum(ts) / len(ts) if ts else 0))
        sys.stdout.flush()
    conn.close()


def once(url, token, queries_path, samples_path, extra):
    parsed = urllib.parse.urlsplit(url)
    if parsed.hostname != "127.0.0.1":
        sys.exit("client.py: refusing a non-loopback URL")
    headers = {"Authorization": "Bearer " + token}
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
    with open(samples_path, "a", encoding="utf-8") as out:
        for cls, freq, _, text in read_queries(queries_path):
            t0 = time.perf_counter()
            try:
                conn.request("GET", path_of(text, extra), headers=headers)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
                out.write("%s %s error 0\n" % (cls, freq))
                continue
            ms = (time.perf_counter() - t0) * 1000
            if resp.status != 200:
                out.write("%s %s error 0\n" % (cls, freq))
                continue
            out.write("%s %s %.3f %d\n" % (cls, freq, ms, json.loads(body)["total"]))
    conn.close()


def summary(samples_path):
    samples, totals, errors = {}, {}, {}
    with open(samples_path, encoding="utf-8") as f:
        for line in f:
            cls, freq, ms, total = line.split()
            if ms == "error":
                errors[cls] = errors.get(cls, 0) + 1
                continue
            samples.setdefault(cls, {}).setdefault(freq, []).append(float(ms))
            totals.setdefault(cls, {}).setdefault(freq, []).append(int(total))
    for cls in ("one", "two", "phrase"):
        by_freq = samples.get(cls, {})
        every = [v for vs in by_freq.values() for v in vs]
        all_totals = [t for ts in totals.get(cls, {}).values() for t in ts]
        for freq, vs in list(by_freq.items()) + [("all", every)]:
            ts = all_totals if freq == "all" else totals[cls][freq]
            print("%s %s %d %.3f %.3f %d %.0f" % (cls, freq, len(vs), percentile(vs, 0.5),
                                                  percentile(vs, 0.99),
                                                  errors.get(cls, 0) if freq == "all" else 0,
                                                  sum(ts) / len(ts) if ts else 0))


def wrk_lua(queries_path, out_path):
    paths = [path_of(q[3]) for q in read_queries(queries_path)]
    with open(out_path, "w", encoding="utf-8") as f:
        f.write("-- generated by bench/library/client.py: cycles through the query list\n")
        f.write("local paths = {\n")
        for p in paths:
            f.write("  %s,\n" % json.dumps(p))
        f.write("}\nlocal i = 0\n")
        f.write("request = function()\n  i = i % #paths + 1\n"
                "  return wrk.format(\"GET\", paths[i])\nend\n")


def main():
    if len(sys.argv) == 7 and sys.argv[1] == "latency":
        latency(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6]))
    elif len(sys.argv) in (6, 7) and sys.argv[1] == "once":
        once(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
             sys.argv[6] if len(sys.argv) == 7 else "")
    elif len(sys.argv) == 3 and sys.argv[1] == "summary":
        summary(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "wrk-lua":
        wrk_lua(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
