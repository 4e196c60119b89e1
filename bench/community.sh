#!/usr/bin/env bash
# bench/community.sh: community policing under load. Measures, next to a ceiling timed in the
# same run and to its target:
#   submissions   POST /api/v1/concerns (durable, audited) with wrk, a client_id of its own
#                 per request: acknowledged (201) concerns/s, p50, p99
#                 vs plain SQLite inserting the same three rows (concern, event, audit entry)
#                 into a copy of the same database with polis's settings (WAL,
#                 synchronous=FULL), one concern a transaction, and BENCH_GROUP a
#                 transaction (what group commit would give); and the syncs (fdatasync) per
#                 concern of each, counted with strace in a short extra run when it is there
#   status        GET /api/v1/public/concerns/{code} round-robin over known codes: req/s, p99
#                 vs the same two queries (concerns.c's load) in-process on one connection
# A measurement, not a test: it exits 0 when a target is missed. Loopback only; every process
# it starts is stopped on exit, and every loop is bounded in time.
#
# Usage: bench/community.sh          the benchmark (`make bench-community`)
#        bench/community.sh crash    kill -9 under load, restart, every 201 still there and
#                                    `polis check` passes (tests/api/test_crash_concerns.py
#                                    against the release build, with a longer load)
# Each figure and its ceiling are measured in turn, BENCH_ROUNDS times, and the medians shown.
# Knobs: BENCH_DURATION (wrk and ceiling seconds, 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_THREADS
#        (wrk threads, 2), BENCH_GROUP (concerns a transaction in the group-commit ceiling, 32),
#        BENCH_BUILD (release build directory, build-bench), BENCH_CRASH_SECONDS (load before
#        the kill, 5), BENCH_CRASH_CLIENTS (8).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-bench}
duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-32}
wrk_threads=${BENCH_THREADS:-2}
group=${BENCH_GROUP:-32}
build=${BENCH_BUILD:-build-bench}
post_target=3000  # acknowledged concerns/s
get_target=15000  # status lookups/s

for tool in wrk python3 meson ninja curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run scripts/deps.sh bench)" >&2; exit 1; }
done

# ---- build: polis and the benchmark's tool (-Dbench=true) -----------------------------------
[[ -d $build ]] || meson setup "$build" --buildtype=release -Dbench=true >/dev/null
if ! meson configure "$build" | grep -qE '^ *bench +true'; then
  meson configure "$build" -Dbench=true >/dev/null
fi
if ! build_log=$(ninja -C "$build" polis bench/community/polis-bench-community 2>&1); then
  echo "$build_log" >&2
  exit 1
fi
polis=$(cd "$build" && pwd)/polis
tool=$(cd "$build" && pwd)/bench/community/polis-bench-community

if [[ $mode == crash ]]; then
  codes=$(mktemp "${TMPDIR:-/tmp}/polis-crash-codes.XXXXXX")
  trap 'rm -f "$codes"' EXIT
  rc=0
  POLIS_BIN=$polis POLIS_CRASH_SECONDS=${BENCH_CRASH_SECONDS:-5} \
    POLIS_CRASH_THREADS=${BENCH_CRASH_CLIENTS:-8} POLIS_CRASH_CODES=$codes timeout 300 \
    python3 tests/api/run.py test_crash_concerns.py || rc=$?
  echo "tracking codes recorded from 201 replies before the kill: $(wc -l <"$codes")"
  exit $rc
