# A real browser for the web console's test (scripts/browser-check.sh): Debian's Chromium, its
# WebDriver and Selenium. Sourced after scripts/lib/deps.sh.

# ensure_browser: installs chromium, chromium-driver and python3-selenium where missing.
ensure_browser() {
  ensure_apt chromium chromium-driver python3-selenium
  if ! /usr/bin/python3 -c 'import selenium' 2>/dev/null; then
    echo "python3-selenium is installed but /usr/bin/python3 cannot import selenium" >&2
    return 1
  fi
}
