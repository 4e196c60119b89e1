#!/usr/bin/env bash
# bench/activities.sh: the activities registry at scale. Generates N synthetic activities
# (bench/activities/generate.py), then measures, each next to the raw SQLite equivalent
# timed in the same run and to its target:
#   import      `polis import activities` of the CSV      vs sqlite3 .import into a plain table
#   list        GET /api/v1/activities?<two filters>&limit=50 under wrk
#                                                          vs the same page read in SQL
#   overlap     POST /api/v1/activities/overlaps-check, one at a time
#                                                          vs the date-range index's candidate query
#   report      `polis report annual --year Y --format json`
#                                                          vs the year's raw aggregate queries
# A measurement, not a test: it exits 0 when a target is missed. Loopback only; every
# process it starts is stopped on exit, and every run is bounded in time.
#
# Usage: bench/activities.sh            (N=1000000; `N=100000 bench/activities.sh` is quick)
# Knobs: N, BENCH_BUILD (release build directory, build-bench), BENCH_DURATION (wrk seconds,
#        10), BENCH_CONNECTIONS (32), BENCH_THREADS (wrk threads, 2), BENCH_YEAR (2012),
#        BENCH_PRIORITY and BENCH_STATUS (the list's two filters: THB, completed),
#        BENCH_CSV (an earlier run's CSV of N rows to reuse instead of generating one),
#        BENCH_DB (with BENCH_CSV: a database that run imported, used in place; the import
#        is then not measured again), BENCH_KEEP (a directory to keep the CSV and database in),
#        BENCH_ONLY (the steps to run among list, overlap and report, e.g. "overlap report";
#        default all: the steps left out print as "not run").
set -euo pipefail
cd "$(dirname "$0")/.."

n=${N:-1000000}
build=${BENCH_BUILD:-build-bench}
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-32}
wrk_threads=${BENCH_THREADS:-2}
year=${BENCH_YEAR:-2012}
priority=${BENCH_PRIORITY:-THB}
status=${BENCH_STATUS:-completed}
only=${BENCH_ONLY:-list overlap report}
step_on() { [[ " $only " == *" $1 "* ]]; }
import_target=100000 # rows/s
list_target=15000    # req/s
list_p99_target=20   # ms
overlap_target=5     # ms
report_target=500    # ms

for tool in wrk sqlite3 python3 meson ninja; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run scripts/deps.sh bench)" >&2; exit 1; }
done

[[ -d $build ]] || meson setup "$build" --buildtype=release >/dev/null
if ! build_log=$(ninja -C "$build" polis 2>&1); then echo "$build_log" >&2; exit 1; fi
polis=$PWD/$build/polis

