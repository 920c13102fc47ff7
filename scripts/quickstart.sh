#!/usr/bin/env bash
# Builds orbrec and runs examples/quickstart on the embedded defaults (local provider,
# SQLite state): applies it, waits until it converges, and shows its status.
#
#   bash scripts/quickstart.sh        # build, apply, show status
#   bash scripts/quickstart.sh down   # return the quickstart's machines
#
# Nothing is written into the repository: the configuration is copied to a directory of
# its own (edit it there), next to the state, under ORBREC_QUICKSTART_HOME
# (default: ${XDG_STATE_HOME:-~/.local/state}/orbrec-quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
ensure_build_deps

home="${ORBREC_QUICKSTART_HOME:-${XDG_STATE_HOME:-$HOME/.local/state}/orbrec-quickstart}"
config="$home/config"
state="$home/state/state.db"

# The debug build, which the test suite builds on too: one build serves both commands.
# `swift build -c release --product orbrec` gives the fast binary (about 14 minutes on 2 cores).
swift build --product orbrec
bin="$PWD/.build/debug/orbrec"

if [ "${1:-}" = "down" ]; then
  if [ ! -e "$state" ]; then
    echo "no quickstart state at $state: nothing to return"
    exit 0
  fi
  # An empty configuration with --allow-empty returns every machine of the state.
  empty=$(mktemp -d)
  trap 'rm -rf "$empty"' EXIT
  "$bin" apply -c "$empty" --state "$state" --auto-approve --allow-empty --wait
  exit 0
fi

mkdir -p "$home"
chmod 700 "$home"
if [ ! -d "$config" ]; then
  mkdir -p "$config"
  cp examples/quickstart/*.yaml "$config/"
fi

"$bin" validate -c "$config"
"$bin" apply -c "$config" --state "$state" --auto-approve --wait
echo
"$bin" status -c "$config" --state "$state"
echo
"$bin" get machines -c "$config" --state "$state"
cat <<HINT

The fleet's machines are 'sleep infinity' processes; the configuration is a copy of
examples/quickstart in $config. Try:
  $bin plan -c $config --state $state    # after changing count in $config/fleet.yaml
  $bin history --state $state
Return them all with:  bash scripts/quickstart.sh down
HINT
