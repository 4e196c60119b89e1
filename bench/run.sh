#!/usr/bin/env bash
# bench/run.sh: the HTTP benchmark. Measures polis serve against nginx on the same machine
# in the same run (a ceiling, never a number from another day), prints a table and exits 0
# even when a target is missed: it is a measurement, not a test. Loopback traffic only.
#
# Usage: bench/run.sh   (normally through `make bench`, which installs wrk and nginx first)
# Knobs: BENCH_DURATION (s, default 10), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS (64),
#        BENCH_THREADS (wrk threads, 2), BENCH_BUILD (build directory, build-bench).
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${BENCH_DURATION:-10}
rounds=${BENCH_ROUNDS:-3}
conns=${BENCH_CONNECTIONS:-64}
wrk_threads=${BENCH_THREADS:-2}
build=${BENCH_BUILD:-build-bench}
healthz_target=0.85   # polis /healthz as a share of nginx return 200
list_target=0.50      # polis framework list as a share of nginx serving a file of its size
rss_target_kb=20480   # idle resident memory of polis serve
priorities_path=/api/v1/framework/priorities

for tool in wrk nginx python3 meson ninja; do
  command -v "$tool" >/dev/null 2>&1 || { echo "bench: $tool is missing (run scripts/deps.sh bench)" >&2; exit 1; }
done

# ---- build ---------------------------------------------------------------------------------
[[ -d $build ]] || meson setup "$build" --buildtype=release >/dev/null
if ! build_log=$(ninja -C "$build" polis 2>&1); then echo "$build_log" >&2; exit 1; fi
polis=$PWD/$build/polis

# ---- everything we start is remembered here and stopped on exit ------------------------------
dir=$(mktemp -d "${TMPDIR:-/tmp}/polis-bench.XXXXXX")
polis_pid="" polis_log_pid="" nginx_pid=""
stop_pid() { # pid, signal: stops one process we started and reaps it
  [[ -n $1 ]] || return 0
  if kill -0 "$1" 2>/dev/null; then
    kill "-$2" "$1" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$1" 2>/dev/null && kill -KILL "$1" 2>/dev/null
  fi
  wait "$1" 2>/dev/null || true
}
cleanup() {
  stop_pid "$polis_pid" TERM
  stop_pid "$polis_log_pid" TERM
  stop_pid "$nginx_pid" QUIT
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints three distinct free TCP ports on 127.0.0.1 (never port 80: the kernel hands out
# ephemeral ports only).
free_ports() {
  python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# http_get URL [TOKEN] [OUTFILE]: prints "STATUS BYTES"; STATUS 0 when nothing answered.
http_get() {
  python3 - "$@" <<'EOF'
import sys, urllib.request, urllib.error
url = sys.argv[1]
token = sys.argv[2] if len(sys.argv) > 2 else ""
out = sys.argv[3] if len(sys.argv) > 3 else ""
req = urllib.request.Request(url)
if token:
    req.add_header("Authorization", "Bearer " + token)
try:
    with urllib.request.urlopen(req, timeout=5) as r:
        status, body = r.status, r.read()
except urllib.error.HTTPError as e:
    status, body = e.code, e.read()
except OSError:
    status, body = 0, b""
if out:
    open(out, "wb").write(body)
print(status, len(body))
EOF
}

wait_ready() { # url, pid, name
  for _ in $(seq 100); do
    kill -0 "$2" 2>/dev/null || { echo "bench: $3 exited at start" >&2; return 1; }
    [[ $(http_get "$1" | cut -d' ' -f1) == 200 ]] && return 0
    sleep 0.1
  done
  echo "bench: $3 did not answer $1 within 10 s" >&2
  return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# CPU time (clock ticks, user + system) of a process and its children: polis is one process
# with threads, nginx a master with worker processes.
cpu_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{
    pid = $1; sub(/^.*\) /, "")      # drop "pid (comm) ": comm may hold spaces
    if (pid == p || $2 == p) t += $12 + $13 } END { print t + 0 }'
}

# ---- a fresh database, a token ---------------------------------------------------------------
db=$dir/polis.db
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$password" | "$polis" init --db "$db" --demo --admin-password-stdin >/dev/null
token=$("$polis" token create --db "$db" --login coordinator --name bench 2>/dev/null)
[[ -n $token ]] || { echo "bench: could not create an API token" >&2; exit 1; }

read -r polis_port nginx_port polis_log_port < <(free_ports)

# ---- polis serve, request logging off ---------------------------------------------------------
POLIS_LOG_REQUESTS=0 "$polis" serve --db "$db" --listen "127.0.0.1:$polis_port" \
  >"$dir/polis.out" 2>&1 &
polis_pid=$!
polis_url=http://127.0.0.1:$polis_port
wait_ready "$polis_url/healthz" "$polis_pid" "polis serve" || { cat "$dir/polis.out" >&2; exit 1; }
rss_start_kb=$(rss_kb "$polis_pid")

# The priorities list: its size decides the size of nginx's static file.
read -r list_status list_bytes < <(http_get "$polis_url$priorities_path" "$token" "$dir/priorities.json")
list_available=1
if [[ $list_status != 200 ]]; then
  list_available=0
  # Stand-in of the same order of size: the six priorities with their focus areas, as loaded.
  list_bytes=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(json.dumps({"items": d["priorities"]}, separators=(",", ":"), ensure_ascii=False).encode()))
' data/framework.json)
fi

# ---- nginx: the ceiling ------------------------------------------------------------------------
mkdir -p "$dir/www" "$dir/nginx-tmp"
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"x" * int(sys.argv[2]))' \
  "$dir/www/static.json" "$list_bytes"
