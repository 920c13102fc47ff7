#!/usr/bin/env bash
# Builds orbrec and runs examples/quickstart on the embedded defaults (local provider,
# SQLite state): applies it, waits until it converges, and shows its status.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_build_deps

swift build -c release --product orbrec
bin="$PWD/.build/release/orbrec"
config=examples/quickstart
state="$config/.orbrec/state.db"

"$bin" validate -c "$config"
"$bin" apply -c "$config" --state "$state" --auto-approve --wait
echo
"$bin" status -c "$config" --state "$state"
echo
"$bin" get machines -c "$config" --state "$state"
cat <<HINT

The fleet's machines are 'sleep infinity' processes. Try:
  $bin plan  -c $config --state $state    # after changing count in $config/fleet.yaml
  $bin history --state $state
Return them all with:  sed -i 's/count: .*/count: 0/' $config/fleet.yaml && $bin apply -c $config --state $state --auto-approve
HINT
