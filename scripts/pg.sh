#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests: initdb in DIR, listening on 127.0.0.1 on a
# free port and on a socket in DIR, trust authentication (loopback only), no durability
# settings a test does not need. Installs Debian's postgresql package when it is missing.
# PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user.
#   scripts/pg.sh start DIR   create and start; prints the URL (postgres://...)
#   scripts/pg.sh url DIR     prints the URL of the cluster in DIR
#   scripts/pg.sh halt DIR    stops the server, keeps the cluster (fault tests)
#   scripts/pg.sh resume DIR  starts a halted cluster again on the same port
#   scripts/pg.sh stop DIR    stops the server and removes DIR
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || { sed -n '2,11p' "$0" >&2; exit 2; }

bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $d ]]; then
    "$(dirname "$0")/deps.sh" pg >&2
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  [[ -n $d ]] || { echo "pg.sh: no PostgreSQL server installed" >&2; exit 1; }
  echo "$d"
}

as_owner() { # runs a command as the cluster's owner
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

url() { echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"; }

server_start() {
  local bin=$1
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$(cat "$dir/port") -c unix_socket_directories=$dir" \
    >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}

case $cmd in
  start)
    bin=$(bin_dir)
    mkdir -p "$dir"
    [[ -z $(ls -A "$dir") ]] || { echo "pg.sh: $dir is not empty" >&2; exit 1; }
    [[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # Only loopback connections exist (listen_addresses), so trust is safe here; the
    # settings below trade durability for speed, which a throw-away cluster can afford.
    cat >>"$dir/data/postgresql.conf" <<'CONF'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
CONF
    free_port >"$dir/port"
    server_start "$bin"
    url
    ;;
  url) url ;;
  halt)
    as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    server_start "$(bin_dir)"
    ;;
  stop)
    if [[ -f $dir/data/postmaster.pid ]]; then
      as_owner "$(bin_dir)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) sed -n '2,11p' "$0" >&2; exit 2 ;;
esac