user_line=""
# As root the workers would switch to "nobody", who cannot read our private temp dir.
[[ $(id -u) -eq 0 ]] && user_line="user $(id -un) $(id -gn);"
temp_paths="client_body_temp_path $dir/nginx-tmp/body; proxy_temp_path $dir/nginx-tmp/proxy;"
nginx_v=$(nginx -V 2>&1)
for m in fastcgi uwsgi scgi; do
  [[ $nginx_v == *"--without-http_${m}_module"* ]] || temp_paths+=" ${m}_temp_path $dir/nginx-tmp/$m;"
done
cat >"$dir/nginx.conf" <<EOF
$user_line
worker_processes auto;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 1000000;
    default_type application/json;
    types { application/json json; }
    $temp_paths
    server {
        listen 127.0.0.1:$nginx_port;
        root $dir/www;
        location = /healthz { return 200 '{"status":"ok"}'; }
        location = /static.json { }
    }
}
EOF
nginx -c "$dir/nginx.conf" -p "$dir" -g "daemon off; pid $dir/nginx.pid; error_log stderr;" \
  >"$dir/nginx.out" 2>&1 &
nginx_pid=$!
nginx_url=http://127.0.0.1:$nginx_port
wait_ready "$nginx_url/healthz" "$nginx_pid" nginx || { cat "$dir/nginx.out" >&2; exit 1; }

# ---- measurements -----------------------------------------------------------------------------
# run_wrk NAME PID URL [TOKEN]: one wrk run against the server PID; appends
# "REQ_PER_S P99_MS ERRORS CPU_US_PER_REQUEST" to $dir/res/NAME.
mkdir -p "$dir/res"
hz=$(getconf CLK_TCK)
run_wrk() {
  local name=$1 pid=$2 url=$3 token_arg=${4:-} out t0 t1
  [[ $url == http://127.0.0.1:* ]] || { echo "bench: refusing non-loopback $url" >&2; exit 1; }
  local args=(-t"$wrk_threads" -c"$conns" -d"${duration}s" --latency)
  [[ -n $token_arg ]] && args+=(-H "Authorization: Bearer $token_arg")
  t0=$(cpu_ticks "$pid")
  out=$(timeout $((duration + 30)) wrk "${args[@]}" "$url" 2>&1) || true
  t1=$(cpu_ticks "$pid")
  echo "$out" >>"$dir/res/$name.raw"
  echo "$out" | awk -v ticks=$((t1 - t0)) -v hz="$hz" '
    function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
    /^Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { err += $NF }
    /Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
    END { printf "%.0f %.2f %d %.1f\n", rps, p99, err, n ? ticks / hz * 1e6 / n : 0 }' >>"$dir/res/$name"
}

median_col() { # file, column: the median of that column over the rounds
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{v[NR] = $1} END {
    if (NR == 0) { print 0; exit }
    print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
errors_of() { awk '{s += $3} END {print s + 0}' "$1"; }

targets=(nginx_healthz polis_healthz nginx_static)
[[ $list_available == 1 ]] && targets+=(polis_list)
echo "bench: $(nproc) cores, wrk -t$wrk_threads -c$conns -d${duration}s, $rounds rounds interleaved"
for r in $(seq "$rounds"); do
  for t in "${targets[@]}"; do
    printf 'bench: round %d/%d %s\n' "$r" "$rounds" "$t"
    case $t in
      nginx_healthz) run_wrk "$t" "$nginx_pid" "$nginx_url/healthz" ;;
      polis_healthz) run_wrk "$t" "$polis_pid" "$polis_url/healthz" ;;
      nginx_static) run_wrk "$t" "$nginx_pid" "$nginx_url/static.json" ;;
      polis_list) run_wrk "$t" "$polis_pid" "$polis_url$priorities_path" "$token" ;;
    esac
  done
done
sleep 1
rss_after_kb=$(rss_kb "$polis_pid")

