#!/usr/bin/env bash
# Runs the whole test suite: unit, adapter and end-to-end tests against real processes
# and a real SQLite file. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_build_deps

started=$(date +%s)
swift build --build-tests
export ORBREC_BIN="$PWD/.build/debug/orbrec"
# Serially: the adapter and end-to-end tests start hundreds of real processes, and on a
# 2-core machine running them all at once starves the timing they check (about 55 s serial).
swift test --skip-build --no-parallel "$@"
echo "test suite finished in $(( $(date +%s) - started ))s"
