# The Open Resource Broker (orb-py) for the hostfactory provider's end-to-end test, which drives
# ORB's own HostFactory plugin scripts against moto. Sourced by the scripts.

ORB_VERSION="1.8.5"
ORB_VENV="${ORB_VENV:-$PWD/.build/orb-venv}"

# ensure_orb: a virtual environment under .build with orb-py, and ORBREC_TEST_ORB_SCRIPTS set to
# the directory of HostFactory scripts its wheel ships (getAvailableTemplates.sh, ...).
ensure_orb() {
  local stamp="$ORB_VENV/.orbrec-orb-$ORB_VERSION"
  if [ ! -f "$stamp" ]; then
    command -v python3 >/dev/null 2>&1 || ensure_apt python3
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || ensure_apt python3-venv
    echo "installing orb-py $ORB_VERSION into $ORB_VENV" >&2
    rm -rf "$ORB_VENV"
    python3 -m venv "$ORB_VENV"
    "$ORB_VENV/bin/pip" install -q --disable-pip-version-check "orb-py==$ORB_VERSION" >&2
    touch "$stamp"
  fi
  local scripts
  scripts=$("$ORB_VENV/bin/python" -c 'import orb, os; print(os.path.join(os.path.dirname(orb.__file__), "infrastructure", "scheduler", "hostfactory", "scripts"))')
  if [ ! -f "$scripts/requestMachines.sh" ]; then
    echo "orb-py $ORB_VERSION has no HostFactory scripts at $scripts" >&2
    return 1
  fi
  export ORBREC_TEST_ORB_SCRIPTS="$scripts"
  export ORBREC_TEST_ORB_VENV="$ORB_VENV"
}
