#!/usr/bin/env bash
# bench/pg.sh: PostgreSQL next to SQLite. One run measures the same requests, with wrk, on
#   SQLite              one polis serve on a SQLite file
#   PostgreSQL          one polis serve on a PostgreSQL database holding the same data
#   PostgreSQL, two     two polis serve processes on that one database, a wrk run against each
#                       at the same time, the figures summed (latencies: the worse of the two)
# and prints, per request, successful replies/s, p50, p99, errors, the ratio PostgreSQL /
# SQLite, the statements PostgreSQL ran per request (pg_stat_statements, when installed) and
# the CPU per request of polis and of PostgreSQL's backends (from /proc).
# Reads (a coordinator's API token): the priorities, the activities list (a cached page, and
# pages the cache misses: a from= date of its own each request, which every activity passes),
# one activity by id, the library's search with and without facets (the search cache off),
# a concern's public status by tracking code. Writes: an officer's concern (POST
# /api/v1/concerns: the citizens' route allows 20 an hour per address, and every wrk
# request comes from 127.0.0.1) and a new activity (POST /api/v1/activities).
# Data: the demo database plus N generated activities (bench/activities/generate.py, imported)
# and BENCH_DOCS generated plain-text documents (bench/pg/corpus.py, imported), copied to
# PostgreSQL with `polis migrate` so both engines hold the same rows, ids and codes.
# PostgreSQL runs with fsync, synchronous_commit and full_page_writes on (SQLite runs with
# synchronous=FULL), unless BENCH_PG_DURABLE=0 keeps scripts/pg.sh's fast settings.
# A measurement, not a test: it exits 0 whatever the figures. Loopback only; every process
# and the cluster it starts are stopped on exit; every loop is bounded in count and time.
#
# Usage: bench/pg.sh   (normally `make bench-pg`; about 10 minutes)
# Knobs: N (generated activities, 5000), BENCH_DOCS (generated documents, 1000),
#        BENCH_DURATION (wrk seconds, 10), BENCH_CONNECTIONS (per wrk run, 16),
#        BENCH_THREADS (wrk threads, 2), BENCH_BUILD (release build directory, build-bench),
#        BENCH_PG_DURABLE (1), BENCH_ONLY (space-separated request names, for a partial run).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${N:-5000}
docs=${BENCH_DOCS:-1000}
duration=${BENCH_DURATION:-10}
conns=${BENCH_CONNECTIONS:-16}
wrk_threads=${BENCH_THREADS:-2}
build=${BENCH_BUILD:-build-bench}
durable=${BENCH_PG_DURABLE:-1}
only=" ${BENCH_ONLY:-} "

for tool in wrk python3 meson ninja curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run scripts/deps.sh bench)" >&2; exit 1; }
done

# ---- build -----------------------------------------------------------------------------------
[[ -d $build ]] || meson setup "$build" --buildtype=release >/dev/null
if ! build_log=$(ninja -C "$build" polis 2>&1); then echo "$build_log" >&2; exit 1; fi
polis=$(cd "$build" && pwd)/polis

# ---- everything we start is remembered here and stopped on exit ------------------------------
dir=$(mktemp -d "${TMPDIR:-/tmp}/polis-bench-pg.XXXXXX")
pg_dir=""
pids=()
stop_pid() { # pid: stops one process we started (TERM, then KILL after 5 s) and reaps it
  if kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
  fi
  wait "$1" 2>/dev/null || true
}
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  [[ -z $pg_dir ]] || scripts/pg.sh stop "$pg_dir" || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '%s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }
# CPU of the PostgreSQL server's processes (the postmaster's children: backends, writers).
pg_cpu_ms() {
  local pm
  pm=$(head -n 1 "$pg_dir/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$pm" -v hz="$(getconf CLK_TCK)" '
    { sub(/^.*\) /, ""); if ($2 == pm) s += $12 + $13 } END { print s * 1000 / hz }'
}

# ---- the data: SQLite first, then the same database copied to PostgreSQL ---------------------
db=$dir/polis.db
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
say "bench: demo database (SQLite)"
printf '%s\n' "$password" | timeout 600 "$polis" init --db "$db" --demo --admin-password-stdin >/dev/null
if ((n > 0)); then
  say "bench: $n generated activities"
  python3 bench/activities/generate.py --n "$n" "$dir/activities.csv" >/dev/null
  POLIS_IMPORT_LIMIT=$(($(stat -c %s "$dir/activities.csv") + 1)) timeout 1800 \
    "$polis" import activities --db "$db" "$dir/activities.csv" >"$dir/import.out" 2>&1 ||
    { cat "$dir/import.out" >&2; exit 1; }
