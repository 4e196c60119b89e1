#!/usr/bin/env bash
# Backup, restore and fail-over drills, run for real on throw-away databases (make drill):
#   1. SQLite: `polis backup` while a server writes concerns; the copy restored alone;
#      `polis check` verifies it, and the source's audit chain contains the copy's head.
#   2. PostgreSQL, logical: `pg_dump -Fc` of a Polis database, `pg_restore` into a new one,
#      `polis check`: the same audit head, a server on the restore signs in.
#   3. PostgreSQL, physical: a streaming replica made with `pg_basebackup -R` follows the
#      primary; a user added on the primary reaches it; the primary stops; the replica is
#      promoted; `polis check` passes on it with the primary's last head, and `polis serve`
#      on it signs in and writes.
# Each step prints what it did, how long it took and its result. Exit 0 when every drill
# passed, 1 otherwise. Usage: scripts/drill.sh [POLIS_BINARY] (default build/polis).
# Everything listens on 127.0.0.1 and is removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.."

bin=$(realpath "${1:-build/polis}")
[[ -x $bin ]] || { echo "drill: no polis binary at $bin (make build first)" >&2; exit 2; }
password="drill-password-$$-long-enough"
work=$(mktemp -d /tmp/polis-drill.XXXXXX)
pg_dir=$(mktemp -d /tmp/polis-drill-pg.XXXXXX)
replica=$(mktemp -d /tmp/polis-drill-replica.XXXXXX)
rmdir "$pg_dir" "$replica" # pg.sh and pg_basebackup want to make them
servers=()
failed=0

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
  if [[ -f $replica/postmaster.pid ]]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$replica" -m immediate -w stop >/dev/null 2>&1
  fi
  rm -rf "$replica"
  [[ ! -d $pg_dir ]] || scripts/pg.sh stop "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
took() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f} s')" "$1" "$(now)"; }
step() { printf '  %-58s %s\n' "$1" "$2"; }
pass() { step "$1" "ok ($2)"; }
fail() { step "$1" "FAILED: $2"; failed=1; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
head_of() { "$bin" check --db "$1" 2>/dev/null | sed -n 's/^audit head: entry [0-9]*, hash //p'; }

# Starts polis serve on db at a free port and sets port. Not to be called in a subshell:
# the server's pid must reach servers, which cleanup stops.
serve() {
  local db=$1
  port=$(free_port)
  POLIS_FILES=$work/files POLIS_LOG_REQUESTS=0 "$bin" serve --db "$db" \
    --listen "127.0.0.1:$port" >>"$work/serve.log" 2>&1 &
  servers+=($!)
  for _ in $(seq 100); do
    python3 - "$port" <<'PY' 2>/dev/null && return 0
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", "/healthz")
sys.exit(0 if c.getresponse().status == 200 else 1)
PY
    sleep 0.1
  done
  return 1
}

# Signs in as admin on port and, with count > 0, raises that many concerns; prints how
# many were acknowledged (201). Exit 1 when signing in fails.
sign_in_and_write() {
  python3 - "$1" "$password" "$2" <<'PY'
import http.client, json, sys
port, password, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("POST", "/api/v1/session", json.dumps({"login": "admin", "password": password}),
          {"Content-Type": "application/json"})
r = c.getresponse()
body = json.loads(r.read() or b"{}")
if r.status != 200:
    sys.exit(1)
cookie = r.getheader("Set-Cookie").split(";")[0]
done = 0
for i in range(count):
    c.request("POST", "/api/v1/concerns",
              json.dumps({"service_code": "youth", "description": f"Drill concern {i}"}),
              {"Content-Type": "application/json", "Cookie": cookie,
               "X-CSRF-Token": body["csrf"]})
    r = c.getresponse()
    r.read()
    done += r.status == 201
print(done)
PY
}

echo "1. SQLite: online backup and restore"
t=$(now)
if echo "$password" | POLIS_FILES=$work/files "$bin" init --db "$work/live.db" --demo \
     --admin-password-stdin >/dev/null 2>&1 && serve "$work/live.db"; then
  pass "a demo database served" "$(took "$t")"
  sign_in_and_write "$port" 200 >"$work/written" &
  writer=$!
  sleep 0.5
  t=$(now)
  if "$bin" backup --db "$work/live.db" "$work/live.backup" >/dev/null; then
    pass "polis backup while concerns are being written" \
      "$(took "$t"), $(du -k "$work/live.backup" | cut -f1) KiB"
  else
    fail "polis backup while concerns are being written" "exit $?"
  fi
  wait "$writer"
  step "concerns acknowledged during the drill" "$(cat "$work/written")"
  cp "$work/live.backup" "$work/restored.db"
  t=$(now)
  backup_head=$(head_of "$work/restored.db")
  if [[ -n $backup_head ]]; then
    pass "polis check on the restored copy" "$(took "$t"), head ${backup_head:0:16}"
  else
    fail "polis check on the restored copy" "$("$bin" check --db "$work/restored.db" 2>&1)"
  fi
  if "$bin" check --db "$work/live.db" --expect-head "$backup_head" >/dev/null 2>&1; then
    pass "the live chain contains the copy's head" "the copy is a prefix"
  else
    fail "the live chain contains the copy's head" "not found"
  fi
else
  fail "a demo database served" "see $work/serve.log"
fi

echo "2. PostgreSQL: pg_dump and pg_restore"
if url=$(scripts/pg.sh start "$pg_dir"); then
  base=${url%/*}
  psql "$url" -qc "CREATE DATABASE polis" -c "CREATE DATABASE restored" >/dev/null
  t=$(now)
  if echo "$password" | POLIS_FILES=$work/files "$bin" init --db "$base/polis" --demo \
       --admin-password-stdin >/dev/null 2>&1; then
    pass "polis init --demo on PostgreSQL" "$(took "$t")"
  else
    fail "polis init --demo on PostgreSQL" "exit $?"
  fi
  head1=$(head_of "$base/polis")
  t=$(now)
  if pg_dump -Fc -d "$base/polis" -f "$work/polis.dump" &&
     pg_restore --no-owner -d "$base/restored" "$work/polis.dump"; then
    pass "pg_dump -Fc, then pg_restore into a new database" \
      "$(took "$t"), dump $(du -k "$work/polis.dump" | cut -f1) KiB"
  else
    fail "pg_dump -Fc, then pg_restore into a new database" "see above"
  fi
  rows1=$(psql "$base/polis" -Atc "SELECT count(*) FROM library_fts WHERE document <> ''")
  rows2=$(psql "$base/restored" -Atc "SELECT count(*) FROM library_fts WHERE document <> ''")
  if [[ -n $rows1 && $rows1 == "$rows2" && $rows1 -gt 0 ]]; then
    pass "the library's full text rebuilt by the restore" "$rows2 editions"
  else
    fail "the library's full text rebuilt by the restore" "'$rows1' vs '$rows2' editions"
  fi
  head2=$(head_of "$base/restored")
  if [[ -n $head1 && $head1 == "$head2" ]]; then
    pass "polis check on the restore: the same audit head" "${head2:0:16}"
  else
    fail "polis check on the restore: the same audit head" "'$head1' vs '$head2'"
  fi
  if serve "$base/restored" && [[ $(sign_in_and_write "$port" 1) == 1 ]]; then
    pass "polis serve on the restore signs in and writes" "1 concern"
  else
    fail "polis serve on the restore signs in and writes" "see $work/serve.log"
  fi

  echo "3. PostgreSQL: streaming replica and fail-over"
  pport=$(cat "$pg_dir/port")
  rport=$(free_port)
  t=$(now)
  mkdir -p "$replica" && chmod 700 "$replica"
  [[ $(id -u) -ne 0 ]] || chown postgres: "$replica"
  if as_owner "$(pg_bin)/pg_basebackup" -h 127.0.0.1 -p "$pport" -U postgres -D "$replica" \
       -R -X stream -c fast >"$work/basebackup.log" 2>&1 &&
     as_owner "$(pg_bin)/pg_ctl" -D "$replica" -l "$replica/server.log" -w -t 60 start \
       -o "-c port=$rport -c listen_addresses=127.0.0.1 -c unix_socket_directories=$replica" \
       >/dev/null; then
    pass "pg_basebackup -R, the replica started" "$(took "$t")"
  else
    fail "pg_basebackup -R, the replica started" "$(tail -3 "$work/basebackup.log")"
  fi
  rurl="postgres://postgres@127.0.0.1:$rport/polis"
  t=$(now)
  echo "$password" | "$bin" user add --db "$base/polis" --login drill.replica \
    --role auditor --org SPMU --password-stdin >/dev/null
  seen=0
  for _ in $(seq 200); do
    n=$(psql "$rurl" -Atc "SELECT count(*) FROM users WHERE login = 'drill.replica'" 2>/dev/null)
    [[ $n == 1 ]] && { seen=1; break; }
    sleep 0.05
  done
  if [[ $seen == 1 ]]; then
    pass "a user added on the primary reaches the replica" "$(took "$t")"
  else
    fail "a user added on the primary reaches the replica" "not within 10 s"
  fi
  primary_head=$(head_of "$base/polis")
  t=$(now)
  scripts/pg.sh halt "$pg_dir"
  if as_owner "$(pg_bin)/pg_ctl" -D "$replica" -w promote >/dev/null; then
    pass "the primary stopped, the replica promoted" "$(took "$t")"
  else
    fail "the primary stopped, the replica promoted" "pg_ctl promote failed"
  fi
  if "$bin" check --db "$rurl" --expect-head "$primary_head" >/dev/null 2>&1; then
    pass "polis check on the promoted replica, the primary's head" "${primary_head:0:16}"
  else
    fail "polis check on the promoted replica, the primary's head" \
      "$("$bin" check --db "$rurl" --expect-head "$primary_head" 2>&1 | tail -1)"
  fi
  if serve "$rurl" && [[ $(sign_in_and_write "$port" 1) == 1 ]]; then
    pass "polis serve on the promoted replica signs in and writes" "1 concern"
  else
    fail "polis serve on the promoted replica signs in and writes" "see $work/serve.log"
  fi
else
  fail "a PostgreSQL cluster started" "scripts/pg.sh start failed"
fi

if [[ $failed -eq 0 ]]; then echo "every drill passed"; else echo "a drill FAILED"; fi
exit "$failed"