fi
[[ $mode == bench ]] || { echo "usage: $0 [bench|crash]" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/polis-bench-community.XXXXXX")
polis_pid=""
cleanup() {
  if [[ -n $polis_pid ]] && kill -0 "$polis_pid" 2>/dev/null; then
    kill -TERM "$polis_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$polis_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$polis_pid" 2>/dev/null || true
  fi
  [[ -n $polis_pid ]] && wait "$polis_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { printf '%s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print ($12 + $13) * 1000 / hz }' "/proc/$1/stat"; }

# syncs OUTFILE COMMAND...: runs COMMAND under strace counting fdatasync/fsync into OUTFILE
# (prints nothing and runs COMMAND plainly when strace is missing or may not trace).
have_strace=0
command -v strace >/dev/null 2>&1 && strace -f -c -o /dev/null true 2>/dev/null && have_strace=1
sync_calls() { awk '$NF == "fdatasync" || $NF == "fsync" { n += $4 } END { print n + 0 }' "$1"; }

# ---- a fresh database; copies of it for the ceilings -----------------------------------------
db=$dir/polis.db
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$password" | "$polis" init --db "$db" --demo --admin-password-stdin >/dev/null
for c in one group syncs_one syncs_group; do cp "$db" "$dir/raw_$c.db"; done
load_avg_before=$(loadavg)
kv() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$2"; }
median() { sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) { print 0; exit }
  print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$2" '{ print $c }' "$1" | median; } # FILE COLUMN: the median over the rounds
sum() { awk -v c="$2" '{ s += $c } END { print s + 0 }' "$1"; }

# ---- a server and a token -------------------------------------------------------------------
token=$("$polis" token create --db "$db" --login coordinator --name bench 2>/dev/null)
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

# run_wrk SCRIPT SECONDS [env...]: wrk on $url; prints "requests seconds rps p50_ms p99_ms
# socket_errors statuses" (statuses as the script's done() printed them, e.g. 201=N). The
# officers' submissions carry the API token; the citizens' lookups carry none, as a
# citizen's do (a token would add its lookup to each of them).
run_wrk() {
  local script=$1 secs=$2 auth=()
  shift 2
  [[ $script == *post.lua ]] && auth=(-H "Authorization: Bearer $token")
  env "$@" timeout $((secs + 30)) wrk -t"$wrk_threads" -c"$conns" -d"${secs}s" --latency \
    --timeout 10s -s "$script" "${auth[@]}" "$url/" 2>&1 | awk '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
    / requests in / { n = $1; s = $4; sub(/s,?$/, "", s) }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    /^statuses:/ { $1 = ""; st = substr($0, 2) }
    END { printf "%d %s %.0f %.2f %.2f %d %s\n", n, s, rps, p50, p99, err, st }'
}
status_count() { tr ' ' '\n' <<<"$1" | awk -F= -v c="$2" '$1 == c { print $2 }' | grep . || echo 0; }

# post ROUND: one wrk run of submissions; appends "acknowledged/s p50 p99 cpu_us replies 201s
# socket_errors" to $dir/post.
post() {
  local n secs rps p50 p99 err statuses cpu0 cpu1 ok
  cpu0=$(cpu_ms "$polis_pid")
  read -r n secs rps p50 p99 err statuses < \
    <(run_wrk bench/community/post.lua "$duration" BENCH_TAG="main-$$-$1")
  cpu1=$(cpu_ms "$polis_pid")
  ok=$(status_count "$statuses" 201)
  awk -v ok="$ok" -v s="$secs" -v p50="$p50" -v p99="$p99" -v a="$cpu0" -v b="$cpu1" \
    -v n="$n" -v err="$err" 'BEGIN { printf "%.0f %s %s %.0f %d %d %d\n", (s > 0) ? ok / s : 0,
      p50, p99, n ? (b - a) * 1000 / n : 0, n, ok, err }' >>"$dir/post"
}
for r in $(seq "$rounds"); do
  say "bench: round $r/$rounds: plain SQLite, one concern a transaction (${duration}s)"
  "$tool" insert "$dir/raw_one.db" "$duration" 1 "one$r" >>"$dir/raw_one"
  say "bench: round $r/$rounds: plain SQLite, $group concerns a transaction (${duration}s)"
  "$tool" insert "$dir/raw_group.db" "$duration" "$group" "group$r" >>"$dir/raw_group"
  say "bench: round $r/$rounds: POST /api/v1/concerns (wrk ${duration}s, $conns connections, $wrk_threads threads)"
  post "$r"
done
# "concerns N ms M cpu_ms C rate R": the rate is column 8, CPU 6, wall 4
raw_rate() { col "$1" 8; }

# ---- syncs per concern: a short extra run of each under strace -------------------------------
sync_line="syncs per concern: not counted (strace is missing or may not trace here)"
if [[ $have_strace == 1 ]]; then
  say "bench: counting syncs per concern (strace, 3 s each)"
  strace -f -c -e trace=fdatasync,fsync -o "$dir/strace_api" -p "$polis_pid" 2>/dev/null &
  strace_pid=$!
  sleep 0.5
  read -r _ _ _ _ _ _ sync_statuses < <(run_wrk bench/community/post.lua 3 BENCH_TAG="sync-$$")
  kill -INT "$strace_pid" 2>/dev/null || true
  wait "$strace_pid" 2>/dev/null || true
  strace -f -c -e trace=fdatasync,fsync -o "$dir/strace_one" \
    "$tool" insert "$dir/raw_syncs_one.db" 3 1 syncs >"$dir/syncs_one.out"
  strace -f -c -e trace=fdatasync,fsync -o "$dir/strace_group" \
    "$tool" insert "$dir/raw_syncs_group.db" 3 "$group" syncs >"$dir/syncs_group.out"
  per() { awk -v s="$1" -v n="$2" 'BEGIN { printf "%.2f", (n > 0) ? s / n : 0 }'; }
  sync_line="syncs (fdatasync) per concern: API $(per "$(sync_calls "$dir/strace_api")" "$(status_count "$sync_statuses" 201)"),"
  sync_line+=" plain SQLite one a transaction $(per "$(sync_calls "$dir/strace_one")" "$(kv concerns "$(cat "$dir/syncs_one.out")")"),"
  sync_line+=" $group a transaction $(per "$(sync_calls "$dir/strace_group")" "$(kv concerns "$(cat "$dir/syncs_group.out")")")"
fi

# ---- status by tracking code ---------------------------------------------------------------
"$tool" codes "$db" 1000 >"$dir/codes.txt"
ncodes=$(wc -l <"$dir/codes.txt")
# get ROUND: one wrk run of lookups; appends "req/s p50 p99 cpu_us replies 200s socket_errors".
get() {
  local n secs rps p50 p99 err statuses cpu0 cpu1 ok
  cpu0=$(cpu_ms "$polis_pid")
  read -r n secs rps p50 p99 err statuses < \
    <(run_wrk bench/community/get.lua "$duration" BENCH_CODES="$dir/codes.txt")
  cpu1=$(cpu_ms "$polis_pid")
  ok=$(status_count "$statuses" 200)
  awk -v rps="$rps" -v p50="$p50" -v p99="$p99" -v a="$cpu0" -v b="$cpu1" -v n="$n" \
    -v ok="$ok" -v err="$err" 'BEGIN { printf "%s %s %s %.0f %d %d %d\n", rps, p50, p99,
      n ? (b - a) * 1000 / n : 0, n, ok, err }' >>"$dir/get"
}
for r in $(seq "$rounds"); do
  say "bench: round $r/$rounds: GET /api/v1/public/concerns/{code} over $ncodes codes (wrk ${duration}s)"
  get "$r"
  say "bench: round $r/$rounds: the same two queries in-process (${duration}s)"
  "$tool" select "$db" "$dir/codes.txt" "$duration" >>"$dir/raw_get"