fi
if ((docs > 0)); then
  say "bench: $docs generated documents (about a minute a thousand)"
  python3 bench/pg/corpus.py --n "$docs" "$dir/library"
  timeout 1800 "$polis" import documents --db "$db" --meta "$dir/library/meta.json" \
    "$dir/library" >"$dir/import.out" 2>&1 || { cat "$dir/import.out" >&2; exit 1; }
fi
token=$(timeout 60 "$polis" token create --db "$db" --login coordinator --name bench 2>/dev/null)
[[ -n $token ]] || { echo "bench: could not create an API token" >&2; exit 1; }

say "bench: a PostgreSQL cluster (scripts/pg.sh) and polis migrate"
pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/polis-bench-pgdata.XXXXXX")
pg_url=$(scripts/pg.sh start "$pg_dir")
command -v psql >/dev/null 2>&1 || { echo "bench: psql is missing" >&2; exit 1; }
timeout 1800 "$polis" migrate --from "$db" --to "$pg_url" >"$dir/migrate.out" 2>&1 ||
  { cat "$dir/migrate.out" >&2; exit 1; }
stats=0
compgen -G "/usr/share/postgresql/*/extension/pg_stat_statements.control" >/dev/null && stats=1
{
  if [[ $durable == 1 ]]; then
    echo "fsync = on"
    echo "synchronous_commit = on"
    echo "full_page_writes = on"
  fi
  [[ $stats == 0 ]] || echo "shared_preload_libraries = 'pg_stat_statements'"
  echo "track_wal_io_timing = on"
} >>"$pg_dir/data/postgresql.conf"
scripts/pg.sh halt "$pg_dir"
scripts/pg.sh resume "$pg_dir"
psql_q() { timeout 60 psql -X -Atq "$pg_url" -c "$1"; }
if [[ $stats == 1 ]]; then
  psql_q "CREATE SCHEMA bench; CREATE EXTENSION pg_stat_statements SCHEMA bench" >/dev/null ||
    stats=0
