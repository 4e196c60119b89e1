#!/usr/bin/env bash
# bench/library.sh: the POLIS library's search at scale. Generates N documents of about 3 KB
# (half English, half Russian; bench/library/corpus.c), loads them, then measures each figure
# next to its ceiling timed in the same run and to its target:
#   index build       documents/s through the library's service functions (a sample) and
#                     through the bulk loader (the rest), and the database's size
#   latency           GET /api/v1/library/search, one request at a time on one keep-alive
#                     connection, p50 and p99 per query class (one word, two words, phrase)
#                     vs the same FTS5 query (MATCH, bm25, ORDER BY, LIMIT 20) run in-process
#   throughput        wrk on a mix of every query    vs the in-process query on one core
# A measurement, not a test: it exits 0 when a target is missed. Loopback only; every
# process it starts is stopped on exit, and every loop is bounded in count and time.
#
# Usage: bench/library.sh            (N=100000; `N=10000 bench/library.sh` is quick)
# Knobs: N, BENCH_BUILD (release build directory, build-bench), BENCH_REQUESTS (sequential
#        requests per class, 2000), BENCH_DURATION (wrk seconds, 15), BENCH_CONNECTIONS (16),
#        BENCH_THREADS (wrk threads, 2), BENCH_REPS (in-process repetitions of each query, 20),
#        BENCH_DB (a database an earlier run loaded, reused instead of loading),
#        BENCH_KEEP (a directory to keep the database in).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${N:-100000}
build=${BENCH_BUILD:-build-bench}
requests=${BENCH_REQUESTS:-2000}
duration=${BENCH_DURATION:-15}
conns=${BENCH_CONNECTIONS:-16}
wrk_threads=${BENCH_THREADS:-2}
reps=${BENCH_REPS:-20}
p50_target=2    # ms
p99_target=10   # ms
qps_target=2000 # queries/s

for tool in wrk python3 meson ninja; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run scripts/deps.sh bench)" >&2; exit 1; }
done

# ---- build: polis and the benchmark's tool (-Dbench=true) -----------------------------------
[[ -d $build ]] || meson setup "$build" --buildtype=release -Dbench=true >/dev/null
if ! meson configure "$build" | grep -qE '^ *bench +true'; then
  meson configure "$build" -Dbench=true >/dev/null
fi
if ! build_log=$(ninja -C "$build" polis bench/library/polis-bench-library 2>&1); then
  echo "$build_log" >&2
  exit 1
fi
polis=$PWD/$build/polis
tool=$PWD/$build/bench/library/polis-bench-library

dir=$(mktemp -d "${TMPDIR:-/tmp}/polis-bench-lib.XXXXXX")
polis_pid=""
cleanup() {
  if [[ -n $polis_pid ]] && kill -0 "$polis_pid" 2>/dev/null; then
    kill -TERM "$polis_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$polis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$polis_pid" 2>/dev/null || true
  fi
  [[ -n $polis_pid ]] && wait "$polis_pid" 2>/dev/null || true
  if [[ -n ${BENCH_KEEP:-} ]]; then
    mkdir -p "$BENCH_KEEP" && mv "$dir"/lib.db* "$BENCH_KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '%s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# ---- the corpus --------------------------------------------------------------------------
db=$dir/lib.db
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
load_avg_before=$(loadavg)
if [[ -n ${BENCH_DB:-} ]]; then
  say "bench: reusing $BENCH_DB"
  cp "$BENCH_DB" "$db"
  printf '%s\n' "$password" | "$polis" init --db "$db" --admin-password-stdin >/dev/null
  n=$("$tool" count "$db")
  load_out="(loaded by an earlier run)"
else
  printf '%s\n' "$password" | "$polis" init --db "$db" --admin-password-stdin >/dev/null
  service_docs=$((n / 100 < 1000 ? n / 100 : 1000))
  say "bench: generating and loading $n documents ($service_docs through the service functions)"
  load_out=$(timeout 7200 "$tool" load "$db" "$n" "$service_docs")
fi
kv() { awk -v k="$1" '$1 == k { print $2 }' <<<"$load_out"; }
db_mb=$(du -m "$db" | cut -f1)

# ---- the queries, timed in-process (the ceiling) -------------------------------------------
"$tool" queries 4 >"$dir/queries.tsv"
say "bench: the queries in-process ($reps times each)"
raw_out=$("$tool" raw "$db" "$dir/queries.tsv" "$reps")

# ---- a server and a token --------------------------------------------------------------------
login=bench-$(date +%s)
printf '%s\n' "$password" | "$polis" user add --db "$db" --login "$login" --role coordinator \
  --password-stdin >/dev/null
token=$("$polis" token create --db "$db" --login "$login" --name bench 2>/dev/null)
[[ -n $token ]] || { echo "bench: could not create an API token" >&2; exit 1; }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
POLIS_LOG_REQUESTS=0 "$polis" serve --db "$db" --listen "127.0.0.1:$port" >"$dir/serve.out" 2>&1 &
polis_pid=$!
for _ in $(seq 100); do
  kill -0 "$polis_pid" 2>/dev/null || { cat "$dir/serve.out" >&2; exit 1; }
  curl -fs "$url/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

say "bench: sequential latency ($requests requests a class, at most 120 s each)"
lat_out=$(python3 bench/library/client.py latency "$url" "$token" "$dir/queries.tsv" "$requests" 120)

say "bench: wrk on the mix (${duration}s, $conns connections, $wrk_threads threads)"
python3 bench/library/client.py wrk-lua "$dir/queries.tsv" "$dir/mix.lua"
wrk_out=$(timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$conns" -d"${duration}s" --latency --timeout 10s \
  -s "$dir/mix.lua" -H "Authorization: Bearer $token" "$url/" 2>&1) || true
read -r wrk_rps wrk_p50 wrk_p99 wrk_errors < <(echo "$wrk_out" | awk '
  function ms(v) {
    if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
    if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
  /^Requests\/sec:/ { rps = $2 }
  $1 == "50%" { p50 = ms($2) }
  $1 == "99%" { p99 = ms($2) }
  /Non-2xx or 3xx responses:/ { err += $NF }
  /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
  END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err }')
kill -TERM "$polis_pid" && wait "$polis_pid" 2>/dev/null || true
polis_pid=""

# ---- the table -----------------------------------------------------------------------------------
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", (ms > 0) ? (n * 1000 / ms) : 0 }'; }
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
  ok = (op == ">=") ? (a + 0 >= b + 0) : (a + 0 < b + 0); print ok ? "met" : "MISSED" }'; }
# raw CLASS FREQ FIELD: fields after "class freq queries matches": page p50 p99 qps, facets
# p50 p99 qps, library_search p50 p99 qps
raw() { awk -v c="$1" -v f="$2" -v i="$3" '$1 == c && $2 == f { print $(4 + i) }' <<<"$raw_out"; }
lat() { awk -v c="$1" -v f="$2" -v i="$3" '$1 == c && $2 == f { print $(3 + i) }' <<<"$lat_out"; }

cat <<TABLE

Library search at $n documents ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), load average before $load_avg_before, after $(loadavg))
TABLE
if [[ -z ${BENCH_DB:-} ]]; then
  cat <<TABLE
