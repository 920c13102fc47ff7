#!/usr/bin/env bash
# Times the configuration loader and the planner at sizes a hostile (or just large)
# repository reaches (issue 15, defect 7):
#   - `orbrec validate` on REFERENCES templates naming undeclared providers, among as many
#     declared providers ("did you mean" looks each name up among them);
#   - `orbrec plan` on PROVIDERS local providers, on an empty state.
# Wall time and peak RSS come from GNU time; each figure is the median of RUNS runs.
# ORBREC_BIN times a binary already built (else a release build is made).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/measure.sh

RUNS=${RUNS:-3}
REFERENCES=${REFERENCES:-10000}
PROVIDERS=${PROVIDERS:-20000}
if [ -n "${ORBREC_BIN:-}" ]; then
  bin="$ORBREC_BIN"
else
  swift build -c release --product orbrec >/dev/null
  bin="$PWD/.build/release/orbrec"
fi
work=$(mktemp -d /tmp/orbrec-hostile-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/generate-hostile-config.py "$work/references" references "$REFERENCES"
python3 Benchmarks/generate-hostile-config.py "$work/providers" providers "$PROVIDERS"

# measure LABEL EXPECTED-EXIT COMMAND...: the median wall seconds and peak RSS (MB) of RUNS runs.
measure() {
  local label=$1
  measure_medians "$@"
  printf '%-48s %8.2f s %8d MB\n' "$label" "$wall_median" "$(( rss_median / 1024 ))"
}

echo "binary: $bin ($RUNS runs each, medians)"
# validate exits 1: every reference is unresolved.
measure "validate: $REFERENCES invalid references" 1 "$bin" validate -c "$work/references"
measure "plan: $PROVIDERS providers (empty state)" 0 \
  "$bin" plan -c "$work/providers" --state "$work/state.db"
