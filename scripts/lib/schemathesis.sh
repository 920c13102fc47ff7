# schemathesis (and openapi-spec-validator) for checking the daemon's HTTP API against its
# OpenAPI document. Sourced by the scripts, after deps.sh.

SCHEMATHESIS_VERSION="4.32.5"
OPENAPI_SPEC_VALIDATOR_VERSION="0.9.0"
SCHEMATHESIS_VENV="${SCHEMATHESIS_VENV:-$PWD/.build/schemathesis-venv}"
# Where schemathesis runs, and so where relative paths given to it (like --report-dir) land.
SCHEMATHESIS_HOME="${SCHEMATHESIS_HOME:-$PWD/.build/schemathesis}"

# ensure_schemathesis: a virtual environment under .build with schemathesis and
# openapi-spec-validator, made once and reused while the pinned versions stay the same.
ensure_schemathesis() {
  local stamp="$SCHEMATHESIS_VENV/.orbrec-schemathesis-$SCHEMATHESIS_VERSION-$OPENAPI_SPEC_VALIDATOR_VERSION"
  [ -f "$stamp" ] && return 0
  command -v python3 >/dev/null 2>&1 || ensure_apt python3
  command -v curl >/dev/null 2>&1 || ensure_apt curl
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || ensure_apt python3-venv
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $SCHEMATHESIS_VENV" >&2
  rm -rf "$SCHEMATHESIS_VENV"
  python3 -m venv "$SCHEMATHESIS_VENV"
  "$SCHEMATHESIS_VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION" >&2
  touch "$stamp"
}

# validate_openapi FILE_OR_URL: checks the document against the OpenAPI 3.1 specification.
validate_openapi() {
  "$SCHEMATHESIS_VENV/bin/openapi-spec-validator" "$1"
}

# run_schemathesis BASE_URL TOKEN [SCHEMATHESIS_ARGS...]: exercises the daemon at BASE_URL
# (like http://127.0.0.1:7077) against the document it serves at /api/v1/openapi.json (or
# at $SCHEMATHESIS_SCHEMA, a file or URL, when set), with the token on every request.
# Responses must not be 5xx and must match the document: status code, content type and
# schema. The event stream never ends, so it is left out. Returns schemathesis's status.
run_schemathesis() {
  local base="${1%/}" token="$2"; shift 2
  local schema="${SCHEMATHESIS_SCHEMA:-$base/api/v1/openapi.json}"
  local args=(
    run "$schema"
    --url "$base"
    --header "Authorization: Bearer $token"
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
    --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-20}"
    --exclude-path /api/v1/events
    --request-timeout 10
    --generation-database none
    --no-color
  )
  [ -n "${SCHEMATHESIS_SEED:-}" ] && args+=(--seed "$SCHEMATHESIS_SEED")
  # schemathesis keeps the failures it found under .schemathesis in its working directory
  # (and tries them again first next time): keep that out of the source tree.
  mkdir -p "$SCHEMATHESIS_HOME"
  (cd "$SCHEMATHESIS_HOME" && "$SCHEMATHESIS_VENV/bin/schemathesis" "${args[@]}" "$@")
}