index build: $(kv service_docs) documents through the service functions in $(kv service_ms) ms: $(rate "$(kv service_docs)" "$(kv service_ms)") documents/s (CPU $(kv service_cpu_ms) ms);
             $(kv bulk_docs) in bulk in $(kv bulk_ms) ms: $(rate "$(kv bulk_docs)" "$(kv bulk_ms)") documents/s (CPU $(kv bulk_cpu_ms) ms, of which generating the text $(kv bulk_generate_ms) ms);
             mean body $(kv body_bytes_mean) bytes; database $db_mb MB
TABLE
else
  echo "index build: not measured (BENCH_DB); database $db_mb MB"
fi
cat <<TABLE

| query class | matches (mean) | API p50 / p99 ms (requests) | in-process search p50 / p99 | FTS5 page query p50 / p99 (ceiling) | facet pass p50 / p99 | target p50 < $p50_target, p99 < $p99_target |
|---|---|---|---|---|---|---|
TABLE
for c in one two phrase; do
  for f in rare medium common all; do
    [[ -n $(lat "$c" "$f" 0) ]] || continue
    printf '| %s, %s | %s | %s / %s (%s) | %s / %s | %s / %s | %s / %s | %s |\n' "$c" "$f" \
      "$(raw "$c" "$f" 0)" "$(lat "$c" "$f" 1)" "$(lat "$c" "$f" 2)" "$(lat "$c" "$f" 0)" \
      "$(raw "$c" "$f" 7)" "$(raw "$c" "$f" 8)" "$(raw "$c" "$f" 1)" "$(raw "$c" "$f" 2)" \
      "$(raw "$c" "$f" 4)" "$(raw "$c" "$f" 5)" \
      "$([[ $f == all ]] && echo "p50 $(verdict "$(lat "$c" "$f" 1)" "<" $p50_target), p99 $(verdict "$(lat "$c" "$f" 2)" "<" $p99_target)")"
  done
done
raw_qps=$(awk '$2 == "all" { n += $3; t += $3 / $7 } END { printf "%.0f", (t > 0) ? n / t : 0 }' <<<"$raw_out")
search_qps=$(awk '$2 == "all" { n += $3; t += $3 / $13 } END { printf "%.0f", (t > 0) ? n / t : 0 }' <<<"$raw_out")
cat <<TABLE

throughput, the mix of all $(wc -l <"$dir/queries.tsv") queries: wrk $wrk_rps queries/s (p50 $wrk_p50 ms, p99 $wrk_p99 ms, errors $wrk_errors; target >= $qps_target: $(verdict "$wrk_rps" ">=" $qps_target))
  ceiling: the FTS5 page query $raw_qps queries/s on one core, library_search whole $search_qps on one core
API latency: up to $requests sequential requests a class (at most 120 s) on one keep-alive connection (errors: $(awk '$2 == "all" { s += $6 } END { print s + 0 }' <<<"$lat_out"));
in-process: each query $reps times, one connection, one core; search: library_search() whole with its JSON;
page query: search.c's ranked page statement; facet pass: search.c's facet statement over every match
TABLE
