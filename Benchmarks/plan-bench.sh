#!/usr/bin/env bash
# Times the release binary against DESIGN.md section 8:
#   - `orbrec plan` on 1,000 fleets over 20 templates (refresh from the local provider):
#     first on an empty state (1,000 provisions to plan), then with every fleet converged
#     (1,000 live machine processes to find in /proc);
#   - `orbrec status` on an empty state (CLI start to output).
# Wall time and peak RSS come from GNU time; each figure is the median of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/measure.sh
ensure_build_deps
ensure_apt bc

RUNS=${RUNS:-5}
FLEETS=${FLEETS:-1000}
TEMPLATES=${TEMPLATES:-20}
TASKS=${TASKS:-10000}
# ORBREC_BIN times a binary already built (release, to compare with the budgets).
if [ -n "${ORBREC_BIN:-}" ]; then
  bin="$ORBREC_BIN"
else
  swift build -c release --product orbrec >/dev/null
  bin="$PWD/.build/release/orbrec"
fi
work=$(mktemp -d /tmp/orbrec-bench.XXXXXX)
trap 'sed -i "s/count: 1}/count: 0}/" "$work"/cfg/fleets-*.yaml 2>/dev/null; "$bin" apply -c "$work/cfg" --state "$work/state.db" --auto-approve >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
python3 Benchmarks/generate-config.py "$work/cfg" "$FLEETS" "$TEMPLATES" 1

# measure LABEL COMMAND...: prints the median wall seconds and median peak RSS (MB) of RUNS
# runs, whatever they exit (plan exits 3 on a policy denial).
measure() {
  local label=$1; shift
  measure_medians "$label" any "$@"
  printf '%-58s %8.3f s %8.1f MB\n' "$label" "$wall_median" "$(echo "$rss_median / 1024" | bc -l)"
}

echo "orbrec $($bin --version), $(nproc) cores, $RUNS runs each, median"
printf '%-58s %10s %11s\n' "benchmark" "wall" "peak RSS"
measure "plan: $FLEETS fleets / $TEMPLATES templates, empty state" \
  "$bin" plan -c "$work/cfg" --state "$work/state.db"
python3 Benchmarks/generate-config.py "$work/cfg-tasks" "$FLEETS" "$TEMPLATES" 1 "$TASKS"
measure "plan: $FLEETS fleets + $TASKS tasks, empty state" \
  "$bin" plan -c "$work/cfg-tasks" --state "$work/state-tasks.db"
# The shipped policy set on every resource and the plan: 10 rules, ~2,000 resource checks,
# and (these fleets have no owner label, and 1,000 machines exceed the budget) ~2,000
# violations rendered. plan exits 3; the time is what counts.
measure "plan --policies policies/: $FLEETS fleets + $TASKS tasks" \
  "$bin" plan -c "$work/cfg-tasks" --state "$work/state-tasks.db" --policies policies
"$bin" apply -c "$work/cfg" --state "$work/state.db" --auto-approve --parallelism 32 >/dev/null
live=$( (grep -l "ORBREC_MANAGED_BY" /proc/[0-9]*/environ 2>/dev/null || true) | wc -l)
measure "plan: $FLEETS fleets converged ($live tagged processes)" \
  "$bin" plan -c "$work/cfg" --state "$work/state.db" --detailed-exitcode
measure "plan --json: $FLEETS fleets converged" \
  "$bin" plan --json -c "$work/cfg" --state "$work/state.db"
mkdir -p "$work/empty"
RUNS=$((RUNS * 4)) measure "status: empty configuration, no state file" \
  "$bin" status -c "$work/empty" --state "$work/none/state.db"
measure "status: $FLEETS fleets converged" \
  "$bin" status -c "$work/cfg" --state "$work/state.db"
echo "budgets (DESIGN.md 8): plan <= 1 s and <= 150 MB; status on an empty state <= 50 ms"