# Once more with request logging on (JSON lines to a file), each route once.
POLIS_LOG_REQUESTS=1 "$polis" serve --db "$db" --listen "127.0.0.1:$polis_log_port" \
  >"$dir/polis-logging.out" 2>&1 &
polis_log_pid=$!
polis_log_url=http://127.0.0.1:$polis_log_port
if wait_ready "$polis_log_url/healthz" "$polis_log_pid" "polis serve (logging on)"; then
  printf 'bench: logging on: polis_healthz\n'
  run_wrk polis_healthz_logged "$polis_log_pid" "$polis_log_url/healthz"
  if [[ $list_available == 1 ]]; then
    printf 'bench: logging on: polis_list\n'
    run_wrk polis_list_logged "$polis_log_pid" "$polis_log_url$priorities_path" "$token"
  fi
fi
log_bytes=$(stat -c %s "$dir/polis-logging.out" 2>/dev/null || echo 0)
stop_pid "$polis_log_pid" TERM
polis_log_pid=""

# ---- report -----------------------------------------------------------------------------------
declare -A rps p99 errs cpu runs
for f in "$dir"/res/*; do
  [[ $f == *.raw ]] && continue
  n=$(basename "$f")
  rps[$n]=$(median_col "$f" 1)
  p99[$n]=$(median_col "$f" 2)
  cpu[$n]=$(median_col "$f" 4)
  errs[$n]=$(errors_of "$f")
  runs[$n]=$(awk '{printf "%s%s", (NR > 1 ? " " : ""), $1}' "$f")
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
verdict() { # ratio, target
  awk -v r="$1" -v t="$2" 'BEGIN { if (r == "-") print "n/a"; else if (r + 0 >= t + 0) print "met"; else print "MISSED" }'
}
line() { printf '| %-40s | %8s | %9s | %5s | %9s | %s |\n' "$@"; }
row() { # label, name, baseline name, target ("" = none)
  local n=$2 base=$3 tgt=$4 rt="" note=""
  [[ -n ${rps[$n]:-} ]] || return 0
  [[ -n $base ]] && rt=$(ratio "${rps[$n]}" "${rps[$base]:-0}")
  [[ -n $tgt ]] && note="≥ $(awk -v t="$tgt" 'BEGIN{printf "%d", t*100}') % of nginx: $(verdict "$rt" "$tgt")"
  [[ ${errs[$n]} -gt 0 ]] && note+=" (${errs[$n]} non-2xx/socket errors: INVALID)"
  line "$1" "${rps[$n]}" "${p99[$n]} ms" "${rt:--}" "${cpu[$n]} µs" "$note"
}

echo
echo "Polis HTTP benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$wrk_threads -c$conns -d${duration}s --latency on loopback; medians of $rounds interleaved runs"
echo "priorities response: ${list_bytes} bytes$([[ $list_available == 1 ]] || echo ' (stand-in size: the route did not answer 200)')"
echo
line target "req/s" "p99" ratio "CPU/req" "target"
echo "|------------------------------------------|----------|-----------|-------|-----------|--------|"
row "nginx /healthz (return 200)" nginx_healthz "" ""
row "polis /healthz" polis_healthz nginx_healthz "$healthz_target"
row "nginx static file, ${list_bytes} B" nginx_static "" ""
if [[ $list_available == 1 ]]; then
  row "polis GET $priorities_path" polis_list nginx_static "$list_target"
else
  line "polis GET $priorities_path" - - - - "NOT MEASURED: HTTP $list_status, not 200; ≥ 50 % of nginx: MISSED"
fi
row "polis /healthz, request logging on" polis_healthz_logged nginx_healthz ""
row "polis priorities, request logging on" polis_list_logged nginx_static ""
echo
echo "ratio: req/s over nginx's in the same run; CPU/req: server CPU time (user + system) per"
echo "request, from /proc, median; logging on: one run, JSON lines to a file ($log_bytes bytes)."
echo "every run (req/s):"
for n in nginx_healthz polis_healthz nginx_static polis_list polis_healthz_logged polis_list_logged; do
  [[ -n ${runs[$n]:-} ]] && printf '  %-22s %s\n' "$n" "${runs[$n]}"
done
echo
rss_verdict() { [[ $1 -lt $rss_target_kb ]] && echo met || echo MISSED; }
printf 'polis serve RSS: %.1f MB after start, %.1f MB after the load (target < %d MB: %s, %s)\n' \
  "$(awk -v k="$rss_start_kb" 'BEGIN{print k/1024}')" "$(awk -v k="$rss_after_kb" 'BEGIN{print k/1024}')" \
  $((rss_target_kb / 1024)) "$(rss_verdict "$rss_start_kb")" "$(rss_verdict "$rss_after_kb")"
[[ $list_available == 1 ]] || echo "NOTE: $priorities_path answered HTTP $list_status; the framework list was not measured."
exit 0
