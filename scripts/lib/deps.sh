# Installs what orbrec needs on a fresh Debian machine. Sourced by the scripts.

# ensure_apt PACKAGE...: installs the Debian packages that are missing.
ensure_apt() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    echo "swift is not on PATH: install the Swift 6 toolchain (https://swift.org/install) first" >&2
    exit 1
  fi
}

# The system packages every build needs: SQLite for GRDB, GNU time for the benchmarks.
ensure_build_deps() {
  ensure_swift
  ensure_apt libsqlite3-dev time
}