fi
pg_settings=$(psql_q "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
  WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers')")

# ---- servers: one on SQLite, two on PostgreSQL -------------------------------------------------
# start_server NAME DB: sets port_NAME and pid_NAME. Request logging off as in the other
# benchmarks; the library's search cache off so that a search is the engine's work.
start_server() {
  local name=$1 db=$2 port pid
  port=$(free_port)
  POLIS_LOG_REQUESTS=0 POLIS_SEARCH_CACHE_ENTRIES=0 "$polis" serve --db "$db" \
    --files "$dir/polis.db.files" --listen "127.0.0.1:$port" >"$dir/serve-$name.out" 2>&1 &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/serve-$name.out" >&2; exit 1; }
    curl -fs --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs --max-time 2 "http://127.0.0.1:$port/healthz" >/dev/null || { echo "bench: $name did not start" >&2; exit 1; }
  printf -v "port_$name" '%s' "$port"
  printf -v "pid_$name" '%s' "$pid"
}
start_server sqlite "$db"
start_server pga "$pg_url"
start_server pgb "$pg_url"

# ---- the requests: paths to rotate over ------------------------------------------------------
sql() { python3 -c 'import sqlite3, sys; print("\n".join(str(r[0]) for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2])))' "$db" "$1"; }
echo /api/v1/framework/priorities >"$dir/p-priorities"
echo "/api/v1/activities?limit=50" >"$dir/p-list_cached"
# 20,000 dates before any activity: no page repeats within a run, so the cache (64 pages)
# never answers, and every activity passes the filter.
dates=$(python3 -c 'import datetime as d; [print(d.date(1900, 1, 1) + d.timedelta(k)) for k in range(20000)]')
for v in "list:" "list_filter:&status=completed&priority=PDR" "list_q:&q=police"; do
  while read -r day; do echo "/api/v1/activities?limit=50${v#*:}&from=$day"; done <<<"$dates" >"$dir/p-${v%%:*}"
done
sql "SELECT public_id FROM activities ORDER BY id DESC LIMIT 1000" | sed 's|^|/api/v1/activities/|' >"$dir/p-show"
echo "/api/v1/library/search?q=police" >"$dir/p-search"
echo "/api/v1/library/search?q=police&facets=false" >"$dir/p-search_nofacets"
sql "SELECT tracking_code FROM concerns" | sed 's|^|/api/v1/public/concerns/|' >"$dir/p-status"
nacts=$(sql "SELECT count(*) FROM activities")
neds=$(sql "SELECT count(*) FROM editions")
ncodes=$(wc -l <"$dir/p-status")

# ---- wrk ----------------------------------------------------------------------------------
# wrk_start PORT RAW ENV...: one wrk run in the background, its output in RAW; pid in wrk_pid.
wrk_start() {
  local port=$1 raw=$2
  shift 2
  env "$@" timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$conns" -d"${duration}s" --latency \
    --timeout 10s -s bench/pg/wrk.lua -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$port/" >"$raw" 2>&1 &
  wrk_pid=$!
  pids+=("$wrk_pid")
}
# parse RAW: "requests seconds p50_ms p99_ms ok other_replies socket_errors"
parse() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
    / requests in / { n = $1; s = $4; sub(/s,?$/, "", s) }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /^statuses:/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] ~ /^2/) ok += kv[2]; else bad += kv[2] } }
    END { printf "%d %s %.2f %.2f %d %d %d\n", n, (s == "" ? 0 : s), p50, p99, ok, bad, err }' "$1"
}
stmt_reset() { [[ $stats == 0 ]] || psql_q "SELECT bench.pg_stat_statements_reset()" >/dev/null || true; }
# stmt_report NAME REQUESTS: statements per request, and the most frequent into $dir/stmts-NAME
stmt_report() {
  [[ $stats == 1 && $2 -gt 0 ]] || { echo "-"; return; }
  psql_q "SELECT calls, round(mean_exec_time::numeric * 1000), regexp_replace(left(query, 100), '\\s+', ' ', 'g')
          FROM bench.pg_stat_statements
          WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY calls * mean_exec_time DESC LIMIT 12" >"$dir/stmts-$1" || true
  psql_q "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0)
          FROM bench.pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'" |
    awk -F'|' -v n="$2" '{ printf "%.1f/%.0f", $1 / n, $2 * 1000 / n }'
}
# measure NAME ENV...: the request on SQLite, PostgreSQL and PostgreSQL with two servers; a
# line "name config rps p50 p99 errors requests polis_cpu_us pg_cpu_us statements" each
measure() {
  local name=$1 n secs p50 p99 ok bad err c0 c1 g0 g1 st
  shift
  [[ $only == "  " || $only == *" $name "* ]] || return 0
  say "bench: $name: SQLite, PostgreSQL, PostgreSQL with two servers (wrk ${duration}s each)"
  c0=$(cpu_ms "$pid_sqlite")
  wrk_start "$port_sqlite" "$dir/w-$name-sqlite" BENCH_TAG="$name-sqlite-$$" "$@"
  wait "$wrk_pid" || true
  c1=$(cpu_ms "$pid_sqlite")
  read -r n secs p50 p99 ok bad err < <(parse "$dir/w-$name-sqlite")
  awk -v a="$c0" -v b="$c1" -v n="$n" -v s="$secs" -v ok="$ok" -v p50="$p50" -v p99="$p99" \
    -v e=$((bad + err)) -v name="$name" 'BEGIN { printf "%s sqlite %.0f %s %s %d %d %.0f - -\n",
      name, (s > 0 ? ok / s : 0), p50, p99, e, n, (n ? (b - a) * 1000 / n : 0) }' >>"$dir/results"

  stmt_reset
  local w0 w1
  w0=$(psql_q "SELECT wal_sync || ' ' || wal_sync_time FROM pg_stat_wal" || echo "0 0")
  c0=$(cpu_ms "$pid_pga")
  g0=$(pg_cpu_ms)
  wrk_start "$port_pga" "$dir/w-$name-pg1" BENCH_TAG="$name-pg1-$$" "$@"
  wait "$wrk_pid" || true
  c1=$(cpu_ms "$pid_pga")
  g1=$(pg_cpu_ms)
  read -r n secs p50 p99 ok bad err < <(parse "$dir/w-$name-pg1")
  st=$(stmt_report "$name" "$n")
  if [[ $name == post_* ]]; then # WAL syncs per write: the backends report them within 1 s
    sleep 2
    w1=$(psql_q "SELECT wal_sync || ' ' || wal_sync_time FROM pg_stat_wal" || echo "0 0")
    awk -v a="$w0" -v b="$w1" -v ok="$ok" -v name="$name" 'BEGIN { split(a, x, " "); split(b, y, " ")
      n = y[1] - x[1]; printf "  %s: %.2f WAL syncs per 2xx reply, %.2f ms each\n", name,
        (ok ? n / ok : 0), (n ? (y[2] - x[2]) / n : 0) }' >>"$dir/walsync"
  fi
  awk -v a="$c0" -v b="$c1" -v ga="$g0" -v gb="$g1" -v n="$n" -v s="$secs" -v ok="$ok" \
    -v p50="$p50" -v p99="$p99" -v e=$((bad + err)) -v name="$name" -v st="$st" 'BEGIN {
      printf "%s pg1 %.0f %s %s %d %d %.0f %.0f %s\n", name, (s > 0 ? ok / s : 0), p50, p99, e, n,
        (n ? (b - a) * 1000 / n : 0), (n ? (gb - ga) * 1000 / n : 0), st }' >>"$dir/results"

  local w1 w2 n1 s1 p501 p991 ok1 bad1 err1
  wrk_start "$port_pga" "$dir/w-$name-pg2a" BENCH_TAG="$name-pg2a-$$" "$@"
  w1=$wrk_pid
  wrk_start "$port_pgb" "$dir/w-$name-pg2b" BENCH_TAG="$name-pg2b-$$" "$@"
  w2=$wrk_pid
  wait "$w1" || true
  wait "$w2" || true
  read -r n1 s1 p501 p991 ok1 bad1 err1 < <(parse "$dir/w-$name-pg2a")
  read -r n secs p50 p99 ok bad err < <(parse "$dir/w-$name-pg2b")
  awk -v n1="$n1" -v s1="$s1" -v ok1="$ok1" -v a50="$p501" -v a99="$p991" -v n="$n" \
    -v s="$secs" -v ok="$ok" -v b50="$p50" -v b99="$p99" -v e=$((bad + err + bad1 + err1)) \
    -v name="$name" 'BEGIN { printf "%s pg2 %.0f %s %s %d %d - - -\n", name,
      (s1 > 0 ? ok1 / s1 : 0) + (s > 0 ? ok / s : 0), (a50 > b50 ? a50 : b50),
      (a99 > b99 ? a99 : b99), e, n1 + n }' >>"$dir/results"
}

