#!/usr/bin/env bash
# Runs every test level and ends with one line "N passed, N failed":
#   formatting (.clang-format),
#   unit tests (cmocka) in the plain and the ASan+UBSan build,
#   API tests against a real polis serve (ASan+UBSan build),
#   the store's contract and the whole API suite on PostgreSQL
#   (a throw-away cluster from scripts/pg.sh; the unit tests run on it too),
#   the backup, restore and fail-over drills (scripts/drill.sh) when PostgreSQL is there,
#   short fuzzing runs of the parsers (clang libFuzzer),
#   browser tests (Debian chromium driven by playwright-core).
# Set POLIS_SKIP="e2e fuzz pg" to skip levels while working; CI skips nothing.
set -uo pipefail
cd "$(dirname "$0")/.."

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
results=$(mktemp)
tmp_drill=$(mktemp)
pg_dir=""
trap 'rm -f "$results" "$tmp_drill"; [[ -z $pg_dir ]] || scripts/pg.sh stop "$pg_dir"' EXIT
skip=" ${POLIS_SKIP:-} "

level_started=$SECONDS
record() { # level, passed, failed; also says how long the level took
  echo "$1 $2 $3" >>"$results"
  printf '== %s: %s passed, %s failed (%d s)\n' "$1" "$2" "$3" $((SECONDS - level_started))
  level_started=$SECONDS
}

build_all() {
  make --no-print-directory build build-asan || { record build 0 1; return 1; }
  record build 0 0
}

# Unit tests speak TAP; count their cases from meson's log. A test executable that
# crashed before reporting counts as one failure.
unit_level() {
  local dir=$1 out
  out=$(meson test -C "$dir" --print-errorlogs 2>&1)
  echo "$out" | grep -E '^ *[0-9]+/[0-9]+ ' | tail -n 40
  local log="$dir/meson-logs/testlog.txt" ok notok crashed
  ok=$(grep -cE '^ok [0-9]+' "$log")
  notok=$(grep -cE '^not ok [0-9]+' "$log")
  crashed=$(echo "$out" | awk '/^(Fail|Timeout|Unexpected Pass):/ {s+=$NF} END {print s+0}')
  if [[ $notok -eq 0 && $crashed -gt 0 ]]; then notok=$crashed; fi
  record "unit($dir)" "$ok" "$notok"
}

count_line() { # level, command...: the command ends with "<level>: N passed, N failed"
  local level=$1; shift
  local out last p f
  out=$(mktemp)
  "$@" 2>&1 | tee "$out"
  last=$(tail -n 1 "$out")
  rm -f "$out"
  p=$(echo "$last" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
  f=$(echo "$last" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
  record "$level" "${p:-0}" "${f:-1}"
}

# Formatting: every C file as .clang-format says.
format_level() {
  local bad
  bad=$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'tools/*.c' |
        while read -r f; do clang-format "$f" | cmp -s - "$f" || echo "$f"; done)
  if [[ -n $bad ]]; then echo "not formatted (run make format): $bad"; record format 0 1
  else record format 1 0; fi
}

# A PostgreSQL cluster for the run: POLIS_TEST_PG makes the unit tests of the store run on
# it as well, POLIS_PG_DIR lets the fault tests stop and start it.
start_pg() {
  [[ "$skip" != *" pg "* ]] || return 1
  pg_dir=$(mktemp -d /tmp/polis-pg.XXXXXX)
  if POLIS_TEST_PG=$(scripts/pg.sh start "$pg_dir"); then
    export POLIS_TEST_PG POLIS_PG_DIR=$pg_dir
    return 0
  fi
  record "pg(start)" 0 1
  return 1
}

# The whole API suite runs on PostgreSQL too, but test_migrate, which moves its own SQLite
# file to and from the cluster in the SQLite run.
PG_API_SKIP=" test_migrate.py "
PG_API_TESTS=()
for t in tests/api/test_*.py; do
  [[ "$PG_API_SKIP" == *" ${t##*/} "* ]] || PG_API_TESTS+=("${t##*/}")
done

format_level
if build_all; then
  start_pg && have_pg=1 || have_pg=0
  unit_level build
  unit_level build-asan
  count_line api env POLIS_BIN="$PWD/build-asan/polis" python3 tests/api/run.py
  if [[ $have_pg -eq 1 ]]; then
    count_line "api(postgres)" env POLIS_TEST_DB=postgres POLIS_BIN="$PWD/build-asan/polis" \
      python3 tests/api/run.py "${PG_API_TESTS[@]}"
  fi
  if [[ $have_pg -eq 1 ]]; then # backup, restore and fail-over, for real (make drill)
    if scripts/drill.sh build/polis >"$tmp_drill" 2>&1; then record drill 1 0
    else cat "$tmp_drill"; record drill 0 1; fi
  fi
  if [[ "$skip" != *" fuzz "* && -x scripts/fuzz.sh ]]; then
    count_line fuzz scripts/fuzz.sh "${FUZZ_SECONDS:-10}"
  fi
  if [[ "$skip" != *" e2e "* && -f tests/e2e/run.mjs ]]; then
    count_line e2e tests/e2e/run.sh
  fi
fi

awk '{p+=$2; f+=$3} END {printf "%d passed, %d failed\n", p, f; exit (f > 0)}' "$results"
