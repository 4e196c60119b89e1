#!/usr/bin/env bash
# Fuzzes the parsers with libFuzzer: builds tests/fuzz/fuzz_*.c in build-fuzz (clang,
# ASan+UBSan, -Dfuzz=true), runs each harness for an equal share of SECONDS (at least 3 s)
# on a copy of its seed corpus, prints one line per harness and ends with
# "fuzz: N passed, M failed". Installs nothing (scripts/deps.sh test does).
# Usage: scripts/fuzz.sh [SECONDS]   (default 60). Crashes: build-fuzz/fuzz-artifacts/<name>/
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi
dir=build-fuzz
log=$(mktemp)
work=$(mktemp -d)
trap 'rm -rf "$log" "$work"' EXIT

fail_setup() { # message: the whole level fails, still with the summary line last
  echo "$1" >&2
  cat "$log" >&2
  echo "fuzz: 0 passed, 1 failed"
  exit 1
}

command -v clang >/dev/null 2>&1 || fail_setup "fuzz: clang is not installed (run scripts/deps.sh test)"

harnesses=()
for f in tests/fuzz/fuzz_*.c; do
  name=${f##*/fuzz_}
  harnesses+=("${name%.c}")
done
[[ ${#harnesses[@]} -gt 0 ]] || fail_setup "fuzz: no harnesses in tests/fuzz/"

# Configure once; switch the option on if the directory was made without it.
if [[ ! -f $dir/build.ninja ]]; then
  CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized >"$log" 2>&1 || fail_setup "fuzz: meson setup $dir failed"
elif ! python3 -c 'import json, sys
opts = json.load(open(sys.argv[1] + "/meson-info/intro-buildoptions.json"))
sys.exit(0 if any(o["name"] == "fuzz" and o["value"] is True for o in opts) else 1)' "$dir" 2>/dev/null; then
  meson configure "$dir" -Dfuzz=true >"$log" 2>&1 ||
    fail_setup "fuzz: cannot enable -Dfuzz=true in $dir (was it set up with gcc? remove it)"
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("tests/fuzz/fuzz_$h"); done
ninja -C "$dir" "${targets[@]}" >"$log" 2>&1 || fail_setup "fuzz: build failed"

per=$((seconds / ${#harnesses[@]}))
((per < 3)) && per=3

# libFuzzer sets its own ASan options for leaks; make sanitizer reports stop the run.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

passed=0
failed=0
for h in "${harnesses[@]}"; do
  corpus="$work/$h"
  mkdir -p "$corpus"
  if [[ -d tests/fuzz/corpus/$h ]]; then cp -R "tests/fuzz/corpus/$h/." "$corpus/"; fi
  artifacts="$dir/fuzz-artifacts/$h"
  mkdir -p "$artifacts"
  out="$work/$h.log"
  timeout --signal=KILL $((per * 2 + 60)) "$dir/tests/fuzz/fuzz_$h" -max_total_time="$per" \
    -max_len=4096 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" \
    "$corpus" >"$out" 2>&1
  rc=$?
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$out" | tail -n 1)
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    printf 'fuzz_%s: ok (%s, corpus %s files)\n' "$h" "${runs:-?}" "$(ls "$corpus" | wc -l)"
  else
    failed=$((failed + 1))
    crash=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$out" | tail -n 1)
    printf 'fuzz_%s: FAILED (exit %d)%s\n' "$h" "$rc" "${crash:+, input saved as $crash}"
    # The report: the broken property or sanitizer message, and the frames in our code.
    grep -E 'property failed|ERROR:|SUMMARY:|#[0-9]+ 0x[0-9a-f]+ in [^ ]+ [^ ]*/(src|tests)/[^ ]*\.[ch]:[0-9]+' "$out" |
      head -n 20 | sed 's/^/  /'
  fi
done
echo "fuzz: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