load_avg_before=$(loadavg)
measure priorities BENCH_PATHS="$dir/p-priorities"
measure list_cached BENCH_PATHS="$dir/p-list_cached"
measure list BENCH_PATHS="$dir/p-list"
measure list_filter BENCH_PATHS="$dir/p-list_filter"
measure list_q BENCH_PATHS="$dir/p-list_q"
measure show BENCH_PATHS="$dir/p-show"
measure search BENCH_PATHS="$dir/p-search"
measure search_nofacets BENCH_PATHS="$dir/p-search_nofacets"
measure status BENCH_PATHS="$dir/p-status"
measure post_concern BENCH_POST=concern
measure post_activity BENCH_POST=activity
load_avg_after=$(loadavg)

# One statement's round trip, the unit of the PostgreSQL figures: pgbench, SELECT 1 prepared,
# one connection, over loopback TCP (as the servers above) and over the cluster's socket.
rtt_line="one statement's round trip: not measured (pgbench is missing)"
pgbench=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/pgbench
if [[ -x $pgbench ]]; then
  say "bench: pgbench, SELECT 1 over TCP and over the socket (5 s each)"
  echo "SELECT 1;" >"$dir/select1.sql"
  rtt() { timeout 60 "$pgbench" -n -M prepared -c 1 -j 1 -T 5 -f "$dir/select1.sql" "$@" 2>&1 |
    awk '/^latency average/ { printf "%.0f", $4 * 1000 }'; }
  pg_port=$(sed -n 's|.*:\([0-9]*\)/.*|\1|p' <<<"$pg_url")
  rtt_line="one statement's round trip (pgbench, SELECT 1 prepared, one connection, 5 s):"
  rtt_line+=" loopback TCP $(rtt "$pg_url") µs, Unix socket $(rtt -h "$pg_dir" -p "$pg_port" -U postgres postgres) µs"
fi

