#!/usr/bin/env bash
# `swift test` on the build test.sh made, serially, with two things around it:
# - the failed tests are named again at the very end (the log is a thousand tests long);
# - those tests (at most 5) run once more: a test that passes then is written to
#   .build/test-artifacts/flaky.txt and reported as flaky by test.sh, never hidden; one that
#   fails again fails this script. More than 5 failures are not run again.
set -uo pipefail
cd "$(dirname "$0")/.."
results=.build/test-artifacts/swift-test
rm -rf "$results"
mkdir -p "$results"
: > .build/test-artifacts/flaky.txt

swift test --skip-build --no-parallel --xunit-output "$results/first.xml" "$@" 2>&1 | tee "$results/first.log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && exit 0

# The failed tests as filters: Suite/function(arguments:), parentheses escaped (a regex).
mapfile -t failed < <(python3 - "$results/first-swift-testing.xml" "$results/first.xml" <<'PY'
import sys, re, os, xml.etree.ElementTree as ET
seen = []
for path in sys.argv[1:]:
    if not os.path.exists(path):
        continue
    for case in ET.parse(path).iter("testcase"):
        if case.find("failure") is None and case.find("error") is None:
            continue
        suite = case.get("classname", "").split(".")[-1]
        name = case.get("name", "")
        entry = suite + "/" + re.escape(name)
        if entry not in seen:
            seen.append(entry)
for entry in seen:
    print(entry)
PY
)
echo
echo "=== swift test failed (exit $status); the failed tests:"
grep -E '^✘ Test .*(recorded an issue|failed after)' "$results/first.log" | grep -v '^✘ Test run with' | sed 's/^/  /' | head -40
if [ "${#failed[@]}" -eq 0 ] || [ "${#failed[@]}" -gt 5 ]; then
  echo "=== ${#failed[@]} failed test(s) found in the results: not run again"
  exit "$status"
fi
echo "=== running them once more: ${failed[*]}"
filter=$(IFS='|'; echo "${failed[*]}")
swift test --skip-build --no-parallel --filter "$filter" 2>&1 | tee "$results/again.log"
again=${PIPESTATUS[0]}
if [ "$again" -ne 0 ]; then
  echo "=== they failed again: the suite fails"
  exit "$again"
fi
# A filter that matched nothing passes without running anything: that is no second chance.
ran=$(grep -oE '^✔ Test run with [0-9]+ test' "$results/again.log" | grep -oE '[0-9]+' | head -1)
if [ -z "$ran" ] || [ "$ran" -lt "${#failed[@]}" ]; then
  echo "=== running them again ran ${ran:-no} test(s) of ${#failed[@]}: the suite fails"
  exit "$status"
fi
printf '%s\n' "${failed[@]}" > .build/test-artifacts/flaky.txt
echo "=== FLAKY: failed once, passed when run again: ${failed[*]} (see $results/first.log)"
exit 0
