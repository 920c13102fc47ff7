#!/usr/bin/env bash
# The web console in a real browser: installs Debian's chromium, chromium-driver and
# python3-selenium, then scripts/browser-check.py drives headless Chromium against real
# daemons started from $ORBREC_BIN (default: the debug build) on temporary configurations.
# Screenshots of each page go to $ORBREC_CONSOLE_ARTIFACTS (default .build/test-artifacts/console).
# Fails on any missed expectation.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/browser.sh
ensure_browser
bin="${ORBREC_BIN:-$PWD/.build/debug/orbrec}"
[ -x "$bin" ] || { echo "no orbrec binary at $bin: build first (swift build) or set ORBREC_BIN" >&2; exit 1; }
artifacts="${ORBREC_CONSOLE_ARTIFACTS:-$PWD/.build/test-artifacts/console}"
# Debian's Selenium is importable by the system interpreter only (another python3 may come first on PATH).
exec /usr/bin/python3 scripts/browser-check.py --orbrec "$bin" --artifacts "$artifacts"