dir=$(mktemp -d "${TMPDIR:-/tmp}/polis-bench-act.XXXXXX")
polis_pid=""
cleanup() {
  if [[ -n $polis_pid ]] && kill -0 "$polis_pid" 2>/dev/null; then
    kill -TERM "$polis_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$polis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$polis_pid" 2>/dev/null || true
  fi
  [[ -n $polis_pid ]] && wait "$polis_pid" 2>/dev/null || true
  if [[ -n ${BENCH_KEEP:-} ]]; then
    mkdir -p "$BENCH_KEEP" && mv "$dir"/* "$BENCH_KEEP"/ 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { date +%s%3N; }
say() { printf '%s\n' "$*" >&2; }

# ---- the data ------------------------------------------------------------------------------
csv=$dir/activities.csv
t0=$(now_ms)
if [[ -n ${BENCH_CSV:-} ]]; then
  cp "$BENCH_CSV" "$csv"
else
  say "bench: generating $n activities"
  python3 bench/activities/generate.py --n "$n" "$csv"
fi
gen_ms=$(($(now_ms) - t0))
csv_bytes=$(stat -c %s "$csv")
head -n 2001 "$csv" >"$dir/sample.csv"

# ---- import --------------------------------------------------------------------------------
db=$dir/polis.db
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
import_ms=0 raw_import_ms=0
if [[ -n ${BENCH_DB:-} ]]; then
  db=$BENCH_DB
  "$polis" init --db "$db" </dev/null >/dev/null 2>&1 || true # brings its schema up to date
  say "bench: using $db as imported earlier (import not measured)"
else
  printf '%s\n' "$password" | "$polis" init --db "$db" --admin-password-stdin >/dev/null
  say "bench: polis import activities ($((csv_bytes / 1048576)) MB)"
  t0=$(now_ms)
  POLIS_IMPORT_LIMIT=$((csv_bytes + 1)) timeout 7200 "$polis" import activities --db "$db" "$csv" \
    >"$dir/import.out" 2>&1 || { cat "$dir/import.out" >&2; exit 1; }
  import_ms=$(($(now_ms) - t0))
  say "bench: sqlite3 .import of the same CSV"
  t0=$(now_ms)
  sqlite3 "$dir/raw.db" ".mode csv" ".import $csv raw_activities"
  raw_import_ms=$(($(now_ms) - t0))
  rm -f "$dir/raw.db"
fi
db_mb=$(($(stat -c %s "$db") / 1048576))

# ---- a server and a token ------------------------------------------------------------------
printf '%s\n' "$password" | "$polis" user add --db "$db" --login "bench$$" --role coordinator \
  --password-stdin >/dev/null
token=$("$polis" token create --db "$db" --login "bench$$" --name bench 2>/dev/null)
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

# ---- the list under wrk ------------------------------------------------------------------------
# Once on one URL (after the first request every answer comes from the page cache, as for
# a page many people open), once rotating over 2,000 different pages (each "to" date a
# different page, far more than the cache keeps: nearly every request reads the database).
list_path="/api/v1/activities?priority=$priority&status=$status&limit=50"
python3 bench/activities/probe.py get "$url" "$token" "$list_path" 20 >"$dir/list-probe" ||
  { echo "bench: the list did not answer" >&2; exit 1; }
cat >"$dir/rotate.lua" <<LUA
local i = 0
request = function()
  i = i % 2000 + 1
  return wrk.format(nil, "$list_path&to=" .. os.date("!%Y-%m-%d", 1104537600 + i * 86400 * 3))
end
LUA
# wrk_run NAME [SCRIPT]: "REQ_PER_S P99_MS ERRORS" of one run into $dir/NAME.
wrk_run() {
  local args=(-t"$wrk_threads" -c"$conns" -d"${duration}s" --latency -H "Authorization: Bearer $token")
  [[ -n ${2:-} ]] && args+=(-s "$2")
  say "bench: wrk $1 (${duration}s, $conns connections)"
  timeout $((duration + 30)) wrk "${args[@]}" "$url$list_path" >"$dir/wrk-$1.out" 2>&1 || true
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    END { printf "%.0f %.2f %d\n", rps, p99, err }' "$dir/wrk-$1.out" >"$dir/$1"
}
list_rps="not run" list_p99="" list_errors="" cold_rps="not run" cold_p99="" cold_errors=""
raw_list_ms="" raw_list_pages=""
if step_on list; then
  wrk_run list-hot
  wrk_run list-cold "$dir/rotate.lua"
  read -r list_rps list_p99 list_errors <"$dir/list-hot"
  read -r cold_rps cold_p99 cold_errors <"$dir/list-cold"
  read -r raw_list_ms raw_list_pages < <(python3 bench/activities/raw.py list "$db" "$priority" "$status" 200)
fi

# ---- the overlap check -----------------------------------------------------------------------
overlap_med="not run" overlap_p95="" overlap_errors="" raw_overlap_ms=""
if step_on overlap; then
  say "bench: overlap checks"
  read -r _ overlap_med overlap_p95 _ overlap_errors < <(python3 bench/activities/probe.py overlap \
    "$url" "$token" "$dir/sample.csv" 200 "$dir/overlaps.jsonl")
  read -r raw_overlap_ms < <(python3 bench/activities/raw.py overlap "$db" "$dir/sample.csv" 200)
fi

kill -TERM "$polis_pid" && wait "$polis_pid" 2>/dev/null || true
polis_pid=""

# ---- the annual report -------------------------------------------------------------------------
report_ms="not run" report_empty_ms="" raw_report_ms=""
if step_on report; then
  say "bench: annual report $year"
  report_ms=""
  for _ in 1 2 3; do
    t0=$(now_ms)
    "$polis" report annual --db "$db" --year "$year" --format json >"$dir/report.json"
    t=$(($(now_ms) - t0))
    [[ -z $report_ms || $t -lt $report_ms ]] && report_ms=$t
  done
  t0=$(now_ms)
  "$polis" report annual --db "$db" --year 1900 --format json >/dev/null 2>&1 || true
  report_empty_ms=$(($(now_ms) - t0))
  read -r raw_report_ms < <(python3 bench/activities/raw.py report "$db" "$year")
fi

# ---- the table -----------------------------------------------------------------------------------
rate() { awk -v n="$1" -v ms="$2" 'BEGIN { printf "%.0f", (ms > 0) ? (n * 1000 / ms) : 0 }'; }
import_rps=$(rate "$n" "$import_ms")
raw_import_rps=$(rate "$n" "$raw_import_ms")
verdict() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN {
  if (a !~ /^[0-9.]+$/) exit
  ok = (op == ">=") ? (a + 0 >= b + 0) : (a + 0 < b + 0); print ok ? "met" : "MISSED" }'; }
if ((import_ms > 0)); then
  import_line="| import, rows/s | $import_rps ($((import_ms / 1000)) s) | $raw_import_rps (.import, plain table) | >= $import_target | $(verdict "$import_rps" ">=" $import_target) |"
else
  import_line="| import, rows/s | not measured (BENCH_DB) | | >= $import_target | |"
fi
cat <<EOF

Activities at $n ($(nproc) cores, $(date -u +%Y-%m-%d), SQLite $(sqlite3 --version | cut -d' ' -f1))
data: CSV $((csv_bytes / 1048576)) MB generated in $((gen_ms / 1000)) s; database after import $db_mb MB

wrk: $wrk_threads threads, $conns connections, ${duration} s a run; overlap: 200 drafts one at a time

| figure | polis | raw SQLite, same run | target | |
|---|---|---|---|---|
$import_line
| list, 2 filters, 50 a page, one URL (page cache): req/s | $list_rps (errors $list_errors) | $raw_list_pages pages/s on one core | >= $list_target | $(verdict "$list_rps" ">=" $list_target) |
| same, p99 ms | $list_p99 | $raw_list_ms ms a page | < $list_p99_target | $(verdict "$list_p99" "<" $list_p99_target) |
| list, 2,000 different pages (database): req/s | $cold_rps (errors $cold_errors) | $raw_list_pages pages/s on one core | >= $list_target | $(verdict "$cold_rps" ">=" $list_target) |
| same, p99 ms | $cold_p99 | $raw_list_ms ms a page | < $list_p99_target | $(verdict "$cold_p99" "<" $list_p99_target) |
| overlap check, median ms (p95) | $overlap_med ($overlap_p95), errors $overlap_errors | $raw_overlap_ms (candidate query) | < $overlap_target | $(verdict "$overlap_med" "<" $overlap_target) |
| annual report $year, ms | $report_ms (empty year: $report_empty_ms) | $raw_report_ms (totals + by priority) | < $report_target | $(verdict "$report_ms" "<" $report_target) |
EOF
