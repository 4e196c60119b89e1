#!/usr/bin/env bash
# bench/library.sh: the POLIS library's search at scale. Generates N documents of about 3 KB
# (half English, half Russian; bench/library/corpus.c), loads them, then measures each figure
# next to its ceiling timed in the same run and to its target:
#   index build       documents/s through the library's service functions (a sample) and
#                     through the bulk loader (the rest), and the database's size
#   latency, cold     GET /api/v1/library/search, each query the first time a fresh server
#                     sees it (with and without facets), p50 and p99 per query class (one
#                     word, two words, phrase) vs the same search run in-process
#   latency, warm     the same queries again, one request at a time on one keep-alive
#                     connection, answered from the server's cache vs a cache hit in-process
#   throughput        wrk on a mix of every query, the cache off (cold) and on (warm)
# A measurement, not a test: it exits 0 when a target is missed. Loopback only; every
# process it starts is stopped on exit, and every loop is bounded in count and time.
#
# Usage: bench/library.sh            (N=100000; `N=10000 bench/library.sh` is quick)
# Knobs: N, BENCH_BUILD (release build directory, build-bench), BENCH_REQUESTS (sequential
#        requests per class, 2000), BENCH_DURATION (wrk seconds, 15), BENCH_CONNECTIONS (16),
#        BENCH_THREADS (wrk threads, 2), BENCH_REPS (in-process repetitions of each query, 20),
#        BENCH_COLD_ROUNDS (fresh servers that each see every query once, 3),
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
url=""
# start_server [VAR=value ...]: a fresh polis serve (so an empty search cache) on a free port
start_server() {
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  url=http://127.0.0.1:$port
  env POLIS_LOG_REQUESTS=0 "$@" "$polis" serve --db "$db" --listen "127.0.0.1:$port" >"$dir/serve.out" 2>&1 &
  polis_pid=$!
  for _ in $(seq 100); do
    kill -0 "$polis_pid" 2>/dev/null || { cat "$dir/serve.out" >&2; exit 1; }
    curl -fs "$url/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: the server did not start" >&2
  exit 1
}
stop_server() {
  kill -TERM "$polis_pid" && wait "$polis_pid" 2>/dev/null || true
  polis_pid=""
}
python3 bench/library/client.py wrk-lua "$dir/queries.tsv" "$dir/mix.lua"
# wrk_mix: "queries/s p50_ms p99_ms errors" of wrk on the mix against $url
wrk_mix() {
  local out
  out=$(timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$conns" -d"${duration}s" --latency --timeout 10s \
    -s "$dir/mix.lua" -H "Authorization: Bearer $token" "$url/" 2>&1) || true
  echo "$out" | awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %.2f %d\n", rps, p50, p99, err }'
}

# ---- cold: each query the first time a server sees it -----------------------------------------
# A fresh server a round (an empty cache, and SQLite's page cache empty too; the kernel's is
# warm), every query once; with and without facets. The honest figure for a new query.
cold_rounds=${BENCH_COLD_ROUNDS:-3}
say "bench: cold latency ($cold_rounds rounds of every query once on a fresh server; then facets=false)"
: >"$dir/cold.samples"
: >"$dir/cold_nofacets.samples"
for _ in $(seq "$cold_rounds"); do
  start_server
  python3 bench/library/client.py once "$url" "$token" "$dir/queries.tsv" "$dir/cold.samples"
  stop_server
done
for _ in $(seq "$cold_rounds"); do
  start_server
  python3 bench/library/client.py once "$url" "$token" "$dir/queries.tsv" "$dir/cold_nofacets.samples" facets=false
  stop_server
done
cold_out=$(python3 bench/library/client.py summary "$dir/cold.samples")
coldnf_out=$(python3 bench/library/client.py summary "$dir/cold_nofacets.samples")

say "bench: cold throughput (the cache off: every request computed, as for queries never seen; wrk ${duration}s)"
start_server POLIS_SEARCH_CACHE_ENTRIES=0
read -r cold_rps cold_p50 cold_p99 cold_errors < <(wrk_mix)
stop_server

# ---- warm: queries a server has answered before ----------------------------------------------
say "bench: warm latency ($requests requests a class, at most 120 s each) and throughput, every query seen once first"
start_server
python3 bench/library/client.py once "$url" "$token" "$dir/queries.tsv" "$dir/prime.samples"
lat_out=$(python3 bench/library/client.py latency "$url" "$token" "$dir/queries.tsv" "$requests" 120)
read -r warm_rps warm_p50 warm_p99 warm_errors < <(wrk_mix)
stop_server

# ---- the table -----------------------------------------------------------------------------------
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", (ms > 0) ? (n * 1000 / ms) : 0 }'; }
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
  ok = (op == ">=") ? (a + 0 >= b + 0) : (a + 0 < b + 0); print ok ? "met" : "MISSED" }'; }
