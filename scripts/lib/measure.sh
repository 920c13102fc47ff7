# Medians of repeated runs under GNU time, for the benchmarks. Sourced by the scripts.

# measure_medians LABEL EXPECTED COMMAND...: runs COMMAND $RUNS times under GNU time and
# sets wall_median (seconds) and rss_median (peak RSS, KB) to the medians. EXPECTED is the
# exit status every run must have, or `any`; a run with another exits 1, saying so under
# LABEL with the tail of its output. With `any` nothing looks at the output: it goes to
# /dev/null. Needs $RUNS and $work (a scratch directory).
measure_medians() {
  local label=$1 expected=$2; shift 2
  local walls=() rss=() wall kb output="$work/out.txt"
  [ "$expected" = any ] && output=/dev/null
  for _ in $(seq "$RUNS"); do
    local status=0
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >"$output" 2>&1 || status=$?
    if [ "$expected" != any ] && [ "$status" != "$expected" ]; then
      echo "$label: exit $status, expected $expected" >&2
      tail -5 "$work/out.txt" >&2
      exit 1
    fi
    # GNU time writes "Command exited with non-zero status N" first when it did.
    read -r wall kb < <(tail -1 "$work/time.txt")
    walls+=("$wall"); rss+=("$kb")
  done
  wall_median=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
  rss_median=$(printf '%s\n' "${rss[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
}