done
kill -TERM "$polis_pid" && wait "$polis_pid" 2>/dev/null || true
polis_pid=""
check_out=$("$polis" check --db "$db" 2>&1 | head -1) || check_out="FAILED: $check_out"

# ---- the table -------------------------------------------------------------------------------
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? "met" : "MISSED" }'; }
cat <<TABLE

Community policing ($(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1), $(uname -r); load average before $load_avg_before, after $(loadavg))
wrk -t$wrk_threads -c$conns -d${duration}s --latency on loopback; polis serve with its default threads, request logging off;
medians of $rounds interleaved rounds (each figure, then its ceiling)

| figure | measured | p50 / p99 | server CPU per request | ceiling, same run | target |
|---|---|---|---|---|---|
| concerns acknowledged (201) per s, POST /api/v1/concerns | $(col "$dir/post" 1) ($(sum "$dir/post" 6) of $(sum "$dir/post" 5) replies 201; socket errors $(sum "$dir/post" 7)) | $(col "$dir/post" 2) / $(col "$dir/post" 3) ms | $(col "$dir/post" 4) µs | plain SQLite, one concern a transaction: $(raw_rate "$dir/raw_one")/s (CPU $(col "$dir/raw_one" 6) ms of $(col "$dir/raw_one" 4)); $group a transaction: $(raw_rate "$dir/raw_group")/s | >= $post_target: $(verdict "$(col "$dir/post" 1)" "$post_target") |
| status by tracking code per s, GET /api/v1/public/concerns/{code} | $(col "$dir/get" 1) ($(sum "$dir/get" 6) of $(sum "$dir/get" 5) replies 200; socket errors $(sum "$dir/get" 7)) | $(col "$dir/get" 2) / $(col "$dir/get" 3) ms | $(col "$dir/get" 4) µs | the same two queries in-process, one connection: $(col "$dir/raw_get" 8)/s (p50 $(col "$dir/raw_get" 10) ms, p99 $(col "$dir/raw_get" 12) ms) | >= $get_target: $(verdict "$(col "$dir/get" 1)" "$get_target") |

$sync_line
polis check after the run: $check_out
every round (per s): API $(awk '{ printf "%s ", $1 }' "$dir/post")| one a transaction $(awk '{ printf "%s ", $8 }' "$dir/raw_one")| $group a transaction $(awk '{ printf "%s ", $8 }' "$dir/raw_group")| status $(awk '{ printf "%s ", $1 }' "$dir/get")| in-process $(awk '{ printf "%s ", $8 }' "$dir/raw_get")
TABLE
