#!/usr/bin/env bash
# Installs the Debian packages Polis needs that are missing, and nothing else.
# Usage: scripts/deps.sh run|test|bench   (each set includes the previous one)
#        scripts/deps.sh pg                the PostgreSQL server the tests start (scripts/pg.sh)
# Quiet and fast when everything is already installed.
set -euo pipefail

run_pkgs=(gcc pkg-config meson ninja-build gettext
          libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libxml2-dev libstemmer-dev
          libpq-dev # libpq: the PostgreSQL engine of the store (polis --db postgres://...)
          libzip-dev libpoppler-glib-dev) # uploaded documents: DOCX archives, PDF text
# postgresql: the throw-away cluster the tests run the store and the API on (scripts/pg.sh)
test_pkgs=(libcmocka-dev sqlite3 python3 clang clang-format libclang-rt-14-dev chromium
           libxml2-utils postgresql)
bench_pkgs=(wrk nginx-light)

want=("${run_pkgs[@]}")
case "${1:-run}" in
  run) ;;
  test) want+=("${test_pkgs[@]}") ;;
  bench) want+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
  pg) want=(postgresql) ;;
  *) echo "usage: $0 run|test|bench|pg" >&2; exit 2 ;;
esac
# Node.js and npm drive the browser tests; use the machine's if it has them.
if [[ "${1:-run}" != run && "${1:-run}" != pg ]] && ! command -v npm >/dev/null 2>&1; then
  want+=(nodejs npm)
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/polis-apt.log 2>&1; then
  $sudo apt-get update -qq >/dev/null 2>&1 || true
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/polis-apt.log 2>&1 || {
    cat /tmp/polis-apt.log >&2; exit 1; }
fi