for p in "${pids[@]}"; do stop_pid "$p"; done
pids=()
check_sqlite=$(timeout 600 "$polis" check --db "$db" 2>&1 | head -n 1) || check_sqlite="FAILED: $check_sqlite"
check_pg=$(timeout 600 "$polis" check --db "$pg_url" 2>&1 | head -n 1) || check_pg="FAILED: $check_pg"

# ---- the table -------------------------------------------------------------------------------
label() {
  case $1 in
    priorities) echo 'GET /api/v1/framework/priorities (cached reply)' ;;
    list_cached) echo 'GET /api/v1/activities?limit=50 (cached page)' ;;
    list) echo 'GET /api/v1/activities?limit=50 (cache missed)' ;;
    list_filter) echo 'GET ...?limit=50&status=completed&priority=PDR (cache missed)' ;;
    list_q) echo 'GET ...?limit=50&q=police (cache missed)' ;;
    show) echo 'GET /api/v1/activities/{id}' ;;
    search) echo 'GET /api/v1/library/search?q=police' ;;
    search_nofacets) echo 'GET /api/v1/library/search?q=police&facets=false' ;;
    status) echo 'GET /api/v1/public/concerns/{code}' ;;
    post_concern) echo 'POST /api/v1/concerns (201)' ;;
    post_activity) echo 'POST /api/v1/activities (201)' ;;
  esac
}
sqlite_version=$(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)')
pg_version=$(psql_q "SHOW server_version" || echo "?")
cat <<HEAD

PostgreSQL next to SQLite ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r); load average before $load_avg_before, after $load_avg_after)
data: the demo database + $n generated activities ($nacts in all), $docs generated documents ($neds editions), $ncodes tracking codes; the same rows on both engines (polis migrate)
SQLite $sqlite_version (WAL, synchronous=FULL); PostgreSQL $pg_version on loopback TCP: $pg_settings
wrk -t$wrk_threads -c$conns -d${duration}s --latency per server; polis serve with its default threads, request logging off, the library's search cache off
req/s: 2xx replies per second (two servers: the two runs summed); p50 / p99 in ms (two servers: the worse of the two); errors: other replies and socket errors

| request | SQLite req/s | p50 / p99 | PostgreSQL req/s | p50 / p99 | PG / SQLite | PostgreSQL, 2 servers req/s | p50 / p99 | 2 servers / SQLite | errors S / P / P2 | PG statements per request / their execution µs | CPU µs per request: polis on SQLite / polis on PG + postgres |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
HEAD
for name in priorities list_cached list list_filter list_q show search search_nofacets status \
  post_concern post_activity; do
  grep -q "^$name " "$dir/results" 2>/dev/null || continue
  awk -v name="$name" -v label="$(label "$name")" '
    $1 == name { rps[$2] = $3; p50[$2] = $4; p99[$2] = $5; err[$2] = $6; cpu[$2] = $8; pg[$2] = $9; st[$2] = $10 }
    function r(a, b) { return (b > 0) ? sprintf("%.2f", a / b) : "-" }
    END { s = st["pg1"]; sub("/", " / ", s)
      printf "| %s | %d | %s / %s | %d | %s / %s | %s | %d | %s / %s | %s | %d / %d / %d | %s | %s / %s + %s |\n",
      label, rps["sqlite"], p50["sqlite"], p99["sqlite"], rps["pg1"], p50["pg1"], p99["pg1"],
      r(rps["pg1"], rps["sqlite"]), rps["pg2"], p50["pg2"], p99["pg2"], r(rps["pg2"], rps["sqlite"]),
      err["sqlite"], err["pg1"], err["pg2"], s, cpu["sqlite"], cpu["pg1"], pg["pg1"] }' \
    "$dir/results"
done
echo
echo "$rtt_line"
if [[ -f $dir/walsync ]]; then
  echo "PostgreSQL's WAL syncs (pg_stat_wal, track_wal_io_timing) in the one-server run of each write:"
  cat "$dir/walsync"
fi
echo "polis check after the run: SQLite: $check_sqlite; PostgreSQL: $check_pg"
if [[ $stats == 1 ]]; then
  echo
  echo "PostgreSQL's statements in the one-server run of each request, the most execution time first (calls | mean µs | statement):"
  for f in "$dir"/stmts-*; do
    [[ -f $f ]] || continue
    echo "  ${f##*/stmts-}:"
    head -n 8 "$f" | sed 's/^/    /'
  done
fi