# raw CLASS FREQ FIELD: fields after "class freq queries matches": ranking pass p50 p99 qps,
# ranking and facet pass p50 p99 qps, library_search p50 p99 qps, cache hit p50 p99 qps
raw() { awk -v c="$1" -v f="$2" -v i="$3" '$1 == c && $2 == f { print $(4 + i) }' <<<"$raw_out"; }
# lat|cold|coldnf CLASS FREQ FIELD: 0 requests, 1 p50, 2 p99
lat() { awk -v c="$1" -v f="$2" -v i="$3" '$1 == c && $2 == f { print $(3 + i) }' <<<"$lat_out"; }
cold() { awk -v c="$1" -v f="$2" -v i="$3" '$1 == c && $2 == f { print $(3 + i) }' <<<"$cold_out"; }
coldnf() { awk -v c="$1" -v f="$2" -v i="$3" '$1 == c && $2 == f { print $(3 + i) }' <<<"$coldnf_out"; }
targets() { # p50 p99
  echo "p50 $(verdict "$1" "<" $p50_target), p99 $(verdict "$2" "<" $p99_target)"
}

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

COLD (each query the first time a server sees it; ms, p50 / p99):

| query class | matches (mean) | API (requests) | API, facets=false | in-process search (ceiling) | ranking pass | ranking and facet pass | target p50 < $p50_target, p99 < $p99_target |
|---|---|---|---|---|---|---|---|
TABLE
for c in one two phrase; do
  for f in rare medium common all; do
    [[ -n $(cold "$c" "$f" 0) ]] || continue
    printf '| %s, %s | %s | %s / %s (%s) | %s / %s | %s / %s | %s / %s | %s / %s | %s |\n' "$c" "$f" \
      "$(raw "$c" "$f" 0)" "$(cold "$c" "$f" 1)" "$(cold "$c" "$f" 2)" "$(cold "$c" "$f" 0)" \
      "$(coldnf "$c" "$f" 1)" "$(coldnf "$c" "$f" 2)" \
      "$(raw "$c" "$f" 7)" "$(raw "$c" "$f" 8)" "$(raw "$c" "$f" 1)" "$(raw "$c" "$f" 2)" \
      "$(raw "$c" "$f" 4)" "$(raw "$c" "$f" 5)" \
      "$([[ $f == all ]] && targets "$(cold "$c" "$f" 1)" "$(cold "$c" "$f" 2)")"
  done
done
cat <<TABLE

WARM (queries the server has answered before, from its cache; ms, p50 / p99):

| query class | API (requests) | in-process cache hit (ceiling) | target p50 < $p50_target, p99 < $p99_target |
|---|---|---|---|
TABLE
for c in one two phrase; do
  for f in rare medium common all; do
    [[ -n $(lat "$c" "$f" 0) ]] || continue
    printf '| %s, %s | %s / %s (%s) | %s / %s | %s |\n' "$c" "$f" \
      "$(lat "$c" "$f" 1)" "$(lat "$c" "$f" 2)" "$(lat "$c" "$f" 0)" \
      "$(raw "$c" "$f" 10)" "$(raw "$c" "$f" 11)" \
      "$([[ $f == all ]] && targets "$(lat "$c" "$f" 1)" "$(lat "$c" "$f" 2)")"
  done
done
raw_qps=$(awk '$2 == "all" { n += $3; t += $3 / $7 } END { printf "%.0f", (t > 0) ? n / t : 0 }' <<<"$raw_out")
search_qps=$(awk '$2 == "all" { n += $3; t += $3 / $13 } END { printf "%.0f", (t > 0) ? n / t : 0 }' <<<"$raw_out")
hit_qps=$(awk '$2 == "all" { n += $3; t += $3 / $16 } END { printf "%.0f", (t > 0) ? n / t : 0 }' <<<"$raw_out")
cat <<TABLE

throughput, the mix of all $(wc -l <"$dir/queries.tsv") queries under wrk ($wrk_threads threads, $conns connections, ${duration}s; target >= $qps_target):
  COLD (cache off, every request computed): $cold_rps queries/s (p50 $cold_p50 ms, p99 $cold_p99 ms, errors $cold_errors): $(verdict "$cold_rps" ">=" $qps_target)
        ceiling: library_search whole $search_qps queries/s on one core, the ranking pass alone $raw_qps
  WARM (every query answered from the cache): $warm_rps queries/s (p50 $warm_p50 ms, p99 $warm_p99 ms, errors $warm_errors): $(verdict "$warm_rps" ">=" $qps_target)
        ceiling: a cache hit in-process $hit_qps queries/s on one core
cold API latency: $cold_rounds fresh servers, every query once each (errors: $(awk '$2 == "all" { s += $6 } END { print s + 0 }' <<<"$cold_out"));
warm API latency: up to $requests sequential requests a class (at most 120 s) on one keep-alive connection, every query primed once (errors: $(awk '$2 == "all" { s += $6 } END { print s + 0 }' <<<"$lat_out"));
in-process: each query $reps times, one connection, one core; search: library_search() whole with its JSON;
ranking pass: search.c's statement over every match (bm25), as with facets=false; ranking and facet pass: the same with each match's facet row;
cache hit: library_search_json() answered from the cache (version read, lookup, copy)
TABLE
