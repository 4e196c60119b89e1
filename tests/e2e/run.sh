#!/bin/sh
# run.sh: browser tests. Installs playwright-core from package-lock.json the first time,
# then runs run.mjs (which starts its own polis server). POLIS_BIN picks the binary.
set -eu
cd "$(dirname "$0")"
if [ ! -d node_modules/playwright-core ]; then
    npm ci --no-audit --no-fund
fi
exec node run.mjs "$@"
